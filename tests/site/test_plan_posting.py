"""Plan = posting, one table over every operation: a switch, a re-sync and a scheme change (ERPNext 16),
each plain and backdated, and the SRBNB clearing. For each, the plan the user reviews (its journals,
line by line, and for a backdated one the previewed GL change of the reposted documents) is summed per
account and compared, to the cent, with the GL that apply posts (the company's GL after minus
before). The command's --json and the download are built from the same plan (test_plan_contract)."""

from collections import defaultdict
from decimal import Decimal

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402

from .world import CUTOVER, fresh_s1, gl_by_account, journal, receipt, stock_issue  # noqa: E402

CENT = Decimal("0.01")


def reviewed_lines(plan: dict) -> dict:
	"""Debit minus credit per account over everything the reviewed plan says apply posts."""
	lines = defaultdict(Decimal)
	for entry in plan["journal_entries"]:
		for line in entry["lines"]:
			lines[line["account"]] += Decimal(line["debit"]) - Decimal(line["credit"])
	if plan.get("backdated"):
		assert plan["backdated"]["previewed"], "a backdated plan is reviewed with its GL change computed"
		for change in plan["backdated"]["account_changes"]:
			lines[change["account"]] += Decimal(change["change"])
	return {account: value.quantize(CENT) for account, value in lines.items() if value.quantize(CENT)}


def posted_lines(before: dict, after: dict) -> dict:
	accounts = set(before) | set(after)
	moved = {a: after.get(a, Decimal(0)) - before.get(a, Decimal(0)) for a in accounts}
	return {a: v for a, v in moved.items() if v}


def review(company: str, **options) -> dict:
	"""The plan as the wizard gets it; a backdated one with its GL change computed (the wizard's
	*Compute the GL change*, which runs at once in tests)."""
	plan = api.get_plan(company, CUTOVER, **options)
	assert plan["blockers"] == [], plan["blockers"]
	if options.get("backdated"):
		args = {k: v for k, v in plan["options"].items() if v is not None}
		args = {k: int(v) if isinstance(v, bool) else v for k, v in args.items()}
		api.enqueue_backdated_preview(fingerprint=plan["fingerprint"], **args)
		result = api.backdated_preview_result(company)
		assert result["status"] == "Done", result
		assert result["plan"]["fingerprint"] == plan["fingerprint"]
		# The wizard keeps the options it posted, and shows the preview in place of the plan.
		plan = {**result["plan"], "options": plan["options"]}
	return plan


def apply_reviewed(company: str, plan: dict) -> None:
	args = {k: v for k, v in plan["options"].items() if v is not None}
	args = {k: int(v) if isinstance(v, bool) else v for k, v in args.items()}
	context = api.apply(fingerprint=plan["fingerprint"], **args)
	frappe.db.commit()
	assert context["switch"]["status"] == "Applied", context


def after_cutover(w, item, warehouse):
	"""Stock documents after the cutover, which a backdated operation reposts."""
	receipt(w, "2026-07-10", [(item, 5, 31, warehouse)])
	stock_issue(w, "2026-07-12", item, 7, warehouse)


def s1_world(label, abbr, perpetual, backdated):
	w = fresh_s1(label, abbr, perpetual=perpetual)
	if perpetual:
		# Drift for the re-sync: an entry by hand on a stock account before the cutover.
		journal(w, "2026-06-29", w.acc("Stock North"), w.acc("Stock Adjustment"), 40, by_hand=True)
	if backdated:
		after_cutover(w, w.items["A"], w.wh("N-Stores"))
	frappe.db.commit()
	return w


CASES = {
	"switch": dict(perpetual=False, backdated=False),
	"switch, backdated": dict(perpetual=False, backdated=True),
	"re-sync": dict(perpetual=True, backdated=False),
	"re-sync, backdated": dict(perpetual=True, backdated=True),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_switch_or_a_re_sync_posts_its_reviewed_plan(site, case):
	perpetual, backdated = CASES[case]["perpetual"], CASES[case]["backdated"]
	w = s1_world("PS Posting", "PP", perpetual, backdated)
	options = {"backdated": 1} if backdated else {}
	plan = review(w.company, **options)
	assert plan["mode"] == ("resync" if perpetual else "switch")
	expected = reviewed_lines(plan)
	assert expected, "the case has something to post"
	before = gl_by_account(w.company)
	apply_reviewed(w.company, plan)
	assert posted_lines(before, gl_by_account(w.company)) == expected
	services.rollback(w.company)
	frappe.db.commit()
	assert gl_by_account(w.company) == before


@pytest.mark.parametrize("backdated", [False, True], ids=["plain", "backdated"])
def test_a_scheme_change_posts_its_reviewed_plan(site, backdated):
	from .test_scheme import delivery, make_world, needs_item_wise

	needs_item_wise()
	w = make_world()
	if backdated:
		receipt(w, "2026-07-15", [(w.items["OWN"], 2, 110, w.a)])
		delivery(w, "2026-07-20", w.items["OWN"], 3, w.b)
		frappe.db.commit()
	plan = review(w.company, scheme="item-wise", **({"backdated": 1} if backdated else {}))
	assert plan["mode"] == "scheme"
	expected = reviewed_lines(plan)
	assert expected
	before = gl_by_account(w.company)
	apply_reviewed(w.company, plan)
	assert posted_lines(before, gl_by_account(w.company)) == expected
	services.rollback(w.company)
	frappe.db.commit()
	assert gl_by_account(w.company) == before


def test_an_srbnb_clearing_posts_its_reviewed_plan(site):
	from .test_one_lifecycle import CLEAR_ON, clearing_world, undo_all

	w = clearing_world("PS Posting Clear")
	try:
		plan = api.srbnb_clearing_plan(w.company, CLEAR_ON, causes="rate,entry_by_hand")
		assert plan["has_work"]
		expected = reviewed_lines({"journal_entries": [plan["journal"]]})
		before = gl_by_account(w.company)
		api.srbnb_clearing_apply(w.company, CLEAR_ON, causes="rate,entry_by_hand", fingerprint=plan["fingerprint"])
		frappe.db.commit()
		assert posted_lines(before, gl_by_account(w.company)) == expected
	finally:
		undo_all(w.company)
