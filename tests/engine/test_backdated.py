"""The backdated switch's pure parts: which order vouchers are reposted in, what changed per account."""

from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine import backdated as b
from perpetual_switch.engine.models import DatedDocument, StockAccountLine


def v(kind, name, day, time="000036000.000000", creation="2026-01-01 10:00:00", stock=True):
	return b.RepostVoucher(kind, name, date(2026, 1, day), time, creation, stock)


def test_date_order_with_receipts_before_the_invoices_and_deliveries_of_the_same_moment():
	vouchers = [
		v("Delivery Note", "DN-1", 5),
		v("Purchase Invoice", "PI-1", 5, stock=False),
		v("Purchase Receipt", "PR-1", 5),
		v("Stock Entry", "SE-1", 3),
		v("Purchase Receipt", "PR-0", 5, time="000032400.000000"),
	]
	assert [x.voucher_no for x in b.order(vouchers)] == ["SE-1", "PR-0", "PR-1", "PI-1", "DN-1"]
	assert b.count_by_type(vouchers) == (
		("Purchase Receipt", 2),
		("Purchase Invoice", 1),
		("Stock Entry", 1),
		("Delivery Note", 1),
	)


def test_gl_difference_per_voucher_and_per_account():
	before = b.net_by_account([("COGS", D("100"), 0), ("Creditors", 0, D("100"))])
	after = b.net_by_account([("SRBNB", D("100"), 0), ("Creditors", 0, D("100"))])
	change = b.voucher_change(v("Purchase Invoice", "PI-1", 5, stock=False), before, after, 2)
	assert change.changes == (("COGS", D("-100.00")), ("SRBNB", D("100.00")))
	lines = b.account_changes({"COGS": D("332"), "Stock": D("0")}, {"COGS": D("90.666"), "Stock": D("130.66"), "Same": D("1")}, 2)
	assert [(c.account, c.before, c.after, c.change) for c in lines] == [
		("COGS", D("332.00"), D("90.67"), D("-241.33")),
		("Same", D("0.00"), D("1.00"), D("1.00")),
		("Stock", D("0.00"), D("130.66"), D("130.66")),
	]


def test_closing_journal_brings_stock_accounts_to_their_value_and_balances():
	journal = b.closing_journal(
		[StockAccountLine("Stock", D("330.66"), D("300.00")), StockAccountLine("Stock Two", D("45.34"), D("45.34"))],
		"COGS",
		"Main",
		2,
	)
	assert [(l.account, l.debit, l.credit) for l in journal.lines] == [("Stock", D("30.66"), 0), ("COGS", 0, D("30.66"))]
	assert journal.total_debit == journal.total_credit
	assert b.closing_journal([StockAccountLine("Stock", D("1"), D("1"))], "COGS", None, 2) is None


def test_closed_periods_block_and_journals_by_hand_warn():
	blockers, warnings = b.issues(
		date(2025, 12, 31),
		[DatedDocument("Period Closing Voucher", "PCV-1", date(2026, 6, 30))],
		[DatedDocument("Accounting Period", "Q1", date(2026, 3, 31))],
		[DatedDocument("Journal Entry", "JE-1", date(2026, 2, 1))],
	)
	assert [i.code for i in blockers] == ["period_closing_after_cutover", "accounting_period_closed_after_cutover"]
	assert "PCV-1" in blockers[0].message and "Q1" in blockers[1].message
	assert [i.code for i in warnings] == ["manual_stock_journal_after_cutover"]
	assert "Journal Entry JE-1" in warnings[0].message
	assert b.issues(date(2025, 12, 31), [], [], []) == ([], [])
