"""Who may run an operation that posts on a company, asked of that company, and a refused request
leaves no trace (no job state, no queued preview, no row).

Three users: an Accounts User (reads plans, never posts), an Accounts User to whom one draft switch
of company A was shared with the right to submit it, and an Accounts Manager restricted by a user
permission to company A. None of them may start anything on company B.
"""

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.services import background  # noqa: E402

from .world import CUTOVER, fresh_s1, restrict_to_company, shared_draft, user_with  # noqa: E402

SWITCH = "Switch to Perpetual Inventory"


@pytest.fixture(scope="module")
def companies(site):
	frappe.set_user("Administrator")
	a, b = fresh_s1("PS Guard A", "GA"), fresh_s1("PS Guard B", "GB")
	tag = a.tag.lower()
	users = {
		"reader": user_with(["Accounts User", "Stock User"], f"ps-guard-reader-{tag}@example.com"),
		"shared": user_with(["Accounts User", "Stock User"], f"ps-guard-shared-{tag}@example.com"),
		"manager_of_a": user_with(["Accounts Manager"], f"ps-guard-manager-{tag}@example.com"),
		"system_manager": user_with(["System Manager"], f"ps-guard-system-{tag}@example.com"),
	}
	shared_draft(a.company, users["shared"])
	restrict_to_company(users["manager_of_a"], a.company)
	frappe.db.commit()
	yield a, b, users
	frappe.set_user("Administrator")
	frappe.db.rollback()


def _traces(company, user):
	return background.state(company), frappe.cache.get_value(background._preview_key(company, user))


def _refused(call, company, user):
	"""`call` refused with a permission error, and nothing of it left on the company."""
	before = _traces(company, user)
	jobs_before = frappe.db.count("Switch to Perpetual Inventory", {"company": company})
	with pytest.raises(frappe.PermissionError) as refused:
		call()
	frappe.db.rollback()
	assert _traces(company, user) == before
	assert frappe.db.count("Switch to Perpetual Inventory", {"company": company}) == jobs_before
	return str(refused.value)


@pytest.fixture
def as_user():
	def become(user):
		frappe.set_user(user)

	yield become
	frappe.set_user("Administrator")
	frappe.db.rollback()


def test_an_accounts_user_reads_the_plan_but_may_not_start_a_backdated_preview(companies, as_user):
	a, _b, users = companies
	as_user(users["reader"])
	assert api.get_plan(a.company, CUTOVER)["context"]["can_apply"] is False
	message = _refused(lambda: api.enqueue_backdated_preview(a.company, CUTOVER), a.company, users["reader"])
	assert a.company in message


@pytest.mark.parametrize("who", ["shared", "manager_of_a", "system_manager"])
def test_no_right_on_company_b_from_a_share_or_another_company(companies, as_user, who):
	a, b, users = companies
	user = users[who]
	as_user(user)
	calls = {
		"apply": lambda: api.apply(b.company, CUTOVER),
		"backdated preview": lambda: api.enqueue_backdated_preview(b.company, CUTOVER),
		"rollback": lambda: api.rollback(b.company),
		"srbnb clearing": lambda: api.srbnb_clearing_apply(b.company),
		"service apply": lambda: services.apply(b.company, CUTOVER),
		"service rollback": lambda: services.rollback(b.company),
	}
	for name, call in calls.items():
		message = _refused(call, b.company, user)
		assert b.company in message, (name, message)


def test_the_shared_draft_still_gives_its_own_company_nothing_more(companies, as_user):
	"""The share lets the user see and submit that draft; it is not a right to switch its company
	from the wizard, which needs the role."""
	a, _b, users = companies
	as_user(users["shared"])
	_refused(lambda: api.apply(a.company, CUTOVER), a.company, users["shared"])


def test_the_manager_of_a_may_switch_a_and_nobody_else_may(companies, as_user):
	from perpetual_switch.services import guards

	a, b, users = companies
	for user in users.values():
		as_user(user)
		assert not guards.may_switch(b.company), user
	as_user(users["shared"])
	assert not guards.may_switch(a.company)
	as_user(users["manager_of_a"])
	assert guards.may_switch(a.company) and guards.may_switch(a.company, "cancel")
	assert api.get_plan(a.company, CUTOVER)["context"]["can_apply"] is True


def test_an_accounts_manager_without_purchase_roles_opens_the_reports(companies, as_user):
	"""The reports are for the accountants: neither needs a purchase role, even for a user whose
	permissions are restricted to one company."""
	from frappe.desk.query_report import run

	a, _b, users = companies
	doc = services.apply(a.company, CUTOVER)
	frappe.db.commit()
	try:
		as_user(users["manager_of_a"])
		srbnb = run("SRBNB Reconciliation", filters={"company": a.company, "as_of": CUTOVER, "all_rows": 1})
		assert srbnb["result"], srbnb
		accruals = run("Perpetual Switch Accruals", filters={"switch": doc.name})
		assert {row["purchase_receipt"] for row in accruals["result"] if isinstance(row, dict)} >= {a.docs["PR-1"].name}
	finally:
		frappe.set_user("Administrator")
		services.rollback(a.company)
		frappe.db.commit()


def test_a_system_manager_without_an_accounting_role_is_refused_alike_everywhere(companies, as_user):
	"""The role passes the doctype's submit check but cannot read accounts: every way in refuses it,
	the plan as the apply, rather than letting it start what it could not review."""
	from perpetual_switch.services import guards

	a, _b, users = companies
	as_user(users["system_manager"])
	assert not guards.may_switch(a.company)
	if not frappe.has_permission("Account", "read"):
		with pytest.raises(frappe.PermissionError):
			api.get_plan(a.company, CUTOVER)
	for call in (lambda: api.apply(a.company, CUTOVER), lambda: api.enqueue_backdated_preview(a.company, CUTOVER)):
		_refused(call, a.company, users["system_manager"])
