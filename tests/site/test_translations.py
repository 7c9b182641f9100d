"""Every user-facing message of the app reads in Spanish and Portuguese (ours, or Frappe/ERPNext's own)."""

import re

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

pytestmark = pytest.mark.usefixtures("site")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_message_is_translated_with_its_placeholders(lang):
	from frappe.translate import get_messages_for_app, get_translations_from_apps

	translations = get_translations_from_apps(lang, apps=["frappe", "erpnext", "perpetual_switch"])
	missing, broken = [], []
	for message in get_messages_for_app("perpetual_switch"):
		source, context = message[1], (message[2] if len(message) > 2 else None)
		if not source or not re.search(r"[A-Za-z]{2}", source):
			continue
		translated = translations.get(f"{source}:{context}" if context else source) or translations.get(source)
		if not translated:
			missing.append(source)
		elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
			broken.append((source, translated))
	assert not missing, missing
	assert not broken, broken
