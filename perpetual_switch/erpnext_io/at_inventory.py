"""Reads for the AT's annual inventory file: each item's stock at the end of a tax year, summed over the
company's warehouses (those of subcontracting suppliers are the company's own warehouses in ERPNext,
so they count), with what the file says of the item (description, barcode, stock unit, category).

The stock is read a chunk of items at a time, with the items' facts, from ERPNext's bins checked against
one pass over the ledger; what stays in memory is a couple of chunks, and what moved after the date."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import frappe

from perpetual_switch.engine.accounts import resolve_all
from perpetual_switch.engine.at_inventory import category_from_account
from perpetual_switch.engine.money import ZERO, to_decimal
from perpetual_switch.erpnext_io.ledger_pass import bin_totals, in_step, movements_after, stock_ledger_pass_alongside
from perpetual_switch.erpnext_io.reader import read_warehouses
from perpetual_switch.erpnext_io.side_connection import read_ahead

CATEGORY_FIELD = "at_product_category"
# Items a chunk read from the ledger: one query each, whose IN list of codes stays under MariaDB's
# threshold for turning one into a subquery.
CHUNK = 900
# Items a chunk read from the bins: one query each, no IN list of codes; fewer, longer queries cost
# less (a few hundred KB a chunk).
BIN_CHUNK = 5000


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


# An item code of letters, digits and common punctuation, with single spaces between words: text the
# file writes as it is (it holds no control character and no other space).
_PLAIN_CODE = r"^[0-9A-Za-z._/#()+:,-]+( [0-9A-Za-z._/#()+:,-]+)*$"


def codes_at_risk() -> list[str]:
	"""Every item code that is not plain text (`_PLAIN_CODE`): among them, every code the file's
	cleaning of texts would change (`engine.at_inventory.Scan`'s `codes_at_risk`). One pass over the
	item names; on most sites the list is short."""
	return frappe.db.sql_list(
		"select name from `tabItem` where name not regexp %(plain)s", {"plain": _PLAIN_CODE}
	)


class BinsOutOfStep(Exception):
	"""Raised by `stock_chunks` read from the bins when, at the end, the ledger pass says a warehouse's
	bins do not add up to its ledger: read it again with `from_bins=False`."""


def stock_chunks(company: str, end_date: date, chunk: int | None = None, from_bins: bool = True):
	"""Lists of (item_code, description, barcode, stock_uom, category, proposed_category, qty, value) for
	the stock items of the company with a quantity or a value at `end_date`, in the order of their
	codes, `chunk` items at a time; customer-provided items are left out (they are not the company's).
	`category` is the item's own or its group's; `proposed_category` (read only for items without one)
	comes from the SNC account of the warehouse holding most of the item's value.

	Each chunk is one query: the bins of the company's warehouses after the previous chunk's last
	code, summed per item, with the items' facts, packed into one text (so the driver decodes one
	value a chunk) and read ahead on a second connection while the caller checks and writes the
	lines (`side_connection.read_ahead`); nothing but a couple of chunks is held, whatever the
	number of items. The bins hold the stock now; what moved after `end_date` is taken off. That
	holds when every warehouse's bins add up to its ledger (one pass up to the date, plus the rows
	after it). The pass, and then the bins' totals per warehouse, are read on a third connection
	while the chunks are read, and checked after the last one: when a warehouse's bins are out of
	step, BinsOutOfStep is raised, and the caller asks again with `from_bins=False`, where each
	chunk's stock is read from the ledger itself, per item."""
	if not from_bins:
		yield from _chunks(company, end_date, chunk or CHUNK, None)
		return
	warehouses = [w.name for w in read_warehouses(company) if not w.is_group]
	after = movements_after(company, end_date)
	with stock_ledger_pass_alongside(company, end_date, warehouses, lambda sql: bin_totals(company, sql)) as checked:
		yield from _chunks(company, end_date, chunk or BIN_CHUNK, after, tuple(warehouses))
		(ledger, *_counts), bins = checked()
	ledger = dict(ledger)
	for (_item, warehouse), (_qty, value) in after.items():
		ledger[warehouse] = ledger.get(warehouse, ZERO) + value
	if not in_step(bins, ledger):
		raise BinsOutOfStep(company)


