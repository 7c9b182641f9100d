# Per stock account: stock value against GL balance as of a date. The switch's own journal
# entries are part of the GL balance (they are what brought it to the stock value), so unlike
# ERPNext's "Stock and Account Value Comparison" they never show as a difference.

import frappe
from frappe import _

from perpetual_switch import services
from perpetual_switch.services.guards import mariadb_only
from perpetual_switch.services import late_costs


@mariadb_only
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
	return columns, rows, returns_message(filters.get("company"))


def returns_message(company) -> str | None:
	"""Goods from before the switch returned after it, where returns and debit notes differ."""
	apart = late_costs.returns_apart(company) if company else []
	if not apart:
		return None
	lines = "".join(
		"<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
			frappe.utils.get_link_to_form("Purchase Receipt", row.purchase_receipt),
			frappe.utils.escape_html(row.item_code),
			frappe.format(row.returned, {"fieldtype": "Currency"}),
			frappe.format(row.credited, {"fieldtype": "Currency"}),
			frappe.format(row.difference, {"fieldtype": "Currency"}),
		)
		for row in apart
	)
	return (
		"<p>{}</p><table class='table table-bordered'><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>"
	).format(
		_(
			"Goods received before the switch and returned after it, where the returns and the debit notes crediting Stock Received But Not Billed differ: that account keeps the difference."
		),
		_("Purchase Receipt"),
		_("Item"),
		_("Returned after the switch"),
		_("Credited by debit notes"),
		_("Difference"),
		lines,
	)
