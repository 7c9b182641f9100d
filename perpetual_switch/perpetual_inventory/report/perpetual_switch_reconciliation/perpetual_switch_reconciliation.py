# Per stock account: stock value against GL balance as of a date. The switch's own journal
# entries are part of the GL balance (they are what brought it to the stock value), so unlike
# ERPNext's "Stock and Account Value Comparison" they never show as a difference.

from frappe import _

from perpetual_switch import services


def execute(filters=None):
	filters = filters or {}
	rows = services.reconciliation(filters.get("company"), filters.get("as_on_date"))
	columns = [
		{"fieldname": "account", "label": _("Stock Account"), "fieldtype": "Link", "options": "Account", "width": 260},
		{"fieldname": "warehouses", "label": _("Warehouses"), "fieldtype": "Data", "width": 260},
		{"fieldname": "stock_value", "label": _("Stock Value"), "fieldtype": "Currency", "width": 140},
		{"fieldname": "gl_balance", "label": _("GL Balance"), "fieldtype": "Currency", "width": 140},
		{"fieldname": "switch_entries", "label": _("Of Which Switch Entries"), "fieldtype": "Currency", "width": 160},
		{"fieldname": "difference", "label": _("Difference"), "fieldtype": "Currency", "width": 140},
	]
	return columns, rows
