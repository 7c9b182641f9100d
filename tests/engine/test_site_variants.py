"""What a site may have or lack: Company fields a version removed, item-wise inventory accounts,
Periodic Accounting Entries. The reader says which; the engine follows it."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine.models import COMPANY_DEFAULT_FIELDS, DatedDocument, ItemStock
from perpetual_switch.engine.plan import build_plan
from perpetual_switch.engine.serialize import plan_to_dict

from .s1_world import ACCOUNTS, COMPANY, acc, s1_inputs

WITHOUT_EIV = tuple(f for f in COMPANY_DEFAULT_FIELDS if f != "expenses_included_in_valuation")


def test_a_field_the_site_lacks_is_neither_read_nor_proposed():
	company = replace(COMPANY, default_fields=WITHOUT_EIV)
	plan = build_plan(s1_inputs(company=company))
	fields = {c.field for c in plan.company_defaults}
	assert "expenses_included_in_valuation" not in fields
	assert {"stock_received_but_not_billed", "stock_adjustment_account", "enable_perpetual_inventory"} <= fields
	assert plan.blockers == ()


def test_with_every_field_it_is_proposed():
	fields = {c.field for c in build_plan(s1_inputs()).company_defaults}
	assert "expenses_included_in_valuation" in fields


def test_an_overridden_default_inventory_account_is_the_one_warehouses_resolve_with():
	accounts = {**ACCOUNTS, "Stock Other - PSD": acc("Stock Other - PSD", "Stock")}
	plan = plan_to_dict(
		build_plan(s1_inputs(accounts=accounts, default_overrides={"default_inventory_account": "Stock Other - PSD"}))
	)
	rows = {w["warehouse"]: w for w in plan["warehouses"]}
	assert (rows["Transit - PSD"]["account"], rows["Transit - PSD"]["source"]) == (
		"Stock Other - PSD",
		"company_default",
	)
	stock = {a["account"]: a["stock_value"] for a in plan["stock_accounts"]}
	assert stock["Stock Other - PSD"] == "1200.00"
	assert "Stock In Hand - PSD" not in stock


ITEMS = (
	# own account on the item
	ItemStock("ITEM-A", D("2000"), D(10), item_account="Stock North - PSD", item_group="Goods", item_group_account="Stock Cold - PSD"),
	# from its item group
	ItemStock("ITEM-B", D("1500.005"), D(5), item_group="Goods", item_group_account="Stock Cold - PSD", brand="Acme", brand_account="Stock In Hand - PSD"),
	# from its brand
	ItemStock("ITEM-C", D("700"), D(7), item_group="Other", brand="Acme", brand_account="Stock In Hand - PSD"),
	# no stock left: not resolved, not blocking
	ItemStock("ITEM-D", D("0"), D("0"), item_group="Other"),
)


def item_wise(items=ITEMS):
	company = replace(COMPANY, item_wise_inventory=True)
	return build_plan(s1_inputs(company=company, item_stock=items))


def test_item_wise_resolution_at_three_levels():
	plan = plan_to_dict(item_wise())
	assert plan["item_wise_inventory"] is True
	rows = {i["item_code"]: (i["account"], i["source"], i["source_name"], i["stock_value"]) for i in plan["items"]}
	assert rows == {
		"ITEM-A": ("Stock North - PSD", "item", "ITEM-A", "2000.00"),
		"ITEM-B": ("Stock Cold - PSD", "item_group", "Goods", "1500.01"),
		"ITEM-C": ("Stock In Hand - PSD", "brand", "Acme", "700.00"),
	}
	assert plan["blockers"] == []


def test_item_wise_sync_is_per_item_account_and_balances():
	plan = item_wise()
	accounts = {a.account: (a.stock_value, a.gl_balance) for a in plan.stock_accounts}
	# GL of S1: Stock Cold holds 500.00; warehouses no longer decide the accounts.
	assert accounts == {
		"Stock North - PSD": (D("2000.00"), D("0.00")),
		"Stock Cold - PSD": (D("1500.01"), D("500.00")),
		"Stock In Hand - PSD": (D("700.00"), D("0.00")),
	}
	(journal,) = [j for j in plan.journal_entries if j.purpose == "stock_sync"]
	assert journal.total_debit == journal.total_credit == D("3700.01")


def test_item_with_stock_and_no_account_blocks_naming_it():
	items = ITEMS + (ItemStock("ITEM-E", D("10"), D(1), item_group="Other"),)
	plan = item_wise(items)
	(blocker,) = [b for b in plan.blockers if b.code == "item_without_inventory_account"]
	assert "Item ITEM-E" in blocker.message and blocker.subject == "ITEM-E"


def test_item_wise_ignores_warehouses_without_account():
	from perpetual_switch.engine.models import Warehouse

	from .s1_world import WAREHOUSES

	company = replace(COMPANY, item_wise_inventory=True, defaults={})
	warehouses = WAREHOUSES + (Warehouse("Loose - PSD", "PS Demo", "All Warehouses - PSD"),)
	plan = build_plan(s1_inputs(company=company, item_stock=ITEMS, warehouses=warehouses))
	assert not [b for b in plan.blockers if b.code == "warehouse_without_account"]


def test_periodic_accounting_entries_are_listed_and_the_sync_starts_from_their_gl():
	entries = (DatedDocument("Journal Entry", "ACC-JV-0001", date(2026, 3, 31)),)
	# The periodic entry brought Stock Cold to 600.00 already: nothing left to post there.
	plan = build_plan(
		s1_inputs(periodic_entries=entries, gl_balances={"Stock Cold - PSD": D("600"), "Cost of Goods Sold - PSD": D("2400")})
	)
	data = plan_to_dict(plan)
	assert data["periodic_entries"] == [{"name": "ACC-JV-0001", "posting_date": "2026-03-31"}]
	(warning,) = [w for w in data["warnings"] if w["code"] == "periodic_accounting_entries"]
	assert "ACC-JV-0001" in warning["message"]
	accounts = {a["account"]: a["difference"] for a in data["stock_accounts"]}
	assert accounts["Stock Cold - PSD"] == "0.00"
