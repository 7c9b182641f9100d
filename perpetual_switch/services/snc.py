"""Portuguese SNC use cases: route offer rows, add the offer postings to a sales invoice's GL,
release them on cancel, the year's running total, and the 2-of-3 mandatory check."""

from __future__ import annotations

from dataclasses import replace

import frappe
from frappe import _
from frappe.utils import cint, flt, getdate

from perpetual_switch.engine.money import ZERO, round_money, to_decimal
from perpetual_switch.engine.snc import (
	MICRO_LIMITS,
	Offer,
	decide_offer,
	offer_lines,
	applies,
	perpetual_inventory_mandatory,
	reposted_decision,
	returned_decision,
)
from perpetual_switch.erpnext_io import snc as store
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.erpnext_io.reader import currency_precision, total_assets


def is_portuguese(company: str) -> bool:
	return applies(store.country(company))


def _applies(doc) -> object | None:
	"""The company's SNC settings when the document is a Portuguese company's; else None."""
	if not is_portuguese(doc.company):
		return None
	return store.settings(doc.company)


def offer_rows(doc) -> list:
	"""Stock rows given away: rate 0 (pricing-rule free items included) or flagged as offers."""
	stock = store.stock_items(row.item_code for row in doc.items)
	return [
		row
		for row in doc.items
		if row.item_code in stock
		and flt(row.qty) > 0
		and (not flt(row.rate) or cint(row.get("is_free_item")) or cint(row.get("snc_is_offer")))
	]


@mariadb_only
def route_offer_rows(doc, method=None) -> None:
	"""Sales Invoice / Delivery Note validate: offer rows leave stock through REO, not cost of sales."""
	conf = _applies(doc)
	if not conf:
		return
	rows = [row for row, _original in returned_offer_rows(doc)] if doc.get("is_return") else offer_rows(doc)
	accounts = store.offer_accounts(doc.company, [r.item_code for r in rows], conf)
	for row in rows:
		row.expense_account = accounts[row.item_code].reo


def returned_offer_rows(doc) -> list:
	"""(row, original decision) for a credit note's rows that take offered goods back."""
	if doc.doctype != "Sales Invoice" or not doc.get("return_against"):
		return []
	originals = store.logged_decisions(doc.return_against)
	return [
		(row, originals[row.sales_invoice_item])
		for row in doc.items
		if flt(row.qty) < 0 and row.get("sales_invoice_item") in originals
	]


def invoice_vat_rate(doc):
	for tax in doc.get("taxes") or []:
		if tax.charge_type == "On Net Total" and flt(tax.rate):
			return to_decimal(tax.rate)
	return None


def offer_gl_entries(doc) -> list[dict]:
	"""GL dicts for the offers of a submitted Portuguese sales invoice (called from the regional seam).

	On a credit note, the offers it takes back are reversed for the returned share.
	"""
	conf = _applies(doc)
	if not conf or doc.doctype != "Sales Invoice" or doc.docstatus == 0:
		return []
	returned = dict((row.name, original) for row, original in returned_offer_rows(doc)) if doc.get("is_return") else {}
	rows = [row for row in doc.items if row.name in returned] if doc.get("is_return") else offer_rows(doc)
	if not rows:
		return []
	logged = store.logged_decisions(doc.name)
	if doc.docstatus == 2 and not logged:
		return []
	precision = currency_precision(doc.company_currency)
	year = getdate(doc.posting_date).year
	rate, vat_account = store.vat_rate_and_account(conf, invoice_vat_rate(doc))
	if not vat_account:
		frappe.throw(_("SNC Settings of {0} have no VAT account for offers.").format(frappe.bold(doc.company)))
	accounts = store.offer_accounts(doc.company, [r.item_code for r in rows], conf)
	costs = store.row_costs(doc, rows)
	limits = store.limits(conf, year)
	used = store.used_this_year(doc.company, year, exclude_invoice=doc.name)
	entries = []
	for row in rows:
		offer = Offer(
			row.name,
			row.item_code,
			to_decimal(row.stock_qty or row.qty),
			costs.get(row.name, to_decimal(0)),
			rate,
			replace(accounts[row.item_code], vat=vat_account),
			row.cost_center,
		)
		if doc.docstatus == 2:
			# On cancel ERPNext reverses what was posted (the stock ledger is already cancelled);
			# these entries only tell it that the invoice has GL to reverse.
			decision = logged.get(row.name)
			if not decision:
				continue
		elif row.name in returned:
			decision = returned_decision(returned[row.name], -offer.cost, precision)
			store.save_decision(doc, row, year, decision, new=row.name not in logged)
		elif row.name in logged:
			# A repost recomputes the GL: keep the tax decision, follow the new cost.
			decision = reposted_decision(logged[row.name], offer.cost, precision)
			store.save_decision(doc, row, year, decision, new=False)
		else:
			decision = decide_offer(offer, limits, used, precision)
			store.save_decision(doc, row, year, decision, new=True)
		used += decision.counted
		entries.extend(_gl_dicts(doc, row, offer, decision))
	return entries


