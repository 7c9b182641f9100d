"""Portuguese SNC use cases: route offer rows, add the offer postings to a sales invoice's GL,
release them on cancel, the year's running total, and the 2-of-3 mandatory check."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import frappe
from frappe import _
from frappe.utils import cint, flt, getdate

from perpetual_switch.engine.micro_entity import CRITERIA, EXEMPTION_CODES, YearFigures, classify
from perpetual_switch.engine.money import ZERO, round_money, to_decimal
from perpetual_switch.engine.snc import (
	Offer,
	decide_offer,
	offer_lines,
	applies,
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


def mandatory_check(company: str, on_date=None) -> dict:
	"""Whether perpetual inventory is mandatory for the company in the fiscal year of `on_date` (today by
	default): the law's test over the preceding years (see mandatory_for_year)."""
	return mandatory_for_year(company, getdate(on_date).year)


def mandatory_for_year(company: str, year) -> dict:
	"""The test of DL 158/2009 (art. 9.º, 9.º-A, 12.º) for `company` and fiscal year `year`: the three
	figures of each year the decision reads (balance-sheet total and net turnover from the GL unless
	SNC Settings gives them; average employees from SNC Settings, else HRMS), the limits in force for
	the year, the verdict with its reason, and the exemptions answered in SNC Settings."""
	if not frappe.has_permission("Account", "read") or not frappe.has_permission("Company", "read", doc=company):
		frappe.throw(_("You need read access to the accounts of {0}.").format(frappe.bold(company)), frappe.PermissionError)
	given_year = year
	try:
		year = int(str(year).strip())
	except (TypeError, ValueError):
		year = 0
	if not 2016 <= year <= 9999:
		frappe.throw(_("{0} is not a fiscal year the test can classify (2016 or later).").format(frappe.bold(str(given_year))))
	conf = store.settings(company)
	given = {int(row.year): row for row in (conf.year_figures if conf else []) if row.year}
	first_year = int(conf.first_fiscal_year) if conf and conf.first_fiscal_year else None
	figures = {}
	wanted = [year - 2, year - 1] + ([year] if first_year == year else [])
	for y in wanted:
		if first_year and y < first_year:
			continue
		figures[y] = year_figures(company, y, given.get(y), conf)
	exemptions = {code: bool(conf and conf.get(f"exempt_{code}")) for code in EXEMPTION_CODES}
	verdict = classify(year, first_year, figures, exemptions)
	return {
		"company": company,
		"year": year,
		"mandatory": verdict.mandatory,
		"micro_entity": verdict.micro_entity,
		"reason_code": verdict.reason_code,
		"reason": _(verdict.reason).format(**{k: str(v) for k, v in verdict.params.items()}),
		"note": _(verdict.note).format(**{k: str(v) for k, v in verdict.params.items()}) if verdict.note else None,
		"exemption": verdict.exemption,
		"limits": {k: str(v) for k, v in verdict.limits.items()},
		"years": [
			{
				"year": test.year,
				"figures": {
					name: (str(getattr(test.figures, name)) if test.figures and getattr(test.figures, name) is not None else None)
					for name in CRITERIA
				},
				"exceeded": list(test.exceeded),
				"unknown": list(test.unknown),
				"over": test.over,
			}
			for test in verdict.years
		],
	}


def year_figures(company: str, year: int, given=None, conf=None) -> YearFigures:
	"""A year's three figures: those SNC Settings gives, else the GL's (None for a year without books)."""
	end = date(year, 12, 31)
	balance = given.balance_sheet_total if given and given.balance_sheet_total else None
	turnover = given.net_turnover if given and given.net_turnover else None
	if balance is None and store.has_books(company, end):
		balance = total_assets(company, end)
	if turnover is None and store.has_books_in(company, year):
		turnover = store.income_of_year(company, year)
	staff = given.average_employees if given and given.average_employees else None
	if staff is None:
		staff = employees(company, year)
	return YearFigures(year, balance, turnover, staff)


def employees(company: str, year: int | None = None):
	"""Average employees of a year: HRMS's (the mean of its twelve month-end headcounts) when installed,
	else the single figure in SNC Settings."""
	if "hrms" in frappe.get_installed_apps():
		return store.average_employees(company, year or getdate().year)
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
