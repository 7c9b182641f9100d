"""The plan as a spreadsheet: one sheet each for warehouses, stock accounts, journal lines, receipts
accrued and company defaults, amounts as numbers (Decimal at the currency's precision), and the
same sheets as one CSV file that reads back to them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

SHEETS = ("Warehouses", "Stock Accounts", "Journal Lines", "Receipts Accrued", "Company Defaults")
AMOUNTS = {  # columns holding money, per sheet (0-based)
	"Warehouses": (5,),
	"Stock Accounts": (1, 2, 3),
	"Journal Lines": (2, 3),
	"Receipts Accrued": (4,),
	"Company Defaults": (),
	"Documents to Repost": (),
	"GL Change": (1, 2, 3),
}
BACKDATED_SHEETS = ("Documents to Repost", "GL Change")
MARK = "#"  # a CSV row ["#", sheet] starts each sheet; the next row is its header


def _amount(value) -> Decimal | None:
	return None if value in (None, "") else Decimal(str(value))


def plan_sheets(plan: dict, labels=None) -> dict[str, tuple[list[str], list[list]]]:
	"""`plan` is the plan contract (plan_to_dict); `labels(text)` translates headers and names."""
	t = labels or (lambda text: text)
	srbnb = plan.get("srbnb") or {}
	sheets = {
		"Warehouses": (
			[t("Warehouse"), t("Group"), t("Account"), t("Source"), t("Source Warehouse"), t("Stock Value")],
			[
				[w["warehouse"], int(bool(w["is_group"])), w["account"], w["source"], w["source_warehouse"], _amount(w["stock_value"])]
				for w in plan.get("warehouses", [])
			],
		),
		"Stock Accounts": (
			[t("Stock Account"), t("Stock Value"), t("GL Balance"), t("Difference")],
			[
				[a["account"], _amount(a["stock_value"]), _amount(a["gl_balance"]), _amount(a["difference"])]
				for a in plan.get("stock_accounts", [])
			],
		),
		"Journal Lines": (
			[t("Journal Entry"), t("Account"), t("Debit"), t("Credit"), t("Cost Center")],
			[
				[j["purpose"], line["account"], _amount(line["debit"]), _amount(line["credit"]), line["cost_center"]]
				for j in plan.get("journal_entries", [])
				for line in j["lines"]
			],
		),
		"Receipts Accrued": (
			[t("Purchase Receipt"), t("Receipt Row"), t("Item"), t("Unbilled Qty"), t("Unbilled Value")],
			[
				[r["purchase_receipt"], r["item_row"], r["item_code"], _amount(r["unbilled_qty"]), _amount(r["unbilled_value"])]
				for r in srbnb.get("receipts", [])
			],
		),
		"Company Defaults": (
			[t("Field"), t("Current"), t("Proposed")],
			[[c["field"], c["current"], c["proposed"]] for c in plan.get("company_defaults", [])],
		),
	}
	backdated = plan.get("backdated")
	if backdated:
		# A backdated switch: what it reposts after the cutover and, once computed, the GL change.
		sheets["Documents to Repost"] = (
			[t("Voucher Type"), t("Count")],
			[[row["voucher_type"], row["count"]] for row in backdated.get("by_type", [])],
		)
		sheets["GL Change"] = (
			[t("Account"), t("Before"), t("After"), t("Change")],
			[
				[c["account"], _amount(c["before"]), _amount(c["after"]), _amount(c["change"])]
				for c in backdated.get("account_changes", [])
			],
		)
	return sheets


def to_csv(sheets: dict) -> str:
	out = io.StringIO()
	writer = csv.writer(out, lineterminator="\n")
	for name, (headers, rows) in sheets.items():
		writer.writerow([MARK, name])
		writer.writerow(headers)
		writer.writerows([["" if v is None else v for v in row] for row in rows])
	return out.getvalue()


def from_csv(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
	"""The sheets back from `to_csv`, every cell as text (empty for none)."""
	sheets: dict = {}
	current = None
	for row in csv.reader(io.StringIO(text)):
		if len(row) == 2 and row[0] == MARK:
			current = sheets[row[1]] = ([], [])
		elif current is not None and not current[0]:
			current[0].extend(row)
		elif current is not None:
			current[1].append(row)
	return sheets
