"""The server methods the wizard calls: plan, apply, rollback, permissions, the report and the print format."""

import pathlib
import shutil

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402

from .world import CUTOVER, fresh_s1, user_with  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")
SWITCH = "Switch to Perpetual Inventory"


@pytest.fixture(scope="module")
def world(site):
	return fresh_s1("PS Wizard", "PW")


def reachable(url: str) -> bool:
	"""wkhtmltopdf loads the print CSS from the site's URL: the PDF needs it served."""
	import urllib.request

	try:
		urllib.request.urlopen(url + "/api/method/ping", timeout=5)
		return True
	except Exception:
		return False


def test_plan_and_context(world):
	data = api.get_plan(world.company, CUTOVER)
	assert data["blockers"] == []
	assert data["context"]["perpetual_inventory_enabled"] is False
	assert data["context"]["can_apply"] is True
	assert {j["purpose"] for j in data["journal_entries"]} == {"stock_sync", "srbnb_sync"}


def test_overrides_from_the_defaults_step_are_validated(world):
	data = api.get_plan(
		world.company, CUTOVER, company_defaults='{"stock_adjustment_account": "%s"}' % world.acc("Stock North")
	)
	changes = {c["field"]: c["proposed"] for c in data["company_defaults"]}
	assert changes["stock_adjustment_account"] == world.acc("Stock North")
	with pytest.raises(frappe.ValidationError):
		api.get_plan(world.company, CUTOVER, company_defaults='{"not_a_field": "x"}')


def test_stock_user_without_account_access_sees_no_plan_and_cannot_apply(world):
	frappe.set_user(user_with(["Stock User"], "ps-wizard-stock@example.com"))
	try:
		with pytest.raises(frappe.PermissionError):
			api.get_plan(world.company, CUTOVER)
		with pytest.raises(frappe.PermissionError):
			api.apply(world.company, CUTOVER)
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()


def test_purchase_user_reads_the_plan_but_never_applies(world):
	frappe.set_user(user_with(["Stock User", "Purchase User"], "ps-wizard-buyer@example.com"))
	try:
		data = api.get_plan(world.company, CUTOVER)
		assert data["context"]["can_apply"] is False
		with pytest.raises(frappe.PermissionError):
			api.apply(world.company, CUTOVER)
		with pytest.raises(frappe.PermissionError):
			api.rollback(world.company)
	finally:
		frappe.set_user("Administrator")
		frappe.db.rollback()


def test_apply_with_blockers_ends_failed_naming_them_and_writes_nothing(world):
	"""The desk's apply is a background job (run at once in tests): blocked, it ends Failed with
	the blockers as its reason, and nothing is left behind."""
	context = api.apply(world.company, "2026-06-21")
	assert context["job"]["status"] == "Failed"
	assert "2026-06-21" in context["job"]["reason"]
	frappe.db.rollback()
	assert not frappe.db.exists(SWITCH, {"company": world.company})
	assert not frappe.db.exists("Accounting Period", {"company": world.company})


def test_apply_report_print_and_rollback(world):
	context = api.apply(world.company, CUTOVER, company_defaults={"stock_adjustment_account": world.acc("Stock Adjustment")})
	frappe.db.commit()
	switch = context["switch"]
	assert switch["status"] == "Applied"

	from perpetual_switch.perpetual_inventory.report.perpetual_switch_reconciliation.perpetual_switch_reconciliation import (
		execute,
	)

	columns, rows, message = execute({"company": world.company, "as_on_date": CUTOVER})
	by_account = {r["account"]: r for r in rows}
	assert message is None, "no goods returned after the switch, nothing to list"
	assert all(r["difference"] == 0 for r in rows)
	assert float(by_account[world.acc("Stock North")]["switch_entries"]) == 3800.0

	html = frappe.get_print(SWITCH, switch["name"], print_format="Perpetual Switch Audit")
	assert switch["stock_journal_entry"] in html and world.acc("Stock North") in html
	assert "stock_received_but_not_billed" in html

	context = api.rollback(world.company)
	frappe.db.commit()
	assert context["switch"]["status"] == "Rolled Back"
	assert frappe.db.get_value("Company", world.company, "enable_perpetual_inventory") == 0


def test_audit_print_renders_to_pdf(world):
	if not shutil.which("wkhtmltopdf"):
		pytest.skip("PDF: wkhtmltopdf is not installed")
	if not reachable(frappe.utils.get_url()):
		pytest.skip(f"PDF: wkhtmltopdf loads the print CSS from {frappe.utils.get_url()}, which is not served")
	doc = services.apply(world.company, CUTOVER)  # Frappe prints no cancelled document by default
	frappe.db.commit()
	try:
		pdf = frappe.get_print(SWITCH, doc.name, print_format="Perpetual Switch Audit", as_pdf=True)
		assert pdf[:4] == b"%PDF"
		(pathlib.Path(__file__).resolve().parents[1] / "artifacts").mkdir(exist_ok=True)
		(pathlib.Path(__file__).resolve().parents[1] / "artifacts" / "perpetual-switch-audit.pdf").write_bytes(pdf)
	finally:
		services.rollback(world.company)
		frappe.db.commit()
