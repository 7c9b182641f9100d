"""Clearing SRBNB residuals: which residuals, what blocks, and a journal that balances to the cent."""

from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine.srbnb_clearing import (
	ClearingFacts,
	choose,
	clearing_blockers,
	clearing_journal,
	revaluations,
)
from perpetual_switch.engine.srbnb_reconcile import RowReconciliation, VoucherLine

DAY = date(2026, 10, 20)


def row(name, causes, posted=date(2026, 10, 5)):
	residual = sum(causes.values(), D(0))
	return RowReconciliation(name, f"{name}-1", "ITEM", "To Bill", posted, residual, D(0), residual, causes, ())


ROWS = [row("PR-1", {"rate": D(-10), "closed": D(40)}), row("PR-2", {"discount": D(3)}, date(2026, 1, 5))]
LINES = [VoucherLine("Journal Entry", "JE-1", DAY, "entry_by_hand", D(-7))]


def test_choose_by_cause_and_source_and_what_revalues():
	lines = choose(ROWS, LINES)
	assert [(l.source, l.cause, l.amount, l.revalue) for l in lines] == [
		("PR-1", "rate", D(-10), True),
		("PR-1", "closed", D(40), False),
		("PR-2", "discount", D(3), True),
		("JE-1", "entry_by_hand", D(-7), False),
	]
	assert [l.cause for l in choose(ROWS, LINES, causes={"closed"})] == ["closed"]
	assert [l.source for l in choose(ROWS, LINES, sources={"PR-2-1", "JE-1"})] == ["PR-2", "JE-1"]
	# A receipt on or before the stock freeze is not re-valued: its cost residual goes to expense.
	frozen = choose(ROWS, LINES, causes={"discount"}, stock_frozen_until=date(2026, 3, 31))
	assert [(l.source, l.revalue) for l in frozen] == [("PR-2", False)]
	assert revaluations(lines) == {("PR-1", "PR-1-1"): D(10), ("PR-2", "PR-2-1"): D(-3)}


def test_the_journal_balances_with_the_share_in_stock():
	lines = choose(ROWS, LINES)
	journal = clearing_journal(lines, "SRBNB", "Adjust", "Main", 2, {"Stock A": D(6), "Stock B": D("-1.005")})
	by_account = {l.account: (l.debit, l.credit) for l in journal.lines}
	assert by_account["SRBNB"] == (D("26.00"), D(0))
	assert by_account["Stock A"] == (D("6.00"), D(0)) and by_account["Stock B"] == (D(0), D("1.01"))
	assert journal.total_debit == journal.total_credit
	assert clearing_journal((), "SRBNB", "Adjust", None, 2) is None


def test_blockers_name_what_blocks_and_nothing_chosen_blocks():
	facts = ClearingFacts(
		closing_voucher_until=date(2026, 12, 31), closed_period="AP-1", frozen_until=date(2026, 12, 31),
		busy="SRBNB-CLR-1", expense_problem="Account X is disabled.", pending_repost="RIV-1",
	)
	codes = [i.code for i in clearing_blockers(tuple(choose(ROWS, LINES)), DAY, facts, {"PR-9"})]
	assert codes == [
		"source_without_residual", "closed_by_period_closing", "closed_accounting_period", "accounts_frozen",
		"pending_repost", "clearing_running", "expense_account",
	]
	assert [i.code for i in clearing_blockers((), DAY, ClearingFacts())] == ["nothing_to_clear"]
	# A pending repost blocks only a clearing that re-values receipts.
	only_closed = tuple(choose(ROWS, LINES, causes={"closed"}))
	assert clearing_blockers(only_closed, DAY, ClearingFacts(pending_repost="RIV-1")) == []
