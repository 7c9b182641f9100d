"""The SRBNB reconciliation's row model: every residual split by cause, the causes adding up to it."""

from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine.srbnb_reconcile import (
	Movement,
	ReceiptFacts,
	Totals,
	VoucherLine,
	modelled_invoice_row,
	reconcile_row,
	reconciliation_sheets,
	row_to_dict,
	settled_row,
	settled_value,
	totals_to_dict,
	voucher_line,
)

DAY = date(2026, 7, 1)


def receipt(qty="10", value="100", billed="0", returned="0", status="To Bill", posted=True, accrued=None,
	amount_difference="0", rate="1", gross=None, net=None):
	unit = D(value) / D(qty) / D(rate)
	return ReceiptFacts("PR-1", "row-1", "ITEM", status, DAY, D(qty), D(value), D(returned), D(billed),
		D(amount_difference), D(gross) if gross else unit, D(net) if net else unit, D(rate), posted, accrued)


def invoice(qty, gross, net=None, rate="1", receipt_rate="1", receipt_net=None, tax="0", kind="invoice", cleared=None, name="PI-1"):
	net = D(net or gross)
	q = D(qty)
	base_net = q * net * D(rate)
	d, x, t = modelled_invoice_row(base_net, q, net, D(rate), D(receipt_net or net), D(receipt_rate), D(tax), D(0), 2)
	return Movement(kind, "Purchase Invoice", name, DAY, q, -(d + x + t), D(gross), net, D(rate), x, t,
		None if cleared is None else D(cleared))


def check(row):
	assert sum(row.causes.values(), D(0)) == row.residual
	assert row.residual == row.held - row.expected
	return row


def test_billed_at_the_receipts_rate_leaves_nothing():
	row = check(reconcile_row(receipt(billed="10"), [invoice("10", "10")], 2))
	assert (row.held, row.expected, row.residual, row.causes) == (D(0), D(0), D(0), {})


def test_partly_billed_holds_the_rest_at_the_receipts_value():
	row = check(reconcile_row(receipt(billed="4"), [invoice("4", "10")], 2))
	assert (row.held, row.expected, row.residual) == (D(60), D(60), D(0))


def test_rate_difference():
	row = check(reconcile_row(receipt(billed="10"), [invoice("10", "11")], 2))
	assert row.residual == D(-10) and row.causes == {"rate": D(-10)}
	assert row.vouchers == (("Purchase Invoice", "PI-1", DAY),)


def test_buying_settings_revaluing_the_receipt_nets_the_rate_difference():
	row = check(reconcile_row(receipt(billed="10", amount_difference="10"), [invoice("10", "11")], 2))
	assert row.residual == 0 and row.causes == {}


def test_exchange_rate_alone_is_compensated_by_erpnext():
	row = check(reconcile_row(receipt(billed="10"), [invoice("10", "10", rate="1.2", receipt_rate="1")], 2))
	assert (row.held, row.residual, row.causes) == (D(0), D(0), {})


def test_exchange_and_rate_together():
	facts = receipt(billed="10")
	row = check(reconcile_row(facts, [invoice("10", "11", rate="1.2", receipt_rate="1", receipt_net="10")], 2))
	assert row.causes == {"rate": D("-12.00"), "exchange": D("-20.00")}


def test_invoice_level_discount():
	row = check(reconcile_row(receipt(billed="10"), [invoice("10", "10", net="9")], 2))
	assert row.causes == {"discount": D(10)}


def test_valuation_taxes():
	row = check(reconcile_row(receipt(billed="10"), [invoice("10", "10", tax="5")], 2))
	assert row.causes == {"valuation_tax": D(-5)}


def test_closed_with_unbilled_rows():
	row = check(reconcile_row(receipt(billed="6", status="Closed"), [invoice("6", "10")], 2))
	assert (row.held, row.expected, row.causes) == (D(40), D(0), {"closed": D(40)})


def test_over_billing():
	row = check(reconcile_row(receipt(billed="12"), [invoice("12", "10")], 2))
	assert (row.expected, row.causes) == (D(0), {"over_billing": D(-20)})


def test_return_and_debit_note_that_differ():
	moves = [
		invoice("10", "10"),
		Movement("return", "Purchase Receipt", "PR-RET", DAY, D(2), D(-18)),
		invoice("-2", "10", kind="debit_note", name="PI-DN"),
	]
	row = check(reconcile_row(receipt(billed="8", returned="2"), moves, 2))
	assert row.causes == {"return_mismatch": D(2)}


def test_billed_to_another_account():
	row = check(reconcile_row(receipt(billed="10"), [], 2))
	assert row.causes == {"not_through_srbnb": D(100)}


def test_received_before_perpetual_and_never_accrued():
	row = check(reconcile_row(receipt(posted=False), [], 2))
	assert (row.held, row.expected, row.causes) == (D(0), D(100), {"not_accrued": D(-100)})


def test_accrued_by_the_switch_and_cleared_by_the_app():
	facts = receipt(billed="10", posted=False, accrued="100")
	row = check(reconcile_row(facts, [invoice("10", "11", cleared="10")], 2))
	assert (row.held, row.residual) == (D(0), D(0))


