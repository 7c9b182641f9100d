"""Who may do what, through every way into the app, for one user per role: a Stock User, an Accounts
User, an Accounts Manager, a System Manager without an accounting role, an Accounts User to whom one
draft switch was shared with the right to submit it, and an Accounts Manager of another company.

Reading a plan, a reconciliation, a report or the chart needs read access to the company and its
accounts; posting anything (a switch, its rollback, a backdated preview, which posts and reposts in a
savepoint, an SRBNB clearing and its rollback) needs the Accounts Manager's rights on that company.
A refused call leaves no trace: no job state, no queued job, no row. A job runs as the user who
asked for it, and posts only what that user may when it runs.

The bench commands are the site operator's: like every bench command they run as Administrator.
"""

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.engine.models import SwitchOptions  # noqa: E402
from perpetual_switch.services import background  # noqa: E402

from .world import CUTOVER, fresh_s1, restrict_to_company, shared_draft, user_with  # noqa: E402

SWITCH = "Switch to Perpetual Inventory"
READERS = {"accounts_user", "accounts_manager", "shared"}
POSTERS = {"accounts_manager"}


@pytest.fixture(scope="module")
def matrix(site):
	frappe.set_user("Administrator")
	a, b = fresh_s1("PS Matrix A", "MA"), fresh_s1("PS Matrix B", "MB")
	tag = a.tag.lower()
	users = {
		"stock_user": user_with(["Stock User"], f"ps-matrix-stock-{tag}@example.com"),
		"accounts_user": user_with(["Accounts User"], f"ps-matrix-accounts-{tag}@example.com"),
		"accounts_manager": user_with(["Accounts Manager"], f"ps-matrix-manager-{tag}@example.com"),
		"system_manager": user_with(["System Manager"], f"ps-matrix-system-{tag}@example.com"),
		"shared": user_with(["Accounts User"], f"ps-matrix-shared-{tag}@example.com"),
		"other_manager": user_with(["Accounts Manager"], f"ps-matrix-other-{tag}@example.com"),
	}
	draft = shared_draft(a.company, users["shared"])
	restrict_to_company(users["other_manager"], b.company)
	clearing = frappe.get_doc({"doctype": "SRBNB Clearing", "company": a.company, "posting_date": CUTOVER, "status": "Rolled Back"})
	clearing.flags.perpetual_switch_service = True
	clearing.insert(ignore_permissions=True)
	a.clearing = clearing.name
	frappe.db.commit()
	yield a, users, draft
	frappe.set_user("Administrator")
	frappe.db.rollback()


def _report(name, filters):
	from frappe.desk.query_report import run

	return run(name, filters=filters)


def read_ways(company):
	return {
		"get_plan": lambda: api.get_plan(company, CUTOVER),
		"job_state": lambda: api.job_state(company),
		"download_plan": lambda: api.download_plan(company, CUTOVER, "csv"),
		"download_srbnb": lambda: api.download_srbnb(company, CUTOVER, "csv"),
		"srbnb_clearing_plan": lambda: api.srbnb_clearing_plan(company, CUTOVER),
		"report SRBNB Reconciliation": lambda: _report("SRBNB Reconciliation", {"company": company, "as_of": CUTOVER}),
		"report Perpetual Switch Reconciliation": lambda: _report(
			"Perpetual Switch Reconciliation", {"company": company, "as_on_date": CUTOVER}
		),
		"chart Stock Value against GL": lambda: _chart(company),
		"what_to_do": lambda: api.what_to_do(company),
		"snc_mandatory_check": lambda: api.snc_mandatory_check(company, CUTOVER),
		"at_inventory": lambda: api.at_inventory(company, 2026),
		"report AT Inventory": lambda: _report("AT Inventory", {"company": company, "year": 2026}),
	}


def _chart(company):
	from perpetual_switch.perpetual_inventory.dashboard_chart_source.stock_value_against_gl.stock_value_against_gl import (
		get,
	)

	return get(filters={"company": company})


