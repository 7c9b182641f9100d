"""Bad inputs, through the bench commands (real subprocesses) and the whitelisted API (in-process).

Each case is refused with the contract's exit code (commands) or a frappe exception / a Failed job
(API), with a message that names the offending value, and nothing is written: the rows of Journal
Entry, GL Entry, Accounting Period and Switch to Perpetual Inventory of the companies involved and
the companies' `modified` are the same, committed state, before and after. (Counts are taken per
company, not over whole tables, so that other tests running on the same site cannot disturb them.)

A case marked xfail is an app bug; its reason says exactly what goes wrong.
"""

from __future__ import annotations

import csv
import json
import os
import pathlib
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.erpnext_io import switch_records  # noqa: E402

from .world import CUTOVER, fresh_s1, stock_issue, user_with  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")
SWITCH = "Switch to Perpetual Inventory"
TABLES = ("Journal Entry", "GL Entry", "Accounting Period", SWITCH)
TRANSLATIONS = pathlib.Path(__file__).resolve().parents[2] / "perpetual_switch" / "translations"

LONG = "X" * 10_000
SQLISH = "x'; drop table tabCompany; --"
UNICODE = "Compañía Ñandú 株式会社"
LATER_STOCK_DATE = "2026-07-15"

USERS = {
	"stock": (["Stock User"], "ps-bad-stock@example.com", None),
	"accounts_user": (["Accounts User"], "ps-bad-accounts-user@example.com", None),
	"restricted": (["Accounts Manager"], "ps-bad-restricted@example.com", None),
	"es": (["Accounts Manager", "Stock User"], "ps-bad-es@example.com", "es"),
}


# --- Worlds ---------------------------------------------------------------------------------


@dataclass
class Worlds:
	a: Any  # the company every "nothing may happen" case runs against; never switched
	b: Any  # another company (its accounts are "another company's"), and the apply/rollback lifecycle
	disabled_account: str
	users: dict

	@property
	def companies(self):
		return (self.a.company, self.b.company)


def new_world():
	return fresh_s1("PS Bad", "PB")


@pytest.fixture(scope="module")
def worlds(site):
	a = new_world()
	b = new_world()
	disabled = a.acc("PS Disabled Expense")
	if not frappe.db.exists("Account", disabled):
		frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": "PS Disabled Expense",
				"parent_account": a.acc("Stock Expenses"),
				"company": a.company,
				"disabled": 1,
			}
		).insert()
	users = {key: user_with(roles, email, language) for key, (roles, email, language) in USERS.items()}
	# Accounts Manager, but User Permissions let this user see company B only.
	restricted = users["restricted"]
	if not frappe.db.exists("User Permission", {"user": restricted, "allow": "Company", "for_value": b.company}):
		frappe.get_doc(
			{"doctype": "User Permission", "user": restricted, "allow": "Company", "for_value": b.company, "apply_to_all_doctypes": 1}
		).insert(ignore_permissions=True)
	frappe.db.commit()
	yield Worlds(a, b, disabled, users)
	# Leave company B as it was before the lifecycle cases, as far as that is possible.
	frappe.set_user("Administrator")
	frappe.db.rollback()
	try:
		for name in frappe.get_all(
			"Stock Entry", filters={"company": b.company, "docstatus": 1, "posting_date": (">", CUTOVER)}, pluck="name"
		):
			frappe.get_doc("Stock Entry", name).cancel()
		if switch_records.applied_switches(b.company):
			services.rollback(b.company)
		frappe.db.commit()
	except Exception:
		frappe.db.rollback()


# --- Helpers --------------------------------------------------------------------------------


def snapshot(companies) -> dict:
	"""Committed state: a fresh transaction first, then row counts per company and `modified`."""
	frappe.db.rollback()
	companies = tuple(c for c in companies if c)
	state = {}
	for doctype in TABLES:
		state[doctype] = frappe.db.sql(
			f"select count(*) from `tab{doctype}` where company in %(companies)s", {"companies": companies}
		)[0][0]
	for company in companies:
		state[f"modified {company[:60]}"] = str(frappe.db.get_value("Company", company, "modified"))
	return state


def text(value) -> str:
	return frappe.utils.strip_html_tags(str(value or ""))


