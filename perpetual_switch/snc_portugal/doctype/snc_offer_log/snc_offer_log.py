from frappe.model.document import Document


class SNCOfferLog(Document):
	pass
