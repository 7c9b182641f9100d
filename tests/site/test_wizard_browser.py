"""A person in a real browser walks S1 through the wizard, applies, sees the journal entries, rolls back.

Needs a site (--site), its desk assets built (`bench build`), the desk served for it
(PERPETUAL_SWITCH_URL, default the site's own URL) with a worker on its `long` queue (the wizard's
Apply, Roll back and GL-change buttons run as background jobs), Python's playwright and a Chromium
(PERPETUAL_SWITCH_CHROMIUM, default /usr/bin/chromium).
Screenshots of each step go to tests/artifacts/browser/ (or PERPETUAL_SWITCH_BROWSER_ARTIFACTS). Skipped when any of these is missing, or
failed when PERPETUAL_SWITCH_REQUIRE_BROWSER is set (as CI's .ci/browser sets it).
"""

import os
import pathlib
import re
import shutil
import urllib.request
import uuid
from urllib.parse import urlparse

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)
REQUIRE_BROWSER = bool(os.environ.get("PERPETUAL_SWITCH_REQUIRE_BROWSER"))
if REQUIRE_BROWSER:  # CI runs these for real: no playwright is an error, not a skip
	from playwright import sync_api
else:
	sync_api = pytest.importorskip("playwright.sync_api", reason="browser test: Python's playwright is not installed")

from .world import CUTOVER, fresh_s1, user_with  # noqa: E402

CHROMIUM = os.environ.get("PERPETUAL_SWITCH_CHROMIUM", "/usr/bin/chromium")
# CI runs v15 and v16 side by side and gives each its own folder (.ci/browser sets this)
ARTIFACTS = pathlib.Path(
	os.environ.get("PERPETUAL_SWITCH_BROWSER_ARTIFACTS")
	or pathlib.Path(__file__).resolve().parents[1] / "artifacts" / "browser"
)
ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]
PASSWORD = "Ps-browser-2026!"


def unavailable(reason: str):
	"""Skip the browser tests for `reason`; fail them instead when PERPETUAL_SWITCH_REQUIRE_BROWSER is set."""
	if REQUIRE_BROWSER:
		pytest.fail(f"PERPETUAL_SWITCH_REQUIRE_BROWSER is set, but {reason}", pytrace=False)
	pytest.skip(reason)


@pytest.fixture(scope="module")
def base_url(site):
	return os.environ.get("PERPETUAL_SWITCH_URL") or frappe.utils.get_url()


@pytest.fixture(scope="module")
def browser(site, base_url):
	if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
		unavailable(f"browser test: no Chromium at {CHROMIUM}")
	manifest = pathlib.Path(frappe.get_site_path("..", "assets", "assets.json"))
	if not manifest.exists() or manifest.read_text().strip() in ("", "{}"):
		unavailable(f"browser test: the desk's assets are not built ({manifest} is empty); run `bench build`")
	try:
		urllib.request.urlopen(f"{base_url}/api/method/ping", timeout=5)
	except Exception as e:
		unavailable(f"browser test: the desk is not served at {base_url} ({e}); set PERPETUAL_SWITCH_URL")
	with sync_api.sync_playwright() as p:
		browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
		yield browser
		browser.close()


def accounts_manager(lang: str) -> str:
	roles = ("Accounts Manager", "Accounts User", "Stock User", "Purchase User")
	return user_with(roles, f"ps-browser-{lang}@example.com", language=lang, password=PASSWORD)


