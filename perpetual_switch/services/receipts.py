"""Billing receipts the switch accrued: their invoices must clear Stock Received But Not Billed.

ERPNext books a purchase invoice row against a receipt to SRBNB only when that receipt itself
credited SRBNB, which no pre-switch receipt did. Left alone, the invoice would debit the expense
account and the switch's accrual would never clear. So, for rows billing an accrued receipt row:
  - validate routes the row's expense account to SRBNB (stored on the row, so reposts keep it);
  - submit records how much of the accrual the row clears and, when the invoice rate differs
    from the receipt's, moves the difference from SRBNB to the switch's expense account with a
    journal entry;
  - cancel releases the clearing and cancels that journal entry.
"""

from __future__ import annotations

import frappe
from frappe import _

from perpetual_switch.engine.journal import adjustment_journal
from perpetual_switch.engine.money import ZERO, to_decimal
from perpetual_switch.engine.srbnb import clearing_for_invoice_row
from perpetual_switch.erpnext_io import clearing as store
from perpetual_switch.erpnext_io import writer
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.erpnext_io.reader import currency_precision


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
	rows, differences = [], {}
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
		key = (accrual.switch, accrual.expense_account, row.cost_center or accrual.cost_center)
		rows.append((accrual, row, result, key))
		if result.rate_difference:
			differences[key] = differences.get(key, ZERO) + result.rate_difference
	journals = {}
	srbnb = frappe.get_cached_value("Company", doc.company, "stock_received_but_not_billed")
	for key, amount in differences.items():
		switch, expense_account, cost_center = key
		# A positive difference was debited to SRBNB beyond the accrual: move it to the expense account.
		journal = adjustment_journal("rate_difference", [(srbnb, -amount)], expense_account, cost_center, precision)
		if journal:
			journals[key] = writer.post_journal(
				doc.company,
				doc.posting_date,
				journal,
				_("Rate difference on migrated receipts ({0})").format(doc.name),
				_("Purchase invoice {0} billed receipts accrued by switch {1} at another rate.").format(doc.name, switch),
			)
	for accrual, row, result, key in rows:
		store.record(doc, row, accrual, result, journals.get(key))


@mariadb_only
def on_invoice_cancel(doc, method=None) -> None:
	for journal_entry in store.release(doc.name):
		writer.cancel_journal(journal_entry)
