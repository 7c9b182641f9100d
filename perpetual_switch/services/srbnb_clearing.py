"""Clear residuals of Stock Received But Not Billed: plan, apply, roll back, as the switch does.

The plan reconciles the account as of the posting date, takes the residuals the user chose (by
cause, by receipt, receipt row or voucher), lists what blocks and the one journal entry. Apply
plans again under the company's lock and writes nothing while anything blocks; the clearing
document and its journal are written all or nothing. Rollback cancels the journal, which puts the
GL back exactly; it is refused when the journal's date has been closed since.

Transactions: these functions never commit (the command and the background job do).
"""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe import _

from perpetual_switch.engine.accounts import cost_center_issues, expense_account_issues
from perpetual_switch.engine.money import money_str
from perpetual_switch.engine.rollback import later_operation_issue
from perpetual_switch.engine.serialize import issue_to_dict
from perpetual_switch.engine.srbnb_clearing import (
	ALL_CAUSES,
	CAUSES,
	choose,
	clearing_blockers,
	clearing_fingerprint,
	clearing_journal,
	line_to_dict,
	period_blockers,
	revaluations,
	unknown_causes,
)
from perpetual_switch.engine.srbnb_reconcile import CAUSE_LABELS, VOUCHER_CAUSE_LABELS
from perpetual_switch.erpnext_io import reader, switch_records, writer
from perpetual_switch.erpnext_io import srbnb as srbnb_io
from perpetual_switch.erpnext_io import srbnb_clearing as io
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.services import srbnb
from perpetual_switch.services.guards import atomic, operation_label, require_clearing_right, require_reader, valid_date

CLEARING = io.CLEARING


class ClearingBlocked(frappe.ValidationError):
	"""Something blocks the clearing; nothing was written."""


@dataclass
class ClearingPlan:
	company: str
	posting_date: object
	currency: str
	precision: int
	srbnb_account: str | None
	expense_account: str | None
	cost_center: str | None
	causes: tuple
	lines: tuple
	journal: object
	blockers: list
	stock_changes: dict
	"""Stock account -> how much re-valuing the receipts moves it on the date (previewed)."""


def _expense_problem(company: str, account: str | None) -> str | None:
	"""Why the account cannot take the residuals, by the switch's own rules for its expense account."""
	if not account:
		return _("Choose the account the residuals go to: company {0} has no stock adjustment account.").format(company)
	issues = expense_account_issues(account, company, reader.read_accounts(company, {account}))
	return " ".join(issue_to_dict(issue, _)["message"] for issue in issues) or None


def _label(cause: str) -> str:
	return _(CAUSE_LABELS.get(cause) or VOUCHER_CAUSE_LABELS.get(cause) or cause)


def causes() -> list[dict]:
	"""The causes a clearing can take, in the order the report shows them, with their labels."""
	return [{"value": cause, "label": _label(cause)} for cause in ALL_CAUSES]


def _as_set(values, name: str) -> set | None:
	"""A list, or a comma-separated text, of names; None (or empty) means every one."""
	if values is None or values == "" or values == []:
		return None
	if isinstance(values, str):
		values = frappe.parse_json(values) if values.strip().startswith("[") else values.split(",")
	if not isinstance(values, (list, tuple, set)):
		frappe.throw(_("{0} must be a list of names, not {1}.").format(name, frappe.bold(str(values)[:100])))
	return {str(v).strip() for v in values if str(v).strip()} or None


