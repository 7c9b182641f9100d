"""S2's expected postings and limits as plain engine tests."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from perpetual_switch.engine.snc import (
	EXCESS_ONLY,
	WHOLE_OFFER,
	Offer,
	OfferAccounts,
	OfferLimits,
	decide_offer,
	decide_offers,
	offer_lines,
	reposted_decision,
)

ACC = OfferAccounts("3823", "6884", "6312", "243323")
LIMITS = OfferLimits(previous_year_turnover=D("100000"))


def offer(cost, qty=1, rate=23):
	return Offer("row", "ITEM", D(qty), D(cost), D(rate), ACC, "Main")


def totals(lines):
	return {(l.account, l.debit, l.credit) for l in lines}


def test_case_1_within_limit_posts_cost_only():
	o = offer("60.00", qty=2)
	d = decide_offer(o, LIMITS, D(0), 2)
	assert (d.taxable, d.vat, d.counted) == (0, 0, D("60.00"))
	assert totals(offer_lines(o, d)) == {("6884", D("60.00"), 0), ("3823", 0, D("60.00"))}


def test_case_2_over_unit_limit_taxes_the_whole_cost():
	o = offer("80.00")
	d = decide_offer(o, LIMITS, D(0), 2)
	assert (d.taxable, d.vat, d.counted, d.within_unit_limit) == (D("80.00"), D("18.40"), 0, False)
	assert totals(offer_lines(o, d)) == {
		("6884", D("80.00"), 0),
		("3823", 0, D("80.00")),
		("6312", D("18.40"), 0),
		("243323", 0, D("18.40")),
	}


def test_case_5_yearly_cap_taxes_the_excess_or_the_whole_offer():
	o = offer("60.00", qty=2)
	d = decide_offer(o, LIMITS, D("480.00"), 2)
	assert (d.taxable, d.vat) == (D("40.00"), D("9.20"))
	whole = decide_offer(o, OfferLimits(previous_year_turnover=D("100000"), policy=WHOLE_OFFER), D("480"), 2)
	assert (whole.taxable, whole.vat) == (D("60.00"), D("13.80"))


def test_madeira_and_azores_rates():
	assert decide_offer(offer("80", rate=22), LIMITS, D(0), 2).vat == D("17.60")
	assert decide_offer(offer("80", rate=16), LIMITS, D(0), 2).vat == D("12.80")


def test_repost_keeps_the_decision_and_follows_the_cost():
	d = decide_offer(offer("80"), LIMITS, D(0), 2)
	r = reposted_decision(d, D("90"), 2)
	assert (r.taxable, r.vat) == (D("90.00"), D("20.70"))
	exempt = reposted_decision(decide_offer(offer("20"), LIMITS, D(0), 2), D("25"), 2)
	assert (exempt.taxable, exempt.vat, exempt.counted) == (0, 0, D("25.00"))


@settings(max_examples=200, deadline=None)
@given(
	st.lists(st.tuples(st.integers(1, 10), st.decimals(min_value=D("0.01"), max_value=D("200"), places=2)), max_size=30),
	st.decimals(min_value=0, max_value=D("200000"), places=2),
	st.sampled_from([EXCESS_ONLY, WHOLE_OFFER]),
)
def test_offers_balance_and_never_tax_more_than_the_policy_allows(rows, turnover, policy):
	limits = OfferLimits(previous_year_turnover=turnover, policy=policy)
	offers = [offer(unit * qty, qty=qty) for qty, unit in rows]
	decisions = decide_offers(offers, limits, D(0), 2)
	exempt_room = limits.yearly_cap
	used = D(0)
	for o, d in zip(offers, decisions):
		lines = offer_lines(o, d)
		assert sum(l.debit for l in lines) == sum(l.credit for l in lines)
		assert 0 <= d.taxable <= d.cost
		if d.within_unit_limit:
			if used + d.cost <= exempt_room:
				assert d.taxable == 0
			elif policy == EXCESS_ONLY:
				assert abs(d.taxable - (d.cost - max(exempt_room - used, D(0)))) <= D("0.005")
			used += d.cost
		else:
			assert d.taxable == d.cost
	# Excess-only never taxes more than what exceeds the cap, summed over the year.
	if policy == EXCESS_ONLY:
		within = sum((d.cost for d in decisions if d.within_unit_limit), D(0))
		taxed = sum((d.taxable for d in decisions if d.within_unit_limit), D(0))
		assert taxed <= max(within - exempt_room, D(0)) + D("0.01") * len(decisions)


def test_a_returned_offer_reverses_its_share_of_cost_vat_and_running_total():
	from perpetual_switch.engine.snc import returned_decision

	o = offer("80.00", qty=2)
	original = decide_offer(o, OfferLimits(previous_year_turnover=D("100000")), D("480"), 2)
	half = returned_decision(original, D("40.00"), 2)
	assert (half.cost, half.counted) == (D("-40.00"), D("-40.00"))
	assert half.vat == -round(original.vat / 2, 2)
	lines = totals(offer_lines(o, half))
	assert ("3823", D("40.00"), 0) in lines and ("6884", 0, D("40.00")) in lines
	assert ("243323", -half.vat, 0) in lines


def test_a_reposted_zero_cost_offer_keeps_its_decision_and_rate():
	from perpetual_switch.engine.snc import BASIS_EXEMPT, OfferDecision, reposted_decision

	decision = OfferDecision("row", D("0"), D("0"), D("0"), D("0"), True, D("23"), BASIS_EXEMPT)
	after = reposted_decision(decision, D("80"), 2)
	assert (after.cost, after.taxable, after.vat, after.vat_rate, after.basis) == (D("80.00"), D("0"), D("0.00"), D("23"), BASIS_EXEMPT)


def test_a_reposted_taxed_offer_keeps_the_rate_it_was_decided_at():
	from perpetual_switch.engine.snc import BASIS_COST, OfferDecision, reposted_decision

	# 0.01 of cost taxed at 22 % rounds to 0.00 VAT: the rate cannot be read back off the amounts.
	decision = OfferDecision("row", D("0.01"), D("0.01"), D("0.00"), D("0"), False, D("22"), BASIS_COST)
	after = reposted_decision(decision, D("100"), 2)
	assert (after.taxable, after.vat) == (D("100.00"), D("22.00"))
