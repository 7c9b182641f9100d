"""ERPNext's side of late costs on goods received on or before a switch's cutover.

A Landed Cost Voucher, and a purchase invoice that re-values its receipt (Buying Settings' "Set
Landed Cost Based on Purchase Invoice Rate"), make ERPNext re-post the receipt: its stock ledger
rows, then its GL at the receipt's date, then a Repost Item Valuation from that date that re-posts
every later document's GL. On or before the cutover the switch's journal carries the stock value
(and its freeze closes those dates), so for a receipt marked here, and only while it is marked:
  - its own GL is left as it is (make_gl_entries, make_gl_entries_on_cancel do nothing);
  - its later stock ledger rows are re-valued at once, without GL (ERPNext's own repost_future_sle);
the service then posts the change on or before the cutover as one journal, and queues ERPNext's
own Repost Item Valuation from the day after the cutover, which re-posts the later documents' GL.

The marks live in `frappe.flags` (one request or job) and the methods are wrapped on the receipt's
controller class the first time a mark is made; an unmarked document goes straight to ERPNext.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import frappe
from frappe.utils import getdate

from perpetual_switch.engine.money import ZERO, to_decimal

SWITCH = "Switch to Perpetual Inventory"
LOG = "Perpetual Switch Late Cost"
FLAG = "perpetual_switch_late_receipts"
WRAPPED = ("make_gl_entries", "make_gl_entries_on_cancel", "repost_future_sle_and_gle")


# --- Which switch covers a date -----------------------------------------------------------------


def covering_switch(company: str, on_date) -> frappe._dict | None:
	"""The applied switch whose cutover is on or after `on_date` (the latest such), if any; a
	backdated switch still reposting counts (it reposts the documents after its cutover as such)."""
	rows = frappe.get_all(
		SWITCH,
		filters={
			"company": company,
			"docstatus": 1,
			"status": ("in", ["Applied", "Reposting"]),
			"cutover_date": (">=", getdate(on_date)),
		},
		fields=["name", "cutover_date", "expense_account", "cost_center"],
		order_by="cutover_date desc, creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def latest_applied_switch(company: str) -> frappe._dict | None:
	"""The company's applied switch with the latest cutover (one still reposting counts)."""
	return covering_switch(company, date(1900, 1, 1))


def posting_dates(doctype: str, names) -> dict[str, date]:
	names = sorted(set(n for n in names if n))
	if not names:
		return {}
	rows = frappe.get_all(doctype, filters={"name": ("in", names)}, fields=["name", "posting_date"])
	return {r.name: getdate(r.posting_date) for r in rows}


def receipt_items(doctype: str, names) -> list[str]:
	names = sorted(set(names))
	if not names:
		return []
	return frappe.get_all(
		f"{doctype} Item", filters={"parent": ("in", names), "parenttype": doctype}, pluck="item_code", distinct=True
	)


def amount_differences(receipts) -> Decimal:
	"""What ERPNext's buying setting re-valued these receipts' rows by at the invoice rate (their
	difference with the purchase invoice, in the company's currency), all rows together."""
	receipts = tuple(sorted(set(r for r in receipts if r)))
	if not receipts:
		return Decimal(0)
	value = frappe.db.sql(
		"""select cast(coalesce(sum(amount_difference_with_purchase_invoice), 0) as char)
		from `tabPurchase Receipt Item` where parenttype = 'Purchase Receipt' and parent in %(receipts)s""",
		{"receipts": receipts},
	)[0][0]
	return Decimal(value)


# --- The stock ledger on the cutover ------------------------------------------------------------


def books_per_item(company: str) -> bool:
	"""Whether the company books stock to each item's own inventory account (a newer ERPNext's
	Company setting, read from the site's meta), rather than to each warehouse's."""
	from perpetual_switch.erpnext_io.reader import ITEM_WISE_FIELD, item_wise_available

	return item_wise_available() and bool(frappe.get_cached_value("Company", company, ITEM_WISE_FIELD))


VALUES_BY_WAREHOUSE = """select warehouse, sum(stock_value_difference)
	from `tabStock Ledger Entry`
	where company = %(company)s and is_cancelled = 0 and posting_date <= %(cutover)s and item_code in %(items)s
	group by warehouse"""
VALUES_BY_ITEM = """select item_code, sum(stock_value_difference)
	from `tabStock Ledger Entry`
	where company = %(company)s and is_cancelled = 0 and posting_date <= %(cutover)s and item_code in %(items)s
	group by item_code"""


def values_on(company: str, cutover, items, per_item: bool = False) -> dict[str, Decimal]:
	"""Stock value of these items on the cutover, from the ledger (one aggregate): per warehouse, or
	per item when the company books stock per item."""
	items = sorted(set(items))
	if not items:
		return {}
	rows = frappe.db.sql(
		VALUES_BY_ITEM if per_item else VALUES_BY_WAREHOUSE,
		{"company": company, "cutover": getdate(cutover), "items": items},
	)
	return {key: to_decimal(value) for key, value in rows}