@mariadb_only
def plan(
	company: str, posting_date=None, causes=None, sources=None, expense_account=None, cost_center=None, progress=None,
	under_lock: bool = False,
) -> ClearingPlan:  # fmt: skip
	"""The clearing's plan; `under_lock` when apply holds the company's lock and posts from this plan."""
	require_reader(company)
	posting_date = valid_date(posting_date)
	if causes is not None and causes != "" and not _as_set(causes, _("Causes")):
		# An empty choice is a choice of nothing, not of everything.
		frappe.throw(_("Choose at least one cause to clear."), title=_("No cause chosen"))
	causes, sources = _as_set(causes, _("Causes")), _as_set(sources, _("Documents"))
	unknown = unknown_causes(causes or ())
	if unknown:
		frappe.throw(
			_("Cause {0} is not one of: {1}.").format(frappe.bold(", ".join(unknown)), ", ".join(ALL_CAUSES)),
			title=_("Unknown cause"),
		)
	srbnb_account, adjustment, default_cost_center = io.company_defaults(company)
	expense_account = expense_account or adjustment
	cost_center = cost_center or default_cost_center
	problems = cost_center_issues(cost_center, company, reader.read_cost_centers(company, [cost_center]))
	if problems:
		frappe.throw(" ".join(issue_to_dict(issue, _)["message"] for issue in problems))
	result = srbnb.compute(company, posting_date, progress=progress)
	facts = io.facts(company, posting_date, _expense_problem(company, expense_account))
	lines = choose(result.rows, result.voucher_lines, causes, sources, facts.stock_frozen_until)
	blockers = clearing_blockers(lines, posting_date, facts, sources)
	journal, stock_changes = None, {}
	if srbnb_account and lines and not facts.expense_problem:
		changes = revaluations(lines)
		if changes and not blockers:
			# The share of the re-valuation still in stock goes to the stock accounts: the plan shows
			# the journal apply posts, split as ERPNext's valuation splits it.
			if progress:
				progress(90, _("Re-valuing the receipts in a preview"))
			stock_changes = io.revaluation_preview(
				company, posting_date, changes, srbnb_account, _("SRBNB clearing"), keep_locks=under_lock
			)
		journal = clearing_journal(lines, srbnb_account, expense_account, cost_center, result.precision, stock_changes)
	return ClearingPlan(
		company, posting_date, result.currency, result.precision, srbnb_account, expense_account, cost_center,
		tuple(sorted(causes)) if causes else tuple(CAUSES), lines, journal, blockers, stock_changes,
	)  # fmt: skip


def plan_dict(result: ClearingPlan) -> dict:
	p = result.precision
	total = sum((line.amount for line in result.lines), 0)
	return {
		"company": result.company,
		"posting_date": str(result.posting_date),
		"currency": result.currency,
		"srbnb_account": result.srbnb_account,
		"expense_account": result.expense_account,
		"cost_center": result.cost_center,
		"total": money_str(total, p),
		"revalued": money_str(sum((line.amount for line in result.lines if line.revalue), 0), p),
		"to_stock": money_str(sum(result.stock_changes.values(), 0), p),
		"lines": [line_to_dict(line, p, _label) for line in result.lines],
		"journal": (
			{
				"lines": [
					{"account": l.account, "debit": money_str(l.debit, p), "credit": money_str(l.credit, p), "cost_center": l.cost_center}
					for l in result.journal.lines
				],
				"total_debit": money_str(result.journal.total_debit, p),
				"total_credit": money_str(result.journal.total_credit, p),
			}
			if result.journal
			else None
		),
		"blockers": [issue_to_dict(issue, _) for issue in result.blockers],
		"has_work": bool(result.journal) and not result.blockers,
		"fingerprint": clearing_fingerprint(result.company, result.posting_date, result.lines, result.journal),
	}


