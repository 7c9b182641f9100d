"""Reads ERPNext into engine inputs. Every ledger figure is one SQL aggregate; nothing loops over ledger rows.

Sums are cast to CHAR in SQL so that they reach Decimal without passing through a binary float.
"""

from __future__ import annotations

import zlib
from dataclasses import replace
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.meta import get_field_precision
from frappe.utils import getdate

from perpetual_switch.engine.models import (
	COMPANY_DEFAULT_FIELDS,
	Account,
	AccountingPeriod,
	Company,
	CostCenter,
	ITEM_WISE_FIELD,
	DatedDocument,
	ItemStock,
	NegativeBin,
	ReceiptRow,
	StockCell,
	SwitchInputs,
	SwitchOptions,
	Warehouse,
)
from perpetual_switch.engine.money import ZERO, to_decimal
from perpetual_switch.engine.operation import BackdatedInputs, SchemeInputs, choose

SWITCH = "Switch to Perpetual Inventory"
SAMPLE = 5
CANDIDATE_TYPES = (
	"Stock",
	"Stock Received But Not Billed",
	"Stock Adjustment",
	"Expenses Included In Valuation",
	"Round Off",
)


def currency_precision(currency: str) -> int:
	return int(get_field_precision(frappe.get_meta("GL Entry").get_field("debit"), currency=currency) or 2)




def company_default_fields() -> tuple[str, ...]:
	"""The switch's company defaults that this site's Company has (version 16 dropped
	expenses_included_in_valuation, for one)."""
	meta = frappe.get_meta("Company")
	return tuple(f for f in COMPANY_DEFAULT_FIELDS if meta.has_field(f))


def item_wise_available() -> bool:
	"""Whether this site books stock per item (a Company setting and an Item Default account)."""
	return frappe.get_meta("Company").has_field(ITEM_WISE_FIELD) and frappe.get_meta("Item Default").has_field(
		"default_inventory_account"
	)


def read_company(name: str) -> Company:
	default_fields = company_default_fields()
	fields = ["name", "default_currency", "enable_perpetual_inventory", "default_expense_account"]
	if item_wise_available():
		fields.append(ITEM_WISE_FIELD)
	row = frappe.db.get_value("Company", name, fields + list(default_fields), as_dict=True)
	return Company(
		name=row.name,
		currency=row.default_currency,
		precision=currency_precision(row.default_currency),
		perpetual_inventory=bool(row.enable_perpetual_inventory),
		default_expense_account=row.default_expense_account,
		defaults={f: row.get(f) for f in default_fields},
		default_fields=default_fields,
		item_wise_inventory=bool(row.get(ITEM_WISE_FIELD)),
	)


