"""Valuation taxes on invoices of receipts made under periodic inventory: what brings the invoice
to what its perpetual twin posts (engine.srbnb.twin_valuation_tax)."""

from decimal import Decimal as D

from perpetual_switch.engine.srbnb import ValuationTax, negative_expense_split, twin_valuation_tax


def taxes(*amounts):
	return [ValuationTax(f"t{i}", f"Tax {i}", "Main", D(a)) for i, a in enumerate(amounts)]


def test_one_tax_gives_back_all_that_was_debited_to_srbnb():
	assert twin_valuation_tax(D("20"), D("0"), taxes("20"), 2) == (("t0", "Tax 0", "Main", D("20.00")),)


def test_nothing_to_do_when_the_twin_posts_the_same():
	assert twin_valuation_tax(D("20"), D("20"), taxes("20"), 2) == ()
	assert twin_valuation_tax(D("20"), D("0"), (), 2) == ()


def test_two_taxes_split_as_erpnext_splits_them_and_add_up_exactly():
	lines = twin_valuation_tax(D("10"), D("0"), taxes("1", "2"), 2)
	assert [line[3] for line in lines] == [D("3.33"), D("6.67")]
	assert sum(line[3] for line in lines) == D("10.00")


def test_only_the_rows_the_twin_would_not_have_debited_are_taken_back():
	# Two rows of 6 and 4; the twin's receipt booked the tax for the first one only.
	lines = twin_valuation_tax(D("10"), D("4"), taxes("5", "5"), 2)
	assert [line[3] for line in lines] == [D("3.00"), D("3.00")]


def test_the_split_gives_the_last_tax_what_is_left():
	shares = negative_expense_split(D("10"), taxes("1", "1", "1"))
	assert sum(shares.values()) == D("10")
	assert shares["t2"] == D("10") - shares["t0"] - shares["t1"]


def test_a_deducted_tax_counts_negative():
	lines = twin_valuation_tax(D("10"), D("0"), taxes("30", "-10"), 2)
	assert [line[3] for line in lines] == [D("15.00"), D("-5.00")]
