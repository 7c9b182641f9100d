# Every receipt row a switch accrued to Stock Received But Not Billed, with what later invoices
# cleared of it: the full list behind the switch's totals (export it from the report's menu).

from frappe import _

from perpetual_switch import services
from perpetual_switch.services.guards import mariadb_only


@mariadb_only
def execute(filters=None):
	filters = filters or {}
	# The receipt is a dynamic link, not a Link: Frappe would filter a Link column by the user's
	# permissions on Purchase Receipt, which an Accounts Manager without a purchase role lacks.
	rows = [{**row, "receipt_type": "Purchase Receipt"} for row in services.accruals(filters.get("switch"))]
	currency = {"fieldtype": "Currency", "options": "currency", "width": 140}
	columns = [
		{"fieldname": "receipt_type", "label": _("Document Type"), "fieldtype": "Data", "hidden": 1},
		{"fieldname": "purchase_receipt", "label": _("Purchase Receipt"), "fieldtype": "Dynamic Link", "options": "receipt_type", "width": 180},
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 180},
		{"fieldname": "unbilled_qty", "label": _("Unbilled Qty (stock UOM)"), "fieldtype": "Float", "width": 140},
		{"fieldname": "unbilled_value", "label": _("Unbilled Value"), **currency},
		{"fieldname": "cleared_value", "label": _("Cleared by Invoices"), **currency},
		{"fieldname": "open_value", "label": _("Still Accrued"), **currency},
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Link", "options": "Currency", "hidden": 1},
	]
	return columns, rows
