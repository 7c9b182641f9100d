"""Writes ERPNext documents for the switch and undoes them exactly. Callers own the transaction.

Every change is returned as a plain record (action, doctype, name, field, before, after) that the
switch stores, so that rollback restores each value as it was, None included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import frappe

from perpetual_switch.engine.models import ITEM_WISE_FIELD, FreezePlan, JournalPlan

SWITCH = "Switch to Perpetual Inventory"


@dataclass(frozen=True)
class Change:
	action: str  # "set", "created" or "closed"
	document_type: str
	document_name: str
	fieldname: str | None = None
	previous_value: object = None
	new_value: object = None

	def as_row(self) -> dict:
		return {
			"action": self.action,
			"document_type": self.document_type,
			"document_name": self.document_name,
			"fieldname": self.fieldname,
			"previous_value": json.dumps(self.previous_value),
			"new_value": json.dumps(self.new_value),
		}

	@classmethod
	def from_row(cls, row) -> Change:
		return cls(
			row.action,
			row.document_type,
			row.document_name,
			row.fieldname,
			json.loads(row.previous_value) if row.previous_value else None,
			json.loads(row.new_value) if row.new_value else None,
		)


ACCRUAL = "Perpetual Switch Receipt"
ACCRUAL_CHUNK = 5000
"""Rows per insert: about 0.6 MB of JSON, far under MariaDB's default 16 MiB packet."""

def lock_company(company: str, fresh: bool = False) -> None:
	"""Hold the company's row until the transaction ends: applies and rollbacks of one company
	run one after the other, each seeing what the previous one committed.

	With `fresh`, a transaction that has written nothing yet is begun anew first: MariaDB fixes
	what a transaction reads at its first plain read, so the reads that decide must all come
	after the lock is granted."""
	if fresh and not frappe.db.transaction_writes:
		frappe.db.rollback()
	frappe.db.sql("select name from `tabCompany` where name = %(company)s for update", {"company": company})
	forget_company(company)


def forget_company(company: str) -> None:
	"""Drop what this process remembers of the company (Frappe's document cache, ERPNext's per-request
	perpetual flag and warehouse accounts), so that what is read after the lock is what the database
	holds now, not what was read before another operation committed."""
	frappe.cache.delete_value(_company_key(company))
	local = getattr(frappe.local, "enable_perpetual_inventory", None)
	if isinstance(local, dict):
		local.pop(company, None)
	value_cache = getattr(frappe.db, "value_cache", None)
	if isinstance(value_cache, dict):
		value_cache.pop("Company", None)
	accounts = frappe.flags.get("warehouse_account_map")
	if accounts:
		accounts.pop(company, None)


def _company_key(company: str) -> str:
	return f"document_cache::Company::{company}"


def _keep_company_private(company: str) -> None:
	"""Until this transaction ends, the company as this transaction changed it is cached for this
	process only. Otherwise ERPNext's next cached read of it (any document posted in the same
	transaction reads it) would publish the uncommitted values to every process, and a process killed
	before its commit or rollback (no hook runs then) would leave them there: other processes would
	post with a scheme or flag the database does not hold. Frappe drops the shared entry at commit and
	at rollback; this lifts the hold then too."""
	held = frappe.local.flags.setdefault("perpetual_switch_private_cache", set())
	held.add(_company_key(company))
	cache = frappe.cache
	if "set_value" in vars(cache):
		return  # already held by this process

	def set_value(key, val, *args, **kwargs):
		if key in frappe.local.flags.get("perpetual_switch_private_cache", ()):
			frappe.local.cache[cache.make_key(key)] = val
			return None
		return type(cache).set_value(cache, key, val, *args, **kwargs)

	def release():
		vars(cache).pop("set_value", None)
		frappe.local.flags.pop("perpetual_switch_private_cache", None)

	cache.set_value = set_value
	frappe.db.after_commit.add(release)
	frappe.db.after_rollback.add(release)


def record_accruals(switch: str, currency: str, receipts) -> None:
	"""The receipt rows a switch accrued, as rows of its accrual table, a few thousand per insert.

	Written once, straight to the table: the switch document does not load them (they are no
	field of it), so saving it stays small whatever the company's size. Each chunk travels as one
	JSON parameter that MariaDB unpacks (JSON_TABLE) into rows: escaping sixteen parameters per row
	cost the driver more than the insert itself. Quantities and values go as decimal text, so they
	reach their DECIMAL columns exactly."""
	params = {
		"switch": switch,
		"now": frappe.utils.now(),
		"user": frappe.session.user,
		"parenttype": "Switch to Perpetual Inventory",
		"currency": currency,
	}
	receipts = list(receipts)
	for start in range(0, len(receipts), ACCRUAL_CHUNK):
		rows = [
			[idx, r.purchase_receipt, r.item_row, r.item_code, format(r.unbilled_qty, "f"), format(r.unbilled_value, "f")]
			for idx, r in enumerate(receipts[start : start + ACCRUAL_CHUNK], start=start + 1)
		]
		frappe.db.sql(_INSERT_ACCRUALS, {**params, "rows": json.dumps(rows)})


