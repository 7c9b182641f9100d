"""Whitelisted endpoints of the wizard. Each only parses arguments and calls a service; the services
check permissions (read access to the company's accounts for a plan, Accounts Manager for apply
and rollback)."""

import frappe
from frappe.utils import cint

from perpetual_switch import services
from perpetual_switch.engine.models import SwitchOptions
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.services import guards, lifecycle
from perpetual_switch.services.switch import RECEIPTS_SHOWN, publish_progress


def _options(
	company,
	cutover_date,
	expense_account=None,
	cost_center=None,
	freeze_accounts=None,
	company_defaults=None,
	backdated=None,
	scheme=None,
	resync=None,
) -> SwitchOptions:
	"""The wizard's choices as the services take them: one options object."""
	overrides = None
	if company_defaults:
		try:
			overrides = frappe.parse_json(company_defaults)
		except ValueError:
			frappe.throw(
				frappe._("company_defaults is not valid JSON: {0}").format(frappe.bold(str(company_defaults)[:200]))
			)
	if overrides is not None and not isinstance(overrides, dict):
		frappe.throw(frappe._("Company defaults must be a mapping of field to value."))
	return SwitchOptions(
		company,
		cutover_date,
		expense_account or None,
		cost_center or None,
		freeze_accounts=bool(cint(freeze_accounts)),
		company_defaults=overrides,
		backdated=bool(cint(backdated)),
		scheme=scheme or None,
		resync=bool(cint(resync)),
	)


@frappe.whitelist()
@mariadb_only
def get_plan(
	company: str,
	cutover_date: str | None = None,
	expense_account: str | None = None,
	cost_center: str | None = None,
	company_defaults: str | dict | None = None,
	freeze_accounts: str | int | None = None,
	backdated: str | int | None = None,
	scheme: str | None = None,
	resync: str | int | None = None,
) -> dict:
	# A backdated plan without the GL change: that is computed by a job (enqueue_backdated_preview) the wizard asks for.
	options = _options(
		company, cutover_date, expense_account, cost_center, freeze_accounts, company_defaults, backdated, scheme, resync
	)
	plan = lifecycle.plan(options, progress=publish_progress)
	# A person does not read tens of thousands of receipt rows: the first ones, with count and total.
	return {**services.plan_dict(plan, RECEIPTS_SHOWN), "context": services.context(company)}


@frappe.whitelist(methods=["POST"])
@mariadb_only
def apply(
	company: str,
	cutover_date: str,
	expense_account: str | None = None,
	cost_center: str | None = None,
	company_defaults: str | dict | None = None,
	freeze_accounts: str | int | None = None,
	backdated: str | int | None = None,
	scheme: str | None = None,
	resync: str | int | None = None,
) -> dict:
	"""Enqueue the switch; the wizard follows the job's progress and state."""
	from perpetual_switch.services import background

	background.enqueue_apply(
		_options(
			company, cutover_date, expense_account, cost_center, freeze_accounts, company_defaults, backdated, scheme, resync
		)
	)
	return services.context(company)


@frappe.whitelist(methods=["POST"])
@mariadb_only
def apply_switch(name: str) -> dict:
	"""Enqueue the submission of a draft switch made in the form."""
	from perpetual_switch.services import background

	company = frappe.db.get_value("Switch to Perpetual Inventory", name, "company")
	if not company:
		frappe.throw(frappe._("Switch {0} does not exist.").format(frappe.bold(name)), frappe.DoesNotExistError)
	background.enqueue_apply(SwitchOptions(company), switch=name)
	return services.context(company)


@frappe.whitelist(methods=["POST"])
@mariadb_only
def rollback(company: str, overwrite_later_edits: str | int | None = None) -> dict:
	from perpetual_switch.services import background

	background.enqueue_rollback(company, bool(cint(overwrite_later_edits)))
	return services.context(company)


@frappe.whitelist(methods=["POST"])
@mariadb_only
def enqueue_backdated_preview(
	company: str,
	cutover_date: str | None = None,
	expense_account: str | None = None,
	cost_center: str | None = None,
	company_defaults: str | dict | None = None,
	freeze_accounts: str | int | None = None,
) -> dict:
	"""Enqueue the computation of what a backdated switch would change; read it with backdated_preview_result."""
	from perpetual_switch.services import background

	return background.enqueue_preview(
		_options(company, cutover_date, expense_account, cost_center, freeze_accounts, company_defaults, backdated=True)
	)


