"""Use cases of the switch: check, plan, apply, rollback, status. The doctype, the commands and the
wizard all call these; none of them computes anything itself.

Transactions: these functions never commit. The bench commands commit on success and roll back on
any error; in the desk, Frappe does the same around the request.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime

import frappe
from frappe import _
from frappe.utils import getdate, now_datetime

from perpetual_switch.engine.accounts import sample_names
from perpetual_switch.engine.models import Issue, Plan
from perpetual_switch.engine.plan import apply_blockers, build_plan
from perpetual_switch.engine.serialize import issue_to_dict, plan_to_dict
from perpetual_switch.erpnext_io import reader, writer

SWITCH = reader.SWITCH
JOURNAL_FIELDS = {"stock_sync": "stock_journal_entry", "srbnb_sync": "srbnb_journal_entry"}


class SwitchBlocked(frappe.ValidationError):
	"""Blockers were found; nothing was written. Carries the plan so callers can show every blocker."""

	def __init__(self, plan: Plan, blockers: tuple[Issue, ...]):
		self.plan = plan
		self.blockers = blockers
		super().__init__(blockers_text(blockers))


class RollbackRefused(frappe.ValidationError):
	"""The switch cannot be rolled back as things stand; nothing was changed."""


@contextmanager
def atomic(company: str | None = None):
	"""All or nothing for every caller: the work runs under a savepoint that is rolled back on any
	error (the caller's own earlier writes stay as they were), and cached company values are
	dropped so nobody reads what was undone."""
	name = "perpetual_switch_" + frappe.generate_hash(length=8)
	frappe.db.savepoint(name)
	try:
		yield
	except BaseException:
		frappe.db.rollback(save_point=name)
		if company:
			frappe.clear_document_cache("Company", company)
		raise
	else:
		frappe.db.release_savepoint(name)


def raise_blocked(plan: Plan, blockers: tuple[Issue, ...]):
	"""Show every blocker in one dialog (desk) and raise, so the transaction is rolled back."""
	frappe.msgprint(
		"<br>".join(frappe.utils.escape_html(m) for m in blockers_text(blockers).split("\n")),
		title=_("The switch cannot be applied"),
		indicator="red",
	)
	raise SwitchBlocked(plan, blockers)


def translate(text: str) -> str:
	return _(text)


def blockers_text(blockers) -> str:
	return "\n".join(issue_to_dict(b, translate)["message"] for b in blockers)


RECEIPTS_SHOWN = 200
"""Receipt rows a plan shows in the desk and stores on the switch; the rest are counted (and, once
applied, listed in full in the switch's accrual table)."""


def plan_dict(plan: Plan, receipts_limit: int | None = None) -> dict:
	return plan_to_dict(plan, translate, receipts_limit)


def issues_dicts(issues) -> list[dict]:
	return [issue_to_dict(issue, translate) for issue in issues]


def _require_company(company: str) -> None:
	if not company or not frappe.db.exists("Company", company):
		frappe.throw(_("Company {0} does not exist.").format(frappe.bold(company or "")), frappe.DoesNotExistError)


def _can_read_plan(company: str) -> None:
	"""A plan shows account balances: it needs read access to the company and its accounts."""
	_require_company(company)
	if not frappe.has_permission("Company", "read", doc=company) or not frappe.has_permission("Account", "read"):
		frappe.throw(
			_("You need read access to company {0} and its accounts to see a switch plan.").format(
				frappe.bold(company)
			),
			frappe.PermissionError,
		)


def _validate_date(value):
	"""None means today; anything else must be a real date written YYYY-MM-DD (an empty string or
	01/06/2026 is refused rather than guessed)."""
	if value is None:
		return getdate()
	if isinstance(value, (date, datetime)):
		return getdate(value)
	text = str(value).strip()
	if ISO_DATE.fullmatch(text):
		try:
			return date.fromisoformat(text)
		except ValueError:
			pass
	_bad_date(value)


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _bad_date(value):
	frappe.throw(_("{0} is not a valid date (use YYYY-MM-DD).").format(frappe.bold(str(value) or '""')))


def publish_progress(percent: int, description: str) -> None:
	"""Realtime progress for the desk; silent on the command line."""
	if getattr(frappe.local, "request", None):
		frappe.publish_progress(percent, title=_("Perpetual inventory switch"), description=description)


def build(
	company: str,
	cutover_date=None,
	expense_account: str | None = None,
	cost_center: str | None = None,
	freeze_stock: bool = True,
	freeze_accounts: bool = False,
	company_defaults: dict | None = None,
	exclude_switch: str | None = None,
	progress=None,
	backdated: bool = False,
) -> Plan:
	overrides = {k: v for k, v in (company_defaults or {}).items() if v}
	for fieldname, value in overrides.items():
		if not isinstance(value, str):
			frappe.throw(
				_("The company default {0} must be the name of an account or cost center, not {1}.").format(
					frappe.bold(fieldname), frappe.bold(frappe.as_json(value))
				)
			)
	unknown = set(overrides) - set(reader.company_default_fields())
	if unknown:
		frappe.throw(_("{0} is not a company default the switch can set.").format(frappe.bold(", ".join(sorted(unknown)))))
	inputs = reader.read_inputs(
		company,
		_validate_date(cutover_date),
		expense_account=expense_account,
		cost_center=cost_center,
		freeze_stock=freeze_stock,
		freeze_accounts=freeze_accounts,
		default_overrides=overrides,
		exclude_switch=exclude_switch,
		progress=progress,
		backdated=backdated,
	)
	if progress:
		progress(100, _("Done"))
	return build_plan(inputs)


def plan(company: str, cutover_date=None, expense_account=None, cost_center=None, **options) -> Plan:
	_can_read_plan(company)
	return build(company, cutover_date, expense_account, cost_center, **options)


# A check is the same computation as a plan; the command and the wizard show its check part.
check = plan


def apply(
	company: str,
	cutover_date=None,
	expense_account=None,
	cost_center=None,
	freeze_stock: bool = True,
	freeze_accounts: bool = False,
	company_defaults: dict | None = None,
	progress=None,
	backdated: bool = False,
):
	"""Create and submit a switch in the caller's transaction. Raises SwitchBlocked (nothing
	written) when anything blocks. The plan is computed once, under the company's lock.

	A backdated switch comes back "Reposting": its documents after the cutover are listed, and
	services.backdated.run reposts them (in batches, committing each)."""
	_require_company(company)
	frappe.has_permission(SWITCH, "submit", throw=True)
	writer.lock_company(company, fresh=True)
	doc = new_switch(company, cutover_date, expense_account, cost_center, freeze_stock, freeze_accounts, backdated)
	# Inserted as submitted: one save, its rows written once.
	return _plan_and_submit(doc, company_defaults, progress)


def new_switch(company, cutover_date, expense_account, cost_center, freeze_stock, freeze_accounts, backdated):
	doc = frappe.new_doc(SWITCH)
	doc.update(
		{
			"company": company,
			"cutover_date": _validate_date(cutover_date),
			"expense_account": expense_account,
			"cost_center": cost_center,
			"freeze_stock": int(freeze_stock),
			"freeze_accounts": int(freeze_accounts),
			"backdated": int(bool(backdated)),
		}
	)
	return doc


def submit_draft(name: str, company_defaults: dict | None = None, progress=None):
	"""Submit a draft switch (made in the form), its plan computed once under the company's lock."""
	doc = frappe.get_doc(SWITCH, name)
	doc.check_permission("submit")
	writer.lock_company(doc.company, fresh=True)
	doc.reload()
	return _plan_and_submit(doc, company_defaults, progress)


def _plan_and_submit(doc, company_defaults: dict | None, progress):
	"""Plan once (the caller holds the company's lock), refuse on any blocker, submit all or nothing."""
	doc.flags.company_defaults = company_defaults
	doc.flags.progress = progress
	# Only the plan here: submitting validates the document, which fills it from this same plan.
	result = switch_plan(doc)
	blockers = result.blockers or nothing_to_apply(result)
	if blockers:
		raise SwitchBlocked(result, blockers)
	# Every link on the switch and its rows comes from the plan, read from those very tables.
	doc.flags.ignore_links = True
	with atomic(doc.company):
		doc.submit()
	return doc


def nothing_to_apply(result: Plan) -> tuple[Issue, ...]:
	return apply_blockers(result, None if result.has_work else reader.active_switch(result.company))


def rollback(company: str, progress=None, overwrite_later_edits: bool = False):
	"""Cancel the company's applied switch (the latest one), which undoes everything it did.

	Refused (RollbackRefused, nothing changed) when documents were posted after the cutover, a
	later switch is applied, or a value the switch set was changed since, unless
	`overwrite_later_edits` confirms restoring it anyway."""
	_require_company(company)
	frappe.has_permission(SWITCH, "cancel", throw=True)
	writer.lock_company(company, fresh=True)
	switches = reader.applied_switches(company)
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


def status(company: str) -> dict:
	_can_read_plan(company)
	switch = latest_switch(company)
	current = build(company, freeze_stock=False)
	return {
		"company": company,
		"currency": current.currency,
		"perpetual_inventory_enabled": current.perpetual_inventory_enabled,
		"switch": switch.name if switch else None,
		"switch_status": switch.status if switch else None,
		"journal_entries": [j for j in (switch.stock_journal_entry, switch.srbnb_journal_entry) if j] if switch else [],
		"in_sync": current.in_sync,
		"stock_accounts": plan_dict(current)["stock_accounts"],
	}


def latest_switch(company: str):
	"""The company's most recent switch, whatever its status, or None."""
	latest = frappe.get_all(
		SWITCH,
		filters={"company": company},
		fields=["name", "status", "docstatus", "cutover_date", "stock_journal_entry", "srbnb_journal_entry", "applied_on", "applied_by"],
		order_by="creation desc",
		limit=1,
	)
	return latest[0] if latest else None


def context(company: str) -> dict:
	"""What the wizard shows beside the plan: the company's state and its latest switch."""
	_can_read_plan(company)
	values = frappe.db.get_value(
		"Company", company, ["country", "default_currency", "enable_perpetual_inventory"], as_dict=True
	)
	latest = latest_switch(company)
	from perpetual_switch.services.background import state

	return {
		"company": company,
		"job": state(company),
		"country": values.country,
		"currency": values.default_currency,
		"perpetual_inventory_enabled": bool(values.enable_perpetual_inventory),
		"switch": latest,
		"can_apply": bool(frappe.has_permission(SWITCH, "submit")),
	}


def reconciliation(company: str, as_on_date=None) -> list[dict]:
	"""Per stock account: stock value against GL balance, with the switch entries shown apart."""
	_can_read_plan(company)
	result = build(company, as_on_date, freeze_stock=False)
	switch_amounts = reader.switch_journal_amounts(company, result.cutover_date)
	warehouses: dict[str, list[str]] = {}
	for line in result.warehouses:
		if line.account and not line.is_group:
			warehouses.setdefault(line.account, []).append(line.warehouse)
	return [
		{
			"account": line.account,
			"warehouses": ", ".join(warehouses.get(line.account, [])),
			"stock_value": line.stock_value,
			"gl_balance": line.gl_balance,
			"switch_entries": switch_amounts.get(line.account, 0),
			"difference": line.difference,
		}
		for line in result.stock_accounts
	]


def accruals(name: str) -> list[dict]:
	"""Every receipt row the switch accrued, with what later invoices cleared of it."""
	if not name or not frappe.db.exists(SWITCH, name):
		frappe.throw(_("Switch {0} does not exist.").format(frappe.bold(name or "")), frappe.DoesNotExistError)
	frappe.get_doc(SWITCH, name).check_permission("read")
	return reader.accruals_with_clearing(name)


AUDIT_RECEIPTS = 500


def audit(name: str) -> dict:
	"""What the switch's print format shows: the stored plan, the settings it changed and the
	receipt rows it accrued (the first ones; the report Perpetual Switch Accruals lists them all)."""
	doc = frappe.get_doc(SWITCH, name)
	doc.check_permission("read")
	data = frappe.parse_json(doc.plan_json or "{}")
	changes = [
		{
			"document": f"{row.document_type} {row.document_name}",
			"field": row.fieldname or row.action,
			"before": frappe.parse_json(row.previous_value) if row.previous_value else None,
			"after": frappe.parse_json(row.new_value) if row.new_value else None,
		}
		for row in doc.changes
	]
	journals = {
		purpose: doc.get(fieldname) for purpose, fieldname in JOURNAL_FIELDS.items() if doc.get(fieldname)
	}
	if doc.docstatus == 0:
		receipts = (data.get("srbnb") or {}).get("receipts", [])[:AUDIT_RECEIPTS]
	else:
		receipts = reader.switch_accruals(name, limit=AUDIT_RECEIPTS)
	reposted = []
	if doc.get("backdated"):
		reposted = [
			{**row, "changes": frappe.parse_json(row.changes) if row.changes else {}}
			for row in frappe.get_all(
				"Perpetual Switch Repost",
				filters={"switch": name},
				fields=["voucher_type", "voucher_no", "posting_date", "status", "changes"],
				order_by="seq",
				limit=AUDIT_RECEIPTS,
			)
		]
	return {
		"plan": data,
		"reposted": reposted,
		"changes": changes,
		"journal_names": journals,
		"receipts": receipts,
		"receipts_count": doc.receipts_count or 0,
	}


# The document's life: validate fills the preview, submit applies, cancel rolls back.


def refresh_switch(doc) -> Plan:
	"""Compute the plan for a switch document and store its summary as the preview."""
	result = switch_plan(doc)
	data = plan_dict(result, RECEIPTS_SHOWN)
	doc.cutover_date = result.cutover_date
	doc.expense_account = result.expense_account
	doc.cost_center = result.cost_center
	doc.mode = result.mode
	doc.currency = result.currency
	doc.blockers_count = len(result.blockers)
	doc.warnings_count = len(result.warnings)
	rows = {
		"warehouses": [{**w, "currency": result.currency} for w in data["warehouses"]],
		"journal_lines": [
			{**line, "purpose": j["purpose"], "currency": result.currency}
			for j in data["journal_entries"]
			for line in j["lines"]
		],
	}
	if doc.is_new() and doc.docstatus == 1:
		# Inserted as submitted (apply): on_submit writes these rows, one insert per table instead
		# of Frappe's one per row (a row per warehouse: hundreds on a large company).
		doc.flags.preview_rows = rows
		rows = {fieldname: [] for fieldname in rows}
	for fieldname, values in rows.items():
		doc.set(fieldname, values)
	doc.repost_count = result.backdated.vouchers if result.backdated else 0
	doc.receipts_count = len(result.srbnb.receipts)
	doc.unbilled_total = result.srbnb.unbilled_value
	doc.plan_json = frappe.as_json(data)
	return result


def switch_plan(doc) -> Plan:
	"""The plan of a switch document. Within one apply (insert, then submit) it is computed once
	and kept on the document's flags; a later save of a draft computes it afresh."""
	_require_company(doc.company)
	result = doc.flags.plan
	if result is None:
		if doc.docstatus == 1:
			# Being submitted from the form: decide under the company's lock.
			writer.lock_company(doc.company)
		result = build(
			doc.company,
			doc.cutover_date,
			doc.expense_account,
			doc.cost_center,
			bool(doc.freeze_stock),
			bool(doc.freeze_accounts),
			doc.flags.company_defaults,
			exclude_switch=doc.name,
			progress=_scaled(doc.flags.progress, 0, 40),
			backdated=bool(doc.get("backdated")),
		)
		doc.flags.plan = result
	return result


def _scaled(progress, start: int, end: int):
	"""Report a part's 0-100 % as start-end % of the whole."""
	if not progress:
		return None
	return lambda percent, description: progress(start + (end - start) * percent // 100, description)


def _progress(doc):
	"""Progress of posting: the second part of the whole (the plan was the first)."""
	return _scaled(doc.flags.progress, 40, 100) or publish_progress


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
	remark = _("Perpetual inventory switch {0} for {1} as of {2}").format(doc.name, doc.company, result.cutover_date)
	titles = {"stock_sync": _("Stock value sync ({0})"), "srbnb_sync": _("Received not billed sync ({0})")}
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
		from perpetual_switch.services import backdated

		progress(95, _("Listing {0} documents to repost after the cutover").format(result.backdated.vouchers))
		backdated.prepare(doc)
		doc.status = "Reposting"
	doc.failure_reason = None
	doc.applied_by = frappe.session.user
	doc.applied_on = now_datetime()
	# The document and its plan rows are saved by Frappe around this; write only what is new.
	doc.db_update()
	for row in doc.changes:
		if not frappe.db.exists(row.doctype, row.name or ""):
			row.name = row.name or frappe.generate_hash(length=10)
			row.db_insert()
	progress(100, _("Done"))


def rollback_switch(doc) -> None:
	"""Undo a switch: lift the freeze, cancel its journals, restore every company value."""
	writer.lock_company(doc.company)
	if doc.flags.undo:
		# A backdated switch that failed while reposting undoes itself: nothing else was posted under it.
		_undo_switch(doc)
		return
	backdated = None
	if doc.get("backdated"):
		from perpetual_switch.services import backdated

		if doc.status == "Reposting":
			raise RollbackRefused(_("Switch {0} is still reposting documents after its cutover; wait until it ends.").format(doc.name))
		closed = backdated.rollback_refusals(doc)
		if closed:
			raise RollbackRefused(
				_("Switch {0} cannot be rolled back: {1} closes dates after its cutover {2}, whose documents it reposted. Reopen it first.").format(
					doc.name, ", ".join(closed[:5]), doc.cutover_date
				)
			)
	# Documents the backdated switch reposted were there before it: only later ones stop a rollback,
	# all of them, whatever their number; the switch's own journals are its to cancel.
	own_journals = (doc.get("stock_journal_entry"), doc.get("srbnb_journal_entry"), doc.get("closing_journal_entry"))
	posted, count = reader.posted_after_switch(doc.name, doc.company, doc.cutover_date, doc.applied_on, own_journals)
	if count:
		raise RollbackRefused(
			_(
				"Switch {0} cannot be rolled back: documents were posted under perpetual inventory after the cutover {1}: {2}. Cancel them first."
			).format(doc.name, doc.cutover_date, sample_names([f"{d.doctype} {d.name}" for d in posted], count))
		)
	later = [s.name for s in reader.applied_switches(doc.company) if s.name != doc.name and getdate(s.cutover_date) >= getdate(doc.cutover_date)]
	if later:
		raise RollbackRefused(_("Switch {0} is applied after {1}; roll it back first.").format(later[0], doc.name))
	changes = [writer.Change.from_row(row) for row in doc.changes]
	edited = writer.edited_since(changes)
	if edited and not doc.flags.overwrite_later_edits:
		raise RollbackRefused(
			_(
				"Switch {0} cannot be rolled back without overwriting later edits: {1}. Confirm to restore the values from before the switch anyway."
			).format(
				doc.name,
				"; ".join(
					_("{0} of {1} was set to {2} by the switch and is {3} now").format(
						c.fieldname, c.document_name, c.new_value if c.new_value is not None else "-", now if now is not None else "-"
					)
					for c, now in edited
				),
			)
		)
	if backdated:
		_progress(doc)(10, _("Putting back the ledgers of the documents reposted after the cutover"))
		backdated.restore(doc)
	_undo_switch(doc, changes)


def _undo_switch(doc, changes=None) -> None:
	if doc.get("backdated"):
		from perpetual_switch.services import backdated

		if doc.flags.undo:
			backdated.restore(doc)
	changes = changes if changes is not None else [writer.Change.from_row(row) for row in doc.changes]
	_progress(doc)(30, _("Cancelling the switch's journal entries"))
	writer.unfreeze(changes)
	for fieldname in ("srbnb_journal_entry", "stock_journal_entry"):
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
