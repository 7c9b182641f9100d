"""Drift watch on a real site: a perpetual company in sync, a journal entry to a stock account by
hand on day 2, the daily check for day 1 and day 2, the notification, the Number Card's figure,
a re-sync that clears it, and the watch command."""

import json
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.services import drift  # noqa: E402

from .test_version_features import material_receipt  # noqa: E402
from .world import ensure_fiscal_year, journal, make_company, make_item, make_warehouse, user_with  # noqa: E402

DAY1, DAY2 = "2026-10-01", "2026-10-02"


@pytest.fixture(scope="module")
def world(site):
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"PS Drift {tag}", f"PD{tag}", perpetual=True)
	frappe.db.set_value("Company", w.company, "default_inventory_account", w.acc("Stock In Hand"))
	w.store = make_warehouse(w, "Store")
	w.item = make_item(f"PSD-{tag}")
	material_receipt(w.company, "2026-09-15", [(w.item, 10, 12.5, w.store)])
	w.manager = user_with(["Accounts Manager", "Accounts User", "Stock User"], f"drift-{tag.lower()}@example.com")
	frappe.db.commit()
	return w


def notifications(w, company):
	return frappe.get_all(
		"Notification Log", filters={"for_user": w.manager, "subject": ("like", f"%{company}%")}, pluck="subject"
	)


def test_a_journal_to_a_stock_account_is_caught_named_and_cleared_by_a_resync(world):
	w = world
	stock = w.acc("Stock In Hand")
	first = drift.record_and_notify(w.company, DAY1)
	assert first["out_of_sync"] == 0 and first["notified"] == []
	je = journal(w, DAY2, w.acc("Cost of Goods Sold"), stock, 40, by_hand=True)
	frappe.db.commit()
	second = drift.record_and_notify(w.company, DAY2)
	frappe.db.commit()
	assert second["out_of_sync"] == 1 and second["notified"] == [stock]
	(subject,) = notifications(w, w.company)
	assert stock in subject and "40.00" in subject and DAY2 in subject
	log = frappe.get_all("Notification Log", filters={"for_user": w.manager, "subject": subject}, fields=["email_content", "link"])[0]
	assert je.name in log.email_content and "perpetual-switch-wizard" in log.link and "company=" in log.link
	assert api.stock_accounts_out_of_sync() >= 1
	assert drift.out_of_sync_count([w.company]) == 1
	# The same difference the next day is not news: no second notification.
	drift.record_and_notify(w.company, "2026-10-03")
	frappe.db.commit()
	assert len(notifications(w, w.company)) == 1
	# Stock In Hand's snapshots (Stock Received But Not Billed has its own rows, in sync here).
	rows = frappe.get_all(
		"Perpetual Stock Drift", filters={"company": w.company, "account": stock}, fields=["date", "difference"], order_by="date"
	)
	assert [(str(r.date), Decimal(str(r.difference))) for r in rows] == [
		(DAY1, Decimal("0")), (DAY2, Decimal("40")), ("2026-10-03", Decimal("40"))
	]

	# A re-sync through the service brings it back; the next run clears it.
	services.apply(w.company, "2026-10-03")
	frappe.db.commit()
	cleared = drift.record_and_notify(w.company, "2026-10-04")
	frappe.db.commit()
	assert cleared["out_of_sync"] == 0
	assert drift.out_of_sync_count([w.company]) == 0


def test_watch_command_prints_the_history_latest_first(world):
	w = world
	run = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site,
		 "perpetual-switch", "watch", "--company", w.company, "--days", "400", "--json"],  # fmt: skip
		capture_output=True, text=True, timeout=300,
	)
	assert run.returncode == 0, run.stderr
	data = json.loads(run.stdout)
	assert data["company"] == w.company
	dates = [d["date"] for d in data["days"]]
	assert dates == sorted(dates, reverse=True) and DAY2 in dates
	day2 = next(d for d in data["days"] if d["date"] == DAY2)
	assert day2["out_of_sync"] == 1 and day2["accounts"][0]["difference"] == "40.00"
	bad = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site,
		 "perpetual-switch", "watch", "--company", w.company, "--days", "0"],  # fmt: skip
		capture_output=True, text=True, timeout=300,
	)
	assert bad.returncode == 1 and "--days" in bad.stderr


def test_the_daily_job_checks_every_perpetual_company_as_of_yesterday(world):
	drift.run_daily()
	yesterday = frappe.utils.add_days(frappe.utils.today(), -1)
	assert frappe.db.exists("Perpetual Stock Drift", {"company": world.company, "date": yesterday})