def stock_accounts(company: str, keys, per_item: bool = False) -> dict[str, str]:
	"""The stock account ERPNext posts each warehouse (or, per item, each item) to: its own maps."""
	if per_item:
		from erpnext.controllers.stock_controller import get_item_wise_inventory_account_map

		found = get_item_wise_inventory_account_map([frappe._dict(item_code=k) for k in sorted(keys)], company)
		return {item: row.account for item, row in found.items() if row.get("account")}
	from erpnext.stock import get_warehouse_account_map

	return {warehouse: row.account for warehouse, row in get_warehouse_account_map(company).items() if row.get("account")}


def pairs_after(company: str, cutover, items) -> list[tuple[str, str]]:
	"""(item, warehouse) pairs of these items with stock ledger rows after the cutover."""
	items = sorted(set(items))
	if not items:
		return []
	return [
		(item, warehouse)
		for item, warehouse in frappe.db.sql(
			"""select distinct item_code, warehouse from `tabStock Ledger Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date > %(cutover)s
				and item_code in %(items)s
			order by item_code, warehouse""",
			{"company": company, "cutover": getdate(cutover), "items": items},
		)
	]


def queue_reposts_after(company: str, cutover, pairs) -> list[str]:
	"""ERPNext's own Repost Item Valuation per (item, warehouse), from the day after the cutover:
	it re-posts the GL of the later documents whose values changed."""
	start = getdate(cutover) + timedelta(days=1)
	names = []
	for item, warehouse in pairs:
		doc = frappe.new_doc("Repost Item Valuation")
		doc.update(
			{
				"based_on": "Item and Warehouse",
				"item_code": item,
				"warehouse": warehouse,
				"posting_date": start,
				"posting_time": "00:00:00",
				"company": company,
			}
		)
		doc.flags.ignore_links = True
		doc.flags.ignore_permissions = True
		doc.insert()
		doc.submit()
		names.append(doc.name)
	return names


# --- Marking receipts ---------------------------------------------------------------------------


def mark(doctype: str, names) -> None:
	_install(doctype)
	marks = frappe.flags.get(FLAG) or set()
	marks.update((doctype, name) for name in names)
	frappe.flags[FLAG] = marks
	# A failure between marking and unmarking rolls the transaction back: forget the marks with it,
	# so that nothing else this process does to those receipts is taken for a late cost.
	frappe.db.after_rollback.add(_forget_marks)


def _forget_marks() -> None:
	frappe.flags.pop(FLAG, None)


def unmark(doctype: str, names) -> None:
	marks = frappe.flags.get(FLAG) or set()
	marks.difference_update((doctype, name) for name in names)


def _marked(doc) -> bool:
	marks = frappe.flags.get(FLAG)
	return bool(marks) and (doc.doctype, doc.name) in marks


def _install(doctype: str) -> None:
	from frappe.model.base_document import get_controller

	cls = get_controller(doctype)
	for name in WRAPPED:
		current = getattr(cls, name, None)
		if current is None or getattr(current, "_perpetual_switch", False):
			continue
		setattr(cls, name, _wrapper(name, current))


def _wrapper(name: str, original):
	if name == "repost_future_sle_and_gle":

		def method(self, *args, **kwargs):
			if not _marked(self):
				return original(self, *args, **kwargs)
			return _repost_stock_only(self, kwargs.get("via_landed_cost_voucher", False))

	else:

		def method(self, *args, **kwargs):
			if not _marked(self):
				return original(self, *args, **kwargs)
			return None

	method._perpetual_switch = True
	method.__name__ = name
	method.__wrapped__ = original
	return method


def _repost_stock_only(doc, via_landed_cost_voucher: bool) -> None:
	"""What ERPNext's Repost Item Valuation does to the stock ledger for this voucher, now."""
	from erpnext.stock.stock_ledger import repost_future_sle

	# ERPNext's repost keeps its progress on the Repost Item Valuation it is given (and commits it);
	# an empty _dict reads as "no document" there, so nothing is recorded or committed half-way.
	repost_future_sle(
		voucher_type=doc.doctype, voucher_no=doc.name, via_landed_cost_voucher=via_landed_cost_voucher, doc=frappe._dict()
	)


# --- Records ------------------------------------------------------------------------------------


def record(switch: str, company: str, voucher_type: str, voucher_no: str, posting_date, receipts, result, journal_entry) -> None:
	frappe.get_doc(
		{
			"doctype": LOG,
			"switch": switch,
			"company": company,
			"status": "Active",
			"voucher_type": voucher_type,
			"voucher_no": voucher_no,
			"posting_date": posting_date,
			"receipts": ", ".join(sorted(receipts)),
			"to_stock": result.to_stock,
			"to_expense": result.to_expense,
			"charges": result.charges,
			"journal_entry": journal_entry,
		}
	).insert(ignore_permissions=True, ignore_links=True)