def undo_switch(company: str) -> None:
	"""After a case that (wrongly) applied a switch: roll it back so the other cases see a periodic company."""
	frappe.set_user("Administrator")
	frappe.local.lang = "en"
	frappe.db.rollback()
	while switch_records.applied_switches(company):
		services.rollback(company)
		frappe.db.commit()


def es_translation(source: str) -> str:
	with open(TRANSLATIONS / "es.csv", newline="", encoding="utf-8") as f:
		for row in csv.reader(f):
			if len(row) >= 2 and row[0] == source:
				return row[1]
	return source


def bench(site: str, args: list[str]) -> tuple[int, str, str]:
	cmd = [sys.executable, "-m", "frappe.utils.bench_helper", "frappe", "--site", site, "perpetual-switch", *args]
	result = subprocess.run(cmd, cwd=os.getcwd(), capture_output=True, stdin=subprocess.DEVNULL, timeout=600)
	return result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace")


def blocker_messages(out: str, fmt: str) -> str:
	"""The blockers a command printed on stdout (exit 2): from the JSON, or the text's Blockers section."""
	if fmt == "json":
		data = json.loads(out)
		return "\n".join(b["message"] for b in data.get("blockers", []))
	return out.split("Blockers:", 1)[1] if "Blockers:" in out else ""


# --- Command cases --------------------------------------------------------------------------


@dataclass
class Cmd:
	id: str
	args: Callable[[Worlds], list]
	rc: int
	names: Callable[[Worlds], str]
	bug: str | None = None
	undo: bool = False  # the bug applies a switch to company A: roll it back afterwards

	def param(self):
		marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
		return pytest.param(self, id=self.id, marks=marks)


def _a(w):
	return w.a.company




