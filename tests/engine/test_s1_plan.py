from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine.models import AccountingPeriod, DatedDocument, NegativeBin, Warehouse
from perpetual_switch.engine.plan import build_plan
from perpetual_switch.engine.serialize import plan_to_dict

from .s1_world import COMPANY, WAREHOUSES, s1_inputs


def lines(plan_dict, purpose):
	(journal,) = [j for j in plan_dict["journal_entries"] if j["purpose"] == purpose]
	return {(l["account"], l["debit"], l["credit"]) for l in journal["lines"]}


def test_s1_warehouse_resolution():
	plan = plan_to_dict(build_plan(s1_inputs()))
	rows = {w["warehouse"]: w for w in plan["warehouses"]}
	assert (rows["North - PSD"]["account"], rows["North - PSD"]["source"]) == ("Stock North - PSD", "warehouse")
	assert rows["N-Stores - PSD"]["account"] == "Stock North - PSD"
	assert (rows["N-Stores - PSD"]["source"], rows["N-Stores - PSD"]["source_warehouse"]) == ("parent", "North - PSD")
	assert (rows["N-Cold - PSD"]["account"], rows["N-Cold - PSD"]["source"]) == ("Stock Cold - PSD", "warehouse")
	assert (rows["Transit - PSD"]["account"], rows["Transit - PSD"]["source"]) == (
		"Stock In Hand - PSD",
		"company_default",
	)
	assert rows["Transit - PSD"]["source_warehouse"] is None
	assert rows["N-Stores - PSD"]["stock_value"] == "3800.00"
	assert rows["Stores - PSD"]["stock_value"] == "0.00"


def test_s1_stock_accounts_and_journal():
	plan = plan_to_dict(build_plan(s1_inputs()))
	assert plan["blockers"] == []
	accounts = {a["account"]: (a["stock_value"], a["gl_balance"], a["difference"]) for a in plan["stock_accounts"]}
	assert accounts == {
		"Stock North - PSD": ("3800.00", "0.00", "3800.00"),
		"Stock Cold - PSD": ("600.00", "500.00", "100.00"),
		"Stock In Hand - PSD": ("1200.00", "0.00", "1200.00"),
	}
	assert lines(plan, "stock_sync") == {
		("Stock North - PSD", "3800.00", "0.00"),
		("Stock Cold - PSD", "100.00", "0.00"),
		("Stock In Hand - PSD", "1200.00", "0.00"),
		("Cost of Goods Sold - PSD", "0.00", "5100.00"),
	}
	(expense_line,) = [
		l for j in plan["journal_entries"] for l in j["lines"] if l["account"] == "Cost of Goods Sold - PSD"
		and j["purpose"] == "stock_sync"
	]
	assert expense_line["cost_center"] == "Main - PSD"


def test_s1_srbnb():
	plan = plan_to_dict(build_plan(s1_inputs()))
	srbnb = plan["srbnb"]
	assert srbnb["account"] == "Stock Received But Not Billed - PSD"
	assert (srbnb["unbilled_value"], srbnb["gl_balance"], srbnb["difference"]) == ("1600.00", "0.00", "-1600.00")
	assert {(r["purchase_receipt"], r["unbilled_value"]) for r in srbnb["receipts"]} == {
		("PR-1", "1000.00"),
		("PR-2", "600.00"),
	}
	assert lines(plan, "srbnb_sync") == {
		("Stock Received But Not Billed - PSD", "0.00", "1600.00"),
		("Cost of Goods Sold - PSD", "1600.00", "0.00"),
	}
	(closed,) = [w for w in plan["warnings"] if w["code"] == "closed_receipt_unbilled"]
	assert closed["subject"] == "PR-6" and "400" in closed["message"]


def test_s1_company_defaults():
	plan = plan_to_dict(build_plan(s1_inputs()))
	defaults = {d["field"]: (d["current"], d["proposed"]) for d in plan["company_defaults"]}
	assert defaults == {
		"stock_received_but_not_billed": (None, "Stock Received But Not Billed - PSD"),
		"stock_adjustment_account": (None, "Stock Adjustment - PSD"),
		"expenses_included_in_valuation": (None, "Expenses Included In Valuation - PSD"),
		"cost_center": (None, "Main - PSD"),
		"round_off_cost_center": (None, "Main - PSD"),
		"enable_perpetual_inventory": (0, 1),
	}


