"""SRBNB reconciliation on a real site: each cause built through ERPNext's own documents on a
perpetual company, split to the cent, and the whole tied to the account's GL.

Figures by hand: every receipt is 10 units at 10.00 (100.00) unless said otherwise.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal as D

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch.services import srbnb

from .world import (
	command,
	ensure_fiscal_year,
	ensure_supplier,
	invoice_for,
	journal,
	make_account,
	make_company,
	make_item,
	make_warehouse,
	receipt,
)

DAY = "2026-10-05"


@pytest.fixture(scope="module")
def w(site):
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	frappe.db.set_single_value("Buying Settings", "maintain_same_rate", 0)
	frappe.db.set_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate", 0)
	# Invoices above the receipt's rate are a cause under test: let ERPNext take them.
	allowance = frappe.db.get_single_value("Accounts Settings", "over_billing_allowance")
	frappe.db.set_single_value("Accounts Settings", "over_billing_allowance", 100)
	tag = uuid.uuid4().hex[:4].upper()
	world = make_company(f"PS SRBNB {tag}", f"PB{tag}", perpetual=True)
	world.tag = tag
	world.wh1 = make_warehouse(world, "W1")
	ensure_supplier()
	world.srbnb = frappe.get_cached_value("Company", world.company, "stock_received_but_not_billed")
	world.currency = frappe.get_cached_value("Company", world.company, "default_currency")
	world.item = lambda name: make_item(f"SRB-{name}-{tag}")
	world.freight = make_account(world, "Freight In", parent="Indirect Expenses", account_type="Chargeable")
	frappe.db.commit()
	yield world
	frappe.db.rollback()
	frappe.db.set_single_value("Accounts Settings", "over_billing_allowance", allowance)
	frappe.db.commit()


def draft_invoice(receipt_name, date=DAY):
	"""An unsaved invoice of the whole receipt, made by ERPNext's own mapper, dated `date`."""
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

	pi = make_purchase_invoice(receipt_name)
	pi.posting_date = pi.bill_date = pi.due_date = date
	pi.set_posting_time = 1
	pi.payment_schedule = []
	return pi


def pr(w, name, qty=10, rate=10, date=DAY):
	return receipt(w, date, [(w.item(name), qty, rate, w.wh1)])


def gl(w, as_of=DAY):
	value = frappe.db.sql(
		"""select coalesce(sum(credit) - sum(debit), 0) from `tabGL Entry`
		where account = %s and is_cancelled = 0 and posting_date <= %s""",
		(w.srbnb, as_of),
	)[0][0]
	return D(str(value)).quantize(D("0.01"))


def reconcile(w, as_of=DAY):
	data = srbnb.reconcile(w.company, as_of, all_rows=True)
	totals = data["totals"]
	assert D(totals["gl_balance"]) == gl(w, as_of)
	assert totals["ties"], totals
	# Rows + voucher lines = GL, and every row's causes add up to its residual.
	assert D(totals["held_by_rows"]) + D(totals["voucher_lines"]) == D(totals["gl_balance"])
	for row in data["rows"]:
		assert sum((D(a) for a in row["causes"].values()), D(0)) == D(row["residual"]), row
		assert D(row["held"]) - D(row["expected"]) == D(row["residual"])
	return data


def row_of(data, receipt_name):
	rows = [r for r in data["rows"] if r["purchase_receipt"] == receipt_name]
	assert len(rows) == 1, (receipt_name, data["rows"])
	return rows[0]


def test_billed_at_the_receipts_rate_and_partly_billed_leave_no_residual(w):
	full = pr(w, "FULL")
	invoice_for(w, full.name, DAY)
	part = pr(w, "PART")
	invoice_for(w, part.name, DAY, qtys={w.item("PART"): 4})
	frappe.db.commit()
	data = reconcile(w)
	assert row_of(data, part.name)["expected"] == "60.00"
	assert row_of(data, part.name)["residual"] == "0.00"
	# Billed in full at its rate: nothing held, nothing expected, so not listed at all.
	assert not [r for r in data["rows"] if r["purchase_receipt"] == full.name]


