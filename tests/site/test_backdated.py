"""A backdated switch on a real site: periodic since January, switched as of the year's start.

Two companies get the same documents through ERPNext: one periodic (switched backdated to 31
December), one perpetual from the start (its twin). After the switch the periodic one's GL per
account per month of the new year equals the twin's to the cent; rolling back restores every GL
row of every voucher as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from decimal import Decimal as D
from pathlib import Path

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.services import backdated, background  # noqa: E402

from .world import (  # noqa: E402
	command,
	debit_note,
	ensure_fiscal_year,
	ensure_supplier,
	invoice_for,
	make_account,
	make_company,
	make_item,
	make_warehouse,
	receipt,
	run_pending_reposts,
	stock_issue,
)

CUT = "2025-12-31"
SWITCH = "Switch to Perpetual Inventory"


def ensure_customer(name="Cust One") -> str:
	if not frappe.db.exists("Customer", name):
		frappe.get_doc({"doctype": "Customer", "customer_name": name, "customer_group": "All Customer Groups", "territory": "All Territories"}).insert()
	return name


class Year:
	"""A company and a year of documents: receipts, invoices before and after the cutover, a
	delivery, a transfer, a stock reconciliation, a purchase return, an issue, an invoice that
	moves stock."""

	def __init__(self, tag: str, perpetual: bool):
		frappe.set_user("Administrator")
		for year in (2025, 2026):
			ensure_fiscal_year(year)
		frappe.db.set_single_value("Stock Settings", "allow_negative_stock", 0)
		frappe.db.set_single_value("Buying Settings", "maintain_same_rate", 0)
		self.w = make_company(f"PS Year {tag}", tag, perpetual=perpetual)
		self.company, self.abbr = self.w.company, tag
		frappe.db.set_value("Company", self.company, "default_inventory_account", self.acc("Stock In Hand"))
		self.stock_two = make_account(self.w, "Stock Two")
		self.w1 = make_warehouse(self.w, "W1")
		self.w2 = make_warehouse(self.w, "W2", account=self.stock_two)
		ensure_supplier()
		ensure_customer()
		frappe.db.commit()

	def acc(self, name):
		return f"{name} - {self.abbr}"

	def build(self, a: str, b: str):
		w = self.w
		pr1 = receipt(w, "2025-12-10", [(a, 10, 10, self.w1), (b, 5, 20, self.w1)])
		pi1 = invoice_for(w, pr1.name, "2025-12-20", keep={a})
		pr2 = receipt(w, "2026-01-15", [(a, 20, 12, self.w1)])
		invoice_for(w, pr1.name, "2026-02-10", keep={b})
		invoice_for(w, pr2.name, "2026-02-20", qtys={a: 15})
		self.delivery("2026-03-05", a, 8)
		self.transfer("2026-04-01", a, 5, self.w1, self.w2)
		self.reconcile("2026-05-10", b, 5, 22)
		self.purchase_return("2026-06-01", pr2.name, a, 2)
		stock_issue(w, "2026-07-01", a, 1, self.w2)
		self.invoice_with_stock("2026-08-01", a, 4, 13)
		# Goods received and billed before the cutover, returned after it, with their debit note.
		self.purchase_return("2026-09-01", pr1.name, a, 1)
		debit_note(pi1, "2026-09-05", 1)
		run_pending_reposts(self.company)
		frappe.db.commit()

	def delivery(self, date, item, qty):
		doc = frappe.get_doc(
			{
				"doctype": "Delivery Note",
				"company": self.company,
				"customer": "Cust One",
				"posting_date": date,
				"set_posting_time": 1,
				"currency": "EUR",
				"conversion_rate": 1,
				"selling_price_list": "Standard Selling",
				"plc_conversion_rate": 1,
				"items": [{"item_code": item, "qty": qty, "rate": 30, "warehouse": self.w1, "conversion_factor": 1}],
			}
		)
		doc.insert()
		doc.submit()

	def transfer(self, date, item, qty, source, target):
		doc = frappe.get_doc(
			{
				"doctype": "Stock Entry",
				"stock_entry_type": "Material Transfer",
				"company": self.company,
				"posting_date": date,
				"set_posting_time": 1,
				"items": [{"item_code": item, "qty": qty, "s_warehouse": source, "t_warehouse": target, "conversion_factor": 1}],
			}
		)
		doc.insert()
		doc.submit()

	def reconcile(self, date, item, qty, rate):
		doc = frappe.get_doc(
			{
				"doctype": "Stock Reconciliation",
				"company": self.company,
				"purpose": "Stock Reconciliation",
				"posting_date": date,
				"set_posting_time": 1,
				"expense_account": self.acc("Stock Adjustment"),
				"cost_center": self.acc("Main"),
				"items": [{"item_code": item, "warehouse": self.w1, "qty": qty, "valuation_rate": rate}],
			}
		)
		doc.insert()
		doc.submit()

	def purchase_return(self, date, pr_name, item, qty):
		from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_return

		doc = make_purchase_return(pr_name)
		doc.items = [row for row in doc.items if row.item_code == item]
		for row in doc.items:
			row.qty = -qty
			row.received_qty = -qty
		doc.posting_date = date
		doc.set_posting_time = 1
		doc.insert()
		doc.submit()

	def invoice_with_stock(self, date, item, qty, rate):
		doc = frappe.get_doc(
			{
				"doctype": "Purchase Invoice",
				"company": self.company,
				"supplier": "Sup One",
				"posting_date": date,
				"set_posting_time": 1,
				"bill_date": date,
				"due_date": date,
				"currency": "EUR",
				"conversion_rate": 1,
				"update_stock": 1,
				"items": [{"item_code": item, "qty": qty, "rate": rate, "warehouse": self.w1, "conversion_factor": 1}],
			}
		)
		doc.insert()
		doc.submit()


def monthly(company: str, abbr: str) -> dict:
	"""Debit minus credit per account name (without the abbreviation) per month of 2026."""
	rows = frappe.db.sql(
		"""select account, date_format(posting_date, '%%Y-%%m'), sum(debit) - sum(credit)
		from `tabGL Entry` where company = %(company)s and is_cancelled = 0 and posting_date > %(cut)s
		group by account, date_format(posting_date, '%%Y-%%m')""",
		{"company": company, "cut": CUT},
	)
	suffix = f" - {abbr}"
	cents = {(a.removesuffix(suffix), m): D(str(v)).quantize(D("0.01")) for a, m, v in rows}
	return {key: value for key, value in cents.items() if value}


def by_voucher(company: str) -> dict:
	rows = frappe.db.sql(
		"""select voucher_type, voucher_no, account, sum(debit), sum(credit), count(*)
		from `tabGL Entry` where company = %(company)s and is_cancelled = 0
		group by voucher_type, voucher_no, account""",
		{"company": company},
	)
	return {(t, n, a): (D(d), D(c), k) for t, n, a, d, c, k in rows}


def balance(account: str) -> D:
	return D(frappe.db.sql("select coalesce(sum(debit) - sum(credit), 0) from `tabGL Entry` where account = %s and is_cancelled = 0", account)[0][0])


def stock_value(warehouses) -> D:
	return D(
		frappe.db.sql(
			"select coalesce(sum(stock_value_difference), 0) from `tabStock Ledger Entry` where warehouse in %(w)s and is_cancelled = 0",
			{"w": tuple(warehouses)},
		)[0][0]
	)


def year_pair(items: str, first: str, second: str, second_perpetual: bool) -> tuple[Year, Year]:
	"""Two companies given the same year of documents on the same two items: the first periodic."""
	tag = uuid.uuid4().hex[:3].upper()
	a, b = make_item(f"{items}-A-{tag}"), make_item(f"{items}-B-{tag}")
	one, other = Year(f"{first}{tag}", perpetual=False), Year(f"{second}{tag}", perpetual=second_perpetual)
	one.build(a, b)
	other.build(a, b)
	return one, other


@pytest.fixture(scope="module")
def twins(site):
	return year_pair("YEAR", "P", "T", second_perpetual=True)


def test_plan_lists_and_previews_without_writing(twins):
	periodic, _twin = twins
	before = by_voucher(periodic.company)
	plain = services.plan(periodic.company, CUT)
	assert "stock_ledger_after_cutover" in {i.code for i in plain.blockers}
	queued = list(frappe.db.after_commit._functions)
	result = services.plan(periodic.company, CUT, backdated=True, preview=True)
	assert not result.blockers, [i.message for i in result.blockers]
	# Nothing the rolled-back repost queued for after a commit is left to run when the caller commits
	# (only the company's cache is cleared once more).
	left = [f for f in frappe.db.after_commit._functions if f not in queued]
	assert [f.__name__ for f in left if f.__name__ != "clear_in_redis"] == []
	b = result.backdated
	assert dict(b.by_type) == {
		"Purchase Receipt": 3,
		"Purchase Invoice": 4,
		"Stock Entry": 2,
		"Stock Reconciliation": 1,
		"Delivery Note": 1,
	}
	assert b.previewed
	changes = {c.account: c.change for c in b.account_changes}
	# The delivery of 8 A at 11.20 (moving average of 10 at 10 and 20 at 12... less what left) is now COGS.
	assert changes[periodic.acc("Stock In Hand")] != 0
	for line in b.stock_today:
		assert line.difference == 0, line
	assert b.closing_journal is None
	frappe.db.rollback()
	assert by_voucher(periodic.company) == before
	assert not frappe.db.get_value("Company", periodic.company, "enable_perpetual_inventory")
	assert not frappe.db.exists(SWITCH, {"company": periodic.company, "docstatus": 1})


def test_a_preview_past_frappes_write_limit_is_still_one_rolled_back_transaction(twins, monkeypatch):
	"""The preview of a year of a real company writes more rows than Frappe allows a transaction
	(200,000): 100,000 documents failed on it. The preview lifts the limit for itself only, and what it
	wrote no longer counts once rolled back."""
	periodic, _twin = twins
	before = by_voucher(periodic.company)
	db = frappe.local.db
	monkeypatch.setattr(db, "MAX_WRITES_PER_TRANSACTION", 25)
	writes = db.transaction_writes
	result = services.plan(periodic.company, CUT, backdated=True, preview=True)
	assert not result.blockers, [i.message for i in result.blockers]
	assert result.backdated.previewed
	assert db.MAX_WRITES_PER_TRANSACTION == 25 and db.transaction_writes == writes
	frappe.db.rollback()
	assert by_voucher(periodic.company) == before


def test_a_preview_looks_for_its_next_batch_past_the_rows_it_took(twins, monkeypatch):
	"""The preview is the only run and commits nothing: each batch it takes starts past the last row
	it took of the kind, and it gives the same changes taken two documents at a time as taken at
	once. Looking from the first row each time, a hundred thousand documents' preview passed over
	every row it had already marked in its own transaction, a batch at a time."""
	from perpetual_switch.erpnext_io import backdated as io

	periodic, _twin = twins
	whole = services.plan(periodic.company, CUT, backdated=True, preview=True).backdated
	frappe.db.rollback()
	looks = []
	real = io._claim

	def claim(switch, limit, stock, after=None):
		looked_past = dict(after or {})
		rows = real(switch, limit, stock, after=after)
		# A row is named "<switch>-R<seq>" when the switch lists it (io._recorded).
		looks.append((stock, looked_past, [int(row[0].rsplit("-R", 1)[1]) for row in rows]))
		return rows

	monkeypatch.setattr(io, "_claim", claim)
	monkeypatch.setattr(backdated, "BATCH", 2)
	batched = services.plan(periodic.company, CUT, backdated=True, preview=True).backdated
	frappe.db.rollback()
	last: dict[int, int] = {}
	for stock, looked_past, seqs in looks:
		assert looked_past == last, looks
		if seqs:
			last[stock] = seqs[-1]
	assert sorted(seq for _stock, _past, seqs in looks for seq in seqs) == list(range(1, 12))
	assert batched.account_changes == whole.account_changes
	assert batched.voucher_changes == whole.voucher_changes


def test_the_wizard_gets_the_gl_change_from_a_background_job(twins):
	from perpetual_switch import api

	periodic, _twin = twins
	before = by_voucher(periodic.company)
	quick = api.get_plan(periodic.company, CUT, backdated=1)
	assert quick["backdated"]["vouchers"] == 11 and not quick["backdated"]["previewed"]
	api.enqueue_backdated_preview(periodic.company, CUT)  # runs at once in tests
	result = api.backdated_preview_result(periodic.company)
	assert result["status"] == "Done", result
	backdated_part = result["plan"]["backdated"]
	assert backdated_part["previewed"]
	assert {c["account"] for c in backdated_part["account_changes"]} >= {periodic.acc("Stock In Hand"), periodic.acc("Cost of Goods Sold")}
	assert all(a["difference"] == "0.00" for a in backdated_part["stock_today"])
	assert by_voucher(periodic.company) == before
	assert not frappe.db.get_value("Company", periodic.company, "enable_perpetual_inventory")


def test_backdated_switch_books_the_year_as_the_twin(twins):
	periodic, twin = twins
	before = by_voucher(periodic.company)
	doc = services.apply(periodic.company, CUT, backdated=True)
	frappe.db.commit()
	assert doc.status == "Reposting"
	assert backdated.run_or_undo(doc.name) is None
	doc.reload()
	assert doc.status == "Applied"
	assert doc.reposted_count == doc.repost_count == 11

	mine, theirs = monthly(periodic.company, periodic.abbr), monthly(twin.company, twin.abbr)
	assert mine == theirs
	# 8 A delivered in March at the moving average of 10 at 10.00 and 20 at 12.00: 90.67 of COGS.
	assert abs(mine[("Cost of Goods Sold", "2026-03")] - D("90.67")) <= D("0.01")
	# Stock accounts equal stock value today; SRBNB equals what is unbilled today.
	assert balance(periodic.acc("Stock In Hand")) == stock_value([periodic.w1])
	assert balance(periodic.stock_two) == stock_value([periodic.w2])
	assert balance(periodic.acc("Stock Received But Not Billed")) == balance(twin.acc("Stock Received But Not Billed"))

	# The audit lists each reposted voucher with its GL difference.
	rows = frappe.get_all("Perpetual Switch Repost", filters={"switch": doc.name}, fields=["status", "voucher_type", "changes"])
	assert len(rows) == 11 and {r.status for r in rows} == {"Reposted"}
	audit = services.audit(doc.name)
	delivery = next(r for r in audit["reposted"] if r["voucher_type"] == "Delivery Note")
	assert D(delivery["changes"][periodic.acc("Cost of Goods Sold")]) == mine[("Cost of Goods Sold", "2026-03")]

	services.rollback(periodic.company)
	frappe.db.commit()
	assert by_voucher(periodic.company) == before
	assert not frappe.db.get_value("Company", periodic.company, "enable_perpetual_inventory")


def test_failure_while_reposting_undoes_the_switch(twins, monkeypatch):
	periodic, _twin = twins
	before = by_voucher(periodic.company)
	company_before = frappe.db.get_value("Company", periodic.company, "*", as_dict=True)
	doc = services.apply(periodic.company, CUT, backdated=True)
	frappe.db.commit()
	from perpetual_switch.erpnext_io import backdated as io

	calls = {"n": 0}
	real = io.repost

	def fail_on_fifth(*args, **kwargs):
		calls["n"] += 1
		if calls["n"] == 5:
			raise frappe.ValidationError("injected fault")
		return real(*args, **kwargs)

	monkeypatch.setattr(io, "repost", fail_on_fifth)
	monkeypatch.setattr(backdated, "BATCH", 2)
	reason = backdated.run_or_undo(doc.name)
	assert reason and "injected fault" in reason
	doc.reload()
	assert doc.status == "Failed" and doc.docstatus == 2
	assert by_voucher(periodic.company) == before
	now = frappe.db.get_value("Company", periodic.company, "*", as_dict=True)
	assert {k: v for k, v in now.items() if k != "modified"} == {k: v for k, v in company_before.items() if k != "modified"}


class WorkerStopped(BaseException):
	"""What a worker killed in the middle looks like to the job: no exception handler runs."""


def test_a_stopped_repost_resumes_where_it_stopped_without_doubling(twins, monkeypatch):
	periodic, twin = twins
	before = by_voucher(periodic.company)
	from perpetual_switch.erpnext_io import backdated as io

	# Listed, filled and restored a few vouchers at a time, as a hundred thousand would be.
	monkeypatch.setattr(io, "CHUNK", 3)
	doc = services.apply(periodic.company, CUT, backdated=True)
	frappe.db.commit()
	assert frappe.db.count("Perpetual Switch Repost", {"switch": doc.name}) == 11

	calls = {"n": 0}
	real = io.repost

	def stop_on_fifth(*args, **kwargs):
		calls["n"] += 1
		if calls["n"] == 5:
			raise WorkerStopped()
		return real(*args, **kwargs)

	monkeypatch.setattr(io, "repost", stop_on_fifth)
	monkeypatch.setattr(backdated, "BATCH", 2)
	with pytest.raises(WorkerStopped):
		backdated.run_or_undo(doc.name)
	frappe.db.rollback()  # the batch in flight dies with the worker; the two before it were committed
	doc.reload()
	assert doc.status == "Reposting" and backdated.reposted(doc.name) == 4
	monkeypatch.setattr(io, "repost", real)

	# The scheduler finds the switch without a live job and runs it on from the fifth voucher.
	background.resume_stalled()
	doc.reload()
	assert doc.status == "Applied" and doc.reposted_count == 11
	assert monthly(periodic.company, periodic.abbr) == monthly(twin.company, twin.abbr)
	services.rollback(periodic.company)
	frappe.db.commit()
	assert by_voucher(periodic.company) == before


def test_rollback_refuses_every_document_made_after_the_switch(site, twins):
	"""Eleven vouchers were reposted: a document made after the switch is named and stops the
	rollback, whichever kind it is and however many reposted ones come before it."""
	from .world import journal

	periodic, _twin = twins
	before = by_voucher(periodic.company)
	doc = services.apply(periodic.company, CUT, backdated=True)
	frappe.db.commit()
	assert backdated.run_or_undo(doc.name) is None
	doc.reload()
	assert doc.status == "Applied" and doc.reposted_count == 11
	pr2 = frappe.db.get_value("Purchase Receipt", {"company": periodic.company, "posting_date": "2026-01-15", "is_return": 0, "docstatus": 1})
	a = frappe.db.get_value("Purchase Receipt Item", {"parent": pr2}, "item_code")
	material_receipt = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": "Material Receipt",
			"company": periodic.company,
			"posting_date": "2026-10-01",
			"set_posting_time": 1,
			"items": [{"item_code": a, "qty": 3, "basic_rate": 10, "t_warehouse": periodic.w1, "conversion_factor": 1}],
		}
	)
	later = {
		"a material receipt": lambda: material_receipt.insert().submit() or material_receipt,
		# the 3 of PR-2 still unbilled, billed now: under perpetual inventory it debits SRBNB
		"a purchase invoice": lambda: invoice_for(periodic.w, pr2, "2026-10-02", qtys={a: 3}),
		"a journal entry to a stock account": lambda: journal(
			periodic.w, "2026-10-03", periodic.acc("Stock In Hand"), periodic.acc("Cost of Goods Sold"), 5, by_hand=True
		),
	}
	for kind, make in later.items():
		made = make()
		frappe.db.commit()
		state = (by_voucher(periodic.company), frappe.db.get_value(SWITCH, doc.name, "status"))
		with pytest.raises(services.RollbackRefused, match=made.name):
			services.rollback(periodic.company)
		frappe.db.rollback()
		if kind == "a material receipt":
			# The command exits 2 naming it; the desk's job ends Failed with the reason.
			run = command(site, "rollback", "--company", periodic.company, "--yes")
			out, err = run.communicate(timeout=600)
			assert run.returncode == 2 and made.name in err, (run.returncode, out, err)
			api.rollback(periodic.company)  # the job runs at once in tests
			frappe.db.rollback()
			job = services.context(periodic.company)["job"]
			assert job["status"] == "Failed" and made.name in job["reason"], job
		assert (by_voucher(periodic.company), frappe.db.get_value(SWITCH, doc.name, "status")) == state, kind
		assert frappe.db.get_value("Company", periodic.company, "enable_perpetual_inventory") == 1, kind
		made.reload()
		made.cancel()
		run_pending_reposts(periodic.company)
		frappe.db.commit()

	services.rollback(periodic.company)
	frappe.db.commit()
	assert by_voucher(periodic.company) == before
	assert not frappe.db.get_value("Company", periodic.company, "enable_perpetual_inventory")


def test_entries_by_hand_get_a_closing_journal_and_closed_periods_block(site):
	from .world import journal

	tag = uuid.uuid4().hex[:3].upper()
	item = make_item(f"YEAR-H-{tag}")
	year = Year(f"H{tag}", perpetual=False)
	receipt(year.w, "2025-12-10", [(item, 10, 10, year.w1)])
	stock_issue(year.w, "2026-02-01", item, 4, year.w1)
	je = journal(year.w, "2026-03-01", year.acc("Stock In Hand"), year.acc("Cost of Goods Sold"), 7)
	frappe.db.commit()

	result = services.plan(year.company, CUT, backdated=True, preview=True)
	assert not result.blockers, [i.message for i in result.blockers]
	assert [i.code for i in result.warnings if i.code == "manual_stock_journal_after_cutover"]
	assert [d.name for d in result.backdated.manual_journals] == [je.name]
	# After the repost the stock account holds 60.00 of stock and 7.00 more: closed today by -7.00.
	closing = {line.account: (line.debit, line.credit) for line in result.backdated.closing_journal.lines}
	assert closing[year.acc("Stock In Hand")] == (0, D("7.00"))
	frappe.db.rollback()

	doc = services.apply(year.company, CUT, backdated=True)
	frappe.db.commit()
	assert backdated.run_or_undo(doc.name) is None
	doc.reload()
	assert doc.closing_journal_entry
	assert balance(year.acc("Stock In Hand")) == stock_value([year.w1]) == D("60")
	# A second runner (a resumed job after the command finished) finds it applied and does nothing.
	backdated.run(doc.name)
	frappe.db.commit()
	assert balance(year.acc("Stock In Hand")) == D("60")
	assert frappe.db.count("Journal Entry", {"company": year.company, "docstatus": 1, "posting_date": (">", "2026-03-01")}) == 1

	# A closed accounting period after the cutover stops the rollback, naming it.
	period = frappe.get_doc(
		{
			"doctype": "Accounting Period",
			"period_name": f"Q1 {tag}",
			"company": year.company,
			"start_date": "2026-01-01",
			"end_date": "2026-03-31",
			"closed_documents": [{"document_type": "Stock Entry", "closed": 1}],
		}
	).insert()
	with pytest.raises(services.RollbackRefused, match=period.name):
		services.rollback(year.company)
	frappe.db.rollback()
	frappe.delete_doc("Accounting Period", period.name)
	services.rollback(year.company)
	frappe.db.commit()
	assert balance(year.acc("Stock In Hand")) == D("7")


def test_two_runners_at_once_repost_each_document_once_and_book_the_year_as_the_twin(site, twins, monkeypatch):
	"""A second runner (here `perpetual-switch resume`, in a process of its own, as a second worker
	would) reposts the same switch while this one does: each takes batches the other does not hold,
	the invoices wait for the stock documents, one closes; the GL is the twin's."""
	periodic, twin = twins
	before = by_voucher(periodic.company)
	doc = services.apply(periodic.company, CUT, backdated=True)
	frappe.db.commit()
	other = command(site, "resume", "--company", periodic.company, "--json")
	from perpetual_switch.erpnext_io import backdated as io

	real = io.repost

	def slowly(*args, **kwargs):
		# This runner takes its time (a second a document), so the other, starting, finds work left.
		time.sleep(1)
		return real(*args, **kwargs)

	monkeypatch.setattr(io, "repost", slowly)
	monkeypatch.setattr(backdated, "BATCH", 2)
	reason = backdated.run_or_undo(doc.name)
	stdout, stderr = other.communicate(timeout=600)
	assert reason is None and other.returncode == 0, (reason, stderr[-2000:])
	doc.reload()
	assert doc.status == "Applied" and doc.reposted_count == 11
	assert frappe.db.count("Perpetual Switch Repost", {"switch": doc.name, "status": "Reposted"}) == 11
	assert monthly(periodic.company, periodic.abbr) == monthly(twin.company, twin.abbr)
	services.rollback(periodic.company)
	frappe.db.commit()
	assert by_voucher(periodic.company) == before