def signed_in(browser, base_url: str, email: str):
	"""A new page signed in as `email`, collecting page errors; returns (page, desk path, errors).
	The desk lives at /app on version 15 and at /desk from 16 on: go where the login led."""
	errors = []
	page = browser.new_page(viewport={"width": 1400, "height": 1000})
	page.on("pageerror", lambda e: errors.append(str(e)))
	page.goto(f"{base_url}/login", wait_until="networkidle")
	page.fill("#login_email", email)
	page.fill("#login_password", PASSWORD)
	page.click(".form-login .btn-login")
	page.wait_for_url(re.compile(r".*/(app|desk)(/.*)?$"), timeout=60000)
	return page, urlparse(page.url).path.split("/")[1], errors


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_walk_s1_apply_and_roll_back(browser, base_url, lang):
	BASE = base_url
	w = fresh_s1("PS Browser", "PB")
	email = accounts_manager(lang)
	out = ARTIFACTS / lang
	out.mkdir(parents=True, exist_ok=True)
	page, desk, errors = signed_in(browser, BASE, email)

	page.goto(f"{BASE}/{desk}/perpetual-switch-wizard", wait_until="networkidle")
	page.wait_for_selector(".perpetual-switch-wizard .step-title", timeout=60000)
	page.evaluate(
		"""([company, date]) => frappe.pages['perpetual-switch-wizard'].wizard.form.set_values(
			{company: company, cutover_date: date})""",
		[w.company, CUTOVER],
	)
	page.wait_for_selector(".perpetual-switch-wizard .alert-info", timeout=30000)
	page.screenshot(path=str(out / "1-company-and-cutover.png"), full_page=True)

	def next_step(step: int, name: str):
		page.click("button.primary-action:visible")
		page.wait_for_selector(f".ps-progress li.active[data-step='{step}']", timeout=60000)
		page.wait_for_load_state("networkidle")
		page.screenshot(path=str(out / f"{step + 1}-{name}.png"), full_page=True)
		return page.inner_text(".perpetual-switch-wizard .step-content")

	warehouses = next_step(1, "warehouse-accounts")
	assert w.wh("N-Stores") in warehouses and w.acc("Stock North") in warehouses
	stock = next_step(2, "stock-vs-accounts")
	assert page.locator(".perpetual-switch-wizard .ps-stock-chart svg").count() == 1, "no chart on step 3"
	page.wait_for_timeout(1500)  # the bars grow in: let them finish before the picture
	page.screenshot(path=str(out / "3-stock-vs-accounts.png"), full_page=True)
	assert "5.100,00" in stock or "5,100.00" in stock or "5 100,00" in stock
	srbnb = next_step(3, "received-not-billed")
	assert w.docs["PR-1"].name in srbnb and w.docs["PR-2"].name in srbnb
	next_step(4, "company-defaults")
	review = next_step(5, "review-and-apply")
	assert page.locator(".perpetual-switch-wizard .alert-danger").count() == 0, review

	page.click(".perpetual-switch-wizard .btn-primary")
	page.click(".modal:visible .btn-primary")
	page.wait_for_selector(".perpetual-switch-wizard .alert-success", timeout=120000)
	page.screenshot(path=str(out / "7-applied.png"), full_page=True)
	summary = page.inner_text(".perpetual-switch-wizard .alert-success")
	frappe.db.rollback()  # end this connection's snapshot: see what the browser committed
	switch = frappe.get_all("Switch to Perpetual Inventory", filters={"company": w.company}, fields=["name", "stock_journal_entry", "srbnb_journal_entry"])[0]
	assert switch.stock_journal_entry in summary and switch.srbnb_journal_entry in summary

	page.click(".perpetual-switch-wizard .btn-danger")
	page.click(".modal:visible .btn-primary")
	page.wait_for_selector(".perpetual-switch-wizard .btn-danger", state="detached", timeout=120000)
	page.screenshot(path=str(out / "8-rolled-back.png"), full_page=True)
	page.close()

	frappe.db.rollback()
	assert frappe.db.get_value("Switch to Perpetual Inventory", switch.name, "status") == "Rolled Back"
	assert frappe.db.get_value("Journal Entry", switch.stock_journal_entry, "docstatus") == 2
	assert not errors, errors


