"""A change of inventory account scheme (ERPNext 16) through ERPNext's own documents: a warehouse-wise
perpetual company with stock in two warehouses and items whose accounts come from the item, its item
group and its brand moves to item-wise accounts, posts a purchase and a sale, and moves back; each way
stock value equals the GL per account to the cent and the rollback is exact. On version 15 the scheme
change is refused with the reason."""

import uuid

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from frappe.utils import today  # noqa: E402

from perpetual_switch import services  # noqa: E402
from perpetual_switch.erpnext_io import reader  # noqa: E402

from .test_version_features import material_receipt  # noqa: E402
from .world import (  # noqa: E402
	command,
	ensure_fiscal_year,
	gl_balance,
	journal,
	make_account,
	make_company,
	make_item,
	make_warehouse,
	receipt,
)

pytestmark = pytest.mark.usefixtures("site")
CUTOVER = "2026-06-30"
SWITCH = "Switch to Perpetual Inventory"


def needs_item_wise():
	if not reader.item_wise_available():
		pytest.skip("this site's ERPNext has no item-wise inventory accounts (a version 16 setting)")


def item_wise_flag(company) -> int:
	return int(frappe.db.get_value("Company", company, reader.ITEM_WISE_FIELD) or 0)


@pytest.fixture(scope="module")
def world(site):
	return make_world()


def make_world(perpetual=True):
	"""A perpetual, warehouse-wise company: Store A and Store B with accounts of their own; items OWN
	(account on the item), GROUP (on its item group) and BRAND (on its brand)."""
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"PS Scheme {tag}", f"SC{tag}", perpetual=perpetual)
	w.tag = tag
	names = ("Stock WA", "Stock WB", "Stock Own", "Stock Group", "Stock Brand")
	w.accounts = {name: make_account(w, name) for name in names}
	w.a = make_warehouse(w, "Store A", account=w.accounts["Stock WA"])
	w.b = make_warehouse(w, "Store B", account=w.accounts["Stock WB"])
	w.items = {key: make_item(f"PSS-{key}-{tag}") for key in ("OWN", "GROUP", "BRAND", "NONE")}
	if reader.item_wise_available():

		def defaults(account):
			return {"company": w.company, "default_warehouse": w.a, "default_inventory_account": account}

		group = frappe.get_doc(
			{
				"doctype": "Item Group",
				"item_group_name": f"PS Scheme Group {tag}",
				"parent_item_group": "All Item Groups",
				"item_group_defaults": [defaults(w.accounts["Stock Group"])],
			}
		).insert()
		brand = frappe.get_doc(
			{"doctype": "Brand", "brand": f"PS Scheme Brand {tag}", "brand_defaults": [defaults(w.accounts["Stock Brand"])]}
		).insert()
		own = frappe.get_doc("Item", w.items["OWN"])
		own.append("item_defaults", defaults(w.accounts["Stock Own"]))
		own.save()
		frappe.db.set_value("Item", w.items["GROUP"], "item_group", group.name)
		frappe.db.set_value("Item", w.items["BRAND"], "brand", brand.name)
		w.group, w.brand = group.name, brand.name
	material_receipt(
		w.company,
		"2026-03-01",
		[
			(w.items["OWN"], 10, 100, w.a),
			(w.items["OWN"], 5, 100, w.b),
			(w.items["GROUP"], 4, 25, w.a),
			(w.items["GROUP"], 2, 30, w.b),
			(w.items["BRAND"], 3, 10.5, w.b),
		],
	)
	if not frappe.db.exists("Customer", "PS Scheme Customer"):
		frappe.get_doc(
			{
				"doctype": "Customer",
				"customer_name": "PS Scheme Customer",
				"customer_group": "All Customer Groups",
				"territory": "All Territories",
			}
		).insert()
	frappe.db.commit()
	return w


def balances(w, on_date=None):
	on_date = on_date or today()
	return {name: gl_balance(account, on_date) for name, account in w.accounts.items()}


def stock_value(company, on_date, item=None, warehouse=None) -> float:
	conditions, params = ["company = %(company)s", "is_cancelled = 0", "posting_date <= %(date)s"], {"company": company, "date": on_date}
	if item:
		conditions.append("item_code = %(item)s")
		params["item"] = item
	if warehouse:
		conditions.append("warehouse = %(warehouse)s")
		params["warehouse"] = warehouse
	value = frappe.db.sql(
		f"select sum(stock_value_difference) from `tabStock Ledger Entry` where {' and '.join(conditions)}", params
	)[0][0]
	return round(float(value or 0), 2)


