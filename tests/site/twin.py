"""The twin rule, as a site-test helper.

Two companies on one site with the same chart, warehouses, cost centres and documents: one periodic
(switched at the cutover by the app), one perpetual from the start (the twin). Each account is keyed
by its name without the company's abbreviation, so the two can be compared account by account.

What must hold, from the cutover on:
  - the stock accounts and Stock Received But Not Billed hold what the twin's hold;
  - every account moves, through the documents dated after the cutover, exactly as the twin's does.
Only the periodic past before the cutover differs.

A "movement" is what an account's balance does between two snapshots, whatever the dates of the GL
rows: ERPNext re-posts a receipt at its own date when a landed cost or an invoice re-values it, and
that is a consequence of the later document on the twin as much as the app's journal is on the
switched company.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal as D

import frappe

from .world import (  # noqa: F401  (debit_note, landed_cost, purchase_return: the same on both sides)
	World,
	debit_note,
	landed_cost,
	ensure_fiscal_year,
	ensure_supplier,
	gl_by_account,
	make_account,
	make_company,
	make_warehouse,
	purchase_return,
	run_pending_reposts,
)

CUTOVER = "2026-06-30"
FOREIGN = "USD"


@dataclass
class Side:
	"""One of the two companies, with what the scenarios need of it."""

	world: World
	perpetual: bool
	docs: dict = field(default_factory=dict)

	@property
	def company(self):
		return self.world.company

	def acc(self, name):
		return self.world.acc(name)

	@property
	def wh1(self):
		return self.world.wh("W1")

	@property
	def wh2(self):
		return self.world.wh("W2")

	@property
	def cc1(self):
		return frappe.get_cached_value("Company", self.company, "cost_center")

	@property
	def cc2(self):
		return self.acc("CC2")

	@property
	def freight(self):
		return self.acc("Freight In")

	@property
	def customs(self):
		return self.acc("Customs In")


@dataclass
class Twin:
	periodic: Side
	perpetual: Side
	tag: str

	@property
	def sides(self):
		return (self.periodic, self.perpetual)

	def on_both(self, do) -> None:
		"""Run `do(side)` on the periodic company, then on the twin, settling ERPNext's reposts."""
		for side in self.sides:
			do(side)
			run_pending_reposts(side.company)
		frappe.db.commit()

	def snapshot(self) -> tuple[dict, dict]:
		return balances(self.periodic.company), balances(self.perpetual.company)

	def movements_since(self, snapshot) -> tuple[dict, dict]:
		before_p, before_t = snapshot
		after_p, after_t = self.snapshot()
		return difference(after_p, before_p), difference(after_t, before_t)


def ensure_foreign_rates(currency: str, foreign: str = FOREIGN) -> None:
	"""Price lists need some rate between the two currencies; the documents set their own."""
	for pair in ((foreign, currency), (currency, foreign)):
		key = {"date": "2000-01-01", "from_currency": pair[0], "to_currency": pair[1]}
		if pair[0] != pair[1] and not frappe.db.exists("Currency Exchange", key):
			frappe.get_doc(
				{"doctype": "Currency Exchange", **key, "exchange_rate": 1, "for_buying": 1, "for_selling": 1}
			).insert()


def _side(label: str, abbr: str, perpetual: bool) -> Side:
	w = make_company(label, abbr, perpetual)
	frappe.db.set_value("Company", w.company, "default_inventory_account", w.acc("Stock In Hand"))
	make_warehouse(w, "W1")
	make_warehouse(w, "W2", account=make_account(w, "Stock Two"))
	make_account(w, "Freight In", parent="Indirect Expenses", account_type="Chargeable")
	make_account(w, "Customs In", parent="Indirect Expenses", account_type="Chargeable")
	if not frappe.db.exists("Cost Center", w.acc("CC2")):
		frappe.get_doc(
			{
				"doctype": "Cost Center",
				"cost_center_name": "CC2",
				"company": w.company,
				"parent_cost_center": w.acc(w.company),
				"is_group": 0,
			}
		).insert()
	ensure_foreign_rates(frappe.get_cached_value("Company", w.company, "default_currency"))
	return Side(w, perpetual)


def make_twin(label: str) -> Twin:
	"""A periodic company and its perpetual twin, set up alike (committed)."""
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	ensure_supplier()
	tag = uuid.uuid4().hex[:4].upper()
	twin = Twin(_side(f"{label} P {tag}", f"TP{tag}", False), _side(f"{label} T {tag}", f"TT{tag}", True), tag)
	frappe.db.commit()
	return twin


def balances(company: str, up_to=None) -> dict:
	"""Debit minus credit per account name (without the company's abbreviation), non-cancelled GL."""
	suffix = " - " + frappe.get_cached_value("Company", company, "abbr")
	return {
		(account[: -len(suffix)] if account.endswith(suffix) else account): amount
		for account, amount in gl_by_account(company, up_to).items()
	}


def difference(after: dict, before: dict) -> dict:
	keys = set(after) | set(before)
	moved = {k: after.get(k, D(0)) - before.get(k, D(0)) for k in keys}
	return {k: v for k, v in sorted(moved.items()) if v}