def test_the_workspace_shows_the_number_card_and_the_drift_chart(browser, base_url):
	"""The Perpetual Inventory workspace: shortcuts, the out-of-sync card and 90 days of drift."""
	from perpetual_switch.services import drift

	from .test_version_features import material_receipt
	from .world import ensure_fiscal_year, journal, make_company, make_item, make_warehouse

	tag = uuid.uuid4().hex[:4].upper()
	ensure_fiscal_year(2026)
	w = make_company(f"PS Workspace {tag}", f"PW{tag}", perpetual=True)
	frappe.db.set_value("Company", w.company, "default_inventory_account", w.acc("Stock In Hand"))
	store = make_warehouse(w, "Store")
	material_receipt(w.company, "2026-09-01", [(make_item(f"PSW-{tag}"), 10, 20, store)])
	for day in ("2026-09-02", "2026-09-03"):
		drift.record_and_notify(w.company, day, notify=False)
	journal(w, "2026-09-04", w.acc("Cost of Goods Sold"), w.acc("Stock In Hand"), 25, by_hand=True)
	for day in ("2026-09-04", "2026-09-05"):
		drift.record_and_notify(w.company, day, notify=False)
	email = accounts_manager("en")
	frappe.defaults.set_user_default("Company", w.company, email)
	frappe.db.commit()

	page, desk, errors = signed_in(browser, base_url, email)
	page.goto(f"{base_url}/{desk}/perpetual-inventory", wait_until="networkidle")
	page.wait_for_selector(".number-card-container, .widget.number-widget-box", timeout=60000)
	page.wait_for_selector(".widget.dashboard-widget-box svg, .chart-container svg", timeout=60000)
	page.wait_for_timeout(1500)
	ARTIFACTS.mkdir(parents=True, exist_ok=True)
	page.screenshot(path=str(ARTIFACTS / "workspace.png"), full_page=True)
	text = page.inner_text("body")
	assert "stock accounts out of sync" in text.lower() and "Switch wizard" in text
	page.close()
	assert not errors, errors


def test_backdated_switch_in_the_wizard(browser, base_url):
	"""Tick Backdated, ask for the GL change (a background job), apply (switch, then the repost job)."""
	from .test_backdated import CUT, Year
	from .world import make_item

	tag = uuid.uuid4().hex[:3].upper()
	year = Year(f"BB{tag}", perpetual=False)
	year.build(make_item(f"YEAR-BA-{tag}"), make_item(f"YEAR-BB-{tag}"))
	out = ARTIFACTS / "backdated"
	out.mkdir(parents=True, exist_ok=True)
	page, desk, errors = signed_in(browser, base_url, accounts_manager("en"))
	page.goto(f"{base_url}/{desk}/perpetual-switch-wizard", wait_until="networkidle")
	page.wait_for_selector(".perpetual-switch-wizard .step-title", timeout=60000)
	page.evaluate(
		"""([company, date]) => frappe.pages['perpetual-switch-wizard'].wizard.form.set_values(
			{company: company, cutover_date: date, backdated: 1})""",
		[year.company, CUT],
	)
	page.wait_for_selector(".perpetual-switch-wizard .alert-info", timeout=30000)
	page.screenshot(path=str(out / "1-backdated-ticked.png"), full_page=True)
	for step in range(1, 6):
		page.click("button.primary-action:visible")
		page.wait_for_selector(f".ps-progress li.active[data-step='{step}']", timeout=60000)
		page.wait_for_load_state("networkidle")
	review = page.inner_text(".perpetual-switch-wizard .step-content")
	assert "11 documents after the cutover" in review, review
	page.click("text=Compute the GL change")
	page.wait_for_selector("text=After the repost", timeout=300000)
	page.screenshot(path=str(out / "2-gl-change.png"), full_page=True)
	review = page.inner_text(".perpetual-switch-wizard .step-content")
	assert year.acc("Cost of Goods Sold") in review and year.stock_two in review

	page.click(".perpetual-switch-wizard .btn-primary:has-text('Apply')")
	page.click(".modal:visible .btn-primary")
	page.wait_for_selector(".perpetual-switch-wizard .alert-success", timeout=300000)
	page.screenshot(path=str(out / "3-applied.png"), full_page=True)
	frappe.db.rollback()
	switch = frappe.get_all(
		"Switch to Perpetual Inventory", filters={"company": year.company, "docstatus": 1}, fields=["name", "status", "reposted_count"]
	)[0]
	assert switch.status == "Applied" and switch.reposted_count == 11
	page.click(".perpetual-switch-wizard .btn-danger")
	page.click(".modal:visible .btn-primary")
	page.wait_for_selector(".perpetual-switch-wizard .btn-danger", state="detached", timeout=300000)
	page.close()
	frappe.db.rollback()
	assert frappe.db.get_value("Switch to Perpetual Inventory", switch.name, "status") == "Rolled Back"
	assert not errors, errors


