"""The company defaults a switch proposes: empty ones get a candidate of the right type, the
accountant's overrides win (checked like ERPNext's Company form checks them), perpetual inventory goes
on; and the round-off account ERPNext needs."""

from __future__ import annotations

from .accounts import cost_center_issues
from .models import (
	COST_CENTER_DEFAULTS,
	DEFAULT_ACCOUNT_ROOTS,
	DEFAULT_ACCOUNT_TYPES,
	ITEM_WISE_FIELD,
	PERPETUAL_FIELD,
	DefaultChange,
	Issue,
	SwitchInputs,
	_,
)


def propose_defaults(data: SwitchInputs) -> tuple[list[DefaultChange], list[Issue]]:
	"""Company defaults the switch sets: empty ones get a candidate, overrides win, perpetual goes on."""
	company = data.company
	changes, issues = [], []
	for fieldname in company.default_fields:
		current = company.default(fieldname)
		if fieldname == PERPETUAL_FIELD:
			if not company.perpetual_inventory:
				changes.append(DefaultChange(fieldname, 0, 1))
			continue
		if fieldname in data.default_overrides and data.default_overrides[fieldname]:
			proposed = data.default_overrides[fieldname]
			issues.extend(_override_issues(data, fieldname, proposed))
		elif current:
			continue
		elif fieldname in COST_CENTER_DEFAULTS:
			proposed = data.cost_center
		else:
			candidates = [
				c
				for c in data.account_candidates.get(DEFAULT_ACCOUNT_TYPES[fieldname], ())
				if not _account_role_issue(data, fieldname, c)
			]
			# A default inventory account is only proposed when it is unambiguous.
			if fieldname == "default_inventory_account" and len(candidates) != 1:
				continue
			proposed = candidates[0] if candidates else None
		if proposed and proposed != current:
			changes.append(DefaultChange(fieldname, current, proposed))
	return changes, issues


def _override_issues(data: SwitchInputs, fieldname: str, value) -> list[Issue]:
	company = data.company.name
	if fieldname in COST_CENTER_DEFAULTS:
		return cost_center_issues(value, company, data.cost_centers)
	account = data.accounts.get(value)
	if account is None or account.company != company or account.is_group or account.disabled:
		return [
			Issue(
				"default_account_invalid",
				_("{account} cannot be the company's {field}: it must be an enabled ledger account of {company}."),
				value,
				{"account": value, "field": fieldname, "company": company},
			)
		]
	issue = _account_role_issue(data, fieldname, value)
	return [issue] if issue else []


def _account_role_issue(data: SwitchInputs, fieldname: str, value: str) -> Issue | None:
	"""The account type and root type ERPNext's Company form asks of this default."""
	account = data.accounts.get(value)
	if account is None:
		return None
	account_type = DEFAULT_ACCOUNT_TYPES.get(fieldname)
	root_type = DEFAULT_ACCOUNT_ROOTS.get(fieldname)
	type_ok = fieldname == "round_off_account" or (account.account_type or "").lower() == (account_type or "").lower()
	root_ok = not root_type or account.root_type == root_type
	if type_ok and root_ok:
		return None
	return Issue(
		"default_account_wrong_type",
		_(
			"{account} cannot be the company's {field}: it must be an account of type {account_type} under {root_type}, and it is of type {actual_type} under {actual_root}."
		),
		value,
		{
			"account": value,
			"field": fieldname,
			"account_type": account_type if fieldname != "round_off_account" else "-",
			"root_type": root_type or "-",
			"actual_type": account.account_type or "-",
			"actual_root": account.root_type or "-",
		},
	)


def round_off_warnings(data: SwitchInputs) -> list[Issue]:
	if data.company.default("round_off_account"):
		return []
	return [
		Issue(
			"round_off_account_missing",
			_("Company {company} has no round-off account; ERPNext needs one to post rounding differences."),
			data.company.name,
			{"company": data.company.name},
		)
	]


FLAG_NOTES = {
	(PERPETUAL_FIELD, 1): _("Perpetual inventory will be turned on."),
	(ITEM_WISE_FIELD, 1): _(
		"Enable Item-wise Inventory Account will be turned on: stock is booked to each item's inventory account."
	),
	(ITEM_WISE_FIELD, 0): _(
		"Enable Item-wise Inventory Account will be turned off: stock is booked to each warehouse's account."
	),
}


def change_kind(fieldname: str) -> str:
	"""How the desk offers a default to edit: a `flag` it only states, or a `cost_center` or an
	`account` to pick."""
	if fieldname in (PERPETUAL_FIELD, ITEM_WISE_FIELD):
		return "flag"
	return "cost_center" if fieldname in COST_CENTER_DEFAULTS else "account"


def change_note(change: DefaultChange) -> str | None:
	"""What a flag's change means, in a sentence (None for an account or a cost center)."""
	return FLAG_NOTES.get((change.field, int(bool(change.proposed)))) if change_kind(change.field) == "flag" else None