_INSERT_ACCRUALS = f"""
insert into `tab{ACCRUAL}` (`name`, `creation`, `modified`, `owner`, `modified_by`, `docstatus`, `parent`,
	`parenttype`, `parentfield`, `idx`, `purchase_receipt`, `item_row`, `item_code`, `unbilled_qty`,
	`unbilled_value`, `currency`)
select concat(%(switch)s, '-', r.idx), %(now)s, %(now)s, %(user)s, %(user)s, 1, %(switch)s,
	%(parenttype)s, 'receipts', r.idx, r.purchase_receipt, r.item_row, r.item_code, r.unbilled_qty,
	r.unbilled_value, %(currency)s
from json_table(%(rows)s, '$[*]' columns (
	idx int path '$[0]' error on error,
	purchase_receipt varchar(140) character set utf8mb4 path '$[1]' error on error,
	item_row varchar(140) character set utf8mb4 path '$[2]' error on error,
	item_code varchar(140) character set utf8mb4 path '$[3]' error on error,
	unbilled_qty decimal(21,9) path '$[4]' error on error,
	unbilled_value decimal(21,9) path '$[5]' error on error
)) r
"""


def insert_child_rows(rows) -> None:
	"""Insert child rows of a document that is already inserted, one insert per table instead of
	Frappe's one per row, each row named, stamped and typed as Frappe's own insert would."""
	from frappe.model.naming import set_new_name

	now = frappe.utils.now()
	user = frappe.session.user
	tables: dict[str, list[dict]] = {}
	for row in rows:
		if not row.name:
			set_new_name(row)
		if not row.creation:
			row.creation = row.modified = now
			row.owner = row.modified_by = user
		tables.setdefault(row.doctype, []).append(row.get_valid_dict(convert_dates_to_str=True, ignore_virtual=True))
		row.set("__islocal", False)
	for doctype, values in tables.items():
		fields = list(values[0])
		columns = ", ".join(f"`{f}`" for f in fields)
		placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
		for start in range(0, len(values), CHILD_CHUNK):
			chunk = values[start : start + CHILD_CHUNK]
			# One parameterised multi-row insert per chunk: only placeholders are put in the text.
			frappe.db.sql(
				f"insert into `tab{doctype}` ({columns}) values " + ", ".join([placeholders] * len(chunk)),
				tuple(v[f] for v in chunk for f in fields),
			)


CHILD_CHUNK = 1000


def post_journal(company: str, posting_date: date, journal: JournalPlan, title: str, remark: str) -> str:
	"""Insert and submit in one save, so ERPNext validates the entry once."""
	je = frappe.new_doc("Journal Entry")
	je.update(
		{
			"voucher_type": "Journal Entry",
			"company": company,
			"posting_date": posting_date,
			"title": title,
			"user_remark": remark,
		}
	)
	for line in journal.lines:
		je.append(
			"accounts",
			{
				"account": line.account,
				"debit_in_account_currency": line.debit,
				"credit_in_account_currency": line.credit,
				"cost_center": line.cost_center,
				"user_remark": f"{remark}: {line.remark}" if line.remark else remark,
			},
		)
	je.flags.ignore_permissions = True
	# ERPNext re-checks each stock account on the entry by scanning the stock ledger once per
	# account (0.5 s each on a large company), to refuse entries to accounts already in sync. The
	# plan has just compared every account in one pass, and only accounts out of sync are on this
	# entry, so the check could only repeat that answer.
	je.validate_stock_accounts = lambda: None
	# ERPNext queues the submission of an entry of over 100 lines in the background, on a document it
	# then reads back by name; the switch posts within its own transaction, all or nothing.
	je._submit()
	return je.name


def _still_submitted(doctype: str, name: str):
	"""A document the app submitted, ready to cancel, or None when it no longer is submitted."""
	doc = frappe.get_doc(doctype, name)
	if doc.docstatus != 1:
		return None
	doc.flags.ignore_permissions = True
	doc.flags.ignore_links = True
	return doc


def cancel(doctype: str, name: str) -> None:
	"""Cancel a document the app submitted, if it is still submitted."""
	if doc := _still_submitted(doctype, name):
		doc.cancel()


def cancel_journal(name: str) -> None:
	"""Cancel one of the app's journals in the caller's transaction (not through ERPNext's queue for
	entries of over 100 lines; see post_journal)."""
	if doc := _still_submitted("Journal Entry", name):
		doc._cancel()


def set_company_fields(company: str, values: dict) -> list[Change]:
	"""Set company fields through the Company document, so ERPNext's own validation and caches run."""
	doc = frappe.get_doc("Company", company)
	changes = []
	for fieldname, value in values.items():
		previous = doc.get(fieldname)
		if previous != value:
			changes.append(Change("set", "Company", company, fieldname, previous, value))
			doc.set(fieldname, value)
	if changes:
		doc.flags.ignore_permissions = True
		_save_company(doc, values)
	return changes