def read_inputs(options: SwitchOptions, exclude_switch: str | None = None, progress=None) -> SwitchInputs:
	"""Everything the engine needs; `progress(percent, description)` is told as each part is read."""
	progress = progress or (lambda percent, description: None)
	cutover_date = getdate(options.cutover_date)
	expense_account, cost_center = options.expense_account, options.cost_center
	freeze_stock, freeze_accounts = options.freeze_stock, options.freeze_accounts
	default_overrides = {k: v for k, v in (options.company_defaults or {}).items() if v}
	company = read_company(options.company)
	# The one place the operation is decided: from the company as it is now and the options.
	operation = choose(company.perpetual_inventory, options.scheme, options.backdated)
	expense_account = expense_account or company.default_expense_account
	cost_center = cost_center or company.default("cost_center")

	warehouses = tuple(
		Warehouse(w.name, w.company, w.parent_warehouse or None, bool(w.is_group), w.account or None, bool(w.disabled))
		for w in frappe.get_all(
			"Warehouse",
			filters={"company": company.name},
			fields=["name", "company", "parent_warehouse", "is_group", "account", "disabled"],
			order_by="lft",
		)
	)
	referenced = {w.account for w in warehouses if w.account} | {
		a for a in [expense_account, *(default_overrides or {}).values()] if isinstance(a, str) and a
	}
	accounts = read_accounts(company.name, referenced)
	cost_centers = read_cost_centers(company.name, [cost_center or "", *(default_overrides or {}).values()])
	candidates: dict[str, list[str]] = {}
	for account in sorted(accounts.values(), key=lambda a: a.name):
		if account.company == company.name and not account.is_group and not account.disabled:
			if account.account_type in CANDIDATE_TYPES:
				candidates.setdefault(account.account_type, []).append(account.name)

	relevant = {a.name for a in accounts.values() if a.account_type in ("Stock", "Stock Received But Not Billed")}
	relevant |= {w.account for w in warehouses if w.account}
	# A change of scheme needs the stock per item and warehouse (see scheme_cells), where the site has
	# item-wise accounts; it reads no receipts.
	available = item_wise_available()
	scheme = operation.is_scheme and available
	progress(20, _("Stock value per warehouse"))
	with stock_ledger_pass_alongside(company.name, cutover_date, [w.name for w in warehouses]) as ledger_pass:
		progress(40, _("GL balance per account"))
		gl_balances = gl_balance_by_account(company.name, cutover_date, relevant)
		receipts, bins = (), ()
		if scheme:
			progress(60, _("Stock value per item and warehouse"))
			bins = bin_cells([w.name for w in warehouses if not w.is_group])
			items = items_of_cells(company.name, bins)
		elif operation.reads_receipts:
			progress(60, _("Receipts not billed"))
			receipts = receipt_rows(company.name, cutover_date, billed_later=operation.is_backdated)
		invoices_after, invoices_after_count = later_purchase_invoices(company.name, cutover_date)
		reposts = pending_reposts(company.name, cutover_date)
		below_zero = negative_bins(company.name)
		stock_values, after_count, negative_count = ledger_pass()
	if scheme:
		cells = scheme_cells(company.name, cutover_date, bins, stock_values)
		if cells is not bins:
			items = items_of_cells(company.name, cells)
	else:
		cells = ()
		items = item_stock(company.name, cutover_date) if company.item_wise_inventory else ()
	progress(80, _("Documents after the cutover"))
	# Samples to name in the blockers, only when the one pass found any.
	stock_after = later_stock_ledger(company.name, cutover_date)[0] if after_count else ()
	negative = negative_running(company.name, cutover_date)[0] if negative_count else ()
	if operation.is_backdated:
		from perpetual_switch.erpnext_io import backdated as later_documents

		vouchers = later_documents.vouchers_after(company.name, cutover_date)
		stock_accounts = {a.name for a in accounts.values() if a.account_type == "Stock"} | {
			w.account for w in warehouses if w.account
		}
		operation = replace(
			operation,
			backdated=BackdatedInputs(
				repost_vouchers=vouchers,
				period_closings_after=later_documents.period_closings_after(company.name, cutover_date),
				closed_periods_after=later_documents.closed_periods_after(
					company.name, cutover_date, {v.voucher_type for v in vouchers} | {"Journal Entry"}
				),
				manual_journals_after=later_documents.manual_stock_journals(company.name, cutover_date, stock_accounts),
			),
		)
	if operation.is_scheme:
		operation = replace(
			operation,
			scheme=SchemeInputs(options.scheme, bool(options.resync), available, cells),
		)

	return SwitchInputs(
		company=company,
		cutover_date=cutover_date,
		today=getdate(),
		expense_account=expense_account,
		cost_center=cost_center,
		warehouses=warehouses,
		accounts=accounts,
		cost_centers=cost_centers,
		stock_values=stock_values,
		gl_balances=gl_balances,
		receipt_rows=receipts,
		account_candidates={k: tuple(v) for k, v in candidates.items()},
		stock_entries_after=stock_after,
		stock_ledger_after_count=after_count,
		purchase_invoices_after=invoices_after,
		purchase_invoices_after_count=invoices_after_count,
		negative_stock_allowed=bool(frappe.db.get_single_value("Stock Settings", "allow_negative_stock")),
		negative_bins=below_zero,
		pending_reposts=reposts[0],
		pending_reposts_count=reposts[1],
		# A change of scheme comes after any switch and does not ask which one can still be rolled back.
		active_switch=None if operation.stacks_on_a_switch else active_switch(company.name, exclude=exclude_switch),
		has_fiscal_year=has_fiscal_year(company.name, cutover_date),
		journal_period_closed=closed_period(company.name, cutover_date, "Journal Entry"),
		accounts_frozen_upto=accounts_frozen_upto(company.name),
		freeze_stock=freeze_stock,
		freeze_accounts=freeze_accounts,
		freeze_start=freeze_start(cutover_date),
		accounting_periods=accounting_periods(company.name),
		default_overrides=default_overrides or {},
		country=frappe.get_cached_value("Company", company.name, "country"),
		negative_running=negative,
		negative_running_count=negative_count,
		item_stock=items,
		periodic_entries=periodic_entries(company.name, cutover_date),
		operation=operation,
	)


def read_cost_centers(company: str, referenced) -> dict[str, CostCenter]:
	"""The company's cost centers and the referenced ones (of any company, to say whose they are)."""
	return {
		c.name: CostCenter(c.name, c.company, bool(c.is_group), bool(c.disabled))
		for c in frappe.get_all(
			"Cost Center",
			or_filters={"company": company, "name": ("in", [r for r in referenced if isinstance(r, str)] or [""])},
			fields=["name", "company", "is_group", "disabled"],
		)
	}


def read_accounts(company: str, referenced: set[str]) -> dict[str, Account]:
	rows = frappe.get_all(
		"Account",
		or_filters={"company": company, "name": ("in", list(referenced) or [""])},
		fields=["name", "company", "is_group", "disabled", "account_type", "root_type", "report_type"],
	)
	return {
		r.name: Account(
			r.name, r.company, bool(r.is_group), bool(r.disabled), r.account_type or None, r.root_type, r.report_type
		)
		for r in rows
	}


def stock_ledger_pass(company: str, cutover_date: date, warehouses=()) -> tuple[dict, int, int]:
	"""Stock value per warehouse on or before the cutover, the count of rows after it, and the count
	of rows on or before it whose running quantity went below zero.

	Grouping by the warehouse's text costs a Unicode collation on every row (six times the scan on
	a million rows); grouping by a checksum of it costs almost nothing, and the checksums of the
	company's warehouse names say which is which. The side of the cutover is part of the group
	key. When the site indexes the ledger by posting datetime (read from the site), the rows after
	the cutover are counted through that index and the pass only reads the rows before it."""
	return _ledger_pass(frappe.db.sql, _indexed_by_posting_datetime(), company, cutover_date, warehouses)


