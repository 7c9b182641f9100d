"""Whitelisted endpoints of the wizard. Each only parses arguments and calls a service; the services
check permissions (read access to the company's accounts for a plan, Accounts Manager for apply
and rollback)."""

import functools
import inspect

import io

import frappe
from frappe.utils import cint

from perpetual_switch import services
from perpetual_switch.engine.models import OPTION_FIELDS, OPTION_KINDS, SwitchOptions, WireError
from perpetual_switch.services.guards import mariadb_only
from perpetual_switch.services import guards, lifecycle
from perpetual_switch.services.switch import RECEIPTS_SHOWN, publish_progress


def takes_options(fn):
	"""An endpoint whose arguments are the switch's options, as SwitchOptions declares them (one
	keyword per field, the kind of each in OPTION_KINDS), and the endpoint's own: Frappe passes the
	request's values by this signature, and `fn` gets one SwitchOptions. Adding an option to the
	declaration adds it to every such endpoint."""
	own = [p for name, p in inspect.signature(fn).parameters.items() if name != "options"]
	kinds = {"text": str | None, "date": str | None, "flag": str | int | bool | None, "mapping": str | dict | None}
	declared = [
		inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY if name != "company" else inspect.Parameter.POSITIONAL_OR_KEYWORD,
			default=inspect.Parameter.empty if name == "company" else None, annotation=str if name == "company" else kinds[kind])
		for name, kind in OPTION_KINDS.items()
	]  # fmt: skip
	own = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]

	@functools.wraps(fn)
	def endpoint(*args, **kwargs):
		values = dict(zip(OPTION_FIELDS, args))
		values.update({k: v for k, v in kwargs.items() if k in OPTION_KINDS})
		try:
			options = SwitchOptions.from_wire(values)
		except WireError as e:
			name, value, why = (*e.args, None)[:3]
			if why == "json":
				frappe.throw(frappe._("company_defaults is not valid JSON: {0}").format(frappe.bold(str(value)[:200])))
			if why == "mapping":
				frappe.throw(frappe._("Company defaults must be a mapping of field to value."))
			frappe.throw(frappe._("{0} is not a valid value for {1}.").format(frappe.bold(str(value)[:200]), name))
		return fn(options, **{k: v for k, v in kwargs.items() if k not in OPTION_KINDS})

	endpoint.__signature__ = inspect.Signature(declared + own)
	endpoint.__annotations__ = {p.name: p.annotation for p in declared + own if p.annotation is not inspect.Parameter.empty}
	del endpoint.__wrapped__
	return endpoint


@frappe.whitelist()
@mariadb_only
@takes_options
def get_plan(options: SwitchOptions) -> dict:
	# A backdated plan without the GL change: that is computed by a job (enqueue_backdated_preview) the wizard asks for.
	plan = lifecycle.plan(options, progress=publish_progress)
	# A person does not read tens of thousands of receipt rows: the first ones, with count and total.
	data = services.plan_dict(plan, RECEIPTS_SHOWN)
	# The options the plan was computed from, for the desk to post back unchanged with the fingerprint.
	return {**data, "options": options.as_dict(), "context": services.context(options.company)}


@frappe.whitelist(methods=["POST"])
@mariadb_only
@takes_options
def apply(options: SwitchOptions, fingerprint: str | None = None) -> dict:
	"""Enqueue the switch; the wizard follows the job's progress and state. With `fingerprint` (the
	reviewed plan's), the job refuses a plan that is no longer the one reviewed."""
	from perpetual_switch.services import background

	background.enqueue_apply(options, fingerprint=fingerprint or None)
	return services.context(options.company)


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
@takes_options
def enqueue_backdated_preview(options: SwitchOptions, fingerprint: str | None = None) -> dict:
	"""Enqueue the computation of what a backdated switch would change; read it with backdated_preview_result."""
	from perpetual_switch.services import background

	return background.enqueue_preview(options, fingerprint=fingerprint or None)


@frappe.whitelist()
@mariadb_only
def backdated_preview_result(company: str) -> dict:
	from perpetual_switch.services import background

	guards.require_reader(company)
	return background.preview_result(company)


