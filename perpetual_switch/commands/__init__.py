"""bench --site SITE perpetual-switch status|check|plan|apply|rollback|resume|watch|srbnb|srbnb-clear|srbnb-clear-rollback|mandatory|at-inventory

Exit codes: 0 done or nothing blocks; 2 blockers found (nothing written); 1 any other error
(message on stderr, nothing written). Heavy imports happen inside the commands, after the site
is connected, so `bench` itself stays fast.
"""

import functools
import json
import os
import sys
from contextlib import contextmanager

import click
from frappe.commands import get_site, pass_context

EXIT_BLOCKED = 2
EXIT_ERROR = 1


@contextmanager
def connected(context):
	"""Connect to the site, commit when the block succeeds, roll back and exit 1/2 when it does not."""
	import frappe

	site = get_site(context)
	frappe.init(site=site)
	frappe.connect()
	try:
		from perpetual_switch.services.guards import require_mariadb
		from perpetual_switch.services import SwitchBlocked

		try:
			require_mariadb()
			yield
			frappe.db.commit()
		except SwitchBlocked:
			frappe.db.rollback()
			raise
		except (SystemExit, click.exceptions.Exit):
			frappe.db.rollback()
			raise
		except Exception as e:
			frappe.db.rollback()
			click.echo(click.style(_message(e), fg="red"), err=True)
			sys.exit(EXIT_ERROR)
	finally:
		frappe.destroy()


def _message(exc) -> str:
	import frappe

	text = str(exc) or exc.__class__.__name__
	return frappe.utils.strip_html_tags(text.replace("<br>", "\n"))


def company_option(f):
	"""--company, checked by the command itself: a missing one is an error (exit 1), not click's
	usage code 2, which the contract keeps for blockers."""

	@functools.wraps(f)
	def checked(*args, **kwargs):
		if not kwargs.get("company"):
			click.echo("Company missing: give --company with the company's name, as in ERPNext.", err=True)
			sys.exit(EXIT_ERROR)
		return f(*args, **kwargs)

	return click.option("--company", default=None, help="Company name, as in ERPNext (required)")(checked)


# The switch's options on the command line: one click option per field that SwitchOptions declares
# (engine.models.OPTION_KINDS), --company apart. Declared once here; a command that takes options
# takes them all, and a field without its option here stops the import.
OPTION_FLAGS = {
	"cutover_date": lambda: click.option("--date", "cutover_date", default=None, help="Cutover date YYYY-MM-DD (default: today)"),
	"expense_account": lambda: click.option("--expense-account", default=None, help="Default: the company's default cost of goods sold account"),
	"cost_center": lambda: click.option("--cost-center", default=None, help="Default: the company's default cost center"),
	"freeze_stock": lambda: click.option(
		"--freeze-stock/--no-freeze-stock", default=True, help="Close stock documents up to the cutover (default: close them)"
	),
	"freeze_accounts": lambda: click.option(
		"--freeze-accounts", is_flag=True, help="Also close journal and payment entries up to the cutover"
	),
	"company_defaults": lambda: click.option(
		"--default", "company_defaults", multiple=True, metavar="FIELD=ACCOUNT",
		help="Set a company default other than the one proposed (repeat for several)",
	),
	"backdated": lambda: click.option(
		"--backdated", is_flag=True, help="Backdated: repost documents after the cutover as perpetual inventory would have booked them"
	),
	"scheme": lambda: click.option(
		"--scheme", default=None, metavar="item-wise|warehouse-wise",
		help="ERPNext 16: move a perpetual company's stock to item-wise inventory accounts, or back to warehouse-wise",
	),
	"resync": lambda: click.option(
		"--resync", is_flag=True, help="With --scheme: bring stock accounts out of sync back to the stock value in the same switch"
	),
}  # fmt: skip


