from frappe.model.document import Document


class SNCVATRate(Document):
	pass
