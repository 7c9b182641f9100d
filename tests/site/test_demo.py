"""The newcomer's first command: `perpetual-switch demo` makes a small periodic company through
ERPNext's documents on the site, prints its plan, and with --apply switches it; run again, it finds
the company and changes nothing."""

import json
import uuid

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402

from .world import command  # noqa: E402


def test_the_demo_company_is_made_planned_and_switched(site):
	tag = uuid.uuid4().hex[:4].upper()
	company, abbr = f"PS Demo Run {tag}", f"DR{tag}"
	proc = command(site, "demo", "--company", company, "--abbr", abbr, "--json")
	out, err = proc.communicate(timeout=600)
	assert proc.returncode == 0, err
	made = json.loads(out)
	assert len(made["created"]) == 5 and made["plan"]["mode"] == "switch" and made["plan"]["blockers"] == []
	accounts = {a["account"]: a["stock_value"] for a in made["plan"]["stock_accounts"] if a["stock_value"] != "0.00"}
	assert accounts == {f"Stock North - {abbr}": "1000.00", f"Stock South - {abbr}": "1000.00"}
	assert made["plan"]["srbnb"]["unbilled_value"] == "1300.00"
	proc = command(site, "demo", "--company", company, "--abbr", abbr, "--apply")
	out, err = proc.communicate(timeout=600)
	assert proc.returncode == 0, err
	assert "Made " not in out and "Applied " in out
	frappe.db.rollback()
	assert frappe.db.get_value("Company", company, "enable_perpetual_inventory") == 1
	assert services.status(company)["in_sync"] is True
	services.rollback(company)
	frappe.db.commit()
