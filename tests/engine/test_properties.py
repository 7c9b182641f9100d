"""Every journal the engine builds balances to the cent, and posting it brings stock accounts to stock value."""

from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from perpetual_switch.engine.operation import choose
from perpetual_switch.engine.models import Account, Company, CostCenter, SwitchInputs, Warehouse
from perpetual_switch.engine.money import round_money
from perpetual_switch.engine.plan import build_plan
from perpetual_switch.engine.srbnb import clearing_for_invoice_row

C = "Co"
amounts = st.decimals(min_value=-10**7, max_value=10**7, places=6, allow_nan=False, allow_infinity=False)


@st.composite
def worlds(draw):
	precision = draw(st.sampled_from([0, 2, 3]))
	n_accounts = draw(st.integers(1, 4))
	account_names = [f"Stock {i}" for i in range(n_accounts)]
	accounts = {name: Account(name, C, account_type="Stock") for name in account_names}
	accounts["COGS"] = Account("COGS", C, account_type="Cost of Goods Sold", report_type="Profit and Loss")
	accounts["SRBNB"] = Account("SRBNB", C, account_type="Stock Received But Not Billed")
	n_wh = draw(st.integers(1, 8))
	warehouses = [Warehouse("Root", C, None, True, account_names[0])]
	for i in range(n_wh):
		own = draw(st.one_of(st.none(), st.sampled_from(account_names)))
		parent = draw(st.sampled_from([w.name for w in warehouses]))
		warehouses.append(Warehouse(f"W{i}", C, parent, False, own))
	stock_values = {w.name: draw(amounts) for w in warehouses if not w.is_group}
	gl = {a: draw(amounts) for a in account_names}
	return SwitchInputs(
		company=Company(C, "EUR", precision, False, "COGS", {"stock_received_but_not_billed": "SRBNB"}),
		cutover_date=date(2026, 6, 30),
		today=date(2026, 11, 22),
		expense_account="COGS",
		cost_center="Main",
		warehouses=tuple(warehouses),
		accounts=accounts,
		cost_centers={"Main": CostCenter("Main", C)},
		stock_values=stock_values,
		gl_balances=gl,
		freeze_stock=False,
		operation=choose(False),
	)


@settings(max_examples=200, deadline=None)
@given(worlds())
def test_journals_balance_and_bring_accounts_to_stock_value(data):
	plan = build_plan(data)
	assert plan.blockers == ()
	balances = {a.account: a.gl_balance for a in plan.stock_accounts}
	for journal in plan.journal_entries:
		assert journal.total_debit == journal.total_credit
		for line in journal.lines:
			assert line.debit >= 0 and line.credit >= 0 and (line.debit == 0 or line.credit == 0)
			if line.account in balances:
				balances[line.account] += line.debit - line.credit
	for line in plan.stock_accounts:
		assert balances[line.account] == line.stock_value
		assert line.stock_value == round_money(line.stock_value, data.company.precision)


@settings(max_examples=200, deadline=None)
@given(
	st.integers(1, 500),
	st.decimals(min_value=0, max_value=10**6, places=2),
	st.lists(st.integers(1, 200), min_size=1, max_size=8),
)
def test_clearing_in_pieces_never_exceeds_and_ends_exact(accrued_qty, accrued_value, pieces):
	cleared_qty, cleared_value = Decimal(0), Decimal(0)
	for qty in pieces:
		c = clearing_for_invoice_row(
			Decimal(accrued_qty), accrued_value, cleared_qty, cleared_value, Decimal(qty), Decimal(qty), 2
		)
		cleared_qty += c.qty
		cleared_value += c.value
		assert cleared_qty <= accrued_qty
	if cleared_qty == accrued_qty:
		assert cleared_value == accrued_value