COMMAND_CASES = [
	# The company
	Cmd("status-unknown-company", lambda w: ["status", "--company", "PS No Such Company"], 1, lambda w: "PS No Such Company"),
	Cmd("check-unknown-company", lambda w: ["check", "--company", "PS No Such Company"], 1, lambda w: "PS No Such Company"),
	Cmd("plan-unknown-company", lambda w: ["plan", "--company", "PS No Such Company"], 1, lambda w: "PS No Such Company"),
	Cmd(
		"apply-unknown-company",
		lambda w: ["apply", "--company", "PS No Such Company", "--date", CUTOVER, "--yes"],
		1,
		lambda w: "PS No Such Company",
	),
	Cmd("rollback-unknown-company", lambda w: ["rollback", "--company", "PS No Such Company", "--yes"], 1, lambda w: "PS No Such Company"),
	Cmd("check-empty-company", lambda w: ["check", "--company", ""], 1, lambda w: "Company"),
	Cmd("check-10000-char-company", lambda w: ["check", "--company", LONG], 1, lambda w: LONG),
	Cmd("apply-sql-looking-company", lambda w: ["apply", "--company", SQLISH, "--date", CUTOVER, "--yes"], 1, lambda w: SQLISH),
	Cmd("plan-unicode-company", lambda w: ["plan", "--company", UNICODE], 1, lambda w: UNICODE),
	Cmd(
		"check-without-company",
		lambda w: ["check"],
		1,
		lambda w: "--company",
	),
	# The cutover date
	Cmd("check-empty-date", lambda w: ["check", "--company", _a(w), "--date", ""], 1, lambda w: "date"),
	Cmd(
		"apply-empty-date",
		lambda w: ["apply", "--company", _a(w), "--date", "", "--yes"],
		1,
		lambda w: "date",
		undo=True,
	),
	Cmd(
		"check-date-not-iso",
		lambda w: ["check", "--company", _a(w), "--date", "01/06/2026"],
		1,
		lambda w: "01/06/2026",
	),
	Cmd("check-date-yesterday", lambda w: ["check", "--company", _a(w), "--date", "yesterday"], 1, lambda w: "yesterday"),
	Cmd("plan-date-month-13", lambda w: ["plan", "--company", _a(w), "--date", "2026-13-01"], 1, lambda w: "2026-13-01"),
	Cmd(
		"apply-date-31-february",
		lambda w: ["apply", "--company", _a(w), "--date", "2026-02-31", "--yes"],
		1,
		lambda w: "2026-02-31",
	),
	Cmd("check-date-far-future", lambda w: ["check", "--company", _a(w), "--date", "2999-01-01"], 2, lambda w: "2999-01-01"),
	Cmd(
		"apply-date-far-future",
		lambda w: ["apply", "--company", _a(w), "--date", "2999-01-01", "--yes"],
		2,
		lambda w: "2999-01-01",
	),
	Cmd(
		"plan-date-before-any-fiscal-year",
		lambda w: ["plan", "--company", _a(w), "--date", "1900-01-01"],
		2,
		lambda w: "1900-01-01",
	),
	Cmd(
		"apply-date-before-any-fiscal-year",
		lambda w: ["apply", "--company", _a(w), "--date", "1900-01-01", "--yes"],
		2,
		lambda w: "1900-01-01",
	),
	# The expense account
	Cmd(
		"plan-expense-account-group",
		lambda w: ["plan", "--company", _a(w), "--date", CUTOVER, "--expense-account", w.a.acc("Stock Expenses")],
		2,
		lambda w: w.a.acc("Stock Expenses"),
	),
	Cmd(
		"apply-expense-account-balance-sheet",
		lambda w: ["apply", "--company", _a(w), "--date", CUTOVER, "--expense-account", w.a.acc("Cash"), "--yes"],
		2,
		lambda w: w.a.acc("Cash"),
	),
	Cmd(
		"plan-expense-account-other-company",
		lambda w: ["plan", "--company", _a(w), "--date", CUTOVER, "--expense-account", w.b.acc("Cost of Goods Sold")],
		2,
		lambda w: w.b.acc("Cost of Goods Sold"),
	),
	Cmd(
		"apply-expense-account-disabled",
		lambda w: ["apply", "--company", _a(w), "--date", CUTOVER, "--expense-account", w.disabled_account, "--yes"],
		2,
		lambda w: w.disabled_account,
	),
	Cmd(
		"plan-expense-account-nonexistent",
		lambda w: ["plan", "--company", _a(w), "--date", CUTOVER, "--expense-account", "No Such Account - PBX"],
		2,
		lambda w: "No Such Account - PBX",
	),
	Cmd(
		"apply-expense-account-10000-chars",
		lambda w: ["apply", "--company", _a(w), "--date", CUTOVER, "--expense-account", LONG, "--yes"],
		2,
		lambda w: LONG,
	),
	# The cost center
	Cmd(
		"plan-cost-center-group",
		lambda w: ["plan", "--company", _a(w), "--date", CUTOVER, "--cost-center", f"{w.a.company} - {w.a.abbr}"],
		2,
		lambda w: f"{w.a.company} - {w.a.abbr}",
	),
	Cmd(
		"apply-cost-center-other-company",
		lambda w: ["apply", "--company", _a(w), "--date", CUTOVER, "--cost-center", w.b.acc("Main"), "--yes"],
		2,
		lambda w: w.b.acc("Main"),
	),
	Cmd(
		"plan-cost-center-nonexistent",
		lambda w: ["plan", "--company", _a(w), "--date", CUTOVER, "--cost-center", "No Such CC - PBX"],
		2,
		lambda w: "No Such CC - PBX",
	),
	# Confirmation
	Cmd("apply-without-yes-and-terminal", lambda w: ["apply", "--company", _a(w), "--date", CUTOVER], 1, lambda w: "--yes"),
	Cmd("rollback-without-yes-and-terminal", lambda w: ["rollback", "--company", _a(w)], 1, lambda w: "--yes"),
]


def run_command_case(site, w: Worlds, args: list, rc: int, value: str, fmt: str, extra_companies=()):
	args = [*args, "--json"] if fmt == "json" else list(args)
	companies = (*w.companies, *extra_companies)
	before = snapshot(companies)
	code, out, err = bench(site, args)
	assert code == rc, f"exit {code}, expected {rc}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
	if code == 1:
		assert value in err, f"stderr does not name {value[:80]!r}: {err[-2000:]}"
		if fmt == "json":
			assert not out.strip(), f"--json printed something besides the error: {out[-2000:]}"
	elif args[0] == "rollback":
		assert value in err, f"stderr does not name {value[:80]!r}: {err[-2000:]}"
	else:
		assert value in blocker_messages(out, fmt), f"the blockers do not name {value[:80]!r}: {out[-3000:]}"
	assert snapshot(companies) == before
	return code, out, err


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("case", [c.param() for c in COMMAND_CASES])
def test_command_refuses_bad_input(site, worlds, case: Cmd, fmt):
	args = case.args(worlds)
	try:
		run_command_case(site, worlds, args, case.rc, case.names(worlds), fmt)
	finally:
		if case.undo:
			undo_switch(worlds.a.company)
	if "--company" in args and args[args.index("--company") + 1] == SQLISH:
		frappe.db.rollback()
		assert frappe.db.table_exists("Company") and frappe.db.exists("Company", worlds.a.company)


