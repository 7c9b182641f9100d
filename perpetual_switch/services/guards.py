"""Who may run an operation that posts on a company: asked of that company, before anything is
written, cached or enqueued.

Frappe's permission check of a doctype without a document answers "yes" to a user who was shared one
document of it, whatever its company; so the right to submit (or cancel) a switch is asked of a
switch of the company in question: the role's permission on the doctype and the user's permissions
on the company, never a share of some other switch.
"""

from __future__ import annotations

import frappe
from frappe import _

from perpetual_switch.services.switch import SWITCH


def may_switch(company: str, ptype: str = "submit") -> bool:
	"""Whether the session user may submit (or cancel) a switch of `company`: the right on a switch
	of that company, and read access to the company and its accounts, without which the plan it
	posts cannot be shown (a System Manager without an accounting role may do neither)."""
	doc = frappe.new_doc(SWITCH)
	doc.company = company
	return (
		bool(frappe.has_permission(SWITCH, ptype, doc=doc))
		and bool(frappe.has_permission("Company", "read", doc=company))
		and bool(frappe.has_permission("Account", "read"))
	)


def require_switch_right(company: str, ptype: str = "submit") -> None:
	"""Refuse, naming the user and the company, a user who may not submit (or cancel) a switch of it
	(which covers reading the company and its accounts)."""
	if not may_switch(company, ptype):
		message = (
			_("User {0} may not roll back a switch of company {1}.")
			if ptype == "cancel"
			else _("User {0} may not switch company {1} or change its stock and SRBNB accounts.")
		)
		frappe.throw(message.format(frappe.bold(frappe.session.user), frappe.bold(company)), frappe.PermissionError)
