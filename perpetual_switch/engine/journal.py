"""Journal entries that bring accounts to a target balance, balanced exactly against one counter-account."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from .models import JournalLine, JournalPlan
from .money import ZERO, round_money


def line_for(account: str, amount: Decimal, cost_center: str | None = None, remark: str | None = None) -> JournalLine | None:
	"""A positive amount is a debit, a negative one a credit; zero gives no line."""
	if amount > 0:
		return JournalLine(account, debit=amount, cost_center=cost_center, remark=remark)
	if amount < 0:
		return JournalLine(account, credit=-amount, cost_center=cost_center, remark=remark)
	return None


def adjustment_journal(
	purpose: str,
	adjustments: Iterable[tuple[str, Decimal]],
	counter_account: str,
	counter_cost_center: str | None,
	precision: int,
) -> JournalPlan | None:
	"""Post each (account, signed amount) and put the opposite of their rounded sum on the counter-account.

	Amounts are rounded first and the counter line is derived from the rounded figures, so the
	entry balances to the last cent whatever the rounding residuals. Returns None when every
	amount rounds to zero.
	"""
	lines = []
	total = ZERO
	for account, amount in adjustments:
		amount = round_money(amount, precision)
		line = line_for(account, amount)
		if line:
			lines.append(line)
			total += amount
	if not lines:
		return None
	counter = line_for(counter_account, -total, counter_cost_center)
	if counter:
		lines.append(counter)
	return JournalPlan(purpose, tuple(lines))
