from frappe.model.document import Document


class PerpetualSwitchWarehouse(Document):
	pass
