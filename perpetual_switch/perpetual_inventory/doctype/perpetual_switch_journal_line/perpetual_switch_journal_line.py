from frappe.model.document import Document


class PerpetualSwitchJournalLine(Document):
	pass
