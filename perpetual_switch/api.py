"""Whitelisted endpoints of the wizard. Each only parses arguments and calls a service; the services
check permissions (read access to the company's accounts for a plan, Accounts Manager for apply
and rollback)."""

import frappe
from frappe.utils import cint

from perpetual_switch import services
from perpetual_switch.services.switch import publish_progress, raise_blocked


def _options(freeze_accounts, company_defaults) -> dict:
	"""The wizard's options as the services take them: a flag, and company default overrides."""
	overrides = frappe.parse_json(company_defaults) if company_defaults else None
	if overrides is not None and not isinstance(overrides, dict):
		frappe.throw(frappe._("Company defaults must be a mapping of field to value."))
	return {"freeze_accounts": bool(cint(freeze_accounts)), "company_defaults": overrides}


@frappe.whitelist()
def get_plan(
	company: str,
	cutover_date: str | None = None,
	expense_account: str | None = None,
	cost_center: str | None = None,
	company_defaults: str | dict | None = None,
	freeze_accounts: str | int | None = None,
) -> dict:
	plan = services.plan(
		company,
		cutover_date,
		expense_account or None,
		cost_center or None,
		progress=publish_progress,
		**_options(freeze_accounts, company_defaults),
	)
	return {**services.plan_dict(plan), "context": services.context(company)}


@frappe.whitelist(methods=["POST"])
def apply(
	company: str,
	cutover_date: str,
	expense_account: str | None = None,
	cost_center: str | None = None,
	company_defaults: str | dict | None = None,
	freeze_accounts: str | int | None = None,
) -> dict:
	try:
		services.apply(
			company, cutover_date, expense_account or None, cost_center or None, **_options(freeze_accounts, company_defaults)
		)
	except services.SwitchBlocked as blocked:
		raise_blocked(blocked.plan, blocked.blockers)
	return services.context(company)


@frappe.whitelist(methods=["POST"])
def rollback(company: str) -> dict:
	services.rollback(company)
	return services.context(company)


@frappe.whitelist()
def snc_offers_this_year(company: str, year: int | None = None) -> dict:
	from perpetual_switch.services import snc

	return snc.offers_this_year(company, year)


@frappe.whitelist()
def snc_mandatory_check(company: str, date: str | None = None, average_employees: float | None = None) -> dict:
	from perpetual_switch.services import snc

	return snc.mandatory_check(company, date, average_employees)