# --- API cases ------------------------------------------------------------------------------

RAISES = "raises"
FAILED = "job Failed"
BLOCKED = "plan blocked"


@dataclass
class Api:
	id: str
	call: Callable[[Worlds], Any]
	expect: Any  # an exception class (the call raises it), FAILED (api.apply's job) or BLOCKED (get_plan)
	names: Callable[[Worlds], str]
	user: str | None = None  # a key of USERS; Administrator when None
	lang: str | None = None  # the user's language when not their own (the "es" user reads Spanish)
	bug: str | None = None
	undo: bool = False
	spanish: tuple | None = None  # (English source, args as a function of the worlds): the es message

	def param(self):
		marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
		return pytest.param(self, id=self.id, marks=marks)


def _defaults(value):
	return json.dumps(value)



API_CASES = [
	# The company
	Api("get_plan-unknown-company", lambda w: api.get_plan("PS No Such Company", CUTOVER), frappe.DoesNotExistError, lambda w: "PS No Such Company"),
	Api("apply-unknown-company", lambda w: api.apply("PS No Such Company", CUTOVER), frappe.DoesNotExistError, lambda w: "PS No Such Company"),
	Api("rollback-unknown-company", lambda w: api.rollback("PS No Such Company"), frappe.DoesNotExistError, lambda w: "PS No Such Company"),
	Api("apply_switch-unknown-switch", lambda w: api.apply_switch("PS-SWITCH-NONE-999"), frappe.DoesNotExistError, lambda w: "PS-SWITCH-NONE-999"),
	Api("get_plan-10000-char-company", lambda w: api.get_plan(LONG, CUTOVER), frappe.DoesNotExistError, lambda w: LONG),
	Api("apply-sql-looking-company", lambda w: api.apply(SQLISH, CUTOVER), frappe.DoesNotExistError, lambda w: SQLISH),
	Api("get_plan-unicode-company", lambda w: api.get_plan(UNICODE, CUTOVER), frappe.DoesNotExistError, lambda w: UNICODE),
	Api(
		"get_plan-company-the-user-may-not-read",
		lambda w: api.get_plan(w.a.company, CUTOVER),
		frappe.PermissionError,
		lambda w: w.a.company,
		user="restricted",
	),
	Api(
		"apply-company-the-user-may-not-read",
		lambda w: api.apply(w.a.company, CUTOVER),
		frappe.PermissionError,
		lambda w: w.a.company,
		user="restricted",
	),
	# The cutover date
	Api(
		"get_plan-empty-date",
		lambda w: api.get_plan(w.a.company, ""),
		frappe.ValidationError,
		lambda w: "date",
	),
	Api(
		"apply-empty-date",
		lambda w: api.apply(w.a.company, ""),
		frappe.ValidationError,
		lambda w: "date",
		undo=True,
	),
	Api(
		"get_plan-date-not-iso",
		lambda w: api.get_plan(w.a.company, "01/06/2026"),
		frappe.ValidationError,
		lambda w: "01/06/2026",
	),
	Api("get_plan-date-yesterday", lambda w: api.get_plan(w.a.company, "yesterday"), frappe.ValidationError, lambda w: "yesterday"),
	Api("apply-date-month-13", lambda w: api.apply(w.a.company, "2026-13-01"), frappe.ValidationError, lambda w: "2026-13-01"),
	Api("apply-date-31-february", lambda w: api.apply(w.a.company, "2026-02-31"), frappe.ValidationError, lambda w: "2026-02-31"),
	Api("apply-date-far-future", lambda w: api.apply(w.a.company, "2999-01-01"), FAILED, lambda w: "2999-01-01"),
	Api("get_plan-date-far-future", lambda w: api.get_plan(w.a.company, "2999-01-01"), BLOCKED, lambda w: "2999-01-01"),
	Api("apply-date-before-any-fiscal-year", lambda w: api.apply(w.a.company, "1900-01-01"), FAILED, lambda w: "1900-01-01"),
	# Expense account and cost center
	Api(
		"apply-expense-account-group",
		lambda w: api.apply(w.a.company, CUTOVER, expense_account=w.a.acc("Stock Expenses")),
		FAILED,
		lambda w: w.a.acc("Stock Expenses"),
	),
	Api(
		"get_plan-expense-account-balance-sheet",
		lambda w: api.get_plan(w.a.company, CUTOVER, expense_account=w.a.acc("Cash")),
		BLOCKED,
		lambda w: w.a.acc("Cash"),
	),
	Api(
		"apply-expense-account-other-company",
		lambda w: api.apply(w.a.company, CUTOVER, expense_account=w.b.acc("Cost of Goods Sold")),
		FAILED,
		lambda w: w.b.acc("Cost of Goods Sold"),
	),
	Api(
		"apply-expense-account-disabled",
		lambda w: api.apply(w.a.company, CUTOVER, expense_account=w.disabled_account),
		FAILED,
		lambda w: w.disabled_account,
	),
	Api(
		"get_plan-expense-account-nonexistent",
		lambda w: api.get_plan(w.a.company, CUTOVER, expense_account="No Such Account - PBX"),
		BLOCKED,
		lambda w: "No Such Account - PBX",
	),
	Api(
		"apply-expense-account-10000-chars",
		lambda w: api.apply(w.a.company, CUTOVER, expense_account=LONG),
		FAILED,
		lambda w: LONG,
	),
	Api(
		"apply-cost-center-group",
		lambda w: api.apply(w.a.company, CUTOVER, cost_center=f"{w.a.company} - {w.a.abbr}"),
		FAILED,
		lambda w: f"{w.a.company} - {w.a.abbr}",
	),
	Api(
		"get_plan-cost-center-other-company",
		lambda w: api.get_plan(w.a.company, CUTOVER, cost_center=w.b.acc("Main")),
		BLOCKED,
		lambda w: w.b.acc("Main"),
	),
	Api(
		"apply-cost-center-nonexistent",
		lambda w: api.apply(w.a.company, CUTOVER, cost_center="No Such CC - PBX"),
		FAILED,
		lambda w: "No Such CC - PBX",
	),
	# Company default overrides
	Api(
		"get_plan-defaults-unknown-field",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults=_defaults({"not_a_field": "x"})),
		frappe.ValidationError,
		lambda w: "not_a_field",
	),
	Api(
		"apply-defaults-unknown-field",
		lambda w: api.apply(w.a.company, CUTOVER, company_defaults=_defaults({"not_a_field": "x"})),
		FAILED,
		lambda w: "not_a_field",
	),
	Api(
		"get_plan-defaults-mistyped-field",
		lambda w: api.get_plan(
			w.a.company, CUTOVER, company_defaults=_defaults({"stock_recieved_but_not_billed": w.a.acc("Stock Received But Not Billed")})
		),
		frappe.ValidationError,
		lambda w: "stock_recieved_but_not_billed",
	),
	Api(
		"get_plan-defaults-other-company-account",
		lambda w: api.get_plan(
			w.a.company, CUTOVER, company_defaults=_defaults({"stock_received_but_not_billed": w.b.acc("Stock Received But Not Billed")})
		),
		BLOCKED,
		lambda w: w.b.acc("Stock Received But Not Billed"),
	),
	Api(
		"apply-defaults-other-company-account",
		lambda w: api.apply(
			w.a.company, CUTOVER, company_defaults=_defaults({"stock_adjustment_account": w.b.acc("Stock Adjustment")})
		),
		FAILED,
		lambda w: w.b.acc("Stock Adjustment"),
	),
	Api(
		"apply-defaults-stock-account-as-srbnb",
		lambda w: api.apply(w.a.company, CUTOVER, company_defaults=_defaults({"stock_received_but_not_billed": w.a.acc("Stock North")})),
		FAILED,
		lambda w: w.a.acc("Stock North"),
	),
	Api(
		"get_plan-defaults-stock-account-as-stock-adjustment",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults=_defaults({"stock_adjustment_account": w.a.acc("Stock North")})),
		BLOCKED,
		lambda w: w.a.acc("Stock North"),
	),
	Api(
		"apply-defaults-stock-account-as-stock-adjustment",
		lambda w: api.apply(w.a.company, CUTOVER, company_defaults=_defaults({"stock_adjustment_account": w.a.acc("Stock North")})),
		FAILED,
		lambda w: w.a.acc("Stock North"),
	),
	Api(
		"get_plan-defaults-malformed-json",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults='{"stock_adjustment_account": '),
		frappe.ValidationError,
		lambda w: "company_defaults",
	),
	Api(
		"apply-defaults-malformed-json",
		lambda w: api.apply(w.a.company, CUTOVER, company_defaults='{"stock_adjustment_account": '),
		frappe.ValidationError,
		lambda w: "company_defaults",
	),
	Api(
		"get_plan-defaults-json-list",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults='["stock_adjustment_account"]'),
		frappe.ValidationError,
		lambda w: "Company defaults",
	),
	Api(
		"apply-defaults-json-list",
		lambda w: api.apply(w.a.company, CUTOVER, company_defaults='["stock_adjustment_account"]'),
		frappe.ValidationError,
		lambda w: "Company defaults",
	),
	Api(
		"get_plan-defaults-non-string-value",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults=_defaults({"stock_adjustment_account": ["x"]})),
		frappe.ValidationError,
		lambda w: "stock_adjustment_account",
	),
	Api(
		"get_plan-defaults-10000-char-account",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults=_defaults({"stock_adjustment_account": LONG})),
		BLOCKED,
		lambda w: LONG,
	),
	# Who asks
	Api("get_plan-stock-user", lambda w: api.get_plan(w.a.company, CUTOVER), frappe.PermissionError, lambda w: w.a.company, user="stock"),
	Api("apply-stock-user", lambda w: api.apply(w.a.company, CUTOVER), frappe.PermissionError, lambda w: w.users["stock"], user="stock"),
	Api(
		"apply-accounts-user-without-submit",
		lambda w: api.apply(w.a.company, CUTOVER),
		frappe.PermissionError,
		lambda w: w.users["accounts_user"],
		user="accounts_user",
	),
	Api(
		"rollback-accounts-user-without-cancel",
		lambda w: api.rollback(w.a.company),
		frappe.PermissionError,
		lambda w: w.users["accounts_user"],
		user="accounts_user",
	),
	Api("rollback-nothing-applied", lambda w: api.rollback(w.a.company), frappe.ValidationError, lambda w: w.a.company),
	# In Spanish: the app's own translation, values filled in
	Api(
		"es-get_plan-unknown-company",
		lambda w: api.get_plan(UNICODE, CUTOVER),
		frappe.DoesNotExistError,
		lambda w: UNICODE,
		user="es",
		spanish=("Company {0} does not exist.", lambda w: [UNICODE]),
	),
	Api(
		"es-apply-date-31-february",
		lambda w: api.apply(w.a.company, "2026-02-31"),
		frappe.ValidationError,
		lambda w: "2026-02-31",
		user="es",
		spanish=("{0} is not a valid date (use YYYY-MM-DD).", lambda w: ["2026-02-31"]),
	),
	Api(
		"es-get_plan-defaults-unknown-field",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults=_defaults({"not_a_field": "x"})),
		frappe.ValidationError,
		lambda w: "not_a_field",
		user="es",
		spanish=("{0} is not a company default the switch can set.", lambda w: ["not_a_field"]),
	),
	Api(
		"es-get_plan-defaults-json-list",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults="[1, 2]"),
		frappe.ValidationError,
		lambda w: "",
		user="es",
		spanish=("Company defaults must be a mapping of field to value.", lambda w: []),
	),
	Api(
		"es-apply-expense-account-nonexistent",
		lambda w: api.apply(w.a.company, CUTOVER, expense_account="No Such Account - PBX"),
		FAILED,
		lambda w: "No Such Account - PBX",
		user="es",
		spanish=("Expense account {account} does not exist.", lambda w: {"account": "No Such Account - PBX"}),
	),
	Api(
		"es-rollback-nothing-applied",
		lambda w: api.rollback(w.a.company),
		frappe.ValidationError,
		lambda w: w.a.company,
		user="es",
		spanish=("Company {0} has no applied switch to roll back.", lambda w: [w.a.company]),
	),
	Api(
		"es-apply-stock-user",
		lambda w: api.apply(w.a.company, CUTOVER),
		frappe.PermissionError,
		lambda w: w.users["stock"],
		user="stock",
		lang="es",
		spanish=("User {0} may not switch company {1} or change its stock and SRBNB accounts.", lambda w: [w.users["stock"], w.a.company]),
	),
	Api(
		"es-get_plan-stock-user",
		lambda w: api.get_plan(w.a.company, CUTOVER),
		frappe.PermissionError,
		lambda w: w.a.company,
		user="stock",
		lang="es",
		spanish=("You need read access to company {0} and its accounts to see a switch plan.", lambda w: [w.a.company]),
	),
	Api(
		"es-get_plan-defaults-malformed-json",
		lambda w: api.get_plan(w.a.company, CUTOVER, company_defaults="{not json"),
		frappe.ValidationError,
		lambda w: "company_defaults",
		user="es",
	),
]


