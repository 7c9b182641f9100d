"""Every string a user of this app sees reads in Spanish and Portuguese, from the app's own files.

The set is what Frappe extracts from the app (messages in Python and JavaScript, doctype, report,
page and print format labels, role names in permissions), and each must be in the app's own es and
pt files with the same placeholders: Frappe's and ERPNext's translations differ between versions,
so the app does not lean on them.
"""

import csv
import pathlib
import re

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

pytestmark = pytest.mark.usefixtures("site")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
TRANSLATIONS = pathlib.Path(__file__).resolve().parents[2] / "perpetual_switch" / "translations"


def own_translations(lang: str) -> dict:
	with open(TRANSLATIONS / f"{lang}.csv", newline="", encoding="utf-8") as f:
		rows = [row for row in csv.reader(f) if len(row) >= 2]
	found = {}
	for row in rows:
		source, translated = row[0], row[1]
		context = row[2] if len(row) > 2 else None
		found[f"{source}:{context}" if context else source] = translated
		found.setdefault(source, translated)
	return found


def app_messages() -> list[tuple[str, str | None]]:
	from frappe.translate import get_messages_for_app

	messages = []
	for message in get_messages_for_app("perpetual_switch"):
		source, context = message[1], (message[2] if len(message) > 2 else None)
		if source and re.search(r"[A-Za-z]{2}", source):
			messages.append((source, context))
	return messages


def test_the_app_has_messages_to_translate():
	sources = {source for source, _context in app_messages()}
	assert "Switch to Perpetual Inventory" in sources
	assert len(sources) > 100


@pytest.mark.parametrize("lang", ["es", "pt"])
def test_every_message_is_translated_with_its_placeholders(lang):
	translations = own_translations(lang)
	missing, broken = set(), []
	for source, context in app_messages():
		translated = translations.get(f"{source}:{context}" if context else source) or translations.get(source)
		if not translated:
			missing.add(source)
		elif sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
			broken.append((source, translated))
	assert not missing, sorted(missing)
	assert not broken, broken
