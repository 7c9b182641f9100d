"""The unbilled receipt rows read one text per receipt, against the same rows read column by column
and against a plain reading of ERPNext's tables: partial billing, returns, a closed receipt, a
service item, a cancelled receipt, a receipt of many rows."""

from decimal import Decimal

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch.erpnext_io import reader  # noqa: E402

from .world import CUTOVER, fresh_s1, make_item, receipt  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")


@pytest.fixture(scope="module")
def world(site):
	w = fresh_s1("PS Rows", "PW")
	items = [make_item(f"PSR-{w.tag}-{n}") for n in range(3)]
	warehouse = frappe.db.get_value("Warehouse", {"company": w.company, "is_group": 0, "warehouse_name": "Transit"})
	# One receipt of many rows, the same item on several of them, rows listed out of name order.
	w.docs["PR-MANY"] = receipt(w, "2026-06-29", [(items[n % 3], n + 1, 2.5, warehouse) for n in range(60)])
	frappe.db.commit()
	return w


def test_one_text_per_receipt_reads_the_same_rows_as_column_by_column(world, monkeypatch):
	cutover = frappe.utils.getdate(CUTOVER)
	packed = reader.receipt_rows(world.company, cutover)
	monkeypatch.setattr(reader, "_packed_receipt_rows", lambda params: None)
	by_column = reader.receipt_rows(world.company, cutover)
	assert packed == by_column
	many = [r for r in packed if r.purchase_receipt == world.docs["PR-MANY"].name]
	assert [r.item_row for r in many] == [row.name for row in world.docs["PR-MANY"].items]
	assert [r.stock_qty for r in many] == [Decimal(n + 1) for n in range(60)]


def test_rows_match_a_plain_reading_of_the_tables(world):
	rows = {r.item_row: r for r in reader.receipt_rows(world.company, frappe.utils.getdate(CUTOVER))}
	expected = {}
	for r in frappe.db.sql(
		"""select pri.name, pri.stock_qty,
			(select coalesce(sum(-ri.stock_qty), 0) from `tabPurchase Receipt Item` ri
				join `tabPurchase Receipt` rr on rr.name = ri.parent
				where ri.purchase_receipt_item = pri.name and rr.docstatus = 1 and rr.is_return = 1
					and rr.posting_date <= %(date)s) as returned,
			(select coalesce(sum(pii.stock_qty), 0) from `tabPurchase Invoice Item` pii
				join `tabPurchase Invoice` pi on pi.name = pii.parent
				where pii.pr_detail = pri.name and pi.docstatus = 1 and pi.posting_date <= %(date)s) as billed
		from `tabPurchase Receipt` pr join `tabPurchase Receipt Item` pri on pri.parent = pr.name
		join `tabItem` i on i.name = pri.item_code
		where pr.company = %(company)s and pr.docstatus = 1 and pr.is_return = 0 and pr.posting_date <= %(date)s
			and pr.status != 'Completed' and i.is_stock_item = 1 and pri.is_fixed_asset = 0""",
		{"company": world.company, "date": CUTOVER},
		as_dict=True,
	):
		if r.stock_qty - r.returned - r.billed > 0:
			expected[r.name] = (Decimal(str(r.returned)), Decimal(str(r.billed)))
	assert {name: (r.returned_qty, r.billed_qty) for name, r in rows.items()} == expected
	# S1: PR-1's row B (50) unbilled, PR-2 returned 10 of 40, PR-6 closed but listed, the service
	# receipt and the cancelled one left out, the 60-row receipt whole.
	names = {r.purchase_receipt for r in rows.values()}
	assert world.docs["PR-4"].name not in names and world.docs["PR-5"].name not in names
	assert {world.docs[k].name for k in ("PR-1", "PR-2", "PR-6", "PR-MANY")} <= names
	assert rows[world.docs["PR-2"].items[0].name].returned_qty == Decimal(10)
