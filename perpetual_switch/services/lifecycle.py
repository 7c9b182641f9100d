"""A switch document's life: apply (submit), rollback (cancel) and the undo of a backdated switch that
failed while reposting, and the one choice between a plain and a backdated plan (whose preview is an
apply and a repost rolled back). Computing a plan is services.switch's, the repost after the cutover
services.backdated's; this module uses both, and services.background runs it as a job.

Transactions: these functions never commit. The bench commands commit on success and roll back on
any error; in the desk, Frappe does the same around the request.
"""

from __future__ import annotations

from dataclasses import replace

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from perpetual_switch.engine import backdated as backdated_rules
from perpetual_switch.engine.models import Plan, SwitchOptions
from perpetual_switch.engine.rollback import EditedValue, RollbackFacts, rollback_blockers
from perpetual_switch.engine.serialize import plan_changed
from perpetual_switch.erpnext_io import reader, switch_records, writer
from perpetual_switch.erpnext_io.backdated import rolled_back
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.services import backdated
from perpetual_switch.services.guards import atomic, operation_label, require_company, require_switch_right
from perpetual_switch.services.switch import (
	JOURNAL_FIELDS,
	SWITCH,
	RollbackRefused,
	SwitchBlocked,
	_scaled,
	blockers_text,
	new_switch,
	nothing_to_apply,
	publish_progress,
	raise_blocked,
	refresh_switch,
	switch_plan,
	translate,
)
from perpetual_switch.services.switch import plan as switch_plan_of


def plan(options: SwitchOptions, preview: bool = False, progress=None, fingerprint: str | None = None) -> Plan:
	"""The plan of a switch, plain or backdated: the one place that chooses. A backdated plan with
	`preview` also shows what the repost will change, computed by doing it in a savepoint that is
	rolled back (minutes on a year of a real company: the desk asks for it as a job). With
	`fingerprint` (of the plan the user reviewed), a plan that is no longer that one comes back
	blocked, unpreviewed."""
	base = switch_plan_of(options, progress)
	changed = plan_changed(fingerprint, base)
	if changed:
		return replace(base, blockers=(*base.blockers, changed))
	if not base.operation.is_backdated or not preview or base.blockers:
		return base
	return _preview(base, options)


def _preview(base: Plan, options: SwitchOptions) -> Plan:
	company = base.company
	failure = None
	with rolled_back(company):
		try:
			doc = new_switch(
				replace(
					options,
					cutover_date=base.cutover_date,
					expense_account=base.expense_account,
					cost_center=base.cost_center,
					freeze_stock=False,
				)
			)
			doc.flags.ignore_permissions = True
			doc = _plan_and_submit(doc, None)
			outcome = backdated.run(doc, commit=False)
		except backdated.RepostFailed as failed:
			failure = failed
	if failure:
		blocker = backdated_rules.failure_issue(failure.voucher, failure.reason)
		return replace(base, blockers=(*base.blockers, blocker))
	return replace(
		base,
		backdated=replace(
			base.backdated,
			previewed=True,
			account_changes=backdated_rules.account_changes(outcome.before, outcome.after, base.precision),
			voucher_changes=tuple(outcome.changes),
			stock_today=outcome.stock_today,
			closing_journal=outcome.closing,
			today=getdate(),
		),
	)


def apply(options: SwitchOptions, progress=None, fingerprint: str | None = None):
	"""Create and submit a switch in the caller's transaction. Raises SwitchBlocked (nothing
	written) when anything blocks. The plan is computed once, under the company's lock.

	A backdated switch comes back "Reposting": its documents after the cutover are listed, and
	services.backdated.run reposts them (in batches, committing each). With `fingerprint` (of the
	plan the user reviewed), a plan that is no longer that one is refused."""
	require_company(options.company)
	require_switch_right(options.company)
	writer.lock_company(options.company, fresh=True)
	doc = new_switch(options)
	# Inserted as submitted: one save, its rows written once.
	return _plan_and_submit(doc, progress, fingerprint)


