from frappe.model.document import Document


class SRBNBClearingLine(Document):
	pass
