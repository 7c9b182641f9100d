"""A change of inventory account scheme (ERPNext 16): warehouse-wise to item-wise and back, planned by the
engine from stock per item and warehouse."""

from dataclasses import replace
from decimal import Decimal as D

from perpetual_switch.engine.models import ITEM_WISE_FIELD, DefaultChange, ItemStock, StockCell
from perpetual_switch.engine.plan import build_plan
from perpetual_switch.engine.serialize import plan_to_dict

from .s1_world import ACCOUNTS, COMPANY, acc, s1_inputs

ITEMS = (
	ItemStock("ITEM-A", D("2600.009"), D(13), item_account="Stock North - PSD", item_group="Goods", item_group_account="Stock Cold - PSD"),
	ItemStock("ITEM-B", D("1799.991"), D(9), item_group="Goods", item_group_account="Stock Cold - PSD", brand="Acme", brand_account="Stock In Hand - PSD"),
	ItemStock("ITEM-C", D("1200"), D(12), item_group="Other", brand="Acme", brand_account="Stock In Hand - PSD"),
)
CELLS = (
	StockCell("ITEM-A", "N-Stores - PSD", D("2000.004"), D(10)),
	StockCell("ITEM-A", "N-Cold - PSD", D("600.005"), D(3)),
	StockCell("ITEM-B", "N-Stores - PSD", D("1799.991"), D(9)),
	StockCell("ITEM-C", "Transit - PSD", D("1200"), D(12)),
)
WAREHOUSE_VALUES = {"N-Stores - PSD": D("3799.995"), "N-Cold - PSD": D("600.005"), "Transit - PSD": D("1200")}
WAREHOUSE_GL = {"Stock North - PSD": D("3800.00"), "Stock Cold - PSD": D("600.01"), "Stock In Hand - PSD": D("1200")}
ITEM_GL = {"Stock North - PSD": D("2600.01"), "Stock Cold - PSD": D("1799.99"), "Stock In Hand - PSD": D("1200")}
PERPETUAL = replace(COMPANY, perpetual_inventory=True)


def to_item_wise(**changes):
	base = dict(
		company=PERPETUAL,
		stock_values=WAREHOUSE_VALUES,
		gl_balances={**WAREHOUSE_GL, "Cost of Goods Sold - PSD": D("2500")},
		item_stock=ITEMS,
		stock_cells=CELLS,
		scheme="item-wise",
		freeze_stock=False,
	)
	return build_plan(s1_inputs(**{**base, **changes}))


def to_warehouse_wise(**changes):
	base = dict(
		company=replace(PERPETUAL, item_wise_inventory=True),
		stock_values=WAREHOUSE_VALUES,
		gl_balances={**ITEM_GL, "Cost of Goods Sold - PSD": D("2500")},
		item_stock=ITEMS,
		stock_cells=CELLS,
		scheme="warehouse-wise",
		freeze_stock=False,
	)
	return build_plan(s1_inputs(**{**base, **changes}))


def balances_after(plan, start):
	result = dict(start)
	for journal in plan.journal_entries:
		for line in journal.lines:
			result[line.account] = result.get(line.account, D(0)) + line.debit - line.credit
	return result


def test_warehouse_wise_to_item_wise_moves_each_pair_and_lands_every_account_on_its_item_stock_value():
	plan = to_item_wise()
	assert plan.blockers == ()
	assert plan.mode == "scheme"
	moves = {(m.from_account, m.to_account): m.amount for m in plan.scheme.moves}
	assert moves == {
		("Stock Cold - PSD", "Stock North - PSD"): D("600.01"),
		("Stock North - PSD", "Stock Cold - PSD"): D("1799.99"),
	}
	(journal,) = plan.journal_entries
	assert journal.purpose == "scheme_move"
	assert journal.total_debit == journal.total_credit
	after = balances_after(plan, WAREHOUSE_GL)
	# Each account ends on the stock value of the items it carries, to the cent (ITEM-A 2600.009).
	assert after["Stock North - PSD"] == D("2600.01")
	assert after["Stock Cold - PSD"] == D("1799.99")
	assert after["Stock In Hand - PSD"] == D("1200")
	# The cent that rounding per pair leaves goes to the counter-account.
	assert after["Cost of Goods Sold - PSD"] == D("0.01")
	assert DefaultChange(ITEM_WISE_FIELD, 0, 1) in plan.company_defaults
	sources = {i.item_code: (i.account, i.source) for i in plan.scheme.items}
	assert sources["ITEM-B"] == ("Stock Cold - PSD", "item_group")
	assert sources["ITEM-C"] == ("Stock In Hand - PSD", "brand")