def submit_draft(name: str, company_defaults: dict | None = None, progress=None):
	"""Submit a draft switch (made in the form), its plan computed once under the company's lock."""
	doc = frappe.get_doc(SWITCH, name)
	doc.check_permission("submit")
	writer.lock_company(doc.company, fresh=True)
	doc.reload()
	doc.flags.company_defaults = company_defaults
	return _plan_and_submit(doc, progress)


def _plan_and_submit(doc, progress, fingerprint: str | None = None):
	"""Plan once (the caller holds the company's lock), refuse on any blocker or on a plan other than
	the one reviewed, submit all or nothing."""
	doc.flags.progress = progress
	# Only the plan here: submitting validates the document, which fills it from this same plan.
	result = switch_plan(doc)
	changed = plan_changed(fingerprint, result)
	blockers = result.blockers or nothing_to_apply(result) or ((changed,) if changed else ())
	if blockers:
		raise SwitchBlocked(result, blockers)
	# Every link on the switch and its rows comes from the plan, read from those very tables.
	doc.flags.ignore_links = True
	with atomic(doc.company):
		doc.submit()
	return doc


def rollback(company: str, progress=None, overwrite_later_edits: bool = False):
	"""Cancel the company's applied switch (the latest one), which undoes everything it did.

	Refused (RollbackRefused, nothing changed) when documents were posted after the cutover, a
	later switch is applied, or a value the switch set was changed since, unless
	`overwrite_later_edits` confirms restoring it anyway."""
	require_company(company)
	require_switch_right(company, "cancel")
	writer.lock_company(company, fresh=True)
	switches = switch_records.applied_switches(company)
	if not switches:
		raise RollbackRefused(_("Company {0} has no applied switch to roll back.").format(company))
	doc = frappe.get_doc(SWITCH, switches[0].name)
	doc.flags.progress = progress
	doc.flags.overwrite_later_edits = overwrite_later_edits
	# Only the app's own records point at a switch, and rollback_switch checks those itself.
	doc.flags.ignore_links = True
	with atomic(company):
		doc.cancel()
	return doc


def _progress(doc):
	"""Progress of posting: the second part of the whole (the plan was the first)."""
	return _scaled(doc.flags.progress, 40, 100) or publish_progress


@mariadb_only
def apply_switch(doc) -> None:
	"""Post everything the plan says, in the caller's transaction, recording each previous value."""
	result: Plan = doc.flags.plan or refresh_switch(doc)
	blockers = result.blockers or nothing_to_apply(result)
	if blockers:
		raise_blocked(result, blockers)
	if doc.flags.preview_rows:
		children = []
		for fieldname, values in doc.flags.preview_rows.items():
			doc.set(fieldname, values)
			children += doc.get(fieldname)
		doc.flags.preview_rows = None
		for row in children:
			row.docstatus = doc.docstatus
		writer.insert_child_rows(children)
	progress = _progress(doc)
	if result.scheme:
		remark = _("Inventory account scheme change {0} for {1} as of {2}: {3} to {4}").format(
			doc.name, doc.company, result.cutover_date, _(result.scheme.current), _(result.scheme.target)
		)
	else:
		remark = _("Perpetual inventory switch {0} for {1} as of {2}").format(doc.name, doc.company, result.cutover_date)
	titles = {
		"stock_sync": _("Stock value sync ({0})"),
		"srbnb_sync": _("Received not billed sync ({0})"),
		"scheme_move": _("Inventory account scheme move ({0})"),
	}
	for index, journal in enumerate(result.journal_entries):
		progress(20 + 30 * index, _("Posting journal entry {0}").format(titles[journal.purpose].format(doc.name)))
		name = writer.post_journal(
			doc.company, result.cutover_date, journal, titles[journal.purpose].format(doc.name), remark
		)
		doc.db_set(JOURNAL_FIELDS[journal.purpose], name)
	progress(75, _("Recording {0} receipt rows accrued").format(len(result.srbnb.receipts)))
	writer.record_accruals(doc.name, result.currency, result.srbnb.receipts)
	progress(80, _("Setting company defaults"))
	changes = writer.set_company_fields(doc.company, {c.field: c.proposed for c in result.company_defaults})
	progress(90, _("Closing documents up to the cutover"))
	changes += writer.freeze(doc.company, result.freeze, doc.name)
	for change in changes:
		doc.append("changes", change.as_row())
	doc.status = "Applied"
	if result.backdated:
		progress(95, _("Listing {0} documents to repost after the cutover").format(result.backdated.vouchers))
		backdated.prepare(doc)
		doc.status = "Reposting"
	doc.failure_reason = None
	doc.applied_by = frappe.session.user
	doc.applied_on = now_datetime()
	# The document and its plan rows are saved by Frappe around this; write only what is new.
	doc.db_update()
	writer.insert_rows_not_saved(doc.changes)
	progress(100, _("Done"))


