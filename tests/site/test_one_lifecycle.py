"""One lifecycle for every operation that posts on a company (switch, re-sync, scheme change, SRBNB
clearing): undone newest first whatever their kinds, every blocker found before the first write, a
clearing planned from what the company's lock sees, two operations started at the same instant ending
as one of their serial orders, and an apply killed at any write leaving the books and ERPNext's cache
of the company as they were.

The company: perpetual, one warehouse; 10 units received at 10.00 on 5 October, 4 issued, billed at
11.00 (a rate residual of -10.00, which a clearing re-values onto the receipt); a journal by hand that
debits SRBNB 7.00 (a residual cleared without re-valuation) and one that debits the stock account 5.00
(stock out of sync, which a re-sync switch brings back).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
import uuid

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402
from perpetual_switch.erpnext_io import reader  # noqa: E402
from perpetual_switch.services import srbnb_clearing  # noqa: E402

from .world import (  # noqa: E402
	command,
	ensure_fiscal_year,
	ensure_supplier,
	fresh_s1,
	invoice_for,
	journal,
	make_company,
	make_item,
	make_warehouse,
	receipt,
	stock_issue,
)

pytestmark = pytest.mark.usefixtures("site")
ROUNDS = int(os.environ.get("PERPETUAL_SWITCH_PAIR_ROUNDS", "3"))
DRIVER = os.path.join(os.path.dirname(__file__), "driver.py")
SWITCH = "Switch to Perpetual Inventory"
RESYNC_ON, CLEAR_ON, EARLY = "2026-10-25", "2026-10-20", "2026-10-12"


def clearing_world(label="PS Life"):
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	allow_billing_at_another_rate()
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"{label} {tag}", f"L{tag}", perpetual=True)
	w.wh = make_warehouse(w, "W1")
	ensure_supplier()
	w.item = make_item(f"LIFE-{tag}")
	w.srbnb = frappe.get_cached_value("Company", w.company, "stock_received_but_not_billed")
	expense = frappe.get_cached_value("Company", w.company, "default_expense_account")
	from erpnext.stock import get_warehouse_account_map

	w.stock = get_warehouse_account_map(w.company)[w.wh].account
	doc = receipt(w, "2026-10-05", [(w.item, 10, 10, w.wh)])
	stock_issue(w, "2026-10-06", w.item, 4, w.wh)
	invoice_for(w, doc.name, "2026-10-07", rates={w.item: 11})
	journal(w, "2026-10-08", w.srbnb, expense, 7, by_hand=True)
	journal(w, "2026-10-08", w.stock, expense, 5, by_hand=True)
	frappe.db.commit()
	return w


def allow_billing_at_another_rate():
	frappe.db.set_single_value("Buying Settings", "maintain_same_rate", 0)
	frappe.db.set_single_value("Buying Settings", "set_landed_cost_based_on_purchase_invoice_rate", 0)
	if (frappe.db.get_single_value("Accounts Settings", "over_billing_allowance") or 0) < 50:
		frappe.db.set_single_value("Accounts Settings", "over_billing_allowance", 50)


@pytest.fixture
def w(site):
	world = clearing_world()
	yield world
	frappe.db.rollback()
	undo_all(world.company)


def standing(company) -> list[tuple[str, str]]:
	"""The switches and clearings of the company that stand, newest first."""
	frappe.db.rollback()
	return frappe.db.sql(
		"""select 'Switch to Perpetual Inventory', name, applied_on from `tabSwitch to Perpetual Inventory`
			where company = %(company)s and docstatus = 1 and status in ('Applied', 'Reposting')
		union all
		select 'SRBNB Clearing', name, applied_on from `tabSRBNB Clearing` where company = %(company)s and status = 'Applied'
		order by applied_on desc""",
		{"company": company},
	)


def undo_all(company):
	"""Roll back every operation standing on the company, newest first."""
	for doctype, name, _on in standing(company):
		if doctype == SWITCH:
			services.rollback(company)
		else:
			srbnb_clearing.rollback(name)
		frappe.db.commit()


def books(company) -> dict:
	"""What an operation changes: GL per account, stock value per warehouse, the company's flags and
	the operations standing, by kind."""
	frappe.db.rollback()
	gl = frappe.db.sql(
		"""select account, sum(debit) - sum(credit) from `tabGL Entry`
		where company = %s and is_cancelled = 0 group by account having sum(debit) - sum(credit) != 0""",
		company,
	)
	sle = frappe.db.sql(
		"""select warehouse, sum(stock_value_difference) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 group by warehouse""",
		company,
	)
	fields = ["enable_perpetual_inventory"] + ([reader.ITEM_WISE_FIELD] if reader.item_wise_available() else [])
	return {
		"gl": {a: round(float(v), 2) for a, v in gl},
		"stock": {wh: round(float(v), 2) for wh, v in sle},
		"company": frappe.db.get_value("Company", company, fields, as_dict=True),
		"standing": sorted(d for d, _n, _on in standing(company)),
	}


# --- Undone newest first, whatever the kinds --------------------------------------------------------


def test_a_clearing_cannot_be_rolled_back_while_a_later_switch_stands(w):
	clearing = srbnb_clearing.apply(w.company, CLEAR_ON, causes=["entry_by_hand"])
	frappe.db.commit()
	switch = services.apply(w.company, RESYNC_ON)
	frappe.db.commit()
	assert switch.mode == "resync" and switch.stock_journal_entry
	before = books(w.company)
	with pytest.raises(srbnb_clearing.ClearingBlocked) as refused:
		srbnb_clearing.rollback(clearing.name)
	assert switch.name in str(refused.value) and clearing.name in str(refused.value)
	frappe.db.rollback()
	assert books(w.company) == before
	# Newest first works.
	services.rollback(w.company)
	frappe.db.commit()
	srbnb_clearing.rollback(clearing.name)
	frappe.db.commit()
	assert books(w.company)["standing"] == []


def test_a_switch_cannot_be_rolled_back_while_a_later_clearing_stands(w):
	switch = services.apply(w.company, "2026-10-15")
	frappe.db.commit()
	clearing = srbnb_clearing.apply(w.company, CLEAR_ON, causes=["entry_by_hand"])
	frappe.db.commit()
	with pytest.raises(services.RollbackRefused) as refused:
		services.rollback(w.company)
	assert clearing.name in str(refused.value), str(refused.value)
	frappe.db.rollback()
	assert frappe.db.get_value(SWITCH, switch.name, "status") == "Applied"


def test_a_clearing_inside_a_period_a_later_switch_closed_is_a_blocker(w):
	"""The re-sync closes stock documents (landed cost vouchers among them) up to its cutover; a
	clearing that re-values receipts on a date inside it is refused before anything is written."""
	plan = srbnb_clearing.plan_dict(srbnb_clearing.plan(w.company, EARLY, causes=["rate"]))
	assert plan["has_work"], plan["blockers"]
	services.apply(w.company, "2026-10-15")
	frappe.db.commit()
	before = books(w.company)
	with pytest.raises(srbnb_clearing.ClearingBlocked) as refused:
		srbnb_clearing.apply(w.company, EARLY, causes=["rate"])
	assert "landed cost" in str(refused.value), str(refused.value)
	frappe.db.rollback()
	assert books(w.company) == before
	assert not frappe.get_all("SRBNB Clearing", filters={"company": w.company})
	plan = srbnb_clearing.plan_dict(srbnb_clearing.plan(w.company, EARLY, causes=["rate"]))
	assert [b["code"] for b in plan["blockers"]] == ["closed_for_revaluation"]


def scheme_world_with_a_rate_residual():
	"""ERPNext 16: the warehouse-wise company of test_scheme, and 10 units of its OWN item received at
	10.00 and billed at 11.00 (a rate residual a clearing re-values)."""
	from .test_scheme import make_world, needs_item_wise

	needs_item_wise()
	s = make_world()
	allow_billing_at_another_rate()
	own = s.items["OWN"]
	doc = receipt(s, "2026-07-05", [(own, 10, 10, s.a)])
	invoice_for(s, doc.name, "2026-07-06", rates={own: 11})
	frappe.db.commit()
	return s


# --- Planned from what the lock sees --------------------------------------------------------------


def test_a_clearing_applies_what_the_company_is_when_it_gets_the_lock(site):
	"""ERPNext 16: the clearing is planned in this process (which reads the company then), the company
	moves to item-wise accounts in another process, and the clearing is applied here: it re-values onto
	the item's account, not onto the warehouse's, and every stock account equals its stock value."""
	s = scheme_world_with_a_rate_residual()
	try:
		plan = srbnb_clearing.plan_dict(srbnb_clearing.plan(s.company, "2026-07-20", causes=["rate"]))
		assert plan["has_work"], plan["blockers"]
		frappe.get_cached_value("Company", s.company, reader.ITEM_WISE_FIELD)
		other = command(site, "apply", "--company", s.company, "--date", "2026-07-10", "--scheme", "item-wise", "--yes")
		assert other.wait(timeout=300) == 0, other.communicate()
		clearing = srbnb_clearing.apply(s.company, "2026-07-20", causes=["rate"])
		frappe.db.commit()
		assert clearing.landed_cost_voucher
		gl = {r.account: r.amount for r in frappe.db.sql(
			"select account, sum(debit) - sum(credit) amount from `tabGL Entry` where voucher_no = %s and is_cancelled = 0 group by account",
			clearing.journal_entry, as_dict=True)}  # fmt: skip
		assert gl.get(s.accounts["Stock Own"]) == 10 and s.accounts["Stock WA"] not in gl, gl
		assert services.status(s.company)["in_sync"] is True
	finally:
		undo_all(s.company)


# --- Two operations released at the same instant --------------------------------------------------


def driver(site, operation, args, start_at=None, kill_after=None) -> subprocess.Popen:
	spec = {"site": site, "operation": operation, "args": args, "start_at": start_at, "kill_after": kill_after}
	return subprocess.Popen(
		[sys.executable, DRIVER, json.dumps(spec)], cwd=os.getcwd(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
	)


def run_serially(site, first, second) -> dict:
	for operation, args in (first, second):
		driver(site, operation, args).wait(timeout=300)
	return books(args["company"])


def race(site, company, steps, serial, prepare, check=lambda: True):
	"""ROUNDS times: both steps in processes released at the same instant; each ends applied (0) or
	refused (2), and the books equal one of the serial orders'; then `prepare` resets."""
	for round_ in range(ROUNDS):
		start_at = time.time() + 4
		processes = [driver(site, *step, start_at=start_at) for step in steps]
		codes = [p.wait(timeout=300) for p in processes]
		outputs = [p.communicate() for p in processes]
		assert set(codes) <= {0, 2}, (round_, codes, outputs)
		assert books(company) in serial, (round_, codes, outputs, books(company), serial)
		assert check(), round_
		prepare()