def switch_options(f):
	"""Every option of a switch, as click options; the command gets them as keyword arguments."""
	from perpetual_switch.engine.models import OPTION_FIELDS

	missing = set(OPTION_FIELDS) - {"company"} - set(OPTION_FLAGS)
	if missing:
		raise RuntimeError(f"switch options without a command-line option: {sorted(missing)}")
	for name in reversed([n for n in OPTION_FIELDS if n != "company"]):
		f = OPTION_FLAGS[name]()(f)
	return f


def _options(company, choices: dict):
	"""The command line's choices as the services take them: one options object."""
	from perpetual_switch.engine.models import OPTION_FIELDS, SwitchOptions, WireError

	values = {name: choices[name] for name in OPTION_FIELDS if name in choices}
	values["company"] = company
	pairs = values.get("company_defaults") or ()
	defaults = {}
	for pair in pairs:
		field, sep, account = pair.partition("=")
		if not sep or not field.strip():
			click.echo(f"--default {pair}: write FIELD=ACCOUNT, e.g. --default stock_adjustment_account=\"Stock Adjustment - C\".", err=True)
			sys.exit(EXIT_ERROR)
		defaults[field.strip()] = account.strip()
	values["company_defaults"] = defaults or None
	try:
		return SwitchOptions.from_wire(values)
	except WireError as e:
		click.echo(f"{e.args[1]!r} is not a valid value for {e.args[0]}.", err=True)
		sys.exit(EXIT_ERROR)


def _plan(options):
	"""The plan a command shows: a backdated one with its GL change, computed here."""
	from perpetual_switch.services import lifecycle

	return lifecycle.plan(options, preview=True)


def json_option(f):
	return click.option("--json", "as_json", is_flag=True, help="Print JSON (the plan contract)")(f)


@click.group("perpetual-switch")
def perpetual_switch():
	"""Switch a company to perpetual inventory, or re-sync its stock accounts."""


@perpetual_switch.command("status")
@company_option
@json_option
@pass_context
def status_command(context, company, as_json):
	"""Perpetual inventory on or off, the last switch, and whether stock accounts match stock value."""
	with connected(context):
		from perpetual_switch import services

		result = services.status(company)
		if as_json:
			_print_json(result)
			return
		from perpetual_switch.commands import render

		click.echo(render.status(result))


@perpetual_switch.command("check")
@company_option
@switch_options
@json_option
@pass_context
def check_command(context, company, as_json, **choices):
	"""Warehouse accounts, blockers and warnings."""
	with connected(context):
		from perpetual_switch import services

		from perpetual_switch.services import lifecycle

		plan = lifecycle.plan(_options(company, choices))
		data = services.plan_dict(plan)
		if as_json:
			_print_json(
				{k: data[k] for k in ("company", "cutover_date", "mode", "perpetual_inventory_enabled", "blockers", "warnings", "warehouses")}
			)
		else:
			from perpetual_switch.commands import render

			click.echo(render.check(data))
		_exit_if_blocked(data["blockers"])


@perpetual_switch.command("plan")
@company_option
@switch_options
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default=None, help="Write the plan as a spreadsheet (needs --output)")
@click.option("--output", default=None, help="File to write with --format")
@json_option
@pass_context
def plan_command(context, company, file_format, output, as_json, **choices):
	"""The whole plan: stock value against the GL, both journal entries, company defaults."""
	if bool(file_format) != bool(output):
		click.echo("--format and --output go together: give both to write the plan to a file.", err=True)
		sys.exit(EXIT_ERROR)
	with connected(context):
		from perpetual_switch import services

		options = _options(company, choices)
		if file_format:
			from perpetual_switch.services.export import plan_file

			_name, content = plan_file(options, file_format, compute_preview=True)
			with open(output, "wb") as f:
				f.write(content)
			click.echo(f"Wrote the plan of {company} to {output}.", err=True)
			return
		data = services.plan_dict(_plan(options))
		_print_plan(data, as_json)
		_exit_if_blocked(data["blockers"])


