"""S1 end to end on a real site: plan numbers, apply, ERPNext's own postings after it, freeze, rollback refusal."""

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402

from .world import CUTOVER, fresh_s1, gl_balance, invoice_for, receipt

pytestmark = pytest.mark.usefixtures("site")


@pytest.fixture(scope="module")
def world(site):
	return fresh_s1("PS Demo", "PS")


def plan_for(w, **kw):
	return services.plan_dict(services.plan(w.company, CUTOVER, w.acc("Cost of Goods Sold"), **kw))


def lines(data, purpose):
	(journal,) = [j for j in data["journal_entries"] if j["purpose"] == purpose]
	return {(l["account"], l["debit"], l["credit"]) for l in journal["lines"]}


def test_plan_matches_s1(world):
	w = world
	data = plan_for(w)
	assert data["blockers"] == [], data["blockers"]
	values = {r["warehouse"]: r["stock_value"] for r in data["warehouses"]}
	assert values[w.wh("N-Stores")] == "3800.00"
	assert values[w.wh("N-Cold")] == "600.00"
	assert values[w.wh("Transit")] == "1200.00"
	assert {v for k, v in values.items() if k not in (w.wh("N-Stores"), w.wh("N-Cold"), w.wh("Transit"))} == {"0.00"}
	sources = {r["warehouse"]: (r["account"], r["source"]) for r in data["warehouses"]}
	assert sources[w.wh("N-Stores")] == (w.acc("Stock North"), "parent")
	assert sources[w.wh("N-Cold")] == (w.acc("Stock Cold"), "warehouse")
	assert sources[w.wh("Transit")] == (w.acc("Stock In Hand"), "company_default")
	accounts = {a["account"]: (a["stock_value"], a["gl_balance"], a["difference"]) for a in data["stock_accounts"]}
	assert accounts[w.acc("Stock North")] == ("3800.00", "0.00", "3800.00")
	assert accounts[w.acc("Stock Cold")] == ("600.00", "500.00", "100.00")
	assert accounts[w.acc("Stock In Hand")] == ("1200.00", "0.00", "1200.00")
	assert lines(data, "stock_sync") == {
		(w.acc("Stock North"), "3800.00", "0.00"),
		(w.acc("Stock Cold"), "100.00", "0.00"),
		(w.acc("Stock In Hand"), "1200.00", "0.00"),
		(w.acc("Cost of Goods Sold"), "0.00", "5100.00"),
	}
	srbnb = data["srbnb"]
	assert (srbnb["unbilled_value"], srbnb["gl_balance"], srbnb["difference"]) == ("1600.00", "0.00", "-1600.00")
	by_receipt = {}
	for r in srbnb["receipts"]:
		by_receipt[r["purchase_receipt"]] = r["unbilled_value"]
	assert by_receipt == {w.docs["PR-1"].name: "1000.00", w.docs["PR-2"].name: "600.00"}
	assert lines(data, "srbnb_sync") == {
		(w.acc("Stock Received But Not Billed"), "0.00", "1600.00"),
		(w.acc("Cost of Goods Sold"), "1600.00", "0.00"),
	}
	closed = [x for x in data["warnings"] if x["code"] == "closed_receipt_unbilled"]
	assert [c["subject"] for c in closed] == [w.docs["PR-6"].name] and "400.00" in closed[0]["message"]
	fields = {c["field"]: c["proposed"] for c in data["company_defaults"]}
	assert fields["stock_received_but_not_billed"] == w.acc("Stock Received But Not Billed")
	assert fields["enable_perpetual_inventory"] == 1


def test_blocking_variants_write_nothing(world):
	w = world
	before = frappe.db.count("Journal Entry", {"company": w.company})
	default = frappe.db.get_value("Company", w.company, "default_inventory_account")
	frappe.db.set_value("Company", w.company, "default_inventory_account", None)
	try:
		data = plan_for(w)
		subjects = {b["subject"] for b in data["blockers"] if b["code"] == "warehouse_without_account"}
		assert w.wh("Transit") in subjects
	finally:
		frappe.db.set_value("Company", w.company, "default_inventory_account", default)
	frappe.db.set_value("Warehouse", w.wh("Transit"), "account", w.acc("Stock Assets"))
	try:
		assert "account_is_group" in {b["code"] for b in plan_for(w)["blockers"]}
	finally:
		frappe.db.set_value("Warehouse", w.wh("Transit"), "account", None)
	group_cc = frappe.db.get_value("Cost Center", {"company": w.company, "is_group": 1})
	data = services.plan_dict(services.plan(w.company, "2026-06-21", w.acc("Stock In Hand"), group_cc))
	codes = {b["code"] for b in data["blockers"]}
	assert {
		"expense_account_not_pl",
		"cost_center_is_group",
		"stock_ledger_after_cutover",
		"purchase_invoice_after_cutover",
	} <= codes, codes
	with pytest.raises(services.SwitchBlocked):
		services.apply(w.company, "2026-06-21", w.acc("Cost of Goods Sold"))
	frappe.db.rollback()
	assert frappe.db.count("Journal Entry", {"company": w.company}) == before
	assert not frappe.db.exists("Switch to Perpetual Inventory", {"company": w.company, "docstatus": 1})


