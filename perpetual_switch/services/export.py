"""The plan as a file: XLSX (Frappe's own xlsx helper, one sheet per part) or CSV (the same sheets
in one file). Amounts are numbers with the currency's precision, not text."""

from __future__ import annotations

import frappe
from frappe import _

from perpetual_switch.engine.export import plan_sheets, to_csv
from perpetual_switch.engine.models import SwitchOptions
from perpetual_switch.erpnext_io import switch_records
from perpetual_switch.erpnext_io.reader import currency_precision
from perpetual_switch.services import lifecycle
from perpetual_switch.services.background import preview_result
from perpetual_switch.services.spreadsheet import xlsx
from perpetual_switch.services.switch import plan_dict

FORMATS = ("csv", "xlsx")


def plan_file(options: SwitchOptions, fmt: str = "xlsx", compute_preview: bool = False, fingerprint: str | None = None):
	"""(file name, bytes) of the company's plan in `fmt`. A backdated plan carries the GL change:
	computed here with `compute_preview` (a command), else this user's last computed one for this
	very plan (same fingerprint), if any (the desk computes it as a job). With `fingerprint`, a plan
	that is no longer the one reviewed is refused rather than written."""
	fmt = (fmt or "").lower()
	if fmt not in FORMATS:
		frappe.throw(_("Format {0} is not one of {1}.").format(fmt, ", ".join(FORMATS)))
	result = lifecycle.plan(options, preview=compute_preview, fingerprint=fingerprint)
	data = plan_dict(result)
	changed = [b for b in data["blockers"] if b["code"] == "plan_changed"]
	if changed:
		frappe.throw(changed[0]["message"], title=_("The plan changed"))
	if result.operation.is_backdated and not compute_preview:
		computed = preview_result(options.company)
		if computed.get("status") == "Done" and computed["plan"].get("fingerprint") == data["fingerprint"]:
			data["backdated"] = computed["plan"]["backdated"]
	sheets = plan_sheets(data, _)
	name = f"perpetual-switch-plan-{frappe.scrub(options.company)}-{data['cutover_date']}.{fmt}"
	if fmt == "csv":
		return name, to_csv({_(k): v for k, v in sheets.items()}).encode("utf-8")
	return name, xlsx(sheets, result.precision)


def switch_file(name: str, fmt: str = "xlsx"):
	"""(file name, bytes) of the plan a switch stored when it was planned or applied, with every
	receipt row it accrued."""
	fmt = (fmt or "").lower()
	if fmt not in FORMATS:
		frappe.throw(_("Format {0} is not one of {1}.").format(fmt, ", ".join(FORMATS)))
	doc = frappe.get_doc("Switch to Perpetual Inventory", name)
	doc.check_permission("read")
	data = frappe.parse_json(doc.plan_json or "{}")
	if not data:
		frappe.throw(_("Switch {0} has no stored plan yet; save it first.").format(name))
	if doc.docstatus == 1:
		data.setdefault("srbnb", {})["receipts"] = switch_records.switch_accruals(name)
	sheets = plan_sheets(data, _)
	file_name = f"{frappe.scrub(name)}.{fmt}"
	if fmt == "csv":
		return file_name, to_csv({_(k): v for k, v in sheets.items()}).encode("utf-8")
	return file_name, xlsx(sheets, currency_precision(data.get("currency") or doc.currency))