@frappe.whitelist()
@mariadb_only
def backdated_preview_result(company: str) -> dict:
	from perpetual_switch.services import background

	guards.require_reader(company)
	return background.preview_result(company)


@frappe.whitelist()
@mariadb_only
def job_state(company: str) -> dict:
	return services.context(company)


@frappe.whitelist()
@mariadb_only
def snc_offers_this_year(company: str, year: int | None = None) -> dict:
	from perpetual_switch.services import snc

	return snc.offers_this_year(company, year)


@frappe.whitelist()
@mariadb_only
def snc_mandatory_check(company: str, date: str | None = None, average_employees: float | None = None) -> dict:
	from perpetual_switch.services import snc

	return snc.mandatory_check(company, date, average_employees)


@frappe.whitelist()
@mariadb_only
def stock_accounts_out_of_sync(filters: str | dict | None = None) -> int:
	"""The Number Card "Stock accounts out of sync": accounts out of sync on each company's latest
	drift snapshot (the companies the user may read)."""
	from perpetual_switch.services import drift

	frappe.has_permission("Perpetual Stock Drift", "read", throw=True)
	companies = [c for c in frappe.get_list("Company", pluck="name")]
	return drift.out_of_sync_count(companies)


@frappe.whitelist()
@mariadb_only
def download_plan(
	company: str | None = None,
	cutover_date: str | None = None,
	file_format: str = "xlsx",
	expense_account: str | None = None,
	cost_center: str | None = None,
	switch: str | None = None,
	backdated: str | int | None = None,
	scheme: str | None = None,
	resync: str | int | None = None,
) -> None:
	"""The plan as an XLSX or CSV download: a company's plan now, or the plan a switch stored (the
	plan's or the switch's own permission checks apply)."""
	from perpetual_switch.services.export import plan_file, switch_file

	if switch:
		name, content = switch_file(switch, file_format)
	else:
		options = _options(company, cutover_date, expense_account, cost_center, backdated=backdated, scheme=scheme, resync=resync)
		name, content = plan_file(options, file_format)
	frappe.response["filename"] = name
	frappe.response["filecontent"] = content
	frappe.response["type"] = "binary"


@frappe.whitelist()
@mariadb_only
def download_srbnb(company: str, as_of: str | None = None, file_format: str = "xlsx", all_rows: str | int | None = None) -> None:
	"""The SRBNB reconciliation as an XLSX or CSV download (the reconciliation checks read access)."""
	from perpetual_switch.services.srbnb import reconciliation_file

	name, content = reconciliation_file(company, as_of or None, file_format, bool(cint(all_rows)))
	frappe.response["filename"] = name
	frappe.response["filecontent"] = content
	frappe.response["type"] = "binary"


def _clearing_choices(posting_date=None, causes=None, sources=None, expense_account=None, cost_center=None) -> dict:
	return {
		"posting_date": posting_date or None,
		"causes": causes or None,
		"sources": sources or None,
		"expense_account": expense_account or None,
		"cost_center": cost_center or None,
	}


@frappe.whitelist()
@mariadb_only
def srbnb_clearing_plan(
	company: str,
	posting_date: str | None = None,
	causes: str | None = None,
	sources: str | None = None,
	expense_account: str | None = None,
	cost_center: str | None = None,
) -> dict:
	"""The plan of an SRBNB clearing: its lines with their source, the journal and the blockers."""
	from perpetual_switch.services import srbnb_clearing

	return srbnb_clearing.plan_dict(
		srbnb_clearing.plan(company, **_clearing_choices(posting_date, causes, sources, expense_account, cost_center))
	)


@frappe.whitelist(methods=["POST"])
@mariadb_only
def srbnb_clearing_apply(
	company: str,
	posting_date: str | None = None,
	causes: str | None = None,
	sources: str | None = None,
	expense_account: str | None = None,
	cost_center: str | None = None,
) -> dict:
	"""Enqueue the clearing; the desk follows the job as it follows a switch's."""
	from perpetual_switch.services import background

	return background.enqueue_srbnb_clearing(
		company, **_clearing_choices(posting_date, causes, sources, expense_account, cost_center)
	)


@frappe.whitelist(methods=["POST"])
@mariadb_only
def srbnb_clearing_rollback(name: str) -> dict:
	from perpetual_switch.services import srbnb_clearing

	doc = srbnb_clearing.rollback(name)
	return {"name": doc.name, "status": doc.status, "journal_entry": doc.journal_entry}
