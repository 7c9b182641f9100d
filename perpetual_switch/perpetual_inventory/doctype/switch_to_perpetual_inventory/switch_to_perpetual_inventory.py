# Thin controller: the services decide and write; this only wires the document's life to them.

from frappe.model.document import Document

from perpetual_switch.services import backdated, lifecycle, switch


class SwitchtoPerpetualInventory(Document):
	def onload(self):
		# While its documents are being reposted (perhaps by several workers), the count as it stands.
		if self.status == "Reposting":
			self.reposted_count = backdated.reposted(self.name)

	def validate(self):
		# Runs on every save and again on submit, so what is applied is what the preview showed.
		switch.refresh_switch(self)

	def on_submit(self):
		lifecycle.apply_switch(self)

	def on_cancel(self):
		lifecycle.rollback_switch(self)
