"""After a switch: late costs and returns on goods received on or before its cutover.

- A Landed Cost Voucher dated after the cutover on such a receipt re-values the stock ledger as
  ERPNext does, but posts nothing on or before the cutover: one journal at the voucher's date
  debits the stock accounts with the change in their warehouses' value on the cutover, credits
  the voucher's expense accounts, and puts the share of the units that left stock on or before
  the cutover on the switch's expense account. Units that left after the cutover are re-posted by
  ERPNext's own Repost Item Valuation of those documents. Cancelling the voucher cancels that journal.
- A purchase invoice that re-values such a receipt (Buying Settings' "Set Landed Cost Based on
  Purchase Invoice Rate") takes the same path, its charge being what ERPNext would have credited
  to SRBNB on the receipt had it been perpetual (the change in the receipt's difference with the
  invoice rate): SRBNB ends where a company perpetual from the start has it.
- A Repost Item Valuation reaching back to or before a cutover is refused when it is made.
- A debit note of an invoice from before the switch, for goods returned through a return of their
  receipt after it, credits Stock Received But Not Billed (where the return debited), not the
  invoice's original expense account.
"""

from __future__ import annotations

from collections import defaultdict

import frappe
from frappe import _
from frappe.utils import getdate

from perpetual_switch.engine.late_costs import Charge, by_account, late_cost, share_charges, value_changes
from perpetual_switch.erpnext_io import late_costs as io
from perpetual_switch.erpnext_io import writer
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.erpnext_io.srbnb_clearing import revaluing_clearing

CONTEXT = "perpetual_switch_late"


def _late_groups(company: str, receipts: dict[str, list[str]]) -> list[dict]:
	"""Receipts (per doctype) dated on or before the cutover of an applied switch, per switch."""
	groups: dict[str, dict] = {}
	for doctype, names in receipts.items():
		for name, posted in io.posting_dates(doctype, names).items():
			switch = io.covering_switch(company, posted)
			if not switch:
				continue
			group = groups.setdefault(switch.name, {"switch": switch, "receipts": defaultdict(list)})
			group["receipts"][doctype].append(name)
	return list(groups.values())


def _begin(doc, groups: list[dict]) -> None:
	"""Before ERPNext re-values: note each group's stock value on its cutover and mark its receipts."""
	context = []
	for group in groups:
		switch = group["switch"]
		items = sorted({item for doctype, names in group["receipts"].items() for item in io.receipt_items(doctype, names)})
		per_item = io.books_per_item(doc.company)
		before = io.values_on(doc.company, switch.cutover_date, items, per_item)
		for doctype, names in group["receipts"].items():
			io.mark(doctype, names)
		context.append({**group, "items": items, "per_item": per_item, "before": before})
	doc.flags[CONTEXT] = context


def _finish(doc, charges_for=None) -> None:
	"""After ERPNext re-valued: post (on submit) or cancel (on cancel) the change on the cutover."""
	context = doc.flags.pop(CONTEXT, None)
	if context is None:
		return
	for group in context:
		for doctype, names in group["receipts"].items():
			io.unmark(doctype, names)
	if doc.docstatus == 2:
		for journal_entry in io.release(doc.doctype, doc.name):
			writer.cancel_journal(journal_entry)
	precision = io.company_precision(doc.company)
	for group in context:
		switch, items, per_item = group["switch"], group["items"], group["per_item"]
		if doc.docstatus == 1:
			after = io.values_on(doc.company, switch.cutover_date, items, per_item)
			moved = value_changes(group["before"], after)
			accounts = io.stock_accounts(doc.company, moved, per_item)
			missing = sorted(key for key, change in moved.items() if change and key not in accounts)
			if missing:
				frappe.throw(
					_("ERPNext has no stock account for {0}: set one before booking this cost.").format(", ".join(missing))
				)
			changes = by_account(moved, accounts)
			receipts = {name for names in group["receipts"].values() for name in names}
			charges = charges_for(doc, receipts, switch, precision) if charges_for else ()
			result = late_cost(changes, charges, switch.expense_account, switch.cost_center, precision)
			journal_entry = None
			if result.journal:
				journal_entry = writer.post_journal(
					doc.company,
					doc.posting_date,
					result.journal,
					_("Late cost on goods received before the switch ({0})").format(doc.name),
					_("{0} {1} re-valued goods received on or before the cutover {2} of switch {3}.").format(
						_(doc.doctype), doc.name, switch.cutover_date, switch.name
					),
				)
			io.record(switch.name, doc.company, doc.doctype, doc.name, doc.posting_date, receipts, result, journal_entry)
		io.queue_reposts_after(doc.company, switch.cutover_date, io.pairs_after(doc.company, switch.cutover_date, items))


# --- Landed Cost Voucher ------------------------------------------------------------------------


def _landed_cost_groups(doc) -> list[dict]:
	if doc.flags.get("perpetual_switch_srbnb_clearing"):
		# An SRBNB clearing's own re-valuation: the clearing posts its journal itself.
		return []
	receipts = defaultdict(list)
	for row in doc.get("purchase_receipts"):
		if row.receipt_document_type in ("Purchase Receipt", "Purchase Invoice") and row.receipt_document:
			receipts[row.receipt_document_type].append(row.receipt_document)
	return _late_groups(doc.company, receipts)


@mariadb_only
def landed_cost_validate(doc, method=None) -> None:
	"""A landed cost on goods received on or before a cutover must be dated after it."""
	for group in _landed_cost_groups(doc):
		switch = group["switch"]
		if getdate(doc.posting_date) <= getdate(switch.cutover_date):
			names = ", ".join(sorted(n for names in group["receipts"].values() for n in names))
			frappe.throw(
				_(
					"Landed Cost Voucher dated {0} re-values {1}, received on or before the cutover {2} of switch {3}. Date it after the cutover: the cost is then posted on that date, the part of the goods still in stock to the stock accounts and the part already issued to the switch's expense account."
				).format(doc.posting_date, names, switch.cutover_date, switch.name),
				title=_("Date after the cutover"),
			)


