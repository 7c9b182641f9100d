"""The annual inventory communication to the AT (Portugal): the company's closing stock of a tax year as
the AT's file (XML 1_02 or 2_01, or the portal's CSV), with the checks that must pass before it is
downloaded. The desk report, the download and the bench command all call `inventory`."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date

import frappe
from frappe import _

from perpetual_switch.engine.at_inventory import (
	VERSION_QUANTITIES,
	VERSION_VALUED,
	XML_TAIL,
	InventoryFile,
	InventoryLine,
	Scan,
	csv_head,
	csv_row,
	nif_digits,
	reported_lines,
	to_csv,
	to_xml,
	version_for,
	xml_head,
	xml_row,
)
from perpetual_switch.engine.models import Issue
from perpetual_switch.engine.money import money_str, round_money
from perpetual_switch.engine.serialize import issue_to_dict
from perpetual_switch.erpnext_io import at_inventory as io
from perpetual_switch.services import guards

VERSIONS = (VERSION_QUANTITIES, VERSION_VALUED)
FORMATS = ("xml", "csv")


@dataclass(frozen=True)
class Inventory:
	company: str
	year: int
	end_date: date
	currency: str
	file: InventoryFile
	"""The file's header and the lines kept (all of them, or the first few asked for)."""
	mandatory: bool | None
	"""Whether the company must keep perpetual inventory for the year (None: not known)."""
	blockers: tuple[Issue, ...]
	stock_gl: object
	"""The stock accounts' GL balance at the end date (None for a periodic company)."""
	lines_count: int = 0
	"""How many lines the file lists."""
	totals: dict = field(default_factory=dict)
	"""Quantity and value per category, over every line."""
	value: object = None
	"""The file's total value."""


def _year(value) -> int:
	try:
		year = int(str(value).strip())
	except (TypeError, ValueError):
		year = 0
	if not 2000 <= year <= 9999:
		frappe.throw(_("{0} is not a tax year: give one such as 2026.").format(frappe.bold(str(value))))
	return year


def _version(value) -> str | None:
	if value in (None, ""):
		return None
	if value not in VERSIONS:
		frappe.throw(_("{0} is not a version of the AT's inventory file; use 1_02 or 2_01.").format(frappe.bold(str(value))))
	return value


def mandatory_for(company: str, year: int) -> bool | None:
	"""Whether the company must keep perpetual inventory in `year`, as the mandatory test decides."""
	from perpetual_switch.services import snc

	return snc.mandatory_for_year(company, year)["mandatory"]


def inventory(
	company: str, year, version: str | None = None, keep: int | None = None, sink=None, restart=None
) -> Inventory:
	"""The company's closing inventory of tax year `year`: the file's lines (stock per item at the end of
	the year, from the stock ledger) and every check at once.

	The lines are read and checked a chunk at a time; the result keeps the first `keep` of those the
	file lists (all when None), and `sink`, when given, is called with the fields of each of them as the
	file writes them (`row_fields`) and the file's version, in the file's order (so a file of any size
	is written without holding it). Should the lines
	have to be read again (ERPNext's bins found out of step with the ledger at the end), `restart` is
	called first: what `sink` got so far is void."""
	guards.require_reader(company)
	year, chosen = _year(year), _version(version)
	facts = io.company_facts(company)
	end_date = io.fiscal_year_end(company, year) or date(year, 12, 31)
	mandatory = mandatory_for(company, year)
	version = version_for(mandatory, chosen)
	nif = nif_digits(facts.tax_id)
	try:
		scan, kept = _lines(company, end_date, nif, version, keep, sink, from_bins=True)
	except io.BinsOutOfStep:
		# The bins were out of step with the ledger: everything is read again from the ledger.
		if restart is not None:
			restart()
		scan, kept = _lines(company, end_date, nif, version, keep, sink, from_bins=False)
	blockers = scan.issues
	stock_gl = None
	if facts.enable_perpetual_inventory:
		stock_gl = round_money(io.stock_account_balance(company, end_date), 2)
		if scan.value != stock_gl:
			blockers.append(
				Issue(
					"stock_gl_difference",
					_(
						"The file's stock value on {date}, {total} {currency}, differs from the stock accounts' balance, {gl} {currency}, by {difference} {currency}: the drift watch (perpetual-switch watch) and the Perpetual Switch Reconciliation report show where; re-sync the stock accounts or correct the entries first."
					),
					company,
					{
						"date": end_date,
						"total": money_str(scan.value, 2),
						"gl": money_str(stock_gl, 2),
						"difference": money_str(scan.value - stock_gl, 2),
						"currency": facts.default_currency,
					},
				)
			)
	return Inventory(
		company, year, end_date, facts.default_currency, InventoryFile(nif, year, end_date, version, tuple(kept)),
		mandatory, tuple(blockers), stock_gl, scan.count, scan.totals, scan.value,
	)  # fmt: skip