def expected_spanish(source: str, args) -> str:
	translated = es_translation(source)
	assert translated != source, f"es.csv has no translation of {source!r}"
	if isinstance(args, dict):
		return translated.format(**args)
	return translated.format(*args)


@contextmanager
def jobs_run_as_in_a_worker():
	"""In tests the job runs at once, inside the caller's call. A worker starts afresh: frappe.init
	leaves the language at the site's (conf.lang or "en") and frappe.set_user does not change it.
	Run the jobs in that language, as they would run in production."""
	from perpetual_switch.services import background

	originals = {name: getattr(background, name) for name in ("run_apply", "run_rollback")}

	def in_a_worker(job):
		def run(*args, **kwargs):
			caller = frappe.local.lang
			frappe.local.lang = frappe.local.conf.lang or "en"
			try:
				return job(*args, **kwargs)
			finally:
				frappe.local.lang = caller

		return run

	for name, job in originals.items():
		setattr(background, name, in_a_worker(job))
	try:
		yield
	finally:
		for name, job in originals.items():
			setattr(background, name, job)


def _call(w: Worlds, case: Api) -> str:
	"""Make the call; return what the user is told."""
	if isinstance(case.expect, type):
		with pytest.raises(case.expect) as raised:
			case.call(w)
		# What the desk shows: the exception's message and whatever was msgprinted with it.
		shown = [str(raised.value)] + [m.get("message", "") for m in frappe.local.message_log or []]
		return "\n".join(text(m) for m in shown)
	result = case.call(w)
	if case.expect == FAILED:
		job = result["job"] or {}
		assert job.get("status") == "Failed", f"job ended {job.get('status')!r}: {job}"
		return text(job.get("reason"))
	assert result["blockers"], "the plan has no blocker"
	return "\n".join(b["message"] for b in result["blockers"])