def _save_company(doc, fields) -> None:
	"""Save a Company. When the save changes its inventory account scheme, the app has moved the
	stock between the accounts itself (engine.scheme), so it takes the place of ERPNext's refusal to
	change the scheme of a company with stock; every other validation runs as usual."""
	if doc.doctype == "Company" and ITEM_WISE_FIELD in fields:
		doc.validate_inventory_account_settings = lambda: None
	if doc.doctype == "Company":
		_keep_company_private(doc.name)
	doc.save()
	if doc.doctype == "Company":
		# This transaction reads the company as it saved it, never an older copy another process cached.
		frappe.local.cache[frappe.cache.make_key(_company_key(doc.name))] = frappe.get_doc("Company", doc.name)


def edited_since(changes: list[Change]) -> list[tuple[Change, object]]:
	"""The values the switch set that are no longer what it set: (change, value now)."""
	edited = []
	for change in changes:
		if change.action != "set" or not frappe.db.exists(change.document_type, change.document_name):
			continue
		now = frappe.db.get_value(change.document_type, change.document_name, change.fieldname)
		if (now or None) != (change.new_value or None) and str(now) != str(change.new_value):
			edited.append((change, now))
	return edited


def restore_fields(changes: list[Change]) -> None:
	by_doc: dict[tuple[str, str], list[Change]] = {}
	for change in changes:
		if change.action == "set":
			by_doc.setdefault((change.document_type, change.document_name), []).append(change)
	for (doctype, name), doc_changes in by_doc.items():
		doc = frappe.get_doc(doctype, name)
		for change in doc_changes:
			doc.set(change.fieldname, change.previous_value)
		doc.flags.ignore_permissions = True
		_save_company(doc, {change.fieldname for change in doc_changes})


def freeze(company: str, plan: FreezePlan, label: str) -> list[Change]:
	"""Close the plan's document types: new Accounting Periods for the gaps, closed rows in existing ones."""
	changes = []
	for index, (start, end) in enumerate(plan.new_periods, start=1):
		period = frappe.new_doc("Accounting Period")
		period.update(
			{
				"period_name": f"{label}-{index}",
				"company": company,
				"start_date": start,
				"end_date": end,
			}
		)
		for doctype in plan.doctypes:
			period.append("closed_documents", {"document_type": doctype, "closed": 1})
		period.flags.ignore_permissions = True
		period.insert()
		changes.append(Change("created", "Accounting Period", period.name))
	for name, doctypes in plan.extend_periods:
		period = frappe.get_doc("Accounting Period", name)
		for doctype in doctypes:
			row = next((r for r in period.closed_documents if r.document_type == doctype), None)
			if row:
				changes.append(Change("closed", "Accounting Period", name, doctype, row.closed, 1))
				row.closed = 1
			else:
				changes.append(Change("closed", "Accounting Period", name, doctype, None, 1))
				period.append("closed_documents", {"document_type": doctype, "closed": 1})
		period.flags.ignore_permissions = True
		period.save()
	return changes


def unfreeze(changes: list[Change]) -> None:
	for change in changes:
		if change.action == "created" and frappe.db.exists(change.document_type, change.document_name):
			frappe.delete_doc(change.document_type, change.document_name, ignore_permissions=True, force=True)
	closed: dict[str, list[Change]] = {}
	for change in changes:
		if change.action == "closed":
			closed.setdefault(change.document_name, []).append(change)
	for name, period_changes in closed.items():
		if not frappe.db.exists("Accounting Period", name):
			continue
		period = frappe.get_doc("Accounting Period", name)
		for change in period_changes:
			row = next((r for r in period.closed_documents if r.document_type == change.fieldname), None)
			if row is None:
				continue
			if change.previous_value is None:
				period.remove(row)
			else:
				row.closed = change.previous_value
		period.flags.ignore_permissions = True
		period.save()


def landed_cost(company: str, posting_date, receipts: list[dict], account: str, amount, description: str) -> str:
	"""Submit a Landed Cost Voucher adding `amount` (negative lowers it) to the receipts' stock value,
	spread by item amount, against `account`."""
	lcv = frappe.new_doc("Landed Cost Voucher")
	lcv.update(
		{
			"company": company,
			"posting_date": posting_date,
			"distribute_charges_based_on": "Amount",
			"purchase_receipts": receipts,
			"taxes": [{"expense_account": account, "description": description, "amount": amount}],
		}
	)
	lcv.get_items_from_purchase_receipts()
	lcv.flags.ignore_permissions = True
	lcv.insert()
	lcv.submit()
	return lcv.name


def set_switch_status(switch: str, status: str, failure_reason: str | None = None) -> None:
	"""The switch's status (and why it failed), as the background job and the repost see it."""
	if frappe.db.exists(SWITCH, switch):
		frappe.db.set_value(SWITCH, switch, {"status": status, "failure_reason": failure_reason}, update_modified=False)


def insert_rows_not_saved(rows) -> None:
	"""Child rows appended to a saved document after Frappe saved it: written once each."""
	for row in rows:
		if not frappe.db.exists(row.doctype, row.name or ""):
			row.name = row.name or frappe.generate_hash(length=10)
			row.db_insert()