def test_accrued_and_billed_at_another_price_leaves_the_rate_cause_as_on_a_perpetual_company():
	# The app records the clearing with no journal: the price difference stays in SRBNB.
	facts = receipt(billed="10", posted=False, accrued="100")
	row = check(reconcile_row(facts, [invoice("10", "11", cleared="0")], 2))
	assert (row.held, row.residual, row.causes) == (D(-10), D(-10), {"rate": D(-10)})


def test_accrued_in_a_foreign_currency_and_billed_at_another_exchange_rate_holds_nothing():
	# ERPNext's own exchange-rate entry brings the invoice's SRBNB debit back to the receipt's value.
	facts = receipt(billed="10", posted=False, accrued="110", value="110", rate="1.1")
	row = check(reconcile_row(facts, [invoice("10", "10", rate="1.2", receipt_rate="1.1", cleared="0")], 2))
	assert (row.held, row.residual) == (D(0), D(0))


def test_a_closed_periodic_receipt_holds_nothing_and_is_no_residual():
	row = check(reconcile_row(receipt(posted=False, status="Closed"), [], 2))
	assert (row.held, row.expected, row.residual) == (D(0), D(0), D(0))


def test_rounding_lands_on_unexplained_never_lost():
	row = check(reconcile_row(receipt(qty="3", value="10", billed="1"), [invoice("1", "3.33")], 2))
	assert row.expected == D("6.67") and sum(row.causes.values(), D(0)) == row.residual


def test_voucher_lines_and_the_tie():
	assert voucher_line("Journal Entry", "JE-1", DAY, D(5), D(0), D(0), False, 2).cause == "entry_by_hand"
	assert voucher_line("Purchase Invoice", "PI-9", DAY, D(-30), D(0), D(-30), False, 2).cause == "invoice_without_receipt"
	assert voucher_line("Journal Entry", "JE-2", DAY, D(5), D(5), D(0), True, 2) is None
	totals = Totals(2)
	row = reconcile_row(receipt(billed="10"), [invoice("10", "11")], 2)
	totals.add_row(row)
	totals.add_voucher_line(VoucherLine("Journal Entry", "JE-1", DAY, "entry_by_hand", D(5)))
	assert totals.tie(D(-5)) == 0
	data = totals_to_dict(totals, D(-4))
	assert data["not_attributed"] == "1.00" and data["ties"] is False
	sheets = reconciliation_sheets({"totals": data, "rows": [row_to_dict(row, 2)], "voucher_lines": []})
	assert sheets["SRBNB Receipt Rows"][1][0][7] == D("-10.00")


def test_a_clearing_takes_the_residual_of_its_cause_away():
	facts = receipt(billed="10")._replace(cleared=(("rate", D(-10)),))
	row = check(reconcile_row(facts, [invoice("10", "11")], 2))
	assert (row.held, row.residual, row.causes) == (D(0), D(0), {})
	line = voucher_line("Journal Entry", "JE-C", DAY, D(7), D(0), D(0), True, 2, "entry_by_hand")
	assert (line.cause, line.amount) == ("entry_by_hand", D(7))


def _settled_or_modelled(facts):
	"""settled_value's verdict on an unmoved row, against what reconcile_row makes of it."""
	row = reconcile_row(facts, [], 2)
	value = settled_value(facts.status, facts.stock_qty, facts.base_net_amount, facts.receipt_posted,
		facts.amount_difference, facts.accrued, 2)
	if value is not None:
		# Settled: exactly the row the model gives, and totals as if added row by row.
		settled = settled_row(facts.purchase_receipt, facts.item_row, facts.item_code, facts.status, facts.posting_date, value)
		assert settled == row and str(settled.residual) == str(row.residual)
		by_row, at_once = Totals(2), Totals(2)
		by_row.add_row(row)
		at_once.add_settled(1, value)
		assert (at_once.rows, at_once.held, at_once.expected, at_once.residual, at_once.by_cause) == (
			by_row.rows, by_row.held, by_row.expected, by_row.residual, by_row.by_cause)
	return value, row


def test_a_row_nothing_moved_that_holds_its_value_is_settled_as_the_model_would():
	cases = [
		(receipt(), True),  # posted, open
		(receipt(posted=False, accrued=D(100)), True),  # accrued by the switch
		(receipt(posted=False, accrued=D("100.004")), True),  # rounds to the same cent
		(receipt(value="100.005", posted=False, accrued=D("100.01")), True),  # half up, as round_money
		(receipt(amount_difference="0.004"), True),  # a re-valuation that rounds to nothing
	]
	for facts, settled in cases:
		value, row = _settled_or_modelled(facts)
		assert (value is not None) == settled, facts
		assert row.residual == 0 and row.causes == {}


def test_rows_that_can_carry_a_residual_are_never_settled():
	for facts in [
		receipt(posted=False, accrued=D(90)),  # accrued at another value
		receipt(amount_difference="10"),  # re-valued: a rate cause
		receipt(posted=True, accrued=D(100)),  # both the receipt and an accrual
		receipt(posted=False),  # neither: not accrued
		receipt(status="Closed"),
		receipt(status="Completed", posted=False, accrued=D(100)),
		receipt(qty="1", value="100")._replace(stock_qty=D(0)),
		receipt(value="-100"),  # negative value: over-billing
		receipt(value="0.004"),  # rounds to nothing: not counted at all
	]:
		value, _row = _settled_or_modelled(facts)
		assert value is None, facts
