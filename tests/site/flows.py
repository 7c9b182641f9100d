"""ERPNext's manufacturing and subcontracting flows, made through its own documents and mappers, for
the site tests that need stock at a subcontractor's or in work in progress.

Every function inserts and submits what it makes and returns the document."""

from __future__ import annotations

import frappe


def bom(company: str, fg: str, rm: str, rate, currency: str):
	"""The default BOM of `fg`: one `rm` a unit."""
	doc = frappe.get_doc(
		{
			"doctype": "BOM",
			"item": fg,
			"company": company,
			"currency": currency,
			"conversion_rate": 1,
			"quantity": 1,
			"is_active": 1,
			"is_default": 1,
			"rm_cost_as_per": "Valuation Rate",
			"items": [{"item_code": rm, "qty": 1, "uom": "Nos", "stock_uom": "Nos", "conversion_factor": 1, "rate": rate}],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def subcontracted_purchase_order(
	company, supplier, service, fg, qty, rate, date, warehouse, supplier_warehouse, currency, cost_center=None
):
	"""A subcontracted Purchase Order of the non-stock `service` for `qty` of `fg`."""
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Order",
			"company": company,
			"supplier": supplier,
			"transaction_date": date,
			"schedule_date": date,
			"currency": currency,
			"conversion_rate": 1,
			"is_subcontracted": 1,
			"supplier_warehouse": supplier_warehouse,
			"set_warehouse": warehouse,
			"items": [
				{
					"item_code": service,
					"qty": qty,
					"rate": rate,
					"uom": "Nos",
					"conversion_factor": 1,
					"warehouse": warehouse,
					"schedule_date": date,
					"fg_item": fg,
					"fg_item_qty": qty,
					**({"cost_center": cost_center} if cost_center else {}),
				}
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def subcontracting_order(po, date, warehouse):
	"""The Subcontracting Order ERPNext makes from the subcontracted Purchase Order `po`."""
	from erpnext.buying.doctype.purchase_order.purchase_order import make_subcontracting_order

	doc = make_subcontracting_order(po.name)
	doc.transaction_date = doc.schedule_date = date
	for row in doc.items:
		row.schedule_date = date
		row.warehouse = warehouse
	doc.insert()
	doc.submit()
	return doc


def send_to_subcontractor(company, sco, date, qty=None):
	"""The "Send to Subcontractor" Stock Entry ERPNext makes from the order (all of it, or `qty` a row)."""
	from erpnext.controllers.subcontracting_controller import make_rm_stock_entry

	doc = frappe.get_doc(make_rm_stock_entry(sco.name))
	doc.company = company
	doc.posting_date, doc.set_posting_time = date, 1
	if qty is not None:
		for row in doc.items:
			row.qty = row.transfer_qty = qty
	doc.insert()
	doc.submit()
	return doc


def subcontracting_receipt(sco, date):
	from erpnext.subcontracting.doctype.subcontracting_order.subcontracting_order import (
		make_subcontracting_receipt,
	)

	doc = make_subcontracting_receipt(sco.name)
	doc.posting_date, doc.set_posting_time = date, 1
	doc.insert()
	doc.submit()
	return doc


def work_order(company, fg, bom_name, qty, date, source, wip, target):
	"""A submitted Work Order for `qty` of `fg`, its materials from `source` through `wip` to `target`."""
	doc = frappe.get_doc(
		{
			"doctype": "Work Order",
			"company": company,
			"production_item": fg,
			"bom_no": bom_name,
			"qty": qty,
			"planned_start_date": f"{date} 08:00:00",
			"source_warehouse": source,
			"wip_warehouse": wip,
			"fg_warehouse": target,
			"skip_transfer": 0,
		}
	)
	doc.insert()
	doc.submit()
	return doc


def work_order_entry(wo, purpose, qty, date):
	"""The Stock Entry of `purpose` ("Material Transfer for Manufacture", "Manufacture") ERPNext makes
	from the Work Order for `qty`."""
	from erpnext.manufacturing.doctype.work_order.work_order import make_stock_entry

	doc = frappe.get_doc(make_stock_entry(wo.name, purpose, qty))
	doc.posting_date, doc.set_posting_time = date, 1
	doc.insert()
	doc.submit()
	return doc
