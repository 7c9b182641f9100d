from decimal import Decimal as D

from perpetual_switch.engine.models import ReceiptRow
from perpetual_switch.engine.srbnb import clearing_for_invoice_row, unbilled, unbilled_receipts


def test_unbilled_by_quantity_at_row_net_rate():
	row = ReceiptRow("PR", "r", "I", "To Bill", D(3), D("10.00"), D(0), D(1))
	assert unbilled(row, 2) == (D(2), D("6.67"))
	assert unbilled(ReceiptRow("PR", "r", "I", "To Bill", D(3), D("10"), D(1), D(3)), 2) == (0, 0)


def test_closed_receipts_are_warnings_not_accruals():
	rows = [
		ReceiptRow("PR-C", "c", "I", "Closed", D(2), D("40"), D(0), D(0)),
		ReceiptRow("PR-O", "o", "I", "To Bill", D(2), D("40"), D(0), D(0)),
	]
	lines, warnings = unbilled_receipts(rows, 2, "EUR")
	assert [l.purchase_receipt for l in lines] == ["PR-O"]
	assert [w.subject for w in warnings] == ["PR-C"]


def test_s1_pr2_billed_at_higher_rate_clears_600_and_moves_15():
	c = clearing_for_invoice_row(D(30), D("600"), D(0), D(0), D(30), D("615"), 2)
	assert (c.qty, c.value, c.rate_difference) == (D(30), D("600.00"), D("15.00"))


def test_billed_in_pieces_clears_to_the_cent():
	first = clearing_for_invoice_row(D(3), D("10.00"), D(0), D(0), D(1), D("3.33"), 2)
	second = clearing_for_invoice_row(D(3), D("10.00"), first.qty, first.value, D(1), D("3.33"), 2)
	third = clearing_for_invoice_row(
		D(3), D("10.00"), first.qty + second.qty, first.value + second.value, D(5), D("16.65"), 2
	)
	assert first.value + second.value + third.value == D("10.00")
	assert third.qty == D(1) and third.rate_difference == D("16.65") - third.value


def test_over_billing_beyond_accrual_is_not_routed():
	c = clearing_for_invoice_row(D(3), D("10"), D(3), D("10"), D(1), D("4"), 2)
	assert c.qty == 0 and c.value == 0


def test_debit_note_gives_back_what_was_cleared():
	c = clearing_for_invoice_row(D(30), D("600"), D(30), D("600"), D(-30), D("-615"), 2)
	assert (c.qty, c.value, c.rate_difference) == (D(-30), D("-600.00"), D("-15.00"))
