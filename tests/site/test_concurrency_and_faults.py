"""Nothing lost, nothing doubled: two real processes applying one company at the same moment, and a
fault at every write of apply and rollback."""

import os
import subprocess
import sys

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402
from perpetual_switch.erpnext_io import reader, writer  # noqa: E402

from .world import CUTOVER, command, fresh_s1, gl_balance  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")
SWITCH = "Switch to Perpetual Inventory"
ROUNDS = int(os.environ.get("PERPETUAL_SWITCH_RACE_ROUNDS", "20"))


def applied(company):
	frappe.db.rollback()
	return frappe.get_all(SWITCH, filters={"company": company, "status": "Applied", "docstatus": 1}, pluck="name")


def live_switch_journals(company):
	"""Submitted journal entries posted by any switch of the company."""
	names = [
		n
		for s in frappe.get_all(SWITCH, filters={"company": company}, fields=["stock_journal_entry", "srbnb_journal_entry"])
		for n in (s.stock_journal_entry, s.srbnb_journal_entry)
		if n
	]
	return frappe.get_all("Journal Entry", filters={"name": ("in", names or [""]), "docstatus": 1}, pluck="name")


def test_two_processes_applying_one_company_at_once_make_one_switch(site):
	w = fresh_s1("PS Race", "PR")
	for round_ in range(ROUNDS):
		first = command(site, "apply", "--company", w.company, "--date", CUTOVER, "--yes")
		second = command(site, "apply", "--company", w.company, "--date", CUTOVER, "--yes")
		results = sorted((p.wait(timeout=300), p.communicate()) for p in (first, second))
		codes = [code for code, _out in results]
		assert codes == [0, 2], (round_, results)
		loser_stderr_and_out = results[1][1][0] + results[1][1][1]
		assert "already applied" in loser_stderr_and_out, loser_stderr_and_out
		switches = applied(w.company)
		assert len(switches) == 1, (round_, switches)
		assert len(live_switch_journals(w.company)) == 2
		services.rollback(w.company)
		frappe.db.commit()
		assert not applied(w.company) and not live_switch_journals(w.company)