def _chunks(company: str, end_date: date, chunk: int, after, warehouses: tuple = ()):
	"""The chunks of `stock_chunks`: from the bins of `warehouses` (the company's) less `after` (the
	moves after the date), or, when `after` is None, from the ledger."""
	accounts = warehouse_accounts(company)
	groups = group_categories()
	item_has_field = frappe.get_meta("Item").has_field(CATEGORY_FIELD)
	moved: dict[str, tuple] = {}
	for (item_code, _warehouse), (qty, value) in (after or {}).items():
		old_qty, old_value = moved.get(item_code, (ZERO, ZERO))
		moved[item_code] = (old_qty + qty, old_value + value)
	if after is None:
		pages = _ledger_pages(company, end_date, chunk, item_has_field)
	elif warehouses:
		category = "i.at_product_category" if item_has_field else "null"
		pages = read_ahead(lambda sql: _bin_pages(sql, warehouses, chunk, category), name="perpetual-switch-at")
	else:
		pages = ()
	for page in pages:
		rows, needs = [], []
		for record in page.split(_ITEM) if type(page) is str else page:
			code, name, uom, group, barcode, own, qty, value = record.split(_FIELD) if type(record) is str else record
			qty, value = Decimal(qty), Decimal(value)
			if code in moved:
				moved_qty, moved_value = moved[code]
				qty, value = qty - moved_qty, value - moved_value
			if not (qty or value):
				continue
			category = own or groups.get(group)
			if not category:
				needs.append(code)
			rows.append([code, name or code, barcode or None, uom, category, None, qty, value])
		if needs:
			largest = _largest_warehouses(company, end_date, needs, after)
			for row in rows:
				if not row[4]:
					row[5] = category_from_account(accounts.get(largest.get(row[0])))
		if rows:
			yield [tuple(row) for row in rows]


# A chunk's items packed into one text, fields and items between two control characters, so that the
# driver decodes one value a chunk rather than eight an item. A chunk whose text does not hold exactly
# as many separators as its count of items asks (a separator inside a field, or the text cut at
# group_concat_max_len) is read again as rows.
_FIELD, _ITEM = "\x1f", "\x1e"
_FIELDS = 8
PACKED_BYTES = 16 * 2**20


def _bin_pages(sql, warehouses: tuple, chunk: int, category: str):
	"""The chunks of items read from the bins of `warehouses` with `sql`, `chunk` items a query in the
	order of their codes: each a packed text, or a list of rows (code, name, uom, group, barcode,
	category, qty, value) when it could not be packed, or an empty list."""
	packed = BIN_ITEMS_PACKED.replace("{category}", category)
	plain = BIN_ITEMS.replace("{category}", category)
	params = {"warehouses": warehouses, "after": "", "limit": chunk}
	with _group_concat_max_len(sql, PACKED_BYTES):
		while True:
			text, count, last = sql(packed, params)[0]
			if last is None:
				return
			count = int(count or 0)
			if not count:
				yield []
			elif text.count(_ITEM) == count - 1 and text.count(_FIELD) == (_FIELDS - 1) * count:
				yield text
			else:
				yield list(sql(plain, params))
			params["after"] = last


@contextmanager
def _group_concat_max_len(sql, size: int):
	"""The connection's group_concat_max_len at least `size` for the block, as it was after."""
	was = int(sql("select @@session.group_concat_max_len")[0][0])
	if was >= size:
		yield
		return
	sql("set session group_concat_max_len = %(size)s", {"size": size})
	try:
		yield
	finally:
		sql("set session group_concat_max_len = %(size)s", {"size": was})


def _ledger_pages(company: str, end_date: date, chunk: int, item_has_field: bool):
	"""As `_bin_pages`, with each item's stock read from the ledger up to `end_date`."""
	last = ""
	while True:
		items = frappe.db.sql(
			ITEMS_WITH_CATEGORY if item_has_field else ITEMS, {"company": company, "after": last, "limit": chunk}
		)
		if not items:
			return
		last = items[-1][0]
		codes = tuple(item[0] for item in items)
		stock = {
			code: (to_decimal(qty), to_decimal(value))
			for code, qty, value in frappe.db.sql(LEDGER_OF_ITEMS, {"company": company, "date": end_date, "codes": codes})
		}
		yield [(code, name, uom, group, barcode, own, *stock.get(code, (ZERO, ZERO))) for code, name, uom, group, barcode, own in items]


