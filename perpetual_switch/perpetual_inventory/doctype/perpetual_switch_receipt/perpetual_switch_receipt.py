from frappe.model.document import Document


class PerpetualSwitchReceipt(Document):
	pass
