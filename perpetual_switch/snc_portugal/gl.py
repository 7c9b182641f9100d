"""ERPNext's regional GL seam for sales invoices: add the SNC offer postings of a Portuguese company.

Registered under every country (see `seam`), so the company's country decides, not the site's.
ERPNext calls only the last installed app's override for a region; we call the one before ours
ourselves, so other apps' overrides run as they would without this app.
"""

import erpnext

from perpetual_switch.erpnext_io.database import require_mariadb
from perpetual_switch.services import snc
from perpetual_switch.snc_portugal.seam import OURS, SEAM, previous_override


def make_regional_gl_entries(gl_entries, doc):
	if snc.is_portuguese(doc.company):
		require_mariadb()
		return previous_override(SEAM, OURS, "Portugal", gl_entries, doc) + snc.offer_gl_entries(doc)
	return previous_override(SEAM, OURS, erpnext.get_region(), gl_entries, doc)