def test_item_wise_back_to_warehouse_wise():
	plan = to_warehouse_wise()
	assert plan.blockers == ()
	after = balances_after(plan, ITEM_GL)
	assert after["Stock North - PSD"] == D("3800.00")
	assert after["Stock Cold - PSD"] == D("600.01")
	assert after["Stock In Hand - PSD"] == D("1200")
	assert DefaultChange(ITEM_WISE_FIELD, 1, 0) in plan.company_defaults
	data = plan_to_dict(plan)
	assert data["mode"] == "scheme" and data["scheme"]["target"] == "warehouse-wise"
	assert {w["warehouse"]: w["source"] for w in data["scheme"]["warehouses"]}["Transit - PSD"] == "company_default"


def test_out_of_sync_blocks_unless_the_same_switch_resyncs():
	gl = {**WAREHOUSE_GL, "Stock Cold - PSD": D("590.01")}
	plan = to_item_wise(gl_balances=gl)
	(blocker,) = [b for b in plan.blockers if b.code == "scheme_out_of_sync"]
	assert "Stock Cold - PSD" in blocker.message and "10.00" in blocker.message
	resynced = to_item_wise(gl_balances=gl, resync=True)
	assert resynced.blockers == ()
	assert [j.purpose for j in resynced.journal_entries] == ["stock_sync", "scheme_move"]
	after = balances_after(resynced, gl)
	assert after["Stock Cold - PSD"] == D("1799.99") and after["Stock North - PSD"] == D("2600.01")


def test_an_item_with_stock_and_no_account_blocks_naming_it():
	items = ITEMS + (ItemStock("ITEM-E", D("10"), D(1), item_group="Other"),)
	cells = CELLS + (StockCell("ITEM-E", "Transit - PSD", D("10"), D(1)),)
	plan = to_item_wise(item_stock=items, stock_cells=cells)
	(blocker,) = [b for b in plan.blockers if b.code == "scheme_item_without_account"]
	assert "Item ITEM-E" in blocker.message and blocker.subject == "ITEM-E"


def test_a_group_or_foreign_account_under_the_new_scheme_blocks():
	accounts = {**ACCOUNTS, "Foreign Stock - OTHER": acc("Foreign Stock - OTHER", "Stock", company="Other Co")}
	items = (
		replace(ITEMS[0], item_account="Stock Assets - PSD"),
		replace(ITEMS[1], item_group_account="Foreign Stock - OTHER"),
		ITEMS[2],
	)
	codes = {b.code for b in to_item_wise(item_stock=items, accounts=accounts).blockers}
	assert {"account_is_group", "account_other_company"} <= codes


def test_what_cannot_change_scheme_says_why():
	assert [b.code for b in to_item_wise(scheme="per-bin").blockers] == ["scheme_unknown"]
	assert [b.code for b in to_item_wise(item_wise_available=False).blockers] == ["scheme_not_available"]
	assert [b.code for b in to_warehouse_wise(scheme="item-wise").blockers] == ["scheme_unchanged"]
	periodic = to_item_wise(company=COMPANY)
	assert "scheme_needs_perpetual" in {b.code for b in periodic.blockers}
	# Backdated, the documents after the cutover are reposted to the new accounts, as for the switch.
	assert to_item_wise(backdated=True).blockers == ()


def test_an_applied_switch_does_not_block_a_later_change_of_scheme():
	assert to_item_wise(active_switch="PSW-0001").blockers == ()