def delivery(w, date, item, qty, warehouse):
	doc = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": w.company,
			"customer": "PS Scheme Customer",
			"posting_date": date,
			"set_posting_time": 1,
			"currency": frappe.get_cached_value("Company", w.company, "default_currency"),
			"selling_price_list": "Standard Selling",
			"items": [{"item_code": item, "qty": qty, "rate": 200, "warehouse": warehouse, "conversion_factor": 1}],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def reset(w):
	frappe.db.rollback()
	frappe.clear_document_cache("Company", w.company)
	frappe.local.future_sle = {}


def test_version_15_says_the_setting_does_not_exist(world):
	if reader.item_wise_available():
		pytest.skip("this site's ERPNext has item-wise inventory accounts")
	plan = services.plan_dict(services.plan(world.company, CUTOVER, scheme="item-wise"))
	assert [b["code"] for b in plan["blockers"]] == ["scheme_not_available"]
	assert "version 16" in plan["blockers"][0]["message"]


def test_to_item_wise_and_back_through_erpnext_documents(world):
	needs_item_wise()
	w = world
	acc = w.accounts
	try:
		before = balances(w, CUTOVER)
		assert (before["Stock WA"], before["Stock WB"]) == (1100.0, 591.5)
		plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise"))
		assert plan["blockers"] == [], plan["blockers"]
		assert plan["mode"] == "scheme"
		moves = {(m["from_account"], m["to_account"]): m["amount"] for m in plan["scheme"]["moves"]}
		assert moves == {
			(acc["Stock WA"], acc["Stock Group"]): "100.00",
			(acc["Stock WA"], acc["Stock Own"]): "1000.00",
			(acc["Stock WB"], acc["Stock Brand"]): "31.50",
			(acc["Stock WB"], acc["Stock Group"]): "60.00",
			(acc["Stock WB"], acc["Stock Own"]): "500.00",
		}
		sources = {i["item_code"]: (i["account"], i["source"], i["source_name"]) for i in plan["scheme"]["items"]}
		assert sources[w.items["OWN"]] == (acc["Stock Own"], "item", w.items["OWN"])
		assert sources[w.items["GROUP"]] == (acc["Stock Group"], "item_group", w.group)
		assert sources[w.items["BRAND"]] == (acc["Stock Brand"], "brand", w.brand)

		doc = services.apply(w.company, CUTOVER, scheme="item-wise")
		assert doc.status == "Applied" and doc.mode == "scheme" and doc.scheme_journal_entry
		assert item_wise_flag(w.company) == 1
		after = balances(w, CUTOVER)
		assert after == {"Stock WA": 0.0, "Stock WB": 0.0, "Stock Own": 1500.0, "Stock Group": 160.0, "Stock Brand": 31.5}
		status = services.status(w.company)
		assert status["in_sync"] is True
		assert {a["account"] for a in status["stock_accounts"]} >= {acc["Stock Own"], acc["Stock Group"], acc["Stock Brand"]}

		# Rollback: every account and the setting exactly as before.
		services.rollback(w.company)
		assert item_wise_flag(w.company) == 0
		assert balances(w, CUTOVER) == before
		assert frappe.db.get_value("Journal Entry", doc.scheme_journal_entry, "docstatus") == 2

		# Again, then ERPNext's own purchase and sale post to the items' accounts.
		services.apply(w.company, CUTOVER, scheme="item-wise")
		frappe.clear_document_cache("Company", w.company)
		receipt(w, "2026-07-15", [(w.items["OWN"], 2, 110, w.a), (w.items["GROUP"], 1, 40, w.b)])
		sale = delivery(w, "2026-07-20", w.items["OWN"], 3, w.b)
		now = balances(w)
		for key in ("OWN", "GROUP", "BRAND"):
			account = {"OWN": "Stock Own", "GROUP": "Stock Group", "BRAND": "Stock Brand"}[key]
			assert now[account] == stock_value(w.company, today(), item=w.items[key]), key
		assert now["Stock WA"] == now["Stock WB"] == 0.0
		assert services.status(w.company)["in_sync"] is True
		# The drift watch looks at the item accounts now, and finds nothing out of sync.
		from perpetual_switch.services import drift

		watched = drift.record_and_notify(w.company, today(), notify=False)
		assert watched["out_of_sync"] == 0
		(day,) = [d for d in drift.history(w.company, 2)["days"] if d["date"] == today()]
		assert {a["account"] for a in day["accounts"]} >= {acc["Stock Own"], acc["Stock Group"], acc["Stock Brand"]}
		from erpnext.stock.report.stock_and_account_value_comparison.stock_and_account_value_comparison import (
			execute,
		)

		_columns, rows = execute(frappe._dict(company=w.company, as_on_date=today()))
		assert [r for r in rows if abs(r.get("difference_value") or 0) >= 0.01] == []

		# Documents were posted under the new scheme: rolling back is refused, naming one.
		with pytest.raises(services.RollbackRefused) as refused:
			services.rollback(w.company)
		assert sale.name in str(refused.value) or "Purchase Receipt" in str(refused.value)

		# The reverse direction, as of today: back to the warehouses' accounts.
		mid = balances(w)
		plan = services.plan_dict(services.plan(w.company, today(), scheme="warehouse-wise"))
		assert plan["blockers"] == [], plan["blockers"]
		back = services.apply(w.company, today(), scheme="warehouse-wise")
		assert item_wise_flag(w.company) == 0
		now = balances(w)
		assert now["Stock WA"] == stock_value(w.company, today(), warehouse=w.a)
		assert now["Stock WB"] == stock_value(w.company, today(), warehouse=w.b)
		assert now["Stock Own"] == now["Stock Group"] == now["Stock Brand"] == 0.0
		assert services.status(w.company)["in_sync"] is True
		services.rollback(w.company)
		assert frappe.db.get_value(SWITCH, back.name, "status") == "Rolled Back"
		assert item_wise_flag(w.company) == 1
		assert balances(w) == mid
	finally:
		reset(w)


