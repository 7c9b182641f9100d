"""After the switch: late costs and returns on goods received before it, on a real site.

Each scenario builds a periodic company of its own, receives and moves goods in September, switches
as of 09-30 and books what comes in October. Figures are worked out by hand in each test.
"""

from __future__ import annotations

import uuid
from decimal import Decimal as D

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402

from .world import landed_cost as world_landed_cost  # noqa: E402
from .world import (  # noqa: E402
	debit_note,
	gl_by_account,
	purchase_return,
	ensure_fiscal_year,
	ensure_supplier,
	invoice_for,
	make_account,
	make_company,
	make_item,
	make_warehouse,
	receipt,
	run_pending_reposts,  # noqa: E402
	stock_issue,
)

CUT = "2026-09-30"
LOG = "Perpetual Switch Late Cost"


class Late:
	def __init__(self, tag: str):
		frappe.set_user("Administrator")
		ensure_fiscal_year(2026)
		frappe.db.set_single_value("Stock Settings", "allow_negative_stock", 0)
		frappe.db.set_single_value("Buying Settings", "maintain_same_rate", 0)
		frappe.db.set_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate", 0)
		self.w = make_company(f"PS Late {tag}", f"PL{tag}", perpetual=False)
		self.company, self.abbr = self.w.company, self.w.abbr
		frappe.db.set_value("Company", self.company, "default_inventory_account", self.acc("Stock In Hand"))
		self.stock_two = make_account(self.w, "Stock Two")
		self.w1 = make_warehouse(self.w, "W1")
		self.w2 = make_warehouse(self.w, "W2", account=self.stock_two)
		self.a = make_item(f"LATE-A-{tag}")
		self.b = make_item(f"LATE-B-{tag}")
		ensure_supplier()
		frappe.db.commit()

	def acc(self, name):
		return f"{name} - {self.abbr}"

	def switch(self):
		run_pending_reposts(self.company)
		doc = services.apply(self.company, CUT)
		frappe.db.commit()
		return doc

	@property
	def expense(self):
		return frappe.db.get_value("Switch to Perpetual Inventory", {"company": self.company, "docstatus": 1}, "expense_account")


def transfer(w: Late, date, item, qty, source, target):
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Transfer",
			"company": w.company,
			"posting_date": date,
			"set_posting_time": 1,
			"items": [{"item_code": item, "qty": qty, "s_warehouse": source, "t_warehouse": target, "conversion_factor": 1}],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def landed_cost(w: Late, date, receipt_doc, amount, based_on="Qty"):
	lcv = world_landed_cost(w, date, receipt_doc, amount, based_on)
	run_pending_reposts()
	frappe.db.commit()
	return lcv


def stock_against_gl(w: Late) -> dict:
	"""Per stock account: (stock value from the ledger, GL balance), all dates."""
	from erpnext.stock import get_warehouse_account_map

	accounts = get_warehouse_account_map(w.company)
	stock = {}
	for warehouse, value in frappe.db.sql(
		"""select warehouse, sum(stock_value_difference) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 group by warehouse""",
		w.company,
	):
		account = accounts[warehouse].account
		stock[account] = stock.get(account, D(0)) + D(str(value))
	gl = gl_by_account(w.company)
	return {a: (v.quantize(D("0.01")), gl.get(a, D("0.00"))) for a, v in stock.items()}


def assert_in_sync(w: Late):
	for account, (stock, gl) in stock_against_gl(w).items():
		assert stock == gl, f"{account}: stock {stock} against GL {gl}"


def late_journal(voucher) -> dict:
	name = frappe.db.get_value(LOG, {"voucher_no": voucher, "status": "Active"}, "journal_entry")
	assert name, f"no late-cost journal for {voucher}"
	rows = frappe.get_all("Journal Entry Account", filters={"parent": name}, fields=["account", "debit", "credit"])
	assert frappe.db.get_value("Journal Entry", name, "posting_date").isoformat() > CUT
	return {r.account: D(str(r.debit - r.credit)).quantize(D("0.01")) for r in rows}


