from frappe.model.document import Document


class PerpetualSwitchRepost(Document):
	pass