@mariadb_only
def apply(
	company: str, posting_date=None, causes=None, sources=None, expense_account=None, cost_center=None, progress=None,
	fingerprint: str | None = None,
):  # fmt: skip
	"""Plan again under the company's lock; on no blocker, write the clearing and its journal. With
	`fingerprint` (of the plan the user reviewed), a clearing that is no longer that one is refused."""
	require_clearing_right(company)
	writer.lock_company(company, fresh=True)
	result = plan(company, posting_date, causes, sources, expense_account, cost_center, progress, under_lock=True)
	if result.blockers:
		raise ClearingBlocked("\n".join(issue_to_dict(issue, _)["message"] for issue in result.blockers))
	if not result.journal:
		raise ClearingBlocked(_("Nothing to clear: no residual matches the causes and documents chosen."))
	now = clearing_fingerprint(result.company, result.posting_date, result.lines, result.journal)
	if fingerprint and fingerprint != now:
		raise ClearingBlocked(
			_("The clearing is no longer the one reviewed (fingerprint {0}, now {1}): the residuals changed since. Review it again.").format(fingerprint, now)
		)
	if progress:
		progress(96, _("Posting the journal entry"))
	total = sum((line.amount for line in result.lines), 0)
	with atomic(company):
		doc = io.record(
			company, result.posting_date, ", ".join(sorted({line.cause for line in result.lines})), result.srbnb_account,
			result.expense_account, result.cost_center, total, result.lines,
		)  # fmt: skip
		voucher, stock_changes = None, {}
		changes = revaluations(result.lines)
		if changes:
			if progress:
				progress(97, _("Re-valuing the receipts"))
			voucher, stock_changes = io.revalue(
				company, result.posting_date, changes, result.srbnb_account, _("SRBNB clearing {0}").format(doc.name)
			)
		if stock_changes != result.stock_changes:
			# Cannot happen under the lock; refused rather than posting a journal nobody reviewed.
			raise ClearingBlocked(_("Re-valuing the receipts moved the stock accounts otherwise than the plan showed: review the plan again."))
		journal_entry = writer.post_journal(
			company,
			result.posting_date,
			result.journal,
			_("SRBNB clearing {0}").format(doc.name),
			_("Residuals of Stock Received But Not Billed cleared by {0}.").format(doc.name),
		)
		to_stock = sum(stock_changes.values(), 0)
		io.set_applied(doc.name, journal_entry, voucher, to_stock, -total - to_stock)
	return frappe.get_doc(CLEARING, doc.name)


@mariadb_only
def rollback(name: str | None = None, company: str | None = None):
	"""Cancel a clearing's journal (the latest applied of `company` when no name is given)."""
	if not name and company:
		require_clearing_right(company)
		name = io.latest_applied(company)
		if not name:
			frappe.throw(_("Company {0} has no applied SRBNB clearing to roll back.").format(frappe.bold(company)))
	if not name or not io.exists(name):
		frappe.throw(_("SRBNB clearing {0} does not exist.").format(frappe.bold(name or "")), frappe.DoesNotExistError)
	doc = frappe.get_doc(CLEARING, name)
	require_clearing_right(doc.company)
	writer.lock_company(doc.company, fresh=True)
	doc.reload()
	if doc.status != "Applied":
		frappe.throw(_("SRBNB clearing {0} is {1}, not applied: there is nothing to roll back.").format(frappe.bold(name), _(doc.status)))
	facts = io.facts(doc.company, doc.posting_date)
	blockers = period_blockers(frappe.utils.getdate(doc.posting_date), facts)
	later = switch_records.operations_applied_after(doc.company, doc.applied_on, doc.name)
	if later:
		blockers.append(later_operation_issue(operation_label(CLEARING, name), operation_label(*later[0])))
	if blockers:
		raise ClearingBlocked(
			_("SRBNB clearing {0} cannot be rolled back: {1}").format(
				name, " ".join(issue_to_dict(issue, _)["message"] for issue in blockers)
			)
		)
	with atomic(doc.company):
		writer.cancel_journal(doc.journal_entry)
		if doc.landed_cost_voucher:
			io.unrevalue(doc.company, doc.posting_date, doc.landed_cost_voucher)
		io.set_rolled_back(name)
	return frappe.get_doc(CLEARING, name)


def srbnb_clearing_audit(name: str) -> dict:
	"""What the clearing's print format shows: each residual with its cause, and the journal."""
	doc = frappe.get_doc(CLEARING, name)
	doc.check_permission("read")
	return {
		"lines": [
			{
				"source_type": _(row.source_type) if row.source_type else "",
				"source": row.source,
				"item_code": row.item_code or "",
				"cause": _label(row.cause),
				"revalue": bool(row.revalue),
				"amount": row.amount,
			}
			for row in doc.lines
		],
		"journal": io.journal_lines(doc.journal_entry),
		"currency": srbnb_io.company_currency(doc.company),
	}
