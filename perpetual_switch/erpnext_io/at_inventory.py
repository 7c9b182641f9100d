"""Reads for the AT's annual inventory file: each item's stock at the end of a tax year, summed over the
company's warehouses (those of subcontracting suppliers are the company's own warehouses in ERPNext,
so they count), with what the file says of the item (description, barcode, stock unit, category).

Items are read a chunk at a time, in the order of their codes: each chunk's ledger is one aggregate
over those items' rows (ERPNext's item/warehouse index), so the work is one pass over the ledger up to
the date and memory is bounded by the chunk, not by the number of items."""

from __future__ import annotations

from datetime import date

import frappe

from perpetual_switch.engine.accounts import resolve_all
from perpetual_switch.engine.at_inventory import category_from_account
from perpetual_switch.engine.models import Warehouse
from perpetual_switch.engine.money import ZERO, to_decimal

CATEGORY_FIELD = "at_product_category"
CHUNK = 5000


def company_facts(company: str):
	"""The company's tax ID, perpetual flag and currency."""
	return frappe.db.get_value(
		"Company", company, ["name", "tax_id", "enable_perpetual_inventory", "default_currency", "country"], as_dict=True
	)


def warehouse_accounts(company: str) -> dict[str, str | None]:
	"""Each warehouse's stock account as ERPNext resolves it (its own, a parent's, the company's default)."""
	rows = frappe.get_all(
		"Warehouse",
		filters={"company": company},
		fields=["name", "company", "parent_warehouse", "is_group", "account", "disabled"],
		order_by="lft",
	)
	warehouses = [
		Warehouse(w.name, w.company, w.parent_warehouse or None, bool(w.is_group), w.account or None, bool(w.disabled))
		for w in rows
	]
	default = frappe.db.get_value("Company", company, "default_inventory_account")
	return {name: account for name, (account, _source, _from) in resolve_all(warehouses, default).items()}


def group_categories() -> dict[str, str | None]:
	"""Each item group's category: its own, else the nearest ancestor's (the tree's nested sets)."""
	has_field = frappe.get_meta("Item Group").has_field(CATEGORY_FIELD)
	fields = ["name", "lft", "rgt"] + ([CATEGORY_FIELD] if has_field else [])
	groups = frappe.get_all("Item Group", fields=fields, order_by="lft")
	found: dict[str, str | None] = {}
	open_groups: list = []  # the ancestors of the current group, outermost first
	for group in groups:
		while open_groups and open_groups[-1].rgt < group.lft:
			open_groups.pop()
		own = group.get(CATEGORY_FIELD) if has_field else None
		found[group.name] = own or (found[open_groups[-1].name] if open_groups else None)
		open_groups.append(group)
	return found


def stock_chunks(company: str, end_date: date, chunk: int = CHUNK):
	"""Lists of (item_code, description, barcode, stock_uom, category, proposed_category, qty, value) for
	the stock items of the company with a quantity or a value at `end_date`, a chunk of items at a
	time in the order of their codes; customer-provided items are left out (they are not the
	company's). `category` is the item's own or its group's; `proposed_category` comes from the SNC
	account of the warehouse holding most of the item's value."""
	accounts = warehouse_accounts(company)
	groups = group_categories()
	item_has_field = frappe.get_meta("Item").has_field(CATEGORY_FIELD)
	last = ""
	while True:
		items = frappe.db.sql(
			"""select name from `tabItem` where is_stock_item = 1 and name > %(last)s
			order by name limit %(chunk)s""",
			{"last": last, "chunk": chunk},
			pluck=True,
		)
		if not items:
			return
		last = items[-1]
		cells = frappe.db.sql(
			"""select item_code, warehouse, cast(sum(actual_qty) as char), cast(sum(stock_value_difference) as char)
			from `tabStock Ledger Entry`
			where item_code in %(items)s and company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			group by item_code, warehouse""",
			{"items": tuple(items), "company": company, "date": end_date},
		)
		stock: dict[str, list] = {}
		for item_code, warehouse, qty, value in cells:
			qty, value = to_decimal(qty), to_decimal(value)
			held = stock.setdefault(item_code, [ZERO, ZERO, None, ZERO])
			held[0] += qty
			held[1] += value
			if held[2] is None or abs(value) > held[3]:
				held[2], held[3] = warehouse, abs(value)
		stock = {code: held for code, held in stock.items() if held[0] or held[1]}
		if not stock:
			continue
		codes = tuple(sorted(stock))
		fields = ["name", "item_name", "description", "stock_uom", "item_group", "is_customer_provided_item"]
		facts = frappe.get_all(
			"Item", filters={"name": ("in", codes)}, fields=fields + ([CATEGORY_FIELD] if item_has_field else [])
		)
		barcodes: dict[str, str] = {}
		for parent, barcode in frappe.db.sql(
			"""select parent, barcode from `tabItem Barcode` where parenttype = 'Item' and parent in %(codes)s
			order by parent, idx""",
			{"codes": codes},
		):
			barcodes.setdefault(parent, barcode)
		rows = []
		for item in sorted(facts, key=lambda i: i.name):
			if item.is_customer_provided_item:
				continue
			qty, value, warehouse, _largest = stock[item.name]
			category = (item.get(CATEGORY_FIELD) if item_has_field else None) or groups.get(item.item_group)
			proposed = category_from_account(accounts.get(warehouse))
			description = item.item_name or item.description or item.name
			rows.append((item.name, description, barcodes.get(item.name), item.stock_uom, category, proposed, qty, value))
		if rows:
			yield rows


def stock_account_balance(company: str, end_date: date) -> object:
	"""The GL balance of the company's stock accounts (typed Stock, or a warehouse's) at `end_date`."""
	accounts = set(
		frappe.get_all("Account", filters={"company": company, "account_type": "Stock", "is_group": 0}, pluck="name")
	)
	accounts |= {a for a in warehouse_accounts(company).values() if a}
	if not accounts:
		return ZERO
	value = frappe.db.sql(
		"""select cast(sum(debit) - sum(credit) as char) from `tabGL Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s and account in %(accounts)s""",
		{"company": company, "date": end_date, "accounts": tuple(sorted(accounts))},
	)[0][0]
	return to_decimal(value)


def fiscal_year_end(company: str, year: int) -> date | None:
	"""The last day of the company's fiscal year named `year` (or starting in that calendar year)."""
	from erpnext.accounts.utils import FiscalYearError, get_fiscal_year

	try:
		return get_fiscal_year(date(year, 12, 31), company=company)[2]
	except FiscalYearError:
		return None