def run_api_case(w: Worlds, case: Api, companies=()):
	companies = (*w.companies, *companies)
	before = snapshot(companies)
	frappe.local.message_log = []
	frappe.set_user(w.users[case.user] if case.user else "Administrator")
	# A request speaks the user's language; an in-process call has to say so.
	frappe.local.lang = case.lang or USERS.get(case.user or "", (None, None, None))[2] or "en"
	try:
		with jobs_run_as_in_a_worker():
			message = _call(w, case)
	finally:
		frappe.set_user("Administrator")
		frappe.local.lang = "en"
	value = case.names(w)
	assert value in message, f"the message does not name {value[:80]!r}: {message[:2000]}"
	if case.spanish:
		source, args = case.spanish
		assert expected_spanish(source, args(w)) in message, f"not the Spanish translation: {message[:2000]}"
	assert snapshot(companies) == before


@pytest.mark.parametrize("case", [c.param() for c in API_CASES])
def test_api_refuses_bad_input(worlds, case: Api):
	try:
		run_api_case(worlds, case)
	finally:
		if case.undo:
			undo_switch(worlds.a.company)


# --- Apply twice, rollback refused: company B's lifecycle (these run in file order) ------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_command_rollback_with_nothing_applied_is_refused(site, worlds, fmt):
	code, out, err = run_command_case(
		site, worlds, ["rollback", "--company", worlds.b.company, "--yes"], 2, worlds.b.company, fmt
	)
	assert "no applied switch" in err


