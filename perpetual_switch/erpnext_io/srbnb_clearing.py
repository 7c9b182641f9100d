"""Reads and writes of SRBNB clearings: the facts that decide whether a date and an account can
take the journal, and the clearing document itself."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from perpetual_switch.engine.srbnb_clearing import ClearingFacts, ClearingLine
from perpetual_switch.erpnext_io.reader import accounts_frozen_upto, closed_period

CLEARING = "SRBNB Clearing"


def facts(company: str, posting_date, expense_problem: str | None = None) -> ClearingFacts:
	until = frappe.db.sql(
		"""select max(period_end_date) from `tabPeriod Closing Voucher`
		where company = %(company)s and docstatus = 1""",
		{"company": company},
	)[0][0]
	busy = frappe.db.get_value(CLEARING, {"company": company, "status": "Applying"}, "name")
	pending = frappe.db.sql(
		"""select name from `tabRepost Item Valuation`
		where company = %(company)s and docstatus = 1 and posting_date <= %(date)s
			and status in ('Queued', 'In Progress', 'Failed')
		order by posting_date, name limit 1""",
		{"company": company, "date": getdate(posting_date)},
	)
	return ClearingFacts(
		getdate(until) if until else None,
		closed_period(company, getdate(posting_date), "Journal Entry"),
		accounts_frozen_upto(company),
		busy,
		expense_problem,
		stock_frozen_until(),
		pending[0][0] if pending else None,
		closed_period(company, getdate(posting_date), "Landed Cost Voucher"),
	)


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
				"revalue": int(line.revalue),
			},
		)
	# The service checked the user's right to clear this company (guards.require_clearing_right).
	doc.flags.perpetual_switch_service = True
	doc.flags.ignore_permissions = True
	doc.flags.ignore_links = True
	doc.insert()
	return doc


def set_applied(name: str, journal_entry: str, voucher: str | None, to_stock, to_expense) -> None:
	frappe.db.set_value(
		CLEARING,
		name,
		{
			"journal_entry": journal_entry,
			"landed_cost_voucher": voucher,
			"to_stock": to_stock,
			"to_expense": to_expense,
			"status": "Applied",
		},
	)


def latest_applied(company: str) -> str | None:
	return frappe.db.get_value(CLEARING, {"company": company, "status": "Applied"}, "name", order_by="creation desc")


def set_rolled_back(name: str) -> None:
	frappe.db.set_value(
		CLEARING, name, {"status": "Rolled Back", "rolled_back_by": frappe.session.user, "rolled_back_on": now_datetime()}
	)


# --- Re-valuing receipts: the share of the goods still in stock ---------------------------------

LCV = "Landed Cost Voucher"
FLAG = "perpetual_switch_srbnb_clearing"


def stock_frozen_until():
	value = frappe.db.get_single_value("Stock Settings", "stock_frozen_upto")
	return getdate(value) if value else None


def revalue(company: str, posting_date, changes: dict, srbnb_account: str, description: str):
	"""Re-value receipt rows by `changes` ((receipt, row) -> amount) with one Landed Cost Voucher on
	the date, charged to SRBNB. The receipts' stock ledger is re-valued as ERPNext does, but their GL
	is left as it is (the clearing journal carries the change, on its date); ERPNext re-posts the GL
	of documents after the date itself. Returns (voucher, stock account -> change on the date)."""
	return _run(company, posting_date, sorted({receipt for receipt, _row in changes}), lambda: _submit(company, posting_date, changes, srbnb_account, description))


def revaluation_preview(company: str, posting_date, changes: dict, srbnb_account: str, description: str, keep_locks: bool) -> dict:
	"""What `revalue` would move onto each stock account on the date, found by doing it in a savepoint
	that is rolled back: ERPNext's own valuation decides the share still in stock, so the plan shows the
	journal apply posts. The savepoint's rollback keeps the row locks it took (the company's among
	them) until the transaction ends: an apply (`keep_locks`) goes on under them; a plan that only
	shows ends its transaction here, so nobody waits on someone reading a plan."""
	from perpetual_switch.erpnext_io.backdated import rolled_back

	with rolled_back(company, fresh=False):
		_voucher, moved = revalue(company, posting_date, changes, srbnb_account, description)
	if not keep_locks and not frappe.db.transaction_writes:
		frappe.db.rollback()
	return moved


def unrevalue(company: str, posting_date, voucher: str) -> dict:
	"""Cancel the clearing's Landed Cost Voucher the same way; returns the stock accounts' change."""
	receipts = sorted(set(frappe.get_all("Landed Cost Purchase Receipt", filters={"parent": voucher}, pluck="receipt_document")))

	def cancel():
		doc = frappe.get_doc(LCV, voucher)
		doc.flags[FLAG] = True
		doc.flags.ignore_permissions = True
		doc.cancel()
		return voucher

	return _run(company, posting_date, receipts, cancel)[1]


def _run(company: str, posting_date, receipts: list, action):
	from perpetual_switch.engine.late_costs import by_account, value_changes
	from perpetual_switch.erpnext_io import late_costs

	items = sorted({item for item in late_costs.receipt_items("Purchase Receipt", receipts)})
	per_item = late_costs.books_per_item(company)
	before = late_costs.values_on(company, posting_date, items, per_item)
	late_costs.mark("Purchase Receipt", receipts)
	try:
		voucher = action()
	finally:
		late_costs.unmark("Purchase Receipt", receipts)
	moved = value_changes(before, late_costs.values_on(company, posting_date, items, per_item))
	accounts = late_costs.stock_accounts(company, moved, per_item)
	missing = sorted(key for key, change in moved.items() if change and key not in accounts)
	if missing:
		frappe.throw(_("ERPNext has no stock account for {0}: set one before clearing.").format(", ".join(missing)))
	late_costs.queue_reposts_after(company, posting_date, late_costs.pairs_after(company, posting_date, items))
	return voucher, by_account(moved, accounts)


def _submit(company: str, posting_date, changes: dict, srbnb_account: str, description: str) -> str:
	receipts = sorted({receipt for receipt, _row in changes})
	lcv = frappe.new_doc(LCV)
	lcv.update(
		{
			"company": company,
			"posting_date": posting_date,
			"distribute_charges_based_on": "Distribute Manually",
			"purchase_receipts": [{"receipt_document_type": "Purchase Receipt", "receipt_document": r} for r in receipts],
			"taxes": [{"expense_account": srbnb_account, "description": description, "amount": float(sum(changes.values()))}],
		}
	)
	lcv.get_items_from_purchase_receipts()
	for item in lcv.items:
		# Floats, as ERPNext's own arithmetic on these fields expects.
		item.applicable_charges = float(changes.get((item.receipt_document, item.purchase_receipt_item), 0))
	lcv.items = [item for item in lcv.items if item.applicable_charges]
	lcv.flags[FLAG] = True
	lcv.flags.ignore_permissions = True
	lcv.insert()
	lcv.submit()
	return lcv.name


def revaluing_clearing(company: str, on_date):
	"""An applied clearing of the company that re-valued receipts on or after `on_date`, if any."""
	rows = frappe.db.sql(
		f"""select name, posting_date from `tab{CLEARING}`
		where company = %(company)s and status = 'Applied' and landed_cost_voucher is not null
			and posting_date >= %(date)s
		order by posting_date desc limit 1""",
		{"company": company, "date": getdate(on_date)},
		as_dict=True,
	)
	return rows[0] if rows else None


def journal_lines(journal_entry: str | None) -> list[dict]:
	"""The clearing journal's lines as posted (account, debit, credit, cost center)."""
	if not journal_entry:
		return []
	return frappe.get_all(
		"Journal Entry Account",
		filters={"parent": journal_entry, "parenttype": "Journal Entry"},
		fields=["account", "debit", "credit", "cost_center"],
		order_by="idx",
	)


def exists(name: str) -> bool:
	return bool(frappe.db.exists(CLEARING, name))
