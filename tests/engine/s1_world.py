"""S1 (shared/acceptance) as plain engine inputs: the numbers a real site must reproduce."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine.models import (
	Account,
	Company,
	CostCenter,
	ReceiptRow,
	SwitchInputs,
	Warehouse,
)
from perpetual_switch.engine.operation import BackdatedInputs, SchemeInputs, choose

C = "PS Demo"


def acc(name, account_type=None, report_type="Balance Sheet", **kw):
	root_type = kw.pop("root_type", "Expense" if report_type == "Profit and Loss" else "Asset")
	return Account(
		name, kw.pop("company", C), account_type=account_type, report_type=report_type, root_type=root_type, **kw
	)


ACCOUNTS = {
	a.name: a
	for a in [
		acc("Stock North - PSD", "Stock"),
		acc("Stock Cold - PSD", "Stock"),
		acc("Stock In Hand - PSD", "Stock"),
		acc("Stock Received But Not Billed - PSD", "Stock Received But Not Billed", root_type="Liability"),
		acc("Stock Adjustment - PSD", "Stock Adjustment", "Profit and Loss"),
		acc("Expenses Included In Valuation - PSD", "Expenses Included In Valuation", "Profit and Loss"),
		acc("Round Off - PSD", "Round Off", "Profit and Loss"),
		acc("Cost of Goods Sold - PSD", "Cost of Goods Sold", "Profit and Loss"),
		acc("Stock Assets - PSD", None, is_group=True),
		acc("Sales - OTHER", None, "Profit and Loss", company="Other Co"),
	]
}

WAREHOUSES = (
	Warehouse("All Warehouses - PSD", C, None, True),
	Warehouse("Stores - PSD", C, "All Warehouses - PSD"),
	Warehouse("Finished Goods - PSD", C, "All Warehouses - PSD"),
	Warehouse("North - PSD", C, "All Warehouses - PSD", True, "Stock North - PSD"),
	Warehouse("N-Stores - PSD", C, "North - PSD"),
	Warehouse("N-Cold - PSD", C, "North - PSD", False, "Stock Cold - PSD"),
	Warehouse("Transit - PSD", C, "All Warehouses - PSD"),
)

COMPANY = Company(
	C,
	"EUR",
	2,
	False,
	"Cost of Goods Sold - PSD",
	{"default_inventory_account": "Stock In Hand - PSD", "round_off_account": "Round Off - PSD"},
)

RECEIPTS = (
	ReceiptRow("PR-1", "pr1-a", "ITEM-A", "Completed", D(100), D("3000"), D(0), D(100)),
	ReceiptRow("PR-1", "pr1-b", "ITEM-B", "To Bill", D(50), D("1000"), D(0), D(0)),
	ReceiptRow("PR-2", "pr2-b", "ITEM-B", "To Bill", D(40), D("800"), D(10), D(0)),
	ReceiptRow("PR-3", "pr3-a", "ITEM-A", "Completed", D(40), D("1200"), D(0), D(40)),
	ReceiptRow("PR-6", "pr6-b", "ITEM-B", "Closed", D(20), D("400"), D(0), D(0)),
)

CANDIDATES = {
	"Stock": ("Stock Cold - PSD", "Stock In Hand - PSD", "Stock North - PSD"),
	"Stock Received But Not Billed": ("Stock Received But Not Billed - PSD",),
	"Stock Adjustment": ("Stock Adjustment - PSD",),
	"Expenses Included In Valuation": ("Expenses Included In Valuation - PSD",),
	"Round Off": ("Round Off - PSD",),
}


def s1_inputs(**changes) -> SwitchInputs:
	"""S1's inputs with `changes`; an operation's own inputs may be given as keywords too: `scheme`,
	`resync`, `item_wise_available`, `stock_cells` (a scheme change) and `backdated`, `repost_vouchers`,
	`period_closings_after`, `closed_periods_after`, `manual_journals_after` (a backdated one)."""
	scheme_keys = {"resync": "resync", "item_wise_available": "available", "stock_cells": "stock_cells"}
	later_keys = ("repost_vouchers", "period_closings_after", "closed_periods_after", "manual_journals_after")
	scheme = changes.pop("scheme", None)
	scheme_inputs = {scheme_keys[k]: changes.pop(k) for k in list(changes) if k in scheme_keys}
	later = {k: changes.pop(k) for k in list(changes) if k in later_keys}
	backdated = changes.pop("backdated", False) or bool(later)
	base = SwitchInputs(
		company=COMPANY,
		cutover_date=date(2026, 6, 30),
		today=date(2026, 11, 22),
		expense_account="Cost of Goods Sold - PSD",
		cost_center="Main - PSD",
		warehouses=WAREHOUSES,
		accounts=ACCOUNTS,
		cost_centers={
			"Main - PSD": CostCenter("Main - PSD", C),
			"PS Demo - PSD": CostCenter("PS Demo - PSD", C, is_group=True),
		},
		stock_values={"N-Stores - PSD": D("3800"), "N-Cold - PSD": D("600"), "Transit - PSD": D("1200")},
		gl_balances={"Stock Cold - PSD": D("500"), "Cost of Goods Sold - PSD": D("2500")},
		receipt_rows=RECEIPTS,
		account_candidates=CANDIDATES,
		freeze_start=date(2026, 1, 1),
	)
	base = replace(base, **changes)
	operation = choose(base.company.perpetual_inventory, scheme, backdated)
	operation = replace(
		operation,
		scheme=SchemeInputs(scheme, **scheme_inputs) if scheme else None,
		backdated=BackdatedInputs(**later) if backdated else None,
	)
	return replace(base, operation=operation)
