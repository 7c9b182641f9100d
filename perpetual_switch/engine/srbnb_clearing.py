"""Clearing residuals of Stock Received But Not Billed: which residuals, what blocks, the journal.

The user picks causes, receipts (or receipt rows, or vouchers), or both; each chosen residual of the
reconciliation becomes a line with its source, and one journal entry on a chosen date moves their
total out of SRBNB against the expense account the user picks. A residual is credit-positive: a
positive one (SRBNB holds more than its rows should) is debited to SRBNB.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .journal import adjustment_journal
from .models import Issue, JournalPlan, _
from .money import ZERO, money_str
from .srbnb_reconcile import CAUSES, VOUCHER_CAUSES, RowReconciliation, VoucherLine

CLEARING = "srbnb_clearing"
ALL_CAUSES = CAUSES + VOUCHER_CAUSES
# Causes that change what the goods received cost: cleared by re-valuing the receipt, the share
# of the goods still in stock to the stock accounts. Every other cause is a posting or billing
# matter (or the goods are gone): cleared to the expense account alone.
STOCK_CAUSES = ("rate", "exchange", "discount", "valuation_tax")


@dataclass(frozen=True)
class ClearingLine:
	source_type: str
	source: str
	item_row: str | None
	item_code: str | None
	cause: str
	amount: Decimal
	revalue: bool = False
	"""Re-value the receipt by the opposite of `amount`: the share still in stock goes to stock."""


@dataclass(frozen=True)
class ClearingFacts:
	"""What the site says about the chosen date and accounts (read by erpnext_io)."""

	closing_voucher_until: date | None = None
	"""End of the latest submitted Period Closing Voucher of the company."""
	closed_period: str | None = None
	"""An Accounting Period closed for journal entries that covers the date."""
	frozen_until: date | None = None
	busy: str | None = None
	"""A clearing of the company being applied right now."""
	expense_problem: str | None = None
	"""Why the expense account cannot take the entry (None when it can)."""
	stock_frozen_until: date | None = None
	"""Stock Settings' Stock Frozen Up To: receipts on or before it are not re-valued."""
	pending_repost: str | None = None
	"""A Repost Item Valuation on or before the date that has not completed."""
	closed_for_revaluation: str | None = None
	"""An Accounting Period closed for landed cost vouchers that covers the date (a switch closes
	them up to its cutover): receipts cannot be re-valued on it."""


def unknown_causes(causes: Iterable[str]) -> list[str]:
	return sorted(c for c in causes if c not in ALL_CAUSES)


def choose(
	rows: Iterable[RowReconciliation],
	voucher_lines: Iterable[VoucherLine],
	causes: set[str] | None = None,
	sources: set[str] | None = None,
	stock_frozen_until: date | None = None,
) -> tuple[ClearingLine, ...]:
	"""The chosen residuals: every cause of every row and voucher line unless `causes` narrows them;
	`sources` narrows them to receipts, receipt rows or vouchers by name. A cost cause of a receipt
	after the stock freeze re-values the receipt."""
	lines = []
	for row in rows:
		if sources is not None and row.purchase_receipt not in sources and row.item_row not in sources:
			continue
		revalue = stock_frozen_until is None or row.posting_date > stock_frozen_until
		for cause, amount in row.causes.items():
			if amount and (causes is None or cause in causes):
				lines.append(
					ClearingLine(
						"Purchase Receipt", row.purchase_receipt, row.item_row, row.item_code, cause, amount,
						revalue and cause in STOCK_CAUSES,
					)
				)
	for line in voucher_lines:
		if sources is not None and line.voucher_no not in sources:
			continue
		if line.amount and (causes is None or line.cause in causes):
			lines.append(ClearingLine(line.voucher_type, line.voucher_no, None, None, line.cause, line.amount))
	return tuple(lines)