def tag():
	return uuid.uuid4().hex[:4].upper()


@pytest.fixture
def freight_world(site):
	"""12 A at 7.50 and 6 B at 5.00 into W1 on 09-10; 5 A issued on 09-20; switched as of 09-30;
	2 B issued on 10-05 (perpetual by then)."""
	w = Late(tag())
	w.pr = receipt(w.w, "2026-09-10", [(w.a, 12, 7.5, w.w1), (w.b, 6, 5, w.w1)])
	stock_issue(w.w, "2026-09-20", w.a, 5, w.w1)
	w.switch()
	stock_issue(w.w, "2026-10-05", w.b, 2, w.w1)
	frappe.db.commit()
	return w


def test_freight_after_the_switch_splits_between_stock_and_the_units_issued_before_it(freight_world):
	w = freight_world
	gl_before_cutover = gl_by_account(w.company, CUT)
	gl_before = gl_by_account(w.company)
	assert_in_sync(w)
	lcv = landed_cost(w, "2026-10-15", w.pr, 18)
	# 18.00 over 18 units is 1.00 a unit. On the cutover W1 held 7 A and 6 B: +13.00 to stock;
	# the 5 A issued before the cutover: +5.00 to the switch's expense account.
	assert late_journal(lcv.name) == {
		w.acc("Stock In Hand"): D("13.00"),
		w.expense: D("5.00"),
		w.acc("Expenses Included In Valuation"): D("-18.00"),
	}
	assert gl_by_account(w.company, CUT) == gl_before_cutover, "GL on or before the cutover moved"
	# The 2 B issued on 10-05 cost 2.00 more: ERPNext's own repost of that entry, not ours.
	gl_after = gl_by_account(w.company)
	assert gl_after[w.acc("Stock In Hand")] - gl_before[w.acc("Stock In Hand")] == D("11.00")
	assert_in_sync(w)
	stock = stock_against_gl(w)[w.acc("Stock In Hand")][0]
	assert stock == D("7") * D("8.50") + D("4") * D("6.00")

	lcv.reload()
	lcv.cancel()
	run_pending_reposts()
	frappe.db.commit()
	assert gl_by_account(w.company) == gl_before
	assert_in_sync(w)
	assert not frappe.db.exists(LOG, {"voucher_no": lcv.name, "status": "Active"})


def test_two_warehouses_with_units_moved_between_them_before_the_cutover(site):
	w = Late(tag())
	pr = receipt(w.w, "2026-09-10", [(w.a, 10, 10, w.w1)])
	transfer(w, "2026-09-12", w.a, 4, w.w1, w.w2)
	stock_issue(w.w, "2026-09-15", w.a, 1, w.w2)
	stock_issue(w.w, "2026-09-16", w.a, 2, w.w1)
	w.switch()
	gl_before_cutover = gl_by_account(w.company, CUT)
	lcv = landed_cost(w, "2026-10-02", pr, 5)
	# 0.50 a unit: W1 keeps 4 (+2.00), W2 keeps 3 (+1.50), 3 issued before the cutover (+1.50).
	assert late_journal(lcv.name) == {
		w.acc("Stock In Hand"): D("2.00"),
		w.stock_two: D("1.50"),
		w.expense: D("1.50"),
		w.acc("Expenses Included In Valuation"): D("-5.00"),
	}
	assert gl_by_account(w.company, CUT) == gl_before_cutover
	assert_in_sync(w)
	# No stock moved after the cutover, but the late cost was booked against the switch: a rollback
	# would leave its journal behind. Refused, naming the voucher, until it is cancelled.
	with pytest.raises(services.RollbackRefused, match=lcv.name):
		services.rollback(w.company)
	frappe.db.rollback()
	lcv.reload()
	lcv.cancel()
	run_pending_reposts()
	services.rollback(w.company)
	frappe.db.commit()
	assert not frappe.db.get_value("Company", w.company, "enable_perpetual_inventory")