def _ledger_pass(sql, indexed: bool, company: str, cutover_date: date, warehouses) -> tuple[dict, int, int]:
	params = {"company": company, "date": cutover_date}
	by_checksum = {}
	for name in warehouses:
		by_checksum.setdefault(zlib.crc32(name.encode("utf-8")), []).append(name)
	rows = sql(_ledger_groups("crc32(warehouse)", indexed), params)
	if all(len(by_checksum.get(key, ())) == 1 for key, *_rest in rows):
		rows = [(by_checksum[key][0], *rest) for key, *rest in rows]
	else:
		rows = sql(_ledger_groups("cast(warehouse as binary)", indexed), params)
		rows = [(bytes(key).decode("utf-8"), *rest) for key, *rest in rows]
	values, after, negative = {}, 0, 0
	for warehouse, is_after, value, count, negatives in rows:
		if is_after == 0:
			values[warehouse] = to_decimal(value)
			negative += int(negatives or 0)
		elif is_after == 1:
			after += int(count or 0)
	if indexed:
		after = _count_after(sql, params)
	return values, after, negative


CELL_KEY = "crc32(warehouse) << 32 | crc32(item_code)"
CELL_TEXT = "cast(item_code as binary), cast(warehouse as binary)"


def _cell_key(item_code: str, warehouse: str) -> int:
	return zlib.crc32(warehouse.encode("utf-8")) << 32 | zlib.crc32(item_code.encode("utf-8"))


def _cell_pass(sql, indexed: bool, company: str, cutover_date: date, bins):
	"""The ledger pass per item and warehouse: (values per warehouse, rows after, negative rows,
	cells). Grouped by one number made of both names' checksums (as cheap as grouping per
	warehouse); the company's bins, (item, warehouse) pairs, say which pair each number is. Should
	two pairs share a number, or a row have no bin, the pass is read again grouped by the names."""
	params = {"company": company, "date": cutover_date}
	by_key: dict[int, list] = {}
	for item_code, warehouse in bins:
		by_key.setdefault(_cell_key(item_code, warehouse), []).append((item_code, warehouse))
	rows = sql(_ledger_groups(CELL_KEY, indexed, qty=True), params)
	if all(len(by_key.get(key, ())) == 1 for key, *_rest in rows):
		rows = [(*by_key[key][0], *rest) for key, *rest in rows]
	else:
		rows = sql(_ledger_groups(CELL_TEXT, indexed, qty=True, width=2), params)
		rows = [(bytes(item).decode("utf-8"), bytes(warehouse).decode("utf-8"), *rest) for item, warehouse, *rest in rows]
	values: dict[str, Decimal] = {}
	cells, after, negative = [], 0, 0
	for item_code, warehouse, is_after, value, count, negatives, qty in rows:
		if is_after == 0:
			value = to_decimal(value)
			values[warehouse] = values.get(warehouse, ZERO) + value
			cells.append(StockCell(item_code, warehouse, value, to_decimal(qty)))
			negative += int(negatives or 0)
		elif is_after == 1:
			after += int(count or 0)
	if indexed:
		after = _count_after(sql, params)
	return values, after, negative, tuple(cells)


def _count_after(sql, params: dict) -> int:
	counted = sql(
		"""select count(*) from `tabStock Ledger Entry`
		where posting_datetime >= %(next_day)s and company = %(company)s and is_cancelled = 0""",
		{"next_day": datetime.combine(params["date"] + timedelta(days=1), time.min), "company": params["company"]},
	)
	return int(counted[0][0] or 0)


def bin_cells(warehouses) -> tuple[StockCell, ...]:
	"""Stock value and quantity per item and warehouse as ERPNext's bins hold them now."""
	cells = []
	for start in range(0, len(warehouses), 1000):
		rows = frappe.db.sql(
			"""select item_code, warehouse, cast(stock_value as char), cast(actual_qty as char)
			from `tabBin` where warehouse in %(warehouses)s""",
			{"warehouses": tuple(warehouses[start : start + 1000])},
		)
		cells += [StockCell(item, warehouse, Decimal(value or 0), Decimal(qty or 0)) for item, warehouse, value, qty in rows]
	return tuple(cells)


def scheme_cells(company: str, cutover_date: date, bins, ledger_values) -> tuple[StockCell, ...]:
	"""Stock per item and warehouse on or before the cutover, for a change of scheme.

	ERPNext's bins hold it already when nothing moved after the cutover and they agree with the
	ledger: their sum per warehouse is checked against the ledger pass, exactly. Where any warehouse
	differs (documents after the cutover, a repost still pending, a bin out of step), the ledger is
	read per item and warehouse instead, one pass grouped by both."""
	sums: dict[str, Decimal] = {}
	for cell in bins:
		sums[cell.warehouse] = sums.get(cell.warehouse, ZERO) + cell.stock_value
	names = set(sums) | set(ledger_values)
	if all(sums.get(name, ZERO) == ledger_values.get(name, ZERO) for name in names):
		return tuple(bins)
	pairs = [(cell.item_code, cell.warehouse) for cell in bins]
	return _cell_pass(frappe.db.sql, _indexed_by_posting_datetime(), company, cutover_date, pairs)[3]