def test_s1_freeze_covers_up_to_cutover():
	plan = build_plan(s1_inputs())
	assert plan.freeze.new_periods == ((date(2026, 1, 1), date(2026, 6, 30)),)
	assert "Stock Entry" in plan.freeze.doctypes and "Journal Entry" not in plan.freeze.doctypes


def codes(plan):
	return [b.code for b in plan.blockers]


def test_transit_without_any_account_blocks_and_names_the_warehouse():
	company = replace(COMPANY, defaults={"round_off_account": "Round Off - PSD"})
	plan = build_plan(s1_inputs(company=company))
	transit = [b for b in plan.blockers if b.subject == "Transit - PSD"]
	assert transit and transit[0].code == "warehouse_without_account"
	assert "arbitrarily" in transit[0].message
	assert [w for w in plan.warehouses if w.warehouse == "Transit - PSD"][0].source is None


def test_bad_accounts_and_later_documents_are_all_reported_together():
	warehouses = tuple(
		replace(w, account="Stock Assets - PSD") if w.name == "Transit - PSD" else w for w in WAREHOUSES
	) + (Warehouse("Foreign - PSD", "PS Demo", None, False, "Sales - OTHER"),)
	plan = build_plan(
		s1_inputs(
			warehouses=warehouses,
			expense_account="Stock North - PSD",
			cost_center="PS Demo - PSD",
			stock_ledger_after_count=2,
			stock_entries_after=(DatedDocument("Stock Entry", "STE-9", date(2026, 7, 3)),),
			purchase_invoices_after_count=1,
			purchase_invoices_after=(DatedDocument("Purchase Invoice", "PI-9", date(2026, 7, 4)),),
			negative_stock_allowed=True,
			negative_bins=(NegativeBin("ITEM-A", "N-Stores - PSD", D(-2)),),
			active_switch="PS-SWITCH-0001",
		)
	)
	found = set(codes(plan))
	assert {
		"account_is_group",
		"account_not_stock",
		"account_other_company",
		"expense_account_not_pl",
		"cost_center_is_group",
		"stock_ledger_after_cutover",
		"purchase_invoice_after_cutover",
		"negative_stock_allowed",
		"negative_stock",
		"switch_already_applied",
	} <= found
	later = [b for b in plan.blockers if b.code == "stock_ledger_after_cutover"][0]
	assert "STE-9" in later.message


def test_disabled_account_and_expense_of_other_company():
	accounts = dict(s1_inputs().accounts)
	accounts["Stock Cold - PSD"] = replace(accounts["Stock Cold - PSD"], disabled=True)
	plan = build_plan(s1_inputs(accounts=accounts, expense_account="Sales - OTHER"))
	assert {"account_disabled", "expense_account_other_company"} <= set(codes(plan))


def test_drift_variant_posts_stock_only_and_balances_without_expense_line():
	company = replace(
		COMPANY,
		perpetual_inventory=True,
		defaults={
			**COMPANY.defaults,
			"stock_received_but_not_billed": "Stock Received But Not Billed - PSD",
			"stock_adjustment_account": "Stock Adjustment - PSD",
			"expenses_included_in_valuation": "Expenses Included In Valuation - PSD",
			"cost_center": "Main - PSD",
			"round_off_cost_center": "Main - PSD",
			"enable_perpetual_inventory": 1,
		},
	)
	warehouses = tuple(
		replace(w, account="Stock North - PSD") if w.name == "N-Cold - PSD" else w for w in WAREHOUSES
	)
	plan = plan_to_dict(
		build_plan(
			s1_inputs(
				company=company,
				warehouses=warehouses,
				gl_balances={
					"Stock North - PSD": D("3800"),
					"Stock Cold - PSD": D("600"),
					"Stock In Hand - PSD": D("1200"),
					"Stock Received But Not Billed - PSD": D("-1600"),
				},
			)
		)
	)
	assert plan["blockers"] == []
	assert [j["purpose"] for j in plan["journal_entries"]] == ["stock_sync"]
	assert lines(plan, "stock_sync") == {
		("Stock North - PSD", "600.00", "0.00"),
		("Stock Cold - PSD", "0.00", "600.00"),
	}
	assert plan["company_defaults"] == []
	assert plan["srbnb"]["difference"] == "0.00"


