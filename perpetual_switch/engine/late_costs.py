"""Late costs on goods received on or before a switch's cutover, posted after it.

A landed cost (or an invoice rate that re-values a receipt) changes the stock ledger from the
receipt's date on. ERPNext would re-post the receipt's GL and every later document's GL at their
own dates; on or before the cutover that is the switch's territory (its journal carries the stock
value of that day), so the change to the rows on or before the cutover is posted once, at the
date of the document that caused it:
  - each stock account by how much its warehouses' value on the cutover moved (the share of the
    units still in stock, or moved to another warehouse);
  - the charges credited where the document says (a landed cost's expense accounts);
  - the rest, the share of the units that left stock on or before the cutover, to the expense
    account the switch used.
Rows after the cutover are ERPNext's own business: it re-posts those documents' GL itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

from .journal import line_for
from .models import JournalPlan
from .money import ZERO, round_money

LATE_COST = "late_cost"


@dataclass(frozen=True)
class Charge:
	"""A credit the causing document asks for: its own expense account, amount and cost centre."""

	account: str
	amount: Decimal
	cost_center: str | None = None


@dataclass(frozen=True)
class LateCost:
	journal: JournalPlan | None
	to_stock: Decimal
	to_expense: Decimal
	charges: Decimal


def value_changes(before: Mapping[str, Decimal], after: Mapping[str, Decimal]) -> dict[str, Decimal]:
	"""After minus before, per key, for every key in either (a key may appear on one side only)."""
	return {key: after.get(key, ZERO) - before.get(key, ZERO) for key in sorted(set(before) | set(after))}


def by_account(changes: Mapping[str, Decimal], account_of: Mapping[str, str]) -> dict[str, Decimal]:
	"""Changes per warehouse (or per item, for a company booking stock per item) summed per the
	stock account each posts to."""
	totals: dict[str, Decimal] = {}
	for key, change in changes.items():
		if change:
			account = account_of[key]
			totals[account] = totals.get(account, ZERO) + change
	return totals


def share_charges(total: Decimal, rows: Iterable[Charge], precision: int) -> tuple[Charge, ...]:
	"""`total` shared over the rows in proportion to their amounts, rounded, the last row taking the
	remainder so that the shares add up to `total` exactly."""
	rows = [r for r in rows if r.amount]
	total = round_money(total, precision)
	whole = sum((r.amount for r in rows), ZERO)
	if not rows or not total or not whole:
		return ()
	shares, given = [], ZERO
	for i, row in enumerate(rows):
		amount = total - given if i == len(rows) - 1 else round_money(total * row.amount / whole, precision)
		given += amount
		shares.append(Charge(row.account, amount, row.cost_center))
	return tuple(s for s in shares if s.amount)


def late_cost(
	stock_changes: Mapping[str, Decimal],
	charges: Iterable[Charge],
	expense_account: str,
	cost_center: str | None,
	precision: int,
) -> LateCost:
	"""The journal for a re-valuation: debit each stock account by its change, credit each charge,
	and put the difference on the switch's expense account. Balances to the cent by construction."""
	lines, to_stock = [], ZERO
	for account in sorted(stock_changes):
		amount = round_money(stock_changes[account], precision)
		line = line_for(account, amount)
		if line:
			lines.append(line)
			to_stock += amount
	credited = ZERO
	for charge in charges:
		amount = round_money(charge.amount, precision)
		line = line_for(charge.account, -amount, charge.cost_center)
		if line:
			lines.append(line)
			credited += amount
	to_expense = credited - to_stock
	counter = line_for(expense_account, to_expense, cost_center)
	if counter:
		lines.append(counter)
	journal = JournalPlan(LATE_COST, tuple(lines)) if lines else None
	return LateCost(journal, to_stock, to_expense, credited)
