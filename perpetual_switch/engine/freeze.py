"""Closing the company's stock documents up to the cutover with ERPNext's own Accounting Periods.

After the switch, a stock document dated on or before the cutover would make ERPNext repost the
stock ledger and, now that perpetual inventory is on, post stock GL for pre-switch documents whose
value the switch journal already carries. Accounting Periods are per company (Stock Settings'
freeze date is global), so the switch closes the stock document types in periods covering
[start, cutover]: existing periods inside that range get the types closed, gaps get new periods.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from .models import AccountingPeriod, FreezePlan, Issue, _

STOCK_DOCTYPES = (
	"Purchase Receipt",
	"Purchase Invoice",
	"Stock Entry",
	"Stock Reconciliation",
	"Delivery Note",
	"Sales Invoice",
	"Landed Cost Voucher",
	"Subcontracting Receipt",
)
ACCOUNTING_DOCTYPES = ("Journal Entry", "Payment Entry")


def freeze_doctypes(freeze_accounts: bool) -> tuple[str, ...]:
	return STOCK_DOCTYPES + (ACCOUNTING_DOCTYPES if freeze_accounts else ())


def plan_freeze(
	start: date, cutover: date, periods: Iterable[AccountingPeriod], doctypes: tuple[str, ...]
) -> tuple[FreezePlan, list[Issue]]:
	"""Periods to create and periods to extend so that every day in [start, cutover] closes `doctypes`."""
	overlapping = sorted(
		(p for p in periods if p.start_date <= cutover and p.end_date >= start), key=lambda p: p.start_date
	)
	issues = [
		Issue(
			"accounting_period_straddles_cutover",
			_(
				"Accounting Period {period} runs from {start} to {end}, across the cutover {cutover}: closing stock documents in it would also close them after the switch. Split it at the cutover first."
			),
			p.name,
			{"period": p.name, "start": p.start_date, "end": p.end_date, "cutover": cutover},
		)
		for p in overlapping
		if p.end_date > cutover
	]
	new_periods = []
	cursor = start
	for period in overlapping:
		if period.start_date > cursor:
			new_periods.append((cursor, period.start_date - timedelta(days=1)))
		cursor = max(cursor, period.end_date + timedelta(days=1))
	if cursor <= cutover:
		new_periods.append((cursor, cutover))
	extend = tuple(
		(p.name, tuple(d for d in doctypes if d not in p.closed_doctypes))
		for p in overlapping
		if p.end_date <= cutover and any(d not in p.closed_doctypes for d in doctypes)
	)
	return FreezePlan(doctypes, tuple(new_periods), extend), issues