def _lines(company, end_date, nif, version, keep, sink, from_bins) -> tuple[Scan, list]:
	# The item codes are the items' primary keys, so only codes that cleaning changes can repeat.
	scan = Scan(nif, end_date, version, io.codes_at_risk())
	kept = []
	for rows in io.stock_chunks(company, end_date, from_bins=from_bins):
		for code, description, barcode, uom, category, proposed, qty, value in rows:
			line = InventoryLine(code, description, barcode, category or proposed, qty, uom, round_money(value, 2))
			row = scan.add(line)
			if row is None:
				continue
			if keep is None or len(kept) < keep:
				kept.append(line)
			if sink is not None:
				sink(row, version)
	return scan, kept


def as_dict(result: Inventory, limit: int | None = None) -> dict:
	"""The inventory as the desk and `--json` show it: the header, the lines (the first `limit`), the
	totals per category and the checks."""
	lines = reported_lines(result.file)
	shown = lines if limit is None else lines[:limit]
	return {
		"company": result.company,
		"year": result.year,
		"end_date": str(result.end_date),
		"currency": result.currency,
		"version": result.file.version,
		"nif": result.file.nif,
		"no_stock": not result.lines_count,
		"mandatory": result.mandatory,
		"lines_count": result.lines_count,
		"lines": [
			{
				"item_code": line.item_code,
				"description": line.description,
				"barcode": line.barcode,
				"category": line.category,
				"qty": format(line.qty.normalize(), "f") if line.qty else "0",
				"uom": line.uom,
				"value": money_str(line.value, 2),
			}
			for line in shown
		],
		"totals": [
			{"category": category, "qty": format(qty.normalize(), "f") if qty else "0", "value": money_str(value, 2)}
			for category, (qty, value) in result.totals.items()
		],
		"stock_gl": money_str(result.stock_gl, 2) if result.stock_gl is not None else None,
		"blockers": [issue_to_dict(issue, _) for issue in result.blockers],
	}


def refuse_blocked(result: Inventory) -> None:
	"""Refuses, naming every failing check, when any fails."""
	if result.blockers:
		frappe.throw(
			"<br>".join(frappe.utils.escape_html(issue_to_dict(b, _)["message"]) for b in result.blockers),
			title=_("The inventory file cannot be made"),
		)


def _format(fmt: str | None) -> str:
	fmt = (fmt or "xml").lower()
	if fmt not in FORMATS:
		frappe.throw(_("Format {0} is not one of {1}.").format(frappe.bold(fmt), ", ".join(FORMATS)))
	return fmt


def _file_name(result: Inventory, fmt: str) -> str:
	return f"inventario-{result.file.nif or 'sem-nif'}-{result.year}-{result.file.version}.{fmt}"


def _head(result: Inventory, fmt: str) -> bytes:
	file = result.file
	if fmt == "csv":
		return csv_head(file.version)
	return xml_head(file.nif, file.fiscal_year, file.end_date, file.version, not result.lines_count)


def file_content(result: Inventory, fmt: str) -> tuple[str, bytes]:
	"""(file name, content) of an inventory read with all its lines kept, in `fmt`; refused, naming
	every check, while any fails."""
	fmt = _format(fmt)
	refuse_blocked(result)
	if len(result.file.lines) != result.lines_count:
		raise ValueError("file_content needs the inventory's every line: read it with keep=None, or use write_file")
	return _file_name(result, fmt), to_xml(result.file) if fmt == "xml" else to_csv(result.file)


# The file's lines are held in memory up to this size, then on disk, until the checks have passed.
SPOOL_BYTES = 8 * 2**20


def write_file(company: str, year, version: str | None, fmt: str, out, keep: int = 0) -> tuple[str | None, Inventory]:
	"""Writes the inventory file to the binary stream `out`, a chunk of items at a time, and returns
	(file name, inventory). The lines wait in a spool (memory, then a temporary file) until every
	check has passed; while any fails, nothing is written to `out` and the name is None (the
	inventory names the checks: `refuse_blocked` turns them into the error)."""
	fmt = _format(fmt)
	row_bytes = csv_row if fmt == "csv" else xml_row
	with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
		waiting: list[bytes] = []  # lines written to the spool a thousand at a time

		def sink(row, version):
			waiting.append(row_bytes(row, version))
			if len(waiting) >= 1000:
				body.write(b"".join(waiting))
				waiting.clear()

		def restart():
			waiting.clear()
			body.seek(0)
			body.truncate()

		result = inventory(company, year, version, keep, sink, restart)
		body.write(b"".join(waiting))
		if result.blockers:
			return None, result
		out.write(_head(result, fmt))
		body.seek(0)
		shutil.copyfileobj(body, out)
		if fmt == "xml":
			out.write(XML_TAIL)
	return _file_name(result, fmt), result
