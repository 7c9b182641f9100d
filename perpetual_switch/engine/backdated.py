"""A backdated switch: documents dated after the cutover are re-booked as perpetual inventory would
have booked them. The engine decides what may be reposted, in which order, and sums what the
reposting changed; ERPNext's own GL builders compute each voucher's entries (erpnext_io)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from .journal import adjustment_journal
from .models import DatedDocument, Issue, JournalPlan, StockAccountLine, _
from .money import ZERO, round_money

CLOSING_SYNC = "closing_sync"
SAMPLE = 5

# Within a day, receipts before the invoices that bill them and the deliveries that use them.
TYPE_ORDER = {
	"Purchase Receipt": 0,
	"Purchase Invoice": 1,
	"Stock Entry": 2,
	"Stock Reconciliation": 3,
	"Delivery Note": 4,
	"Sales Invoice": 5,
}


@dataclass(frozen=True)
class RepostVoucher:
	"""A submitted document dated after the cutover whose GL the backdated switch reposts."""

	voucher_type: str
	voucher_no: str
	posting_date: date
	posting_time: str = ""
	creation: str = ""
	stock: bool = True
	"""True when it moved stock (reposted like ERPNext reposts stock vouchers); False for an
	invoice that only bills (reposted like ERPNext's Repost Accounting Ledger)."""


@dataclass(frozen=True)
class AccountChange:
	account: str
	before: Decimal
	after: Decimal

	@property
	def change(self) -> Decimal:
		return self.after - self.before


@dataclass(frozen=True)
class VoucherChange:
	voucher_type: str
	voucher_no: str
	posting_date: date
	changes: tuple[tuple[str, Decimal], ...]
	"""(account, debit minus credit after less before), accounts whose balance moved."""


@dataclass(frozen=True)
class BackdatedPlan:
	vouchers: int
	by_type: tuple[tuple[str, int], ...]
	previewed: bool = False
	account_changes: tuple[AccountChange, ...] = ()
	voucher_changes: tuple[VoucherChange, ...] = ()
	stock_today: tuple[StockAccountLine, ...] = ()
	"""After the repost (previewed): stock value as of today against the GL, per stock account."""
	closing_journal: JournalPlan | None = None
	today: date | None = None
	manual_journals: tuple[DatedDocument, ...] = ()
	repost: tuple[RepostVoucher, ...] = ()
	"""The vouchers to repost, in the order they are reposted."""


def order(vouchers: Iterable[RepostVoucher]) -> tuple[RepostVoucher, ...]:
	"""Date order, as ERPNext sorts stock vouchers; within a moment, receipts before invoices."""
	return tuple(
		sorted(
			vouchers,
			key=lambda v: (v.posting_date, v.posting_time, TYPE_ORDER.get(v.voucher_type, 9), v.creation, v.voucher_no),
		)
	)


def count_by_type(vouchers: Iterable[RepostVoucher]) -> tuple[tuple[str, int], ...]:
	counts: dict[str, int] = {}
	for voucher in vouchers:
		counts[voucher.voucher_type] = counts.get(voucher.voucher_type, 0) + 1
	return tuple(sorted(counts.items(), key=lambda item: (TYPE_ORDER.get(item[0], 9), item[0])))


def net_by_account(rows: Iterable[tuple[str, Decimal, Decimal]]) -> dict[str, Decimal]:
	"""(account, debit, credit) rows to debit minus credit per account."""
	totals: dict[str, Decimal] = {}
	for account, debit, credit in rows:
		totals[account] = totals.get(account, ZERO) + Decimal(debit or 0) - Decimal(credit or 0)
	return totals


def voucher_change(voucher: RepostVoucher, before: dict[str, Decimal], after: dict[str, Decimal], precision: int) -> VoucherChange:
	changes = []
	for account in sorted(set(before) | set(after)):
		change = round_money(after.get(account, ZERO) - before.get(account, ZERO), precision)
		if change:
			changes.append((account, change))
	return VoucherChange(voucher.voucher_type, voucher.voucher_no, voucher.posting_date, tuple(changes))


def account_changes(before: dict[str, Decimal], after: dict[str, Decimal], precision: int) -> tuple[AccountChange, ...]:
	"""Per account, the reposted vouchers' GL before and after; accounts that did not move are left out."""
	lines = []
	for account in sorted(set(before) | set(after)):
		old = round_money(before.get(account, ZERO), precision)
		new = round_money(after.get(account, ZERO), precision)
		if old != new:
			lines.append(AccountChange(account, old, new))
	return tuple(lines)


def closing_journal(
	stock_today: Iterable[StockAccountLine], expense_account: str, cost_center: str | None, precision: int
) -> JournalPlan | None:
	"""What still separates each stock account from its stock value today once every document is
	reposted: entries made by hand to stock accounts after the cutover. Dated on the day of the switch."""
	return adjustment_journal(
		CLOSING_SYNC, ((line.account, line.difference) for line in stock_today), expense_account, cost_center, precision
	)


def issues(
	cutover_date: date,
	period_closings: Iterable[DatedDocument],
	closed_periods: Iterable[DatedDocument],
	manual_journals: Iterable[DatedDocument],
) -> tuple[list[Issue], list[Issue]]:
	"""Blockers and warnings only a backdated switch has."""
	blockers: list[Issue] = []
	warnings: list[Issue] = []
	for doc in period_closings:
		blockers.append(
			Issue(
				"period_closing_after_cutover",
				_(
					"Period Closing Voucher {voucher} of {date} closes a year after the cutover {cutover}; a backdated switch would change GL it closed. Cancel it first, or pick a cutover after it."
				),
				doc.name,
				{"voucher": doc.name, "date": doc.posting_date, "cutover": cutover_date},
			)
		)
	for doc in closed_periods:
		blockers.append(
			Issue(
				"accounting_period_closed_after_cutover",
				_(
					"Accounting Period {period} is closed after the cutover {cutover} (it ends on {date}); a backdated switch reposts documents in it. Reopen it first, or pick a cutover after it."
				),
				doc.name,
				{"period": doc.name, "date": doc.posting_date, "cutover": cutover_date},
			)
		)
	manual = list(manual_journals)
	if manual:
		names = ", ".join(f"{d.doctype} {d.name}" for d in manual[:SAMPLE])
		warnings.append(
			Issue(
				"manual_stock_journal_after_cutover",
				_(
					"{count} journal entries after the cutover {cutover} post to stock accounts by hand (for example {documents}); ERPNext refuses them once perpetual inventory is on. They stay as they are, and a closing journal dated today brings each stock account to its stock value."
				),
				manual[0].name,
				{"count": len(manual), "cutover": cutover_date, "documents": names},
			)
		)
	return blockers, warnings


def failure_issue(voucher: RepostVoucher, reason: str) -> Issue:
	return Issue(
		"repost_failed",
		_("{voucher_type} {voucher_no} cannot be booked as perpetual inventory: {reason}"),
		voucher.voucher_no,
		{"voucher_type": voucher.voucher_type, "voucher_no": voucher.voucher_no, "reason": reason},
	)