@perpetual_switch.command("apply")
@company_option
@switch_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@click.option("--fingerprint", default=None, help="Apply only if the plan is still the one with this fingerprint (plan --json shows it)")
@json_option
@pass_context
def apply_command(context, company, yes, fingerprint, as_json, **choices):
	"""Post the plan: submit a Switch to Perpetual Inventory document."""
	with connected(context):
		from perpetual_switch import services
		from perpetual_switch.services import lifecycle

		options = _options(company, choices)
		if not yes:
			if not sys.stdin.isatty():
				click.echo("Refusing to apply without --yes when no terminal is attached.", err=True)
				sys.exit(EXIT_ERROR)
			preview = services.plan_dict(_plan(options))
			_print_plan(preview, False)
			if preview["blockers"]:
				sys.exit(EXIT_BLOCKED)
			click.confirm(f"Apply this switch to {company}?", abort=True)
			# What is applied is what was shown: refused if the plan changed meanwhile.
			fingerprint = fingerprint or preview["fingerprint"]
		try:
			with progress_reporter(not as_json) as progress:
				doc = lifecycle.apply(options, progress, fingerprint=fingerprint)
		except services.SwitchBlocked as blocked:
			data = services.plan_dict(blocked.plan)
			data["blockers"] = services.issues_dicts(blocked.blockers)
			_print_plan(data, as_json)
			sys.exit(EXIT_BLOCKED)
		if doc.status == "Reposting":
			_repost(doc, as_json)
		journals = [j for j in (doc.stock_journal_entry, doc.srbnb_journal_entry, doc.get("scheme_journal_entry"), doc.closing_journal_entry) if j]
		if as_json:
			_print_json({"switch": doc.name, "journal_entries": journals, "plan": services.plan_dict(doc.flags.plan)})
		else:
			click.echo(f"Applied {doc.name}: journal entries {', '.join(journals) or '-'}.")


@perpetual_switch.command("demo")
@click.option("--company", default="Perpetual Switch Demo", help="Name of the demo company (made once, in the site's country and currency)")
@click.option("--abbr", default="PSWD", help="Its abbreviation")
@click.option("--apply", "do_apply", is_flag=True, help="Also switch it to perpetual inventory as of today")
@json_option
@pass_context
def demo_command(context, company, abbr, do_apply, as_json):
	"""Make a small periodic demo company through ERPNext documents and show its plan (--apply: switch it)."""
	with connected(context):
		from perpetual_switch import services
		from perpetual_switch.services import demo

		try:
			with progress_reporter(not as_json) as progress:
				result = demo.run(company, abbr, apply=do_apply, progress=progress)
		except services.SwitchBlocked as blocked:
			_print_plan(services.plan_dict(blocked.plan), as_json)
			sys.exit(EXIT_BLOCKED)
		if as_json:
			_print_json(result)
			return
		for label, name in result["created"].items():
			click.echo(f"Made {label}: {name}")
		_print_plan(result["plan"], False)
		if result.get("switch"):
			click.echo(f"Applied {result['switch']}; roll it back with: bench --site SITE perpetual-switch rollback --company \"{company}\" --yes")


@perpetual_switch.command("rollback")
@company_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@click.option(
	"--overwrite-later-edits",
	is_flag=True,
	help="Restore the values from before the switch even where someone changed them since",
)
@json_option
@pass_context
def rollback_command(context, company, yes, overwrite_later_edits, as_json):
	"""Cancel the company's applied switch: journals cancelled, every setting restored."""
	import frappe

	with connected(context):
		from perpetual_switch import services

		if not yes:
			if not sys.stdin.isatty():
				click.echo("Refusing to roll back without --yes when no terminal is attached.", err=True)
				sys.exit(EXIT_ERROR)
			click.confirm(f"Roll back the applied switch of {company}?", abort=True)
		try:
			with progress_reporter(not as_json) as progress:
				doc = services.rollback(company, progress=progress, overwrite_later_edits=overwrite_later_edits)
		except services.RollbackRefused as e:
			frappe.db.rollback()
			click.echo(click.style(_message(e), fg="red"), err=True)
			sys.exit(EXIT_BLOCKED)
		journals = [j for j in (doc.stock_journal_entry, doc.srbnb_journal_entry, doc.get("scheme_journal_entry")) if j]
		if as_json:
			_print_json({"switch": doc.name, "switch_status": doc.status, "cancelled_journal_entries": journals})
		else:
			click.echo(f"Rolled back {doc.name}: cancelled {', '.join(journals) or 'no journal entries'}.")


