# Thin controller: the services decide and write; this only wires the document's life to them.

from frappe.model.document import Document

from perpetual_switch.services import lifecycle, switch


class SwitchtoPerpetualInventory(Document):
	def validate(self):
		# Runs on every save and again on submit, so what is applied is what the preview showed.
		switch.refresh_switch(self)

	def on_submit(self):
		lifecycle.apply_switch(self)

	def on_cancel(self):
		lifecycle.rollback_switch(self)
