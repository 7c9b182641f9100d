"""Company-default overrides are checked as ERPNext's Company form checks them: account type and
root type per field, ledger, enabled, same company."""

import pytest

from perpetual_switch.engine.plan import build_plan

from .s1_world import ACCOUNTS, acc, s1_inputs

ACCOUNTS_PLUS = {
	**ACCOUNTS,
	"Disabled Adj - PSD": acc("Disabled Adj - PSD", "Stock Adjustment", "Profit and Loss", disabled=True),
	"Other SRBNB - OTHER": acc("Other SRBNB - OTHER", "Stock Received But Not Billed", root_type="Liability", company="Other Co"),
}


@pytest.mark.parametrize(
	"field, value, code",
	[
		("stock_received_but_not_billed", "Stock North - PSD", "default_account_wrong_type"),
		("stock_adjustment_account", "Stock North - PSD", "default_account_wrong_type"),
		("expenses_included_in_valuation", "Stock Received But Not Billed - PSD", "default_account_wrong_type"),
		("default_inventory_account", "Cost of Goods Sold - PSD", "default_account_wrong_type"),
		("round_off_account", "Stock North - PSD", "default_account_wrong_type"),
		("stock_adjustment_account", "Disabled Adj - PSD", "default_account_invalid"),
		("stock_received_but_not_billed", "Other SRBNB - OTHER", "default_account_invalid"),
		("stock_adjustment_account", "Stock Assets - PSD", "default_account_invalid"),
		("stock_adjustment_account", "No Such Account", "default_account_invalid"),
	],
)
def test_an_override_of_the_wrong_kind_blocks_naming_field_and_value(field, value, code):
	plan = build_plan(s1_inputs(accounts=ACCOUNTS_PLUS, default_overrides={field: value}))
	issues = [b for b in plan.blockers if b.code == code]
	assert issues, plan.blockers
	assert value in issues[0].message and field in issues[0].message


def test_a_right_override_is_proposed():
	plan = build_plan(s1_inputs(default_overrides={"stock_adjustment_account": "Stock Adjustment - PSD"}))
	assert not plan.blockers
	assert {c.field: c.proposed for c in plan.company_defaults}["stock_adjustment_account"] == "Stock Adjustment - PSD"