def test_rate_difference(w):
	doc = pr(w, "RATE")
	pi = invoice_for(w, doc.name, DAY, rates={w.item("RATE"): 11})
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert row["residual"] == "-10.00" and row["causes"] == {"rate": "-10.00"}
	assert [v["voucher_no"] for v in row["vouchers"]] == [pi.name]


def test_invoice_level_discount(w):
	doc = pr(w, "DISC")
	pi = draft_invoice(doc.name)
	pi.apply_discount_on = "Net Total"
	pi.additional_discount_percentage = 10
	pi.insert()
	pi.submit()
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert row["causes"] == {"discount": "10.00"}


def test_valuation_taxes(w):
	doc = pr(w, "TAX")
	pi = draft_invoice(doc.name)
	pi.append(
		"taxes",
		{
			"category": "Valuation",
			"charge_type": "Actual",
			"add_deduct_tax": "Add",
			"account_head": w.freight,
			"description": "Freight",
			"tax_amount": 5,
			"cost_center": frappe.get_cached_value("Company", w.company, "cost_center"),
		},
	)
	pi.insert()
	pi.submit()
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert row["causes"] == {"valuation_tax": "-5.00"}


def test_closed_with_unbilled_rows(w):
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import update_purchase_receipt_status

	doc = pr(w, "CLOSED")
	invoice_for(w, doc.name, DAY, qtys={w.item("CLOSED"): 6})
	update_purchase_receipt_status(doc.name, "Closed")
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert (row["held"], row["expected"], row["causes"]) == ("40.00", "0.00", {"closed": "40.00"})


def test_billed_beyond_what_was_received(w):
	"""10 received, 12 billed at the receipt's rate (ERPNext lets it through within the over-billing
	allowance): SRBNB is 20.00 short, all of it over-billing."""
	doc = pr(w, "OVER")
	pi = draft_invoice(doc.name)
	pi.items[0].qty = pi.items[0].received_qty = 12
	pi.insert()
	pi.submit()
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert (row["held"], row["expected"], row["causes"]) == ("-20.00", "0.00", {"over_billing": "-20.00"}), row


def test_return_and_debit_note_that_differ(w):
	from erpnext.accounts.doctype.purchase_invoice.purchase_invoice import make_debit_note
	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_return

	doc = pr(w, "RET")
	pi = invoice_for(w, doc.name, DAY)
	ret = make_purchase_return(doc.name)
	ret.posting_date, ret.set_posting_time = DAY, 1
	for item in ret.items:
		item.qty = item.received_qty = -2
	ret.insert()
	ret.submit()
	note = make_debit_note(pi.name)
	note.posting_date, note.set_posting_time = DAY, 1
	note.bill_date = note.due_date = DAY
	note.payment_schedule = []
	for item in note.items:
		item.qty = item.received_qty = -2
		item.rate = 9
	note.insert()
	note.submit()
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	# The return takes 20.00 out of SRBNB, the debit note puts back 18.00.
	assert row["causes"] == {"return_mismatch": "-2.00"}, row


def test_billed_to_another_account_by_hand(w):
	doc = pr(w, "ELSE")
	pi = draft_invoice(doc.name)
	pi.insert()
	# As a data import or a script does it: the row's account changed after validation.
	expense = frappe.get_cached_value("Company", w.company, "default_expense_account")
	frappe.db.set_value("Purchase Invoice Item", pi.items[0].name, "expense_account", expense)
	pi.reload()
	pi.flags.ignore_validate = True
	pi.submit()
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert row["causes"] == {"not_through_srbnb": "100.00"}, row


def test_entries_by_hand_and_invoices_without_receipt(w):
	entry = journal(w, DAY, w.srbnb, frappe.get_cached_value("Company", w.company, "default_expense_account"), 7, by_hand=True)
	pi = frappe.get_doc(
		{
			"doctype": "Purchase Invoice",
			"company": w.company,
			"supplier": "Sup One",
			"posting_date": DAY,
			"set_posting_time": 1,
			"bill_date": DAY,
			"due_date": DAY,
			"currency": frappe.get_cached_value("Company", w.company, "default_currency"),
			"conversion_rate": 1,
			"items": [{"item_code": w.item("NOPR"), "qty": 3, "rate": 10}],
		}
	)
	pi.insert()
	pi.submit()
	frappe.db.commit()
	data = reconcile(w)
	lines = {(v["voucher_no"], v["cause"]): v["amount"] for v in data["voucher_lines"]}
	assert lines[(entry.name, "entry_by_hand")] == "-7.00"
	assert lines[(pi.name, "invoice_without_receipt")] == "-30.00"


