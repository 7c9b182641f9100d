from decimal import Decimal as D

from perpetual_switch.engine.export import SHEETS, from_csv, plan_sheets, to_csv
from perpetual_switch.engine.plan import build_plan
from perpetual_switch.engine.serialize import plan_to_dict

from .s1_world import s1_inputs


def test_the_plan_as_sheets_with_amounts_as_numbers_and_a_csv_that_reads_back():
	plan = plan_to_dict(build_plan(s1_inputs()))
	sheets = plan_sheets(plan)
	assert tuple(sheets) == SHEETS
	headers, rows = sheets["Stock Accounts"]
	assert headers[:2] == ["Stock Account", "Stock Value"]
	assert sum(r[1] for r in rows) == sum(D(a["stock_value"]) for a in plan["stock_accounts"])
	assert all(isinstance(r[1], D) for r in rows)
	lines = sheets["Journal Lines"][1]
	assert sum(r[2] for r in lines) == sum(r[3] for r in lines)
	receipts = sheets["Receipts Accrued"][1]
	assert sum(r[4] for r in receipts) == D(plan["srbnb"]["unbilled_value"])
	back = from_csv(to_csv(sheets))
	assert list(back) == list(sheets)
	for name, (headers, rows) in sheets.items():
		assert back[name][0] == headers
		assert back[name][1] == [["" if v is None else str(v) for v in row] for row in rows]


def test_a_backdated_plan_adds_what_it_reposts_and_the_gl_change():
	from dataclasses import replace

	from perpetual_switch.engine import backdated as b
	from perpetual_switch.engine.export import BACKDATED_SHEETS

	plan = build_plan(s1_inputs())
	part = b.BackdatedPlan(
		vouchers=3,
		by_type=(("Purchase Receipt", 1), ("Delivery Note", 2)),
		previewed=True,
		account_changes=b.account_changes({"COGS": D("332")}, {"COGS": D("90.67"), "Stock": D("241.33")}, 2),
	)
	sheets = plan_sheets(plan_to_dict(replace(plan, backdated=part)))
	assert tuple(sheets) == SHEETS + BACKDATED_SHEETS
	assert sheets["Documents to Repost"][1] == [["Purchase Receipt", 1], ["Delivery Note", 2]]
	assert sheets["GL Change"][1] == [["COGS", D("332.00"), D("90.67"), D("-241.33")], ["Stock", D("0.00"), D("241.33"), D("241.33")]]
	assert sum(r[3] for r in sheets["GL Change"][1]) == 0
