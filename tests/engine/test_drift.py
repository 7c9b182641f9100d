from datetime import date
from decimal import Decimal as D

from perpetual_switch.engine.drift import (
	APPEARED,
	CLEARED,
	GREW,
	IN_SYNC,
	SHRANK,
	UNCHANGED,
	AccountDrift,
	compare,
	first_day_out,
)

TOL = D("0.01")


def today(**differences):
	return {a: AccountDrift(a, D("100") + d, D("100")) for a, d in differences.items()}


def states(findings):
	return {f.account: f.state for f in findings}


def test_a_difference_appears_grows_shrinks_stays_and_clears():
	assert states(compare(today(S=D("5")), {}, TOL)) == {"S": APPEARED}
	assert states(compare(today(S=D("8")), {"S": D("5")}, TOL)) == {"S": GREW}
	assert states(compare(today(S=D("-8")), {"S": D("5")}, TOL)) == {"S": GREW}
	assert states(compare(today(S=D("2")), {"S": D("5")}, TOL)) == {"S": SHRANK}
	assert states(compare(today(S=D("5.005")), {"S": D("5")}, TOL)) == {"S": UNCHANGED}
	assert states(compare(today(S=D("0")), {"S": D("5")}, TOL)) == {"S": CLEARED}
	# An account that left the snapshot counts as zero.
	assert states(compare({}, {"S": D("5")}, TOL)) == {"S": CLEARED}


def test_the_tolerance_decides_and_only_new_or_growing_differences_notify():
	findings = compare(today(A=D("0.01"), B=D("0.02"), C=D("0")), {"C": D("0")}, TOL)
	assert states(findings) == {"A": IN_SYNC, "B": APPEARED, "C": IN_SYNC}
	assert [f.account for f in findings if f.notify] == ["B"]
	assert [f.notify for f in compare(today(S=D("5")), {"S": D("5")}, TOL)] == [False]


def test_the_first_day_of_the_latest_run_out_of_sync():
	days = [(date(2026, 11, d), v) for d, v in ((1, D("0")), (2, D("3")), (3, D("0")), (4, D("2")), (5, D("2")))]
	assert first_day_out(days, TOL) == date(2026, 11, 4)
	assert first_day_out(days[:3], TOL) is None
