"""The switch plan: every blocker and warning at once, the sync journals and the company defaults."""

from __future__ import annotations

from . import backdated as backdated_rules
from .accounts import (
	cost_center_issues,
	expense_account_issues,
	resolve_all,
	resolve_item,
	stock_account_issues,
	unresolved_issue,
)
from .defaults import propose_defaults, round_off_warnings
from .freeze import freeze_doctypes, plan_freeze
from .journal import adjustment_journal
from .models import (
	DatedDocument,
	FreezePlan,
	Issue,
	ItemAccountLine,
	Plan,
	SrbnbSummary,
	StockAccountLine,
	SwitchInputs,
	WarehouseLine,
	_,
)
from .money import ZERO, money_str, round_money
from .scheme import plan_scheme
from .snc import chart_warnings as snc_chart_warnings
from .snc import applies as snc_applies
from .srbnb import unbilled_receipts

STOCK_SYNC = "stock_sync"
SRBNB_SYNC = "srbnb_sync"
SAMPLE = 5


def build_plan(data: SwitchInputs) -> Plan:
	"""The whole plan, section by section; every section adds its own blockers and warnings."""
	company, operation = data.company, data.operation
	blockers: list[Issue] = []
	warnings: list[Issue] = []

	warehouse_lines, item_lines, used_by, values, issues = _warehouse_accounts(data)
	blockers.extend(issues)
	stock_accounts, issues = _stock_accounts(data, used_by, values)
	warnings.extend(issues)
	warnings.extend(_periodic_entries(data))
	blockers.extend(expense_account_issues(data.expense_account, company.name, data.accounts))
	blockers.extend(cost_center_issues(data.cost_center, company.name, data.cost_centers))

	# Company defaults: fill what is empty, never overwrite what the accountant chose
	company_defaults, issues = propose_defaults(data)
	blockers.extend(issues)
	proposed = {change.field: change.proposed for change in company_defaults}
	srbnb_account = proposed.get("stock_received_but_not_billed") or company.default("stock_received_but_not_billed")
	warnings.extend(round_off_warnings(data))

	srbnb, srbnb_blockers, srbnb_warnings = _received_not_billed(data, srbnb_account, operation)
	blockers.extend(srbnb_blockers)
	warnings.extend(srbnb_warnings)
	journals, issues = _journals(data, stock_accounts, srbnb, operation)
	warnings.extend(issues)
	scheme = None
	if operation.is_scheme:
		scheme, move, flag, issues = plan_scheme(data, operation.scheme, _inventory_default(data), stock_accounts)
		blockers.extend(issues)
		journals.extend([move] if move else [])
		company_defaults.extend([flag] if flag else [])

	blockers.extend(_period_blockers(data))
	blockers.extend(_stock_blockers(data))
	backdated, backdated_blockers, backdated_warnings = _backdated(data, operation)
	blockers.extend(backdated_blockers)
	warnings.extend(backdated_warnings)
	if snc_applies(data.country):
		warnings.extend(snc_chart_warnings(data))
	freeze, issues = _freeze(data)
	blockers.extend(issues)

	has_work = bool(journals or company_defaults)
	if data.active_switch and not operation.stacks_on_a_switch and (has_work or not company.perpetual_inventory):
		blockers.append(
			Issue(
				"switch_already_applied",
				_("Switch {switch} is already applied to company {company}; roll it back first."),
				data.active_switch,
				{"switch": data.active_switch, "company": company.name},
			)
		)

	return Plan(
		company=company.name,
		cutover_date=data.cutover_date,
		currency=company.currency,
		precision=company.precision,
		perpetual_inventory_enabled=company.perpetual_inventory,
		expense_account=data.expense_account,
		cost_center=data.cost_center,
		blockers=tuple(blockers),
		warnings=tuple(warnings),
		warehouses=tuple(warehouse_lines),
		stock_accounts=tuple(stock_accounts),
		srbnb=srbnb,
		journal_entries=tuple(journals),
		company_defaults=tuple(company_defaults),
		freeze=freeze if has_work else FreezePlan(),
		item_wise_inventory=company.item_wise_inventory,
		items=tuple(item_lines),
		periodic_entries=data.periodic_entries,
		backdated=backdated,
		scheme=scheme,
		operation=operation,
	)


def _inventory_default(data: SwitchInputs) -> str | None:
	return data.default_overrides.get("default_inventory_account") or data.company.default("default_inventory_account")


