"""Drift watch: every night, each company on perpetual inventory, stock value against its stock
accounts as of the day before (the same engine and SQL as `status`), one small snapshot row per
company and account, and a notification to the Accounts Managers when a difference appears or grows."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from perpetual_switch.engine.drift import compare, first_day_out, out_of_sync
from perpetual_switch.engine.models import StockAccountLine, SwitchOptions
from perpetual_switch.engine.money import money_str
from perpetual_switch.erpnext_io import drift as io
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.services.guards import require_reader
from perpetual_switch.services.switch import build


@mariadb_only
def run_daily() -> None:
	"""The scheduled job (daily): check every company on perpetual inventory as of yesterday."""
	options = io.settings()
	if not options.watch:
		return
	day = getdate(add_days(today(), -1))
	for company in io.perpetual_companies():
		try:
			record_and_notify(company, day, options=options)
			frappe.db.commit()
		except Exception:
			frappe.db.rollback()
			frappe.log_error(title=_("Drift watch failed for {0}").format(company))
	io.purge(day - timedelta(days=options.retention_days))
	frappe.db.commit()


def record_and_notify(company: str, day=None, notify: bool = True, options=None) -> dict:
	"""Store the company's snapshot as of `day` (yesterday by default) and tell the Accounts
	Managers about each stock account whose difference appeared or grew since the day before."""
	require_reader(company)
	options = options or io.settings()
	day = getdate(day) if day else getdate(add_days(today(), -1))
	result = build(SwitchOptions(company, day, freeze_stock=False))
	now = {line.account: line for line in result.stock_accounts if line.account}
	srbnb_account, reconciliation = _srbnb_line(company, day, now)
	findings = compare(now, io.previous_differences(company, day), options.tolerance)
	rows = [
		frappe._dict(
			account=f.account,
			state=f.state,
			stock_value=now[f.account].stock_value if f.account in now else 0,
			gl_balance=now[f.account].gl_balance if f.account in now else 0,
			difference=f.difference,
		)
		for f in findings
	]
	io.store(company, day, rows)
	told = []
	if notify and options.notify:
		for finding in findings:
			if finding.notify and finding.account == srbnb_account:
				_tell_srbnb(company, day, finding, reconciliation, options.tolerance)
				told.append(finding.account)
			elif finding.notify:
				_tell(company, day, finding, result.precision, options.tolerance)
				told.append(finding.account)
	return {
		"company": company,
		"date": str(day),
		"out_of_sync": sum(1 for f in findings if out_of_sync(f.difference, options.tolerance)),
		"notified": told,
	}


def _srbnb_line(company: str, day, now: dict):
	"""Add Stock Received But Not Billed to the day's snapshot: what its rows should hold as the
	"stock value" and its GL, so that its difference is the reconciliation's residual (negated)."""
	from perpetual_switch.services import srbnb

	reconciliation = srbnb.compute(company, day)
	if not reconciliation.accounts:
		return None, None
	account = reconciliation.accounts[0]
	now[account] = StockAccountLine(account, reconciliation.expected, reconciliation.gl_balance)
	return account, reconciliation


def _tell_srbnb(company, day, finding, reconciliation, tolerance) -> None:
	"""Name the vouchers of the day that made part of a residual (rows or vouchers of their own)."""
	history = io.account_history(company, finding.account, day)
	since = first_day_out(history, tolerance) or day
	previous = history[-2][0] if len(history) > 1 else None
	vouchers = {}
	for row in reconciliation.rows:
		for voucher_type, voucher_no, posting_date in row.vouchers:
			if previous is None or posting_date > previous:
				vouchers[(voucher_type, voucher_no)] = True
	for line in reconciliation.voucher_lines:
		if line.posting_date and (previous is None or line.posting_date > previous):
			vouchers[(line.voucher_type, line.voucher_no)] = True
	residual = money_str(-finding.difference, reconciliation.precision)
	subject = _("Stock Received But Not Billed of {0} is {1} away from what its receipts still to bill should hold (since {2})").format(
		company, residual, since
	)
	listed = "".join(
		'<li><a href="{0}">{1} {2}</a></li>'.format(frappe.utils.get_url_to_form(t, n), _(t), frappe.utils.escape_html(n))
		for t, n in list(vouchers)[:50]
	)
	message = "<p>{0}</p>{1}<p>{2}</p>".format(
		frappe.utils.escape_html(subject),
		"<p>{0}</p><ul>{1}</ul>".format(_("Vouchers of the day that made a new residual:"), listed) if listed else "",
		_("The SRBNB Reconciliation report explains it per receipt row and cause."),
	)
	link = io.desk_url("query-report/SRBNB Reconciliation") + "?" + urlencode({"company": company, "as_of": str(day)})
	io.notify(io.accounts_managers(), subject, message, link)