APPLY_RESYNC = ("apply", {"cutover_date": RESYNC_ON})
ROLLBACK = ("rollback", {})
CLEAR_RATE = ("clear", {"posting_date": CLEAR_ON, "causes": ["rate"]})
CLEAR_BY_HAND = ("clear", {"posting_date": CLEAR_ON, "causes": ["entry_by_hand"]})
UNCLEAR = ("unclear", {})
PAIRS = {
	"switch apply / clearing apply": ((), APPLY_RESYNC, CLEAR_RATE),
	"clearing apply / clearing apply": ((), CLEAR_BY_HAND, CLEAR_BY_HAND),
	"switch apply / clearing rollback": ((CLEAR_BY_HAND,), APPLY_RESYNC, UNCLEAR),
	"switch rollback / clearing apply": ((APPLY_RESYNC,), ROLLBACK, CLEAR_BY_HAND),
	"switch rollback / clearing rollback": ((CLEAR_BY_HAND, APPLY_RESYNC), ROLLBACK, UNCLEAR),
}


@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_two_operations_at_the_same_instant_end_as_one_of_their_serial_orders(w, site, pair):
	setup, a, b = PAIRS[pair]

	def with_company(step):
		return step[0], {"company": w.company, **step[1]}

	def prepare():
		undo_all(w.company)
		for step in setup:
			assert driver(site, *with_company(step)).wait(timeout=300) == 0

	prepare()
	serial = []
	for first, second in ((a, b), (b, a)):
		serial.append(run_serially(site, with_company(first), with_company(second)))
		prepare()
	race(site, w.company, [with_company(a), with_company(b)], serial, prepare)


