"""Stock Received But Not Billed reconciliation: per receipt row and cause, as of any date, tied to
the account's GL to the cent. Shared by the report, the command, the download and the drift watch.
Never writes."""

from __future__ import annotations

from dataclasses import dataclass

import frappe
from frappe import _

from perpetual_switch.engine.money import ZERO
from perpetual_switch.engine.srbnb_reconcile import (
	SHEET_AMOUNTS,
	RowReconciliation,
	Totals,
	reconcile_row,
	reconciliation_sheets,
	row_to_dict,
	totals_to_dict,
	voucher_line,
	voucher_line_to_dict,
)
from perpetual_switch.erpnext_io import srbnb as io
from perpetual_switch.erpnext_io import srbnb_vouchers
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.erpnext_io.reader import currency_precision
from perpetual_switch.services.guards import require_reader, valid_date

FORMATS = ("csv", "xlsx")


@dataclass
class Reconciliation:
	"""The figures of one reconciliation: totals, and the rows and voucher lines kept."""

	company: str
	as_of: object
	currency: str
	precision: int
	accounts: tuple
	gl_balance: object
	totals: Totals
	rows: list
	voucher_lines: list

	@property
	def expected(self):
		return self.totals.expected


@mariadb_only
def compute(company: str, as_of=None, all_rows: bool = False, keep_rows: bool = True, progress=None) -> Reconciliation:
	"""Reconcile the company's SRBNB as of `as_of` (today by default). Rows with a residual are kept
	(every row with anything on it with `all_rows`; none with `keep_rows=False`)."""
	require_reader(company)
	as_of = valid_date(as_of)
	currency = io.company_currency(company)
	precision = currency_precision(currency)
	accounts = io.srbnb_accounts(company)
	totals = Totals(precision)
	rows, lines = [], []
	if accounts:
		total = (io.receipt_count(company, as_of) or 1) if progress else 1
		done = 0
		# Rows settled at their value (nothing moved them, no residual) are listed only with all_rows.
		for chunk in io.receipt_chunks(company, accounts, as_of, precision, keep_settled=keep_rows and all_rows):
			if chunk.settled_rows:
				totals.add_settled(chunk.settled_rows, chunk.settled_value)
			for entry in chunk.entries:
				row = entry if type(entry) is RowReconciliation else reconcile_row(entry[0], entry[1], precision)
				if not (row.held or row.expected or row.residual):
					continue
				totals.add_row(row)
				if keep_rows and (row.residual or all_rows):
					rows.append(row)
			done += chunk.receipts
			if progress:
				progress(min(95, int(done * 95 / total)), _("Reconciling receipts ({0} of {1})").format(done, total))
		for voucher in srbnb_vouchers.voucher_remainders(company, accounts, as_of, precision):
			line = voucher_line(*voucher[:7], precision, *voucher[7:])
			if line:
				totals.add_voucher_line(line)
				lines.append(line)
	gl = io.gl_balance(company, accounts, as_of) if accounts else ZERO
	if progress:
		progress(100, _("Done"))
	return Reconciliation(company, as_of, currency, precision, accounts, gl, totals, rows, lines)


def reconcile(company: str, as_of=None, all_rows: bool = False, progress=None) -> dict:
	"""The reconciliation in the contract's JSON style (amounts as text at the currency's precision)."""
	result = compute(company, as_of, all_rows=all_rows, progress=progress)
	p = result.precision
	return {
		"company": company,
		"as_of": str(result.as_of),
		"currency": result.currency,
		"accounts": list(result.accounts),
		"totals": totals_to_dict(result.totals, result.gl_balance, _),
		"rows": [row_to_dict(row, p, _) for row in result.rows],
		"voucher_lines": [voucher_line_to_dict(line, p, _) for line in result.voucher_lines],
	}


def reconciliation_file(company: str, as_of=None, fmt: str = "xlsx", all_rows: bool = False):
	"""(file name, bytes) of the reconciliation as XLSX or CSV."""
	from perpetual_switch.engine.export import to_csv
	from perpetual_switch.services.spreadsheet import xlsx

	fmt = (fmt or "").lower()
	if fmt not in FORMATS:
		frappe.throw(_("Format {0} is not one of {1}.").format(fmt, ", ".join(FORMATS)))
	data = reconcile(company, as_of, all_rows=all_rows)
	sheets = reconciliation_sheets(data, _)
	name = f"srbnb-{frappe.scrub(company)}-{data['as_of']}.{fmt}"
	if fmt == "csv":
		return name, to_csv({_(k): v for k, v in sheets.items()}).encode("utf-8")
	return name, xlsx(sheets, currency_precision(data["currency"]), SHEET_AMOUNTS)
