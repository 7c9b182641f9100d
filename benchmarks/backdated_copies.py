"""Many documents from a few: copies of a built company's documents, written by bulk SQL.

Submitting a hundred thousand documents through ERPNext takes hours. This multiplies the submitted
documents of a company (one made by `backdated_benchmark.build`, say) instead. Copy k of a document is
named `NAME-copyk` and moves copies of the items, `CODE-copyk`, so every (item, warehouse) chain of stock
ledger entries in a copy is the original's, running values and all, and nothing needs reposting.

Every row is read once with all its columns: the document, its child rows, its stock ledger, GL,
payment ledger and advance payment ledger rows, and the items with their child rows and bins. A value
equal to a name of what is copied (a document, a child row, an item code, a ledger row, a bin) gets the
copy's suffix, and so do the keys of a JSON object that are such names (a tax row's
`item_wise_tax_detail` is keyed by item code); everything else is written as it was, dates, amounts,
creation and modified included. Decimals are read as text: Frappe reads them as floats, which do not
keep every digit of a decimal(21,9).

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/backdated_copies.py \\
		--site SITE --company COMPANY --copies 10

The company's queued Repost Item Valuations are run first (a backdated document leaves the running
values of later entries to one), so that the chains copied add up. Running it again on the same company
adds copies after the last one made.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COPY = re.compile(r"-copy([0-9]+)$")
"""Copy k of NAME is NAME-copyk (lower case: the benchmark's tags are upper-case hexadecimal, so
no original name ends like a copy's, as BENCH-BD-C859 ended like '-C' and a number)."""
COPY_SQL = "-copy[0-9]+$"
LEDGERS = ("Stock Ledger Entry", "GL Entry", "Payment Ledger Entry", "Advance Payment Ledger Entry")
"""The ledgers a document writes rows to, by voucher_type and voucher_no."""
NAMES_PER_READ = 1000


@dataclass
class Rows:
	"""The rows of one table to copy, as read, and per row the values that change in a copy: (column
	index, pieces), the copy's value being the pieces joined by the copy's suffix."""

	doctype: str
	columns: list[str]
	rows: list[tuple] = field(default_factory=list)
	marks: list[tuple] = field(default_factory=list)


def copy_documents(frappe, company: str, copies: int, progress=print) -> int:
	"""Writes `copies` copies of every submitted document of the company that has stock ledger or GL
	rows, each copy on copies of the items, once the company's queued reposts have run (`settle`);
	commits after each copy. Returns the documents written."""
	from perpetual_switch.erpnext_io.backdated import insert_many

	started = time.perf_counter()
	settled = settle(frappe, company)
	if settled:
		settle_s = time.perf_counter() - started
		progress(f"ran the company's {settled} queued Repost Item Valuations first ({settle_s:.1f} s)")
	started = time.perf_counter()
	documents = originals(frappe, company)
	items = frappe.db.sql_list(
		"""select distinct item_code from `tabStock Ledger Entry`
		where company = %(company)s and voucher_no not regexp %(copy)s and item_code not regexp %(copy)s
		order by item_code""",
		{"company": company, "copy": COPY_SQL},
	)
	count = sum(len(names) for names in documents.values())
	if not count:
		progress(f"{company} has no submitted documents to copy")
		return 0
	tables = _read_all(frappe, documents, items)
	first = _next_copy(frappe, items[0]) if items else 1
	rows = sum(len(table.rows) for table in tables)
	read_s = time.perf_counter() - started
	progress(f"read {count} documents, {len(items)} items, {rows} rows in {read_s:.1f} s")
	written = Counter()
	started = time.perf_counter()
	for k in range(first, first + copies):
		suffix = f"-copy{k}"
		for table in tables:
			insert_many(table.doctype, table.columns, _copied(table, suffix))
			written[table.doctype] += len(table.rows)
		frappe.db.commit()
		progress(f"copied {k - first + 1} of {copies} (copy C{k}; {time.perf_counter() - started:.1f} s)")
	per_table = ", ".join(f"{doctype} {n}" for doctype, n in sorted(written.items()))
	progress(f"rows written per table: {per_table}")
	return count * copies


def settle(frappe, company: str) -> int:
	"""Runs the company's queued Repost Item Valuations, as ERPNext's scheduler would, and commits; returns
	how many. A document dated before later entries of its item leaves those entries' running values
	to such a repost, so until it runs a chain does not add up and its copies would not either."""
	from erpnext.stock.doctype.repost_item_valuation.repost_item_valuation import repost

	names = frappe.get_all(
		"Repost Item Valuation",
		filters={"company": company, "docstatus": 1, "status": ("in", ["Queued", "In Progress"])},
		pluck="name",
		order_by="posting_date, posting_time, creation",
	)
	for name in names:
		repost(frappe.get_doc("Repost Item Valuation", name))
	frappe.db.commit()
	unsettled = frappe.get_all(
		"Repost Item Valuation",
		filters={"company": company, "docstatus": 1, "status": ("not in", ["Completed", "Skipped"])},
		pluck="name",
	)
	if unsettled:
		raise ValueError(f"Repost Item Valuations of {company} did not complete: {', '.join(unsettled[:5])}")
	return len(names)


def originals(frappe, company: str) -> dict[str, list[str]]:
	"""The company's submitted documents that are not copies, per doctype: every voucher of its stock
	ledger and GL rows."""
	vouchers = defaultdict(set)
	for ledger in ("Stock Ledger Entry", "GL Entry"):
		for voucher_type, voucher_no in frappe.db.sql(
			f"""select distinct voucher_type, voucher_no from `tab{ledger}`
			where company = %(company)s and voucher_no not regexp %(copy)s""",
			{"company": company, "copy": COPY_SQL},
		):
			vouchers[voucher_type].add(voucher_no)
	documents = {}
	for doctype in sorted(vouchers):
		names = sorted(vouchers[doctype])
		submitted = []
		for start in range(0, len(names), NAMES_PER_READ):
			submitted += frappe.db.sql_list(
				f"select name from `tab{doctype}` where docstatus = 1 and name in %(names)s",
				{"names": tuple(names[start : start + NAMES_PER_READ])},
			)
		if submitted:
			documents[doctype] = sorted(submitted)
	return documents


def _read_all(frappe, documents: dict[str, list[str]], items: list[str]) -> list[Rows]:
	"""Every row a copy writes, read once, with the values that change in a copy marked."""
	ledgers = [ledger for ledger in LEDGERS if frappe.db.table_exists(ledger)]
	tables = []
	if items:
		tables.append(_read(frappe, "Item", "name", items))
		tables += [
			_read(frappe, child, "parent", items, parenttype="Item") for child in _children(frappe, "Item")
		]
		tables.append(_read(frappe, "Bin", "item_code", items))
	for doctype, names in documents.items():
		tables.append(_read(frappe, doctype, "name", names))
		tables += [
			_read(frappe, child, "parent", names, parenttype=doctype) for child in _children(frappe, doctype)
		]
		tables += [_read(frappe, ledger, "voucher_no", names, voucher_type=doctype) for ledger in ledgers]
	tables = [table for table in tables if table.rows]
	names = set(items)
	for table in tables:
		at = table.columns.index("name")
		for row in table.rows:
			if not isinstance(row[at], str):
				raise TypeError(f"{table.doctype} {row[at]!r}: only rows named by text can be copied")
			names.add(row[at])
	for table in tables:
		table.marks = [_marks(row, names) for row in table.rows]
	return tables


def _children(frappe, doctype: str) -> list[str]:
	"""The doctype's child tables that have a table of their own."""
	meta = frappe.get_meta(doctype)
	return sorted({df.options for df in meta.get_table_fields() if frappe.db.table_exists(df.options)})


def _read(frappe, doctype: str, key: str, names: list[str], **equal) -> Rows:
	"""The rows of the table whose `key` is one of the names (and whose columns in `equal` have those
	values), every column, in chunks of names."""
	described = frappe.db.sql(
		"""select column_name, data_type from information_schema.columns
		where table_schema = database() and table_name = %(table)s order by ordinal_position""",
		{"table": f"tab{doctype}"},
	)
	table = Rows(doctype, [column for column, _type in described])
	select = ", ".join(f"cast(`{c}` as char)" if t == "decimal" else f"`{c}`" for c, t in described)
	where = "".join(f" and `{column}` = %({column})s" for column in equal)
	for start in range(0, len(names), NAMES_PER_READ):
		table.rows += frappe.db.sql(
			f"select {select} from `tab{doctype}` where `{key}` in %(names)s{where}",
			{**equal, "names": tuple(names[start : start + NAMES_PER_READ])},
		)
	return table


def _marks(row: tuple, names: set[str]) -> tuple:
	"""The values of the row that change in a copy, as (index, pieces): a name is (name, ""), so the
	copy's value is name + suffix; a JSON object with names for keys is cut just before each such
	key's closing quote."""
	marks = []
	for index, value in enumerate(row):
		if type(value) is not str:
			continue
		if value in names:
			marks.append((index, (value, "")))
		elif value[:2] == '{"':
			pieces = _json_pieces(value, names)
			if pieces:
				marks.append((index, pieces))
	return tuple(marks)


def _json_pieces(value: str, names: set[str]) -> tuple | None:
	try:
		parsed = json.loads(value)
	except ValueError:
		return None
	if not isinstance(parsed, dict):
		return None
	cuts = set()
	for key in parsed:
		if key in names:
			for token in {json.dumps(key), json.dumps(key, ensure_ascii=False)}:
				cuts |= {m.start() + len(token) - 1 for m in re.finditer(re.escape(token) + r"\s*:", value)}
	if not cuts:
		return None
	bounds = [0, *sorted(cuts), len(value)]
	return tuple(value[a:b] for a, b in itertools.pairwise(bounds))


def _copied(table: Rows, suffix: str):
	for row, marks in zip(table.rows, table.marks):
		copy = list(row)
		for index, pieces in marks:
			copy[index] = suffix.join(pieces)
		yield copy


def _next_copy(frappe, item: str) -> int:
	"""1, or one past the last copy already made of the company (the first item's copies tell)."""
	like = item.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "-copy%"
	made = [
		int(m.group(1))
		for name in frappe.db.sql_list("select name from `tabItem` where name like %(like)s", {"like": like})
		if (m := COPY.search(name)) and name[: m.start()] == item
	]
	return max(made, default=0) + 1


def check(frappe, company: str) -> list[str]:
	"""What is wrong with the company's stock and its copies, empty when nothing: every bin of its
	warehouses against its stock ledger, every copied item's chain against the original's, every copied
	document's child and ledger rows against the original's."""
	return _bins(frappe, company) + _chains(frappe, company) + _documents(frappe, company)


def _bins(frappe, company: str) -> list[str]:
	"""Bins whose quantity is not the last stock ledger entry's quantity after it, or whose stock value
	is not the sum of the entries' stock value differences."""
	rows = frappe.db.sql(
		"""select bin.item_code, bin.warehouse,
			cast(bin.actual_qty as char), cast(bin.stock_value as char),
			cast(coalesce(last.qty_after_transaction, 0) as char),
			cast(coalesce(total.stock_value, 0) as char)
		from `tabBin` bin
		join `tabWarehouse` warehouse on warehouse.name = bin.warehouse
		left join (
			select item_code, warehouse, qty_after_transaction, row_number() over (
				partition by item_code, warehouse order by posting_date desc, posting_time desc, creation desc
			) as place
			from `tabStock Ledger Entry` where company = %(company)s and is_cancelled = 0
		) last on last.item_code = bin.item_code and last.warehouse = bin.warehouse and last.place = 1
		left join (
			select item_code, warehouse, sum(stock_value_difference) as stock_value
			from `tabStock Ledger Entry` where company = %(company)s and is_cancelled = 0
			group by item_code, warehouse
		) total on total.item_code = bin.item_code and total.warehouse = bin.warehouse
		where warehouse.company = %(company)s and (
			bin.actual_qty != coalesce(last.qty_after_transaction, 0)
			or bin.stock_value != coalesce(total.stock_value, 0)
		)
		order by bin.item_code, bin.warehouse""",
		{"company": company},
	)
	return [
		f"Bin of {item} in {warehouse}: quantity {qty}, stock value {value}; "
		f"ledger: quantity {ledger_qty}, stock value {ledger_value}"
		for item, warehouse, qty, value, ledger_qty, ledger_value in rows
	]


def _chains(frappe, company: str) -> list[str]:
	"""Copied items whose chain of stock ledger entries in a warehouse differs from the original item's
	there: compared by count, dates and the sums of its quantities, values, rates and queues."""
	rows = frappe.db.sql(
		"""select item_code, warehouse, count(*), min(posting_date), max(posting_date),
			cast(sum(actual_qty) as char), cast(sum(qty_after_transaction) as char),
			cast(sum(stock_value_difference) as char), cast(sum(stock_value) as char),
			cast(sum(valuation_rate) as char), sum(crc32(coalesce(stock_queue, '')))
		from `tabStock Ledger Entry` where company = %(company)s and is_cancelled = 0
		group by item_code, warehouse""",
		{"company": company},
	)
	chains = {(item, warehouse): tuple(rest) for item, warehouse, *rest in rows}
	problems = []
	for (item, warehouse), chain in sorted(chains.items()):
		m = COPY.search(item)
		if m and chains.get((item[: m.start()], warehouse), chain) != chain:
			problems.append(f"stock ledger of {item} in {warehouse} differs from {item[: m.start()]}'s")
	return problems


def _documents(frappe, company: str) -> list[str]:
	"""Copied documents without an original, or with another number of rows than it in a child table
	or a ledger."""
	ledgers = [ledger for ledger in LEDGERS if frappe.db.table_exists(ledger)]
	doctypes = set()
	for ledger in ("Stock Ledger Entry", "GL Entry"):
		doctypes |= set(
			frappe.db.sql_list(
				f"select distinct voucher_type from `tab{ledger}` where company = %(company)s",
				{"company": company},
			)
		)
	problems = []
	for doctype in sorted(doctypes):
		names = set(
			frappe.db.sql_list(
				f"select name from `tab{doctype}` where company = %(company)s and docstatus = 1",
				{"company": company},
			)
		)
		copies = {name: name[: m.start()] for name in names if (m := COPY.search(name))}
		if not copies:
			continue
		problems += [
			f"{doctype} {copy} has no original {original}"
			for copy, original in sorted(copies.items())
			if original not in names
		]
		counts = {}
		for child in _children(frappe, doctype):
			counts[child] = dict(
				frappe.db.sql(
					f"""select parent, count(*) from `tab{child}`
					where parenttype = %(doctype)s and parent in (
						select name from `tab{doctype}` where company = %(company)s and docstatus = 1
					)
					group by parent""",
					{"doctype": doctype, "company": company},
				)
			)
		for ledger in ledgers:
			counts[ledger] = dict(
				frappe.db.sql(
					f"""select voucher_no, count(*) from `tab{ledger}`
					where company = %(company)s and voucher_type = %(doctype)s group by voucher_no""",
					{"doctype": doctype, "company": company},
				)
			)
		for copy, original in sorted(copies.items()):
			for table, count in counts.items():
				rows, its_rows = count.get(copy, 0), count.get(original, 0)
				if original in names and rows != its_rows:
					problems.append(f"{doctype} {copy} has {rows} {table} rows, {original} {its_rows}")
	return problems


def main() -> int:
	parser = argparse.ArgumentParser(
		description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
	)
	parser.add_argument("--site", required=True)
	parser.add_argument("--company", required=True)
	parser.add_argument("--copies", type=int, required=True)
	args = parser.parse_args()

	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		t = time.perf_counter()
		written = copy_documents(
			frappe, args.company, args.copies, progress=lambda line: print(line, flush=True)
		)
		copy_s = time.perf_counter() - t
		t = time.perf_counter()
		problems = check(frappe, args.company)
		check_s = time.perf_counter() - t
		rate = written / max(copy_s, 1e-9)
		print(f"{written} documents written in {copy_s:.1f} s ({rate:.0f} documents/s)")
		print(f"check: {check_s:.1f} s, {len(problems)} problems")
		for problem in problems[:20]:
			print(f"  {problem}")
		return 1 if problems else 0
	finally:
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
