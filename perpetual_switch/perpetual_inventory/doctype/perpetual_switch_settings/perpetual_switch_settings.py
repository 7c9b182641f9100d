from frappe.model.document import Document


class PerpetualSwitchSettings(Document):
	pass
