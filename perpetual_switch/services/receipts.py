"""Billing receipts the switch accrued: their invoices post what they would have posted had the
company always been perpetual (the twin rule).

ERPNext books a purchase invoice row against a receipt to SRBNB only when that receipt itself
credited SRBNB, and leaves a row's valuation tax to SRBNB only when the receipt booked its own
valuation taxes; no receipt made under periodic inventory did either. So, for rows billing an
accrued receipt row:
  - validate routes the row's expense account to SRBNB (stored on the row, so reposts keep it);
  - the invoice's GL (ERPNext's regional seam, so cancellations and reposts keep it) takes back the
    valuation tax ERPNext debits to SRBNB where the receipt, had it been perpetual, would have
    booked those taxes itself;
  - submit records how much of the accrual each row clears; cancel releases it.
Everything else is ERPNext's own posting, as on a perpetual company: a price difference stays in
SRBNB, ERPNext books an exchange-rate difference to Exchange Gain/Loss, and the buying setting
that re-values receipts at the invoice's price does so through the late-cost journal.
"""

from __future__ import annotations

import erpnext
import frappe
from frappe import _
from frappe.utils import flt

from perpetual_switch.engine.money import ZERO, round_money, to_decimal
from perpetual_switch.engine.srbnb import ValuationTax, clearing_for_invoice_row, twin_valuation_tax
from perpetual_switch.erpnext_io import clearing as store
from perpetual_switch.erpnext_io import writer
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.erpnext_io.reader import currency_precision
from perpetual_switch.snc_portugal.seam import PURCHASE_OURS, PURCHASE_SEAM, previous_override

VALUATION = ("Valuation", "Valuation and Total")


@mariadb_only
def route_migrated_receipts(doc, method=None) -> None:
	"""Purchase Invoice validate: rows billing an accrued receipt row post to SRBNB."""
	accruals = store.accruals_for(doc.company, [row.pr_detail for row in doc.items if row.pr_detail])
	if not accruals:
		return
	srbnb = frappe.get_cached_value("Company", doc.company, "stock_received_but_not_billed")
	for row in doc.items:
		if row.pr_detail in accruals and row.expense_account != srbnb:
			row.expense_account = srbnb


@mariadb_only
def on_invoice_submit(doc, method=None) -> None:
	# Lock the accrued rows this invoice bills: two invoices of one receipt row clear it in turn,
	# the second seeing what the first cleared, so the cleared value never exceeds the accrual.
	accruals = store.accruals_for(doc.company, [row.pr_detail for row in doc.items if row.pr_detail], for_update=True)
	if not accruals:
		return
	precision = currency_precision(frappe.get_cached_value("Company", doc.company, "default_currency"))
	cleared = store.cleared_so_far(list(accruals))
	for row in doc.items:
		accrual = accruals.get(row.pr_detail)
		if not accrual:
			continue
		qty_before, value_before = cleared.get(row.pr_detail, (ZERO, ZERO))
		result = clearing_for_invoice_row(
			accrual.unbilled_qty,
			accrual.unbilled_value,
			qty_before,
			value_before,
			to_decimal(row.stock_qty),
			to_decimal(row.base_net_amount),
			precision,
		)
		if not result.qty:
			continue
		cleared[row.pr_detail] = (qty_before + result.qty, value_before + result.value)
		store.record(doc, row, accrual, result, None)


@mariadb_only
def on_invoice_cancel(doc, method=None) -> None:
	# Clearings recorded before the twin rule carried a rate-difference journal: cancel it with them.
	for journal_entry in store.release(doc.name):
		writer.cancel_journal(journal_entry)


def make_regional_gl_entries(gl_entries, doc):
	"""ERPNext's regional seam of the purchase invoice's GL: what ERPNext (or another app) would
	post, plus what brings an invoice of accrued receipts to its perpetual twin's GL."""
	gl_entries = previous_override(PURCHASE_SEAM, PURCHASE_OURS, erpnext.get_region(), gl_entries, doc)
	if doc.get("doctype") != "Purchase Invoice" or frappe.db.db_type != "mariadb":
		return gl_entries
	return gl_entries + as_on_the_twin(doc)


def as_on_the_twin(doc) -> list:
	"""GL taking back the valuation tax ERPNext debited to SRBNB for rows whose receipt, had it been
	posted under perpetual inventory, would have booked the invoice's valuation tax accounts."""
	if not doc.get("auto_accounting_for_stock") or doc.get("update_stock") or doc.get("is_opening") == "Yes":
		return []
	if doc.is_internal_transfer():
		return []
	taxes = [
		ValuationTax(
			tax.name,
			tax.account_head,
			tax.cost_center,
			(1 if tax.add_deduct_tax == "Add" else -1) * to_decimal(flt(tax.base_tax_amount_after_discount_amount)),
		)
		for tax in doc.get("taxes")
		if tax.category in VALUATION and flt(tax.base_tax_amount_after_discount_amount)
	]
	rows = [row for row in doc.get("items") if row.pr_detail and row.purchase_receipt and flt(row.item_tax_amount)]
	if not taxes or not rows:
		return []
	accruals = store.accruals_for(doc.company, [row.pr_detail for row in rows])
	rows = [row for row in rows if row.pr_detail in accruals and not row.is_fixed_asset]
	if not rows:
		return []
	accounts = {tax.account for tax in taxes}
	booked_on = store.twin_receipt_accounts([row.purchase_receipt for row in rows])
	rows = [row for row in rows if booked_on.get(row.purchase_receipt, set()) & accounts]
	if not rows:
		return []
	precision = currency_precision(doc.company_currency)
	amounts = [(row, round_money(to_decimal(flt(row.item_tax_amount, row.precision("item_tax_amount"))), precision)) for row in rows]
	booked = to_decimal(flt(doc.get("negative_expense_to_be_booked")))
	removed = sum((amount for _row, amount in amounts), ZERO)
	srbnb = doc.stock_received_but_not_billed
	remarks = doc.get("remarks") or _("Accounting Entry for Stock")
	rate = flt(doc.conversion_rate) or 1
	entries = []
	for row, amount in amounts:
		entries.append(
			doc.get_gl_dict(
				{
					"account": srbnb,
					"against": doc.supplier,
					"credit": float(amount),
					"credit_in_account_currency": float(amount),
					"credit_in_transaction_currency": flt(float(amount) / rate, row.precision("item_tax_amount")),
					"remarks": remarks,
					"cost_center": doc.cost_center,
					"project": row.project or doc.project,
				},
				item=row,
			)
		)
	by_key = {tax.name: tax for tax in doc.get("taxes")}
	for key, account, cost_center, amount in twin_valuation_tax(booked, booked - removed, taxes, precision):
		entries.append(
			doc.get_gl_dict(
				{
					"account": account,
					"cost_center": cost_center,
					"against": doc.supplier,
					"debit": float(amount),
					"debit_in_account_currency": float(amount),
					"debit_in_transaction_currency": flt(float(amount) / rate, 9),
					"remarks": remarks,
				},
				item=by_key[key],
			)
		)
	return entries
