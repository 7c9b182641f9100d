"""Whether a switch can be rolled back, decided from facts read beforehand: every reason it cannot,
at once, as `apply_blockers` does for applying. A rollback puts back only what the switch did; it
cannot put back what others posted under perpetual inventory after it, so those stop it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .accounts import sample_names
from .models import Issue, _


@dataclass(frozen=True)
class EditedValue:
	"""A value the switch set that someone changed since."""

	field: str
	document: str
	set_to: object
	now: object


@dataclass(frozen=True)
class RollbackFacts:
	switch: str
	cutover_date: date
	reposting: bool = False  # a backdated switch still reposting the documents after its cutover
	closed_after: tuple[str, ...] = ()  # closings of dates after the cutover, over documents it reposted
	posted_after: tuple[str, ...] = ()  # the first documents posted under perpetual inventory after it
	posted_after_count: int = 0  # all of them
	later_switches: tuple[str, ...] = ()
	later_operations: tuple[str, ...] = ()  # other operations on the company applied after it, labelled
	edited: tuple[EditedValue, ...] = ()
	overwrite_later_edits: bool = False


def rollback_blockers(facts: RollbackFacts, translate=str) -> tuple[Issue, ...]:
	"""Every reason the switch cannot be rolled back now; none when it can. `translate` renders the
	list of later edits in the reader's language."""
	switch, cutover = facts.switch, str(facts.cutover_date)
	if facts.reposting:
		# The rest is not settled while the repost runs.
		return (
			Issue(
				"rollback_while_reposting",
				_("Switch {switch} is still reposting documents after its cutover; wait until it ends."),
				switch,
				{"switch": switch},
			),
		)
	issues = []
	if facts.closed_after:
		issues.append(
			Issue(
				"rollback_closed_after_cutover",
				_(
					"Switch {switch} cannot be rolled back: {periods} closes dates after its cutover {cutover}, whose documents it reposted. Reopen it first."
				),
				switch,
				{"switch": switch, "periods": sample_names(list(facts.closed_after)), "cutover": cutover},
			)
		)
	if facts.posted_after_count:
		issues.append(
			Issue(
				"rollback_documents_after_switch",
				_(
					"Switch {switch} cannot be rolled back: documents were posted under perpetual inventory after the cutover {cutover}: {documents}. Cancel them first."
				),
				switch,
				{
					"switch": switch,
					"cutover": cutover,
					"documents": sample_names(list(facts.posted_after), facts.posted_after_count),
				},
			)
		)
	if facts.later_switches:
		issues.append(
			Issue(
				"rollback_later_switch",
				_("Switch {later} is applied after {switch}; roll it back first."),
				facts.later_switches[0],
				{"later": facts.later_switches[0], "switch": switch},
			)
		)
	if facts.later_operations:
		issues.append(later_operation_issue(switch, facts.later_operations[0]))
	if facts.edited and not facts.overwrite_later_edits:
		issues.append(
			Issue(
				"rollback_overwrites_later_edits",
				_(
					"Switch {switch} cannot be rolled back without overwriting later edits: {edits}. Confirm to restore the values from before the switch anyway."
				),
				switch,
				{"switch": switch, "edits": edited_text(facts.edited, translate)},
			)
		)
	return tuple(issues)


def edited_text(edited: tuple[EditedValue, ...], translate=str) -> str:
	"""The later edits of a blocker, each in the reader's language."""
	return "; ".join(
		translate(_("{field} of {document} was set to {set_to} by the switch and is {now} now")).format(
			field=e.field,
			document=e.document,
			set_to=e.set_to if e.set_to is not None else "-",
			now=e.now if e.now is not None else "-",
		)
		for e in edited
	)


def later_operation_issue(operation: str, later: str) -> Issue:
	"""An operation on a company is undone newest first, whatever its kind: `operation` (a switch, a
	scheme change, an SRBNB clearing) cannot be rolled back while `later`, applied after it, stands."""
	return Issue(
		"rollback_later_operation",
		_("{later} was applied after {operation}; roll it back first."),
		later,
		{"later": later, "operation": operation},
	)
