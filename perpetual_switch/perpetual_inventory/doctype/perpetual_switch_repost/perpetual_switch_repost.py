import frappe
from frappe.model.document import Document


class PerpetualSwitchRepost(Document):
	pass


def on_doctype_update():
	add_indexes()


def add_indexes():
	"""A runner takes the next pending rows of a kind in order (switch, status, kind, seq); a rollback
	reads them in order (switch, seq). Without these, each batch of a repost of a hundred thousand
	documents would read every row of the switch."""
	frappe.db.add_index("Perpetual Switch Repost", ["switch", "status", "moves_stock", "seq"])
	frappe.db.add_index("Perpetual Switch Repost", ["switch", "seq"])