def _repost(doc, as_json):
	"""Commit the switch, then repost batch by batch; a failure undoes the switch (exit 1)."""
	import frappe

	from perpetual_switch.services import backdated

	frappe.db.commit()
	with progress_reporter(not as_json) as progress:
		reason = backdated.run_or_undo(doc.name, progress)
	if reason:
		click.echo(click.style(f"Switch {doc.name} failed and was undone: {reason}", fg="red"), err=True)
		sys.exit(EXIT_ERROR)
	doc.reload()


@perpetual_switch.command("resume")
@company_option
@json_option
@pass_context
def resume_command(context, company, as_json):
	"""Finish a backdated switch whose repost stopped (a worker or this command was stopped)."""
	import frappe

	with connected(context):
		name = frappe.db.get_value(
			"Switch to Perpetual Inventory", {"company": company, "docstatus": 1, "status": "Reposting"}, "name"
		)
		if not name:
			click.echo(f"Company {company} has no backdated switch still reposting.", err=True)
			sys.exit(EXIT_ERROR)
		doc = frappe.get_doc("Switch to Perpetual Inventory", name)
		doc.check_permission("submit")
		_repost(doc, as_json)
		if as_json:
			_print_json({"switch": doc.name, "switch_status": doc.status, "reposted": doc.reposted_count})
		else:
			click.echo(f"Applied {doc.name}: {doc.reposted_count} documents reposted.")


@contextmanager
def progress_reporter(enabled: bool):
	"""A progress bar on a terminal, plain lines otherwise (nothing with --json), on stderr."""
	if not enabled:
		yield None
		return
	if sys.stderr.isatty():
		with click.progressbar(length=100, label="Working", file=sys.stderr, show_percent=True) as bar:
			done = [0]

			def on_terminal(percent, description):
				bar.label = description
				bar.update(max(0, int(percent) - done[0]))
				done[0] = max(done[0], int(percent))

			yield on_terminal
		return

	def plain(percent, description):
		click.echo(f"{int(percent):3d}% {description}", err=True)

	yield plain


def _print_json(data):
	click.echo(json.dumps(data, indent=1, default=str))


def _print_plan(data, as_json):
	if as_json:
		_print_json(data)
	else:
		from perpetual_switch.commands import render

		click.echo(render.plan(data))


def _exit_if_blocked(blockers):
	if blockers:
		sys.exit(EXIT_BLOCKED)


@perpetual_switch.command("watch")
@company_option
@click.option("--days", default=30, type=int, help="How many days back (default 30)")
@click.option("--now", "run_now", is_flag=True, help="Run today's check first (stores the snapshot, notifies as the daily job would)")
@json_option
@pass_context
def watch_command(context, company, days, run_now, as_json):
	"""Drift history: stock value against the stock accounts, day by day, latest first."""
	with connected(context):
		from perpetual_switch.services import drift

		if days < 1:
			click.echo(f"--days must be 1 or more, not {days}.", err=True)
			sys.exit(EXIT_ERROR)
		if run_now:
			drift.record_and_notify(company)
			import frappe

			frappe.db.commit()
		result = drift.history(company, days)
		if as_json:
			_print_json(result)
			return
		from perpetual_switch.commands import render

		click.echo(render.watch(result))


