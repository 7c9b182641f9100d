from frappe.model.document import Document


class PerpetualSwitchChange(Document):
	pass
