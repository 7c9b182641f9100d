"""The app's own records of what it did: the switches applied (and the order they and the SRBNB
clearings were applied in), the receipt rows a switch accrued and what invoices cleared of them, its
journals' amounts and the vouchers a backdated switch reposted."""

from __future__ import annotations

from datetime import date

import frappe
from frappe.utils import getdate

from perpetual_switch.engine.money import to_decimal

SWITCH = "Switch to Perpetual Inventory"


def applied_switches(company: str) -> list:
	return frappe.get_all(
		SWITCH,
		filters={"company": company, "docstatus": 1, "status": "Applied"},
		fields=["name", "cutover_date", "creation", "stock_journal_entry", "srbnb_journal_entry", "scheme_journal_entry"],
		order_by="cutover_date desc, creation desc",
	)


def operations_applied_after(company: str, since, exclude: str | None = None) -> list[tuple[str, str]]:
	"""(doctype, name) of the switches and SRBNB clearings of the company that stand and were applied
	after `since`, newest first: they are to be rolled back before anything applied earlier."""
	if not since:
		return []
	rows = frappe.db.sql(
		"""select 'Switch to Perpetual Inventory' doctype, name, applied_on from `tabSwitch to Perpetual Inventory`
			where company = %(company)s and docstatus = 1 and status in ('Applied', 'Reposting')
				and applied_on > %(since)s and name != %(exclude)s
		union all
		select 'SRBNB Clearing', name, applied_on from `tabSRBNB Clearing`
			where company = %(company)s and status = 'Applied' and applied_on > %(since)s and name != %(exclude)s
		order by applied_on desc, name desc""",
		{"company": company, "since": since, "exclude": exclude or ""},
	)
	return [(doctype, name) for doctype, name, _applied_on in rows]


def switch_accruals(switch: str, limit: int | None = None, start: int = 0) -> list[dict]:
	"""The receipt rows a switch accrued, in the order it recorded them."""
	return frappe.get_all(
		"Perpetual Switch Receipt",
		filters={"parent": switch, "parenttype": SWITCH},
		fields=["purchase_receipt", "item_row", "item_code", "unbilled_qty", "unbilled_value", "currency"],
		order_by="idx asc",
		start=start,
		limit=limit or 0,
	)


def accruals_with_clearing(switch: str) -> list[dict]:
	"""A switch's accrued receipt rows with the value later invoices cleared (one query)."""
	return frappe.db.sql(
		"""
		select r.purchase_receipt, r.item_row, r.item_code, r.unbilled_qty, r.unbilled_value, r.currency,
			coalesce(c.cleared, 0) as cleared_value, r.unbilled_value - coalesce(c.cleared, 0) as open_value
		from `tabPerpetual Switch Receipt` r
		left join (
			select receipt_row, sum(cleared_value) as cleared
			from `tabPerpetual Switch Clearing`
			where switch = %(switch)s and status = 'Active'
			group by receipt_row
		) c on c.receipt_row = r.item_row
		where r.parent = %(switch)s and r.parenttype = %(parenttype)s
		order by r.idx
		""",
		{"switch": switch, "parenttype": SWITCH},
		as_dict=True,
	)


def switch_journal_amounts(company: str, on_date: date) -> dict:
	"""Debit minus credit per account of the journal entries of the company's applied switches."""
	rows = frappe.db.sql(
		"""
		select gle.account, cast(sum(gle.debit) - sum(gle.credit) as char)
		from `tabGL Entry` gle
		join `tabSwitch to Perpetual Inventory` s
			on gle.voucher_no in (s.stock_journal_entry, s.srbnb_journal_entry, s.scheme_journal_entry)
		where s.company = %(company)s and s.docstatus = 1 and gle.voucher_type = 'Journal Entry'
			and gle.is_cancelled = 0 and gle.posting_date <= %(date)s
		group by gle.account
		""",
		{"company": company, "date": getdate(on_date)},
	)
	return {account: to_decimal(value) for account, value in rows}


def latest_switch(company: str):
	"""The company's most recent switch, whatever its status, or None."""
	latest = frappe.get_all(
		SWITCH,
		filters={"company": company},
		fields=["name", "status", "docstatus", "cutover_date", "stock_journal_entry", "srbnb_journal_entry", "scheme_journal_entry", "applied_on", "applied_by"],
		order_by="creation desc",
		limit=1,
	)
	return latest[0] if latest else None


def reposted_vouchers(switch: str, limit: int) -> list:
	"""The first `limit` vouchers a backdated switch reposted, in its order, with their GL changes."""
	return frappe.get_all(
		"Perpetual Switch Repost",
		filters={"switch": switch},
		fields=["voucher_type", "voucher_no", "posting_date", "status", "changes"],
		order_by="seq",
		limit=limit,
	)


def switch_status(switch: str) -> str | None:
	return frappe.db.get_value(SWITCH, switch, "status")


def reposting_switches() -> list:
	"""Switches of every company still reposting documents after their cutover."""
	return frappe.get_all(SWITCH, filters={"docstatus": 1, "status": "Reposting"}, fields=["name", "company", "applied_by"])
