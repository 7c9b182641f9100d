from datetime import date

from perpetual_switch.engine.freeze import STOCK_DOCTYPES, plan_freeze
from perpetual_switch.engine.models import AccountingPeriod


def test_gaps_get_new_periods_and_inner_periods_are_extended():
	periods = [
		AccountingPeriod("Feb", date(2026, 2, 1), date(2026, 2, 28), frozenset({"Stock Entry"})),
		AccountingPeriod("Apr", date(2026, 4, 1), date(2026, 4, 30), frozenset(STOCK_DOCTYPES)),
		AccountingPeriod("Other", date(2027, 1, 1), date(2027, 1, 31)),
	]
	plan, issues = plan_freeze(date(2026, 1, 1), date(2026, 6, 30), periods, STOCK_DOCTYPES)
	assert issues == []
	assert plan.new_periods == (
		(date(2026, 1, 1), date(2026, 1, 31)),
		(date(2026, 3, 1), date(2026, 3, 31)),
		(date(2026, 5, 1), date(2026, 6, 30)),
	)
	assert plan.extend_periods == (("Feb", tuple(d for d in STOCK_DOCTYPES if d != "Stock Entry")),)


def test_period_across_the_cutover_is_a_blocker():
	periods = [AccountingPeriod("H1+", date(2026, 6, 1), date(2026, 7, 31))]
	plan, issues = plan_freeze(date(2026, 1, 1), date(2026, 6, 30), periods, STOCK_DOCTYPES)
	assert [i.code for i in issues] == ["accounting_period_straddles_cutover"]
	assert plan.new_periods == ((date(2026, 1, 1), date(2026, 5, 31)),)