@perpetual_switch.command("srbnb")
@company_option
@click.option("--date", "as_of", default=None, help="Reconcile as of YYYY-MM-DD (default: today)")
@click.option("--all-rows", is_flag=True, help="List every receipt row with anything on the account, not only those with a residual")
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default=None, help="Write the reconciliation as a spreadsheet (needs --output)")
@click.option("--output", default=None, help="File to write with --format")
@json_option
@pass_context
def srbnb_command(context, company, as_of, all_rows, file_format, output, as_json):
	"""Stock Received But Not Billed per receipt row and cause, tied to the account's GL."""
	if bool(file_format) != bool(output):
		click.echo("--format and --output go together: give both to write the reconciliation to a file.", err=True)
		sys.exit(EXIT_ERROR)
	with connected(context):
		from perpetual_switch.services import srbnb

		if file_format:
			_name, content = srbnb.reconciliation_file(company, as_of, file_format, all_rows)
			with open(output, "wb") as f:
				f.write(content)
			click.echo(f"Wrote the SRBNB reconciliation of {company} to {output}.", err=True)
			return
		with progress_reporter(not as_json) as progress:
			result = srbnb.reconcile(company, as_of, all_rows=all_rows, progress=progress)
		if as_json:
			_print_json(result)
			return
		from perpetual_switch.commands import render

		click.echo(render.srbnb(result))


def clearing_options(f):
	for option in reversed(
		[
			click.option("--date", "posting_date", default=None, help="Posting date of the clearing journal YYYY-MM-DD (default: today)"),
			click.option("--cause", "causes", multiple=True, help="Clear only this cause (repeat for several; default: every cause)"),
			click.option("--source", "sources", multiple=True, help="Clear only this receipt, receipt row or voucher (repeat for several)"),
			click.option("--expense-account", default=None, help="Account the residuals go to (default: the company's stock adjustment account)"),
			click.option("--cost-center", default=None, help="Cost center of that account's line (default: the company's)"),
		]
	):
		f = option(f)
	return f


@perpetual_switch.command("srbnb-clear")
@company_option
@clearing_options
@click.option("--apply", "do_apply", is_flag=True, help="Post the clearing (without it, only the plan is shown)")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@json_option
@pass_context
def srbnb_clear_command(context, company, posting_date, causes, sources, expense_account, cost_center, do_apply, yes, as_json):
	"""Plan (or, with --apply, post) one journal moving chosen SRBNB residuals to an expense account."""
	with connected(context):
		from perpetual_switch.services import srbnb_clearing as clearing

		args = (company, posting_date, list(causes) or None, list(sources) or None, expense_account, cost_center)
		with progress_reporter(not as_json) as progress:
			data = clearing.plan_dict(clearing.plan(*args, progress=progress))
		if not do_apply or data["blockers"]:
			_print_clearing(data, as_json)
			if data["blockers"]:
				sys.exit(EXIT_BLOCKED)
			return
		if not yes:
			if not sys.stdin.isatty():
				click.echo("Refusing to apply without --yes when no terminal is attached.", err=True)
				sys.exit(EXIT_ERROR)
			_print_clearing(data, False)
			click.confirm(f"Post this clearing for {company}?", abort=True)
		import frappe

		try:
			with progress_reporter(not as_json) as progress:
				doc = clearing.apply(*args, progress=progress, fingerprint=data["fingerprint"])
		except clearing.ClearingBlocked as e:
			frappe.db.rollback()
			click.echo(click.style(_message(e), fg="red"), err=True)
			sys.exit(EXIT_BLOCKED)
		if as_json:
			_print_json({"clearing": doc.name, "journal_entry": doc.journal_entry, "plan": data})
		else:
			click.echo(f"Applied {doc.name}: journal entry {doc.journal_entry}, {data['total']} {data['currency']} cleared.")


