"""One runner, two tiers: engine tests run anywhere; tests under tests/site need a Frappe site.

Site tests run with the bench's Python from the bench's sites folder:

    cd frappe-bench/sites && ../env/bin/python -m pytest /path/to/perpetual_switch/tests --site SITE

(or set PERPETUAL_SWITCH_SITE). Without a site they are skipped with the reason, never failed,
unless PERPETUAL_SWITCH_REQUIRE_SITE is set (as CI sets it): then a site that cannot be used fails
the run instead of skipping every site test.
"""

import os

import pytest


def pytest_addoption(parser):
	parser.addoption(
		"--site",
		default=os.environ.get("PERPETUAL_SWITCH_SITE"),
		help="Frappe site to run the site tests against (env: PERPETUAL_SWITCH_SITE)",
	)


REQUIRE_SITE = bool(os.environ.get("PERPETUAL_SWITCH_REQUIRE_SITE"))


def _unusable(reason: str):
	"""Skip the site tests for `reason`; when a site is required, stop the run instead."""
	if REQUIRE_SITE:
		pytest.exit(f"PERPETUAL_SWITCH_REQUIRE_SITE is set, but {reason}", returncode=3)
	pytest.skip(reason)


def pytest_configure(config):
	if REQUIRE_SITE:
		try:
			import frappe  # noqa: F401
		except ImportError:
			raise pytest.UsageError("PERPETUAL_SWITCH_REQUIRE_SITE is set, but frappe is not importable here")
		if not config.getoption("--site"):
			raise pytest.UsageError("PERPETUAL_SWITCH_REQUIRE_SITE is set, but no --site was given")


@pytest.fixture(scope="session")
def site(request):
	name = request.config.getoption("--site")
	if not name:
		_unusable(
			"site test: needs a Frappe site with ERPNext and perpetual_switch installed; run from "
			"frappe-bench/sites with the bench's Python and --site NAME (or PERPETUAL_SWITCH_SITE)"
		)
	try:
		import frappe
	except ImportError:
		_unusable("site test: frappe is not importable here; use the bench's Python (frappe-bench/env/bin/python)")
	if not os.path.isdir(os.path.join(os.getcwd(), name)):
		_unusable(f"site test: no site folder {name!r} in {os.getcwd()}; run from frappe-bench/sites")
	frappe.init(site=name, sites_path=os.getcwd())
	frappe.connect()
	frappe.set_user("Administrator")
	frappe.flags.in_test = True
	yield name
	frappe.db.rollback()
	frappe.destroy()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
	"""Without a site the site modules skip whole; say how many tests they hold and how to run them."""
	import pathlib
	import re

	if config.getoption("--site"):
		return
	site_dir = pathlib.Path(__file__).parent / "site"
	counts = {p.name: len(re.findall(r"^def test_", p.read_text(), re.M)) for p in sorted(site_dir.glob("test_*.py"))}
	total = sum(counts.values())
	if total:
		terminalreporter.write_line(
			f"{total} site tests in {len(counts)} modules under tests/site were skipped: they need a Frappe site "
			"(cd frappe-bench/sites && ../env/bin/python -m pytest /path/to/perpetual_switch/tests --site SITE)."
		)