def test_api_rollback_with_nothing_applied_is_refused(worlds):
	run_api_case(
		worlds,
		Api("rollback-nothing-applied-b", lambda w: api.rollback(w.b.company), frappe.ValidationError, lambda w: w.b.company),
	)


@pytest.fixture(scope="module")
def applied_b(worlds):
	frappe.set_user("Administrator")
	frappe.db.rollback()
	doc = services.apply(worlds.b.company, CUTOVER)
	frappe.db.commit()
	return doc.name


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_command_apply_twice_is_blocked_naming_the_applied_switch(site, worlds, applied_b, fmt):
	run_command_case(
		site, worlds, ["apply", "--company", worlds.b.company, "--date", CUTOVER, "--yes"], 2, applied_b, fmt
	)


def test_api_apply_twice_fails_naming_the_applied_switch(worlds, applied_b):
	run_api_case(
		worlds, Api("apply-twice", lambda w: api.apply(w.b.company, CUTOVER), FAILED, lambda w: applied_b)
	)


@pytest.fixture(scope="module")
def later_stock_b(worlds, applied_b):
	frappe.set_user("Administrator")
	frappe.db.rollback()
	doc = stock_issue(worlds.b, LATER_STOCK_DATE, worlds.b.items["A"], 1, worlds.b.wh("N-Stores"))
	frappe.db.commit()
	return doc.name


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_command_rollback_after_later_stock_is_refused_naming_it(site, worlds, applied_b, later_stock_b, fmt):
	run_command_case(site, worlds, ["rollback", "--company", worlds.b.company, "--yes"], 2, later_stock_b, fmt)
	frappe.db.rollback()
	assert frappe.db.get_value(SWITCH, applied_b, "status") == "Applied"