@mariadb_only
def landed_cost_before(doc, method=None) -> None:
	"""before_submit and before_cancel of a Landed Cost Voucher."""
	groups = _landed_cost_groups(doc)
	if groups:
		_begin(doc, groups)


def _landed_cost_charges(doc, receipts, switch, precision):
	total, rows = io.landed_cost_rows(doc, receipts)
	return share_charges(total, [Charge(account, amount, switch.cost_center) for account, amount in rows], precision)


@mariadb_only
def landed_cost_after(doc, method=None) -> None:
	"""on_submit and on_cancel of a Landed Cost Voucher."""
	_finish(doc, _landed_cost_charges)


# --- Purchase invoices that re-value their receipts ---------------------------------------------


def _invoice_groups(doc) -> list[dict]:
	if doc.get("update_stock") or not io.buying_revalues_on_invoice_rate():
		return []
	if doc.get("is_return") and not doc.get("update_billed_amount_in_purchase_receipt"):
		return []
	receipts = sorted({row.purchase_receipt for row in doc.get("items") if row.pr_detail and row.purchase_receipt})
	return _late_groups(doc.company, {"Purchase Receipt": receipts}) if receipts else []


DIFFERENCE = "perpetual_switch_late_difference"


@mariadb_only
def invoice_before(doc, method=None) -> None:
	"""before_submit and before_cancel of a Purchase Invoice."""
	groups = _invoice_groups(doc)
	if groups:
		_begin(doc, groups)
		doc.flags[DIFFERENCE] = {
			group["switch"].name: io.amount_differences(group["receipts"]["Purchase Receipt"]) for group in groups
		}


def _invoice_charges(doc, receipts, switch, precision):
	"""The receipts' re-valuation at the invoice rate, credited to SRBNB as ERPNext does on a
	perpetual receipt (the invoice debited SRBNB with its own price)."""
	before = (doc.flags.get(DIFFERENCE) or {}).get(switch.name, 0)
	change = io.amount_differences(sorted(receipts)) - before
	srbnb = io.srbnb_account(doc.company)
	return (Charge(srbnb, change, switch.cost_center),) if change and srbnb else ()


@mariadb_only
def invoice_after(doc, method=None) -> None:
	"""on_submit and on_cancel of a Purchase Invoice."""
	_finish(doc, _invoice_charges)
	doc.flags.pop(DIFFERENCE, None)


# --- Repost Item Valuation ----------------------------------------------------------------------


@mariadb_only
def refuse_reposts_before_cutover(doc, method=None) -> None:
	"""Repost Item Valuation before_validate: a repost from on or before a cutover would post GL
	there for documents the switch's journal already carries; ERPNext would fail it later, in the
	background. Refuse it now."""
	# When it is made, whether as a draft or (as ERPNext makes its own) submitted at once.
	if not doc.is_new() or not doc.posting_date:
		return
	company = io.repost_company(doc)
	switch = io.covering_switch(company, doc.posting_date) if company else None
	clearing = revaluing_clearing(company, doc.posting_date) if company and not switch else None
	if clearing:
		frappe.throw(
			_(
				"Repost Item Valuation from {0} reaches back to or before {1}, the date SRBNB clearing {2} re-valued receipts on, whose journal carries that change. Repost from the day after it, or roll the clearing back first."
			).format(doc.posting_date, clearing.posting_date, clearing.name),
			title=_("Repost before an SRBNB clearing"),
		)
	if switch:
		frappe.throw(
			_(
				"Repost Item Valuation from {0} reaches back to or before the cutover {1} of switch {2}, whose journal carries the stock value of that day. Repost from the day after the cutover, or book a late cost with a Landed Cost Voucher dated after it."
			).format(doc.posting_date, switch.cutover_date, switch.name),
			title=_("Repost before the cutover"),
		)


# --- Debit notes for goods returned after the switch --------------------------------------------


@mariadb_only
def route_returns_to_srbnb(doc, method=None) -> None:
	"""Purchase Invoice validate: a debit note of an invoice from on or before a cutover, for goods
	of a receipt from on or before it that were not returned by then, credits SRBNB."""
	if not doc.get("is_return") or not doc.get("return_against") or doc.get("update_stock"):
		return
	original = io.invoice_date(doc.return_against)
	switch = io.covering_switch(doc.company, original) if original else None
	if not switch or getdate(doc.posting_date) <= getdate(switch.cutover_date):
		return
	rows = [row for row in doc.get("items") if row.get("pr_detail") and row.get("purchase_receipt")]
	received = io.posting_dates("Purchase Receipt", [row.purchase_receipt for row in rows])
	returned_by_cutover = io.returned_on_or_before([row.pr_detail for row in rows], switch.cutover_date)
	srbnb = io.srbnb_account(doc.company)
	for row in rows:
		posted = received.get(row.purchase_receipt)
		if posted and posted <= getdate(switch.cutover_date) and row.pr_detail not in returned_by_cutover:
			row.expense_account = srbnb


def returns_apart(company: str) -> list[dict]:
	"""For the reconciliation view: receipt rows from before the switch whose returns after it and
	the debit notes crediting SRBNB for them differ (SRBNB keeps the difference)."""
	switch = io.latest_applied_switch(company)
	if not switch:
		return []
	srbnb = io.srbnb_account(company)
	return io.returns_apart(company, switch.name, switch.cutover_date, srbnb) if srbnb else []