def _warehouse_accounts(data: SwitchInputs):
	"""Warehouses and their accounts; in item-wise mode the items' accounts carry the stock instead
	(the proposed default inventory account is the one the warehouses will resolve with). Returns
	the warehouse lines, the item lines, the warehouses (or items) per stock account, their values,
	and the blockers."""
	company = data.company
	blockers: list[Issue] = []
	resolved = resolve_all(data.warehouses, _inventory_default(data))
	stock_candidates = data.account_candidates.get("Stock", ())
	warehouse_lines = []
	used_by: dict[str, list[str]] = {}
	for warehouse in sorted(data.warehouses, key=lambda w: w.name):
		account, source, source_warehouse = resolved[warehouse.name]
		value = round_money(data.stock_values.get(warehouse.name, ZERO), company.precision)
		warehouse_lines.append(
			WarehouseLine(warehouse.name, warehouse.is_group, account, source, source_warehouse, value)
		)
		if company.item_wise_inventory:
			continue
		if account is None:
			blockers.append(unresolved_issue(warehouse.name, stock_candidates[0] if stock_candidates else None))
		else:
			used_by.setdefault(account, []).append(warehouse.name)
	item_lines: list[ItemAccountLine] = []
	if company.item_wise_inventory:
		item_lines, item_issues = _item_accounts(data, used_by)
		blockers.extend(item_issues)
		values = {line.item_code: line.stock_value for line in item_lines}
		kind = "items"
	else:
		values = data.stock_values
		kind = "warehouses"
	for account in sorted(used_by):
		blockers.extend(stock_account_issues(account, used_by[account], company.name, data.accounts, kind))
	return warehouse_lines, item_lines, used_by, values, blockers


def _stock_accounts(data: SwitchInputs, used_by: dict[str, list[str]], values) -> tuple[list[StockAccountLine], list[Issue]]:
	"""Stock value against the GL, per stock account."""
	company, precision = data.company, data.company.precision
	warnings: list[Issue] = []
	stock_accounts = []
	for account in sorted(used_by):
		stock_value = sum((values.get(w, ZERO) for w in used_by[account]), ZERO)
		stock_accounts.append(
			StockAccountLine(
				account,
				round_money(stock_value, precision),
				round_money(data.gl_balances.get(account, ZERO), precision),
			)
		)
	for account in data.account_candidates.get("Stock", ()):
		balance = round_money(data.gl_balances.get(account, ZERO), precision)
		if account not in used_by and balance:
			# ERPNext compares only warehouse accounts; a stock account no warehouse posts to
			# would keep a balance no stock stands behind, so the sync brings it to zero.
			stock_accounts.append(StockAccountLine(account, ZERO, balance))
			warnings.append(
				Issue(
					"stock_account_without_warehouse",
					_(
						"Stock account {account} holds {amount} {currency} but no warehouse posts to it; the sync journal brings it to zero."
					),
					account,
					{"account": account, "amount": str(balance), "currency": company.currency},
				)
			)
	return stock_accounts, warnings


def _periodic_entries(data: SwitchInputs) -> list[Issue]:
	if not data.periodic_entries:
		return []
	return [
		_sampled(
			"periodic_accounting_entries",
			_(
				"Company {company} posted {count} Periodic Accounting Entries on or before the cutover (for example {documents}); the sync starts from the GL as they left it and posts only the remaining difference."
			),
			data.periodic_entries,
			len(data.periodic_entries),
			{"company": data.company.name},
		)
	]


def _received_not_billed(data: SwitchInputs, srbnb_account: str | None, operation) -> tuple[SrbnbSummary, list[Issue], list[Issue]]:
	"""The receipt rows unbilled at the cutover against the SRBNB account's balance."""
	company, precision = data.company, data.company.precision
	if not operation.reads_receipts:
		return SrbnbSummary(srbnb_account, ZERO, ZERO, ()), [], []
	receipts, warnings = unbilled_receipts(data.receipt_rows, precision, company.currency)
	unbilled_total = sum((r.unbilled_value for r in receipts), ZERO)
	srbnb = SrbnbSummary(
		srbnb_account,
		unbilled_total,
		round_money(data.gl_balances.get(srbnb_account, ZERO), precision) if srbnb_account else ZERO,
		receipts,
	)
	blockers = []
	if not srbnb_account:
		blockers.append(
			Issue(
				"srbnb_account_missing",
				_(
					"Company {company} has no Stock Received But Not Billed account and none of that account type exists; create one first."
				),
				company.name,
				{"company": company.name},
			)
		)
	return srbnb, blockers, list(warnings)


