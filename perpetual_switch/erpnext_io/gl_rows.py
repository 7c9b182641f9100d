"""GL Entry rows of a repost written in one insert, each built as ERPNext's submit builds it.

ERPNext's `make_gl_entries` validates a voucher's GL map (closed periods, disabled accounts, balance and
round-off, the period closing) and then saves each row as a document (`make_entry`: a new GL Entry,
submitted). Frappe's save of a document is most of a repost's time, and for a GL Entry of a repost it
adds nothing to the row: ERPNext's GL Entry controller skips its checks on a repost, and what Frappe
runs around a save (hooks of other apps, server scripts, notifications, webhooks, workflows,
assignment rules) only matters when the site has any of them for GL Entry.

So, within `collected`, on a site without any (`plain_gl_entry`, read from the site), each row of a
repost is built as its submit would build it: ERPNext's defaults, the name its controller gives, the
owner and times, its `validate` with the validate hooks, Frappe's field checks. The rows are kept and
written by `write` in one insert, once every link they hold (account, cost centre, party, ...) is
found to exist. Elsewhere, or on any other site, ERPNext's `make_entry` runs as it is.
"""

from __future__ import annotations

import functools
import threading
from contextlib import contextmanager

import frappe

GL_ENTRY = "GL Entry"
# Framework handlers every site runs for every doctype; none of them acts on a GL Entry unless the
# site has a workflow, assignment rule, notification, energy point rule or milestone for it (checked).
STANDARD_HANDLERS = ("frappe.", "erpnext.")
# What a site may set up for a doctype that makes its save do more: (doctype, field naming the
# doctype, filters meaning "active").
SITE_RULES = (
	("Server Script", "reference_doctype", {"disabled": 0}),
	("Notification", "document_type", {"enabled": 1}),
	("Webhook", "webhook_doctype", {"enabled": 1}),
	("Workflow", "document_type", {"is_active": 1}),
	("Assignment Rule", "document_type", {"disabled": 0}),
	("Energy Point Rule", "reference_doctype", {"enabled": 1}),
	("Milestone Tracker", "document_type", {"disabled": 0}),
)


def plain_gl_entry() -> bool:
	"""Whether saving a GL Entry on this site runs nothing but ERPNext's controller and the framework's
	standard handlers: no app hooks GL Entry, no app but Frappe and ERPNext hooks every doctype, and no
	server script, notification, webhook, workflow, assignment rule, energy point rule or milestone
	names GL Entry."""
	events = frappe.get_hooks("doc_events") or {}
	if GL_ENTRY in events:
		return False
	for handlers in (events.get("*") or {}).values():
		handlers = handlers if isinstance(handlers, list | tuple) else [handlers]
		if any(not str(handler).startswith(STANDARD_HANDLERS) for handler in handlers):
			return False
	for doctype, field, active in SITE_RULES:
		if not frappe.db.table_exists(doctype):
			continue
		meta = frappe.get_meta(doctype)
		if not meta.has_field(field):
			continue
		filters = {field: GL_ENTRY, **{key: value for key, value in active.items() if meta.has_field(key)}}
		if frappe.db.exists(doctype, filters):
			return False
	return True


class Reads:
	"""What building GL rows reads once for many blocks of `collected` (a run of batches of vouchers):
	whether the site allows them to be built for one insert (`plain_gl_entry`), the defaults of a new
	GL Entry and the answers of its meta about its fields."""

	def __init__(self):
		self.plain = plain_gl_entry()
		self.new_row = _new_rows() if self.plain else None
		self.answers: dict = {}


@contextmanager
def collected(into: list | None, reads: Reads | None = None):
	"""Within the block, in this thread, the GL Entry rows ERPNext's `make_entry` saves for a repost
	are built as their submit builds them and appended to `into`, for `write` to write later (with
	what `reads` read, kept for the next block). Other threads, other rows, or `into` None: ERPNext's
	`make_entry` as it is."""
	from erpnext.accounts import general_ledger

	original = general_ledger.make_entry
	if into is None:
		yield
		return
	owner = threading.get_ident()
	reads = reads or Reads()

	def make_entry(args, adv_adj, update_outstanding, from_repost=False):
		if not from_repost or threading.get_ident() != owner:
			return original(args, adv_adj, update_outstanding, from_repost)
		into.append(_built(reads.new_row(), args, adv_adj, update_outstanding))

	general_ledger.make_entry = make_entry
	try:
		with fields_read_once(GL_ENTRY, owner, reads.answers):
			yield
	finally:
		general_ledger.make_entry = original


@contextmanager
def fields_read_once(doctype: str, owner: int, answers: dict | None = None):
	"""Within the block, in thread `owner`, the doctype's meta answers each question about its fields
	(`meta.get("fields", filters)`, which Frappe's field checks ask of every row they check, each a
	scan of all the fields) once, and the same again after (`answers`, which the caller may keep for
	another block): the meta does not change meanwhile. Other threads, and other questions, are
	answered as before."""
	meta = frappe.get_meta(doctype)
	own = vars(meta).get("get")
	ask = meta.get
	answers = {} if answers is None else answers

	def get(key, filters=None, limit=None, default=None):
		if key != "fields" or filters is None or limit is not None or default is not None or threading.get_ident() != owner:
			return ask(key, filters, limit, default)
		question = repr(filters)
		if question not in answers:
			answers[question] = ask(key, filters)
		return list(answers[question])

	meta.get = get
	try:
		yield
	finally:
		if own is None:
			del meta.get
		else:
			meta.get = own


