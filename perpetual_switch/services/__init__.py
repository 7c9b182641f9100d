"""One function per use case; the doctype, the wizard, the bench commands and the hooks call only these."""

from perpetual_switch.services.switch import (  # noqa: F401
	RollbackRefused,
	SwitchBlocked,
	accruals,
	apply,
	check,
	context,
	issues_dicts,
	plan,
	plan_dict,
	reconciliation,
	audit,
	rollback,
	status,
)
