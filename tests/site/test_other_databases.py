"""On a site whose database is not MariaDB (faked here: the site config says PostgreSQL while the
connection stays MariaDB), installing the app and every way into it refuse with a message naming the
database type, before reading anything; ERPNext's own documents of companies the app does not
concern are not held up by its regional GL seam."""

from __future__ import annotations

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api  # noqa: E402
from perpetual_switch.erpnext_io import reader  # noqa: E402
from perpetual_switch.erpnext_io.database import UnsupportedDatabase, database_type  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")


@pytest.fixture
def postgres(monkeypatch):
	"""The site config names PostgreSQL; reading ERPNext's tables for a plan fails the test."""
	assert database_type() == "mariadb"
	monkeypatch.setitem(frappe.local.conf, "db_type", "postgres")

	def no_reading(*args, **kwargs):
		raise AssertionError("read ERPNext's tables on a database the app does not support")

	monkeypatch.setattr(reader, "read_inputs", no_reading)
	yield
	frappe.db.rollback()


def company() -> str:
	return frappe.db.get_value("Company", {}, "name")


def refused(call):
	with pytest.raises(UnsupportedDatabase, match="postgres"):
		call()


def test_install_and_the_desk_methods_refuse(postgres):
	from perpetual_switch import install

	refused(install.before_install)
	name = company()
	for call in (
		lambda: api.get_plan(name, "2026-06-30"),
		lambda: api.apply(name, "2026-06-30"),
		lambda: api.rollback(name),
		lambda: api.job_state(name),
		lambda: api.snc_mandatory_check(name),
		lambda: api.download_plan(name, "2026-06-30"),
	):
		refused(call)


def test_reports_chart_print_and_scheduled_jobs_refuse(postgres):
	from perpetual_switch.perpetual_inventory.dashboard_chart_source.stock_value_against_gl import (
		stock_value_against_gl,
	)
	from perpetual_switch.perpetual_inventory.report.perpetual_switch_reconciliation import (
		perpetual_switch_reconciliation,
	)
	from perpetual_switch.services import background, drift, switch

	name = company()
	refused(lambda: perpetual_switch_reconciliation.execute({"company": name}))
	refused(lambda: stock_value_against_gl.get(filters={"company": name}))
	refused(lambda: switch.audit("any"))
	refused(drift.run_daily)
	refused(background.resume_stalled)


def test_a_document_hook_refuses_and_nothing_is_saved(postgres):
	settings = frappe.get_single("Stock Settings")
	before = settings.allow_negative_stock
	settings.allow_negative_stock = int(not before)
	refused(settings.save)
	frappe.db.rollback()
	assert frappe.db.get_single_value("Stock Settings", "allow_negative_stock") == before


def test_the_commands_refuse_with_the_database_type(postgres, monkeypatch):
	from click.testing import CliRunner

	from perpetual_switch import commands

	# The command's own connect and disconnect are this test's connection, kept as it is.
	for name in ("init", "connect", "destroy"):
		monkeypatch.setattr(frappe, name, lambda *args, **kwargs: None)
	context = frappe._dict(sites=[frappe.local.site], force=False, profile=False)
	for args in (["status", "--company", company()], ["apply", "--company", company(), "--date", "2026-06-30", "--yes"]):
		result = CliRunner().invoke(commands.perpetual_switch, args, obj=context)
		assert result.exit_code == 1, (args, result.output)
		assert "postgres" in result.output and "MariaDB" in result.output, result.output