@frappe.whitelist()
@mariadb_only
def what_to_do(company: str, scheme: str | None = None, backdated: str | int | None = None) -> dict:
	"""The operation the wizard's first step would plan, with its steps; the company's SNC check."""
	from perpetual_switch.services import switch

	return switch.what_to_do(company, scheme, bool(cint(backdated)))


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
def snc_mandatory_check(company: str, date: str | None = None, year: str | int | None = None) -> dict:
	"""Whether perpetual inventory is mandatory for the company in a fiscal year (that of `date` by
	default): DL 158/2009's test over the preceding years."""
	from perpetual_switch.services import snc

	return snc.mandatory_for_year(company, year) if year else snc.mandatory_check(company, date)


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
	company: str | None = None, cutover_date: str | None = None, file_format: str = "xlsx", switch: str | None = None, **values
) -> None:
	"""The plan as an XLSX or CSV download: the plan a switch stored (`switch`), or a company's plan
	now for the options given, every one of them (see _download_options)."""
	from perpetual_switch.services.export import switch_file

	if switch:
		name, content = switch_file(switch, file_format)
	else:
		chosen = {k: v for k, v in values.items() if k in OPTION_KINDS or k == "fingerprint"}
		name, content = _download_options(company, cutover_date=cutover_date, file_format=file_format, **chosen)
	frappe.response["filename"] = name
	frappe.response["filecontent"] = content
	frappe.response["type"] = "binary"


@takes_options
def _download_options(options: SwitchOptions, file_format: str = "xlsx", fingerprint: str | None = None):
	"""A company's plan for these options, the screen's own, with the backdated GL change this user
	computed for that very plan (same fingerprint); with `fingerprint`, refused when the plan is no
	longer the one reviewed."""
	from perpetual_switch.services.export import plan_file

	return plan_file(options, file_format, fingerprint=fingerprint or None)


@frappe.whitelist()
@mariadb_only
def download_srbnb(company: str, as_of: str | None = None, file_format: str = "xlsx", all_rows: str | int | None = None) -> None:
	"""The SRBNB reconciliation as an XLSX or CSV download (the reconciliation checks read access)."""
	from perpetual_switch.services.srbnb import reconciliation_file

	name, content = reconciliation_file(company, as_of or None, file_format, bool(cint(all_rows)))
	frappe.response["filename"] = name
	frappe.response["filecontent"] = content
	frappe.response["type"] = "binary"


@frappe.whitelist()
@mariadb_only
def srbnb_clearing_causes() -> list[dict]:
	"""The causes a clearing can take, with their labels (the report's dialog lists these)."""
	from perpetual_switch.services import srbnb_clearing

	if not frappe.has_permission("SRBNB Clearing", "read"):
		frappe.throw(frappe._("Not permitted to read SRBNB Clearing."), frappe.PermissionError)
	return srbnb_clearing.causes()


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
	fingerprint: str | None = None,
) -> dict:
	"""Enqueue the clearing; the desk follows the job as it follows a switch's. With `fingerprint` (the
	reviewed plan's), the job posts that clearing or nothing."""
	from perpetual_switch.services import background

	return background.enqueue_srbnb_clearing(
		company, fingerprint=fingerprint or None, **_clearing_choices(posting_date, causes, sources, expense_account, cost_center)
	)


@frappe.whitelist(methods=["POST"])
@mariadb_only
def srbnb_clearing_rollback(name: str) -> dict:
	from perpetual_switch.services import srbnb_clearing

	doc = srbnb_clearing.rollback(name)
	return {"name": doc.name, "status": doc.status, "journal_entry": doc.journal_entry}


@frappe.whitelist()
@mariadb_only
def at_inventory(company: str, year: str | int, version: str | None = None, limit: int | None = 500) -> dict:
	"""The AT inventory of a tax year as the report shows it (the first `limit` lines, totals, checks)."""
	from perpetual_switch.services import at_inventory as service

	limit = cint(limit) or None
	return service.as_dict(service.inventory(company, year, version or None, keep=limit), limit=limit)


@frappe.whitelist()
@mariadb_only
def download_at_inventory(company: str, year: str | int, file_format: str = "xml", version: str | None = None) -> None:
	"""The AT inventory file (XML or CSV) as a download; refused while any check fails."""
	from perpetual_switch.services import at_inventory as service

	out = io.BytesIO()
	name, result = service.write_file(company, year, version or None, file_format, out)
	service.refuse_blocked(result)
	frappe.response["filename"] = name
	frappe.response["filecontent"] = out.getvalue()
	frappe.response["type"] = "binary"