# A site whose ledger holds at least this many rows (MariaDB's estimate) has the pass over it read
# on a second connection while this one reads the rest.
SIDE_CONNECTION_ROWS = 200_000


@contextmanager
def stock_ledger_pass_alongside(company: str, cutover_date: date, warehouses=()):
	"""`stock_ledger_pass`, read while the caller goes on reading: yields a function that returns
	the pass's result, waiting for it if need be.

	On a large ledger the pass is the longest statement of the plan, and MariaDB runs each
	connection's statements one at a time on one core. So the pass runs on a connection of its
	own (in a thread that only waits on it) while this connection reads the receipts. That
	connection sees what is committed, not this transaction's own writes: it is only used while
	this transaction has written nothing, so both read the same committed data, started
	milliseconds apart. Otherwise, or on a small ledger, the pass runs here first."""
	indexed = _indexed_by_posting_datetime()
	connection = None
	if not frappe.db.transaction_writes and _ledger_rows_estimate() >= SIDE_CONNECTION_ROWS:
		try:
			connection = frappe.db.create_connection()
		except Exception:
			# No second connection to be had (the server's limit, say): the pass runs here.
			connection = None
	if connection is None:
		result = _ledger_pass(frappe.db.sql, indexed, company, cutover_date, warehouses)
		yield lambda: result
		return
	with ThreadPoolExecutor(max_workers=1, thread_name_prefix="perpetual-switch-ledger") as pool:
		future = pool.submit(_ledger_pass_on, connection, indexed, company, cutover_date, tuple(warehouses))
		yield future.result


def _ledger_pass_on(connection, indexed: bool, company: str, cutover_date: date, warehouses):
	def sql(query, params):
		with connection.cursor() as cursor:
			cursor.execute(query, params)
			return cursor.fetchall()

	try:
		return _ledger_pass(sql, indexed, company, cutover_date, warehouses)
	finally:
		connection.close()


def _ledger_rows_estimate() -> int:
	rows = frappe.db.sql(
		"""select table_rows from information_schema.tables
		where table_schema = database() and table_name = 'tabStock Ledger Entry'"""
	)
	return int(rows[0][0] or 0) if rows else 0


_GROUPINGS = {"crc32(warehouse)", "cast(warehouse as binary)", CELL_KEY, CELL_TEXT}


def _indexed_by_posting_datetime() -> bool:
	"""Whether this site's Stock Ledger Entry has an index led by posting_datetime (ERPNext 15 has
	one, 16 not). Read once per process and site."""
	key = (frappe.local.site, "sle_posting_datetime_index")
	if key not in _SITE_FACTS:
		rows = frappe.db.sql(
			"""show index from `tabStock Ledger Entry` where Seq_in_index = 1 and Column_name = 'posting_datetime'"""
		)
		_SITE_FACTS[key] = bool(rows)
	return _SITE_FACTS[key]


_SITE_FACTS: dict = {}


def _ledger_groups(grouping: str, indexed: bool, qty: bool = False, width: int = 1) -> str:
	"""Per warehouse (by `grouping`) and side of the cutover: the value, the rows, and the rows with a
	negative running quantity. With the index, only the rows on or before the cutover (side 0).
	The side is part of the key rather than a condition in each sum: one comparison per row."""
	if grouping not in _GROUPINGS:
		raise ValueError(grouping)
	positions = [str(n) for n in range(1, width + 2)]
	if indexed:
		side, before, keys = "0", "and posting_date <= %(date)s", ", ".join(positions[:width])
	else:
		side, before, keys = "posting_date > %(date)s", "", ", ".join(positions)
	quantity = ", cast(sum(actual_qty) as char)" if qty else ""
	return f"""
		select {grouping}, {side}, cast(sum(stock_value_difference) as char), count(*),
			count(qty_after_transaction < 0 or null){quantity}
		from `tabStock Ledger Entry`
		where company = %(company)s and is_cancelled = 0 {before}
		group by {keys} order by null
		"""


def gl_balance_by_account(company: str, on_date: date, accounts) -> dict:
	accounts = tuple(sorted(a for a in accounts if a))
	if not accounts:
		return {}
	rows = frappe.db.sql(
		"""
		select account, cast(sum(debit) - sum(credit) as char)
		from `tabGL Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			and account in %(accounts)s
		group by account
		""",
		{"company": company, "date": on_date, "accounts": accounts},
	)
	return {account: to_decimal(value) for account, value in rows}


# The inventory account an item, its item group and its brand hold for %(company)s (ERPNext's item-wise
# order), joined to `item`: one text for every query that resolves item accounts.
ITEM_ACCOUNTS = """left join `tabItem Default` own
			on own.parenttype = 'Item' and own.parent = item.name and own.company = %(company)s
		left join `tabItem Default` grp
			on grp.parenttype = 'Item Group' and grp.parent = item.item_group and grp.company = %(company)s
		left join `tabItem Default` brand
			on brand.parenttype = 'Brand' and brand.parent = item.brand and brand.company = %(company)s"""