def test_as_of_an_earlier_date_leaves_later_documents_out(w):
	doc = pr(w, "EARLY", date="2026-10-01")
	invoice_for(w, doc.name, "2026-10-03", rates={w.item("EARLY"): 12})
	frappe.db.commit()
	before = reconcile(w, "2026-10-02")
	row = row_of(before, doc.name)
	assert (row["expected"], row["residual"]) == ("100.00", "0.00")
	assert row_of(reconcile(w, "2026-10-03"), doc.name)["causes"] == {"rate": "-20.00"}


def test_command_json_and_spreadsheets(w, tmp_path):
	proc = command(frappe.local.site, "srbnb", "--company", w.company, "--date", DAY, "--json")
	out, err = proc.communicate(timeout=300)
	assert proc.returncode == 0, err
	data = json.loads(out)
	assert data["totals"]["gl_balance"] == str(gl(w))
	assert any(c["cause"] == "rate" for c in data["totals"]["by_cause"])
	from perpetual_switch.engine.export import from_csv

	name, content = srbnb.reconciliation_file(w.company, DAY, "csv")
	sheets = from_csv(content.decode())
	assert name.endswith(".csv") and len(sheets) == 3
	name, content = srbnb.reconciliation_file(w.company, DAY, "xlsx")
	assert content[:2] == b"PK"


def test_bad_input_is_refused_by_name(w):
	with pytest.raises(frappe.ValidationError, match="01/10/2026"):
		srbnb.reconcile(w.company, "01/10/2026")
	with pytest.raises(frappe.DoesNotExistError, match="No Such Co"):
		srbnb.reconcile("No Such Co", DAY)
	with pytest.raises(frappe.ValidationError, match="pdf"):
		srbnb.reconciliation_file(w.company, DAY, "pdf")


def test_exchange_rate_and_rate_difference_on_a_foreign_currency_receipt(w):
	"""A receipt in USD at 1.10 billed at 11.00 at 1.20: 22.00 left, 12.00 rate and 10.00 exchange."""
	for pair in (("USD", w.currency), (w.currency, "USD")):
		key = {"date": "2000-01-01", "from_currency": pair[0], "to_currency": pair[1]}
		if pair[0] != pair[1] and not frappe.db.exists("Currency Exchange", key):
			frappe.get_doc({"doctype": "Currency Exchange", **key, "exchange_rate": 1, "for_buying": 1, "for_selling": 1}).insert()
	doc = frappe.get_doc(
		{
			"doctype": "Purchase Receipt",
			"company": w.company,
			"supplier": "Sup One",
			"posting_date": DAY,
			"set_posting_time": 1,
			"currency": "USD",
			"conversion_rate": 1.1,
			"items": [{"item_code": w.item("FX"), "qty": 10, "rate": 10, "warehouse": w.wh1, "conversion_factor": 1}],
		}
	)
	doc.insert()
	doc.submit()
	pi = draft_invoice(doc.name)
	pi.conversion_rate = 1.2
	pi.items[0].rate = 11
	pi.insert()
	pi.submit()
	frappe.db.commit()
	row = row_of(reconcile(w), doc.name)
	assert row["causes"] == {"rate": "-12.00", "exchange": "-10.00"}, row


