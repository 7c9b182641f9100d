"""The plan as a spreadsheet on a real site: the XLSX opens with openpyxl and its sums equal the
plan's; the CSV reads back to the same sheets; the command writes both; the desk downloads it."""

import io
import subprocess
import sys
from decimal import Decimal

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.engine.export import from_csv  # noqa: E402
from perpetual_switch.engine.models import SwitchOptions  # noqa: E402
from perpetual_switch.services.export import plan_file  # noqa: E402

from .world import CUTOVER, fresh_s1  # noqa: E402


@pytest.fixture(scope="module")
def world(site):
	return fresh_s1("PS Export", "PX")


def test_the_xlsx_opens_and_its_sums_equal_the_plans(world):
	import openpyxl

	plan = services.plan_dict(services.plan(world.company, CUTOVER))
	name, content = plan_file(SwitchOptions(world.company, CUTOVER), "xlsx")
	assert name.endswith(".xlsx")
	book = openpyxl.load_workbook(io.BytesIO(content))
	assert book.sheetnames == ["Warehouses", "Stock Accounts", "Journal Lines", "Receipts Accrued", "Company Defaults"]
	accounts = list(book["Stock Accounts"].iter_rows(min_row=2, values_only=True))
	assert sum(Decimal(str(r[1])) for r in accounts) == sum(Decimal(a["stock_value"]) for a in plan["stock_accounts"])
	assert all(isinstance(r[1], (int, float)) for r in accounts), "amounts must be numbers, not text"
	lines = list(book["Journal Lines"].iter_rows(min_row=2, values_only=True))
	assert round(sum(r[2] for r in lines), 2) == round(sum(r[3] for r in lines), 2)
	receipts = list(book["Receipts Accrued"].iter_rows(min_row=2, values_only=True))
	assert round(sum(Decimal(str(r[4])) for r in receipts), 2) == Decimal(plan["srbnb"]["unbilled_value"])
	assert book["Stock Accounts"].cell(row=2, column=2).number_format == "#,##0.00"


def test_the_csv_reads_back_and_the_command_writes_both(world, tmp_path):
	_name, content = plan_file(SwitchOptions(world.company, CUTOVER), "csv")
	sheets = from_csv(content.decode("utf-8"))
	assert sheets["Stock Accounts"][0][0] == "Stock Account"
	for fmt in ("csv", "xlsx"):
		out = tmp_path / f"plan.{fmt}"
		run = subprocess.run(
			[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site, "perpetual-switch",
			 "plan", "--company", world.company, "--date", CUTOVER, "--format", fmt, "--output", str(out)],  # fmt: skip
			capture_output=True, timeout=300,
		)
		assert run.returncode == 0, run.stderr
		assert out.read_bytes()[:2] == (b"PK" if fmt == "xlsx" else b"#,")
	half = subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", frappe.local.site, "perpetual-switch",
		 "plan", "--company", world.company, "--format", "csv"],  # fmt: skip
		capture_output=True, text=True, timeout=300,
	)
	assert half.returncode == 1 and "--output" in half.stderr


def test_the_desk_download_and_a_bad_format(world):
	api.download_plan(world.company, CUTOVER, "xlsx")
	assert frappe.response["type"] == "binary" and frappe.response["filecontent"][:2] == b"PK"
	with pytest.raises(frappe.ValidationError, match="pdf"):
		api.download_plan(world.company, CUTOVER, "pdf")
