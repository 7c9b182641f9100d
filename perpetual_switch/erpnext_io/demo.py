"""A small periodic company to try the switch on, made through ERPNext's own documents on any site:
two warehouses with stock accounts of their own, two items, receipts partly billed, a return and a
delivery, all in the last weeks. Made once; a second call finds it and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import frappe
from frappe.utils import getdate

SUPPLIER, CUSTOMER = "Perpetual Switch Demo Supplier", "Perpetual Switch Demo Customer"


def exists(company: str) -> bool:
	return bool(frappe.db.exists("Company", company))


def build(company: str, abbr: str, today=None) -> dict:
	"""Make the demo company and its documents; returns {label: document name}."""
	today = getdate(today)
	country = frappe.db.get_default("country") or "United States"
	currency = frappe.db.get_default("currency") or "USD"
	_fiscal_year(today - timedelta(days=45), today)
	frappe.get_doc(
		{
			"doctype": "Company",
			"company_name": company,
			"abbr": abbr,
			"default_currency": currency,
			"country": country,
			"create_chart_of_accounts_based_on": "Standard Template",
			"chart_of_accounts": "Standard",
			"enable_perpetual_inventory": 0,
		}
	).insert(ignore_permissions=True)
	parent = frappe.db.get_value("Account", {"company": company, "account_type": "Stock", "is_group": 1}, "name") or frappe.db.get_value(
		"Account", {"company": company, "account_name": "Stock Assets"}, "name"
	)
	# The other warehouses the company comes with (stores, work in progress, finished goods) fall
	# back to the chart's own stock account, as on a company set up in the desk.
	in_hand = frappe.db.get_value("Account", {"company": company, "account_type": "Stock", "is_group": 0}, "name")
	if in_hand:
		frappe.db.set_value("Company", company, "default_inventory_account", in_hand)
	accounts = {}
	for key in ("North", "South"):
		accounts[key] = frappe.get_doc(
			{"doctype": "Account", "account_name": f"Stock {key}", "parent_account": parent, "company": company, "account_type": "Stock"}
		).insert(ignore_permissions=True).name
	root = frappe.db.get_value("Warehouse", {"company": company, "is_group": 1, "parent_warehouse": ("in", ("", None))}, "name")
	warehouses = {
		key: frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": key, "company": company, "parent_warehouse": root, "account": accounts[key]}
		).insert(ignore_permissions=True).name
		for key in ("North", "South")
	}
	items = {}
	for code in ("DEMO-A", "DEMO-B"):
		item = f"{code}-{abbr}"
		if not frappe.db.exists("Item", item):
			frappe.get_doc(
				{"doctype": "Item", "item_code": item, "item_name": item, "item_group": "All Item Groups", "stock_uom": "Nos", "is_stock_item": 1}
			).insert(ignore_permissions=True)
		items[code] = item
	if not frappe.db.exists("Supplier", SUPPLIER):
		frappe.get_doc({"doctype": "Supplier", "supplier_name": SUPPLIER, "supplier_group": "All Supplier Groups"}).insert(
			ignore_permissions=True
		)
	if not frappe.db.exists("Customer", CUSTOMER):
		frappe.get_doc(
			{"doctype": "Customer", "customer_name": CUSTOMER, "customer_group": "All Customer Groups", "territory": "All Territories"}
		).insert(ignore_permissions=True)
	a, b, north, south = items["DEMO-A"], items["DEMO-B"], warehouses["North"], warehouses["South"]
	docs = {}
	first = _receipt(company, currency, today - timedelta(days=40), [(a, 100, 10, north), (b, 50, 20, south)])
	docs["receipt 1"] = first.name
	docs["invoice of receipt 1, item A only"] = _invoice(first.name, today - timedelta(days=35), keep=a)
	second = _receipt(company, currency, today - timedelta(days=30), [(b, 20, 20, north)])
	docs["receipt 2 (not billed)"] = second.name
	docs["return of 5 from receipt 2"] = _return(second.name, today - timedelta(days=25), 5)
	docs["delivery of 30 A"] = _delivery(company, currency, today - timedelta(days=20), a, 30, north)
	return docs


def _fiscal_year(start, end) -> None:
	from erpnext.accounts.utils import get_fiscal_year

	for day in (start, end):
		try:
			get_fiscal_year(day)
		except Exception:
			frappe.clear_last_message()
			frappe.get_doc(
				{
					"doctype": "Fiscal Year",
					"year": str(day.year),
					"year_start_date": f"{day.year}-01-01",
					"year_end_date": f"{day.year}-12-31",
				}
			).insert(ignore_permissions=True, ignore_if_duplicate=True)


def _dated(doc, day):
	doc.posting_date = day
	doc.set_posting_time = 1
	return doc


def _receipt(company, currency, day, rows):
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Receipt",
			"company": company,
			"supplier": SUPPLIER,
			"currency": currency,
			"conversion_rate": 1,
			"items": [
				{"item_code": item, "qty": qty, "rate": rate, "warehouse": warehouse, "conversion_factor": 1}
				for item, qty, rate, warehouse in rows
			],
		}
	)
	_dated(doc, day).insert(ignore_permissions=True)
	doc.submit()
	return doc


def _invoice(receipt: str, day, keep: str) -> str:
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

	doc = make_purchase_invoice(receipt)
	doc.items = [row for row in doc.items if row.item_code == keep]
	_dated(doc, day)
	doc.bill_no, doc.bill_date = f"DEMO-{receipt}", day
	doc.insert(ignore_permissions=True)
	doc.submit()
	return doc.name


def _return(receipt: str, day, qty) -> str:
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_return

	doc = make_purchase_return(receipt)
	for row in doc.items:
		row.qty = row.received_qty = -qty
	_dated(doc, day).insert(ignore_permissions=True)
	doc.submit()
	return doc.name


def _delivery(company, currency, day, item, qty, warehouse) -> str:
	doc = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": company,
			"customer": CUSTOMER,
			"currency": currency,
			"conversion_rate": 1,
			"selling_price_list": _price_list(currency),
			"plc_conversion_rate": 1,
			"items": [{"item_code": item, "qty": qty, "rate": 25, "warehouse": warehouse, "conversion_factor": 1}],
		}
	)
	_dated(doc, day).insert(ignore_permissions=True)
	doc.submit()
	return doc.name


def _price_list(currency: str) -> str:
	"""A selling price list in the company's currency (the delivery needs one; none is priced)."""
	name = f"Perpetual Switch Demo {currency}"
	if not frappe.db.exists("Price List", name):
		frappe.get_doc({"doctype": "Price List", "price_list_name": name, "currency": currency, "selling": 1, "enabled": 1}).insert(
			ignore_permissions=True
		)
	return name