def test_a_scheme_change_and_a_clearing_at_the_same_instant_end_as_one_of_their_serial_orders(site):
	s = scheme_world_with_a_rate_residual()
	scheme = ("apply", {"company": s.company, "cutover_date": "2026-07-10", "scheme": "item-wise"})
	clear = ("clear", {"company": s.company, "posting_date": "2026-07-20", "causes": ["rate"]})
	try:
		serial = [run_serially(site, scheme, clear)]
		undo_all(s.company)
		serial.append(run_serially(site, clear, scheme))
		undo_all(s.company)
		race(site, s.company, [scheme, clear], serial, lambda: undo_all(s.company), check=lambda: services.status(s.company)["in_sync"] is True)
	finally:
		undo_all(s.company)


# --- An apply killed at any write -----------------------------------------------------------------


def cached_company(company):
	"""The company as every other process would read it from Frappe's shared cache (None: not cached)."""
	raw = frappe.cache.get(frappe.cache.make_key(f"document_cache::Company::{company}"))
	return pickle.loads(raw) if raw else None


KILL_POINTS = [("post_journal", 1), ("record_accruals", 1), ("set_company_fields", 1), ("freeze", 1), ("insert_rows_not_saved", 1)]


@pytest.mark.parametrize("point", KILL_POINTS, ids=[p[0] for p in KILL_POINTS])
@pytest.mark.parametrize("kind", ["switch", "scheme"])
def test_an_apply_killed_at_any_write_leaves_books_and_cache_as_they_were(site, kind, point):
	_killed_at(site, kind, point)


