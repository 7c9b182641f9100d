"""One function per use case; the doctype, the wizard, the bench commands and the hooks call only these.

The switch's modules, lowest first (none imports one above it): switch (planning), backdated (the
repost after a backdated cutover), lifecycle (apply, rollback and undo of a switch document),
background (the desk's jobs and the wizard's context). tests/test_import_layers.py holds them to it.
"""

from perpetual_switch.services.background import context  # noqa: F401
from perpetual_switch.services.lifecycle import apply, plan, rollback  # noqa: F401
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

# A check is the same computation as a plan; the command and the wizard show its check part.
check = plan
