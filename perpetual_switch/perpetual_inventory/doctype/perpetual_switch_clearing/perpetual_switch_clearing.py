from frappe.model.document import Document


class PerpetualSwitchClearing(Document):
	pass
