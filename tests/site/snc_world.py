"""S2's world: a Portuguese company on ERPNext's SNC chart, offer accounts by number, stock at known costs."""

from __future__ import annotations

from dataclasses import dataclass, field

import frappe
from frappe.utils import flt

from .world import ensure_exchange_rates, ensure_fiscal_year, make_item, run_pending_reposts  # noqa: F401


@dataclass
class SncWorld:
	company: str
	abbr: str
	accounts: dict = field(default_factory=dict)
	warehouse: str = ""
	customer: str = "Cliente PT"


def account_by_number(company: str, number: str) -> str:
	name = frappe.db.get_value("Account", {"company": company, "account_number": number})
	assert name, f"no account {number} in {company}"
	return name


def sub_account(company: str, parent_number: str, number: str, name: str, account_type=None, is_group=0) -> str:
	"""A company sub-account under `parent_number`, or beside it when the chart made that a ledger."""
	existing = frappe.db.get_value("Account", {"company": company, "account_number": number})
	if existing:
		return existing
	parent = account_by_number(company, parent_number)
	if not frappe.db.get_value("Account", parent, "is_group"):
		parent = frappe.db.get_value("Account", parent, "parent_account")
	doc = frappe.get_doc(
		{
			"doctype": "Account",
			"account_name": name,
			"account_number": number,
			"parent_account": parent,
			"company": company,
			"account_type": account_type,
			"is_group": is_group,
		}
	).insert()
	return doc.name


def build_snc(company: str, abbr: str) -> SncWorld:
	frappe.set_user("Administrator")
	ensure_fiscal_year(2025)
	ensure_fiscal_year(2026)
	ensure_exchange_rates("EUR")
	if not frappe.db.exists("Company", company):
		frappe.get_doc(
			{
				"doctype": "Company",
				"company_name": company,
				"abbr": abbr,
				"default_currency": "EUR",
				"country": "Portugal",
				"create_chart_of_accounts_based_on": "Standard Template",
				"chart_of_accounts": "Portugal - Plano de Contas SNC",
				"enable_perpetual_inventory": 1,
			}
		).insert()
	w = SncWorld(company, abbr)
	a = w.accounts
	a["3213"] = sub_account(company, "32", "3213", "Mercadorias em armazém", "Stock")
	a["3823"] = sub_account(company, "38", "3823", "Regularização de existências ofertas")
	a["389"] = sub_account(company, "38", "389", "Regularizações diversas", "Stock Adjustment")
	a["6312"] = sub_account(company, "63", "6312", "IVA de ofertas")
	a["243323"] = sub_account(company, "243", "243323", "IVA liquidado ofertas 23%", "Tax")
	a["6884"] = account_by_number(company, "6884")
	a["612"] = account_by_number(company, "612")
	a["711"] = account_by_number(company, "711")
	frappe.db.set_value(
		"Company",
		company,
		{
			"default_inventory_account": a["3213"],
			"stock_adjustment_account": a["389"],
			"default_expense_account": a["612"],
			"default_income_account": a["711"],
		},
	)
	w.warehouse = frappe.db.get_value("Warehouse", {"warehouse_name": "Loja", "company": company})
	if not w.warehouse:
		w.warehouse = frappe.get_doc(
			{"doctype": "Warehouse", "warehouse_name": "Loja", "company": company, "account": a["3213"]}
		).insert().name
	if not frappe.db.exists("Customer", w.customer):
		frappe.get_doc(
			{"doctype": "Customer", "customer_name": w.customer, "customer_group": "All Customer Groups", "territory": "All Territories"}
		).insert()
	if not frappe.db.exists("SNC Settings", company):
		settings = frappe.get_doc(
			{
				"doctype": "SNC Settings",
				"company": company,
				"reo_account": a["3823"],
				"coe_account": a["6884"],
				"ieo_account": a["6312"],
				"default_region": "Mainland",
				"unit_limit": 50,
				"yearly_share_per_mille": 5,
				"previous_year_turnover": 100000,
				"over_limit_policy": "Excess only",
				"vat_rates": [
					{"region": "Mainland", "rate": 23, "account": a["243323"]},
					{"region": "Madeira", "rate": 22, "account": a["243323"]},
					{"region": "Azores", "rate": 16, "account": a["243323"]},
				],
			}
		)
		settings.insert()
	make_item("SNC-A")
	make_item("SNC-P")
	if not frappe.db.exists("Stock Entry", {"company": company, "docstatus": 1}):
		receipt(w, "2026-01-05", [("SNC-A", 100, 30), ("SNC-P", 20, 80)])
	frappe.db.commit()
	return w


def receipt(w: SncWorld, date: str, rows):
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Receipt",
			"company": w.company,
			"posting_date": date,
			"set_posting_time": 1,
			"items": [
				{"item_code": item, "qty": qty, "basic_rate": rate, "t_warehouse": w.warehouse, "conversion_factor": 1}
				for item, qty, rate in rows
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def set_perpetual(company: str, on: bool) -> None:
	doc = frappe.get_doc("Company", company)
	doc.enable_perpetual_inventory = int(on)
	doc.save()


def invoice(w: SncWorld, date: str, rows, update_stock=1, submit=True):
	doc = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": w.company,
			"customer": w.customer,
			"posting_date": date,
			"set_posting_time": 1,
			"due_date": date,
			"currency": "EUR",
			"conversion_rate": 1,
			"update_stock": update_stock,
			"disable_rounded_total": 1,
			"items": [
				{"item_code": item, "qty": qty, "rate": rate, "warehouse": w.warehouse, "conversion_factor": 1}
				for item, qty, rate in rows
			],
		}
	)
	for row in doc.items:
		row.price_list_rate = row.rate
	doc.insert()
	if submit:
		doc.submit()
		run_pending_reposts()
	return doc


def net_gl(voucher_no: str) -> dict:
	"""Debit minus credit per account over the voucher's live GL entries, zero accounts left out."""
	rows = frappe.db.sql(
		"""select account, sum(debit) - sum(credit) from `tabGL Entry`
		where voucher_no = %s and is_cancelled = 0 group by account""",
		voucher_no,
	)
	return {account: round(flt(value), 2) for account, value in rows if round(flt(value), 2)}
