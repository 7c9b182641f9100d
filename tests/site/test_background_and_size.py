"""A real-sized switch: the desk enqueues one background job per company and follows it; a switch
accruing tens of thousands of receipt rows applies and rolls back with MariaDB's default packet
size, and its document stays small."""

import uuid

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.services import background  # noqa: E402

from .world import CUTOVER, fresh_s1, gl_balance  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")
SWITCH = "Switch to Perpetual Inventory"
MANY = 21_000
PACKET = 16 * 1024 * 1024


@pytest.fixture
def captured(monkeypatch):
	"""frappe.enqueue and realtime events, recorded instead of sent."""
	jobs, events = [], []

	real_enqueue = frappe.enqueue

	def enqueue(method, **kwargs):
		if isinstance(method, str) and method.startswith("perpetual_switch."):
			jobs.append((method, kwargs))
		else:
			return real_enqueue(method, **kwargs)

	monkeypatch.setattr(frappe, "enqueue", enqueue)
	monkeypatch.setattr(frappe, "publish_realtime", lambda event, message=None, **kw: events.append((event, message, kw)))
	return jobs, events


def run(job):
	"""What the worker does with a job: call its method with its arguments."""
	method, kwargs = job
	job_args = {k: v for k, v in kwargs.items() if k not in background_job_options()}
	frappe.get_attr(method)(**job_args)


def background_job_options():
	return {"queue", "timeout", "job_id", "deduplicate", "enqueue_after_commit", "now", "is_async", "job_name", "at_front"}


def test_the_desk_enqueues_one_long_job_and_the_state_goes_queued_to_applied(captured):
	jobs, events = captured
	w = fresh_s1("PS Job", "PJ")
	context = api.apply(w.company, CUTOVER)
	assert context["job"]["status"] == "Queued"
	(job,) = jobs
	method, kwargs = job
	assert method == "perpetual_switch.services.background.run_apply"
	assert kwargs["queue"] == "long" and kwargs["job_id"] == background.job_id(w.company) and kwargs["deduplicate"]
	assert not frappe.db.exists(SWITCH, {"company": w.company}), "the request itself writes no switch"
	frappe.db.commit()

	run(job)
	assert background.state(w.company)["status"] == "Applied"
	switch = frappe.get_all(SWITCH, filters={"company": w.company}, fields=["name", "status"])[0]
	assert switch.status == "Applied"
	progress = [m for e, m, kw in events if e == background.EVENT and "percent" in m]
	assert progress and all(kw.get("user") == "Administrator" for e, m, kw in events if e == background.EVENT)
	assert [m["percent"] for m in progress] == sorted(m["percent"] for m in progress)
	assert any(m.get("done") and m["status"] == "Applied" for e, m, kw in events if e == background.EVENT)
	assert gl_balance(w.acc("Stock North")) == 3800.0

	jobs.clear()
	context = api.rollback(w.company)
	assert context["job"]["status"] == "Queued" and context["job"]["action"] == "rollback"
	run(jobs[0])
	assert background.state(w.company)["status"] == "Rolled Back"
	assert frappe.db.get_value(SWITCH, switch.name, "status") == "Rolled Back"
	assert gl_balance(w.acc("Stock North")) == 0.0


def test_a_job_that_raises_ends_failed_with_the_reason_and_writes_nothing(captured, monkeypatch):
	jobs, events = captured
	w = fresh_s1("PS Fail", "PF")
	before = frappe.db.get_value("Company", w.company, ["enable_perpetual_inventory", "stock_received_but_not_billed"], as_dict=True)
	api.apply(w.company, CUTOVER)
	frappe.db.commit()

	from perpetual_switch.erpnext_io import writer

	def broken(*args, **kwargs):
		raise RuntimeError("disk full while writing the accruals")

	monkeypatch.setattr(writer, "record_accruals", broken)
	run(jobs[0])
	state = background.state(w.company)
	assert state["status"] == "Failed" and "disk full" in state["reason"]
	assert any(m.get("status") == "Failed" for e, m, kw in events if e == background.EVENT)
	assert not frappe.db.exists(SWITCH, {"company": w.company})
	assert not frappe.get_all("Journal Entry", filters={"company": w.company, "docstatus": 1, "title": ("like", "%sync%")})
	assert not frappe.db.exists("Accounting Period", {"company": w.company})
	after = frappe.db.get_value("Company", w.company, ["enable_perpetual_inventory", "stock_received_but_not_billed"], as_dict=True)
	assert after == before


