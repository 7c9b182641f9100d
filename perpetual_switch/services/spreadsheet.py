"""Sheets of rows as one XLSX workbook (Frappe's own helper), money columns at the currency's precision."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from frappe import _

from perpetual_switch.engine.export import AMOUNTS


def xlsx(sheets: dict, precision: int, amounts: dict | None = None) -> bytes:
	"""The sheets as one workbook, money columns (`amounts`, per sheet) at the currency's precision."""
	import openpyxl
	from frappe.utils.xlsxutils import make_xlsx

	workbook = openpyxl.Workbook()
	workbook.remove(workbook.active)
	# The helper puts each new sheet first: add them last to first.
	for key in reversed(list(sheets)):
		headers, rows = sheets[key]
		make_xlsx([headers, *rows], _(key)[:31], wb=workbook)
	number_format = "#,##0" + ("." + "0" * precision if precision else "")
	for key in sheets:
		sheet = workbook[_(key)[:31]]
		for row in sheet.iter_rows(min_row=2):
			for column in (amounts or AMOUNTS)[key]:
				if isinstance(row[column].value, (Decimal, int, float)):
					row[column].number_format = number_format
	out = BytesIO()
	workbook.save(out)
	return out.getvalue()