def _journals(data: SwitchInputs, stock_accounts, srbnb: SrbnbSummary, operation) -> tuple[list, list[Issue]]:
	"""The stock sync journal and, on a periodic company, the SRBNB one, against the expense account."""
	company, precision = data.company, data.company.precision
	journals, warnings = [], []
	expense_account = data.expense_account
	if expense_account:
		stock_journal = adjustment_journal(
			STOCK_SYNC,
			((line.account, line.difference) for line in stock_accounts),
			expense_account,
			data.cost_center,
			precision,
		)
		if stock_journal:
			journals.append(stock_journal)
		if srbnb.account and operation.syncs_srbnb:
			srbnb_journal = adjustment_journal(
				SRBNB_SYNC, [(srbnb.account, srbnb.difference)], expense_account, data.cost_center, precision
			)
			if srbnb_journal:
				journals.append(srbnb_journal)
	if operation.reports_srbnb_difference and srbnb.difference:
		warnings.append(
			Issue(
				"srbnb_difference_not_posted",
				_(
					"Stock Received But Not Billed differs from the unbilled receipts by {amount} {currency}; on a company already on perpetual inventory the re-sync reports it but does not post it."
				),
				srbnb.account,
				{"amount": str(srbnb.difference), "currency": company.currency},
			)
		)
	return journals, warnings


def _backdated(data: SwitchInputs, operation):
	"""What a backdated operation reposts, with its own blockers and warnings; (None, [], []) otherwise."""
	later = operation.backdated
	if later is None:
		return None, [], []
	blockers, warnings = backdated_rules.issues(
		data.cutover_date,
		later.period_closings_after,
		later.closed_periods_after,
		later.manual_journals_after,
	)
	plan = backdated_rules.BackdatedPlan(
		vouchers=len(later.repost_vouchers),
		by_type=backdated_rules.count_by_type(later.repost_vouchers),
		manual_journals=later.manual_journals_after,
		repost=backdated_rules.order(later.repost_vouchers),
	)
	return plan, list(blockers), list(warnings)


def _freeze(data: SwitchInputs) -> tuple[FreezePlan, list[Issue]]:
	if not data.freeze_stock:
		return FreezePlan(), []
	freeze, issues = plan_freeze(
		data.freeze_start or data.cutover_date,
		data.cutover_date,
		data.accounting_periods,
		freeze_doctypes(data.freeze_accounts),
	)
	return freeze, list(issues)


def _item_accounts(data: SwitchInputs, used_by: dict[str, list[str]]) -> tuple[list[ItemAccountLine], list[Issue]]:
	"""Item-wise mode: resolve each item that has stock; an item with stock and no account blocks,
	since ERPNext refuses its next document."""
	lines, missing = [], []
	for item in sorted(data.item_stock, key=lambda i: i.item_code):
		if not item.stock_value and not item.stock_qty:
			continue
		account, source, source_name = resolve_item(item)
		lines.append(
			ItemAccountLine(
				item.item_code, account, source, source_name, round_money(item.stock_value, data.company.precision)
			)
		)
		if account:
			used_by.setdefault(account, []).append(item.item_code)
		else:
			missing.append(DatedDocument("Item", item.item_code))
	issues = []
	if missing:
		issues.append(
			_sampled(
				"item_without_inventory_account",
				_(
					"Company {company} books stock per item, and {count} items with stock have no inventory account on the item, its item group or its brand (for example {documents}); ERPNext would refuse their next stock document. Set a default inventory account for this company on each."
				),
				missing,
				len(missing),
				{"company": data.company.name},
			)
		)
	return lines, issues


def _period_blockers(data: SwitchInputs) -> list[Issue]:
	issues = []
	params = {"date": data.cutover_date, "company": data.company.name}
	if data.cutover_date > data.today:
		issues.append(
			Issue(
				"cutover_in_future",
				_("The cutover date {date} is in the future; pick today or an earlier date."),
				str(data.cutover_date),
				params,
			)
		)
	if not data.has_fiscal_year:
		issues.append(
			Issue(
				"no_fiscal_year",
				_("No fiscal year of company {company} covers the cutover date {date}."),
				str(data.cutover_date),
				params,
			)
		)
	if data.journal_period_closed:
		issues.append(
			Issue(
				"journal_period_closed",
				_("Accounting Period {period} closes journal entries on the cutover date {date}."),
				data.journal_period_closed,
				{**params, "period": data.journal_period_closed},
			)
		)
	if data.accounts_frozen_upto and data.accounts_frozen_upto >= data.cutover_date:
		issues.append(
			Issue(
				"accounts_frozen",
				_("Accounts are frozen up to {frozen}, on or after the cutover date {date}."),
				str(data.accounts_frozen_upto),
				{**params, "frozen": data.accounts_frozen_upto},
			)
		)
	return issues


