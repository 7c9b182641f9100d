"""The demo: a small periodic company made through ERPNext's documents on any site, its plan, and
with `apply` its switch, so a newcomer sees the whole job in one command."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import getdate

from perpetual_switch.engine.models import SwitchOptions
from perpetual_switch.erpnext_io import demo as io
from perpetual_switch.services import guards, lifecycle
from perpetual_switch.services.switch import plan_dict

COMPANY, ABBR = "Perpetual Switch Demo", "PSWD"


def run(company: str = COMPANY, abbr: str = ABBR, apply: bool = False, progress=None) -> dict:
	"""Make the demo company unless it exists, plan its switch as of today and, with `apply`, apply it."""
	if not frappe.has_permission("Company", "create"):
		frappe.throw(_("User {0} may not create companies, which the demo does.").format(frappe.bold(frappe.session.user)), frappe.PermissionError)
	created = {}
	if not io.exists(company):
		created = io.build(company, abbr)
	guards.require_reader(company)
	options = SwitchOptions(company, str(getdate()))
	result = {"company": company, "created": created, "plan": plan_dict(lifecycle.plan(options))}
	if apply:
		doc = lifecycle.apply(options, progress, fingerprint=result["plan"]["fingerprint"])
		result["switch"] = doc.name
	return result