def _tell(company, day, finding, precision: int, tolerance) -> None:
	history = io.account_history(company, finding.account, day)
	since = first_day_out(history, tolerance) or day
	vouchers = io.untracked_vouchers(company, finding.account, since)
	difference = money_str(finding.difference, precision)
	subject = _("Stock account {0} of {1} is {2} away from its stock value (since {3})").format(
		finding.account, company, difference, since
	)
	listed = "".join(
		'<li><a href="{0}">{1} {2}</a></li>'.format(frappe.utils.get_url_to_form(t, n), _(t), frappe.utils.escape_html(n))
		for t, n in vouchers
	)
	message = "<p>{0}</p>{1}<p>{2}</p>".format(
		frappe.utils.escape_html(subject),
		(
			"<p>{0}</p><ul>{1}</ul>".format(
				_("Vouchers of {0} that moved the account with no stock ledger entry:").format(since), listed
			)
			if listed
			else ""
		),
		_("Re-sync the account with the perpetual switch wizard."),
	)
	link = io.desk_url("perpetual-switch-wizard") + "?" + urlencode({"company": company, "cutover_date": str(day)})
	io.notify(io.accounts_managers(), subject, message, link)


def history(company: str, days: int = 30) -> dict:
	"""What `watch` prints: the company's snapshots of the last `days` days, latest day first."""
	require_reader(company)
	if int(days) < 1:
		frappe.throw(_("Days must be 1 or more, not {0}.").format(days))
	options = io.settings()
	since = getdate(add_days(today(), -int(days)))
	by_day: dict = {}
	for row in io.history(company, since):
		by_day.setdefault(str(row.date), []).append(row)
	precision = frappe.get_precision("Perpetual Stock Drift", "difference") or 2
	return {
		"company": company,
		"days": [
			{
				"date": day,
				"accounts": [
					{
						"account": r.account,
						"stock_value": money_str(r.stock_value, precision),
						"gl_balance": money_str(r.gl_balance, precision),
						"difference": money_str(r.difference, precision),
					}
					for r in rows
				],
				"out_of_sync": sum(1 for r in rows if out_of_sync(r.difference, options.tolerance)),
			}
			for day, rows in by_day.items()
		],
	}


def out_of_sync_count(companies=None) -> int:
	"""The Number Card's figure: stock accounts out of sync on each company's latest snapshot."""
	return io.out_of_sync_accounts(io.settings().tolerance, companies)


def chart(company: str | None, days: int = 90) -> dict:
	"""The workspace chart: stock value against the stock accounts' GL, per day, from the snapshots."""
	if not company:
		return {"labels": [], "datasets": []}
	require_reader(company)
	points = io.series(company, getdate(add_days(today(), -int(days))))
	return {
		"labels": [frappe.utils.formatdate(day) for day, _stock, _gl, _srbnb in points],
		"datasets": [
			{"name": _("Stock value"), "values": [float(stock) for _day, stock, _gl, _srbnb in points]},
			{"name": _("Stock accounts (GL)"), "values": [float(gl) for _day, _stock, gl, _srbnb in points]},
			{"name": _("SRBNB residual"), "values": [float(srbnb) for _day, _stock, _gl, srbnb in points]},
		],
	}