def test_apply_against_rollback_at_once_leaves_one_consistent_state(site):
	w = fresh_s1("PS Race RB", "RB")
	for _round in range(max(2, ROUNDS // 4)):
		services.apply(w.company, CUTOVER)
		frappe.db.commit()
		undo = command(site, "rollback", "--company", w.company, "--yes")
		redo = command(site, "apply", "--company", w.company, "--date", CUTOVER, "--yes")
		codes = {"rollback": undo.wait(timeout=300), "apply": redo.wait(timeout=300)}
		assert codes["rollback"] == 0, undo.communicate()
		frappe.db.rollback()
		switches = applied(w.company)
		perpetual = frappe.db.get_value("Company", w.company, "enable_perpetual_inventory")
		# Whichever came second saw what the first committed: applied again once, or refused.
		if codes["apply"] == 0:
			assert len(switches) == 1 and perpetual == 1 and len(live_switch_journals(w.company)) == 2
			services.rollback(w.company)
			frappe.db.commit()
		else:
			assert codes["apply"] == 2 and not switches and perpetual == 0
			assert not live_switch_journals(w.company)


# A fault at every write: after it, everything is as it was.


def snapshot(company):
	frappe.db.rollback()
	fields = list(reader.company_default_fields())
	return {
		"company": frappe.db.get_value("Company", company, fields, as_dict=True),
		"journals": sorted(frappe.get_all("Journal Entry", filters={"company": company, "docstatus": 1}, pluck="name")),
		"gl": frappe.db.count("GL Entry", {"company": company, "is_cancelled": 0}),
		"periods": sorted(
			(p.name, p.closed)
			for p in frappe.db.sql(
				"""select ap.name, group_concat(concat(cd.document_type, cd.closed) order by cd.document_type) closed
				from `tabAccounting Period` ap left join `tabClosed Document` cd on cd.parent = ap.name
				where ap.company = %s group by ap.name""",
				company,
				as_dict=True,
			)
		),
		"switches": sorted(
			(s.name, s.status, s.docstatus) for s in frappe.get_all(SWITCH, filters={"company": company}, fields=["name", "status", "docstatus"])
		),
		"accruals": frappe.db.sql(
			"select count(*) from `tabPerpetual Switch Receipt` r join `tabSwitch to Perpetual Inventory` s on s.name = r.parent where s.company = %s",
			company,
		)[0][0],
	}


class Fault(Exception):
	pass


def fail_at(monkeypatch, module, name, nth):
	"""Let the first nth-1 calls of module.name through, raise on the nth."""
	real = getattr(module, name)
	calls = []

	def wrapper(*args, **kwargs):
		calls.append(1)
		if len(calls) == nth:
			raise Fault(f"fault injected at {name} #{nth}")
		return real(*args, **kwargs)

	monkeypatch.setattr(module, name, wrapper)


def fail_at_journal_submit(monkeypatch, nth):
	from erpnext.accounts.doctype.journal_entry.journal_entry import JournalEntry

	fail_at(monkeypatch, JournalEntry, "on_submit", nth)


def fail_at_switch_update(monkeypatch, nth):
	from perpetual_switch.perpetual_inventory.doctype.switch_to_perpetual_inventory.switch_to_perpetual_inventory import (
		SwitchtoPerpetualInventory,
	)

	fail_at(monkeypatch, SwitchtoPerpetualInventory, "db_update", nth)


# The same faults for a bench command in a process of its own: (module, attribute path, nth call).
COMMAND_FAULTS = {
	"first journal": ("perpetual_switch.erpnext_io.writer", "post_journal", 1),
	"second journal": ("perpetual_switch.erpnext_io.writer", "post_journal", 2),
	"first journal's submit": ("erpnext.accounts.doctype.journal_entry.journal_entry", "JournalEntry.on_submit", 1),
	"second journal's submit": ("erpnext.accounts.doctype.journal_entry.journal_entry", "JournalEntry.on_submit", 2),
	"receipt accruals": ("perpetual_switch.erpnext_io.writer", "record_accruals", 1),
	"company save": ("perpetual_switch.erpnext_io.writer", "set_company_fields", 1),
	"accounting periods": ("perpetual_switch.erpnext_io.writer", "freeze", 1),
	"the switch's own update": (
		"perpetual_switch.perpetual_inventory.doctype.switch_to_perpetual_inventory.switch_to_perpetual_inventory",
		"SwitchtoPerpetualInventory.db_update",
		1,
	),
}

COMMAND_WITH_FAULT = """
import importlib, sys
module, path, nth, argv = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
owner = importlib.import_module(module)
*parents, name = path.split(".")
for parent in parents:
	owner = getattr(owner, parent)
real = getattr(owner, name)
calls = []
def faulty(*args, **kwargs):
	calls.append(1)
	if len(calls) == nth:
		raise RuntimeError(f"fault injected at {path} #{nth}")
	return real(*args, **kwargs)
setattr(owner, name, faulty)
sys.argv = ["bench", "frappe", *argv]
from frappe.utils.bench_helper import main
main()
"""

APPLY_FAULTS = {
	"first journal": lambda mp: fail_at(mp, writer, "post_journal", 1),
	"second journal": lambda mp: fail_at(mp, writer, "post_journal", 2),
	"first journal's submit": lambda mp: fail_at_journal_submit(mp, 1),
	"second journal's submit": lambda mp: fail_at_journal_submit(mp, 2),
	"receipt accruals": lambda mp: fail_at(mp, writer, "record_accruals", 1),
	"company save": lambda mp: fail_at(mp, writer, "set_company_fields", 1),
	"accounting periods": lambda mp: fail_at(mp, writer, "freeze", 1),
	"the switch's own update": lambda mp: fail_at_switch_update(mp, 1),
}


@pytest.fixture(scope="module")
def fault_world(site):
	return fresh_s1("PS Fault", "PF")


@pytest.mark.parametrize("via", ["service", "desk", "command"])
@pytest.mark.parametrize("step", sorted(APPLY_FAULTS))
def test_a_fault_at_any_write_of_apply_leaves_everything_as_it_was(fault_world, monkeypatch, step, via):
	w = fault_world
	before = snapshot(w.company)
	if via != "command":
		APPLY_FAULTS[step](monkeypatch)
	if via == "service":
		with pytest.raises(Fault):
			services.apply(w.company, CUTOVER)
	elif via == "command":
		run = run_command_with_fault(COMMAND_FAULTS[step], "perpetual-switch", "apply", "--company", w.company, "--date", CUTOVER, "--yes")
		assert run.returncode == 1 and "fault injected" in run.stderr, (run.returncode, run.stdout, run.stderr)
	else:
		from perpetual_switch import api

		# The desk's background job (run at once in tests) records the failure and its reason.
		context = api.apply(w.company, CUTOVER)
		assert context["job"]["status"] == "Failed" and "fault injected" in context["job"]["reason"]
	# A caller that commits after the error (as a careless script would) commits nothing of it.
	frappe.db.commit()
	assert snapshot(w.company) == before


ROLLBACK_FAULTS = {
	"unfreeze": lambda mp: fail_at(mp, writer, "unfreeze", 1),
	"first cancel": lambda mp: fail_at(mp, writer, "cancel_journal", 1),
	"second cancel": lambda mp: fail_at(mp, writer, "cancel_journal", 2),
	"restore company": lambda mp: fail_at(mp, writer, "restore_fields", 1),
}


ROLLBACK_COMMAND_FAULTS = {
	"unfreeze": ("perpetual_switch.erpnext_io.writer", "unfreeze", 1),
	"first cancel": ("perpetual_switch.erpnext_io.writer", "cancel_journal", 1),
	"second cancel": ("perpetual_switch.erpnext_io.writer", "cancel_journal", 2),
	"restore company": ("perpetual_switch.erpnext_io.writer", "restore_fields", 1),
}


def run_command_with_fault(fault, *argv):
	module, path, nth = fault
	return subprocess.run(
		[sys.executable, "-c", COMMAND_WITH_FAULT, module, path, str(nth), "--site", frappe.local.site, *argv],
		cwd=os.getcwd(),
		capture_output=True,
		text=True,
		timeout=300,
	)


@pytest.mark.parametrize("via", ["service", "desk", "command"])
@pytest.mark.parametrize("step", sorted(ROLLBACK_FAULTS))
def test_a_fault_at_any_write_of_rollback_leaves_the_switch_applied(fault_world, monkeypatch, step, via):
	w = fault_world
	if not applied(w.company):
		services.apply(w.company, CUTOVER)
		frappe.db.commit()
	before = snapshot(w.company)
	if via == "service":
		ROLLBACK_FAULTS[step](monkeypatch)
		with pytest.raises(Fault):
			services.rollback(w.company)
	elif via == "command":
		run = run_command_with_fault(ROLLBACK_COMMAND_FAULTS[step], "perpetual-switch", "rollback", "--company", w.company, "--yes")
		assert run.returncode == 1 and "fault injected" in run.stderr, (run.returncode, run.stdout, run.stderr)
	else:
		from perpetual_switch import api

		ROLLBACK_FAULTS[step](monkeypatch)
		context = api.rollback(w.company)
		assert context["job"]["status"] == "Failed" and "fault injected" in context["job"]["reason"]
	frappe.db.commit()
	assert snapshot(w.company) == before


def test_rollback_refuses_to_overwrite_a_later_edit_unless_confirmed(fault_world):
	w = fault_world
	if not applied(w.company):
		services.apply(w.company, CUTOVER)
		frappe.db.commit()
	frappe.db.set_value("Company", w.company, "stock_adjustment_account", w.acc("Cost of Goods Sold"))
	frappe.db.commit()
	before = snapshot(w.company)
	with pytest.raises(services.RollbackRefused, match="stock_adjustment_account"):
		services.rollback(w.company)
	frappe.db.commit()
	assert snapshot(w.company) == before
	services.rollback(w.company, overwrite_later_edits=True)
	frappe.db.commit()
	assert not applied(w.company)


def test_price_differences_on_two_cost_centres_stay_in_srbnb_and_cancel_cleanly(site):
	from .world import invoice_for

	w = fresh_s1("PS Two CC", "TC")
	services.apply(w.company, CUTOVER)
	frappe.db.commit()
	root = frappe.db.get_value("Cost Center", {"company": w.company, "is_group": 1}, "name", order_by="lft asc")
	second = frappe.get_doc(
		{"doctype": "Cost Center", "cost_center_name": "Second", "parent_cost_center": root, "company": w.company}
	).insert()
	main = frappe.get_cached_value("Company", w.company, "cost_center")

	from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

	# One invoice billing two accrued rows (PR-1's and PR-2's) above their receipt rate, each on
	# its own cost centre: both clear their accrual; the price differences (50.00 and 15.00) stay in
	# SRBNB, as on a company perpetual from the start, with no journal of the app's.
	pi = make_purchase_invoice(w.docs["PR-1"].name)
	pi.items = [row for row in pi.items if row.item_code == w.items["B"]]
	pi.items[0].rate = 21
	pi.items[0].cost_center = main
	other = [row for row in make_purchase_invoice(w.docs["PR-2"].name).items if row.item_code == w.items["B"]][0]
	other.rate = 20.5
	other.qty = other.received_qty = 30
	other.cost_center = second.name
	row = other.as_dict()
	row.pop("name", None)
	row.pop("idx", None)
	pi.append("items", row)
	pi.posting_date = pi.bill_date = pi.due_date = "2026-07-03"
	pi.set_posting_time = 1
	pi.payment_schedule = []
	pi.insert()
	pi.submit()
	frappe.db.commit()
	clearings = frappe.get_all(
		"Perpetual Switch Clearing",
		filters={"purchase_invoice": pi.name},
		fields=["receipt_row", "cleared_value", "rate_difference", "journal_entry", "status"],
	)
	assert len(clearings) == 2 and not any(c.journal_entry for c in clearings), clearings
	assert sorted(float(c.rate_difference) for c in clearings) == [15.0, 50.0]
	srbnb = w.acc("Stock Received But Not Billed")
	assert gl_balance(srbnb, "2026-07-03") == -1600.0 + 1050.0 + 615.0
	pi.reload()
	pi.cancel()
	frappe.db.commit()
	assert gl_balance(srbnb, "2026-07-03") == -1600.0
	statuses = frappe.get_all("Perpetual Switch Clearing", filters={"purchase_invoice": pi.name}, pluck="status")
	assert statuses == ["Cancelled", "Cancelled"]


BILL_SCRIPT = """
import sys
import frappe
frappe.init(site=sys.argv[1], sites_path=sys.argv[2])
frappe.connect()
frappe.set_user("Administrator")
from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice
pi = make_purchase_invoice(sys.argv[3])
pi.items = [row for row in pi.items if row.item_code == sys.argv[4]]
for row in pi.items:
	row.qty = row.received_qty = float(sys.argv[5])
pi.posting_date = pi.bill_date = pi.due_date = "2026-07-05"
pi.set_posting_time = 1
pi.payment_schedule = []
pi.insert()
pi.submit()
frappe.db.commit()
print(pi.name)
"""


def test_two_invoices_billing_one_migrated_row_at_once_never_clear_more_than_its_accrual(site):
	"""Two processes bill the same accrued receipt row at the same moment (30 of its 50 units each):
	the accrued rows are locked while an invoice clears them, so the second sees the first."""
	w = fresh_s1("PS Bill Race", "BR")
	services.apply(w.company, CUTOVER)
	frappe.db.commit()
	row = next(r for r in w.docs["PR-1"].items if r.item_code == w.items["B"])
	args = [site, os.getcwd(), w.docs["PR-1"].name, w.items["B"], "30"]
	procs = [
		subprocess.Popen([sys.executable, "-c", BILL_SCRIPT, *args], cwd=os.getcwd(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
		for _ in range(2)
	]
	outcomes = [(p.wait(timeout=300), p.communicate()) for p in procs]
	assert any(code == 0 for code, _out in outcomes), outcomes
	frappe.db.rollback()
	accrued = frappe.db.get_value(
		"Perpetual Switch Receipt", {"item_row": row.name}, ["unbilled_qty", "unbilled_value"], as_dict=True
	)
	cleared = frappe.db.sql(
		"""select coalesce(sum(qty), 0), coalesce(sum(cleared_value), 0) from `tabPerpetual Switch Clearing`
		where receipt_row = %s and status = 'Active'""",
		row.name,
	)[0]
	assert float(cleared[0]) <= float(accrued.unbilled_qty)
	assert float(cleared[1]) <= float(accrued.unbilled_value)
	if all(code == 0 for code, _out in outcomes):
		# Both went through (ERPNext let 60 of 50 be billed): the accrual is cleared exactly once.
		assert (float(cleared[0]), float(cleared[1])) == (float(accrued.unbilled_qty), float(accrued.unbilled_value))
