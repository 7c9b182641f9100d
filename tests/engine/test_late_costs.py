from decimal import Decimal as D

from perpetual_switch.engine.late_costs import Charge, by_account, late_cost, share_charges, value_changes


def balanced(journal):
	assert journal.total_debit == journal.total_credit
	return {(l.account, l.debit, l.credit, l.cost_center) for l in journal.lines}


def test_freight_split_between_stock_and_the_units_issued_before_the_cutover():
	# 12 units of A at 7.50 and 6 of B at 5.00 received on or before the cutover; 5 A issued before it.
	# 18.00 freight by quantity: 1.00 a unit. On the cutover A holds 7 units, B 6 (2 leave later).
	before = {"W1": D("52.50") + D("30.00")}
	after = {"W1": D("59.50") + D("36.00")}
	changes = by_account(value_changes(before, after), {"W1": "Stock W1"})
	assert changes == {"Stock W1": D("13.00")}
	result = late_cost(changes, [Charge("Freight", D("18.00"), "Main")], "COGS", "Main", 2)
	assert (result.to_stock, result.to_expense, result.charges) == (D("13.00"), D("5.00"), D("18.00"))
	assert balanced(result.journal) == {
		("Stock W1", D("13.00"), D("0"), None),
		("Freight", D("0"), D("18.00"), "Main"),
		("COGS", D("5.00"), D("0"), "Main"),
	}


def test_a_rate_revaluation_without_charges_credits_the_expense_account():
	result = late_cost({"Stock W1": D("3.333"), "Stock W2": D("-1.004")}, [], "COGS", "Main", 2)
	assert (result.to_stock, result.to_expense) == (D("2.33"), D("-2.33"))
	assert balanced(result.journal) == {
		("Stock W1", D("3.33"), D("0"), None),
		("Stock W2", D("0"), D("1.00"), None),
		("COGS", D("0"), D("2.33"), "Main"),
	}


def test_nothing_moved_gives_no_journal():
	assert late_cost({"Stock W1": D("0.001")}, [], "COGS", "Main", 2).journal is None


def test_warehouses_sharing_an_account_are_summed_and_a_warehouse_on_one_side_counts():
	changes = value_changes({"W1": D("10"), "W2": D("5")}, {"W1": D("12"), "W3": D("1")})
	assert changes == {"W1": D("2"), "W2": D("-5"), "W3": D("1")}
	assert by_account(changes, {"W1": "S", "W2": "S", "W3": "T"}) == {"S": D("-3"), "T": D("1")}


def test_charges_are_shared_in_proportion_and_add_up_exactly():
	shares = share_charges(D("10.00"), [Charge("F", D("1")), Charge("C", D("1")), Charge("H", D("1"))], 2)
	assert [s.amount for s in shares] == [D("3.33"), D("3.33"), D("3.34")]
	assert share_charges(D("0"), [Charge("F", D("1"))], 2) == ()