def test_apply_then_erpnext_posts_and_srbnb_clears(world):
	w = world
	doc = services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
	frappe.db.commit()
	assert doc.status == "Applied" and doc.stock_journal_entry and doc.srbnb_journal_entry
	for je in (doc.stock_journal_entry, doc.srbnb_journal_entry):
		assert frappe.db.get_value("Journal Entry", je, ["docstatus", "voucher_type"]) == (1, "Journal Entry")
	assert gl_balance(w.acc("Stock North")) == 3800.00
	assert gl_balance(w.acc("Stock Cold")) == 600.00
	assert gl_balance(w.acc("Stock In Hand")) == 1200.00
	assert gl_balance(w.acc("Stock Received But Not Billed")) == -1600.00
	company = frappe.get_doc("Company", w.company)
	assert company.enable_perpetual_inventory == 1
	assert company.stock_received_but_not_billed == w.acc("Stock Received But Not Billed")

	after = plan_for(w)
	assert after["blockers"] == [] and after["journal_entries"] == [] and after["company_defaults"] == []
	assert after["in_sync"]
	with pytest.raises(services.SwitchBlocked) as again:
		services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
	assert again.value.blockers[0].code == "switch_already_applied"
	frappe.db.rollback()

	# ERPNext itself posts a new receipt to stock and SRBNB.
	pr7 = receipt(w, "2026-07-01", [(w.items["A"], 10, 30, w.wh("Transit"))])
	gl = frappe.get_all(
		"GL Entry", filters={"voucher_no": pr7.name, "is_cancelled": 0}, fields=["account", "debit", "credit"]
	)
	assert {(g.account, float(g.debit), float(g.credit)) for g in gl} == {
		(w.acc("Stock In Hand"), 300.0, 0.0),
		(w.acc("Stock Received But Not Billed"), 0.0, 300.0),
	}
	# Invoices of migrated receipts clear the accrual; the 15.00 price difference stays in SRBNB, as
	# on a company perpetual from the start (ERPNext leaves it there), and COGS does not move.
	cogs_before = gl_balance(w.acc("Cost of Goods Sold"), "2026-07-02")
	pi_b = invoice_for(w, w.docs["PR-1"].name, "2026-07-02", keep={w.items["B"]})
	pi_2 = invoice_for(w, w.docs["PR-2"].name, "2026-07-02", rates={w.items["B"]: 20.50}, qtys={w.items["B"]: 30})
	assert pi_b.items[0].expense_account == w.acc("Stock Received But Not Billed")
	assert float(pi_2.base_net_total) == 615.0
	frappe.db.commit()
	assert gl_balance(w.acc("Stock Received But Not Billed"), "2026-07-02") == -285.00
	assert round(gl_balance(w.acc("Cost of Goods Sold"), "2026-07-02") - cogs_before, 2) == 0.00

	# A stock entry dated on or before the cutover is refused.
	from erpnext.accounts.doctype.accounting_period.accounting_period import ClosedAccountingPeriod

	from .world import stock_issue

	with pytest.raises(ClosedAccountingPeriod):
		stock_issue(w, CUTOVER, w.items["A"], 1, w.wh("N-Stores"))
	frappe.db.rollback()

	# Rollback is refused now that stock moved after the switch, naming the document.
	with pytest.raises(frappe.ValidationError) as refused:
		services.rollback(w.company)
	assert pr7.name in str(refused.value)
	frappe.db.rollback()

	# Cancelling an invoice of a migrated receipt gives its share of the accrual back.
	pi_2.reload()
	pi_2.cancel()
	assert gl_balance(w.acc("Stock Received But Not Billed"), "2026-07-02") == -900.00
	frappe.db.rollback()