def _gl_dicts(doc, row, offer: Offer, decision) -> list[dict]:
	return [
		doc.get_gl_dict(
			{
				"account": line.account,
				"debit": line.debit,
				"credit": line.credit,
				"debit_in_account_currency": line.debit,
				"credit_in_account_currency": line.credit,
				"cost_center": line.cost_center or row.cost_center,
				"against": doc.customer,
				"voucher_detail_no": row.name,
				"remarks": _("Offer of {0} (SNC)").format(row.item_code),
			},
			item=row,
		)
		for line in offer_lines(offer, decision)
	]


@mariadb_only
def release_offers(doc, method=None) -> None:
	"""Sales Invoice cancel: the reversal is ERPNext's; this frees the offers' share of the yearly limit."""
	if doc.doctype == "Sales Invoice":
		store.release(doc.name)


def offers_this_year(company: str, year: int | None = None) -> dict:
	conf = store.settings(company)
	if not conf:
		frappe.throw(_("Company {0} has no SNC Settings.").format(frappe.bold(company)))
	frappe.has_permission("SNC Settings", "read", doc=conf, throw=True)
	year = year or getdate().year
	limits = store.limits(conf, year)
	summary = store.year_summary(company, year)
	return {
		"company": company,
		"year": year,
		"previous_year_turnover": limits.previous_year_turnover,
		"yearly_cap": limits.yearly_cap,
		**summary,
		"room_left": max(limits.yearly_cap - summary["counted"], to_decimal(0)),
	}


def mandatory_check(company: str, on_date=None, average_employees=None) -> dict:
	"""The three micro-entity figures at a balance-sheet date and whether perpetual inventory is mandatory."""
	if not frappe.has_permission("Account", "read") or not frappe.has_permission("Company", "read", doc=company):
		frappe.throw(_("You need read access to the accounts of {0}.").format(frappe.bold(company)), frappe.PermissionError)
	on_date = getdate(on_date)
	figures = {
		"balance_sheet_total": total_assets(company, on_date),
		"net_turnover": store.income_of_year(company, on_date.year),
		"average_employees": average_employees if average_employees not in (None, "") else employees(company),
	}
	verdict = perpetual_inventory_mandatory(figures)
	return {
		"company": company,
		"date": str(on_date),
		"figures": {k: (str(v) if v is not None else None) for k, v in figures.items()},
		"limits": {k: str(v) for k, v in MICRO_LIMITS.items()},
		"exceeded": list(verdict.exceeded),
		"unknown": list(verdict.unknown),
		"mandatory": verdict.mandatory,
	}


def employees(company: str):
	"""Average employees: HRMS's active employees when installed, else the figure in SNC Settings."""
	if "hrms" in frappe.get_installed_apps():
		return store.active_employees(company)
	conf = store.settings(company)
	return conf.average_employees if conf and conf.average_employees else None


@mariadb_only
def refuse_negative_stock(doc, method=None) -> None:
	"""Stock Settings validate: perpetual inventory under SNC never allows negative stock (the seed's rule)."""
	if not doc.allow_negative_stock:
		return
	guarded = store.guarded_companies()
	perpetual = [c for c in guarded if frappe.get_cached_value("Company", c, "enable_perpetual_inventory")]
	if perpetual:
		frappe.throw(
			_(
				"Negative stock cannot be allowed: company {0} keeps perpetual inventory under SNC, where stock may never go negative (SNC Settings, 'Refuse Negative Stock')."
			).format(frappe.bold(", ".join(perpetual)))
		)


@mariadb_only
def discount_into_inventory(doc, method=None) -> None:
	"""Payment Entry submit: with the company option on, the early-payment (financial) discount taken
	from a supplier lowers the stock value of the goods it paid for, instead of staying income.

	ERPNext books the discount as a deduction to the company's discount account; a Landed Cost
	Voucher of minus that amount, against the same account, moves it into the stock value (and
	ERPNext reposts the valuation), so the discount account nets to zero for this payment.
	"""
	if doc.payment_type != "Pay" or doc.party_type != "Supplier":
		return
	conf = _applies(doc)
	if not conf or not conf.financial_discount_to_inventory:
		return
	account = frappe.get_cached_value("Company", doc.company, "default_discount_account")
	precision = currency_precision(frappe.get_cached_value("Company", doc.company, "default_currency"))
	discount = round_money(
		-sum((to_decimal(d.amount) for d in doc.get("deductions") or [] if account and d.account == account), ZERO),
		precision,
	)
	if discount <= 0:
		return
	invoices = [r.reference_name for r in doc.references if r.reference_doctype == "Purchase Invoice"]
	receipts = store.stock_receipts_of_invoices(invoices)
	if not receipts:
		return
	from perpetual_switch.erpnext_io import writer

	name = writer.landed_cost(
		doc.company,
		doc.posting_date,
		receipts,
		account,
		-discount,
		_("Financial discount taken on payment {0}").format(doc.name),
	)
	doc.db_set("snc_discount_landed_cost", name)


@mariadb_only
def discount_out_of_inventory(doc, method=None) -> None:
	"""Payment Entry cancel: the stock value gets the discount back."""
	if doc.get("snc_discount_landed_cost"):
		from perpetual_switch.erpnext_io import writer

		writer.cancel("Landed Cost Voucher", doc.snc_discount_landed_cost)
