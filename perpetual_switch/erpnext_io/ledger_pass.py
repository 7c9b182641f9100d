"""One pass over the stock ledger up to a date: the stock value per warehouse (or per item and warehouse
for a scheme change), with the rows after the date and the running quantities below zero counted in the
same pass; on a large ledger, read on a second connection while the first reads the rest. Each figure
is a SQL aggregate cast to CHAR, so it reaches Decimal without passing through a binary float."""

from __future__ import annotations

import zlib
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import frappe

from perpetual_switch.engine.models import StockCell
from perpetual_switch.engine.money import ZERO, to_decimal
from perpetual_switch.erpnext_io import side_connection


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


def movements_after(company: str, on_date: date) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
	"""{(item_code, warehouse): (qty, value)} moved by the company's ledger rows after `on_date` (as
	many entries as cells that moved since, not as items). Through the posting datetime index where
	the site has one."""
	rows = frappe.db.sql(
		_MOVED_AFTER_INDEXED if _indexed_by_posting_datetime() else _MOVED_AFTER,
		{"company": company, "date": on_date, "next_day": datetime.combine(on_date + timedelta(days=1), time.min)},
	)
	return {(item, warehouse): (to_decimal(qty), to_decimal(value)) for item, warehouse, qty, value in rows}


_MOVED_AFTER = """select item_code, warehouse, cast(sum(actual_qty) as char), cast(sum(stock_value_difference) as char)
	from `tabStock Ledger Entry` where posting_date > %(date)s and company = %(company)s and is_cancelled = 0
	group by item_code, warehouse"""
_MOVED_AFTER_INDEXED = """select item_code, warehouse, cast(sum(actual_qty) as char), cast(sum(stock_value_difference) as char)
	from `tabStock Ledger Entry` where posting_datetime >= %(next_day)s and company = %(company)s and is_cancelled = 0
	group by item_code, warehouse"""


def bin_totals(company: str, sql=None) -> dict[str, Decimal]:
	"""The stock value per warehouse of the company as ERPNext's bins hold it now (read with `sql`,
	this connection's by default)."""
	rows = (sql or frappe.db.sql)(
		"""select b.warehouse, cast(sum(b.stock_value) as char) from `tabBin` b
		join `tabWarehouse` w on w.name = b.warehouse where w.company = %(company)s group by b.warehouse""",
		{"company": company},
	)
	return {warehouse: to_decimal(value) for warehouse, value in rows}


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


def in_step(bins: dict[str, Decimal], ledger: dict[str, Decimal]) -> bool:
	"""Whether the bins' value per warehouse equals the ledger's, exactly, for every warehouse either
	names (one missing counts as zero)."""
	return all(bins.get(name, ZERO) == ledger.get(name, ZERO) for name in set(bins) | set(ledger))


def scheme_cells(company: str, cutover_date: date, bins, ledger_values) -> tuple[StockCell, ...]:
	"""Stock per item and warehouse on or before the cutover, for a change of scheme.

	ERPNext's bins hold it already when nothing moved after the cutover and they agree with the
	ledger: their sum per warehouse is checked against the ledger pass, exactly. Where any warehouse
	differs (documents after the cutover, a repost still pending, a bin out of step), the ledger is
	read per item and warehouse instead, one pass grouped by both."""
	sums: dict[str, Decimal] = {}
	for cell in bins:
		sums[cell.warehouse] = sums.get(cell.warehouse, ZERO) + cell.stock_value
	if in_step(sums, ledger_values):
		return tuple(bins)
	pairs = [(cell.item_code, cell.warehouse) for cell in bins]
	return _cell_pass(frappe.db.sql, _indexed_by_posting_datetime(), company, cutover_date, pairs)[3]


# A site whose ledger holds at least this many rows (MariaDB's estimate) has the pass over it read
# on a second connection while this one reads the rest.
SIDE_CONNECTION_ROWS = 200_000


@contextmanager
def stock_ledger_pass_alongside(company: str, cutover_date: date, warehouses=(), then=None):
	"""`stock_ledger_pass`, read while the caller goes on reading: yields a function that returns
	the pass's result, waiting for it if need be; with `then`, (the result, `then(sql)`), where
	`then` reads on the pass's connection after it (from the same snapshot).

	On a large ledger the pass is the longest statement of the plan, and MariaDB runs each
	connection's statements one at a time on one core. So the pass runs on a connection of its
	own (`side_connection.alongside`) while this connection reads the receipts. On a small
	ledger, or when this transaction has written, the pass runs here first."""
	indexed = _indexed_by_posting_datetime()
	warehouses = tuple(warehouses)

	def job(sql):
		result = _ledger_pass(sql, indexed, company, cutover_date, warehouses)
		return result if then is None else (result, then(sql))

	with side_connection.alongside(job, large_ledger(), "perpetual-switch-ledger") as result:
		yield result


def large_ledger() -> bool:
	"""Whether the site's ledger is large enough for a pass over it to be read alongside."""
	return _ledger_rows_estimate() >= SIDE_CONNECTION_ROWS


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
