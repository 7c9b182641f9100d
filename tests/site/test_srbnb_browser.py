"""A person in a real browser reads the SRBNB reconciliation, clears its residuals, rolls the clearing back.

A perpetual company made through ERPNext documents with two residuals: a receipt of 10 at 10.00
invoiced at 11.00 (rate, -10.00) and a receipt closed with 4 of its 10 units unbilled (closed,
+40.00). The report lists both receipts and the summary; "Clear residuals" plans and applies the
clearing (a job on the site's `long` queue); the SRBNB Clearing form rolls it back.

Needs what tests/site/test_wizard_browser.py needs: a site (--site), its desk assets built, the desk
served for it (PERPETUAL_SWITCH_URL, default the site's own URL), a worker on its `long` queue,
Python's playwright and a Chromium (PERPETUAL_SWITCH_CHROMIUM). Skipped when any of these is missing, or
failed when PERPETUAL_SWITCH_REQUIRE_BROWSER is set (as CI's .ci/browser sets it).
Screenshots go to tests/artifacts/browser/srbnb/.
"""

import os
import re
import time
import uuid
from urllib.parse import quote

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)
if os.environ.get("PERPETUAL_SWITCH_REQUIRE_BROWSER"):  # CI runs these for real: no playwright is an error
	from playwright import sync_api
else:
	sync_api = pytest.importorskip("playwright.sync_api", reason="browser test: Python's playwright is not installed")

from . import test_wizard_browser as wizard  # noqa: E402
from .world import (  # noqa: E402
	ensure_fiscal_year,
	ensure_supplier,
	invoice_for,
	make_company,
	make_item,
	make_warehouse,
	receipt,
)

# The wizard's browser test's ways: its desk URL, Chromium and skips, its signed-in accounts manager.
base_url, browser = wizard.base_url, wizard.browser  # fixtures, used here under their own names
ARTIFACTS, accounts_manager, signed_in = wizard.ARTIFACTS, wizard.accounts_manager, wizard.signed_in

DAY, CLEAR_ON = "2026-10-05", "2026-10-20"
MONEY_30 = re.compile(r"30[.,]00")  # 30.00 in whatever number format the user has


@pytest.fixture(scope="module")
def worker(site):
	"""The clearing's Apply runs as a job on the site's long queue: without a worker it never ends."""
	from frappe.utils.background_jobs import get_queue, get_workers

	queue = get_queue("long")
	if not get_workers(queue):
		wizard.unavailable(
			f"browser test: no worker listens on the site's long queue {queue.name!r}; start one "
			"(`bench worker --queue long`, with the site's bench_id when its site_config sets one)"
		)
	return queue.name


@pytest.fixture(scope="module")
def w(site, browser, worker):
	"""The company with a rate residual (-10.00) and a closed one (+40.00), committed for the browser."""
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import update_purchase_receipt_status

	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	# an invoice above its receipt's rate is a residual under test: a fresh site refuses it by default
	frappe.db.set_single_value("Buying Settings", "maintain_same_rate", 0)
	frappe.db.set_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate", 0)
	allowance = frappe.db.get_single_value("Accounts Settings", "over_billing_allowance")
	frappe.db.set_single_value("Accounts Settings", "over_billing_allowance", 100)
	tag = uuid.uuid4().hex[:4].upper()
	p = make_company(f"PS SRBNB Browser {tag}", f"PSB{tag}", perpetual=True)
	wh = make_warehouse(p, "W1")
	ensure_supplier()
	a, b = make_item(f"SRB-A-{tag}"), make_item(f"SRB-B-{tag}")
	p.rate_receipt = receipt(p, DAY, [(a, 10, 10, wh)])
	invoice_for(p, p.rate_receipt.name, DAY, rates={a: 11})
	p.closed_receipt = receipt(p, DAY, [(b, 10, 10, wh)])
	invoice_for(p, p.closed_receipt.name, DAY, qtys={b: 6})
	update_purchase_receipt_status(p.closed_receipt.name, "Closed")
	frappe.db.set_single_value("Accounts Settings", "over_billing_allowance", allowance)
	frappe.db.commit()
	yield p
	frappe.db.rollback()


def residual(company: str) -> str:
	from perpetual_switch.services import srbnb

	frappe.db.rollback()  # end this connection's snapshot: see what the browser and the worker committed
	return srbnb.reconcile(company, CLEAR_ON)["totals"]["residual"]


def wait_for_status(name: str, status: str, timeout=120) -> str:
	deadline = time.monotonic() + timeout
	while True:
		frappe.db.rollback()
		current = frappe.db.get_value("SRBNB Clearing", name, "status")
		if current == status or time.monotonic() > deadline:
			return current
		time.sleep(1)


