"""Apply and roll back from the desk as background jobs, so no web request waits on them.

The request checks permissions and enqueues one job per company on the `long` queue; the job
does the work in one transaction under the company's lock and commits, or rolls everything back
and records why. Each company's job state ("Queued", "Applying", "Applied", "Rolling Back",
"Rolled Back", "Failed" with the reason) is kept in the cache for the wizard, and on the switch
document when one exists already; progress goes to the user who asked as realtime events.
A failed job leaves nothing behind: no switch, no journal, no setting.
"""

from __future__ import annotations

from dataclasses import replace

import frappe
from frappe import _
from frappe.utils import cint, now_datetime

from perpetual_switch.engine.models import SwitchOptions
from perpetual_switch.erpnext_io import reader, switch_records, writer
from perpetual_switch.erpnext_io.database import mariadb_only
from perpetual_switch.services import backdated, lifecycle
from perpetual_switch.services import switch as service
from perpetual_switch.services import guards
from perpetual_switch.services.guards import may_switch, require_switch_right

SWITCH = service.SWITCH
EVENT = "perpetual_switch_progress"
RUNNING = ("Queued", "Applying", "Reposting", "Rolling Back")
TIMEOUT = 4 * 3600
STATE_DAYS = 7


def job_id(company: str) -> str:
	return f"perpetual_switch::{company}"


def _key(company: str) -> str:
	return f"perpetual_switch:job:{company}"


def _with_running(job: dict | None) -> dict | None:
	return {**job, "running": job.get("status") in RUNNING} if job else None


def state(company: str) -> dict | None:
	"""The company's last job: status, action, switch, reason, percent, description, user, at, and
	whether it is still running."""
	return _with_running(frappe.cache.get_value(_key(company), expires=True))


def _set_state(company: str, **values) -> dict:
	current = {**(state(company) or {}), **values, "at": str(now_datetime())}
	current.pop("running", None)
	frappe.cache.set_value(_key(company), current, expires_in_sec=STATE_DAYS * 86400)
	return _with_running(current)


def context(company: str) -> dict:
	"""What the wizard shows beside the plan: the company's state and its latest switch."""
	guards.require_reader(company)
	values = reader.company_state(company)
	latest = service.latest_switch(company)
	return {
		"company": company,
		"job": state(company),
		"country": values.country,
		"currency": values.default_currency,
		"perpetual_inventory_enabled": bool(values.enable_perpetual_inventory),
		"switch": latest,
		"journal_entries": [latest.get(f) for f in service.JOURNAL_FIELDS.values() if latest.get(f)] if latest else [],
		"can_apply": may_switch(company),
		"can_clear": guards.may_clear(company),
	}


def _job_alive(company: str) -> bool:
	from frappe.utils.background_jobs import is_job_enqueued

	return is_job_enqueued(job_id(company))


def _refuse_when_running(company: str) -> None:
	current = state(company) or {}
	if current.get("status") in RUNNING and _job_alive(company):
		frappe.throw(
			_("A switch job of company {0} is already {1}; wait until it ends.").format(
				frappe.bold(company), _(current["status"]).lower()
			),
			title=_("Switch in progress"),
		)


def _publish(company: str, user: str, **values) -> None:
	frappe.publish_realtime(EVENT, {"company": company, **values}, user=user, after_commit=False)


def realtime_progress(company: str, user: str):
	def progress(percent: int, description: str) -> None:
		_set_state(company, percent=percent, description=description)
		_publish(company, user, percent=percent, description=description)

	return progress


def _enqueue(method: str, company: str, user: str | None = None, **kwargs) -> None:
	frappe.enqueue(
		f"perpetual_switch.services.background.{method}",
		queue="long",
		timeout=TIMEOUT,
		job_id=job_id(company),
		deduplicate=True,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		company=company,
		user=user or frappe.session.user,
		**kwargs,
	)


def enqueue_apply(options: SwitchOptions, switch: str | None = None, fingerprint: str | None = None) -> dict:
	"""Enqueue the switch of a company (or the submission of a draft switch given by name); with
	`fingerprint`, the job applies only the plan the user reviewed."""
	company = options.company
	guards.require_company(company)
	require_switch_right(company)
	options = replace(
		options,
		cutover_date=guards.valid_date(options.cutover_date),
		scheme=service._validate_scheme(options.scheme),
	)
	if switch:
		doc = frappe.get_doc(SWITCH, switch)
		doc.check_permission("submit")
		if doc.docstatus != 0 or doc.company != company:
			frappe.throw(_("Switch {0} is not a draft of company {1}.").format(frappe.bold(switch), frappe.bold(company)))
	_refuse_when_running(company)
	queued = _set_state(
		company, status="Queued", action="apply", switch=switch, reason=None, percent=0, description=None,
		user=frappe.session.user,
	)  # fmt: skip
	if switch:
		writer.set_switch_status(switch, "Queued")
	_enqueue("run_apply", company, options=options.as_dict(), switch=switch, fingerprint=fingerprint)
	return state(company) or queued