def _largest_warehouses(company: str, end_date: date, codes, after) -> dict[str, str]:
	"""{item_code: the warehouse holding most of its value at `end_date`} for `codes`: from the bins less
	`after` (the moves after the date), or, when `after` is None, from the ledger."""
	if after is None:
		cells = frappe.db.sql(LEDGER_CELLS_OF_ITEMS, {"company": company, "date": end_date, "codes": tuple(codes)})
	else:
		cells = frappe.db.sql(BIN_CELLS_OF_ITEMS, {"company": company, "codes": tuple(codes)})
	largest: dict[str, tuple] = {}
	for code, warehouse, value in cells:
		value = to_decimal(value) - (after[(code, warehouse)][1] if after and (code, warehouse) in after else ZERO)
		if code not in largest or abs(value) > largest[code][1]:
			largest[code] = (warehouse, abs(value))
	return {code: warehouse for code, (warehouse, _value) in largest.items()}


# The company's stock items (those with a bin in its warehouses; customer-provided ones are not the
# company's), a chunk after the last code read, in the order of the primary key, with the first barcode
# of each: for the ledger's reading.
_ITEMS = """select i.name, i.item_name, i.stock_uom, i.item_group,
	(select ib.barcode from `tabItem Barcode` ib where ib.parent = i.name and ib.parenttype = 'Item'
		order by ib.idx limit 1),
	{category}
	from `tabItem` i
	where i.name > %(after)s and i.is_stock_item = 1 and i.is_customer_provided_item = 0
		and exists (select 1 from `tabBin` held join `tabWarehouse` wh on wh.name = held.warehouse
			where held.item_code = i.name and wh.company = %(company)s)
	order by i.name limit %(limit)s"""
ITEMS = _ITEMS.replace("{category}", "null")
ITEMS_WITH_CATEGORY = _ITEMS.replace("{category}", "i.at_product_category")
# The same items read from their bins: the bins of the company's warehouses summed per item, a chunk of
# items after the last code read (in the order of the bins' item-and-warehouse key, so no sort), with
# each item's facts; customer-provided and non-stock items dropped after the chunk is cut.
_BINS_OF_CHUNK = """(select item_code, sum(actual_qty) as qty, sum(stock_value) as value from `tabBin`
		where warehouse in %(warehouses)s and item_code > %(after)s
		group by item_code order by item_code limit %(limit)s) b
	left join `tabItem` i on i.name = b.item_code"""
_KEPT = "i.is_stock_item = 1 and i.is_customer_provided_item = 0"
_BARCODE = """(select ib.barcode from `tabItem Barcode` ib where ib.parent = i.name and ib.parenttype = 'Item'
		order by ib.idx limit 1)"""
BIN_ITEMS = f"""select i.name, i.item_name, i.stock_uom, i.item_group, {_BARCODE}, {{category}},
	cast(b.qty as char), cast(b.value as char)
	from {_BINS_OF_CHUNK}
	where {_KEPT}
	order by i.name"""
# One row: the chunk's items packed (read back in _chunks), how many, and the last code the chunk read (null
# past the last chunk).
BIN_ITEMS_PACKED = f"""select group_concat(case when {_KEPT} then concat_ws('{_FIELD}', i.name, coalesce(i.item_name, ''),
		coalesce(i.stock_uom, ''), coalesce(i.item_group, ''), coalesce({_BARCODE}, ''), coalesce({{category}}, ''),
		b.qty, b.value) end
		order by i.name separator '{_ITEM}'),
	coalesce(sum({_KEPT}), 0),
	max(b.item_code)
	from {_BINS_OF_CHUNK}"""
LEDGER_OF_ITEMS = """select item_code, cast(sum(actual_qty) as char), cast(sum(stock_value_difference) as char)
	from `tabStock Ledger Entry`
	where item_code in %(codes)s and company = %(company)s and posting_date <= %(date)s and is_cancelled = 0
	group by item_code"""
LEDGER_CELLS_OF_ITEMS = """select item_code, warehouse, cast(sum(stock_value_difference) as char)
	from `tabStock Ledger Entry`
	where item_code in %(codes)s and company = %(company)s and posting_date <= %(date)s and is_cancelled = 0
	group by item_code, warehouse"""
BIN_CELLS_OF_ITEMS = """select b.item_code, b.warehouse, cast(b.stock_value as char)
	from `tabBin` b join `tabWarehouse` w on w.name = b.warehouse
	where b.item_code in %(codes)s and w.company = %(company)s"""


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