def test_blockers_of_a_scheme_change(world):
	needs_item_wise()
	w = world
	try:
		# An item with stock and no account anywhere.
		material_receipt(w.company, "2026-04-01", [(w.items["NONE"], 1, 7, w.a)])
		plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise"))
		(blocker,) = [b for b in plan["blockers"] if b["code"] == "scheme_item_without_account"]
		assert w.items["NONE"] in blocker["message"]
		with pytest.raises(services.SwitchBlocked):
			services.apply(w.company, CUTOVER, scheme="item-wise")
		assert item_wise_flag(w.company) == 0
	finally:
		reset(w)
	try:
		# Stock GL out of sync: refused, unless the same switch re-syncs it.
		journal(w, "2026-05-01", w.accounts["Stock WA"], w.acc("Stock Adjustment"), 10, by_hand=True)
		plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise"))
		(blocker,) = [b for b in plan["blockers"] if b["code"] == "scheme_out_of_sync"]
		assert w.accounts["Stock WA"] in blocker["message"] and "10.00" in blocker["message"]
		plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise", resync=True))
		assert plan["blockers"] == [], plan["blockers"]
		assert [j["purpose"] for j in plan["journal_entries"]] == ["stock_sync", "scheme_move"]
		services.apply(w.company, CUTOVER, scheme="item-wise", resync=True)
		assert balances(w, CUTOVER)["Stock Own"] == 1500.0 and balances(w, CUTOVER)["Stock WA"] == 0.0
	finally:
		reset(w)
	# Documents after the cutover; the same scheme; a name that is no scheme.
	plan = services.plan_dict(services.plan(w.company, "2026-02-01", scheme="item-wise"))
	assert "stock_ledger_after_cutover" in {b["code"] for b in plan["blockers"]}
	plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="warehouse-wise"))
	assert [b["code"] for b in plan["blockers"]] == ["scheme_unchanged"]
	with pytest.raises(frappe.ValidationError) as bad:
		services.plan(w.company, CUTOVER, scheme="per-bin")
	assert "per-bin" in str(bad.value)
	assert item_wise_flag(w.company) == 0