def enqueue_resume(company: str, switch: str, user: str) -> None:
	"""Pick up a backdated switch's repost where it stopped (a worker stopped in the middle)."""
	_set_state(company, status="Queued", action="apply", switch=switch, reason=None, user=user)
	_enqueue("run_resume", company, user=user, switch=switch)


def enqueue_rollback(company: str, overwrite_later_edits: bool = False) -> dict:
	guards.require_company(company)
	require_switch_right(company, "cancel")
	applied = service.switch_records.applied_switches(company)
	if not applied:
		frappe.throw(_("Company {0} has no applied switch to roll back.").format(frappe.bold(company)))
	frappe.get_doc(SWITCH, applied[0].name).check_permission("cancel")
	_refuse_when_running(company)
	queued = _set_state(
		company, status="Queued", action="rollback", switch=applied[0].name, reason=None, percent=0,
		description=None, user=frappe.session.user,
	)  # fmt: skip
	_enqueue("run_rollback", company, overwrite_later_edits=overwrite_later_edits)
	return state(company) or queued


def _reason(exc: Exception) -> str:
	if isinstance(exc, service.SwitchBlocked):
		return service.blockers_text(exc.blockers)
	text = str(exc) or exc.__class__.__name__
	return frappe.utils.strip_html_tags(text.replace("<br>", "\n"))


def _fail(company: str, user: str, exc: Exception, switch: str | None, status_after: str | None) -> None:
	"""Undo everything the job wrote, then record why, in a transaction of its own."""
	frappe.db.rollback()
	reason = _reason(exc)
	if switch and status_after:
		writer.set_switch_status(switch, status_after, reason)
	if not isinstance(exc, service.SwitchBlocked):
		frappe.log_error(title=_("Perpetual inventory switch of {0} failed").format(company))
	frappe.db.commit()
	_set_state(company, status="Failed", reason=reason)
	_publish(company, user, status="Failed", reason=reason, done=True)


def _as_user(user: str) -> None:
	"""Run as the user who asked, in their language (a worker starts in the site's)."""
	from frappe.translate import get_user_lang

	frappe.set_user(user)
	frappe.local.lang = get_user_lang(user)


def run_apply(company: str, user: str, options: dict, switch: str | None = None, fingerprint: str | None = None) -> None:
	options = SwitchOptions(**options)
	_as_user(user)
	_set_state(company, status="Applying")
	progress = realtime_progress(company, user)
	try:
		if switch:
			writer.set_switch_status(switch, "Applying")
			doc = lifecycle.submit_draft(switch, options.company_defaults, progress)
		else:
			doc = lifecycle.apply(options, progress, fingerprint=fingerprint)
		frappe.db.commit()
	except Exception as exc:
		_fail(company, user, exc, switch, "Failed")
		return
	if doc.status == "Reposting":
		_repost(company, user, doc.name)
		return
	_set_state(company, status="Applied", switch=doc.name, percent=100)
	_publish(company, user, status="Applied", switch=doc.name, done=True)


def run_rollback(company: str, user: str, overwrite_later_edits: bool = False) -> None:
	_as_user(user)
	current = _set_state(company, status="Rolling Back")
	try:
		doc = lifecycle.rollback(
			company, progress=realtime_progress(company, user), overwrite_later_edits=overwrite_later_edits
		)
		frappe.db.commit()
	except Exception as exc:
		_fail(company, user, exc, current.get("switch"), None)
		return
	_set_state(company, status="Rolled Back", switch=doc.name, percent=100)
	_publish(company, user, status="Rolled Back", switch=doc.name, done=True)


def repost_workers() -> int:
	"""How many jobs repost one backdated switch at once: the site's `perpetual_switch_repost_workers`
	(site_config.json; default 1). More than the site's workers on the long queue gains nothing."""
	return max(1, cint(frappe.conf.get("perpetual_switch_repost_workers") or 1))


def _repost(company: str, user: str, switch: str) -> None:
	"""The second part of a backdated switch: repost, committing batch by batch; undone on failure.
	With more than one repost worker, helper jobs repost the same switch alongside (each takes
	batches no other holds); their progress is the switch's, one bar."""
	_set_state(company, status="Reposting", switch=switch, percent=0)
	if not frappe.flags.in_test:
		for n in range(1, repost_workers()):
			frappe.enqueue(
				"perpetual_switch.services.background.run_repost_helper",
				queue="long",
				timeout=TIMEOUT,
				job_id=f"{job_id(company)}-repost-{n}",
				deduplicate=True,
				company=company,
				user=user,
				switch=switch,
			)
	reason = backdated.run_or_undo(switch, realtime_progress(company, user))
	if reason:
		_set_state(company, status="Failed", reason=reason)
		_publish(company, user, status="Failed", reason=reason, done=True)
		return
	_set_state(company, status="Applied", switch=switch, percent=100)
	_publish(company, user, status="Applied", switch=switch, done=True)


