"""Copies of a company's documents written by bulk SQL (benchmarks/backdated_copies.py) are documents
ERPNext and the app take as their own.

A small periodic company is built through ERPNext by the backdated benchmark's builder (documents of
every kind after the cutover), then copied twice. Every bin matches its stock ledger and every copy has
its original's rows; a copied document opens with its copied items; the backdated switch reposts the
copies with the originals, and each copy's GL after the cutover is its original's, account by account.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import backdated_benchmark as bench  # noqa: E402
import backdated_copies as copies  # noqa: E402

from perpetual_switch import services  # noqa: E402
from perpetual_switch.services import backdated  # noqa: E402

CUT = "2025-12-31"
COPIES = 2


@pytest.fixture(scope="module")
def copied(site):
	company = bench.build(frappe, 20, CUT, "all")
	before = copies.originals(frappe, company)
	written = copies.copy_documents(frappe, company, COPIES, progress=lambda line: None)
	return company, before, written


def gl_after_cutover(company: str) -> dict[str, dict[str, str]]:
	"""Net GL per account of the documents after the cutover, per copy suffix ("" for the originals)."""
	rows = frappe.db.sql(
		"""select coalesce(regexp_substr(voucher_no, '-copy[0-9]+$'), ''), account,
			cast(sum(debit - credit) as char)
		from `tabGL Entry`
		where company = %(company)s and posting_date > %(cut)s and is_cancelled = 0
			and voucher_type != 'Journal Entry'
		group by 1, 2""",
		{"company": company, "cut": CUT},
	)
	net = defaultdict(dict)
	for copy, account, amount in rows:
		net[copy][account] = amount
	return net


def test_every_document_is_copied_with_its_rows_and_the_stock_ledger_holds(copied):
	company, before, written = copied
	assert written == COPIES * sum(len(names) for names in before.values())
	kinds = {"Stock Entry", "Purchase Receipt", "Delivery Note", "Stock Reconciliation", "Purchase Invoice"}
	assert kinds <= set(before)
	for doctype, names in before.items():
		for k in range(1, COPIES + 1):
			copied_names = [f"{name}-copy{k}" for name in names]
			made = frappe.db.count(doctype, {"name": ("in", copied_names), "docstatus": 1})
			assert made == len(names), (doctype, k)
	assert copies.check(frappe, company) == []


def test_a_copied_document_opens_with_its_copied_items(copied):
	company, before, _written = copied
	for doctype in ("Stock Entry", "Purchase Invoice", "Delivery Note"):
		original = frappe.get_doc(doctype, before[doctype][-1])
		copy = frappe.get_doc(doctype, f"{original.name}-copy1")
		assert len(copy.items) == len(original.items)
		assert copy.items[0].item_code == f"{original.items[0].item_code}-copy1"
		assert copy.company == company and copy.docstatus == 1


def test_the_backdated_switch_books_each_copy_as_its_original(copied):
	company, _before, _written = copied
	doc = services.apply(company, CUT, backdated=True)
	frappe.db.commit()
	assert backdated.run_or_undo(doc.name) is None
	net = gl_after_cutover(company)
	assert set(net) == {""} | {f"-copy{k}" for k in range(1, COPIES + 1)}
	assert net[""]
	for k in range(1, COPIES + 1):
		assert net[f"-copy{k}"] == net[""], k
	assert copies.check(frappe, company) == []
