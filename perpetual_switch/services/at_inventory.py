"""The annual inventory communication to the AT (Portugal): the company's closing stock of a tax year as
the AT's file (XML 1_02 or 2_01, or the portal's CSV), with the checks that must pass before it is
downloaded. The desk report, the download and the bench command all call `inventory`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import frappe
from frappe import _

from perpetual_switch.engine.at_inventory import (
	VERSION_QUANTITIES,
	VERSION_VALUED,
	InventoryFile,
	InventoryLine,
	checks,
	nif_digits,
	reported_lines,
	to_csv,
	to_xml,
	totals_by_category,
	version_for,
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
	mandatory: bool | None
	"""Whether the company must keep perpetual inventory for the year (None: not known)."""
	blockers: tuple[Issue, ...]
	stock_gl: object
	"""The stock accounts' GL balance at the end date (None for a periodic company)."""


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


def inventory(company: str, year, version: str | None = None) -> Inventory:
	"""The company's closing inventory of tax year `year`: the file's lines (stock per item at the end of
	the year, from the stock ledger) and every check at once."""
	guards.require_reader(company)
	year, chosen = _year(year), _version(version)
	facts = io.company_facts(company)
	end_date = io.fiscal_year_end(company, year) or date(year, 12, 31)
	mandatory = mandatory_for(company, year)
	lines = []
	for rows in io.stock_chunks(company, end_date):
		for code, description, barcode, uom, category, proposed, qty, value in rows:
			lines.append(InventoryLine(code, description, barcode, category or proposed, qty, uom, round_money(value, 2)))
	file = InventoryFile(nif_digits(facts.tax_id), year, end_date, version_for(mandatory, chosen), tuple(lines))
	blockers = list(checks(file))
	stock_gl = None
	if facts.enable_perpetual_inventory:
		stock_gl = round_money(io.stock_account_balance(company, end_date), 2)
		total = sum((line.value for line in reported_lines(file)), round_money(0, 2))
		if total != stock_gl:
			blockers.append(
				Issue(
					"stock_gl_difference",
					_(
						"The file's stock value on {date}, {total} {currency}, differs from the stock accounts' balance, {gl} {currency}, by {difference} {currency}: the drift watch (perpetual-switch watch) and the Perpetual Switch Reconciliation report show where; re-sync the stock accounts or correct the entries first."
					),
					company,
					{
						"date": end_date,
						"total": money_str(total, 2),
						"gl": money_str(stock_gl, 2),
						"difference": money_str(total - stock_gl, 2),
						"currency": facts.default_currency,
					},
				)
			)
	return Inventory(company, year, end_date, facts.default_currency, file, mandatory, tuple(blockers), stock_gl)


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
		"no_stock": not lines,
		"mandatory": result.mandatory,
		"lines_count": len(lines),
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
			for category, (qty, value) in sorted(totals_by_category(lines).items())
		],
		"stock_gl": money_str(result.stock_gl, 2) if result.stock_gl is not None else None,
		"blockers": [issue_to_dict(issue, _) for issue in result.blockers],
	}


def file_content(result: Inventory, fmt: str) -> tuple[str, bytes]:
	"""(file name, content) of the inventory in `fmt`; refused, naming every check, while any fails."""
	fmt = (fmt or "xml").lower()
	if fmt not in FORMATS:
		frappe.throw(_("Format {0} is not one of {1}.").format(frappe.bold(fmt), ", ".join(FORMATS)))
	if result.blockers:
		frappe.throw(
			"<br>".join(frappe.utils.escape_html(issue_to_dict(b, _)["message"]) for b in result.blockers),
			title=_("The inventory file cannot be made"),
		)
	name = f"inventario-{result.file.nif or 'sem-nif'}-{result.year}-{result.file.version}.{fmt}"
	return name, to_xml(result.file) if fmt == "xml" else to_csv(result.file)