def post_ways(company, draft, clearing):
	return {
		"apply": lambda: api.apply(company, CUTOVER),
		"apply_switch (the shared draft)": lambda: api.apply_switch(draft),
		"rollback": lambda: api.rollback(company),
		"enqueue_backdated_preview": lambda: api.enqueue_backdated_preview(company, CUTOVER),
		"srbnb_clearing_apply": lambda: api.srbnb_clearing_apply(company, CUTOVER),
		"srbnb_clearing_rollback": lambda: api.srbnb_clearing_rollback(clearing),
		"service apply": lambda: services.apply(company, CUTOVER),
		"service rollback": lambda: services.rollback(company),
	}


def traces(company, user):
	return (
		background.state(company),
		frappe.cache.get_value(background._preview_key(company, user)),
		frappe.db.count(SWITCH, {"company": company}),
		frappe.db.count("SRBNB Clearing", {"company": company}),
		frappe.db.count("Journal Entry", {"company": company}),
	)


@pytest.fixture
def no_jobs(monkeypatch):
	"""Jobs are recorded, not run: an allowed call stops at the queue."""
	queued = []
	monkeypatch.setattr(background, "_enqueue", lambda method, company, **kw: queued.append((method, company)))
	return queued


@pytest.mark.parametrize("who", ["stock_user", "accounts_user", "accounts_manager", "system_manager", "shared", "other_manager"])
def test_who_may_read(matrix, who):
	a, users, _draft = matrix
	frappe.set_user(users[who])
	try:
		for way, call in read_ways(a.company).items():
			if who in READERS:
				call()
			else:
				with pytest.raises(frappe.PermissionError):
					call()
			frappe.db.rollback()
	finally:
		frappe.set_user("Administrator")


@pytest.mark.parametrize("who", ["stock_user", "accounts_user", "accounts_manager", "system_manager", "shared", "other_manager"])
def test_who_may_post_and_a_refusal_leaves_no_trace(matrix, who, no_jobs):
	a, users, draft = matrix
	user = users[who]
	for way, call in post_ways(a.company, draft, a.clearing).items():
		frappe.set_user("Administrator")
		frappe.cache.delete_value(background._key(a.company))
		before = traces(a.company, user)
		queued = len(no_jobs)
		frappe.set_user(user)
		try:
			if who in POSTERS:
				# Past the guard: it reaches the queue, or what the operation itself says of the company.
				try:
					call()
				except frappe.PermissionError:
					pytest.fail(f"{who} was refused {way}")
				except (services.RollbackRefused, services.SwitchBlocked, frappe.ValidationError, frappe.DoesNotExistError):
					pass
			else:
				with pytest.raises(frappe.PermissionError) as refused:
					call()
				assert a.company in str(refused.value), (way, str(refused.value))
				frappe.db.rollback()
				frappe.set_user("Administrator")
				assert traces(a.company, user) == before, way
				assert len(no_jobs) == queued, way
		finally:
			frappe.set_user("Administrator")
			frappe.db.rollback()
			frappe.cache.delete_value(background._key(a.company))


def test_a_job_posts_only_what_its_user_may_when_it_runs(matrix):
	"""The manager asks for a switch; before the job runs the role is taken away: the job refuses, and
	the company is as it was."""
	a, users, _draft = matrix
	user = users["accounts_manager"]
	frappe.set_user("Administrator")
	before = traces(a.company, user)
	frappe.get_doc("User", user).remove_roles("Accounts Manager")
	frappe.db.commit()
	try:
		background.run_apply(a.company, user, SwitchOptions(a.company, CUTOVER).as_dict())
		frappe.set_user("Administrator")
		frappe.db.rollback()
		state = background.state(a.company)
		assert state["status"] == "Failed" and user in state["reason"], state
		assert traces(a.company, user)[2:] == before[2:]
	finally:
		frappe.set_user("Administrator")
		frappe.get_doc("User", user).add_roles("Accounts Manager")
		frappe.cache.delete_value(background._key(a.company))
		frappe.db.commit()
