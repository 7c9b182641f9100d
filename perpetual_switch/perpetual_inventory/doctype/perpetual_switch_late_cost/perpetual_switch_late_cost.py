from frappe.model.document import Document


class PerpetualSwitchLateCost(Document):
	pass