def _new_rows():
	"""What makes a new GL Entry as `frappe.new_doc` makes it: its defaults, read once (a copy of them
	a row) when none of them depends on the moment or on another field, else `frappe.new_doc` itself."""
	for df in frappe.get_meta(GL_ENTRY).get("fields"):
		default = str(df.get("default") or "")
		if default.startswith(":") or df.fieldtype == "Time" or (df.fieldtype == "Datetime" and default.lower() == "now"):
			return lambda: frappe.new_doc(GL_ENTRY)
	defaults = frappe.new_doc(GL_ENTRY, as_dict=True)
	return lambda: frappe.get_doc(dict(defaults))


def _built(gle, args, adv_adj, update_outstanding):
	"""A GL Entry as `make_entry`'s submit makes it, up to its insert, from a new one (`gle`), its
	methods run as `_run_method` runs them."""
	gle.run_method = functools.partial(_run_method, gle)
	gle.update(args)
	gle.flags.ignore_permissions = 1
	gle.flags.from_repost = True
	gle.flags.adv_adj = adv_adj
	gle.flags.update_outstanding = update_outstanding or "Yes"
	gle.flags.notify_update = False
	gle.docstatus = 1
	gle.set_user_and_timestamp()
	gle.set_new_name()
	gle.run_method("before_validate")
	gle.run_method("validate")
	gle.run_method("before_submit")
	gle._validate()
	return gle


def _run_method(gle, method, *args, **kwargs):
	"""What Frappe's `Document.run_method` runs for a GL Entry (the controller's method, then the apps'
	`doc_events` handlers), without looking for the site's notifications, webhooks and server scripts
	of GL Entry: `collected` serves only where `plain_gl_entry` found none (three cache reads a
	method, four methods a row)."""
	from frappe.model.document import Document

	def fn(self, *args, **kwargs):
		method_object = getattr(self, method, None)
		if method in self.__dict__ or callable(method_object):
			return method_object(*args, **kwargs)

	fn.__name__ = str(method)
	return Document.hook(fn)(gle, *args, **kwargs)


def write(rows, known: set) -> None:
	"""Writes the rows `collected` built, in one insert, once every link they hold is found to exist
	(`known`: the links already found, kept by the caller)."""
	if not rows:
		return
	_check_links(rows, known)
	values = [gle.get_valid_dict(convert_dates_to_str=True, ignore_virtual=True) for gle in rows]
	fields = list(values[0])
	insert_many(GL_ENTRY, fields, [tuple(value.get(field) for field in fields) for value in values])


INSERT_BYTES = 4 * 1024 * 1024
"""Bytes of values per multi-row insert, far under MariaDB's default 16 MiB packet."""


def insert_many(doctype: str, fields, rows) -> None:
	"""Parameterised multi-row inserts of a few MiB each: only placeholders are put in the text."""
	columns = ", ".join(f"`{f}`" for f in fields)
	placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
	chunk, size = [], 0
	for row in rows:
		chunk.append(row)
		size += sum(len(v) if isinstance(v, str) else 16 for v in row)
		if size >= INSERT_BYTES:
			_insert(doctype, columns, placeholder, chunk)
			chunk, size = [], 0
	if chunk:
		_insert(doctype, columns, placeholder, chunk)


def _insert(doctype, columns, placeholder, chunk) -> None:
	frappe.db.sql(
		f"insert into `tab{doctype}` ({columns}) values " + ", ".join([placeholder] * len(chunk)),
		tuple(value for row in chunk for value in row),
	)


def _check_links(rows, known: set) -> None:
	"""Every Link and Dynamic Link value of the rows names a record that exists (what Frappe's save
	checks one query a field a row): those not in `known`, a query per linked doctype for all the
	rows; those found are added to `known`."""
	meta = frappe.get_meta(GL_ENTRY)
	wanted: dict[str, set[str]] = {}
	for df in meta.get_link_fields():
		for gle in rows:
			if gle.get(df.fieldname):
				wanted.setdefault(df.options, set()).add(gle.get(df.fieldname))
	for df in meta.get_dynamic_link_fields():
		for gle in rows:
			doctype = gle.get(df.options)
			if doctype and gle.get(df.fieldname):
				wanted.setdefault(doctype, set()).add(gle.get(df.fieldname))
	for doctype, names in wanted.items():
		names = {name for name in names if (doctype, name) not in known}
		if not names:
			continue
		found = {str(name).casefold() for name in frappe.get_all(doctype, filters={"name": ["in", sorted(names)]}, pluck="name")}
		known.update((doctype, name) for name in names if str(name).casefold() in found)
		missing = sorted(name for name in names if str(name).casefold() not in found)
		if missing:
			frappe.throw(
				frappe._("Could not find {0}: {1}").format(frappe._(doctype), ", ".join(missing)),
				frappe.LinkValidationError,
			)
