"""The app's SQL is MariaDB's (amounts cast to CHAR, crc32, json_table, straight_join, group_concat,
lock in share mode); on another database it would read amounts wrong without an error. Every way
into the app (install, commands, the desk's methods, pages, reports and document hooks) asks here
first and refuses, computing nothing, on any other database."""

from __future__ import annotations

import functools

import frappe
from frappe import _

SUPPORTED = ("mariadb",)


class UnsupportedDatabase(frappe.ValidationError):
	pass


def database_type() -> str:
	"""The site's database type as Frappe reads it from the site config (MariaDB when unset)."""
	conf = getattr(frappe.local, "conf", None) or {}
	return (conf.get("db_type") or "mariadb").lower()


def require_mariadb() -> None:
	kind = database_type()
	if kind not in SUPPORTED:
		frappe.throw(
			_(
				"Perpetual Switch works only on sites whose database is MariaDB; this site's database is {0}. Nothing was done."
			).format(frappe.bold(kind)),
			UnsupportedDatabase,
			title=_("Database not supported"),
		)


def mariadb_only(fn):
	"""Refuse the call on a site whose database is not MariaDB, before it reads anything."""

	@functools.wraps(fn)
	def guarded(*args, **kwargs):
		require_mariadb()
		return fn(*args, **kwargs)

	return guarded
