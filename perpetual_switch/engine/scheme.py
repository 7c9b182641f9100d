"""A change of inventory account scheme on a perpetual company (ERPNext 16): stock booked per warehouse's
account moves to each item's inventory account (item, item group, brand), or back.

For every item and warehouse with stock, its value leaves the account that holds it under the current
scheme for the account the new scheme resolves. One journal carries a debit and a credit per pair of
accounts; each account ends at the stock value it carries under the new scheme, to the cent (the
cents that rounding per pair leaves go to the counter-account, as in the sync journal).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .backdated import AccountChange
from .accounts import resolve_all, resolve_item, sample_names, stock_account_issues, unresolved_issue
from .journal import line_for
from .models import ITEM_WISE_FIELD, DefaultChange, Issue, ItemAccountLine, JournalPlan, _
from .money import ZERO, money_str, round_money

ITEM_WISE = "item-wise"
WAREHOUSE_WISE = "warehouse-wise"
SCHEMES = (ITEM_WISE, WAREHOUSE_WISE)
SCHEME_MOVE = "scheme_move"
SAMPLE = 5


@dataclass(frozen=True)
class SchemeMove:
	"""Stock value moved from one account to another, and how many items and warehouses it covers."""

	from_account: str
	to_account: str
	amount: Decimal
	items: int
	warehouses: int


@dataclass(frozen=True)
class SchemeWarehouse:
	warehouse: str
	account: str | None
	source: str | None
	source_warehouse: str | None
	stock_value: Decimal


@dataclass(frozen=True)
class SchemePlan:
	current: str
	target: str
	moves: tuple[SchemeMove, ...] = ()
	accounts: tuple[AccountChange, ...] = ()
	"""Each stock account's balance before the move (its stock value under the current scheme, once in
	sync) and after it (its stock value under the new one)."""
	items: tuple[ItemAccountLine, ...] = ()
	"""Each item with stock and its account under the item-wise scheme (the new one or the old one)."""
	warehouses: tuple[SchemeWarehouse, ...] = ()
	"""Each warehouse with stock and its account under the warehouse-wise scheme."""
	cells: int = 0
	"""Items in warehouses with stock: what the move covers."""

	@property
	def total_moved(self) -> Decimal:
		return sum((m.amount for m in self.moves), ZERO)


def scheme_of(item_wise: bool) -> str:
	return ITEM_WISE if item_wise else WAREHOUSE_WISE


def scheme_issue(data, asked) -> Issue | None:
	"""Why the `asked` scheme change (engine.operation.SchemeInputs) cannot be planned at all on this
	site and company, or None."""
	company = data.company
	if asked.target not in SCHEMES:
		return Issue(
			"scheme_unknown",
			_("{scheme} is not an inventory account scheme; use item-wise or warehouse-wise."),
			str(asked.target),
			{"scheme": str(asked.target)},
		)
	if not asked.available:
		return Issue(
			"scheme_not_available",
			_(
				"This site's ERPNext has no item-wise inventory accounts (the Company setting Enable Item-wise Inventory Account exists from version 16 on): company {company} books stock per warehouse and cannot change scheme."
			),
			company.name,
			{"company": company.name},
		)
	if asked.target == scheme_of(company.item_wise_inventory):
		return Issue(
			"scheme_unchanged",
			_("Company {company} already books stock {scheme}: there is no scheme to change."),
			company.name,
			{"company": company.name, "scheme": asked.target},
		)
	if not company.perpetual_inventory:
		return Issue(
			"scheme_needs_perpetual",
			_(
				"Company {company} is not on perpetual inventory: switch it to perpetual inventory first, then change its inventory account scheme."
			),
			company.name,
			{"company": company.name},
		)
	return None


def plan_scheme(data, asked, inventory_default: str | None, stock_accounts) -> tuple[SchemePlan | None, JournalPlan | None, DefaultChange | None, list[Issue]]:
	"""The move `asked` (engine.operation.SchemeInputs), the flag to set and the blockers.
	`stock_accounts` are the current scheme's accounts against their GL (engine.plan), which must be
	in sync unless the same switch re-syncs them."""
	issue = scheme_issue(data, asked)
	if issue:
		return None, None, None, [issue]
	company, precision = data.company, data.company.precision
	blockers: list[Issue] = []
	to_item_wise = asked.target == ITEM_WISE

	out_of_sync = [line for line in stock_accounts if line.difference]
	if out_of_sync and not asked.resync:
		blockers.append(
			Issue(
				"scheme_out_of_sync",
				_(
					"Stock accounts {accounts} of company {company} do not match their stock value under the current scheme (a difference of {amount} {currency}): re-sync them first, or change the scheme with the re-sync in the same switch."
				),
				out_of_sync[0].account,
				{
					"accounts": sample_names([line.account for line in out_of_sync]),
					"company": company.name,
					"amount": money_str(sum((line.difference for line in out_of_sync), ZERO), precision),
					"currency": company.currency,
				},
			)
		)

	warehouse_accounts = resolve_all(data.warehouses, inventory_default)
	items = {item.item_code: item for item in data.item_stock}
	item_accounts = {code: resolve_item(item) for code, item in items.items()}

	# One pass over the cells: the value per pair of accounts (the same account twice for what stays),
	# and which items and warehouses each move covers.
	item_of = {code: account for code, (account, _source, _name) in item_accounts.items()}
	warehouse_of = {name: account for name, (account, _source, _name) in warehouse_accounts.items()}
	values: dict[tuple, Decimal] = {}
	covered: dict[tuple, tuple[set, set]] = {}
	missing: dict[str, None] = {}
	used_by: dict[str, dict[str, None]] = {}
	cells = 0
	old_of, new_of = (warehouse_of, item_of) if to_item_wise else (item_of, warehouse_of)
	for item_code, warehouse, value, qty in asked.stock_cells:
		if not value and not qty:
			continue
		cells += 1
		old_name, new_name = (warehouse, item_code) if to_item_wise else (item_code, warehouse)
		old, new = old_of.get(old_name), new_of.get(new_name)
		if new is None:
			missing[new_name] = None
		else:
			owners = used_by.get(new)
			if owners is None:
				owners = used_by[new] = {}
			owners[new_name] = None
		key = (old, new)
		total = values.get(key)
		values[key] = value if total is None else total + value
		if old != new and old is not None and new is not None:
			sets = covered.get(key)
			if sets is None:
				sets = covered[key] = (set(), set())
			sets[0].add(item_code)
			sets[1].add(warehouse)
	before: dict[str, Decimal] = {}
	after: dict[str, Decimal] = {}
	for (old, new), value in values.items():
		if old is not None:
			before[old] = before.get(old, ZERO) + value
		if new is not None:
			after[new] = after.get(new, ZERO) + value
	missing_items = missing if to_item_wise else {}
	missing_warehouses = {} if to_item_wise else missing

	if missing_items:
		names = list(missing_items)
		blockers.append(
			Issue(
				"scheme_item_without_account",
				_(
					"{count} items with stock have no inventory account for company {company} on the item, its item group or its brand (for example {documents}): under item-wise accounts ERPNext would refuse their next document. Set a default inventory account for this company on each first."
				),
				names[0],
				{
					"count": len(names),
					"company": company.name,
					"documents": ", ".join(f"Item {n}" for n in names[:SAMPLE]),
				},
			)
		)
	stock_candidates = data.account_candidates.get("Stock", ())
	for warehouse in missing_warehouses:
		blockers.append(unresolved_issue(warehouse, stock_candidates[0] if stock_candidates else None))
	kind = "items" if to_item_wise else "warehouses"
	for account in sorted(used_by):
		blockers.extend(stock_account_issues(account, list(used_by[account]), company.name, data.accounts, kind))

	# The journal: a debit and a credit per pair, then the cents rounding leaves on each account.
	before = {a: round_money(v, precision) for a, v in before.items()}
	after = {a: round_money(v, precision) for a, v in after.items()}
	moves, lines = [], []
	reached = dict(before)
	for (old, new), (moved_items, moved_warehouses) in sorted(covered.items()):
		amount = round_money(values[(old, new)], precision)
		if not amount:
			continue
		moves.append(SchemeMove(old, new, amount, len(moved_items), len(moved_warehouses)))
		remark = f"{old} -> {new}"
		for account, signed in ((new, amount), (old, -amount)):
			lines.append(line_for(account, signed, remark=remark))
			reached[account] = reached.get(account, ZERO) + signed
	rounding = ZERO
	for account in sorted(set(reached) | set(after)):
		left = after.get(account, ZERO) - reached.get(account, ZERO)
		if left:
			lines.append(line_for(account, left, remark="rounding"))
			rounding += left
	if rounding:
		lines.append(line_for(data.expense_account or "", -rounding, data.cost_center))
	journal = JournalPlan(SCHEME_MOVE, tuple(lines)) if lines else None

	accounts = tuple(
		AccountChange(a, before.get(a, ZERO), after.get(a, ZERO)) for a in sorted(set(before) | set(after))
	)
	item_lines = tuple(
		ItemAccountLine(code, *item_accounts[code], round_money(item.stock_value, precision))
		for code, item in sorted(items.items())
		if item.stock_value or item.stock_qty
	)
	warehouse_lines = tuple(
		SchemeWarehouse(name, *warehouse_accounts.get(name, (None, None, None)), round_money(value, precision))
		for name, value in sorted(data.stock_values.items())
		if value
	)
	change = DefaultChange(ITEM_WISE_FIELD, int(company.item_wise_inventory), int(to_item_wise))
	result = SchemePlan(
		scheme_of(company.item_wise_inventory), asked.target, tuple(moves), accounts, item_lines, warehouse_lines, cells
	)
	return result, journal, change, blockers
