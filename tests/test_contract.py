"""One contract at the boundary, checked without a site: the switch's options are declared once
(engine.models.OPTION_KINDS beside SwitchOptions), every endpoint and command that takes them is built
from that declaration, and the wizard posts back the options and fingerprint of the plan it showed."""

import ast
import dataclasses
import pathlib
import re
from datetime import date

from perpetual_switch.engine.models import OPTION_FIELDS, OPTION_KINDS, SwitchOptions, WireError

ROOT = pathlib.Path(__file__).resolve().parents[1] / "perpetual_switch"


def _decorated(path: pathlib.Path) -> dict[str, set[str]]:
	"""Function name -> the names of its decorators (the last dotted part, calls included)."""
	found = {}
	for node in ast.walk(ast.parse(path.read_text())):
		if isinstance(node, ast.FunctionDef):
			names = set()
			for d in node.decorator_list:
				target = d.func if isinstance(d, ast.Call) else d
				names.add(target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", ""))
			found[node.name] = names
	return found


def test_the_declaration_names_every_option():
	assert [f.name for f in dataclasses.fields(SwitchOptions)] == list(OPTION_FIELDS)
	assert set(OPTION_KINDS.values()) <= {"text", "date", "flag", "mapping"}


def test_options_travel_as_text_and_back_unchanged():
	options = SwitchOptions(
		"C", "2026-06-30", "Exp - C", "Main - C", freeze_stock=False, freeze_accounts=True,
		company_defaults={"stock_adjustment_account": "SA - C"}, backdated=True, scheme="item-wise", resync=True,
	)  # fmt: skip
	assert all(getattr(options, f.name) != f.default for f in dataclasses.fields(SwitchOptions) if f.default is not dataclasses.MISSING)
	wire = {k: (int(v) if isinstance(v, bool) else v) for k, v in options.as_dict().items()}
	assert SwitchOptions.from_wire(wire) == options
	assert SwitchOptions.from_wire({"company": "C", "cmd": "ignored"}) == SwitchOptions("C")


def test_a_bad_value_is_refused_naming_its_option():
	for values, name in (
		({"company": "C", "backdated": "maybe"}, "backdated"),
		({"company": "C", "company_defaults": "{not json"}, "company_defaults"),
		({"company": "C", "company_defaults": "[1]"}, "company_defaults"),
		({"company": ""}, "company"),
	):
		try:
			SwitchOptions.from_wire(values)
		except WireError as e:
			assert e.args[0] == name
		else:
			raise AssertionError(values)


def test_every_endpoint_that_plans_previews_downloads_or_applies_takes_every_option():
	decorated = _decorated(ROOT / "api.py")
	for endpoint in ("get_plan", "apply", "enqueue_backdated_preview", "_download_options"):
		assert "takes_options" in decorated[endpoint], endpoint
	source = (ROOT / "api.py").read_text()
	(kinds,) = [
		node.value
		for node in ast.walk(ast.parse(source))
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "kinds" for t in node.targets)
	]
	assert {k.value for k in kinds.keys} >= set(OPTION_KINDS.values())
	# download_plan hands every option on to _download_options, fingerprint included.
	assert 'k in OPTION_KINDS or k == "fingerprint"' in source and "_download_options(company, cutover_date=cutover_date" in source


def test_every_command_that_plans_or_applies_takes_every_option():
	path = ROOT / "commands" / "__init__.py"
	decorated = _decorated(path)
	for command in ("check_command", "plan_command", "apply_command"):
		assert "switch_options" in decorated[command], command
	tree = ast.parse(path.read_text())
	(flags,) = [
		node.value
		for node in ast.walk(tree)
		if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "OPTION_FLAGS" for t in node.targets)
	]
	assert {k.value for k in flags.keys} == set(OPTION_FIELDS) - {"company"}


def test_the_wizard_posts_back_what_it_showed():
	js = (ROOT / "perpetual_inventory" / "page" / "perpetual_switch_wizard" / "perpetual_switch_wizard.js").read_text()
	reviewed = js[js.index("reviewed() {") :]
	reviewed = reviewed[: reviewed.index("\n\t}\n")]
	assert "this.plan.options" in reviewed and "args.fingerprint = this.plan.fingerprint" in reviewed
	for method in ("download_plan", "enqueue_backdated_preview", "apply`"):
		at = js.index(method)
		assert "this.reviewed()" in js[at - 200 : at + 200] or "args" in js[at - 200 : at + 200], method
	assert js.count("this.reviewed()") >= 3
	# The review step still offers Apply and Roll back.
	assert '$apply.on("click", () => this.apply())' in js and "this.rollback());" in js
	# Nothing else builds their arguments from the form's values any more.
	assert "company_defaults: this.overrides" not in js[js.index("offer_preview()") :]
	report = (ROOT / "perpetual_inventory" / "report" / "srbnb_reconciliation" / "srbnb_reconciliation.js").read_text()
	assert "fingerprint: p.fingerprint" in report


def test_a_fingerprint_follows_what_apply_posts():
	from dataclasses import replace
	from decimal import Decimal

	from perpetual_switch.engine.models import FreezePlan, JournalLine, JournalPlan, Plan, SrbnbSummary
	from perpetual_switch.engine.operation import choose
	from perpetual_switch.engine.serialize import plan_changed, plan_fingerprint

	journal = JournalPlan("stock_sync", (JournalLine("Stock - C", Decimal("10.00")), JournalLine("Exp - C", credit=Decimal("10.00"))))
	plan = Plan(
		"C", date(2026, 6, 30), "EUR", 2, False, "Exp - C", "Main - C", (), (), (), (),
		SrbnbSummary("SRBNB - C", Decimal(0), Decimal(0), ()), (journal,), (), FreezePlan(("Purchase Receipt",)),
		operation=choose(False),
	)  # fmt: skip
	same = plan_fingerprint(plan)
	assert plan_fingerprint(replace(plan, warnings=())) == same
	other = replace(journal, lines=(JournalLine("Stock - C", Decimal("10.01")), JournalLine("Exp - C", credit=Decimal("10.01"))))
	assert plan_fingerprint(replace(plan, journal_entries=(other,))) != same
	assert plan_fingerprint(replace(plan, freeze=FreezePlan(("Purchase Receipt", "Journal Entry")))) != same
	assert plan_changed(None, plan) is None and plan_changed(same, plan) is None
	assert plan_changed("0" * 20, plan).code == "plan_changed"
