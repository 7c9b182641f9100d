from frappe.model.document import Document


class SRBNBClearing(Document):
	pass
