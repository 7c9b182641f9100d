# Thin controller: validation messages only; the SNC rules live in the engine and services.

import frappe
from frappe import _
from frappe.model.document import Document


class SNCSettings(Document):
	def validate(self):
		for fieldname in ("reo_account", "coe_account", "ieo_account"):
			account = self.get(fieldname)
			if account and frappe.db.get_value("Account", account, "company") != self.company:
				frappe.throw(
					_("Account {0} does not belong to company {1}.").format(frappe.bold(account), frappe.bold(self.company))
				)
		number = frappe.db.get_value("Account", self.ieo_account, "account_number") or ""
		if str(number).startswith("63"):
			frappe.msgprint(
				_(
					"Account {0} is under class 63, staff costs in SNC. The VAT an offer carries is usually posted to 6812 (indirect taxes) or 6884 (offers and samples)."
				).format(frappe.bold(self.ieo_account)),
				title=_("Check the VAT expense account"),
				indicator="orange",
			)
		if not self.vat_rates:
			frappe.throw(_("Add at least the VAT rate and account of the company's region."))
