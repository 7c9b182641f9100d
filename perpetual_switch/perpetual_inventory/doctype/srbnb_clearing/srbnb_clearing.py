# Thin controller: services.srbnb_clearing plans, checks the user's right and writes the clearing.

import frappe
from frappe import _
from frappe.model.document import Document


class SRBNBClearing(Document):
	def before_insert(self):
		if not self.flags.perpetual_switch_service:
			frappe.throw(
				_("An SRBNB clearing is made by applying one from the SRBNB Reconciliation report or the srbnb-clear command, not by hand."),
				frappe.PermissionError,
			)
