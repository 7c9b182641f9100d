"""A backdated switch: perpetual inventory from a past cutover, every document since re-booked.

Apply has two parts. The first is an ordinary switch (sync journals on the cutover, accruals,
company defaults, perpetual inventory on, documents up to the cutover closed) that also lists
every voucher after the cutover with its ledgers as they were; it commits with the switch
"Reposting". The second reposts those vouchers through ERPNext's GL builders, in date order, the
documents that move stock before the invoices that only bill, a batch per commit with each
voucher marked as it is done, then posts a closing journal dated today for what
entries made by hand left between stock accounts and stock value, and marks the switch
"Applied". A failure undoes the whole switch (ledgers put back as recorded); a stopped worker's
batch in flight is rolled back and its vouchers are taken again (reposting a voucher twice gives the
same GL, never double).
Several runners (the site's workers) may repost one switch at once: each takes a batch of rows no
other holds, the documents that move stock first, the invoices that only bill once those are done.

The plan previews all of it in a savepoint that is rolled back: the GL change per account comes
from ERPNext's own builders, not from a re-implementation.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import getdate

from perpetual_switch.engine import backdated as rules
from perpetual_switch.engine.models import Plan, SwitchOptions
from perpetual_switch.engine.money import ZERO
from perpetual_switch.erpnext_io import backdated as io
from perpetual_switch.erpnext_io import clearing, gl_rows, writer
from perpetual_switch.services import guards, receipts
from perpetual_switch.services import switch as service
from perpetual_switch.services.late_costs import route_returns_to_srbnb

SWITCH = service.SWITCH
BATCH = 100


class RepostFailed(frappe.ValidationError):
	def __init__(self, voucher: rules.RepostVoucher, reason: str):
		self.voucher = voucher
		self.reason = reason
		super().__init__(service.translate(rules.failure_issue(voucher, reason).template).format(
			voucher_type=voucher.voucher_type, voucher_no=voucher.voucher_no, reason=reason
		))


@dataclass
class Outcome:
	before: dict[str, Decimal] = field(default_factory=dict)
	after: dict[str, Decimal] = field(default_factory=dict)
	changes: list = field(default_factory=list)
	stock_today: tuple = ()
	closing: object = None


def prepare(doc) -> None:
	"""Within apply: list the vouchers to repost, each with its ledgers as they are."""
	result: Plan = doc.flags.plan
	vouchers = result.backdated.repost
	count = io.record(doc.name, doc.company, vouchers, io.missing_accounts(doc.company, vouchers))
	doc.repost_count = count
	doc.reposted_count = 0


def run(doc, commit: bool = True, progress=None) -> Outcome:
	"""Repost what is still pending, a batch per commit, then close and mark the switch Applied.
	Committed batches run under READ COMMITTED (see io.read_committed), so that runners at once
	do not deadlock on the GL's gap locks."""
	if not commit:
		return _run(doc, commit, progress)
	with io.read_committed():
		frappe.db.commit()
		return _run(doc, commit, progress)


