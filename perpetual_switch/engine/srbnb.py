"""Stock received but not billed, as of the cutover, and clearing it when migrated receipts are billed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Sequence

from .models import Issue, ReceiptLine, ReceiptRow, _
from .money import ZERO, round_money

# Receipt statuses whose unbilled remainder the switch does not accrue (not expected to be billed).
CLOSED_STATUSES = ("Closed",)
# Receipt statuses with nothing expected in SRBNB any more (the reconciliation's and the SQL's).
SETTLED_STATUSES = ("Closed", "Completed")


def value_of(base: Decimal, stock_qty: Decimal, qty: Decimal, precision: int) -> Decimal:
	"""The value of `qty` of a receipt row of `stock_qty` worth `base`: the whole row's value when the
	whole row, else pro rata at the currency's precision. Every unbilled, moved or missing value of a
	receipt row is this one proration."""
	if not stock_qty:
		return ZERO
	if qty == stock_qty:
		return round_money(base, precision)
	return round_money(base * qty / stock_qty, precision)


def unbilled(row: ReceiptRow, precision: int) -> tuple[Decimal, Decimal]:
	"""Unbilled (qty, value) of one receipt row: received less returned less billed, at the row's net rate."""
	if row.stock_qty <= 0:
		return ZERO, ZERO
	qty = row.stock_qty - row.returned_qty - row.billed_qty
	if qty <= 0:
		return ZERO, ZERO
	return qty, value_of(row.base_net_amount, row.stock_qty, qty, precision)


def unbilled_receipts(
	rows: Iterable[ReceiptRow], precision: int, currency: str
) -> tuple[tuple[ReceiptLine, ...], list[Issue]]:
	"""Receipt rows still to be billed at the cutover; closed receipts become warnings, not accruals."""
	lines: list[ReceiptLine] = []
	closed: dict[str, Decimal] = {}
	for row in rows:
		qty, value = unbilled(row, precision)
		if not value:
			continue
		if row.status in CLOSED_STATUSES:
			closed[row.purchase_receipt] = closed.get(row.purchase_receipt, ZERO) + value
			continue
		lines.append(ReceiptLine(row.purchase_receipt, row.item_row, row.item_code, qty, value))
	warnings = [
		Issue(
			"closed_receipt_unbilled",
			_(
				"Purchase receipt {receipt} is closed with {amount} {currency} received but not billed; it is left out of the accrual."
			),
			receipt,
			{"receipt": receipt, "amount": str(amount), "currency": currency},
		)
		for receipt, amount in sorted(closed.items())
	]
	return tuple(lines), warnings


@dataclass(frozen=True)
class Clearing:
	"""How much of a migrated receipt row's accrual one purchase invoice row clears."""

	qty: Decimal
	value: Decimal
	rate_difference: Decimal
	"""Invoice amount minus the cleared accrual. It stays in SRBNB, as it would on a company that
	was always perpetual (ERPNext's own exchange-rate entry and the buying setting that re-values the
	receipt settle their parts of it)."""


def clearing_for_invoice_row(
	accrued_qty: Decimal,
	accrued_value: Decimal,
	cleared_qty: Decimal,
	cleared_value: Decimal,
	row_qty: Decimal,
	row_amount: Decimal,
	precision: int,
) -> Clearing:
	"""Share of the accrual an invoice row clears, by quantity, at the receipt's own rate.

	The last quantity clears exactly what is left, so a receipt row billed in pieces clears its
	accrual to the cent. A debit note (negative quantity) gives back what was cleared.
	"""
	if accrued_qty <= 0:
		return Clearing(ZERO, ZERO, ZERO)
	remaining_qty = accrued_qty - cleared_qty
	remaining_value = accrued_value - cleared_value
	if row_qty > 0:
		qty = min(row_qty, remaining_qty) if remaining_qty > 0 else ZERO
		value = remaining_value if qty == remaining_qty else accrued_value * qty / accrued_qty
	elif row_qty < 0:
		qty = max(row_qty, -cleared_qty) if cleared_qty > 0 else ZERO
		value = -cleared_value if -qty == cleared_qty else accrued_value * qty / accrued_qty
	else:
		qty, value = ZERO, ZERO
	if qty == 0:
		return Clearing(ZERO, ZERO, ZERO)
	value = round_money(value, precision)
	return Clearing(qty, value, round_money(row_amount, precision) - value)


@dataclass(frozen=True)
class ValuationTax:
	"""A tax row of a purchase invoice that counts in valuation, as ERPNext sums it (signed)."""

	key: str
	account: str
	cost_center: str | None
	amount: Decimal


def negative_expense_split(total: Decimal, taxes: Sequence[ValuationTax]) -> dict[str, Decimal]:
	"""How ERPNext credits back `total` of item valuation tax over an invoice's valuation taxes: in
	proportion to each tax, the last one taking what is left."""
	whole = sum((tax.amount for tax in taxes), ZERO)
	shares, left = {}, total
	for i, tax in enumerate(taxes):
		if i == len(taxes) - 1 or not whole:
			share = left
		else:
			share = total * tax.amount / whole
		left -= share
		shares[tax.key] = share
	return shares


def twin_valuation_tax(
	booked: Decimal, twin: Decimal, taxes: Sequence[ValuationTax], precision: int
) -> tuple[tuple[str, str, str | None, Decimal], ...]:
	"""What brings a purchase invoice's valuation taxes to what its perpetual twin posts.

	ERPNext debits SRBNB with a row's valuation tax, and credits the same back over the invoice's
	valuation taxes, whenever the row's receipt booked no GL on those taxes' accounts: `booked` in
	all. A receipt made under periodic inventory booked no GL at all; had it been perpetual, it
	would have booked its own valuation taxes, and the invoice only `twin`. The difference is
	credited to SRBNB by the caller; this gives the debit per tax row (its key, account, cost
	centre, amount), rounded, adding up to `booked - twin` exactly."""
	if not taxes or booked == twin:
		return ()
	now, then = negative_expense_split(booked, taxes), negative_expense_split(twin, taxes)
	total = round_money(booked - twin, precision)
	lines, given = [], ZERO
	for i, tax in enumerate(taxes):
		amount = total - given if i == len(taxes) - 1 else round_money(now[tax.key] - then[tax.key], precision)
		given += amount
		if amount:
			lines.append((tax.key, tax.account, tax.cost_center, amount))
	return tuple(lines)
