"""One function per use case; the doctype, the wizard, the bench commands and the hooks call only these.

The switch's modules, lowest first (none imports one above it): switch (planning), backdated (the
repost after a backdated cutover), lifecycle (apply, rollback and undo of a switch document),
background (the desk's jobs and the wizard's context). tests/test_import_layers.py holds them to it.
"""

from perpetual_switch.engine.models import SwitchOptions
from perpetual_switch.services import lifecycle
from perpetual_switch.services.background import context  # noqa: F401
from perpetual_switch.services.lifecycle import rollback  # noqa: F401
from perpetual_switch.services.switch import (  # noqa: F401
	RollbackRefused,
	SwitchBlocked,
	accruals,
	audit,
	issues_dicts,
	plan_dict,
	reconciliation,
	status,
)


def plan(company: str, cutover_date=None, expense_account=None, cost_center=None, preview=False, progress=None, **choices):
	"""The plan for a company, from a script: `choices` are SwitchOptions' other fields (backdated,
	freeze_stock, freeze_accounts, company_defaults). The desk and the commands build the options."""
	return lifecycle.plan(SwitchOptions(company, cutover_date, expense_account, cost_center, **choices), preview, progress)


# A check is the same computation as a plan; the command and the wizard show its check part.
check = plan


def apply(company: str, cutover_date=None, expense_account=None, cost_center=None, progress=None, **choices):
	"""Apply a switch from a script (see `plan`); returns the switch document."""
	return lifecycle.apply(SwitchOptions(company, cutover_date, expense_account, cost_center, **choices), progress)
