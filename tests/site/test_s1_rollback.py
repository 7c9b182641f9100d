"""Rollback restores every value, failures leave nothing behind, permissions hold, and the drift variant."""

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402
from perpetual_switch.erpnext_io import writer
from perpetual_switch.erpnext_io.reader import company_default_fields

from .world import CUTOVER, fresh_s1, gl_balance, receipt, user_with

pytestmark = pytest.mark.usefixtures("site")


@pytest.fixture(scope="module")
def world(site):
	return fresh_s1("PS Rollback", "PR")


def company_state(company):
	return frappe.db.get_value("Company", company, list(company_default_fields()), as_dict=True)


def nothing_written(w, before):
	assert company_state(w.company) == before
	assert not frappe.get_all(
		"Journal Entry", filters={"company": w.company, "title": ("like", "%PS-SWITCH%")}
	)
	assert not frappe.db.exists("Switch to Perpetual Inventory", {"company": w.company})
	assert not frappe.db.exists("Accounting Period", {"company": w.company})


def test_failure_in_second_journal_leaves_nothing(world, monkeypatch):
	w = world
	before = company_state(w.company)
	real = writer.post_journal
	calls = []

	def failing(*args, **kwargs):
		calls.append(1)
		if len(calls) == 2:
			raise frappe.ValidationError("forced failure in the second journal entry")
		return real(*args, **kwargs)

	monkeypatch.setattr(writer, "post_journal", failing)
	with pytest.raises(frappe.ValidationError, match="forced failure"):
		services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
	frappe.db.rollback()
	nothing_written(w, before)


def test_failure_in_company_save_leaves_nothing(world, monkeypatch):
	w = world
	before = company_state(w.company)

	def failing(*args, **kwargs):
		raise frappe.ValidationError("forced failure saving the company")

	monkeypatch.setattr(writer, "set_company_fields", failing)
	with pytest.raises(frappe.ValidationError, match="forced failure"):
		services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
	frappe.db.rollback()
	nothing_written(w, before)


def test_user_without_accounts_manager_is_refused(world):
	w = world
	email = user_with(["Stock User"], "ps-stock-user@example.com")
	frappe.set_user(email)
	try:
		with pytest.raises(frappe.PermissionError):
			services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
		with pytest.raises(frappe.PermissionError):
			services.rollback(w.company)
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()


def test_rollback_restores_everything_then_is_refused_after_stock_moves(world):
	w = world
	before = company_state(w.company)
	doc = services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
	frappe.db.commit()
	assert frappe.db.exists("Accounting Period", {"company": w.company})
	status = services.status(w.company)
	assert status["switch"] == doc.name and status["switch_status"] == "Applied" and status["in_sync"]

	rolled = services.rollback(w.company)
	frappe.db.commit()
	assert rolled.name == doc.name and rolled.status == "Rolled Back"
	for je in (doc.stock_journal_entry, doc.srbnb_journal_entry):
		assert frappe.db.get_value("Journal Entry", je, "docstatus") == 2
	assert company_state(w.company) == before
	assert not frappe.db.exists("Accounting Period", {"company": w.company})
	assert gl_balance(w.acc("Stock North")) == 0.0
	assert services.status(w.company)["switch_status"] == "Rolled Back"

	again = services.apply(w.company, CUTOVER, w.acc("Cost of Goods Sold"))
	frappe.db.commit()
	pr = receipt(w, "2026-07-01", [(w.items["A"], 1, 30, w.wh("Transit"))])
	frappe.db.commit()
	with pytest.raises(frappe.ValidationError) as refused:
		services.rollback(w.company)
	assert pr.name in str(refused.value)
	frappe.db.rollback()
	assert frappe.db.get_value("Switch to Perpetual Inventory", again.name, "status") == "Applied"


def test_drift_variant_resyncs_stock_only(site):
	w = fresh_s1("PS Drift", "PD", perpetual=True)
	frappe.db.set_value("Warehouse", w.wh("N-Cold"), "account", w.acc("Stock North"))
	frappe.db.commit()
	data = services.plan_dict(services.plan(w.company, CUTOVER, w.acc("Cost of Goods Sold")))
	assert data["blockers"] == [], data["blockers"]
	assert data["perpetual_inventory_enabled"] is True
	assert [j["purpose"] for j in data["journal_entries"]] == ["stock_sync"]
	(journal,) = data["journal_entries"]
	assert {(l["account"], l["debit"], l["credit"]) for l in journal["lines"]} == {
		(w.acc("Stock North"), "600.00", "0.00"),
		(w.acc("Stock Cold"), "0.00", "600.00"),
	}
	assert "enable_perpetual_inventory" not in {c["field"] for c in data["company_defaults"]}
