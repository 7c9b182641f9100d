"""What a newer ERPNext adds, read from the site: item-wise inventory accounts and Periodic
Accounting Entries. On a site without them (version 15), the tests that need them skip with the
reason, and the flag-off behaviour is checked everywhere."""

import uuid

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402
from perpetual_switch.erpnext_io import reader  # noqa: E402

from .world import ensure_fiscal_year, gl_balance, make_account, make_company, make_item, make_warehouse  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")
CUTOVER = "2026-06-30"


def material_receipt(company, date, rows):
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Receipt",
			"company": company,
			"posting_date": date,
			"set_posting_time": 1,
			"items": [
				{"item_code": item, "qty": qty, "basic_rate": rate, "t_warehouse": warehouse, "conversion_factor": 1}
				for item, qty, rate, warehouse in rows
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def defaults_row(w, account):
	return {"company": w.company, "default_warehouse": w.store, "default_inventory_account": account}


@pytest.fixture(scope="module")
def world(site):
	"""A periodic company whose items take their inventory account from the item, its item group,
	its brand, or nowhere."""
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"PS Items {tag}", f"PI{tag}", perpetual=False)
	w.accounts = {name: make_account(w, name) for name in ("Stock Own", "Stock Group", "Stock Brand")}
	w.store = make_warehouse(w, "Main Store")
	frappe.db.set_value("Company", w.company, "default_inventory_account", w.acc("Stock In Hand"))
	item_wise = reader.item_wise_available()
	w.items = {key: make_item(f"PSI-{key}-{tag}") for key in ("OWN", "GROUP", "BRAND", "NONE")}
	if item_wise:
		group = frappe.get_doc(
			{
				"doctype": "Item Group",
				"item_group_name": f"PS Group {tag}",
				"parent_item_group": "All Item Groups",
				"item_group_defaults": [defaults_row(w, w.accounts["Stock Group"])],
			}
		).insert()
		brand = frappe.get_doc(
			{"doctype": "Brand", "brand": f"PS Brand {tag}", "brand_defaults": [defaults_row(w, w.accounts["Stock Brand"])]}
		).insert()
		own = frappe.get_doc("Item", w.items["OWN"])
		own.append("item_defaults", defaults_row(w, w.accounts["Stock Own"]))
		own.save()
		frappe.db.set_value("Item", w.items["GROUP"], "item_group", group.name)
		frappe.db.set_value("Item", w.items["BRAND"], "brand", brand.name)
		w.group, w.brand = group.name, brand.name
	material_receipt(
		w.company,
		"2026-03-01",
		[(w.items["OWN"], 10, 100, w.store), (w.items["GROUP"], 4, 25, w.store), (w.items["BRAND"], 3, 10.5, w.store), (w.items["NONE"], 1, 7, w.store)],
	)
	frappe.db.commit()
	return w


def needs_item_wise():
	if not reader.item_wise_available():
		pytest.skip("this site's ERPNext has no item-wise inventory accounts (a version 16 setting)")


def set_item_wise(company, on):
	frappe.db.set_value("Company", company, reader.ITEM_WISE_FIELD, int(on))
	frappe.clear_document_cache("Company", company)


def test_flag_off_warehouses_decide(world):
	plan = services.plan_dict(services.plan(world.company, CUTOVER))
	assert plan["item_wise_inventory"] is False and plan["items"] == []
	stock = {a["account"]: a["stock_value"] for a in plan["stock_accounts"]}
	assert stock[world.acc("Stock In Hand")] == "1138.50"


def test_item_wise_resolution_blocker_and_apply(world):
	needs_item_wise()
	w = world
	set_item_wise(w.company, True)
	try:
		plan = services.plan_dict(services.plan(w.company, CUTOVER))
		assert plan["item_wise_inventory"] is True
		items = {i["item_code"]: (i["account"], i["source"], i["source_name"], i["stock_value"]) for i in plan["items"]}
		assert items[w.items["OWN"]] == (w.accounts["Stock Own"], "item", w.items["OWN"], "1000.00")
		assert items[w.items["GROUP"]] == (w.accounts["Stock Group"], "item_group", w.group, "100.00")
		assert items[w.items["BRAND"]] == (w.accounts["Stock Brand"], "brand", w.brand, "31.50")
		assert items[w.items["NONE"]][:2] == (None, None)
		(blocker,) = [b for b in plan["blockers"] if b["code"] == "item_without_inventory_account"]
		assert w.items["NONE"] in blocker["message"]

		# Give the last item an account: the sync goes per item account, and balances.
		item = frappe.get_doc("Item", w.items["NONE"])
		item.append("item_defaults", defaults_row(w, w.accounts["Stock Own"]))
		item.save()
		plan = services.plan_dict(services.plan(w.company, CUTOVER))
		assert plan["blockers"] == [], plan["blockers"]
		stock = {a["account"]: a["stock_value"] for a in plan["stock_accounts"]}
		assert stock == {w.accounts["Stock Own"]: "1007.00", w.accounts["Stock Group"]: "100.00", w.accounts["Stock Brand"]: "31.50"}
		doc = services.apply(w.company, CUTOVER)
		assert gl_balance(w.accounts["Stock Own"], CUTOVER) == 1007.0
		assert gl_balance(w.accounts["Stock Group"], CUTOVER) == 100.0
		assert gl_balance(w.accounts["Stock Brand"], CUTOVER) == 31.5
		assert services.status(w.company)["in_sync"] is True
		services.rollback(w.company)
		assert frappe.db.get_value("Switch to Perpetual Inventory", doc.name, "status") == "Rolled Back"
		assert gl_balance(w.accounts["Stock Own"], CUTOVER) == 0.0
	finally:
		frappe.db.rollback()
		set_item_wise(w.company, False)
		frappe.db.commit()


def test_a_periodic_accounting_entry_before_the_switch(world):
	if "Periodic Accounting Entry" not in (frappe.get_meta("Journal Entry").get_field("voucher_type").options or ""):
		pytest.skip("this site's ERPNext has no Periodic Accounting Entry (a version 16 journal type)")
	w = world
	je = frappe.new_doc("Journal Entry")
	je.update(
		{
			"voucher_type": "Periodic Accounting Entry",
			"company": w.company,
			"posting_date": "2026-03-31",
			"for_all_stock_asset_accounts": 0,
			"stock_asset_account": w.acc("Stock In Hand"),
			"periodic_entry_difference_account": w.acc("Stock Adjustment"),
		}
	)
	je.get_balance_for_periodic_accounting()
	je.insert()
	je.submit()
	try:
		assert gl_balance(w.acc("Stock In Hand"), CUTOVER) == 1138.5
		plan = services.plan_dict(services.plan(w.company, CUTOVER))
		assert [e["name"] for e in plan["periodic_entries"]] == [je.name]
		assert "periodic_accounting_entries" in {x["code"] for x in plan["warnings"]}
		stock = {a["account"]: a["difference"] for a in plan["stock_accounts"]}
		assert stock[w.acc("Stock In Hand")] == "0.00"
		assert not [j for j in plan["journal_entries"] if j["purpose"] == "stock_sync"]
	finally:
		frappe.db.rollback()