def test_a_clearing_killed_after_its_journal_leaves_books_and_cache_as_they_were(site):
	_killed_at(site, "clearing", ("post_journal", 1))


KILL_WORLDS = {}


def _kill_world(kind):
	"""One company per kind for every kill point: each point leaves it as it found it."""
	if kind not in KILL_WORLDS:
		if kind == "clearing":
			KILL_WORLDS[kind] = clearing_world("PS Kill Clear")
		elif kind == "scheme":
			from .test_scheme import make_world

			KILL_WORLDS[kind] = make_world()
		else:
			KILL_WORLDS[kind] = fresh_s1("PS Kill", "PK")
	return KILL_WORLDS[kind]


def _killed_at(site, kind, point):
	operation = "apply"
	if kind == "scheme":
		from .test_scheme import needs_item_wise

		needs_item_wise()
	w = _kill_world(kind)
	if kind == "clearing":
		args = {"company": w.company, "posting_date": CLEAR_ON, "causes": ["rate"]}
		operation, field = "clear", "enable_perpetual_inventory"
	elif kind == "scheme":
		args = {"company": w.company, "cutover_date": "2026-06-30", "scheme": "item-wise"}
		field = reader.ITEM_WISE_FIELD
	else:
		args = {"company": w.company, "cutover_date": "2026-06-30"}
		field = "enable_perpetual_inventory"
	try:
		before = books(w.company)
		process = driver(site, operation, args, kill_after=point)
		assert process.wait(timeout=300) == -9, process.communicate()
		assert books(w.company) == before, point
		cached = cached_company(w.company)
		database = frappe.db.get_value("Company", w.company, field)
		assert cached is None or cached.get(field) == database, (point, cached.get(field), database)
		# The next apply and its rollback work.
		assert driver(site, operation, args).wait(timeout=300) == 0
		frappe.db.rollback()
		assert frappe.db.get_value("Company", w.company, field) == 1
		undo = "unclear" if kind == "clearing" else "rollback"
		assert driver(site, undo, {"company": w.company}).wait(timeout=300) == 0
		assert books(w.company) == before
	finally:
		undo_all(w.company)


def test_a_switch_killed_at_a_random_instant_is_all_or_nothing(site):
	"""SIGKILL at a random moment of a whole apply (process start, plan, journals, company, freeze,
	commit): the books are either as before or as a complete apply leaves them, the shared cache agrees
	with the database, and the next rollback or apply works."""
	import random

	w = fresh_s1("PS Kill Any", "KA")
	args = {"company": w.company, "cutover_date": "2026-06-30"}
	try:
		before = books(w.company)
		assert driver(site, "apply", args).wait(timeout=300) == 0
		complete = books(w.company)
		assert driver(site, "rollback", {"company": w.company}).wait(timeout=300) == 0
		assert books(w.company) == before
		outcomes = []
		for _round in range(max(ROUNDS * 2, 4)):
			process = driver(site, "apply", args)
			time.sleep(random.uniform(1.5, 8.0))
			process.kill()
			process.wait(timeout=300)
			now = books(w.company)
			assert now in (before, complete), now
			cached = cached_company(w.company)
			database = frappe.db.get_value("Company", w.company, "enable_perpetual_inventory")
			assert cached is None or cached.get("enable_perpetual_inventory") == database
			outcomes.append(now == complete)
			if now == complete:
				assert driver(site, "rollback", {"company": w.company}).wait(timeout=300) == 0
				assert books(w.company) == before
		print("killed rounds: complete", outcomes.count(True), "untouched", outcomes.count(False))
	finally:
		undo_all(w.company)