def _sampled(code: str, template: str, documents, count: int, params: dict) -> Issue:
	"""A blocker about `count` documents, naming the first few."""
	names = ", ".join(f"{d.doctype} {d.name}" for d in documents[:SAMPLE])
	return Issue(
		code, template, documents[0].name if documents else None, {**params, "count": count, "documents": names}
	)


def _counted(code: str, template: str, documents: str, count: str, unless_backdated: bool = False):
	"""A rule that blocks when the inputs count any of some documents (naming the first few); with
	`unless_backdated`, a backdated switch reposts them instead."""

	def rule(data: SwitchInputs) -> list[Issue]:
		number = getattr(data, count)
		if not number or (unless_backdated and data.operation.is_backdated):
			return []
		return [_sampled(code, template, getattr(data, documents), number, {"date": data.cutover_date})]

	return rule


def _negative_stock_allowed(data: SwitchInputs) -> list[Issue]:
	if not data.negative_stock_allowed:
		return []
	return [
		Issue(
			"negative_stock_allowed",
			_("Stock Settings allow negative stock; perpetual inventory needs it off."),
			"Stock Settings",
			{},
		)
	]


def _disabled_warehouses_with_stock(data: SwitchInputs) -> list[Issue]:
	issues = []
	for warehouse in data.warehouses:
		value = round_money(data.stock_values.get(warehouse.name, ZERO), data.company.precision)
		if warehouse.disabled and not warehouse.is_group and value:
			issues.append(
				Issue(
					"warehouse_disabled_with_stock",
					_(
						"Warehouse {warehouse} is disabled but holds stock worth {value} at the cutover; ERPNext leaves disabled warehouses out of its stock account checks. Enable it, or move its stock out, before switching."
					),
					warehouse.name,
					{"warehouse": warehouse.name, "value": money_str(value, data.company.precision)},
				)
			)
	return issues


def _negative_bins(data: SwitchInputs) -> list[Issue]:
	return [
		Issue(
			"negative_stock",
			_("Item {item} has negative stock ({qty}) in warehouse {warehouse}."),
			f"{bin.item_code} @ {bin.warehouse}",
			{"item": bin.item_code, "warehouse": bin.warehouse, "qty": bin.actual_qty},
		)
		for bin in data.negative_bins
	]


# The stock ledger's blockers, in the order they are shown.
STOCK_RULES = (
	_counted(
		"stock_ledger_after_cutover",
		_(
			"{count} stock ledger entries are dated after the cutover {date} (for example {documents}); the switch must cover every stock movement, so pick a later cutover, or a backdated switch to repost them."
		),
		"stock_entries_after",
		"stock_ledger_after_count",
		unless_backdated=True,
	),
	_counted(
		"purchase_invoice_after_cutover",
		_(
			"{count} purchase invoices are dated after the cutover {date} (for example {documents}); pick a later cutover, or a backdated switch to repost them."
		),
		"purchase_invoices_after",
		"purchase_invoices_after_count",
		unless_backdated=True,
	),
	_negative_stock_allowed,
	_counted(
		"negative_running_stock",
		_(
			"{count} stock movements on or before the cutover took stock below zero (for example {documents}): sales were posted before the purchases they consume. Post the purchases first or correct the dates."
		),
		"negative_running",
		"negative_running_count",
	),
	_counted(
		"repost_pending_before_cutover",
		_(
			"{count} Repost Item Valuation entries from on or before the cutover {date} have not run yet (for example {documents}); once the switch closes those dates they would fail. Let them run first: ERPNext's scheduler runs them, and the Repost Item Valuation list can start them now."
		),
		"pending_reposts",
		"pending_reposts_count",
	),
	_disabled_warehouses_with_stock,
	_negative_bins,
)


def _stock_blockers(data: SwitchInputs) -> list[Issue]:
	return [issue for rule in STOCK_RULES for issue in rule(data)]


def apply_blockers(plan: Plan, active_switch: str | None) -> tuple[Issue, ...]:
	"""Blockers for applying a plan: its own, or the reason there is nothing to apply."""
	if plan.blockers:
		return plan.blockers
	if plan.has_work:
		return ()
	if active_switch:
		return (
			Issue(
				"switch_already_applied",
				_("Switch {switch} is already applied to company {company}; roll it back first."),
				active_switch,
				{"switch": active_switch, "company": plan.company},
			),
		)
	return (
		Issue(
			"nothing_to_apply",
			_(
				"Company {company} is already on perpetual inventory and its stock accounts match the stock value: there is nothing to apply."
			),
			plan.company,
			{"company": plan.company},
		),
	)
