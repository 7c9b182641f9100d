"""The accruals applied switches made, and what later invoices cleared of them."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

import frappe

from perpetual_switch.engine.money import to_decimal

CLEARING = "Perpetual Switch Clearing"
CHUNK = 500  # receipt rows a query


@dataclass(frozen=True)
class Accrual:
	switch: str
	receipt_row: str
	purchase_receipt: str
	unbilled_qty: Decimal
	unbilled_value: Decimal
	expense_account: str
	cost_center: str | None


_accrued = threading.local()


@contextmanager
def accrued_known(company: str, receipt_rows):
	"""Within the block, in this thread, `accruals_for` knows the accruals among `receipt_rows` (read
	here, CHUNK rows a query) of switches applied to `company`: asked of those rows, it answers a
	plain read from what it knows, and a locking read of rows none of which is accrued with nothing,
	without a query (there is nothing to lock). A locking read of accrued rows still reads and locks
	them. (Accruals are made when a switch is applied, not while its documents are reposted, which is
	where this serves.)"""
	rows = tuple(sorted({row for row in receipt_rows if row}))
	accruals: dict[str, Accrual] = {}
	for start in range(0, len(rows), CHUNK):
		accruals.update(_read_accruals(company, rows[start : start + CHUNK], False))
	previous = getattr(_accrued, "known", None)
	_accrued.known = (company, set(rows), accruals)
	try:
		yield
	finally:
		_accrued.known = previous


def accruals_for(company: str, receipt_rows: list[str], for_update: bool = False) -> dict[str, Accrual]:
	"""Accrued receipt rows among `receipt_rows`, from switches applied to `company`; with
	`for_update`, locked until the transaction ends."""
	receipt_rows = tuple(sorted({r for r in receipt_rows if r}))
	if not receipt_rows:
		return {}
	known = getattr(_accrued, "known", None)
	if known and known[0] == company and known[1].issuperset(receipt_rows):
		found = {row: known[2][row] for row in receipt_rows if row in known[2]}
		if not for_update or not found:
			return found  # (`accrued_known`)
	return _read_accruals(company, receipt_rows, for_update)


def _read_accruals(company: str, receipt_rows: tuple, for_update: bool) -> dict[str, Accrual]:
	# The switches are held shared (a rollback, which holds its switch alone, waits for the invoice
	# and the invoice for it), the receipt rows alone: two invoices of one row clear it in turn.
	# Runners reposting a switch hold its row shared too; locking it alone here would deadlock
	# with a runner waiting to close it.
	switches = frappe.db.sql_list(
		"""select name from `tabSwitch to Perpetual Inventory`
		where docstatus = 1 and status in ('Applied', 'Reposting') and company = %(company)s"""
		+ (" lock in share mode" if for_update else ""),
		{"company": company},
	)
	if not switches:
		return {}
	rows = frappe.db.sql(
		"""
		select r.parent, r.item_row, r.purchase_receipt, cast(r.unbilled_qty as char), cast(r.unbilled_value as char)
		from `tabPerpetual Switch Receipt` r
		where r.parenttype = 'Switch to Perpetual Inventory' and r.parent in %(switches)s and r.item_row in %(rows)s
		""" + (" for update" if for_update else ""),
		{"switches": tuple(switches), "rows": receipt_rows},
	)
	accounts = {
		name: (expense, cost_center)
		for name, expense, cost_center in frappe.db.sql(
			"""select name, expense_account, cost_center from `tabSwitch to Perpetual Inventory`
			where name in %(switches)s""",
			{"switches": tuple(switches)},
		)
	}
	rows = [(switch, row, receipt, qty, value, *accounts[switch]) for switch, row, receipt, qty, value in rows]
	return {
		row: Accrual(switch, row, receipt, to_decimal(qty), to_decimal(value), expense, cost_center)
		for switch, row, receipt, qty, value, expense, cost_center in rows
	}


def cleared_so_far(receipt_rows: list[str]) -> dict[str, tuple[Decimal, Decimal]]:
	"""What invoices cleared of these accrued rows, read as committed now (a locking read): the
	caller holds the rows' lock, and a plain read would see the transaction's older snapshot,
	missing what an invoice committed while this one waited."""
	if not receipt_rows:
		return {}
	rows = frappe.db.sql(
		"""
		select receipt_row, cast(sum(qty) as char), cast(sum(cleared_value) as char)
		from `tabPerpetual Switch Clearing`
		where status = 'Active' and receipt_row in %(rows)s
		group by receipt_row
		lock in share mode
		""",
		{"rows": tuple(receipt_rows)},
	)
	return {row: (to_decimal(qty), to_decimal(value)) for row, qty, value in rows}


def record(invoice, invoice_row, accrual: Accrual, result, journal_entry: str | None) -> None:
	doc = frappe.new_doc(CLEARING)
	doc.update(
		{
			"switch": accrual.switch,
			"company": invoice.company,
			"status": "Active",
			"purchase_invoice": invoice.name,
			"invoice_row": invoice_row.name,
			"purchase_receipt": accrual.purchase_receipt,
			"receipt_row": accrual.receipt_row,
			"qty": result.qty,
			"cleared_value": result.value,
			"rate_difference": result.rate_difference,
			"journal_entry": journal_entry,
		}
	)
	# The app's own row, of values read from the accrual and the invoice being posted: written as is
	# (a backdated repost records one an invoice row, and a document's whole save would cost more than
	# the invoice's own GL).
	doc.set_new_name()
	doc.set_user_and_timestamp()
	doc.db_insert()


def release(purchase_invoice: str) -> list[str]:
	"""Mark an invoice's clearings cancelled; return the rate-difference journals to cancel."""
	rows = frappe.get_all(
		CLEARING,
		filters={"purchase_invoice": purchase_invoice, "status": "Active"},
		fields=["name", "journal_entry"],
	)
	for row in rows:
		frappe.db.set_value(CLEARING, row.name, "status", "Cancelled")
	return sorted({row.journal_entry for row in rows if row.journal_entry})


def twin_receipt_accounts(receipts) -> dict[str, set[str]]:
	"""Per receipt: the valuation accounts its GL would hold had it been posted under perpetual
	inventory (its own valuation taxes, when its rows carry any, and the expense accounts of the
	landed costs booked on it). ERPNext looks for GL on these when it bills the receipt."""
	receipts = tuple(sorted({r for r in receipts if r}))
	if not receipts:
		return {}
	found: dict[str, set[str]] = {}
	for receipt, account in frappe.db.sql(
		"""
		select t.parent, t.account_head
		from `tabPurchase Taxes and Charges` t
		where t.parenttype = 'Purchase Receipt' and t.parent in %(receipts)s
			and t.category in ('Valuation', 'Valuation and Total') and t.base_tax_amount_after_discount_amount != 0
			and exists (
				select 1 from `tabPurchase Receipt Item` i where i.parent = t.parent and i.item_tax_amount != 0
			)
		union
		select lr.receipt_document, lt.expense_account
		from `tabLanded Cost Purchase Receipt` lr
		join `tabLanded Cost Voucher` l on l.name = lr.parent and l.docstatus = 1
		join `tabLanded Cost Taxes and Charges` lt on lt.parent = l.name and lt.parenttype = 'Landed Cost Voucher'
		where lr.receipt_document_type = 'Purchase Receipt' and lr.receipt_document in %(receipts)s and lt.amount != 0
		""",
		{"receipts": receipts},
	):
		found.setdefault(receipt, set()).add(account)
	return found