def clearing_blockers(
	lines: tuple[ClearingLine, ...], posting_date: date, facts: ClearingFacts, sources: set[str] | None = None
) -> list[Issue]:
	"""Everything that stops a clearing on `posting_date`; nothing is written while any remains."""
	issues = []
	if not lines or not sum((line.amount for line in lines), ZERO):
		issues.append(Issue("nothing_to_clear", _("Nothing to clear: no residual matches the causes and documents chosen.")))
	found = {line.source for line in lines} | {line.item_row for line in lines if line.item_row}
	for source in sorted((sources or set()) - found):
		issues.append(
			Issue(
				"source_without_residual",
				_("{source} has no residual of the causes chosen as of {date}."),
				source,
				{"source": source, "date": str(posting_date)},
			)
		)
	issues += period_blockers(posting_date, facts)
	if facts.closed_for_revaluation and any(line.revalue for line in lines):
		issues.append(
			Issue(
				"closed_for_revaluation",
				_("The posting date {date} is in accounting period {period}, closed for landed cost vouchers: receipts cannot be re-valued on it; choose a later date."),
				facts.closed_for_revaluation,
				{"date": str(posting_date), "period": facts.closed_for_revaluation},
			)
		)
	if facts.pending_repost and any(line.revalue for line in lines):
		issues.append(
			Issue(
				"pending_repost",
				_("Repost Item Valuation {name}, on or before {date}, has not completed: let it run before re-valuing receipts."),
				facts.pending_repost,
				{"name": facts.pending_repost, "date": str(posting_date)},
			)
		)
	if facts.busy:
		issues.append(
			Issue("clearing_running", _("Clearing {name} of this company is being applied; wait for it to end."), facts.busy, {"name": facts.busy})
		)
	if facts.expense_problem:
		issues.append(Issue("expense_account", facts.expense_problem))
	return issues


def period_blockers(posting_date: date, facts: ClearingFacts) -> list[Issue]:
	"""A journal on `posting_date` (or its cancellation) would change a closed or frozen period."""
	issues = []
	if facts.closing_voucher_until and posting_date <= facts.closing_voucher_until:
		issues.append(
			Issue(
				"closed_by_period_closing",
				_("The posting date {date} is on or before {until}, closed by a Period Closing Voucher: choose a later date."),
				str(posting_date),
				{"date": str(posting_date), "until": str(facts.closing_voucher_until)},
			)
		)
	if facts.closed_period:
		issues.append(
			Issue(
				"closed_accounting_period",
				_("The posting date {date} is in accounting period {period}, closed for journal entries."),
				facts.closed_period,
				{"date": str(posting_date), "period": facts.closed_period},
			)
		)
	if facts.frozen_until and posting_date <= facts.frozen_until:
		issues.append(
			Issue(
				"accounts_frozen",
				_("Accounts are frozen up to {until}; the posting date {date} must be after it."),
				str(posting_date),
				{"date": str(posting_date), "until": str(facts.frozen_until)},
			)
		)
	return issues


def revaluations(lines: Iterable[ClearingLine]) -> dict[tuple[str, str], Decimal]:
	"""(receipt, receipt row) -> by how much to re-value it: the opposite of its cost residuals."""
	found: dict[tuple[str, str], Decimal] = {}
	for line in lines:
		if line.revalue:
			key = (line.source, line.item_row)
			found[key] = found.get(key, ZERO) - line.amount
	return {key: amount for key, amount in found.items() if amount}


def clearing_journal(
	lines: tuple[ClearingLine, ...],
	srbnb_account: str,
	expense_account: str,
	cost_center: str | None,
	precision: int,
	stock_changes: dict[str, Decimal] | None = None,
) -> JournalPlan | None:
	"""Debit SRBNB by the residuals' total (credit it when negative); debit each stock account by
	how much re-valuing the receipts moved its warehouses' value on the date (the share still in
	stock); the expense account takes the rest. Balances to the cent by construction."""
	total = sum((line.amount for line in lines), ZERO)
	adjustments = [(srbnb_account, total)] + sorted((stock_changes or {}).items())
	return adjustment_journal(CLEARING, adjustments, expense_account, cost_center, precision)


def line_to_dict(line: ClearingLine, precision: int, label) -> dict:
	return {
		"source_type": line.source_type,
		"source": line.source,
		"item_row": line.item_row,
		"item_code": line.item_code,
		"cause": line.cause,
		"cause_label": label(line.cause),
		"amount": money_str(line.amount, precision),
		"revalue": line.revalue,
	}


def clearing_fingerprint(company: str, posting_date: date, lines: tuple[ClearingLine, ...], journal: JournalPlan | None) -> str:
	"""A short hash of what a clearing posts: its date, each residual it clears and the journal line by
	line (the re-valuation's split included). A review and an apply with different fingerprints did
	not see the same clearing."""
	import hashlib
	import json

	parts = [
		company,
		str(posting_date),
		[[l.source_type, l.source, l.item_row, l.cause, str(l.amount), bool(l.revalue)] for l in lines],
		[[l.account, str(l.debit), str(l.credit), l.cost_center] for l in journal.lines] if journal else None,
	]
	return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:20]