def test_a_switched_company_ties_with_the_accrual_and_the_apps_clearing(site):
	"""Goods received under periodic inventory, accrued by the switch and billed after it at
	another price: the accrual journal ties to its rows and the price difference is a rate cause."""
	from perpetual_switch import services

	from .world import run_pending_reposts

	tag = uuid.uuid4().hex[:4].upper()
	p = make_company(f"PS SRBNB Sw {tag}", f"PW{tag}", perpetual=False)
	frappe.db.set_value("Company", p.company, "default_inventory_account", f"Stock In Hand - {p.abbr}")
	wh = make_warehouse(p, "W1")
	a, b = make_item(f"SRB-SW-A-{tag}"), make_item(f"SRB-SW-B-{tag}")
	first = receipt(p, "2026-06-10", [(a, 10, 10, wh), (b, 5, 4, wh)])
	invoice_for(p, first.name, "2026-06-20", keep=[b])
	frappe.db.commit()
	run_pending_reposts(p.company)
	services.apply(p.company, "2026-06-30")
	frappe.db.commit()
	srbnb_account = frappe.get_cached_value("Company", p.company, "stock_received_but_not_billed")
	before = srbnb.reconcile(p.company, "2026-07-01", all_rows=True)
	assert before["totals"]["gl_balance"] == "100.00" and before["totals"]["ties"]
	row = row_of(before, first.name)
	assert (row["held"], row["expected"], row["residual"]) == ("100.00", "100.00", "0.00")
	invoice_for(p, first.name, "2026-07-05", rates={a: 12})
	frappe.db.commit()
	after = srbnb.reconcile(p.company, "2026-07-31", all_rows=True)
	# The 20.00 price difference stays in SRBNB, as on a company perpetual from the start, and is
	# explained as such; nothing is left to a voucher.
	assert after["totals"]["ties"] and after["totals"]["gl_balance"] == "-20.00", after["totals"]
	assert row_of(after, first.name)["causes"] == {"rate": "-20.00"}, row_of(after, first.name)
	assert not after["voucher_lines"]
	assert srbnb_account in after["accounts"]


def test_the_drift_watch_notifies_once_for_a_new_srbnb_residual_naming_the_invoice(site):
	from perpetual_switch.services import drift

	from .world import user_with

	tag = uuid.uuid4().hex[:4].upper()
	p = make_company(f"PS SRBNB Watch {tag}", f"PX{tag}", perpetual=True)
	wh = make_warehouse(p, "W1")
	item = make_item(f"SRB-WATCH-{tag}")
	manager = user_with(["Accounts Manager", "Accounts User", "Stock User"], f"srbnb-{tag.lower()}@example.com")
	doc = receipt(p, "2026-10-01", [(item, 10, 10, wh)])
	frappe.db.commit()
	account = frappe.get_cached_value("Company", p.company, "stock_received_but_not_billed")

	def told():
		return frappe.get_all(
			"Notification Log",
			filters={"for_user": manager, "subject": ("like", f"%{p.company}%")},
			fields=["subject", "email_content", "link"],
		)

	assert drift.record_and_notify(p.company, "2026-10-01")["notified"] == []
	pi = invoice_for(p, doc.name, "2026-10-02", rates={item: 11})
	frappe.db.commit()
	assert drift.record_and_notify(p.company, "2026-10-02")["notified"] == [account]
	frappe.db.commit()
	(log,) = told()
	assert "-10.00" in log.subject and pi.name in log.email_content and "SRBNB" in log.link
	# The day after, nothing new: no second notification; the history and the chart show it.
	assert drift.record_and_notify(p.company, "2026-10-03")["notified"] == []
	frappe.db.commit()
	assert len(told()) == 1
	day = drift.history(p.company, 3650)["days"][0]
	assert any(a["account"] == account and a["difference"] == "10.00" for a in day["accounts"])


def test_the_desk_report_lists_rows_and_voucher_lines_with_the_tie(w):
	from perpetual_switch.perpetual_inventory.report.srbnb_reconciliation.srbnb_reconciliation import execute

	assert frappe.db.exists("Report", "SRBNB Reconciliation")
	columns, rows, _message, _chart, summary = execute(frappe._dict(company=w.company, as_of=DAY))
	data = srbnb.reconcile(w.company, DAY)
	assert len(rows) == len(data["rows"]) + len(data["voucher_lines"])
	assert {c["fieldname"] for c in columns} >= {"voucher_no", "held", "expected", "residual", "rate", "unexplained"}
	assert summary[0]["value"] == data["totals"]["gl_balance"]
	assert all(r["voucher_type"] and r["voucher_no"] for r in rows)
