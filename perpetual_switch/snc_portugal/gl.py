"""ERPNext's regional seam for Portugal: add the SNC offer postings to a sales invoice's GL entries.

ERPNext calls only the last installed app's override of `make_regional_gl_entries`; when another
app registered one for Portugal before us, we call it first and add to its result.
"""

import frappe

from perpetual_switch.services import snc

SEAM = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_regional_gl_entries"
OURS = "perpetual_switch.snc_portugal.gl.make_regional_gl_entries"


def make_regional_gl_entries(gl_entries, doc):
	gl_entries = _previous_override(gl_entries, doc)
	return gl_entries + snc.offer_gl_entries(doc)


def _previous_override(gl_entries, doc):
	paths = frappe.get_hooks("regional_overrides", {}).get("Portugal", {}).get(SEAM, [])
	if OURS in paths:
		paths = paths[: paths.index(OURS)]
	if not paths:
		return gl_entries
	return frappe.get_attr(paths[-1])(gl_entries, doc)