@mariadb_only
def rollback_switch(doc) -> None:
	"""Undo a switch: lift the freeze, cancel its journals, restore every company value."""
	writer.lock_company(doc.company)
	if doc.flags.undo:
		# A backdated switch that failed while reposting undoes itself: nothing else was posted under it.
		_undo_switch(doc)
		return
	changes = [writer.Change.from_row(row) for row in doc.changes]
	blockers = rollback_blockers(_rollback_facts(doc, changes), translate)
	if blockers:
		raise RollbackRefused(blockers_text(blockers))
	if doc.get("backdated"):
		_progress(doc)(10, _("Putting back the ledgers of the documents reposted after the cutover"))
		backdated.restore(doc)
	_undo_switch(doc, changes)


def _rollback_facts(doc, changes) -> RollbackFacts:
	"""What decides whether the switch can be rolled back, read from the site. Documents a backdated
	switch reposted were there before it: only later ones count, all of them; the switch's own
	journals are its to cancel."""
	if doc.get("backdated") and doc.status == "Reposting":
		return RollbackFacts(doc.name, doc.cutover_date, reposting=True)
	own_journals = (*(doc.get(f) for f in JOURNAL_FIELDS.values()), doc.get("closing_journal_entry"))
	posted, count = reader.posted_after_switch(doc.name, doc.company, doc.cutover_date, doc.applied_on, own_journals)
	later_switches = tuple(
		s.name
		for s in switch_records.applied_switches(doc.company)
		if s.name != doc.name and (getdate(s.cutover_date), s.creation) > (getdate(doc.cutover_date), doc.creation)
	)
	return RollbackFacts(
		doc.name,
		doc.cutover_date,
		closed_after=tuple(backdated.rollback_refusals(doc)) if doc.get("backdated") else (),
		posted_after=tuple(f"{d.doctype} {d.name}" for d in posted),
		posted_after_count=count,
		later_switches=later_switches,
		later_operations=tuple(
			operation_label(doctype, name)
			for doctype, name in switch_records.operations_applied_after(doc.company, doc.applied_on, doc.name)
			if name not in later_switches
		),
		edited=tuple(
			EditedValue(c.fieldname, c.document_name, c.new_value, now) for c, now in writer.edited_since(changes)
		),
		overwrite_later_edits=bool(doc.flags.overwrite_later_edits),
	)


def _undo_switch(doc, changes=None) -> None:
	if doc.get("backdated"):
		if doc.flags.undo:
			backdated.restore(doc)
	changes = changes if changes is not None else [writer.Change.from_row(row) for row in doc.changes]
	_progress(doc)(30, _("Cancelling the switch's journal entries"))
	writer.unfreeze(changes)
	for fieldname in reversed(JOURNAL_FIELDS.values()):
		if doc.get(fieldname):
			writer.cancel_journal(doc.get(fieldname))
	writer.restore_fields(changes)
	doc.db_set(
		{
			"status": "Rolled Back",
			"failure_reason": None,
			"rolled_back_by": frappe.session.user,
			"rolled_back_on": now_datetime(),
		}
	)
	_progress(doc)(100, _("Done"))