@perpetual_switch.command("srbnb-clear-rollback")
@company_option
@click.option("--name", default=None, help="The clearing to roll back (default: the company's latest applied one)")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@json_option
@pass_context
def srbnb_clear_rollback_command(context, company, name, yes, as_json):
	"""Cancel an SRBNB clearing's journal: the GL is back as it was before it."""
	import frappe

	with connected(context):
		from perpetual_switch.services import srbnb_clearing as clearing

		if not yes:
			if not sys.stdin.isatty():
				click.echo("Refusing to roll back without --yes when no terminal is attached.", err=True)
				sys.exit(EXIT_ERROR)
			click.confirm(f"Roll back the SRBNB clearing {name or 'latest'} of {company}?", abort=True)
		try:
			doc = clearing.rollback(name, company)
		except clearing.ClearingBlocked as e:
			frappe.db.rollback()
			click.echo(click.style(_message(e), fg="red"), err=True)
			sys.exit(EXIT_BLOCKED)
		if as_json:
			_print_json({"clearing": doc.name, "status": doc.status, "cancelled_journal_entry": doc.journal_entry})
		else:
			click.echo(f"Rolled back {doc.name}: cancelled {doc.journal_entry}.")


@perpetual_switch.command("mandatory")
@company_option
@click.option("--year", required=True, help="The fiscal year to classify, e.g. 2026")
@json_option
@pass_context
def mandatory_command(context, company, year, as_json):
	"""Portugal: must the company keep perpetual inventory in a year? (DL 158/2009, art. 9.º, 9.º-A, 12.º)"""
	with connected(context):
		from perpetual_switch.services import snc

		result = snc.mandatory_for_year(company, year)
		if as_json:
			_print_json(result)
			return
		from perpetual_switch.commands import render

		click.echo(render.mandatory(result))


@perpetual_switch.command("at-inventory")
@company_option
@click.option("--year", required=True, help="The tax year, e.g. 2026 (its last day is the inventory's date)")
@click.option("--format", "file_format", type=click.Choice(["xml", "csv"]), default="xml", help="The file's format (default xml)")
@click.option("--version", "version", type=click.Choice(["1_02", "2_01"]), default=None, help="1_02 (quantities) or 2_01 (with values); default: 2_01 when perpetual inventory is mandatory")
@click.option("--out", "output", default=None, help="Write the file here (without it, only the checks and totals are shown)")
@json_option
@pass_context
def at_inventory_command(context, company, year, file_format, version, output, as_json):
	"""The annual inventory file for the AT (Portugal): closing stock per item, its checks and totals."""
	with connected(context):
		from perpetual_switch.services import at_inventory

		if output and not as_json:
			# Checked and written in one pass over the items; refused (nothing written) while a check fails.
			result = _at_inventory_file(at_inventory, company, year, version, file_format, output)
		else:
			result = at_inventory.inventory(company, year, version, keep=None if as_json else 0)
		data = at_inventory.as_dict(result, limit=None if as_json else 0)
		if as_json:
			_print_json(data)
		else:
			from perpetual_switch.commands import render

			click.echo(render.at_inventory(data))
		_exit_if_blocked(data["blockers"])
		if output and as_json:
			_at_inventory_file(at_inventory, company, year, version, file_format, output)
		elif output:
			click.echo(f"Wrote {output} ({os.path.getsize(output)} bytes).")


def _at_inventory_file(at_inventory, company, year, version, file_format, output):
	"""Writes the file to `output` through a temporary file beside it, so that a refused or broken run
	leaves no file there (or the previous one); returns the inventory."""
	partial = f"{output}.partial"
	try:
		with open(partial, "wb") as out:
			name, result = at_inventory.write_file(company, year, version, file_format, out)
	except BaseException:
		if os.path.exists(partial):
			os.remove(partial)
		raise
	if name is None:
		os.remove(partial)
	else:
		os.replace(partial, output)
	return result


def _print_clearing(data, as_json):
	if as_json:
		_print_json(data)
	else:
		from perpetual_switch.commands import render

		click.echo(render.clearing(data))


commands = [perpetual_switch]
