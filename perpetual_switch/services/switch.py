"""Planning a switch: check, plan, status, the reconciliation and the audit. Applying and rolling back a
switch document is services.lifecycle's; the doctype, the commands and the wizard compute nothing themselves.

Transactions: these functions never commit. The bench commands commit on success and roll back on
any error; in the desk, Frappe does the same around the request.
"""

from __future__ import annotations

from dataclasses import replace

import frappe
from frappe import _

from perpetual_switch.engine.models import Issue, Plan, SwitchOptions
from perpetual_switch.engine.plan import apply_blockers, build_plan
from perpetual_switch.engine.operation import choose
from perpetual_switch.engine.scheme import SCHEMES
from perpetual_switch.engine.snc import applies as snc_applies
from perpetual_switch.engine.serialize import issue_to_dict, plan_to_dict
from perpetual_switch.erpnext_io import reader, switch_records, writer
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.services.guards import require_company, require_reader, valid_date

SWITCH = switch_records.SWITCH
JOURNAL_FIELDS = {
	"stock_sync": "stock_journal_entry",
	"srbnb_sync": "srbnb_journal_entry",
	"scheme_move": "scheme_journal_entry",
}


class SwitchBlocked(frappe.ValidationError):
	"""Blockers were found; nothing was written. Carries the plan so callers can show every blocker."""

	def __init__(self, plan: Plan, blockers: tuple[Issue, ...]):
		self.plan = plan
		self.blockers = blockers
		super().__init__(blockers_text(blockers))


class RollbackRefused(frappe.ValidationError):
	"""The switch cannot be rolled back as things stand; nothing was changed."""


def raise_blocked(plan: Plan, blockers: tuple[Issue, ...]):
	"""Show every blocker in one dialog (desk) and raise, so the transaction is rolled back."""
	frappe.msgprint(
		"<br>".join(frappe.utils.escape_html(m) for m in blockers_text(blockers).split("\n")),
		title=_("The switch cannot be applied"),
		indicator="red",
	)
	raise SwitchBlocked(plan, blockers)


def translate(text: str) -> str:
	return _(text)


def blockers_text(blockers) -> str:
	return "\n".join(issue_to_dict(b, translate)["message"] for b in blockers)


RECEIPTS_SHOWN = 200
"""Receipt rows a plan shows in the desk and stores on the switch; the rest are counted (and, once
applied, listed in full in the switch's accrual table)."""


def plan_dict(plan: Plan, receipts_limit: int | None = None) -> dict:
	return plan_to_dict(plan, translate, receipts_limit)


def issues_dicts(issues) -> list[dict]:
	return [issue_to_dict(issue, translate) for issue in issues]


def _validate_scheme(value) -> str | None:
	"""None or empty: no change of scheme; otherwise one of SCHEMES, said as such."""
	if value in (None, ""):
		return None
	if value not in SCHEMES:
		frappe.throw(
			_("{0} is not an inventory account scheme; use item-wise or warehouse-wise.").format(
				frappe.bold(str(value))
			)
		)
	return value


def what_to_do(company: str, scheme: str | None = None, backdated: bool = False) -> dict:
	"""What the wizard's first step says before any plan: the operation the options make on this
	company (its title, steps and a sentence), and whether the company keeps SNC books (Portugal), for
	the mandatory-inventory check."""
	require_reader(company)
	state = reader.company_state(company)
	operation = choose(bool(state.enable_perpetual_inventory), _validate_scheme(scheme), bool(backdated))
	return {
		"operation": operation.describe(translate),
		"summary": operation.summary(company, translate),
		"mandatory_check": snc_applies(state.country),
	}


def publish_progress(percent: int, description: str) -> None:
	"""Realtime progress for the desk; silent on the command line."""
	if getattr(frappe.local, "request", None):
		frappe.publish_progress(percent, title=_("Perpetual inventory switch"), description=description)


