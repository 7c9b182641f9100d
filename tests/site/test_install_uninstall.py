"""Install and uninstall leave nothing behind: doctypes, custom fields, the workspace, the number
card, the chart and its source, the scheduled job. Runs against a scratch site that has ERPNext
and not this app (PERPETUAL_SWITCH_SCRATCH_SITE), which it installs the app into and removes it
from; skipped without one."""

import os
import subprocess
import sys

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

SCRATCH = os.environ.get("PERPETUAL_SWITCH_SCRATCH_SITE")
COUNTS = {
	"Workspace": {"module": "Perpetual Inventory"},
	"Number Card": {"module": "Perpetual Inventory"},
	"Dashboard Chart": {"module": "Perpetual Inventory"},
	"Dashboard Chart Source": {"module": "Perpetual Inventory"},
	"Scheduled Job Type": {"method": ("like", "perpetual_switch.%")},
	"DocType": {"module": ("in", ["Perpetual Inventory", "SNC Portugal"])},
	"Module Def": {"app_name": "perpetual_switch"},
}


def bench(*args):
	return subprocess.run(
		[sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", SCRATCH, *args],
		capture_output=True, text=True, timeout=1800,
	)  # fmt: skip


def left_behind() -> dict:
	"""Counts on the scratch site, read in a process of its own (this one is connected elsewhere)."""
	code = "import frappe, json; frappe.connect(); print(json.dumps({d: frappe.db.count(d, f) for d, f in %r.items()}))" % (COUNTS,)
	run = subprocess.run(
		[sys.executable, "-c", f"import frappe; frappe.init(site={SCRATCH!r}, sites_path='.'); {code}"],
		capture_output=True, text=True, timeout=300,
	)
	assert run.returncode == 0, run.stderr
	import json

	return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not SCRATCH, reason="needs PERPETUAL_SWITCH_SCRATCH_SITE: a site with ERPNext and without this app")
def test_install_then_uninstall_leaves_nothing_behind(site):
	before = left_behind()
	assert before["Module Def"] == 0, f"{SCRATCH} already has the app"
	run = bench("install-app", "perpetual_switch")
	assert run.returncode == 0, run.stderr[-2000:]
	installed = left_behind()
	assert all(installed[d] >= 1 for d in COUNTS), installed
	run = bench("uninstall-app", "perpetual_switch", "--yes", "--no-backup", "--force")
	assert run.returncode == 0, run.stderr[-2000:]
	assert left_behind() == before
