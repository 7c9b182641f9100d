"""What the app's hooks and patches name is importable on a real site, and is what Frappe calls."""

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from ..test_app_files import APP, hook_paths  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")


def test_every_hook_path_resolves_to_a_callable():
	from perpetual_switch import hooks

	for path in hook_paths(hooks):
		assert callable(frappe.get_attr(path)), path


def test_frappe_sees_the_apps_hooks():
	assert "perpetual_switch.services.receipts.route_migrated_receipts" in frappe.get_hooks("doc_events")[
		"Purchase Invoice"
	]["validate"]
	seam = "erpnext.accounts.doctype.sales_invoice.sales_invoice.make_regional_gl_entries"
	assert "perpetual_switch.snc_portugal.gl.make_regional_gl_entries" in frappe.get_hooks("regional_overrides")["Spain"][seam]


def test_every_patch_imports():
	for line in (APP / "patches.txt").read_text().splitlines():
		line = line.strip()
		if line.startswith("execute:"):
			code = line[len("execute:") :].split("#")[0]
			imports = code.split(";")[0]
			exec(compile(imports, "patches.txt", "exec"), {})
		elif line and not line.startswith(("#", "[")):
			assert callable(frappe.get_attr(line.split()[0] + ".execute")), line