def build(options: SwitchOptions, exclude_switch: str | None = None, progress=None) -> Plan:
	"""The plan for `options`, without a permission check (the caller made it)."""
	overrides = {k: v for k, v in (options.company_defaults or {}).items() if v}
	for fieldname, value in overrides.items():
		if not isinstance(value, str):
			frappe.throw(
				_("The company default {0} must be the name of an account or cost center, not {1}.").format(
					frappe.bold(fieldname), frappe.bold(frappe.as_json(value))
				)
			)
	unknown = set(overrides) - set(reader.company_default_fields())
	if unknown:
		frappe.throw(_("{0} is not a company default the switch can set.").format(frappe.bold(", ".join(sorted(unknown)))))
	options = replace(
		options,
		cutover_date=valid_date(options.cutover_date),
		company_defaults=overrides,
		scheme=_validate_scheme(options.scheme),
	)
	inputs = reader.read_inputs(options, exclude_switch=exclude_switch, progress=progress)
	if progress:
		progress(100, _("Done"))
	return build_plan(inputs)


def plan(options: SwitchOptions, progress=None) -> Plan:
	require_reader(options.company)
	return build(options, progress=progress)


def options_of(doc) -> SwitchOptions:
	"""A switch document's options."""
	return SwitchOptions(
		doc.company,
		doc.cutover_date,
		doc.expense_account,
		doc.cost_center,
		bool(doc.freeze_stock),
		bool(doc.freeze_accounts),
		doc.flags.company_defaults,
		bool(doc.get("backdated")),
		doc.get("scheme") or None,
		bool(doc.get("resync")),
	)


def new_switch(options: SwitchOptions):
	"""A switch document for `options`, not saved (its company default overrides ride on its flags)."""
	doc = frappe.new_doc(SWITCH)
	doc.update(
		{
			"company": options.company,
			"cutover_date": valid_date(options.cutover_date),
			"expense_account": options.expense_account,
			"cost_center": options.cost_center,
			"freeze_stock": int(options.freeze_stock),
			"freeze_accounts": int(options.freeze_accounts),
			"backdated": int(bool(options.backdated)),
			"scheme": options.scheme or "",
			"resync": int(bool(options.resync)),
		}
	)
	doc.flags.company_defaults = options.company_defaults
	return doc


def nothing_to_apply(result: Plan) -> tuple[Issue, ...]:
	return apply_blockers(result, None if result.has_work else reader.active_switch(result.company))


def status(company: str) -> dict:
	require_reader(company)
	switch = latest_switch(company)
	current = build(SwitchOptions(company, freeze_stock=False))
	return {
		"company": company,
		"currency": current.currency,
		"perpetual_inventory_enabled": current.perpetual_inventory_enabled,
		"switch": switch.name if switch else None,
		"switch_status": switch.status if switch else None,
		"journal_entries": [switch.get(f) for f in JOURNAL_FIELDS.values() if switch.get(f)] if switch else [],
		"in_sync": current.in_sync,
		"stock_accounts": plan_dict(current)["stock_accounts"],
	}


latest_switch = switch_records.latest_switch


def reconciliation(company: str, as_on_date=None) -> list[dict]:
	"""Per stock account: stock value against GL balance, with the switch entries shown apart."""
	require_reader(company)
	result = build(SwitchOptions(company, as_on_date, freeze_stock=False))
	switch_amounts = switch_records.switch_journal_amounts(company, result.cutover_date)
	warehouses: dict[str, list[str]] = {}
	for line in result.warehouses:
		if line.account and not line.is_group:
			warehouses.setdefault(line.account, []).append(line.warehouse)
	return [
		{
			"account": line.account,
			"warehouses": ", ".join(warehouses.get(line.account, [])),
			"stock_value": line.stock_value,
			"gl_balance": line.gl_balance,
			"switch_entries": switch_amounts.get(line.account, 0),
			"difference": line.difference,
		}
		for line in result.stock_accounts
	]


def accruals(name: str) -> list[dict]:
	"""Every receipt row the switch accrued, with what later invoices cleared of it."""
	if not reader.exists(SWITCH, name):
		frappe.throw(_("Switch {0} does not exist.").format(frappe.bold(name or "")), frappe.DoesNotExistError)
	frappe.get_doc(SWITCH, name).check_permission("read")
	return switch_records.accruals_with_clearing(name)