def test_a_landed_cost_dated_on_or_before_the_cutover_is_refused_naming_the_switch(freight_world):
	w = freight_world
	with pytest.raises(frappe.ValidationError, match="after the cutover"):
		landed_cost(w, CUT, w.pr, 18)
	frappe.db.rollback()


def test_a_repost_from_before_the_cutover_is_refused_when_it_is_made(freight_world):
	w = freight_world
	switch = frappe.db.get_value("Switch to Perpetual Inventory", {"company": w.company, "docstatus": 1}, "name")
	doc = frappe.get_doc(
		{
			"doctype": "Repost Item Valuation",
			"based_on": "Item and Warehouse",
			"item_code": w.a,
			"warehouse": w.w1,
			"posting_date": "2026-09-15",
			"posting_time": "00:00:00",
			"company": w.company,
		}
	)
	with pytest.raises(frappe.ValidationError) as raised:
		doc.insert()
	assert switch in str(raised.value) and CUT in str(raised.value)
	frappe.db.rollback()
	# From the day after the cutover it is ERPNext's own business.
	doc.posting_date = "2026-10-01"
	doc.insert()
	frappe.db.rollback()


def test_an_invoice_at_another_rate_revalues_the_receipt_when_the_buying_setting_is_on(site):
	w = Late(tag())
	pr = receipt(w.w, "2026-09-10", [(w.a, 10, 10, w.w1)])
	stock_issue(w.w, "2026-09-20", w.a, 4, w.w1)
	w.switch()
	frappe.db.set_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate", 1)
	frappe.db.commit()
	try:
		gl_before_cutover = gl_by_account(w.company, CUT)
		pi = invoice_for(w.w, pr.name, "2026-10-10", rates={w.a: 10.4})
		run_pending_reposts()
		frappe.db.commit()
		# 0.40 a unit more: SRBNB is credited the 4.00 ERPNext would have re-valued the receipt by
		# had it been perpetual; 6 units still in stock (+2.40 to stock) and the 4 issued before the
		# cutover (1.60) on the switch's expense account.
		assert late_journal(pi.name) == {
			w.acc("Stock In Hand"): D("2.40"),
			w.expense: D("1.60"),
			w.acc("Stock Received But Not Billed"): D("-4.00"),
		}
		assert gl_by_account(w.company, CUT) == gl_before_cutover
		assert_in_sync(w)
		srbnb = w.acc("Stock Received But Not Billed")
		assert gl_by_account(w.company).get(srbnb, D("0.00")) == D("0.00")
		pi.reload()
		pi.cancel()
		run_pending_reposts()
		frappe.db.commit()
		assert_in_sync(w)
	finally:
		frappe.db.set_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate", 0)
		frappe.db.commit()


@pytest.mark.parametrize("order", ["return then debit note", "debit note then return"])
def test_goods_billed_before_the_switch_and_returned_after_it_leave_srbnb_at_zero(site, order):
	w = Late(tag())
	pr = receipt(w.w, "2026-09-10", [(w.a, 10, 10, w.w1)])
	pi = invoice_for(w.w, pr.name, "2026-09-12")
	w.switch()
	srbnb, cogs = w.acc("Stock Received But Not Billed"), pi.items[0].expense_account
	gl_start = gl_by_account(w.company)

	def give_back():
		return purchase_return(pr, "2026-10-05", 3)

	def credit():
		return debit_note(pi, "2026-10-06", 3)

	first, second = (give_back, credit) if order.startswith("return") else (credit, give_back)
	docs = [first()]
	frappe.db.commit()
	if first is credit:
		# A debit note alone moves no stock, yet it credits SRBNB only because the switch is applied.
		with pytest.raises(services.RollbackRefused, match=docs[0].name):
			services.rollback(w.company)
		frappe.db.rollback()
	docs.append(second())
	frappe.db.commit()
	gl = gl_by_account(w.company)
	assert gl.get(srbnb, D("0.00")) == D("0.00")
	assert gl.get(cogs, D("0.00")) == gl_start.get(cogs, D("0.00")), "COGS moved"
	assert_in_sync(w)
	for doc in reversed(docs):
		doc.reload()
		doc.cancel()
	frappe.db.commit()
	assert gl_by_account(w.company) == gl_start


