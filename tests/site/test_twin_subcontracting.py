"""The twin rule (see twin.py) for a subcontracting receipt made before the cutover and billed after it.

On both companies of a twin pair, through ERPNext's own documents and mappers, before the cutover:
a raw material received into W1 (12 at 10.00), a finished good whose BOM takes one raw material a
unit, a subcontracted Purchase Order for a non-stock service item (10 at 5.00, for 10 finished
goods), the Subcontracting Order made from it, the 10 raw materials sent to the subcontractor's
warehouse (a warehouse of its own, on a stock account of its own) by the "Send to Subcontractor"
Stock Entry made from the order, and the Subcontracting Receipt of the 10 finished goods (valued
15.00 a unit: the raw material and the service). The periodic company is switched on the cutover;
after it, on both, the Purchase Order is billed by a Purchase Invoice made from it. The stock
accounts and SRBNB must hold what the twin's hold on the cutover and in the end, and the invoices
must move every account alike.

No global setting is changed: the flow runs under the site's Buying Settings as they are.
"""

from __future__ import annotations

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402

from . import flows  # noqa: E402
from . import twin as t  # noqa: E402
from .world import make_account, make_item, make_warehouse, run_pending_reposts  # noqa: E402

CUT = t.CUTOVER
RECEIVED, ORDERED, SENT, MADE, BILLED = "2026-06-05", "2026-06-08", "2026-06-10", "2026-06-20", "2026-07-05"
RM_QTY, RM_RATE = 12, 10
FG_QTY, SERVICE_RATE = 10, 5


def _settle(side, doc):
	"""As twin.on_both does after its documents: let ERPNext's queued reposts run."""
	run_pending_reposts(side.company)
	return doc


def _currency(side):
	return frappe.get_cached_value("Company", side.company, "default_currency")


def _items(side):
	"""Raw material, finished good (subcontracted, with a default BOM) and service item of one side."""
	suffix = side.world.abbr
	rm = make_item(f"PS-SUB-RM-{suffix}")
	service = make_item(f"PS-SUB-SVC-{suffix}", stock=False)
	fg = f"PS-SUB-FG-{suffix}"
	if not frappe.db.exists("Item", fg):
		frappe.get_doc(
			{
				"doctype": "Item",
				"item_code": fg,
				"item_name": fg,
				"item_group": "All Item Groups",
				"stock_uom": "Nos",
				"is_stock_item": 1,
				"is_sub_contracted_item": 1,
				"valuation_method": "Moving Average",
			}
		).insert()
	return rm, fg, service


def _bom(side, fg, rm):
	doc = flows.bom(side.company, fg, rm, RM_RATE, _currency(side))
	assert frappe.db.get_value("Item", fg, "default_bom") == doc.name
	return doc


def _purchase_order(side, service, fg, supplier_warehouse):
	return flows.subcontracted_purchase_order(
		side.company, "Sup One", service, fg, FG_QTY, SERVICE_RATE, ORDERED, side.wh1, supplier_warehouse,
		_currency(side), cost_center=side.cc1,
	)


def _build(side):
	"""The subcontracting flow before the cutover, each document settled before the next."""
	rm, fg, service = _items(side)
	subcontractor_stock = make_account(side.world, "Stock at Subcontractor")
	supplier_warehouse = make_warehouse(side.world, "Subcontractor", account=subcontractor_stock)
	side.docs["pr"] = _settle(side, t.receipt(side, RECEIVED, [(rm, RM_QTY, RM_RATE)]))
	side.docs["bom"] = _settle(side, _bom(side, fg, rm))
	side.docs["po"] = _settle(side, _purchase_order(side, service, fg, supplier_warehouse))
	side.docs["sco"] = _settle(side, flows.subcontracting_order(side.docs["po"], ORDERED, side.wh1))
	side.docs["se"] = _settle(side, flows.send_to_subcontractor(side.company, side.docs["sco"], SENT))
	side.docs["scr"] = _settle(side, flows.subcontracting_receipt(side.docs["sco"], MADE))


def _bill(side):
	from erpnext.buying.doctype.purchase_order.purchase_order import make_purchase_invoice

	pi = make_purchase_invoice(side.docs["po"].name)
	pi.posting_date = pi.bill_date = pi.due_date = BILLED
	pi.set_posting_time = 1
	pi.currency, pi.conversion_rate = _currency(side), 1
	pi.payment_schedule = []
	pi.insert()
	pi.submit()
	side.docs["pi"] = _settle(side, pi)


def _gl_rows(twin, *keys):
	"""The GL rows (account, debit, credit) of the sides' documents under `keys`, for a failure's message."""
	lines = []
	for side in twin.sides:
		for key in keys:
			doc = side.docs.get(key)
			if not doc:
				continue
			rows = frappe.get_all(
				"GL Entry",
				filters={"voucher_type": doc.doctype, "voucher_no": doc.name, "is_cancelled": 0},
				fields=["account", "debit", "credit"],
				order_by="account, debit, credit",
			)
			lines.append(f"{side.company} {doc.doctype} {doc.name}:")
			lines += [f"  {r.account}: debit {r.debit} credit {r.credit}" for r in rows] or ["  (no GL rows)"]
	return "\n".join(lines)


def _explained(check, twin, *keys):
	try:
		check()
	except AssertionError as e:
		raise AssertionError(f"{e}\n{_gl_rows(twin, *keys)}") from None


@pytest.fixture(scope="module")
def switched(site):
	twin = t.make_twin("PS Twin Sub")
	twin.on_both(_build)
	for side in twin.sides:
		scr = side.docs["scr"]
		assert scr.docstatus == 1 and scr.items[0].qty == FG_QTY
		assert scr.items[0].rate == RM_RATE + SERVICE_RATE, "valued at the material and the service"
		assert frappe.db.get_value("Subcontracting Order", side.docs["sco"].name, "status") == "Completed"
	doc = services.apply(twin.periodic.company, CUT, twin.periodic.acc("Stock Adjustment"))
	frappe.db.commit()
	assert doc.status == "Applied"
	yield twin
	frappe.db.rollback()


@pytest.fixture(scope="module")
def billed(switched):
	snapshot = switched.snapshot()
	switched.on_both(_bill)
	return switched, snapshot


def test_on_the_cutover_the_stock_accounts_and_srbnb_hold_what_the_twins_hold(switched):
	_explained(
		lambda: t.assert_same_stock_and_srbnb(switched, CUT, "subcontracting, on the cutover"),
		switched,
		"pr",
		"se",
		"scr",
	)


def test_the_invoice_of_the_subcontracting_order_moves_the_accounts_as_on_the_twin(billed):
	twin, snapshot = billed
	for side in twin.sides:
		assert side.docs["pi"].docstatus == 1
		assert side.docs["pi"].base_net_total == FG_QTY * SERVICE_RATE
	_explained(
		lambda: t.assert_same_movements(twin, snapshot, "subcontracting receipt billed after the cutover"),
		twin,
		"pi",
		"scr",
	)


def test_in_the_end_the_stock_accounts_and_srbnb_hold_what_the_twins_hold(billed):
	twin, _ = billed
	_explained(
		lambda: t.assert_same_stock_and_srbnb(twin, None, "subcontracting, in the end"),
		twin,
		"pi",
		"scr",
		"se",
	)
