"""Where the app's postings join ERPNext's invoice GL, whatever the site's country: the SNC offer
postings on sales invoices, and on purchase invoices billing receipts a switch accrued, what the
invoice would have posted had the company always been perpetual.

ERPNext calls a regional override of `make_regional_gl_entries` for the region `erpnext.get_region()`
names: the document's company is not passed, so the region falls back to the site's default
country. A site in Spain with a company in Portugal would then never reach the Portuguese
postings. The app therefore registers the seam under every country and decides by the invoice's
own company; for every company that is not Portuguese it calls exactly what ERPNext would have
called (another app's override for the site's region, or ERPNext's own function).

Light on purpose: hooks.py imports it.
"""

import importlib.util
import json
import os

SEAM = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_regional_gl_entries"
OURS = "perpetual_switch.snc_portugal.gl.make_regional_gl_entries"
PURCHASE_SEAM = "erpnext.accounts.doctype.purchase_invoice.purchase_invoice.make_regional_gl_entries"
PURCHASE_OURS = "perpetual_switch.services.receipts.make_regional_gl_entries"


def every_country() -> list[str]:
	"""Country names as Frappe ships them (the names of its Country records); Portugal alone where
	Frappe is not installed."""
	spec = importlib.util.find_spec("frappe")
	if not spec or not spec.origin:
		return ["Portugal"]
	path = os.path.join(os.path.dirname(spec.origin), "geo", "country_info.json")
	try:
		with open(path, encoding="utf-8") as f:
			return sorted(json.load(f))
	except (OSError, ValueError):
		return ["Portugal"]


def regional_overrides() -> dict:
	return {country: {SEAM: OURS, PURCHASE_SEAM: PURCHASE_OURS} for country in every_country()}


def previous_override(seam: str, ours: str, region, gl_entries, doc):
	"""What ERPNext would call at `seam` for `region` if this app were not installed: ERPNext calls
	only the last installed app's override for a region, so the one before ours is called here."""
	import frappe

	paths = frappe.get_hooks("regional_overrides", {}).get(region, {}).get(seam, [])
	if ours in paths:
		paths = paths[: paths.index(ours)]
	if paths:
		return frappe.get_attr(paths[-1])(gl_entries, doc)
	original = frappe.get_attr(seam)
	return getattr(original, "__wrapped__", lambda gl_entries, doc: gl_entries)(gl_entries, doc)