def test_a_debit_note_that_does_not_match_the_return_is_shown_in_the_reconciliation(site):
	from perpetual_switch.perpetual_inventory.report.perpetual_switch_reconciliation import (
		perpetual_switch_reconciliation as report,
	)

	w = Late(tag())
	pr = receipt(w.w, "2026-09-10", [(w.a, 10, 10, w.w1)])
	pi = invoice_for(w.w, pr.name, "2026-09-12")
	w.switch()
	filters = {"company": w.company, "as_on_date": "2026-10-31"}
	assert report.execute(filters)[2] is None
	purchase_return(pr, "2026-10-05", 2)
	debit_note(pi, "2026-10-06", 3)
	frappe.db.commit()
	message = report.execute(filters)[2]
	assert message and pr.name in message and w.a in message
	assert "20.00" in message and "30.00" in message and "-10.00" in message


def test_a_fault_while_booking_a_late_cost_leaves_nothing_behind(freight_world, monkeypatch):
	from perpetual_switch.erpnext_io import writer

	w = freight_world
	before = (gl_by_account(w.company), stock_against_gl(w), frappe.db.count("Landed Cost Voucher", {"company": w.company}))

	def fault(*args, **kwargs):
		raise RuntimeError("fault injected at the late-cost journal")

	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import PurchaseReceipt

	# A fault inside ERPNext's own re-valuation, after the receipt was marked, and one at our journal.
	real = PurchaseReceipt.update_stock_ledger
	calls = []

	def fault_in_erpnext(self, *args, **kwargs):
		calls.append(1)
		if len(calls) == 2:
			raise RuntimeError("fault injected in the receipt's stock ledger")
		return real(self, *args, **kwargs)

	monkeypatch.setattr(PurchaseReceipt, "update_stock_ledger", fault_in_erpnext)
	with pytest.raises(RuntimeError, match="fault injected"):
		landed_cost(w, "2026-10-15", w.pr, 18)
	frappe.db.rollback()
	assert not frappe.flags.get("perpetual_switch_late_receipts"), "a receipt stayed marked after the fault"
	monkeypatch.setattr(PurchaseReceipt, "update_stock_ledger", real)
	monkeypatch.setattr(writer, "post_journal", fault)
	with pytest.raises(RuntimeError, match="fault injected"):
		landed_cost(w, "2026-10-15", w.pr, 18)
	frappe.db.rollback()
	after = (gl_by_account(w.company), stock_against_gl(w), frappe.db.count("Landed Cost Voucher", {"company": w.company}))
	assert after == before
	assert not frappe.flags.get("perpetual_switch_late_receipts"), "a receipt stayed marked after the fault"


def test_a_company_booking_stock_per_item_gets_the_late_cost_on_each_items_account(site):
	from perpetual_switch.erpnext_io import reader

	if not reader.item_wise_available():
		pytest.skip("this site's ERPNext has no item-wise inventory accounts (a version 16 setting)")
	w = Late(tag())
	own_a, own_b = make_account(w.w, "Stock Item A"), make_account(w.w, "Stock Item B")
	for item, account in ((w.a, own_a), (w.b, own_b)):
		doc = frappe.get_doc("Item", item)
		doc.append("item_defaults", {"company": w.company, "default_warehouse": w.w1, "default_inventory_account": account})
		doc.save()
	frappe.db.set_value("Company", w.company, reader.ITEM_WISE_FIELD, 1)
	frappe.clear_document_cache("Company", w.company)
	frappe.db.commit()
	pr = receipt(w.w, "2026-09-10", [(w.a, 12, 7.5, w.w1), (w.b, 6, 5, w.w1)])
	stock_issue(w.w, "2026-09-20", w.a, 5, w.w1)
	w.switch()
	gl_before_cutover = gl_by_account(w.company, CUT)
	lcv = landed_cost(w, "2026-10-15", pr, 18)
	# 1.00 a unit: A keeps 7 (+7.00 on its account), B keeps 6 (+6.00), 5 A issued before (+5.00).
	assert late_journal(lcv.name) == {
		own_a: D("7.00"),
		own_b: D("6.00"),
		w.expense: D("5.00"),
		w.acc("Expenses Included In Valuation"): D("-18.00"),
	}
	assert gl_by_account(w.company, CUT) == gl_before_cutover
	gl = gl_by_account(w.company)
	assert gl[own_a] == D("7") * D("8.50") and gl[own_b] == D("6") * D("6.00")


