"""Drift watch: stock value against the stock accounts' GL, day after day.

Each day the watch stores, per stock account, the stock value and the GL balance as of that day.
A difference beyond the tolerance that was not there the day before (it appeared), or that moved
further from zero (it grew), is worth telling the accountants; one that stays put was told already,
and one that went back within the tolerance cleared.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Mapping

from .models import StockAccountLine
from .money import ZERO

APPEARED, GREW, SHRANK, UNCHANGED, CLEARED, IN_SYNC = "appeared", "grew", "shrank", "unchanged", "cleared", "in_sync"
NOTIFY = (APPEARED, GREW)


# A stock account's stock value and GL balance on a day: the plan's own line.
AccountDrift = StockAccountLine


@dataclass(frozen=True)
class Finding:
	account: str
	state: str
	difference: Decimal
	previous: Decimal

	@property
	def notify(self) -> bool:
		return self.state in NOTIFY


def out_of_sync(difference: Decimal, tolerance: Decimal) -> bool:
	return abs(difference) > tolerance


def compare(
	today: Mapping[str, AccountDrift], previous: Mapping[str, Decimal], tolerance: Decimal
) -> list[Finding]:
	"""Today's snapshot per account against the previous day's differences (missing = zero)."""
	findings = []
	for account in sorted(set(today) | set(previous)):
		now = today[account].difference if account in today else ZERO
		before = previous.get(account, ZERO)
		if not out_of_sync(now, tolerance):
			state = CLEARED if out_of_sync(before, tolerance) else IN_SYNC
		elif not out_of_sync(before, tolerance):
			state = APPEARED
		elif abs(now) > abs(before) + tolerance:
			state = GREW
		elif abs(now) < abs(before) - tolerance:
			state = SHRANK
		else:
			state = UNCHANGED
		findings.append(Finding(account, state, now, before))
	return findings


def first_day_out(history: list[tuple[object, Decimal]], tolerance: Decimal):
	"""The first day of the latest run of days out of sync, from (day, difference) oldest first."""
	first = None
	for day, difference in history:
		if out_of_sync(difference, tolerance):
			first = first or day
		else:
			first = None
	return first
