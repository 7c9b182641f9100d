"""Where the SNC offer postings join ERPNext's sales invoice GL, whatever the site's country.

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
	return {country: {SEAM: OURS} for country in every_country()}