def test_a_runner_killed_in_the_middle_of_a_batch_leaves_its_documents_to_the_other(site, twins):
	"""Two runners in processes of their own; one is killed (SIGKILL: nothing of it runs after) in the
	middle of its second batch. Its batch in flight dies with its connection, so its documents are
	pending again; the other runner reposts them and closes. Each document is reposted once and the
	GL is the twin's."""
	periodic, twin = twins
	before = by_voucher(periodic.company)
	doc = services.apply(periodic.company, CUT, backdated=True)
	frappe.db.commit()
	script = str(Path(__file__).with_name("slow_runner.py"))

	def runner():
		return subprocess.Popen(
			[sys.executable, script, site, doc.name], cwd=os.getcwd(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
		)

	doomed, other = runner(), runner()
	started = []
	while len(started) < 3:
		line = doomed.stdout.readline()
		assert line, doomed.stderr.read()[-2000:]
		if line.startswith("reposting"):
			started.append(line.split()[-1])
	# The first batch is committed; the second is in flight.
	doomed.send_signal(signal.SIGKILL)
	doomed.wait(timeout=60)
	stdout, stderr = other.communicate(timeout=600)
	assert other.returncode == 0 and "done None" in stdout, stderr[-2000:]
	frappe.db.rollback()  # a fresh snapshot: the runners committed in processes of their own
	doc.reload()
	assert doc.status == "Applied" and doc.reposted_count == 11
	assert frappe.db.count("Perpetual Switch Repost", {"switch": doc.name, "status": "Reposted"}) == 11
	# The document the killed runner had in hand was reposted by the other.
	assert any(line.startswith("reposting") and line.split()[-1] == started[2] for line in stdout.splitlines())
	assert monthly(periodic.company, periodic.abbr) == monthly(twin.company, twin.abbr)
	services.rollback(periodic.company)
	frappe.db.commit()
	assert by_voucher(periodic.company) == before
