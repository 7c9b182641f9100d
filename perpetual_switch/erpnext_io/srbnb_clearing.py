"""Reads and writes of SRBNB clearings: the facts that decide whether a date and an account can
take the journal, and the clearing document itself."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from perpetual_switch.engine.srbnb_clearing import ClearingFacts, ClearingLine
from perpetual_switch.erpnext_io.reader import accounts_frozen_upto, closed_period

CLEARING = "SRBNB Clearing"


def facts(company: str, posting_date, expense_account: str | None) -> ClearingFacts:
	until = frappe.db.sql(
		"""select max(period_end_date) from `tabPeriod Closing Voucher`
		where company = %(company)s and docstatus = 1""",
		{"company": company},
	)[0][0]
	busy = frappe.db.get_value(CLEARING, {"company": company, "status": "Applying"}, "name")
	return ClearingFacts(
		getdate(until) if until else None,
		closed_period(company, getdate(posting_date), "Journal Entry"),
		accounts_frozen_upto(company),
		busy,
		expense_problem(company, expense_account),
	)


def expense_problem(company: str, account: str | None) -> str | None:
	if not account:
		return _("Choose the account the residuals go to: company {0} has no stock adjustment account.").format(company)
	values = frappe.db.get_value("Account", account, ["company", "is_group", "disabled"], as_dict=True)
	if not values:
		return _("Account {0} does not exist.").format(account)
	if values.company != company:
		return _("Account {0} belongs to company {1}, not {2}.").format(account, values.company, company)
	if values.is_group:
		return _("Account {0} is a group account; choose a ledger account.").format(account)
	if values.disabled:
		return _("Account {0} is disabled.").format(account)
	return None


def cost_center_problem(company: str, cost_center: str | None) -> str | None:
	if not cost_center:
		return None
	values = frappe.db.get_value("Cost Center", cost_center, ["company", "is_group"], as_dict=True)
	if not values or values.company != company:
		return _("Cost center {0} is not a cost center of company {1}.").format(cost_center, company)
	if values.is_group:
		return _("Cost center {0} is a group; choose a ledger cost center.").format(cost_center)
	return None


def company_defaults(company: str) -> tuple[str | None, str | None, str | None]:
	"""(SRBNB account, stock adjustment account, cost center) of the company."""
	values = frappe.get_cached_value(
		"Company", company, ["stock_received_but_not_billed", "stock_adjustment_account", "cost_center"], as_dict=True
	)
	return values.stock_received_but_not_billed, values.stock_adjustment_account, values.cost_center


def record(company, posting_date, causes, srbnb_account, expense_account, cost_center, total, lines: tuple[ClearingLine, ...]):
	"""The clearing document, status Applying, before its journal is posted."""
	doc = frappe.new_doc(CLEARING)
	doc.update(
		{
			"company": company,
			"posting_date": posting_date,
			"status": "Applying",
			"causes": causes,
			"srbnb_account": srbnb_account,
			"expense_account": expense_account,
			"cost_center": cost_center,
			"total": total,
			"applied_by": frappe.session.user,
			"applied_on": now_datetime(),
		}
	)
	for line in lines:
		doc.append(
			"lines",
			{
				"source_type": line.source_type,
				"source": line.source,
				"item_row": line.item_row,
				"item_code": line.item_code,
				"cause": line.cause,
				"amount": line.amount,
			},
		)
	doc.flags.ignore_permissions = True
	doc.flags.ignore_links = True
	doc.insert()
	return doc


def set_applied(name: str, journal_entry: str) -> None:
	frappe.db.set_value(CLEARING, name, {"journal_entry": journal_entry, "status": "Applied"})


def latest_applied(company: str) -> str | None:
	return frappe.db.get_value(CLEARING, {"company": company, "status": "Applied"}, "name", order_by="creation desc")


def set_rolled_back(name: str) -> None:
	frappe.db.set_value(
		CLEARING, name, {"status": "Rolled Back", "rolled_back_by": frappe.session.user, "rolled_back_on": now_datetime()}
	)