def test_scheme_change_in_the_wizard(browser, base_url):
	"""ERPNext 16: choose the move to item-wise accounts on the first step, read the moves on the
	second, apply (a background job), roll back."""
	from perpetual_switch.erpnext_io import reader

	from .test_scheme import item_wise_flag, make_world

	if not reader.item_wise_available():
		pytest.skip("this site's ERPNext has no item-wise inventory accounts (a version 16 setting)")
	w = make_world()
	out = ARTIFACTS / "scheme"
	out.mkdir(parents=True, exist_ok=True)
	page, desk, errors = signed_in(browser, base_url, accounts_manager("en"))
	page.goto(f"{base_url}/{desk}/perpetual-switch-wizard", wait_until="networkidle")
	page.wait_for_selector(".perpetual-switch-wizard .step-title", timeout=60000)
	page.evaluate(
		"""([company, date]) => frappe.pages['perpetual-switch-wizard'].wizard.form.set_values(
			{company: company, cutover_date: date, scheme: "item-wise"})""",
		[w.company, CUTOVER],
	)
	page.wait_for_selector(".perpetual-switch-wizard .alert-info", timeout=30000)
	page.screenshot(path=str(out / "1-what-to-do.png"), full_page=True)
	page.click("button.primary-action:visible")
	page.wait_for_selector(".ps-progress li.active[data-step='1']", timeout=60000)
	page.wait_for_load_state("networkidle")
	page.screenshot(path=str(out / "2-moves.png"), full_page=True)
	moves = page.inner_text(".perpetual-switch-wizard .step-content")
	assert w.accounts["Stock Own"] in moves and w.accounts["Stock WA"] in moves and w.group in moves
	# A scheme change walks its own steps: no receipts-not-billed step, the stock moves under their title.
	steps = page.inner_text(".ps-progress ol")
	assert "Received but not billed" not in steps and "Accounts the stock moves between" in steps, steps
	assert "Change of inventory account scheme" in page.inner_text(".perpetual-switch-wizard .ps-operation")
	for step in range(2, 5):
		page.click("button.primary-action:visible")
		page.wait_for_selector(f".ps-progress li.active[data-step='{step}']", timeout=60000)
		page.wait_for_load_state("networkidle")
		if step == 3:
			defaults = page.inner_text(".perpetual-switch-wizard .step-content")
			assert "Enable Item-wise Inventory Account will be turned on" in defaults, defaults
	review = page.inner_text(".perpetual-switch-wizard .step-content")
	assert "scheme move" in review.lower(), review
	page.click(".perpetual-switch-wizard .btn-primary:has-text('Apply')")
	page.click(".modal:visible .btn-primary")
	page.wait_for_selector(".perpetual-switch-wizard .alert-success", timeout=120000)
	page.screenshot(path=str(out / "3-applied.png"), full_page=True)
	frappe.db.rollback()
	assert item_wise_flag(w.company) == 1
	page.click(".perpetual-switch-wizard .btn-danger")
	page.click(".modal:visible .btn-primary")
	page.wait_for_selector(".perpetual-switch-wizard .btn-danger", state="detached", timeout=120000)
	page.close()
	frappe.db.rollback()
	assert item_wise_flag(w.company) == 0
	assert not errors, errors