def stock_and_srbnb(company: str) -> set[str]:
	"""The company's stock accounts and its SRBNB, by name without the abbreviation."""
	abbr = frappe.get_cached_value("Company", company, "abbr")
	names = frappe.get_all("Account", filters={"company": company, "account_type": "Stock", "is_group": 0}, pluck="name")
	names.append(frappe.get_cached_value("Company", company, "stock_received_but_not_billed") or f"Stock Received But Not Billed - {abbr}")
	return {n[: -len(f" - {abbr}")] for n in names}


def apart(periodic: dict, perpetual: dict) -> dict:
	"""Accounts where the two differ: name -> (switched company, twin)."""
	return {
		k: (periodic.get(k, D(0)), perpetual.get(k, D(0)))
		for k in sorted(set(periodic) | set(perpetual))
		if periodic.get(k, D(0)) != perpetual.get(k, D(0))
	}


def assert_same_movements(twin: Twin, snapshot, what: str) -> None:
	moved_p, moved_t = twin.movements_since(snapshot)
	diff = apart(moved_p, moved_t)
	assert not diff, f"{what}: accounts moved apart from the twin (switched, twin): {diff}\nswitched {moved_p}\ntwin {moved_t}"


def assert_same_stock_and_srbnb(twin: Twin, up_to=None, what: str = "") -> None:
	accounts = stock_and_srbnb(twin.periodic.company) | stock_and_srbnb(twin.perpetual.company)
	p, t = balances(twin.periodic.company, up_to), balances(twin.perpetual.company, up_to)
	diff = apart({k: v for k, v in p.items() if k in accounts}, {k: v for k, v in t.items() if k in accounts})
	assert not diff, f"{what}: stock accounts or SRBNB apart from the twin (switched, twin): {diff}"


# --- documents, the same on both sides ------------------------------------------------------------


def receipt(side: Side, date, rows, currency=None, conversion_rate=1, taxes=(), submit=True):
	"""rows: (item, qty, rate[, warehouse[, cost centre]]); taxes: (account, amount, category, cost centre)."""
	company_currency = frappe.get_cached_value("Company", side.company, "default_currency")
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Receipt",
			"company": side.company,
			"supplier": "Sup One",
			"posting_date": date,
			"set_posting_time": 1,
			"currency": currency or company_currency,
			"conversion_rate": conversion_rate,
			"items": [_row(side, row) for row in rows],
			"taxes": [_tax(side, tax) for tax in taxes],
		}
	)
	doc.insert()
	if submit:
		doc.submit()
	return doc


def _row(side: Side, row) -> dict:
	item, qty, rate, *rest = row
	warehouse = rest[0] if rest else side.wh1
	cost_center = rest[1] if len(rest) > 1 else side.cc1
	return {
		"item_code": item,
		"qty": qty,
		"rate": rate,
		"warehouse": warehouse,
		"conversion_factor": 1,
		"cost_center": cost_center,
	}


def _tax(side: Side, tax) -> dict:
	account, amount, category, *rest = tax
	return {
		"charge_type": "Actual",
		"account_head": account,
		"description": account,
		"tax_amount": amount,
		"category": category,
		"add_deduct_tax": "Add",
		"cost_center": rest[0] if rest else side.cc1,
	}


def invoice(side: Side, receipt_doc, date, rates=None, qtys=None, conversion_rate=None, taxes=None, discount=None, submit=True):
	"""A purchase invoice made from the receipt by ERPNext's own mapper. `taxes` replaces the mapped
	taxes (None keeps them); `discount` is an invoice-level discount amount on the net total."""
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

	doc = make_purchase_invoice(receipt_doc.name)
	for row in doc.items:
		if rates and row.item_code in rates:
			row.rate = rates[row.item_code]
		if qtys and row.item_code in qtys:
			row.qty = row.received_qty = qtys[row.item_code]
	doc.items = [row for row in doc.items if row.qty]
	if conversion_rate is not None:
		doc.conversion_rate = conversion_rate
	if taxes is not None:
		doc.taxes = []
		for tax in taxes:
			doc.append("taxes", _tax(side, tax))
	if discount:
		doc.apply_discount_on = "Net Total"
		doc.discount_amount = discount
	doc.posting_date = doc.bill_date = doc.due_date = date
	doc.set_posting_time = 1
	doc.payment_schedule = []
	doc.insert()
	if submit:
		doc.submit()
	return doc


def stock_invoice(side: Side, date, rows, taxes=()):
	"""A purchase invoice that updates stock (its own receipt)."""
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Invoice",
			"company": side.company,
			"supplier": "Sup One",
			"posting_date": date,
			"set_posting_time": 1,
			"bill_date": date,
			"due_date": date,
			"update_stock": 1,
			"currency": frappe.get_cached_value("Company", side.company, "default_currency"),
			"conversion_rate": 1,
			"items": [_row(side, row) for row in rows],
			"taxes": [_tax(side, tax) for tax in taxes],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def issue(side: Side, date, item, qty, warehouse=None):
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Issue",
			"company": side.company,
			"posting_date": date,
			"set_posting_time": 1,
			"items": [{"item_code": item, "qty": qty, "s_warehouse": warehouse or side.wh1, "conversion_factor": 1}],
		}
	)
	doc.insert()
	doc.submit()
	return doc