AUDIT_RECEIPTS = 500


@mariadb_only
def audit(name: str) -> dict:
	"""What the switch's print format shows: the stored plan, the settings it changed and the
	receipt rows it accrued (the first ones; the report Perpetual Switch Accruals lists them all)."""
	doc = frappe.get_doc(SWITCH, name)
	doc.check_permission("read")
	data = frappe.parse_json(doc.plan_json or "{}")
	changes = [
		{
			"document": f"{row.document_type} {row.document_name}",
			"field": row.fieldname or row.action,
			"before": frappe.parse_json(row.previous_value) if row.previous_value else None,
			"after": frappe.parse_json(row.new_value) if row.new_value else None,
		}
		for row in doc.changes
	]
	journals = {
		purpose: doc.get(fieldname) for purpose, fieldname in JOURNAL_FIELDS.items() if doc.get(fieldname)
	}
	if doc.docstatus == 0:
		receipts = (data.get("srbnb") or {}).get("receipts", [])[:AUDIT_RECEIPTS]
	else:
		receipts = switch_records.switch_accruals(name, limit=AUDIT_RECEIPTS)
	reposted = []
	if doc.get("backdated"):
		reposted = [
			{**row, "changes": frappe.parse_json(row.changes) if row.changes else {}}
			for row in switch_records.reposted_vouchers(name, AUDIT_RECEIPTS)
		]
	return {
		"plan": data,
		"reposted": reposted,
		"changes": changes,
		"journal_names": journals,
		"receipts": receipts,
		"receipts_count": doc.receipts_count or 0,
	}


# A switch document's plan: validate fills the preview from it (services.lifecycle applies it).


@mariadb_only
def refresh_switch(doc) -> Plan:
	"""Compute the plan for a switch document and store its summary as the preview."""
	result = switch_plan(doc)
	data = plan_dict(result, RECEIPTS_SHOWN)
	doc.cutover_date = result.cutover_date
	doc.expense_account = result.expense_account
	doc.cost_center = result.cost_center
	doc.mode = result.mode
	doc.currency = result.currency
	doc.blockers_count = len(result.blockers)
	doc.warnings_count = len(result.warnings)
	rows = {
		"warehouses": [{**w, "currency": result.currency} for w in data["warehouses"]],
		"journal_lines": [
			{**line, "purpose": j["purpose"], "currency": result.currency}
			for j in data["journal_entries"]
			for line in j["lines"]
		],
	}
	if doc.is_new() and doc.docstatus == 1:
		# Inserted as submitted (apply): on_submit writes these rows, one insert per table instead
		# of Frappe's one per row (a row per warehouse: hundreds on a large company).
		doc.flags.preview_rows = rows
		rows = {fieldname: [] for fieldname in rows}
	for fieldname, values in rows.items():
		doc.set(fieldname, values)
	doc.repost_count = result.backdated.vouchers if result.backdated else 0
	doc.receipts_count = len(result.srbnb.receipts)
	doc.unbilled_total = result.srbnb.unbilled_value
	doc.plan_json = frappe.as_json(data)
	return result


def switch_plan(doc) -> Plan:
	"""The plan of a switch document. Within one apply (insert, then submit) it is computed once
	and kept on the document's flags; a later save of a draft computes it afresh."""
	require_company(doc.company)
	result = doc.flags.plan
	if result is None:
		if doc.docstatus == 1:
			# Being submitted from the form: decide under the company's lock.
			writer.lock_company(doc.company)
		result = build(options_of(doc), exclude_switch=doc.name, progress=_scaled(doc.flags.progress, 0, 40))
		doc.flags.plan = result
	return result


def _scaled(progress, start: int, end: int):
	"""Report a part's 0-100 % as start-end % of the whole."""
	if not progress:
		return None
	return lambda percent, description: progress(start + (end - start) * percent // 100, description)


