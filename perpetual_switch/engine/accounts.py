"""Which stock account each warehouse posts to, and whether those accounts can take the postings.

ERPNext resolves a warehouse's account in this order: the warehouse's own account, the nearest
parent warehouse that has one, the company's default inventory account, and finally *any* leaf
Stock account of the company. That last fallback is arbitrary, so the switch treats reaching it
as a blocker instead of silently posting to whatever account the database returns first.
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .models import Account, CostCenter, Issue, ItemStock, Warehouse, _

SOURCE_WAREHOUSE = "warehouse"
SOURCE_PARENT = "parent"
SOURCE_COMPANY_DEFAULT = "company_default"


def resolve_warehouse(
	warehouse: Warehouse, by_name: Mapping[str, Warehouse], company_default: str | None
) -> tuple[str | None, str | None, str | None]:
	"""Return (account, source, source_warehouse) for one warehouse."""
	if warehouse.account:
		return warehouse.account, SOURCE_WAREHOUSE, warehouse.name
	seen = {warehouse.name}
	parent_name = warehouse.parent
	while parent_name and parent_name not in seen:
		seen.add(parent_name)
		parent = by_name.get(parent_name)
		if parent is None:
			break
		if parent.account:
			return parent.account, SOURCE_PARENT, parent.name
		parent_name = parent.parent
	if company_default:
		return company_default, SOURCE_COMPANY_DEFAULT, None
	return None, None, None


def resolve_all(
	warehouses: Iterable[Warehouse], company_default: str | None
) -> dict[str, tuple[str | None, str | None, str | None]]:
	warehouses = list(warehouses)
	by_name = {w.name: w for w in warehouses}
	return {w.name: resolve_warehouse(w, by_name, company_default) for w in warehouses}


def unresolved_issue(warehouse: str, fallback: str | None) -> Issue:
	if fallback:
		return Issue(
			"warehouse_without_account",
			_(
				"Warehouse {warehouse} has no stock account, neither has any parent warehouse, and the company has no default inventory account: ERPNext would post it to {fallback}, picked arbitrarily. Set an account on the warehouse, on a parent warehouse or as the company's default inventory account."
			),
			warehouse,
			{"warehouse": warehouse, "fallback": fallback},
		)
	return Issue(
		"warehouse_without_account",
		_(
			"Warehouse {warehouse} has no stock account, neither has any parent warehouse, and the company has no default inventory account. Set an account on the warehouse, on a parent warehouse or as the company's default inventory account."
		),
		warehouse,
		{"warehouse": warehouse},
	)


# What makes an account unfit to carry stock, worded for the warehouses or (item-wise) the items
# that post to it.
_STOCK_ACCOUNT_TEMPLATES = {
	"warehouses": {
		"account_not_found": _("Account {account}, used by warehouse(s) {warehouses}, does not exist."),
		"account_other_company": _(
			"Account {account}, used by warehouse(s) {warehouses}, belongs to company {other_company}, not {company}."
		),
		"account_is_group": _(
			"Account {account}, used by warehouse(s) {warehouses}, is a group account; stock can only be posted to a ledger account."
		),
		"account_disabled": _("Account {account}, used by warehouse(s) {warehouses}, is disabled."),
		"account_not_stock": _(
			"Account {account}, used by warehouse(s) {warehouses}, has account type {account_type}, not Stock."
		),
	},
	"items": {
		"account_not_found": _("Account {account}, the inventory account of item(s) {items}, does not exist."),
		"account_other_company": _(
			"Account {account}, the inventory account of item(s) {items}, belongs to company {other_company}, not {company}."
		),
		"account_is_group": _(
			"Account {account}, the inventory account of item(s) {items}, is a group account; stock can only be posted to a ledger account."
		),
		"account_disabled": _("Account {account}, the inventory account of item(s) {items}, is disabled."),
		"account_not_stock": _(
			"Account {account}, the inventory account of item(s) {items}, has account type {account_type}, not Stock."
		),
	},
}
SAMPLE_NAMES = 5


def sample_names(names: list[str], total: int | None = None) -> str:
	"""The first names and how many more there are, of `total` (default: as many as given)."""
	shown = names[:SAMPLE_NAMES]
	more = (len(names) if total is None else total) - len(shown)
	return ", ".join(shown) + (f" (+{more})" if more > 0 else "")



def stock_account_issues(
	account_name: str, used_by: list[str], company: str, accounts: Mapping[str, Account], kind: str = "warehouses"
) -> list[Issue]:
	"""Every reason why `account_name` cannot carry the stock value of `used_by` (warehouses or items)."""
	templates = _STOCK_ACCOUNT_TEMPLATES[kind]
	params = {"account": account_name, kind: sample_names(used_by), "company": company}
	account = accounts.get(account_name)
	if account is None:
		return [Issue("account_not_found", templates["account_not_found"], account_name, params)]
	found = []
	if account.company != company:
		found.append(("account_other_company", {"other_company": account.company}))
	if account.is_group:
		found.append(("account_is_group", {}))
	if account.disabled:
		found.append(("account_disabled", {}))
	if account.account_type != "Stock":
		found.append(("account_not_stock", {"account_type": account.account_type or "-"}))
	return [Issue(code, templates[code], account_name, {**params, **extra}) for code, extra in found]


SOURCE_ITEM = "item"
SOURCE_ITEM_GROUP = "item_group"
SOURCE_BRAND = "brand"


def resolve_item(item: ItemStock) -> tuple[str | None, str | None, str | None]:
	"""ERPNext's item-wise order: the item's default inventory account for the company, then its
	item group's, then its brand's. Returns (account, source, the item, group or brand it came from)."""
	for account, source, name in (
		(item.item_account, SOURCE_ITEM, item.item_code),
		(item.item_group_account, SOURCE_ITEM_GROUP, item.item_group),
		(item.brand_account, SOURCE_BRAND, item.brand),
	):
		if account:
			return account, source, name
	return None, None, None


def expense_account_issues(name: str | None, company: str, accounts: Mapping[str, Account]) -> list[Issue]:
	"""The counter-account of the sync entries must be a Profit and Loss ledger of this company."""
	if not name:
		return [
			Issue(
				"expense_account_missing",
				_(
					"No expense account given and company {company} has no default cost of goods sold account."
				),
				company,
				{"company": company},
			)
		]
	account = accounts.get(name)
	params = {"account": name, "company": company}
	if account is None:
		return [Issue("expense_account_not_found", _("Expense account {account} does not exist."), name, params)]
	issues = []
	if account.company != company:
		issues.append(
			Issue(
				"expense_account_other_company",
				_("Expense account {account} does not belong to company {company}."),
				name,
				params,
			)
		)
	if account.report_type != "Profit and Loss":
		issues.append(
			Issue(
				"expense_account_not_pl",
				_("Expense account {account} is not a Profit and Loss account."),
				name,
				params,
			)
		)
	if account.is_group:
		issues.append(
			Issue("expense_account_is_group", _("Expense account {account} is a group account."), name, params)
		)
	if account.disabled:
		issues.append(
			Issue("expense_account_disabled", _("Expense account {account} is disabled."), name, params)
		)
	return issues


def cost_center_issues(name: str | None, company: str, cost_centers: Mapping[str, CostCenter]) -> list[Issue]:
	if not name:
		return [
			Issue(
				"cost_center_missing",
				_("No cost center given and company {company} has no default cost center."),
				company,
				{"company": company},
			)
		]
	cost_center = cost_centers.get(name)
	params = {"cost_center": name, "company": company}
	if cost_center is None:
		return [Issue("cost_center_not_found", _("Cost center {cost_center} does not exist."), name, params)]
	issues = []
	if cost_center.company != company:
		issues.append(
			Issue(
				"cost_center_other_company",
				_("Cost center {cost_center} does not belong to company {company}."),
				name,
				params,
			)
		)
	if cost_center.is_group:
		issues.append(
			Issue(
				"cost_center_is_group",
				_("Cost center {cost_center} is a group; postings need a ledger cost center."),
				name,
				params,
			)
		)
	if cost_center.disabled:
		issues.append(
			Issue("cost_center_disabled", _("Cost center {cost_center} is disabled."), name, params)
		)
	return issues