def _run(doc, commit: bool, progress) -> Outcome:
	if isinstance(doc, str):
		doc = frappe.get_doc(SWITCH, doc)
	progress = progress or (lambda percent, description: None)
	precision = service.reader.currency_precision(doc.currency or frappe.get_cached_value("Company", doc.company, "default_currency"))
	outcome = Outcome()
	total = doc.repost_count or 0
	writer.forget_company(doc.company)
	attempts = 0
	# A run that commits nothing (the preview) is the only one: it takes the rows in order past the
	# last it took, and counts what it reposted itself (see io.claim).
	taken = None if commit else {}
	done_here = 0
	counted_at = 0.0
	# What building the GL rows reads of the site (`gl_rows.Reads`), once for the run.
	reads = gl_rows.Reads()
	while True:
		# Several runners may repost one switch at once (workers of the site, a resumed job, a
		# command), each batch on rows no other holds, with the switch's row held shared; one that
		# finds it no longer reposting (done or undone by another) stops.
		if _retrying(doc, lambda: io.lock_switch(doc.name, shared=True), commit) != "Reposting":
			return outcome
		batch = io.claim(doc.name, BATCH, taken)
		if batch is None:
			# The invoices wait for the stock documents other runners are reposting.
			if commit:
				frappe.db.commit()
			time.sleep(WAIT_SECONDS)
			continue
		if not batch:
			# Nothing left to take: wait (holding the switch alone) for the batches in flight, then
			# close, unless a runner stopped mid-batch and its rows are pending again.
			if commit:
				frappe.db.commit()
			if _retrying(doc, lambda: io.lock_switch(doc.name), commit) != "Reposting":
				return outcome
			if io.counts(doc.name).get("Pending"):
				continue
			break
		vouchers = [voucher for _name, voucher, _before in batch]
		try:
			_repost_batch(doc, vouchers, reads)
		except RepostFailed as failed:
			# A deadlock or lock wait with other users' work: the batch is rolled back and tried
			# again (the batches before it are committed).
			if commit and attempts < RETRIES - 1 and _transient(failed.__cause__):
				attempts += 1
				frappe.db.rollback()
				writer.forget_company(doc.company)
				time.sleep(attempts)
				continue
			raise
		attempts = 0
		gl = io.gl_now(vouchers)
		marked = []
		for name, voucher, before in batch:
			now = gl.get((voucher.voucher_type, voucher.voucher_no), {})
			change = rules.voucher_change(voucher, before, now, precision)
			for account, amount in before.items():
				outcome.before[account] = outcome.before.get(account, ZERO) + amount
			for account, amount in now.items():
				outcome.after[account] = outcome.after.get(account, ZERO) + amount
			if not commit:
				# The preview shows each voucher's change; a committed run keeps it on the voucher's row
				# only (what it holds in memory does not grow with the documents).
				outcome.changes.append(change)
			moved = sum((amount for _account, amount in change.changes if amount > 0), ZERO)
			marked.append((name, json.dumps({a: str(c) for a, c in change.changes}), moved))
		io.mark_reposted(marked)
		done_here += len(marked)
		if commit:
			frappe.db.commit()
		if not commit or time.monotonic() - counted_at >= PROGRESS_SECONDS:
			# Committed runners count every runner's rows, every few seconds (a count reads them all).
			counted_at = time.monotonic()
			done = reposted(doc.name) if commit else done_here
			progress(min(99, done * 100 // max(total, 1)), _("Reposted {0} of {1} documents after the cutover").format(done, total))
	outcome.stock_today, outcome.closing = _close(doc, precision)
	if commit:
		frappe.db.commit()
	progress(100, _("Done"))
	return outcome


RETRIES = 3
# How often a committed runner counts the documents reposted, for the progress bar.
PROGRESS_SECONDS = 2
# How long a runner waits before looking again when the invoices wait for other runners' stock batches.
WAIT_SECONDS = 1


def _retrying(doc, read, commit: bool):
	"""`read()` (a lock on the switch's row), tried again after a deadlock or a lock wait timeout
	with another runner: such an error rolls back this runner's transaction, which holds nothing
	yet at these points."""
	for attempt in range(1, RETRIES + 1):
		try:
			return read()
		except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
			if not commit or attempt == RETRIES:
				raise
			frappe.db.rollback()
			writer.forget_company(doc.company)
			time.sleep(attempt)


def _repost_batch(doc, vouchers, reads) -> None:
	"""The batch's vouchers one at a time, their documents read in bulk first, the new GL rows of its
	stock documents written together (`io.RepostBatch`, with the run's `reads`)."""
	try:
		batch = io.RepostBatch(doc.company, doc.cutover_date, vouchers, reads)
	except Exception as exc:
		raise RepostFailed(vouchers[0], _reason(exc)) from exc
	with io.reads_once(doc.company), io.saves_forgotten(), batch.answered():
		for voucher in vouchers:
			try:
				io.repost(voucher, _route_invoice, receipts.on_invoice_submit, batch)
			except Exception as exc:
				raise RepostFailed(voucher, _reason(exc)) from exc
	try:
		batch.finish()
	except Exception as exc:
		raise RepostFailed(vouchers[-1], _reason(exc)) from exc


def _route_invoice(doc) -> None:
	"""What the app's own Purchase Invoice validate does after a switch: rows billing accrued
	receipts, and debit notes of goods billed before the cutover, go to SRBNB."""
	receipts.route_migrated_receipts(doc)
	route_returns_to_srbnb(doc)


def _transient(exc: Exception) -> bool:
	if isinstance(exc, (frappe.QueryDeadlockError, frappe.QueryTimeoutError)):
		return True
	try:
		return bool(frappe.db.is_deadlocked(exc) or frappe.db.is_timedout(exc))
	except (IndexError, TypeError, AttributeError):
		return False


def _close(doc, precision):
	"""Post what still separates each stock account from its stock value today, and mark Applied."""
	today = getdate()
	current = service.build(SwitchOptions(doc.company, today, doc.expense_account, doc.cost_center, freeze_stock=False))
	journal = rules.closing_journal(current.stock_accounts, doc.expense_account, doc.cost_center, precision)
	if journal:
		name = writer.post_journal(
			doc.company,
			today,
			journal,
			_("Closing stock sync ({0})").format(doc.name),
			_("Backdated switch {0}: stock accounts brought to their stock value on {1}").format(doc.name, today),
		)
		doc.db_set("closing_journal_entry", name)
	doc.db_set({"status": "Applied", "failure_reason": None, "reposted_count": reposted(doc.name)})
	return current.stock_accounts, journal


def _reason(exc: Exception) -> str:
	text = str(exc) or exc.__class__.__name__
	return frappe.utils.strip_html_tags(text.replace("<br>", "\n"))


def reposted(name: str) -> int:
	"""How many of the switch's documents are reposted, as committed now."""
	return io.counts(name).get("Reposted", 0)


def run_or_undo(name: str, progress=None) -> str | None:
	"""Run the repost; on any failure undo the whole switch and return why (None when applied)."""
	try:
		run(name, commit=True, progress=progress)
	except Exception as exc:
		reason = str(exc) if isinstance(exc, RepostFailed) else _reason(exc)
		undo(name, reason)
		return reason
	# Another runner may have finished it, or failed and undone it (read as committed now).
	frappe.db.commit()
	status, reason = frappe.db.get_value(SWITCH, name, ["status", "failure_reason"])
	return None if status == "Applied" else reason or _("The switch is {0}.").format(_(status))


def undo(name: str, reason: str) -> None:
	"""Put everything back as before the switch and record why, in a transaction of its own."""
	frappe.db.rollback()
	frappe.log_error(title=_("Backdated switch {0} failed").format(name))
	if io.lock_switch(name) != "Reposting":
		return  # another runner finished or undid it meanwhile
	doc = frappe.get_doc(SWITCH, name)
	doc.flags.undo = True
	doc.flags.ignore_permissions = True
	doc.flags.ignore_links = True
	with guards.atomic(doc.company):
		doc.cancel()
	writer.set_switch_status(name, "Failed", reason)
	frappe.db.commit()


def restore(doc) -> None:
	"""Rollback of a backdated switch: every reposted voucher's ledgers and expense accounts as
	recorded before the repost, the clearings the repost made released, the closing journal cancelled."""
	for voucher_type, voucher_no in sorted(io.listed(doc.name)):
		if voucher_type == "Purchase Invoice":
			for journal_entry in clearing.release(voucher_no):
				writer.cancel_journal(journal_entry)
	if doc.closing_journal_entry:
		writer.cancel_journal(doc.closing_journal_entry)
	io.restore(doc.name)


def rollback_refusals(doc) -> list[str]:
	"""What stops rolling back a backdated switch: a period closed after the cutover."""
	closed = io.period_closings_after(doc.company, doc.cutover_date) + io.closed_periods_after(
		doc.company, doc.cutover_date, {t for t, _n in io.listed(doc.name)} | {"Journal Entry"}
	)
	return [f"{d.doctype} {d.name}" for d in closed]