def test_a_second_job_for_the_same_company_is_refused_while_one_runs(captured, monkeypatch):
	jobs, _events = captured
	w = fresh_s1("PS Twice", "PT")
	api.apply(w.company, CUTOVER)
	monkeypatch.setattr(background, "_job_alive", lambda company: True)
	with pytest.raises(frappe.ValidationError, match="already"):
		api.apply(w.company, CUTOVER)
	assert len(jobs) == 1
	frappe.cache.delete_value(background._key(w.company))


def add_unbilled_receipt_rows(w, count: int) -> float:
	"""`count` unbilled receipt rows of a stock item, written by bulk SQL as ERPNext shapes them
	(headers of 500 rows each, submitted, To Bill); returns their value."""
	item = w.items["B"]
	warehouse = w.wh("N-Stores")
	supplier = frappe.db.get_value("Purchase Receipt", w.docs["PR-1"].name, "supplier")
	now = frappe.utils.now()
	tag = uuid.uuid4().hex[:6]
	headers, rows = [], []
	per_receipt = 500
	for r in range(0, count, per_receipt):
		name = f"PS-BULK-{tag}-{r // per_receipt:04d}"
		n = min(per_receipt, count - r)
		headers.append((name, now, now, "Administrator", "Administrator", 1, w.company, supplier, "2026-06-29", "12:00:00", "To Bill", 0, n * 2.5, "EUR"))
		for i in range(n):
			rows.append((f"{name}-{i}", now, now, "Administrator", "Administrator", 1, name, "Purchase Receipt", "items", i + 1, item, item, "Nos", "Nos", 1, 1, 1, 1, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, warehouse, 0))
	frappe.db.bulk_insert(
		"Purchase Receipt",
		["name", "creation", "modified", "owner", "modified_by", "docstatus", "company", "supplier", "posting_date", "posting_time", "status", "is_return", "base_net_total", "currency"],
		headers,
	)
	frappe.db.bulk_insert(
		"Purchase Receipt Item",
		[
			"name", "creation", "modified", "owner", "modified_by", "docstatus", "parent", "parenttype", "parentfield", "idx",
			"item_code", "item_name", "uom", "stock_uom", "conversion_factor", "qty", "received_qty", "stock_qty",
			"rate", "amount", "net_rate", "net_amount", "base_net_rate", "base_net_amount", "warehouse", "is_fixed_asset",
		],
		rows,
		chunk_size=2000,
	)
	frappe.db.commit()
	return count * 2.5


def test_tens_of_thousands_of_accrued_rows_apply_and_roll_back_with_the_default_packet():
	packet = int(frappe.db.sql("select @@max_allowed_packet")[0][0])
	if packet > PACKET:
		pytest.skip(f"MariaDB's max_allowed_packet is {packet} here; this test is about the 16 MiB default")
	w = fresh_s1("PS Large", "PL")
	extra = add_unbilled_receipt_rows(w, MANY)

	doc = services.apply(w.company, CUTOVER)
	frappe.db.commit()
	assert doc.receipts_count == MANY + 2  # S1's PR-1 and PR-2 rows, and the bulk rows
	assert frappe.db.count("Perpetual Switch Receipt", {"parent": doc.name}) == MANY + 2
	assert float(doc.unbilled_total) == 1600.0 + extra
	assert gl_balance(w.acc("Stock Received But Not Billed")) == -(1600.0 + extra)
	stored = frappe.db.sql(
		"select coalesce(sum(length(data)), 0) from `tabVersion` where ref_doctype = %s and docname = %s", (SWITCH, doc.name)
	)[0][0]
	assert int(stored) < 64 * 1024
	assert len(frappe.db.get_value(SWITCH, doc.name, "plan_json")) < 256 * 1024
	audit = services.audit(doc.name)
	assert audit["receipts_count"] == MANY + 2 and len(audit["receipts"]) == services.switch.AUDIT_RECEIPTS
	assert len(services.accruals(doc.name)) == MANY + 2

	services.rollback(w.company)
	frappe.db.commit()
	assert frappe.db.get_value(SWITCH, doc.name, "status") == "Rolled Back"
	assert gl_balance(w.acc("Stock Received But Not Billed")) == 0.0
