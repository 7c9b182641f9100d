"""Reads for the AT's annual inventory file: each item's stock at the end of a tax year, summed over the
company's warehouses (those of subcontracting suppliers are the company's own warehouses in ERPNext,
so they count), with what the file says of the item (description, barcode, stock unit, category).

The ledger is one aggregate over the company's rows up to the date (one pass); the items' facts are read
a chunk at a time. What stays in memory is one small entry per item with stock."""

from __future__ import annotations

from datetime import date

import frappe

from perpetual_switch.engine.accounts import resolve_all
from perpetual_switch.engine.at_inventory import category_from_account
from perpetual_switch.engine.money import ZERO, to_decimal
from perpetual_switch.erpnext_io.ledger_pass import cells_at
from perpetual_switch.erpnext_io.reader import read_warehouses

CATEGORY_FIELD = "at_product_category"
CHUNK = 900


def company_facts(company: str):
	"""The company's tax ID, perpetual flag and currency."""
	return frappe.db.get_value(
		"Company", company, ["name", "tax_id", "enable_perpetual_inventory", "default_currency", "country"], as_dict=True
	)


def warehouse_accounts(company: str) -> dict[str, str | None]:
	"""Each warehouse's stock account as ERPNext resolves it (its own, a parent's, the company's default)."""
	default = frappe.db.get_value("Company", company, "default_inventory_account")
	return {name: account for name, (account, _source, _from) in resolve_all(read_warehouses(company), default).items()}


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
	the stock items of the company with a quantity or a value at `end_date`, in the order of their
	codes, `chunk` items at a time; customer-provided items are left out (they are not the company's).
	`category` is the item's own or its group's; `proposed_category` comes from the SNC account of the
	warehouse holding most of the item's value.

	The ledger is read in one aggregate over the company's rows up to the date, per item and warehouse;
	the items' own facts are then read a chunk at a time (lists under MariaDB's threshold for turning
	an IN list into a subquery)."""
	accounts = warehouse_accounts(company)
	groups = group_categories()
	item_has_field = frappe.get_meta("Item").has_field(CATEGORY_FIELD)
	stock: dict[str, list] = {}
	for item_code, warehouse, qty, value in stock_cells(company, end_date):
		qty, value = to_decimal(qty), to_decimal(value)
		held = stock.get(item_code)
		if held is None:
			held = stock[item_code] = [ZERO, ZERO, None, ZERO]
		held[0] += qty
		held[1] += value
		if held[2] is None or abs(value) > held[3]:
			held[2], held[3] = warehouse, abs(value)
	codes = sorted(code for code, held in stock.items() if held[0] or held[1])
	facts_sql = ITEM_FACTS_WITH_CATEGORY if item_has_field else ITEM_FACTS
	for start in range(0, len(codes), chunk):
		part = tuple(codes[start : start + chunk])
		facts = frappe.db.sql(facts_sql, {"codes": part}, as_dict=True)
		barcodes: dict[str, str] = {}
		for parent, barcode in frappe.db.sql(
			"""select parent, barcode from `tabItem Barcode` where parenttype = 'Item' and parent in %(codes)s
			order by parent, idx""",
			{"codes": part},
		):
			barcodes.setdefault(parent, barcode)
		rows = []
		for item in sorted(facts, key=lambda i: i.name):
			if item.is_customer_provided_item or not item.is_stock_item:
				continue
			qty, value, warehouse, _largest = stock.pop(item.name)
			category = item.category or groups.get(item.item_group)
			proposed = category_from_account(accounts.get(warehouse))
			description = item.item_name or item.name
			rows.append((item.name, description, barcodes.get(item.name), item.stock_uom, category, proposed, qty, value))
		if rows:
			yield rows


ITEM_FACTS = """select name, item_name, stock_uom, item_group, is_customer_provided_item, is_stock_item,
	null as category from `tabItem` where name in %(codes)s"""
ITEM_FACTS_WITH_CATEGORY = """select name, item_name, stock_uom, item_group, is_customer_provided_item, is_stock_item,
	at_product_category as category from `tabItem` where name in %(codes)s"""


def stock_cells(company: str, end_date: date):
	"""(item_code, warehouse, qty, value) of the company's stock at `end_date`, per item and warehouse:
	ERPNext's bins when they agree with one pass over the ledger up to the date, warehouse by warehouse
	(nothing moved after it), else one pass over the ledger per item and warehouse."""
	warehouses = [w.name for w in read_warehouses(company) if not w.is_group]
	return [(c.item_code, c.warehouse, c.stock_qty, c.stock_value) for c in cells_at(company, end_date, warehouses)]


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
