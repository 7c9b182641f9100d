"""The drift watch's tables: its daily snapshots, its settings, and what it reads of ERPNext's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import frappe
from frappe.utils import getdate

from perpetual_switch.engine.money import to_decimal

DRIFT = "Perpetual Stock Drift"
SETTINGS = "Perpetual Switch Settings"
FIELDS = (
	"name", "creation", "modified", "owner", "modified_by", "docstatus", "company", "date", "account", "state",
	"stock_value", "gl_balance", "difference",
)  # fmt: skip


def settings() -> frappe._dict:
	values = frappe.db.get_singles_dict(SETTINGS)
	return frappe._dict(
		watch=bool(int(values.get("drift_watch") if values.get("drift_watch") is not None else 1)),
		tolerance=to_decimal(values.get("drift_tolerance") if values.get("drift_tolerance") is not None else "0.01"),
		retention_days=int(values.get("retention_days") or 400),
		notify=bool(int(values.get("notify") if values.get("notify") is not None else 1)),
	)


def perpetual_companies() -> list[str]:
	return frappe.get_all("Company", filters={"enable_perpetual_inventory": 1}, pluck="name", order_by="name")


def store(company: str, day: date, rows) -> None:
	"""Replace the company's snapshot of that day with these rows (one multi-row insert)."""
	frappe.db.sql(f"delete from `tab{DRIFT}` where company = %s and date = %s", (company, day))
	if not rows:
		return
	now, user = frappe.utils.now(), frappe.session.user
	values = [
		(
			frappe.generate_hash(length=12), now, now, user, user, 0, company, day, r.account, r.state,
			r.stock_value, r.gl_balance, r.difference,
		)  # fmt: skip
		for r in rows
	]
	columns = ", ".join(f"`{f}`" for f in FIELDS)
	row_placeholders = "(" + ", ".join(["%s"] * len(FIELDS)) + ")"
	frappe.db.sql(
		f"insert into `tab{DRIFT}` ({columns}) values " + ", ".join([row_placeholders] * len(values)),
		tuple(v for row in values for v in row),
	)


def previous_differences(company: str, day: date) -> dict[str, Decimal]:
	"""Differences per account on the latest snapshot day before `day` (empty when none)."""
	rows = frappe.db.sql(
		f"""select account, difference from `tab{DRIFT}`
		where company = %(company)s and date = (
			select max(date) from `tab{DRIFT}` where company = %(company)s and date < %(day)s)""",
		{"company": company, "day": day},
	)
	return {account: to_decimal(value) for account, value in rows}


def history(company: str, since: date) -> list[frappe._dict]:
	return frappe.db.sql(
		f"""select date, account, stock_value, gl_balance, difference, state from `tab{DRIFT}`
		where company = %(company)s and date >= %(since)s
		order by date desc, account""",
		{"company": company, "since": since},
		as_dict=True,
	)


def account_history(company: str, account: str, up_to: date) -> list[tuple[date, Decimal]]:
	rows = frappe.db.sql(
		f"""select date, difference from `tab{DRIFT}`
		where company = %s and account = %s and date <= %s order by date""",
		(company, account, up_to),
	)
	return [(getdate(d), to_decimal(v)) for d, v in rows]


def out_of_sync_accounts(tolerance: Decimal, companies=None) -> int:
	"""Stock accounts out of sync on each company's latest snapshot."""
	params = {"tolerance": tolerance, "companies": tuple(companies or ()) or ("",), "all": 0 if companies else 1}
	return int(
		frappe.db.sql(
			f"""select count(*) from `tab{DRIFT}` d
			join (select company, max(date) as latest from `tab{DRIFT}` group by company) l
				on l.company = d.company and l.latest = d.date
			where abs(d.difference) > %(tolerance)s and (%(all)s = 1 or d.company in %(companies)s)""",
			params,
		)[0][0]
	)


def series(company: str, since: date) -> list[tuple[date, Decimal, Decimal, Decimal]]:
	"""Per day: total stock value and total GL balance of the company's stock accounts, and the
	residual of Stock Received But Not Billed (its GL less what its rows should hold)."""
	rows = frappe.db.sql(
		f"""select d.date,
			sum(case when a.account_type = %(srbnb)s then 0 else d.stock_value end),
			sum(case when a.account_type = %(srbnb)s then 0 else d.gl_balance end),
			sum(case when a.account_type = %(srbnb)s then -d.difference else 0 end)
		from `tab{DRIFT}` d
		left join `tabAccount` a on a.name = d.account
		where d.company = %(company)s and d.date >= %(since)s group by d.date order by d.date""",
		{"company": company, "since": since, "srbnb": "Stock Received But Not Billed"},
	)
	return [(getdate(d), to_decimal(s), to_decimal(g), to_decimal(r)) for d, s, g, r in rows]


def purge(before: date) -> None:
	frappe.db.sql(f"delete from `tab{DRIFT}` where date < %s", (before,))


def untracked_vouchers(company: str, account: str, day: date) -> list[tuple[str, str]]:
	"""Vouchers posted or made that day that moved the account with no stock ledger entry of their
	own (a journal entry to a stock account, a GL-only repost)."""
	return [
		(t, n)
		for t, n in frappe.db.sql(
			"""select distinct gle.voucher_type, gle.voucher_no from `tabGL Entry` gle
			where gle.company = %(company)s and gle.account = %(account)s and gle.is_cancelled = 0
				and (gle.posting_date = %(day)s or date(gle.creation) = %(day)s)
				and not exists (
					select 1 from `tabStock Ledger Entry` sle
					where sle.voucher_no = gle.voucher_no and sle.voucher_type = gle.voucher_type and sle.is_cancelled = 0)
			order by gle.voucher_type, gle.voucher_no limit 20""",
			{"company": company, "account": account, "day": day},
		)
	]


def accounts_managers() -> list[str]:
	"""Enabled desk users with the Accounts Manager role (their emails, as Frappe's notifications want)."""
	users = frappe.get_all("Has Role", filters={"role": "Accounts Manager", "parenttype": "User"}, pluck="parent")
	if not users:
		return []
	return frappe.get_all(
		"User", filters={"name": ("in", users), "enabled": 1, "user_type": "System User"}, pluck="email"
	)


def notify(users: list[str], subject: str, message: str, link: str) -> None:
	"""A Notification Log per user (and its e-mail, if the user gets them), through Frappe's own."""
	from frappe.desk.doctype.notification_log.notification_log import make_notification_logs

	if users:
		make_notification_logs(
			frappe._dict(type="Alert", subject=subject, email_content=message, link=link, document_type=None), users
		)


def desk_url(path: str) -> str:
	"""A desk page's address on this site: the desk's own prefix, as Frappe builds its list links."""
	base = frappe.utils.get_url_to_list(DRIFT).rsplit("/", 1)[0]
	return f"{base}/{path}"