def item_stock(company: str, cutover_date: date) -> tuple[ItemStock, ...]:
	"""Stock value and quantity per item on or before the cutover, with the inventory account the
	item, its item group and its brand each hold for the company (ERPNext's item-wise order)."""
	rows = frappe.db.sql(
		f"""
		select s.item_code, cast(s.value as char), cast(s.qty as char),
			own.default_inventory_account, item.item_group, grp.default_inventory_account,
			item.brand, brand.default_inventory_account
		from (
			select item_code, sum(stock_value_difference) as value, sum(actual_qty) as qty
			from `tabStock Ledger Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			group by item_code
		) s
		join `tabItem` item on item.name = s.item_code
		{ITEM_ACCOUNTS}
		""",
		{"company": company, "date": cutover_date},
	)
	return tuple(
		ItemStock(code, to_decimal(value), to_decimal(qty), own or None, group, group_acc or None, brand, brand_acc or None)
		for code, value, qty, own, group, group_acc, brand, brand_acc in rows
	)


def items_of_cells(company: str, cells) -> tuple[ItemStock, ...]:
	"""Per item of `cells`: its stock value and quantity, and the inventory account its item, item
	group and brand hold for the company."""
	totals: dict[str, list] = {}
	for cell in cells:
		total = totals.get(cell.item_code)
		if total is None:
			totals[cell.item_code] = [cell.stock_value, cell.stock_qty]
		else:
			total[0] += cell.stock_value
			total[1] += cell.stock_qty
	codes = sorted(totals)
	accounts = {}
	for start in range(0, len(codes), 5000):
		rows = frappe.db.sql(
			f"""
			select item.name, own.default_inventory_account, item.item_group, grp.default_inventory_account,
				item.brand, brand.default_inventory_account
			from `tabItem` item
			{ITEM_ACCOUNTS}
			where item.name in %(items)s
			""",
			{"company": company, "items": tuple(codes[start : start + 5000])},
		)
		for code, own, group, group_account, brand, brand_account in rows:
			accounts[code] = (own or None, group, group_account or None, brand, brand_account or None)
	return tuple(
		ItemStock(code, *totals[code], *accounts.get(code, (None, None, None, None, None))) for code in codes
	)


def periodic_entries(company: str, cutover_date: date) -> tuple[DatedDocument, ...]:
	"""Periodic Accounting Entries (a journal type ERPNext 16 added; none exist before it)."""
	rows = frappe.db.sql(
		"""select name, posting_date from `tabJournal Entry`
		where company = %(company)s and docstatus = 1 and voucher_type = 'Periodic Accounting Entry'
			and posting_date <= %(date)s
		order by posting_date, name""",
		{"company": company, "date": cutover_date},
	)
	return tuple(DatedDocument("Journal Entry", name, getdate(posting_date)) for name, posting_date in rows)


def receipt_rows(company: str, cutover_date: date, billed_later: bool = False) -> tuple[ReceiptRow, ...]:
	"""Submitted receipt rows of stock items with quantity left to bill at the cutover.

	Returned and billed quantities count only documents dated on or before the cutover. The query
	starts from the company's receipts. Returns are few: they are summed once, from the return
	receipts' headers, and joined to the rows. Invoice rows are many: each receipt row looks its
	own up through their indexed link, row first (grouping every invoice row costs more than the
	lookups, and letting the optimizer start a lookup from the headers scans them once per row).
	Non-stock items are few too: rows are checked against their list rather than each looking its
	item up.

	Each receipt comes back as one text field holding its rows, each row's quantities and amounts
	first as exact decimal text: the driver reads every row and converts every field on its own
	(and DECIMAL columns to floats), which for tens of thousands of rows costs more than the query.
	The receipts are read in the order of their primary key, so grouping their rows needs no
	temporary table; only the receipts are sorted after.

	A receipt marked Completed was billed by the cutover unless invoices came after it
	(`billed_later`, a backdated switch): then every receipt is looked at."""
	params = {"company": company, "date": cutover_date, "billed_later": int(billed_later)}
	rows = _packed_receipt_rows(params)
	if rows is None:
		# A name holds a separator, or a receipt's rows did not fit: read the columns one by one.
		rows = frappe.db.sql(_with_difference(_RECEIPT_ROWS), params)
	result = []
	for qty, amount, returned, billed, status, item, row, receipt in rows:
		qty, returned, billed = Decimal(qty), Decimal(returned), Decimal(billed)
		if qty - returned - billed > 0:
			result.append(ReceiptRow(receipt, row, item, status, qty, Decimal(amount), returned, billed))
	return tuple(result)


def _packed_receipt_rows(params: dict) -> list | None:
	"""The receipt rows as lists of eight texts, or None when a receipt's text cannot be split back
	into exactly the rows it counted."""
	rows = []
	for count, packed in frappe.db.sql(_with_difference(_RECEIPTS_PACKED), params):
		parts = packed.split(_ROW_SEPARATOR) if packed is not None else []
		if len(parts) != count:
			return None
		for part in parts:
			fields = part.split(_FIELD_SEPARATOR)
			if len(fields) != 8:
				return None
			rows.append(fields)
	return rows


def _with_difference(sql: str) -> str:
	from perpetual_switch.erpnext_io.srbnb import _amount_difference

	return sql.replace("{difference}", _amount_difference("pri"))