def run_repost_helper(company: str, user: str, switch: str) -> None:
	"""A helper job: reposts batches of the switch alongside its main job (which reports the end)."""
	_as_user(user)
	if switch_records.switch_status(switch) != "Reposting":
		return
	backdated.run_or_undo(switch, realtime_progress(company, user))


def run_resume(company: str, user: str, switch: str) -> None:
	_as_user(user)
	if switch_records.switch_status(switch) != "Reposting":
		return
	_repost(company, user, switch)


# The GL change a backdated switch would make is computed by doing it and rolling it back: minutes
# on a year of a real company, so the desk asks for it as a job and reads the result when done.

PREVIEW_MINUTES = 60


def _preview_key(company: str, user: str) -> str:
	return f"perpetual_switch:preview:{company}:{user}"


def enqueue_preview(options: SwitchOptions, fingerprint: str | None = None) -> dict:
	"""Enqueue the GL change of a backdated switch for `options` (its date checked here, at once); with
	`fingerprint`, of the plan the user reviewed and no other."""
	company = options.company
	guards.require_reader(company)
	# The preview submits a switch (in a savepoint) and reposts under the company's lock: the
	# right to switch this company, not only to read its plan.
	require_switch_right(company)
	options = replace(options, cutover_date=str(guards.valid_date(options.cutover_date)), backdated=True)
	user = frappe.session.user
	frappe.cache.set_value(_preview_key(company, user), {"status": "Queued"}, expires_in_sec=PREVIEW_MINUTES * 60)
	frappe.enqueue(
		"perpetual_switch.services.background.run_preview",
		queue="long",
		timeout=TIMEOUT,
		job_id=f"perpetual_switch_preview::{company}::{user}",
		deduplicate=True,
		enqueue_after_commit=True,
		now=bool(frappe.flags.in_test),
		company=company,
		user=user,
		options=options.as_dict(),
		fingerprint=fingerprint,
	)
	return preview_result(company)


def preview_result(company: str) -> dict:
	"""{"status": "Queued" | "Running" | "Done" | "Failed", "plan": ..., "reason": ...} of this user's last preview."""
	return frappe.cache.get_value(_preview_key(company, frappe.session.user), expires=True) or {"status": None}


def run_preview(company: str, user: str, options: dict, fingerprint: str | None = None) -> None:
	_as_user(user)
	key = _preview_key(company, user)
	frappe.cache.set_value(key, {"status": "Running"}, expires_in_sec=PREVIEW_MINUTES * 60)
	try:
		plan = lifecycle.plan(SwitchOptions(**options), preview=True, fingerprint=fingerprint)
		value = {"status": "Done", "plan": service.plan_dict(plan, service.RECEIPTS_SHOWN)}
	except Exception as exc:
		frappe.db.rollback()
		value = {"status": "Failed", "reason": _reason(exc)}
	frappe.db.rollback()
	frappe.cache.set_value(key, value, expires_in_sec=PREVIEW_MINUTES * 60)
	_publish(company, user, preview=value["status"], done=True)


@mariadb_only
def resume_stalled() -> None:
	"""Scheduled: a switch left Reposting by a stopped worker is picked up where it stopped."""
	for row in switch_records.reposting_switches():
		if not _job_alive(row.company):
			enqueue_resume(row.company, row.name, row.applied_by or "Administrator")


# --- SRBNB clearings: the same one-job-per-company queue as the switch ---------------------------


def enqueue_srbnb_clearing(company: str, **choices) -> dict:
	"""Enqueue an SRBNB clearing (plan again and apply in the job) after the request's checks."""
	guards.require_company(company)
	guards.require_clearing_right(company)
	choices["posting_date"] = str(guards.valid_date(choices.get("posting_date")))
	_refuse_when_running(company)
	queued = _set_state(
		company, status="Queued", action="srbnb_clear", switch=None, reason=None, percent=0, description=None,
		user=frappe.session.user,
	)  # fmt: skip
	_enqueue("run_srbnb_clearing", company, choices=choices)
	return queued


def run_srbnb_clearing(company: str, user: str, choices: dict) -> None:
	from perpetual_switch.services import srbnb_clearing

	_as_user(user)
	_set_state(company, status="Applying")
	try:
		doc = srbnb_clearing.apply(company, progress=realtime_progress(company, user), **choices)
		frappe.db.commit()
	except Exception as exc:
		frappe.db.rollback()
		reason = _reason(exc)
		if not isinstance(exc, srbnb_clearing.ClearingBlocked):
			frappe.log_error(title=_("SRBNB clearing of {0} failed").format(company))
		frappe.db.commit()
		_set_state(company, status="Failed", reason=reason)
		_publish(company, user, status="Failed", reason=reason, done=True)
		return
	_set_state(company, status="Applied", clearing=doc.name, percent=100)
	_publish(company, user, status="Applied", clearing=doc.name, done=True)