def test_read_clear_and_roll_back_the_residuals(browser, base_url, w):
	assert residual(w.company) == "30.00"
	email = accounts_manager("en")
	out = ARTIFACTS / "srbnb"
	out.mkdir(parents=True, exist_ok=True)
	page, desk, errors = signed_in(browser, base_url, email)

	# The report: both receipts, and the summary that ties to the GL.
	query = f"company={quote(w.company)}&as_of={CLEAR_ON}"
	page.goto(f"{base_url}/{desk}/query-report/SRBNB Reconciliation?{query}", wait_until="networkidle")
	page.wait_for_selector(".report-summary:visible", timeout=60000)
	for name in (w.rate_receipt.name, w.closed_receipt.name):
		page.locator(".dt-scrollable").get_by_text(name, exact=True).first.wait_for(timeout=60000)
	page.screenshot(path=str(out / "1-report.png"), full_page=True)
	summary = page.inner_text(".report-summary")
	assert "GL balance of SRBNB" in summary and "Residual" in summary, summary
	assert MONEY_30.search(summary), summary
	table = page.inner_text(".dt-scrollable")
	assert "Rate difference" in table and "Closed or completed with unbilled rows" in table, table

	# Clear residuals: plan, then apply as a job on the long queue.
	page.locator("button:visible", has_text="Clear residuals").first.click()
	dialog = page.locator(".modal:visible", has_text="Clear residuals of Stock Received But Not Billed")
	dialog.wait_for(timeout=30000)
	page.wait_for_function("() => window.cur_dialog && cur_dialog.fields_dict.posting_date", timeout=30000)
	if page.evaluate("() => cur_dialog.get_value('posting_date')") != CLEAR_ON:
		page.evaluate("(date) => cur_dialog.set_value('posting_date', date)", CLEAR_ON)
	dialog.locator(".modal-footer .btn-primary", has_text="Plan").click()
	dialog.locator("table", has_text=w.rate_receipt.name).wait_for(timeout=60000)
	plan = dialog.locator(".frappe-control[data-fieldname='plan']").inner_text()
	page.screenshot(path=str(out / "2-plan.png"), full_page=True)
	assert w.closed_receipt.name in plan and "Total" in plan and MONEY_30.search(plan), plan
	assert "Rate difference" in plan and "Closed or completed with unbilled rows" in plan, plan
	dialog.locator(".modal-footer .btn-primary", has_text="Apply").click()
	page.locator(".modal:visible", has_text="Post this clearing journal entry?").locator(".btn-primary").click()
	ended = page.wait_for_selector(
		".desk-alert:has-text('applied'), .modal:visible:has-text('The job failed')", timeout=300000
	)
	alert = ended.inner_text()  # read it before it fades
	page.screenshot(path=str(out / "3-applied.png"), full_page=True)
	assert "The clearing failed" not in alert, alert
	frappe.db.rollback()
	clearings = frappe.get_all(
		"SRBNB Clearing",
		filters={"company": w.company},
		fields=["name", "status", "journal_entry", "landed_cost_voucher", "posting_date"],
	)
	assert len(clearings) == 1, clearings
	clearing = clearings[0]
	assert clearing.status == "Applied" and str(clearing.posting_date) == CLEAR_ON, clearing
	assert clearing.name in alert, alert
	assert residual(w.company) == "0.00"

	# The clearing's form: Roll back cancels its journal entry.
	page.goto(f"{base_url}/{desk}/srbnb-clearing/{clearing.name}", wait_until="networkidle")
	roll_back = page.locator("button:visible", has_text="Roll back").first
	roll_back.wait_for(timeout=60000)
	page.screenshot(path=str(out / "4-clearing-form.png"), full_page=True)
	roll_back.click()
	page.locator(".modal:visible", has_text=clearing.journal_entry).locator(".btn-primary").click()
	assert wait_for_status(clearing.name, "Rolled Back") == "Rolled Back"
	page.locator("button:visible", has_text="Roll back").first.wait_for(state="detached", timeout=60000)
	page.wait_for_load_state("networkidle")
	page.screenshot(path=str(out / "5-rolled-back.png"), full_page=True)
	page.close()

	assert frappe.db.get_value("Journal Entry", clearing.journal_entry, "docstatus") == 2
	if clearing.landed_cost_voucher:  # the rate residual re-valued the receipt: undone as well
		assert frappe.db.get_value("Landed Cost Voucher", clearing.landed_cost_voucher, "docstatus") == 2
	assert residual(w.company) == "30.00"
	assert not errors, errors