def test_the_desk_applies_a_scheme_change_as_a_job_prints_it_and_rolls_it_back(site):
	needs_item_wise()
	from perpetual_switch import api

	w = make_world()
	before = balances(w, CUTOVER)
	plan = api.get_plan(w.company, CUTOVER, scheme="item-wise")
	assert plan["blockers"] == [] and plan["mode"] == "scheme"
	with pytest.raises(frappe.ValidationError) as bad:
		api.get_plan(w.company, CUTOVER, scheme="per-bin")
	assert "per-bin" in str(bad.value)

	# The desk's apply is a background job (run at once in tests).
	context = api.apply(w.company, CUTOVER, scheme="item-wise")
	frappe.db.commit()
	switch = context["switch"]
	assert switch["status"] == "Applied", context["job"]
	assert item_wise_flag(w.company) == 1
	assert balances(w, CUTOVER)["Stock Own"] == 1500.0
	name = frappe.db.get_value(SWITCH, switch["name"], "scheme_journal_entry")
	html = frappe.get_print(SWITCH, switch["name"], print_format="Perpetual Switch Audit")
	assert "Inventory Account Scheme Moves" in html and name in html and w.accounts["Stock Brand"] in html
	assert reader.ITEM_WISE_FIELD in html

	context = api.rollback(w.company)
	frappe.db.commit()
	assert context["switch"]["status"] == "Rolled Back"
	assert item_wise_flag(w.company) == 0
	assert balances(w, CUTOVER) == before


def test_a_journal_of_over_100_lines_posts_and_cancels_in_the_switch_transaction(world):
	"""ERPNext queues the submission and the cancellation of an entry of over 100 lines; a scheme
	change on a large company has one line per account pair, hundreds, all posted with the rest."""
	from decimal import Decimal

	from perpetual_switch.engine.models import JournalLine, JournalPlan
	from perpetual_switch.erpnext_io import writer

	w = world
	lines = []
	for n in range(60):
		lines.append(JournalLine(w.accounts["Stock Own"], debit=Decimal("1.00"), remark=f"pair {n}"))
		lines.append(JournalLine(w.accounts["Stock WA"], credit=Decimal("1.00"), remark=f"pair {n}"))
	try:
		name = writer.post_journal(w.company, CUTOVER, JournalPlan("scheme_move", tuple(lines)), "Many lines", "test")
		assert frappe.db.get_value("Journal Entry", name, "docstatus") == 1
		assert gl_balance(w.accounts["Stock Own"], CUTOVER) == 60.0
		assert not frappe.db.exists("Submission Queue", {"ref_docname": name})
		writer.cancel_journal(name)
		assert frappe.db.get_value("Journal Entry", name, "docstatus") == 2
		assert gl_balance(w.accounts["Stock Own"], CUTOVER) == 0.0
	finally:
		reset(w)


def test_switch_then_scheme_on_the_same_cutover_roll_back_latest_first(site):
	"""The usual path: a periodic company switched to perpetual, then moved to item-wise accounts as
	of the same cutover. Rollback takes the scheme change back first, then the switch."""
	needs_item_wise()
	w = make_world(perpetual=False)
	frappe.db.set_value("Company", w.company, "default_inventory_account", w.acc("Stock In Hand"))
	try:
		first = services.apply(w.company, CUTOVER)
		second = services.apply(w.company, CUTOVER, scheme="item-wise")
		assert balances(w, CUTOVER)["Stock Own"] == 1500.0
		undone = services.rollback(w.company)
		assert undone.name == second.name and item_wise_flag(w.company) == 0
		assert balances(w, CUTOVER)["Stock WA"] == 1100.0
		undone = services.rollback(w.company)
		assert undone.name == first.name
		assert frappe.db.get_value("Company", w.company, "enable_perpetual_inventory") == 0
		assert balances(w, CUTOVER)["Stock WA"] == 0.0
	finally:
		reset(w)


