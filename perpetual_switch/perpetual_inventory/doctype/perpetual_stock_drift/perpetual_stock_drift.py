import frappe
from frappe.model.document import Document


class PerpetualStockDrift(Document):
	pass


def on_doctype_update():
	frappe.db.add_index("Perpetual Stock Drift", ["company", "date"])