_FIELD_SEPARATOR = "\x01"
_ROW_SEPARATOR = "\x02"
# Quantities and amounts as exact decimal text (the driver would hand DECIMAL columns over as floats).
# A row's value is what perpetual inventory credits SRBNB with for it: its net amount, and what Buying
# Settings' re-valuation at the invoice rate added (ERPNext credits that on the receipt itself).
_PLAIN_COLUMNS = """cast(pri.stock_qty as char), cast(pri.base_net_amount + {difference} as char), cast(coalesce(ret.qty, 0) as char),
	cast(coalesce((
		select sum(pii.stock_qty)
		from `tabPurchase Invoice Item` pii
		straight_join `tabPurchase Invoice` pi on pi.name = pii.parent
		where pii.pr_detail = pri.name and pi.docstatus = 1 and pi.posting_date <= %(date)s
	), 0) as char),
	coalesce(pr.status, ''), pri.item_code, pri.name, pr.name"""
_RECEIPTS_OF_COMPANY = """
select {columns}
from `tabPurchase Receipt` pr {index}
join `tabPurchase Receipt Item` pri on pri.parent = pr.name
left join (
	select ri.purchase_receipt_item as item_row, -sum(ri.stock_qty) as qty
	from `tabPurchase Receipt` r
	straight_join `tabPurchase Receipt Item` ri on ri.parent = r.name
	where r.docstatus = 1 and r.is_return = 1 and r.posting_date <= %(date)s
		and ri.purchase_receipt_item is not null
	group by ri.purchase_receipt_item
) ret on ret.item_row = pri.name
where pr.company = %(company)s and pr.docstatus = 1 and pr.is_return = 0
	and pr.posting_date <= %(date)s and (pr.status != 'Completed' or %(billed_later)s)
	and pri.is_fixed_asset = 0 and pri.item_code is not null
	and pri.item_code not in (select name from `tabItem` where is_stock_item = 0)
{order}
"""
# The separators are literals in the statement: group_concat takes no expression for them.
_RECEIPTS_PACKED = "set statement group_concat_max_len = 16777216 for " + _RECEIPTS_OF_COMPANY.format(
	columns=f"""count(*), group_concat(concat_ws('{_FIELD_SEPARATOR}', {_PLAIN_COLUMNS})
		order by pri.idx separator '{_ROW_SEPARATOR}')""",
	index="force index (primary)",
	order="group by pr.name order by pr.posting_date, pr.name",
)
_RECEIPT_ROWS = _RECEIPTS_OF_COMPANY.format(
	columns=_PLAIN_COLUMNS, index="", order="order by pr.posting_date, pr.name, pri.idx"
)


def _voucher_sample(sql: str, params: dict) -> tuple[tuple[DatedDocument, ...], int]:
	"""Run a query selecting (voucher_type, voucher_no, first date, total rows): a sample and the count."""
	rows = frappe.db.sql(sql, {**params, "limit": SAMPLE})
	return tuple(DatedDocument(t, n, d) for t, n, d, _count in rows), int(rows[0][3]) if rows else 0