def test_api_rollback_after_later_stock_fails_naming_it(worlds, applied_b, later_stock_b):
	run_api_case(
		worlds, Api("rollback-after-later-stock", lambda w: api.rollback(w.b.company), FAILED, lambda w: later_stock_b)
	)
	assert frappe.db.get_value(SWITCH, applied_b, "status") == "Applied"


def test_api_apply_switch_of_an_applied_switch_is_refused(worlds, applied_b):
	"""Submitting, from the form, a switch that is not a draft any more."""
	run_api_case(
		worlds, Api("apply_switch-applied", lambda w: api.apply_switch(applied_b), frappe.ValidationError, lambda w: applied_b)
	)


# --- A warehouse disabled between planning and applying (company A) ----------------------------


@pytest.fixture
def draft_then_disabled_warehouse(worlds):
	"""Plan first (a draft switch, as the form makes it), then someone disables a warehouse holding stock."""
	frappe.set_user("Administrator")
	frappe.db.rollback()
	a = worlds.a
	draft = frappe.get_doc({"doctype": SWITCH, "company": a.company, "cutover_date": CUTOVER}).insert()
	warehouse = frappe.get_doc("Warehouse", a.wh("N-Stores"))
	warehouse.disabled = 1
	warehouse.save()
	frappe.db.commit()
	yield draft.name, warehouse.name
	frappe.set_user("Administrator")
	frappe.db.rollback()
	frappe.db.set_value("Warehouse", warehouse.name, "disabled", 0)
	frappe.delete_doc(SWITCH, draft.name, force=True)
	frappe.db.commit()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_command_apply_after_a_warehouse_was_disabled_is_blocked_naming_it(site, worlds, draft_then_disabled_warehouse, fmt):
	_, warehouse = draft_then_disabled_warehouse
	run_command_case(site, worlds, ["apply", "--company", worlds.a.company, "--date", CUTOVER, "--yes"], 2, warehouse, fmt)


def test_api_submitting_a_draft_after_a_warehouse_was_disabled_fails_naming_it(worlds, draft_then_disabled_warehouse):
	draft, warehouse = draft_then_disabled_warehouse
	run_api_case(worlds, Api("apply_switch-disabled-warehouse", lambda w: api.apply_switch(draft), FAILED, lambda w: warehouse))
	frappe.db.rollback()
	assert frappe.db.get_value(SWITCH, draft, "docstatus") == 0
	assert not switch_records.applied_switches(worlds.a.company)