def test_in_sync_company_has_nothing_to_do_and_is_not_blocked_by_its_own_switch():
	company = replace(COMPANY, perpetual_inventory=True, defaults={
		**COMPANY.defaults,
		"stock_received_but_not_billed": "Stock Received But Not Billed - PSD",
		"stock_adjustment_account": "Stock Adjustment - PSD",
		"expenses_included_in_valuation": "Expenses Included In Valuation - PSD",
		"cost_center": "Main - PSD",
		"round_off_cost_center": "Main - PSD",
	})
	plan = build_plan(
		s1_inputs(
			company=company,
			active_switch="PS-SWITCH-0001",
			gl_balances={
				"Stock North - PSD": D("3800"),
				"Stock Cold - PSD": D("600"),
				"Stock In Hand - PSD": D("1200"),
				"Stock Received But Not Billed - PSD": D("-1600"),
			},
		)
	)
	assert plan.blockers == () and plan.in_sync and not plan.has_work


def test_period_blockers():
	plan = build_plan(
		s1_inputs(
			today=date(2026, 6, 1),
			has_fiscal_year=False,
			journal_period_closed="June - PSD",
			accounts_frozen_upto=date(2026, 6, 30),
			accounting_periods=(AccountingPeriod("FY26 - PSD", date(2026, 1, 1), date(2026, 12, 31)),),
		)
	)
	assert {
		"cutover_in_future",
		"no_fiscal_year",
		"journal_period_closed",
		"accounts_frozen",
		"accounting_period_straddles_cutover",
	} <= set(codes(plan))


def test_overrides_win_and_are_checked():
	plan = build_plan(s1_inputs(default_overrides={"stock_adjustment_account": "Sales - OTHER"}))
	assert "default_account_invalid" in codes(plan)
	changes = {c.field: c.proposed for c in plan.company_defaults}
	assert changes["stock_adjustment_account"] == "Sales - OTHER"


def test_portuguese_snc_chart_warnings_and_negative_running_stock():
	accounts = dict(s1_inputs().accounts)
	for name in ("Stock North - PSD", "Stock Cold - PSD"):
		accounts[name] = replace(accounts[name], root_type="Expense")
	company = replace(COMPANY, defaults={"round_off_account": "Round Off - PSD"})
	plan = build_plan(
		s1_inputs(
			country="Portugal",
			accounts=accounts,
			company=company,
			negative_running_count=3,
			negative_running=(DatedDocument("Sales Invoice", "SI-1", date(2026, 6, 1)),),
		)
	)
	warnings = {w.code: w for w in plan.warnings}
	assert "Stock Cold - PSD" in warnings["inventory_not_an_asset"].message
	assert "ambiguous_stock_fallback" in warnings
	(negative,) = [b for b in plan.blockers if b.code == "negative_running_stock"]
	assert "SI-1" in negative.message
	assert "inventory_not_an_asset" not in {w.code for w in build_plan(s1_inputs(accounts=accounts)).warnings}


def test_a_disabled_warehouse_holding_stock_blocks_and_an_empty_one_does_not():
	warehouses = tuple(replace(w, disabled=w.name in ("N-Stores - PSD", "Stores - PSD")) for w in WAREHOUSES)
	plan = build_plan(s1_inputs(warehouses=warehouses))
	blocked = [b for b in plan.blockers if b.code == "warehouse_disabled_with_stock"]
	# N-Stores holds 3800.00; Stores is empty, so disabling it changes nothing.
	assert [b.subject for b in blocked] == ["N-Stores - PSD"]
	assert "N-Stores - PSD" in blocked[0].message and "3800.00" in blocked[0].message


def test_reposts_still_to_run_before_the_cutover_block_naming_them():
	pending = (DatedDocument("Repost Item Valuation", "REPOST-1", date(2026, 6, 15)),)
	plan = build_plan(s1_inputs(pending_reposts=pending, pending_reposts_count=3))
	(blocker,) = [b for b in plan.blockers if b.code == "repost_pending_before_cutover"]
	assert "REPOST-1" in blocker.message and "2026-06-30" in blocker.message and blocker.message.startswith("3 ")