def release(voucher_type: str, voucher_no: str) -> list[str]:
	"""Mark the voucher's records cancelled; return their journal entries."""
	rows = frappe.get_all(
		LOG,
		filters={"voucher_type": voucher_type, "voucher_no": voucher_no, "status": "Active"},
		fields=["name", "journal_entry"],
	)
	for row in rows:
		frappe.db.set_value(LOG, row.name, "status", "Cancelled", update_modified=False)
	return [row.journal_entry for row in rows if row.journal_entry]


def landed_cost_rows(doc, receipts) -> tuple[Decimal, list[tuple[str, Decimal]]]:
	"""A Landed Cost Voucher's charges on these receipts (company currency), and its charge rows."""
	total = sum(
		(to_decimal(row.applicable_charges) for row in doc.get("items") if row.receipt_document in receipts), ZERO
	)
	rows = [
		(row.expense_account, to_decimal(row.get("base_amount") or row.amount))
		for row in doc.get("taxes")
		if row.expense_account
	]
	return total, rows


def buying_revalues_on_invoice_rate() -> bool:
	return bool(frappe.db.get_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate"))


def returned_on_or_before(receipt_rows, cutover) -> set[str]:
	"""Receipt rows with a purchase return of their own dated on or before the cutover."""
	receipt_rows = sorted(set(r for r in receipt_rows if r))
	if not receipt_rows:
		return set()
	rows = frappe.db.sql(
		"""select distinct item.purchase_receipt_item
		from `tabPurchase Receipt Item` item
		join `tabPurchase Receipt` receipt on receipt.name = item.parent
		where receipt.is_return = 1 and receipt.docstatus = 1 and receipt.posting_date <= %(cutover)s
			and item.purchase_receipt_item in %(rows)s""",
		{"cutover": getdate(cutover), "rows": receipt_rows},
	)
	return {r[0] for r in rows}


def returns_apart(company: str, switch: str, cutover, srbnb: str) -> list[dict]:
	"""Receipt rows from on or before the cutover, not accrued by the switch, whose returns after it
	and the debit notes crediting SRBNB for them do not add up to the same value."""
	params = {"company": company, "switch": switch, "cutover": getdate(cutover), "srbnb": srbnb}
	rows = frappe.db.sql(
		"""select row.name as receipt_row, row.parent as purchase_receipt, row.item_code,
			(select coalesce(sum(-ret.base_net_amount), 0)
				from `tabPurchase Receipt Item` ret join `tabPurchase Receipt` rh on rh.name = ret.parent
				where ret.purchase_receipt_item = row.name and rh.is_return = 1 and rh.docstatus = 1
					and rh.posting_date > %(cutover)s) as returned,
			(select coalesce(sum(-note.base_net_amount), 0)
				from `tabPurchase Invoice Item` note join `tabPurchase Invoice` nh on nh.name = note.parent
				where note.pr_detail = row.name and nh.is_return = 1 and nh.docstatus = 1
					and note.expense_account = %(srbnb)s and nh.posting_date > %(cutover)s) as credited
		from `tabPurchase Receipt Item` row
		join `tabPurchase Receipt` receipt on receipt.name = row.parent
		where receipt.company = %(company)s and receipt.docstatus = 1 and receipt.is_return = 0
			and receipt.posting_date <= %(cutover)s
			and row.name in (
				select ret.purchase_receipt_item from `tabPurchase Receipt Item` ret
				join `tabPurchase Receipt` rh on rh.name = ret.parent
				where rh.company = %(company)s and rh.is_return = 1 and rh.docstatus = 1 and rh.posting_date > %(cutover)s
				union
				select note.pr_detail from `tabPurchase Invoice Item` note
				join `tabPurchase Invoice` nh on nh.name = note.parent
				where nh.company = %(company)s and nh.is_return = 1 and nh.docstatus = 1
					and note.expense_account = %(srbnb)s and nh.posting_date > %(cutover)s
			)
			and row.name not in (select item_row from `tabPerpetual Switch Receipt` where parent = %(switch)s)
		having returned != credited
		order by receipt.posting_date, row.parent, row.idx""",
		params,
		as_dict=True,
	)
	for row in rows:
		row.returned, row.credited = to_decimal(row.returned), to_decimal(row.credited)
		row.difference = row.returned - row.credited
	return rows


def srbnb_account(company: str) -> str | None:
	return frappe.get_cached_value("Company", company, "stock_received_but_not_billed")


def company_precision(company: str) -> int:
	from perpetual_switch.erpnext_io.reader import currency_precision

	return currency_precision(frappe.get_cached_value("Company", company, "default_currency"))


def repost_company(doc) -> str | None:
	"""The company of a Repost Item Valuation being made: its voucher's, its warehouse's or its own
	(ERPNext makes its own reposts without a company, which then defaults to the user's)."""
	if doc.get("voucher_type") and doc.get("voucher_no"):
		company = frappe.db.get_value(doc.voucher_type, doc.voucher_no, "company")
		if company:
			return company
	if doc.get("warehouse"):
		return frappe.get_cached_value("Warehouse", doc.warehouse, "company")
	return doc.get("company") or None


def invoice_date(name: str):
	return frappe.db.get_value("Purchase Invoice", name, "posting_date")
