from frappe.model.document import Document


class SNCYearFigures(Document):
	pass
