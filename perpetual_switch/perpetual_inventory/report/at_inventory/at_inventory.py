# The annual inventory file for the AT (Portugal): each item's closing stock of a tax year, the totals
# per category and the checks that must pass before the XML or CSV is downloaded.

import frappe
from frappe import _

from perpetual_switch.services import at_inventory
from perpetual_switch.services.guards import mariadb_only

SHOWN = 5000


@mariadb_only
def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.company or not filters.year:
		return [], [], _("Choose a company and a tax year.")
	data = at_inventory.as_dict(
		at_inventory.inventory(filters.company, filters.year, filters.version or None, keep=SHOWN), limit=SHOWN
	)
	columns = [
		{"fieldname": "category", "label": _("Category"), "fieldtype": "Data", "width": 90},
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 200},
		{"fieldname": "description", "label": _("Description"), "fieldtype": "Data", "width": 260},
		{"fieldname": "barcode", "label": _("Barcode"), "fieldtype": "Data", "width": 140},
		{"fieldname": "qty", "label": _("Closing Quantity"), "fieldtype": "Float", "width": 130},
		{"fieldname": "uom", "label": _("Unit"), "fieldtype": "Data", "width": 90},
		{"fieldname": "value", "label": _("Closing Value"), "fieldtype": "Currency", "width": 140},
	]
	return columns, data["lines"], message(data)


def message(data: dict) -> str:
	esc = frappe.utils.escape_html
	head = _("File {0} for NIF {1}, tax year {2}, as of {3}: {4} items with stock.").format(
		esc(data["version"]), esc(data["nif"] or "-"), data["year"], data["end_date"], data["lines_count"]
	)
	if data["lines_count"] > len(data["lines"]):
		head += " " + _("The first {0} are listed; the file has them all.").format(len(data["lines"]))
	totals = "".join(
		f"<tr><td>{esc(t['category'] or '-')}</td><td class='text-right'>{esc(t['qty'])}</td><td class='text-right'>{esc(t['value'])}</td></tr>"
		for t in data["totals"]
	)
	html = f"<p>{head}</p><table class='table table-bordered'><tr><th>{_('Category')}</th><th>{_('Quantity')}</th><th>{_('Value')}</th></tr>{totals}</table>"
	if data["blockers"]:
		items = "".join(f"<li>{esc(b['message'])}</li>" for b in data["blockers"])
		html += f"<div class='alert alert-danger'><b>{_('Checks that fail (the file cannot be downloaded)')}</b><ul>{items}</ul></div>"
	else:
		html += f"<p class='text-success'>{_('Every check passes.')}</p>"
	return html
