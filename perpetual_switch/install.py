"""Install and uninstall are symmetric: whatever after_install creates, before_uninstall removes."""

import frappe
from frappe.custom.doctype.custom_field.custom_field import create_custom_fields as _create

from perpetual_switch.erpnext_io.database import require_mariadb
from perpetual_switch.snc_portugal.custom_fields import CUSTOM_FIELDS


def create_custom_fields():
	_create(CUSTOM_FIELDS, ignore_validate=True, update=True)


def delete_custom_fields():
	for doctype, fields in CUSTOM_FIELDS.items():
		for field in fields:
			name = frappe.db.get_value("Custom Field", {"dt": doctype, "fieldname": field["fieldname"]})
			if name:
				frappe.delete_doc("Custom Field", name, ignore_permissions=True, force=True)
		frappe.clear_cache(doctype=doctype)


def before_install():
	"""Refuse to install on a site whose database is not MariaDB: the app's SQL is MariaDB's."""
	require_mariadb()


def after_install():
	create_custom_fields()


def delete_scheduled_jobs():
	"""Frappe keeps a Scheduled Job Type per scheduler hook; the app's go with it."""
	for name in frappe.get_all("Scheduled Job Type", filters={"method": ("like", "perpetual_switch.%")}, pluck="name"):
		frappe.delete_doc("Scheduled Job Type", name, ignore_permissions=True, force=True)


def before_uninstall():
	delete_custom_fields()
	delete_scheduled_jobs()