def test_freight_on_a_stock_updating_invoice_from_before_the_switch(site):
	w = Late(tag())
	pi = frappe.get_doc(
		{
			"doctype": "Purchase Invoice",
			"company": w.company,
			"supplier": "Sup One",
			"posting_date": "2026-09-10",
			"set_posting_time": 1,
			"bill_date": "2026-09-10",
			"due_date": "2026-09-10",
			"update_stock": 1,
			"currency": frappe.get_cached_value("Company", w.company, "default_currency"),
			"conversion_rate": 1,
			"items": [{"item_code": w.a, "qty": 10, "rate": 10, "warehouse": w.w1, "conversion_factor": 1}],
		}
	)
	pi.insert()
	pi.submit()
	stock_issue(w.w, "2026-09-20", w.a, 4, w.w1)
	w.switch()
	invoice_gl = frappe.get_all("GL Entry", filters={"voucher_no": pi.name, "is_cancelled": 0}, fields=["account", "debit", "credit"], order_by="account")
	gl_before_cutover = gl_by_account(w.company, CUT)
	lcv = landed_cost(w, "2026-10-15", pi, 5)
	# 0.50 a unit: 6 still in stock (+3.00), 4 issued before the cutover (+2.00).
	assert late_journal(lcv.name) == {
		w.acc("Stock In Hand"): D("3.00"),
		w.expense: D("2.00"),
		w.acc("Expenses Included In Valuation"): D("-5.00"),
	}
	assert frappe.get_all("GL Entry", filters={"voucher_no": pi.name, "is_cancelled": 0}, fields=["account", "debit", "credit"], order_by="account") == invoice_gl
	assert gl_by_account(w.company, CUT) == gl_before_cutover
	assert_in_sync(w)


def test_a_repost_still_to_run_before_the_cutover_blocks_the_switch(site):
	w = Late(tag())
	receipt(w.w, "2026-09-10", [(w.a, 10, 10, w.w1)])
	repost = frappe.get_doc(
		{
			"doctype": "Repost Item Valuation",
			"based_on": "Item and Warehouse",
			"item_code": w.a,
			"warehouse": w.w1,
			"posting_date": "2026-09-12",
			"posting_time": "00:00:00",
			"company": w.company,
		}
	)
	repost.flags.dont_run_in_test = True  # as the scheduler has not reached it yet
	repost.insert()
	repost.submit()
	frappe.db.commit()
	assert frappe.db.get_value("Repost Item Valuation", repost.name, "status") == "Queued"
	plan = services.plan_dict(services.plan(w.company, CUT))
	(blocker,) = [b for b in plan["blockers"] if b["code"] == "repost_pending_before_cutover"]
	assert repost.name in blocker["message"]
	with pytest.raises(services.SwitchBlocked):
		services.apply(w.company, CUT)
	frappe.db.rollback()
	from erpnext.stock.doctype.repost_item_valuation.repost_item_valuation import repost as run_repost

	repost.reload()
	run_repost(repost)
	frappe.db.commit()
	assert frappe.db.get_value("Repost Item Valuation", repost.name, "status") == "Completed"
	assert not [b for b in services.plan_dict(services.plan(w.company, CUT))["blockers"] if b["code"] == "repost_pending_before_cutover"]