def test_the_commands_plan_apply_and_roll_back_a_scheme_change(site):
	"""As a user runs them: exit 0 with the plan, 1 for a scheme that does not exist (named), and on
	version 15 exit 2 with the reason."""
	import json

	w = make_world()
	frappe.db.commit()
	proc = command(frappe.local.site, "plan", "--company", w.company, "--date", CUTOVER, "--scheme", "per-bin")
	_out, err = proc.communicate(timeout=300)
	assert proc.returncode == 1 and "per-bin" in err
	proc = command(frappe.local.site, "plan", "--company", w.company, "--date", CUTOVER, "--scheme", "item-wise", "--json")
	out, err = proc.communicate(timeout=300)
	if not reader.item_wise_available():
		assert proc.returncode == 2
		assert [b["code"] for b in json.loads(out)["blockers"]] == ["scheme_not_available"]
		return
	assert proc.returncode == 0, err
	assert json.loads(out)["scheme"]["target"] == "item-wise"
	assert json.loads(out)["mode"] == "scheme"
	# The text says what the plan is: a scheme change (it once said "re-sync", working it out again).
	proc = command(frappe.local.site, "plan", "--company", w.company, "--date", CUTOVER, "--scheme", "item-wise")
	out, err = proc.communicate(timeout=300)
	assert proc.returncode == 0, err
	assert f"{w.company} as of {CUTOVER}: change of inventory account scheme".lower() in out.lower() and "re-sync" not in out.split("\n")[0]
	proc = command(frappe.local.site, "apply", "--company", w.company, "--date", CUTOVER, "--scheme", "item-wise", "--yes")
	_out, err = proc.communicate(timeout=300)
	assert proc.returncode == 0, err
	frappe.db.rollback()
	assert item_wise_flag(w.company) == 1
	assert balances(w, CUTOVER)["Stock Own"] == 1500.0
	proc = command(frappe.local.site, "rollback", "--company", w.company, "--yes")
	_out, err = proc.communicate(timeout=300)
	assert proc.returncode == 0, err
	frappe.db.rollback()
	assert item_wise_flag(w.company) == 0
	assert balances(w, CUTOVER)["Stock WA"] == 1100.0


def test_a_backdated_scheme_change_reposts_the_documents_after_the_cutover(site):
	"""A purchase and a sale after the cutover, posted to the warehouses' accounts: the backdated
	change moves the stock as of the cutover and reposts them, so they post to the items' accounts."""
	needs_item_wise()
	from perpetual_switch.services import backdated

	w = make_world()
	receipt(w, "2026-07-15", [(w.items["OWN"], 2, 110, w.a), (w.items["GROUP"], 1, 40, w.b)])
	delivery(w, "2026-07-20", w.items["OWN"], 3, w.b)
	frappe.db.commit()
	plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise"))
	assert "stock_ledger_after_cutover" in {b["code"] for b in plan["blockers"]}
	plan = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise", backdated=True))
	assert plan["blockers"] == [], plan["blockers"]
	moves = {(m["from_account"], m["to_account"]): m["amount"] for m in plan["scheme"]["moves"]}
	assert moves[(w.accounts["Stock WA"], w.accounts["Stock Own"])] == "1000.00", "as of the cutover"
	# The preview reposts in a savepoint it rolls back: the GL change, nothing written.
	preview = services.plan_dict(services.plan(w.company, CUTOVER, scheme="item-wise", backdated=True, preview=True))
	assert preview["blockers"] == [] and preview["backdated"]["previewed"] is True
	changes = {c["account"]: c["change"] for c in preview["backdated"]["account_changes"]}
	assert w.accounts["Stock Own"] in changes and w.accounts["Stock WB"] in changes
	assert item_wise_flag(w.company) == 0 and not frappe.db.exists(SWITCH, {"company": w.company})
	doc = services.apply(w.company, CUTOVER, scheme="item-wise", backdated=True)
	assert backdated.run_or_undo(doc.name) is None
	frappe.db.rollback()
	assert frappe.db.get_value(SWITCH, doc.name, "status") == "Applied"
	now = balances(w)
	for key, account in (("OWN", "Stock Own"), ("GROUP", "Stock Group"), ("BRAND", "Stock Brand")):
		assert now[account] == stock_value(w.company, today(), item=w.items[key]), key
	assert now["Stock WA"] == now["Stock WB"] == 0.0
	assert services.status(w.company)["in_sync"] is True
	services.rollback(w.company)
	frappe.db.commit()
	assert item_wise_flag(w.company) == 0
	now = balances(w)
	assert now["Stock WA"] == stock_value(w.company, today(), warehouse=w.a)
	assert now["Stock WB"] == stock_value(w.company, today(), warehouse=w.b)
	assert now["Stock Own"] == now["Stock Group"] == now["Stock Brand"] == 0.0