def later_stock_ledger(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	return _voucher_sample(
		"""select voucher_type, voucher_no, min(posting_date), sum(count(*)) over ()
		from `tabStock Ledger Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s
		group by voucher_type, voucher_no order by min(posting_date), voucher_no limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def negative_running(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	"""Stock movements on or before the cutover after which an item's quantity was below zero."""
	return _voucher_sample(
		"""select voucher_type, voucher_no, min(posting_date), sum(count(*)) over ()
		from `tabStock Ledger Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			and qty_after_transaction < 0
		group by voucher_type, voucher_no order by min(posting_date), voucher_no limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def later_purchase_invoices(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	return _voucher_sample(
		"""select 'Purchase Invoice', name, posting_date, count(*) over ()
		from `tabPurchase Invoice`
		where company = %(company)s and docstatus = 1 and posting_date > %(date)s
		order by posting_date, name limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def pending_reposts(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	"""Repost Item Valuations of the company from on or before the cutover that have not completed."""
	return _voucher_sample(
		"""select 'Repost Item Valuation', name, posting_date, count(*) over ()
		from `tabRepost Item Valuation`
		where company = %(company)s and docstatus = 1 and posting_date <= %(date)s
			and status in ('Queued', 'In Progress', 'Failed')
		order by posting_date, name limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def negative_bins(company: str) -> tuple[NegativeBin, ...]:
	"""Bins of the company's warehouses below zero. Negative bins are few on any site: finding
	them first and their warehouses' company after is a short scan, where joining every bin to
	its warehouse costs ten times more."""
	rows = frappe.db.sql(
		"""select item_code, warehouse, cast(actual_qty as char) from `tabBin`
		where actual_qty < 0 order by warehouse, item_code""",
	)
	if not rows:
		return ()
	ours = set(
		frappe.get_all(
			"Warehouse", filters={"company": company, "name": ("in", sorted({w for _i, w, _q in rows}))}, pluck="name"
		)
	)
	return tuple(NegativeBin(i, w, to_decimal(q)) for i, w, q in rows if w in ours)[:50]


def applied_switches(company: str) -> list:
	return frappe.get_all(
		SWITCH,
		filters={"company": company, "docstatus": 1, "status": "Applied"},
		fields=["name", "cutover_date", "creation", "stock_journal_entry", "srbnb_journal_entry", "scheme_journal_entry"],
		order_by="cutover_date desc, creation desc",
	)


def operations_applied_after(company: str, since, exclude: str | None = None) -> list[tuple[str, str]]:
	"""(doctype, name) of the switches and SRBNB clearings of the company that stand and were applied
	after `since`, newest first: they are to be rolled back before anything applied earlier."""
	if not since:
		return []
	rows = frappe.db.sql(
		"""select 'Switch to Perpetual Inventory' doctype, name, applied_on from `tabSwitch to Perpetual Inventory`
			where company = %(company)s and docstatus = 1 and status in ('Applied', 'Reposting')
				and applied_on > %(since)s and name != %(exclude)s
		union all
		select 'SRBNB Clearing', name, applied_on from `tabSRBNB Clearing`
			where company = %(company)s and status = 'Applied' and applied_on > %(since)s and name != %(exclude)s
		order by applied_on desc, name desc""",
		{"company": company, "since": since, "exclude": exclude or ""},
	)
	return [(doctype, name) for doctype, name, _applied_on in rows]


def stock_and_srbnb_accounts(company: str) -> tuple[str, ...]:
	"""Every account of the company that perpetual inventory posts stock or SRBNB to: those typed so,
	the warehouses' own accounts and the company's defaults."""
	names = set(
		frappe.get_all(
			"Account",
			filters={"company": company, "account_type": ("in", ["Stock", "Stock Received But Not Billed"])},
			pluck="name",
		)
	)
	names |= set(frappe.get_all("Warehouse", filters={"company": company, "account": ("is", "set")}, pluck="account"))
	defaults = frappe.db.get_value("Company", company, ["default_inventory_account", "stock_received_but_not_billed"])
	return tuple(sorted(names | {a for a in defaults or () if a}))


def posted_after_switch(
	switch: str, company: str, cutover_date, applied_on, own_journals
) -> tuple[tuple[DatedDocument, ...], int]:
	"""Documents after the cutover that moved stock, or that posted to a stock or SRBNB account since
	the switch was applied (entries by hand from before it stay as they were), other than the ones the
	switch itself reposted or posted (`own_journals`): all of them are counted, the first few named. The app's clearing and late-cost journals are named by the document they
	were made for, which is the one to cancel."""
	rows = frappe.db.sql(
		"""select coalesce(made_for.voucher_type, moved.voucher_type) as doctype,
			coalesce(made_for.voucher_no, moved.voucher_no) as docname, min(moved.posting_date) as first_date,
			count(*) over () as total
		from (
			select voucher_type, voucher_no, posting_date from `tabStock Ledger Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s
			union all
			select voucher_type, voucher_no, posting_date from `tabGL Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s and account in %(accounts)s
				and creation >= %(applied_on)s
		) moved
		left join (
			select journal_entry, 'Purchase Invoice' as voucher_type, purchase_invoice as voucher_no
			from `tabPerpetual Switch Clearing` where switch = %(switch)s and journal_entry is not null
			union all
			select journal_entry, voucher_type, voucher_no
			from `tabPerpetual Switch Late Cost` where switch = %(switch)s and journal_entry is not null
		) made_for on moved.voucher_type = 'Journal Entry' and made_for.journal_entry = moved.voucher_no
		where not (moved.voucher_type = 'Journal Entry' and moved.voucher_no in %(own)s)
			and not exists (
				select 1 from `tabPerpetual Switch Repost` r where r.switch = %(switch)s
					and r.voucher_type = coalesce(made_for.voucher_type, moved.voucher_type)
					and r.voucher_no = coalesce(made_for.voucher_no, moved.voucher_no))
		group by doctype, docname
		order by first_date, docname
		limit %(limit)s""",
		{
			"company": company,
			"date": getdate(cutover_date),
			"switch": switch,
			"applied_on": applied_on or datetime(1900, 1, 1),
			"accounts": stock_and_srbnb_accounts(company) or ("",),
			"own": tuple(sorted(j for j in own_journals if j)) or ("",),
			"limit": SAMPLE,
		},
	)
	return tuple(DatedDocument(t, n, d) for t, n, d, _count in rows), int(rows[0][3]) if rows else 0


def active_switch(company: str, exclude: str | None = None) -> str | None:
	"""The applied switch that can still be rolled back: no stock has moved after its cutover."""
	for switch in applied_switches(company):
		if switch.name != exclude and not later_stock_ledger(company, getdate(switch.cutover_date))[1]:
			return switch.name
	return None


def has_fiscal_year(company: str, on_date: date) -> bool:
	from erpnext.accounts.utils import get_fiscal_years

	return bool(get_fiscal_years(on_date, company=company, verbose=0, boolean=True))


def closed_period(company: str, on_date: date, doctype: str) -> str | None:
	rows = frappe.db.sql(
		"""select ap.name from `tabAccounting Period` ap
		join `tabClosed Document` cd on cd.parent = ap.name
		where ap.company = %(company)s and cd.document_type = %(doctype)s and cd.closed = 1
			and %(date)s between ap.start_date and ap.end_date
		limit 1""",
		{"company": company, "date": on_date, "doctype": doctype},
	)
	return rows[0][0] if rows else None


def accounts_frozen_upto(company: str) -> date | None:
	"""Version 15 keeps the frozen date in Accounts Settings; later versions moved it to the company."""
	if frappe.get_meta("Company").has_field("accounts_frozen_till_date"):
		value = frappe.db.get_value("Company", company, "accounts_frozen_till_date")
	else:
		value = frappe.db.get_single_value("Accounts Settings", "acc_frozen_upto")
	return getdate(value) if value else None


def freeze_start(cutover_date: date) -> date:
	"""Start of the earliest fiscal year: no document can be dated before it anyway."""
	earliest = frappe.db.sql("select min(year_start_date) from `tabFiscal Year`")[0][0]
	return min(getdate(earliest), cutover_date) if earliest else cutover_date


def accounting_periods(company: str) -> tuple[AccountingPeriod, ...]:
	periods = frappe.get_all(
		"Accounting Period", filters={"company": company}, fields=["name", "start_date", "end_date"]
	)
	closed = {}
	for parent, doctype in frappe.db.sql(
		"""select cd.parent, cd.document_type from `tabClosed Document` cd
		join `tabAccounting Period` ap on ap.name = cd.parent
		where ap.company = %(company)s and cd.closed = 1""",
		{"company": company},
	):
		closed.setdefault(parent, set()).add(doctype)
	return tuple(
		AccountingPeriod(p.name, getdate(p.start_date), getdate(p.end_date), frozenset(closed.get(p.name, ())))
		for p in periods
	)


def switch_accruals(switch: str, limit: int | None = None, start: int = 0) -> list[dict]:
	"""The receipt rows a switch accrued, in the order it recorded them."""
	return frappe.get_all(
		"Perpetual Switch Receipt",
		filters={"parent": switch, "parenttype": SWITCH},
		fields=["purchase_receipt", "item_row", "item_code", "unbilled_qty", "unbilled_value", "currency"],
		order_by="idx asc",
		start=start,
		limit=limit or 0,
	)


def accruals_with_clearing(switch: str) -> list[dict]:
	"""A switch's accrued receipt rows with the value later invoices cleared (one query)."""
	return frappe.db.sql(
		"""
		select r.purchase_receipt, r.item_row, r.item_code, r.unbilled_qty, r.unbilled_value, r.currency,
			coalesce(c.cleared, 0) as cleared_value, r.unbilled_value - coalesce(c.cleared, 0) as open_value
		from `tabPerpetual Switch Receipt` r
		left join (
			select receipt_row, sum(cleared_value) as cleared
			from `tabPerpetual Switch Clearing`
			where switch = %(switch)s and status = 'Active'
			group by receipt_row
		) c on c.receipt_row = r.item_row
		where r.parent = %(switch)s and r.parenttype = %(parenttype)s
		order by r.idx
		""",
		{"switch": switch, "parenttype": SWITCH},
		as_dict=True,
	)


def switch_journal_amounts(company: str, on_date: date) -> dict:
	"""Debit minus credit per account of the journal entries of the company's applied switches."""
	rows = frappe.db.sql(
		"""
		select gle.account, cast(sum(gle.debit) - sum(gle.credit) as char)
		from `tabGL Entry` gle
		join `tabSwitch to Perpetual Inventory` s
			on gle.voucher_no in (s.stock_journal_entry, s.srbnb_journal_entry, s.scheme_journal_entry)
		where s.company = %(company)s and s.docstatus = 1 and gle.voucher_type = 'Journal Entry'
			and gle.is_cancelled = 0 and gle.posting_date <= %(date)s
		group by gle.account
		""",
		{"company": company, "date": getdate(on_date)},
	)
	return {account: to_decimal(value) for account, value in rows}


def total_assets(company: str, on_date: date):
	"""Balance sheet total: the debit balance of the company's asset accounts on a date."""
	value = frappe.db.sql(
		"""
		select cast(sum(gle.debit) - sum(gle.credit) as char)
		from `tabGL Entry` gle join `tabAccount` acc on acc.name = gle.account
		where gle.company = %(company)s and gle.is_cancelled = 0 and acc.root_type = 'Asset'
			and gle.posting_date <= %(date)s
		""",
		{"company": company, "date": getdate(on_date)},
	)[0][0]
	return to_decimal(value)


def exists(doctype: str, name: str | None) -> bool:
	return bool(name) and bool(frappe.db.exists(doctype, name))


def latest_switch(company: str):
	"""The company's most recent switch, whatever its status, or None."""
	latest = frappe.get_all(
		SWITCH,
		filters={"company": company},
		fields=["name", "status", "docstatus", "cutover_date", "stock_journal_entry", "srbnb_journal_entry", "scheme_journal_entry", "applied_on", "applied_by"],
		order_by="creation desc",
		limit=1,
	)
	return latest[0] if latest else None


def reposted_vouchers(switch: str, limit: int) -> list:
	"""The first `limit` vouchers a backdated switch reposted, in its order, with their GL changes."""
	return frappe.get_all(
		"Perpetual Switch Repost",
		filters={"switch": switch},
		fields=["voucher_type", "voucher_no", "posting_date", "status", "changes"],
		order_by="seq",
		limit=limit,
	)


def switch_status(switch: str) -> str | None:
	return frappe.db.get_value(SWITCH, switch, "status")


def reposting_switches() -> list:
	"""Switches of every company still reposting documents after their cutover."""
	return frappe.get_all(SWITCH, filters={"docstatus": 1, "status": "Reposting"}, fields=["name", "company", "applied_by"])


def company_state(company: str):
	return frappe.db.get_value("Company", company, ["country", "default_currency", "enable_perpetual_inventory"], as_dict=True)
