"""The guards every operation that posts on a company passes through, in this order: the site's
database is MariaDB (`mariadb_only`, which every way in asks first), the company exists, the user
may run the operation on that company, the company's lock is taken, and the work is done all or
nothing. Each check names the company or document it guards and runs before anything is written,
cached or enqueued.

Frappe's permission check of a doctype without a document answers "yes" to a user who was shared one
document of it, whatever its company; so the right to run an operation is asked of a document of the
company in question: the role's permission on the doctype and the user's permissions on the company,
never a share of some other document.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import date, datetime

import frappe
from frappe import _
from frappe.utils import getdate

from perpetual_switch.erpnext_io import reader, switch_records, writer
from perpetual_switch.erpnext_io.srbnb_clearing import CLEARING
from perpetual_switch.erpnext_io.database import mariadb_only, require_mariadb  # noqa: F401  (the shells' way to them)

SWITCH = switch_records.SWITCH
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def require_company(company: str) -> None:
	if not reader.exists("Company", company):
		frappe.throw(_("Company {0} does not exist.").format(frappe.bold(company or "")), frappe.DoesNotExistError)


def may_read(company: str) -> bool:
	"""A plan shows account balances: reading it needs read access to the company and its accounts."""
	return bool(frappe.has_permission("Company", "read", doc=company)) and bool(frappe.has_permission("Account", "read"))


def require_reader(company: str) -> None:
	require_company(company)
	if not may_read(company):
		frappe.throw(
			_("You need read access to company {0} and its accounts to see a switch plan.").format(frappe.bold(company)),
			frappe.PermissionError,
		)


def _may(doctype: str, ptype: str, company: str) -> bool:
	doc = frappe.new_doc(doctype)
	doc.company = company
	return bool(frappe.has_permission(doctype, ptype, doc=doc)) and may_read(company)


def may_switch(company: str, ptype: str = "submit") -> bool:
	"""Whether the session user may submit (or cancel) a switch of `company`: the right on a switch
	of that company, and read access to the company and its accounts, without which the plan it
	posts cannot be shown (a System Manager without an accounting role may do neither)."""
	return _may(SWITCH, ptype, company)


def may_clear(company: str) -> bool:
	"""Whether the session user may apply or roll back an SRBNB clearing of `company`: the right to
	create a clearing of that company (Accounts Manager by default) and to read the company and its
	accounts."""
	return _may(CLEARING, "create", company)


def _refuse(message: str, company: str) -> None:
	frappe.throw(message.format(frappe.bold(frappe.session.user), frappe.bold(company)), frappe.PermissionError)


def require_switch_right(company: str, ptype: str = "submit") -> None:
	"""Refuse, naming the user and the company, a user who may not submit (or cancel) a switch of it
	(which covers reading the company and its accounts)."""
	if not may_switch(company, ptype):
		_refuse(
			_("User {0} may not roll back a switch of company {1}.")
			if ptype == "cancel"
			else _("User {0} may not switch company {1} or change its stock and SRBNB accounts."),
			company,
		)


def require_clearing_right(company: str) -> None:
	"""Refuse, naming the user and the company, a user who may not clear SRBNB residuals of it."""
	if not may_clear(company):
		_refuse(_("User {0} may not apply or roll back an SRBNB clearing of company {1}."), company)


def operation_label(doctype: str, name: str) -> str:
	"""How a refusal names an operation: its kind, in the reader's language, and its name."""
	return "{0} {1}".format(_(doctype), name)


@contextmanager
def atomic(company: str | None = None):
	"""All or nothing for every caller: the work runs under a savepoint that is rolled back on any
	error (the caller's own earlier writes stay as they were), and cached company values are
	dropped so nobody reads what was undone."""
	name = "perpetual_switch_" + frappe.generate_hash(length=8)
	writes = frappe.db.transaction_writes
	frappe.db.savepoint(name)
	try:
		yield
	except BaseException:
		frappe.db.rollback(save_point=name)
		# Frappe counts a rollback to a savepoint as the end of the transaction; the writes made
		# before the savepoint are still in it (writer.lock_company must not begin anew over them).
		frappe.db.transaction_writes = writes
		if company:
			frappe.clear_document_cache("Company", company)
			writer.forget_company(company)
		raise
	else:
		frappe.db.release_savepoint(name)


def valid_date(value):
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
	frappe.throw(_("{0} is not a valid date (use YYYY-MM-DD).").format(frappe.bold(str(value) or '""')))
