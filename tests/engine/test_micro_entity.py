"""Micro-entity status and the perpetual inventory duty (DL 158/2009, art. 9.º, 9.º-A, 12.º), at the edges."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpetual_switch.engine.micro_entity import (
	AGRICULTURE,
	EXEMPT_ACTIVITY,
	EXEMPTION_CODES,
	EXEMPTIONS,
	FIRST_PERIOD_NO_FIGURES,
	FISHING,
	FORESTRY,
	LIMITS,
	MANDATORY_EITHER_WAY,
	MANDATORY_FIRST_PERIOD,
	MANDATORY_KEPT,
	MANDATORY_KEPT_SINCE_FIRST,
	MANDATORY_SECOND_PERIOD,
	MANDATORY_TWO_YEARS,
	MICRO_FIRST_PERIOD,
	MICRO_KEPT,
	MICRO_KEPT_SINCE_FIRST,
	MICRO_SECOND_PERIOD,
	MICRO_TWO_YEARS,
	NOT_ENOUGH_DATA,
	NOT_ENOUGH_HISTORY,
	REASONS,
	RETAIL_POINTS_NOTE,
	SCOPE_COMPANY,
	SCOPE_RETAIL_POINTS,
	SERVICES,
	SMALL_RETAIL,
	YearFigures,
	classify,
	limits_for,
)

# Under the 2025 limits (350 000 / 700 000 / 10) and under the 2026 ones (450 000 / 900 000 / 10).
UNDER = ("100000", "200000", "3")
OVER = ("1000000", "2000000", "30")


def fig(year, balance_sheet_total=None, net_turnover=None, average_employees=None):
	return YearFigures(year, balance_sheet_total, net_turnover, average_employees)


def history(**years):
	"""history(y2023=OVER, y2024=UNDER) -> {2023: YearFigures(2023, ...), ...}."""
	return {int(key[1:]): fig(int(key[1:]), *values) for key, values in years.items()}


def summary(verdict):
	return verdict.mandatory, verdict.micro_entity, verdict.reason_code


def check_message(verdict):
	"""The reason (and note) fill completely and name the year and the article."""
	message = verdict.message
	assert "{" not in message and str(verdict.year) in message and "art." in message
	if verdict.note:
		assert "{" not in verdict.note_message and "art." in verdict.note_message
	return message


# Limits by period start


def test_limits_by_period_start():
	assert limits_for(date(2025, 1, 1)).as_dict() == {
		"balance_sheet_total": D("350000"),
		"net_turnover": D("700000"),
		"average_employees": D("10"),
	}
	assert limits_for(date(2026, 1, 1)).as_dict() == {
		"balance_sheet_total": D("450000"),
		"net_turnover": D("900000"),
		"average_employees": D("10"),
	}
	# A fiscal year that begins in 2025 keeps the old limits, even when it ends in 2026.
	assert limits_for(date(2025, 12, 31)).balance_sheet_total == D("350000")
	assert limits_for(date(2016, 1, 1)).source == "DL 98/2015"
	assert limits_for(date(2030, 7, 1)).source == "DL 126-B/2025"
	with pytest.raises(ValueError):
		limits_for(date(2015, 12, 31))
	assert [limit.valid_from for limit in LIMITS] == sorted(limit.valid_from for limit in LIMITS)


def test_non_calendar_year_uses_the_limits_of_its_start():
	figures = history(y2024=("400000", "800000", "5"), y2025=("400000", "800000", "5"))
	# Fiscal year "2026" beginning 1 October 2025: the 2025 limits, which 400 000 / 800 000 exceed.
	verdict = classify(2026, 2020, figures, period_start=date(2025, 10, 1))
	assert (verdict.mandatory, verdict.reason_code) == (True, MANDATORY_TWO_YEARS)
	assert verdict.limits["balance_sheet_total"] == D("350000")
	assert classify(2026, 2020, figures).mandatory is False


# Exactly at a limit


def test_exactly_at_every_limit_does_not_exceed():
	at = ("350000", "700000", "10")
	verdict = classify(2025, 2020, history(y2023=at, y2024=at))
	assert summary(verdict) == (False, True, MICRO_TWO_YEARS)
	assert all(row.exceeded == () for row in verdict.years)
	check_message(verdict)


def test_one_cent_over_two_limits_exceeds():
	just_over = ("350000.01", "700000.01", "10")
	verdict = classify(2025, 2020, history(y2023=just_over, y2024=just_over))
	assert (verdict.mandatory, verdict.micro_entity) == (True, False)
	assert verdict.years[-1].exceeded == ("balance_sheet_total", "net_turnover")


def test_exceeding_one_limit_only_is_still_micro():
	one = ("350000", "5000000", "10")
	verdict = classify(2025, 2020, history(y2023=one, y2024=one))
	assert verdict.mandatory is False
	assert [row.exceeded for row in verdict.years] == [("net_turnover",), ("net_turnover",)]


def test_employees_exactly_ten_or_ten_and_a_half():
	ten = ("500000", "100", "10")
	assert classify(2026, 2020, history(y2024=ten, y2025=ten)).mandatory is False
	half = ("500000", "100", "10.5")
	assert classify(2026, 2020, history(y2024=half, y2025=half)).mandatory is True


# The change rule (art. 9.º-A)


def test_two_consecutive_years_over_make_it_mandatory():
	verdict = classify(2026, 2018, history(y2024=OVER, y2025=OVER))
	assert summary(verdict) == (True, False, MANDATORY_TWO_YEARS)
	assert (verdict.params["older"], verdict.params["newer"]) == (2024, 2025)
	assert [row.year for row in verdict.years] == [2024, 2025]
	assert verdict.years[0].exceeded == ("balance_sheet_total", "net_turnover", "average_employees")
	message = check_message(verdict)
	assert "2024" in message and "2025" in message and "9.º-A" in message and "450000" in message


def test_one_year_over_then_under_keeps_the_micro_status():
	# 2022 (first period) within, 2023 over, 2024 within: never two consecutive years over.
	figures = history(y2022=UNDER, y2023=OVER, y2024=UNDER)
	verdict = classify(2025, 2022, figures)
	assert summary(verdict) == (False, True, MICRO_KEPT_SINCE_FIRST)
	assert verdict.params["first_year"] == 2022
	assert [row.over for row in verdict.years] == [False, True, False]
	check_message(verdict)


def test_one_year_over_does_not_change_an_established_micro_entity():
	figures = history(y2020=UNDER, y2021=UNDER, y2022=UNDER, y2023=UNDER, y2024=OVER)
	verdict = classify(2025, None, figures)
	assert (verdict.mandatory, verdict.reason_code) == (False, MICRO_KEPT)
	assert (verdict.params["older"], verdict.params["newer"]) == (2022, 2023)
	check_message(verdict)


def test_one_year_under_does_not_end_the_duty():
	figures = history(y2021=OVER, y2022=OVER, y2023=UNDER)
	verdict = classify(2024, 2015, figures)
	assert (verdict.mandatory, verdict.reason_code) == (True, MANDATORY_KEPT)
	assert (verdict.params["older"], verdict.params["newer"]) == (2021, 2022)
	check_message(verdict)


def test_back_under_for_two_years_is_micro_again():
	figures = history(y2021=OVER, y2022=OVER, y2023=UNDER, y2024=UNDER)
	verdict = classify(2025, 2015, figures)
	assert summary(verdict) == (False, True, MICRO_TWO_YEARS)
	assert (verdict.params["older"], verdict.params["newer"]) == (2023, 2024)


def test_leaving_micro_takes_effect_from_the_third_period():
	# Over in 2023 and 2024: 2024 itself is still micro (only 2023 over before it), 2025 is not.
	figures = history(y2021=UNDER, y2022=UNDER, y2023=OVER, y2024=OVER)
	assert classify(2024, 2015, figures).mandatory is False
	assert classify(2025, 2015, figures).mandatory is True


# Young companies


def test_first_period_is_classified_on_its_estimates():
	micro = classify(2026, 2026, history(y2026=UNDER))
	assert (micro.mandatory, micro.reason_code) == (False, MICRO_FIRST_PERIOD)
	assert [row.year for row in micro.years] == [2026]
	big = classify(2026, 2026, history(y2026=("460000", "950000", "2")))
	assert (big.mandatory, big.reason_code) == (True, MANDATORY_FIRST_PERIOD)
	check_message(micro)
	check_message(big)


def test_first_period_without_estimates_is_not_enough_data():
	for figures in ({}, history(y2026=("460000", None, None)), history(y2025=OVER, y2024=OVER)):
		verdict = classify(2026, 2026, figures)
		assert summary(verdict) == (None, None, FIRST_PERIOD_NO_FIGURES)
		check_message(verdict)


def test_first_period_with_two_estimates_over_needs_no_third():
	verdict = classify(2026, 2026, history(y2026=("460000", "950000", None)))
	assert verdict.mandatory is True


def test_second_period_keeps_the_first_period_status():
	over = classify(2025, 2024, history(y2024=OVER))
	assert (over.mandatory, over.reason_code) == (True, MANDATORY_SECOND_PERIOD)
	assert over.params["first_year"] == 2024
	under = classify(2025, 2024, history(y2024=UNDER))
	assert (under.mandatory, under.reason_code) == (False, MICRO_SECOND_PERIOD)
	# Its own estimates do not enter: only the preceding period counts.
	assert classify(2025, 2024, history(y2024=UNDER, y2025=OVER)).mandatory is False
	check_message(over)
	check_message(under)


def test_second_period_without_first_period_figures():
	verdict = classify(2025, 2024, {})
	assert (verdict.mandatory, verdict.reason_code) == (None, NOT_ENOUGH_DATA)
	assert verdict.params["years"] == "2024"
	check_message(verdict)


def test_third_period_first_period_over_then_one_under():
	# First 2023 over; 2024 under: one year under does not bring it back.
	verdict = classify(2025, 2023, history(y2023=OVER, y2024=UNDER))
	assert (verdict.mandatory, verdict.reason_code) == (True, MANDATORY_KEPT_SINCE_FIRST)


def test_first_year_after_the_year_is_refused():
	with pytest.raises(ValueError):
		classify(2025, 2026, {})


# 2025 and 2026 limits


def test_400k_balance_sheet_exceeds_2025_limits_but_not_2026():
	mid = ("400000", "800000", "5")
	figures = history(y2023=mid, y2024=mid, y2025=mid)
	in_2025 = classify(2025, 2015, figures)
	assert (in_2025.mandatory, in_2025.reason_code) == (True, MANDATORY_TWO_YEARS)
	assert in_2025.years[-1].exceeded == ("balance_sheet_total", "net_turnover")
	in_2026 = classify(2026, 2015, figures)
	assert (in_2026.mandatory, in_2026.reason_code) == (False, MICRO_TWO_YEARS)
	assert in_2026.years[-1].exceeded == ()
	assert in_2026.params["limits_source"] == "DL 126-B/2025"
	assert in_2025.params["limits_source"] == "DL 98/2015"


def test_2026_reads_the_first_period_with_2026_limits():
	mid = ("400000", "800000", "5")
	assert classify(2025, 2025, history(y2025=mid)).mandatory is True
	assert classify(2026, 2025, history(y2025=mid)).mandatory is False


# Missing figures


def test_two_limits_known_over_make_the_unknown_one_irrelevant():
	over = ("500000", "1000000", None)
	verdict = classify(2026, 2015, history(y2024=over, y2025=over))
	assert (verdict.mandatory, verdict.reason_code) == (True, MANDATORY_TWO_YEARS)
	assert verdict.years[0].unknown == ("average_employees",)


def test_two_limits_known_under_make_the_unknown_one_irrelevant():
	under = (None, "100", "3")
	verdict = classify(2026, 2015, history(y2024=under, y2025=under))
	assert (verdict.mandatory, verdict.reason_code) == (False, MICRO_TWO_YEARS)


def test_one_over_and_one_unknown_is_not_enough_data():
	unsure = ("500000", None, "3")
	# Over in 2025: the status since 2022-2023 (over) holds; within: 2024-2025 bring it back.
	verdict = classify(2026, 2021, history(y2021=UNDER, y2022=OVER, y2023=OVER, y2024=UNDER, y2025=unsure))
	assert summary(verdict) == (None, None, NOT_ENOUGH_DATA)
	assert verdict.params["years"] == "2025"
	assert verdict.years[-1].over is None
	check_message(verdict)


def test_a_missing_year_that_cannot_change_the_answer():
	# 2025 over and 2024 missing: over in 2024 -> two years over; under in 2024 -> the 2023 status
	# holds, and 2022-2023 were both over. Mandatory either way.
	figures = history(y2022=OVER, y2023=OVER, y2025=OVER)
	verdict = classify(2026, 2015, figures)
	assert (verdict.mandatory, verdict.reason_code) == (True, MANDATORY_EITHER_WAY)
	assert verdict.params["years"] == "2024"
	check_message(verdict)


def test_a_missing_year_that_changes_the_answer():
	figures = history(y2022=UNDER, y2023=UNDER, y2025=OVER)
	verdict = classify(2026, 2015, figures)
	assert (verdict.mandatory, verdict.reason_code) == (None, NOT_ENOUGH_DATA)
	assert verdict.params["years"] == "2024"


def test_no_figures_and_no_first_year_asks_for_history():
	verdict = classify(2026, None, {})
	assert (verdict.mandatory, verdict.reason_code) == (None, NOT_ENOUGH_HISTORY)
	assert (verdict.params["years"], verdict.params["earliest"]) == ("2025", 2026)
	check_message(verdict)


def test_history_that_never_settles_needs_more_years():
	# Alternating years without a first year: 2023 over, 2024 under, 2025 over.
	verdict = classify(2026, None, history(y2023=OVER, y2024=UNDER, y2025=OVER))
	assert (verdict.mandatory, verdict.reason_code) == (None, NOT_ENOUGH_HISTORY)
	assert (verdict.params["years"], verdict.params["earliest"]) == ("2022", 2023)
	assert classify(2026, 2023, history(y2023=OVER, y2024=UNDER, y2025=OVER)).mandatory is True


def test_one_preceding_year_over_without_first_year_is_not_enough():
	verdict = classify(2026, None, history(y2025=OVER))
	assert verdict.mandatory is None
	assert verdict.params["years"] == "2024"


def test_figures_are_read_as_decimals_and_filed_by_year():
	row = YearFigures(2025, 400000, "800000.50", 2.5)
	assert row.balance_sheet_total == D("400000")
	assert (row.net_turnover, row.average_employees) == (D("800000.50"), D("2.5"))
	assert YearFigures(2025, "", None, None).balance_sheet_total is None
	with pytest.raises(ValueError):
		classify(2026, 2015, {2025: fig(2024, *OVER)})


# Exemptions of art. 12.º


@pytest.mark.parametrize("code", [AGRICULTURE, FORESTRY, FISHING, SERVICES])
def test_activity_exemption_applies_whatever_the_size(code):
	big = history(y2024=OVER, y2025=OVER)
	verdict = classify(2026, 2015, big, {code: True})
	assert summary(verdict) == (False, False, EXEMPT_ACTIVITY)
	assert verdict.exemption == code
	assert "art. 12.º" in check_message(verdict)
	unknown_size = classify(2026, None, {}, {code: True})
	assert (unknown_size.mandatory, unknown_size.micro_entity, unknown_size.exemption) == (False, None, code)
	# Answered no: the size decides.
	assert classify(2026, 2015, big, {code: False}).mandatory is True


def test_small_retail_exempts_only_the_points_of_sale():
	verdict = classify(2026, 2015, history(y2024=OVER, y2025=OVER), {SMALL_RETAIL: True})
	assert (verdict.mandatory, verdict.reason_code) == (True, MANDATORY_TWO_YEARS)
	assert verdict.exemption == SMALL_RETAIL
	assert verdict.note == RETAIL_POINTS_NOTE
	assert "retalho" in verdict.note_message
	check_message(verdict)
	both = classify(2026, 2015, history(y2024=OVER, y2025=OVER), {SMALL_RETAIL: True, SERVICES: True})
	assert (both.mandatory, both.exemption, both.note) == (False, SERVICES, None)


def test_micro_entity_reason_wins_and_the_exemption_is_reported():
	verdict = classify(2026, 2015, history(y2024=UNDER, y2025=UNDER), {AGRICULTURE: True})
	assert (verdict.mandatory, verdict.reason_code) == (False, MICRO_TWO_YEARS)
	assert verdict.exemption == AGRICULTURE
	retail = classify(2026, 2015, history(y2024=UNDER, y2025=UNDER), {SMALL_RETAIL: True})
	assert (retail.mandatory, retail.exemption, retail.note) == (False, None, None)


def test_unknown_exemption_code_is_refused():
	with pytest.raises(ValueError):
		classify(2026, 2015, {}, {"mining": True})


def test_every_exemption_has_a_question_and_an_article():
	assert set(EXEMPTION_CODES) == {AGRICULTURE, FORESTRY, FISHING, SERVICES, SMALL_RETAIL}
	for exemption in EXEMPTIONS:
		question = exemption.question.format(**exemption.question_params(2026))
		assert "{" not in question and "2026" in question and question.endswith(("?", ")"))
		assert exemption.article.startswith("DL 158/2009, art. 12.º")
		assert exemption.scope in (SCOPE_COMPANY, SCOPE_RETAIL_POINTS)
	services = next(e for e in EXEMPTIONS if e.code == SERVICES)
	assert "2025" in services.question.format(**services.question_params(2026))


def test_every_reason_names_its_article():
	for template in REASONS.values():
		assert ("art." in template or "{article}" in template) and "{year}" in template


def test_missing_years_that_matter_are_all_named():
	# 2025 uncertain, alternating 2023-2024, nothing known before: every earlier year could decide.
	unsure = ("500000", None, "3")
	verdict = classify(2026, 2015, history(y2023=OVER, y2024=UNDER, y2025=unsure))
	assert (verdict.mandatory, verdict.params["years"]) == (None, "2015–2022, 2025")
	check_message(verdict)


def test_a_long_unknown_history_stays_fast():
	verdict = classify(2026, 1900, history(y2025=OVER))
	assert verdict.mandatory is None
	assert verdict.params["years"] == "1900–2024"
	assert classify(2026, 1900, history(y2024=OVER, y2025=OVER)).mandatory is True


# An oracle: the backward reading equals a forward walk through the years


def forward_status(first_year, overs, year):
	"""Walk from the first period: its own figures, then change only after two years on the other side."""
	status = {first_year: not overs[first_year]}
	for y in range(first_year + 1, year + 1):
		if y == first_year + 1:
			status[y] = status[first_year]
		elif overs[y - 1] == overs[y - 2]:
			status[y] = not overs[y - 1]
		else:
			status[y] = status[y - 1]
	return status[year]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=10), st.data())
def test_classify_matches_a_forward_walk(overs_list, data):
	first_year = 2016
	overs = {first_year + i: over for i, over in enumerate(overs_list)}
	year = data.draw(st.integers(first_year, first_year + len(overs_list)))
	figures = {y: fig(y, *(OVER if over else UNDER)) for y, over in overs.items()}
	verdict = classify(year, first_year, figures)
	expected = forward_status(first_year, overs, year)
	assert verdict.micro_entity is expected
	assert verdict.mandatory is (not expected)
	check_message(verdict)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([True, False, None]), min_size=2, max_size=8))
def test_unknown_years_answer_only_when_every_filling_agrees(pattern):
	first_year = 2016
	year = first_year + len(pattern)
	years = {first_year + i: p for i, p in enumerate(pattern)}
	figures = {y: fig(y, *(OVER if p else UNDER)) for y, p in years.items() if p is not None}
	verdict = classify(year, first_year, figures)
	unknown = [y for y, p in years.items() if p is None]
	answers = set()
	for mask in range(2 ** len(unknown)):
		filled = dict(figures)
		for bit, y in enumerate(unknown):
			filled[y] = fig(y, *(OVER if mask >> bit & 1 else UNDER))
		answers.add(classify(year, first_year, filled).micro_entity)
	assert verdict.micro_entity == (answers.pop() if len(answers) == 1 else None)
