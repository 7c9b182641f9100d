"""Whether a Portuguese company must keep perpetual inventory for a fiscal year (SNC, the law for 2026).

The law: Decreto-Lei 158/2009 (SNC) as amended by DL 98/2015 and DL 126-B/2025 (5 December 2025).

- Art. 9.º, n.º 1: a micro-entity does not exceed, at the balance-sheet date, two of three limits:
  balance-sheet total, net turnover, average number of employees during the period. They are
  350 000 € / 700 000 € / 10 for periods beginning on or after 1 January 2016 (DL 98/2015) and
  450 000 € / 900 000 € / 10 for the financial statements of periods beginning on or after
  1 January 2026 (DL 126-B/2025). A figure exactly at its limit does not exceed it.
- Art. 9.º-A: the limits are read on the immediately preceding period; when two consecutive
  immediately preceding periods exceed two of the limits, the company leaves its category from the
  third period on, inclusive; it comes back into it the same way (two consecutive preceding periods
  within the limits: the wording of this return rule was not seen, only commentary on it).
- Art. 12.º: companies under the SNC keep perpetual inventory; micro-entities are exempt, and so
  are the activities in EXEMPTIONS (questions the user answers yes or no).

Choices where the text is silent or could not be confirmed:

- First period (no preceding period): it is classified on its own figures, which the user
  estimates (the common reading; the text of the rule for a company's first period was not found).
  Without them: not enough data.
- Second period (a single preceding period): the change rule needs two consecutive preceding
  periods and cannot be met, so the status of the first period holds.
- A status is a state: when the two preceding periods fall on different sides of the limits, the
  company keeps the status it had in the previous period, found the same way further back, down to
  the first period. Without a known first period, a history that runs out of figures before it
  settles the status gives "not enough data".
- Every earlier period is compared with the limits in force for the period classified: 2026 reads
  2024 and 2025 against 450 000 € / 900 000 € / 10, including the first period's status that a
  second period inherits.
- An unknown figure (or a whole year without figures) matters only when it could change the
  answer: the engine tries both sides for a year it cannot place and answers only when every
  possibility gives the same status.
- An exemption question left unanswered counts as "no".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Mapping, NamedTuple

from .models import _

BALANCE_SHEET_TOTAL = "balance_sheet_total"
NET_TURNOVER = "net_turnover"
AVERAGE_EMPLOYEES = "average_employees"
CRITERIA = (BALANCE_SHEET_TOTAL, NET_TURNOVER, AVERAGE_EMPLOYEES)


@dataclass(frozen=True)
class MicroLimits:
	"""The micro-entity limits (DL 158/2009, art. 9.º, n.º 1) for periods beginning on or after
	`valid_from`, until the next entry of LIMITS."""

	valid_from: date
	balance_sheet_total: Decimal
	net_turnover: Decimal
	average_employees: Decimal
	source: str

	def as_dict(self) -> dict:
		return {name: getattr(self, name) for name in CRITERIA}


LIMITS = (
	MicroLimits(date(2016, 1, 1), Decimal("350000"), Decimal("700000"), Decimal("10"), "DL 98/2015"),
	MicroLimits(date(2026, 1, 1), Decimal("450000"), Decimal("900000"), Decimal("10"), "DL 126-B/2025"),
)
"""By the start date of the period classified. Before 2016 the exemption from perpetual inventory
followed other limits (Código das Sociedades Comerciais, art. 262.º), which this module does not model."""


def limits_for(period_start: date) -> MicroLimits:
	"""The limits in force for a period that begins on `period_start`."""
	chosen = None
	for limits in LIMITS:
		if limits.valid_from <= period_start:
			chosen = limits
	if chosen is None:
		raise ValueError(f"No micro-entity limits are modelled for periods beginning on {period_start}")
	return chosen


def _decimal(value) -> Decimal | None:
	if value is None or value == "":
		return None
	if isinstance(value, Decimal):
		return value
	if isinstance(value, float):
		return Decimal(repr(value))
	return Decimal(str(value))


@dataclass(frozen=True)
class YearFigures:
	"""A fiscal year's figures at its balance-sheet date; None where unknown. For the period being
	classified (a company's first period) they are the user's estimates."""

	year: int
	balance_sheet_total: Decimal | None = None
	net_turnover: Decimal | None = None
	average_employees: Decimal | None = None

	def __post_init__(self):
		for name in CRITERIA:
			object.__setattr__(self, name, _decimal(getattr(self, name)))


@dataclass(frozen=True)
class YearTest:
	"""One year's figures against the limits in force for the year classified."""

	year: int
	figures: YearFigures | None
	exceeded: tuple[str, ...]
	"""The CRITERIA whose figure is above its limit (at the limit is not above)."""
	unknown: tuple[str, ...]
	over: bool | None
	"""True: two of the three limits exceeded; False: at most one; None: the unknown figures decide."""


def check_year(year: int, figures: YearFigures | None, limits: MicroLimits) -> YearTest:
	exceeded, unknown = [], []
	for name in CRITERIA:
		value = getattr(figures, name) if figures is not None else None
		if value is None:
			unknown.append(name)
		elif value > getattr(limits, name):
			exceeded.append(name)
	if len(exceeded) >= 2:
		over = True
	elif len(exceeded) + len(unknown) < 2:
		over = False
	else:
		over = None
	return YearTest(year, figures, tuple(exceeded), tuple(unknown), over)



# Exemptions of art. 12.º other than the micro-entity one. The article's paragraph and letter
# numbering could not be confirmed (only secondary sources were at hand), so each cites the article
# with the words of the law.

SCOPE_COMPANY = "company"
SCOPE_RETAIL_POINTS = "retail_points"

AGRICULTURE = "agriculture"
FORESTRY = "forestry"
FISHING = "fishing"
SERVICES = "services"
SMALL_RETAIL = "small_retail"


@dataclass(frozen=True)
class Exemption:
	code: str
	question: str
	"""Translatable, with {year} and {previous_year} (see question_params)."""
	article: str
	scope: str = SCOPE_COMPANY
	"""SCOPE_COMPANY: the whole company is exempt. SCOPE_RETAIL_POINTS: only its retail points of sale."""

	def question_params(self, year: int) -> dict:
		return {"year": year, "previous_year": year - 1}


EXEMPTIONS = (
	Exemption(
		AGRICULTURE,
		_("In {year}, is the company's activity agriculture, animal production, beekeeping or hunting?"),
		"DL 158/2009, art. 12.º (agricultura, produção animal, apicultura e caça)",
	),
	Exemption(
		FORESTRY,
		_("In {year}, is the company's activity forestry or logging?"),
		"DL 158/2009, art. 12.º (silvicultura e exploração florestal)",
	),
	Exemption(
		FISHING,
		_("In {year}, is the company's activity fishing or aquaculture?"),
		"DL 158/2009, art. 12.º (indústria piscatória e aquicultura)",
	),
	Exemption(
		SERVICES,
		_(
			"Is the company mainly a service provider: in {year} or in {previous_year}, was its cost of goods sold and materials consumed no more than 300,000 € and no more than 20 % of its operating costs? (The exemption lasts until the end of the year after the one in which these limits were exceeded.)"
		),
		"DL 158/2009, art. 12.º (prestação de serviços: custo das mercadorias vendidas e das matérias consumidas até 300 000 € e 20 % dos custos operacionais)",
	),
	Exemption(
		SMALL_RETAIL,
		_(
			"Do the company's retail points of sale together sell, in {year} or in {previous_year}, no more than 300,000 € and no more than 10 % of the company's total sales? (Only those points of sale are exempt; the exemption lasts until the end of the year after the one in which these limits were exceeded.)"
		),
		"DL 158/2009, art. 12.º (pontos de venda a retalho: vendas até 300 000 € e 10 % das vendas globais)",
		SCOPE_RETAIL_POINTS,
	),
)
EXEMPTION_CODES = tuple(e.code for e in EXEMPTIONS)


# Reasons: each names the years and the article; the params fill them.

MICRO_TWO_YEARS = "micro_two_years_within"
MANDATORY_TWO_YEARS = "mandatory_two_years_over"
MICRO_KEPT = "micro_kept"
MANDATORY_KEPT = "mandatory_kept"
MICRO_FIRST_PERIOD = "micro_first_period"
MANDATORY_FIRST_PERIOD = "mandatory_first_period"
MICRO_SECOND_PERIOD = "micro_second_period"
MANDATORY_SECOND_PERIOD = "mandatory_second_period"
MICRO_KEPT_SINCE_FIRST = "micro_kept_since_first_period"
MANDATORY_KEPT_SINCE_FIRST = "mandatory_kept_since_first_period"
MICRO_EITHER_WAY = "micro_whatever_missing"
MANDATORY_EITHER_WAY = "mandatory_whatever_missing"
NOT_ENOUGH_DATA = "not_enough_data"
NOT_ENOUGH_HISTORY = "not_enough_history"
FIRST_PERIOD_NO_FIGURES = "first_period_no_figures"
EXEMPT_ACTIVITY = "exempt_activity"

REASONS = {
	MICRO_TWO_YEARS: _(
		"In {older} and {newer}, the two periods before {year}, the company exceeded at most one of the micro-entity limits in force for {year} ({balance_sheet_total} € balance-sheet total, {net_turnover} € net turnover, {average_employees} employees): it is a micro-entity in {year} (DL 158/2009, art. 9.º and 9.º-A) and need not keep perpetual inventory (art. 12.º)."
	),
	MANDATORY_TWO_YEARS: _(
		"In {older} and {newer}, the two periods before {year}, the company exceeded two of the three micro-entity limits in force for {year} ({balance_sheet_total} € balance-sheet total, {net_turnover} € net turnover, {average_employees} employees): it is not a micro-entity in {year} (DL 158/2009, art. 9.º and 9.º-A) and must keep perpetual inventory (art. 12.º)."
	),
	MICRO_KEPT: _(
		"In {older} and {newer} the company stayed within the micro-entity limits in force for {year}, and it has not exceeded two of them in two consecutive periods since: it is still a micro-entity in {year} (DL 158/2009, art. 9.º-A) and need not keep perpetual inventory (art. 12.º)."
	),
	MANDATORY_KEPT: _(
		"In {older} and {newer} the company exceeded two of the micro-entity limits in force for {year}, and it has not come back within them in two consecutive periods since: it is still not a micro-entity in {year} (DL 158/2009, art. 9.º-A) and must keep perpetual inventory (art. 12.º)."
	),
	MICRO_FIRST_PERIOD: _(
		"{year} is the company's first period: on its figures for {year} it exceeds at most one of the micro-entity limits ({balance_sheet_total} € balance-sheet total, {net_turnover} € net turnover, {average_employees} employees), so it is a micro-entity (DL 158/2009, art. 9.º) and need not keep perpetual inventory (art. 12.º)."
	),
	MANDATORY_FIRST_PERIOD: _(
		"{year} is the company's first period: on its figures for {year} it exceeds two of the three micro-entity limits ({balance_sheet_total} € balance-sheet total, {net_turnover} € net turnover, {average_employees} employees), so it is not a micro-entity (DL 158/2009, art. 9.º) and must keep perpetual inventory (art. 12.º)."
	),
	MICRO_SECOND_PERIOD: _(
		"{year} is the company's second period: with a single preceding period the change rule of DL 158/2009, art. 9.º-A (two consecutive periods) cannot be met, so the status of its first period {first_year} holds: on the figures of {first_year} it is a micro-entity and need not keep perpetual inventory (art. 12.º)."
	),
	MANDATORY_SECOND_PERIOD: _(
		"{year} is the company's second period: with a single preceding period the change rule of DL 158/2009, art. 9.º-A (two consecutive periods) cannot be met, so the status of its first period {first_year} holds: on the figures of {first_year} it is not a micro-entity and must keep perpetual inventory (art. 12.º)."
	),
	MICRO_KEPT_SINCE_FIRST: _(
		"On the figures of its first period {first_year} the company was a micro-entity, and it has not exceeded two of the limits in force for {year} in two consecutive periods since: it is still a micro-entity in {year} (DL 158/2009, art. 9.º-A) and need not keep perpetual inventory (art. 12.º)."
	),
	MANDATORY_KEPT_SINCE_FIRST: _(
		"On the figures of its first period {first_year} the company was not a micro-entity, and it has not come back within the limits in force for {year} in two consecutive periods since: it is still not a micro-entity in {year} (DL 158/2009, art. 9.º-A) and must keep perpetual inventory (art. 12.º)."
	),
	MICRO_EITHER_WAY: _(
		"Whatever the missing figures of {years}, the company is a micro-entity in {year} under the limits in force for {year} (DL 158/2009, art. 9.º and 9.º-A) and need not keep perpetual inventory (art. 12.º)."
	),
	MANDATORY_EITHER_WAY: _(
		"Whatever the missing figures of {years}, the company is not a micro-entity in {year} under the limits in force for {year} (DL 158/2009, art. 9.º and 9.º-A) and must keep perpetual inventory (art. 12.º)."
	),
	NOT_ENOUGH_DATA: _(
		"Not enough figures to tell whether the company is a micro-entity in {year} (DL 158/2009, art. 9.º and 9.º-A): enter the balance-sheet total, net turnover and average number of employees of {years}."
	),
	NOT_ENOUGH_HISTORY: _(
		"Not enough figures to tell whether the company is a micro-entity in {year} (DL 158/2009, art. 9.º-A): enter the balance-sheet total, net turnover and average number of employees of {years}, or the company's first fiscal year if it began in {earliest} or later."
	),
	FIRST_PERIOD_NO_FIGURES: _(
		"{year} is the company's first period and has no preceding period: enter the balance-sheet total, net turnover and average number of employees estimated for {year} to tell whether it is a micro-entity (DL 158/2009, art. 9.º and 9.º-A)."
	),
	EXEMPT_ACTIVITY: _(
		"Whatever its size, the company need not keep perpetual inventory in {year}: its activity is exempt under {article}."
	),
}

RETAIL_POINTS_NOTE = _(
	"In {year} the company's retail points of sale are exempt from perpetual inventory ({retail_article}); the rest of the company is not."
)


@dataclass(frozen=True)
class Verdict:
	year: int
	mandatory: bool | None
	"""True: perpetual inventory is mandatory; False: it is not; None: not enough data to tell."""
	micro_entity: bool | None
	reason_code: str
	reason: str
	"""Translatable template of REASONS; `params` fills it."""
	params: dict
	limits: dict
	"""The limits in force for `year`, by criterion."""
	years: tuple[YearTest, ...]
	"""Every year the decision looked at, oldest first, with the limits each exceeded."""
	exemption: str | None = None
	"""The code of the art. 12.º exemption answered yes (the first of EXEMPTIONS that applies)."""
	note: str | None = None
	"""A second translatable template (same params): RETAIL_POINTS_NOTE when only the retail points of
	sale are exempt."""

	@property
	def message(self) -> str:
		return self.reason.format(**self.params)

	@property
	def note_message(self) -> str | None:
		return self.note.format(**self.params) if self.note else None


class _Outcome(NamedTuple):
	"""One way the history can read: the status it gives, what decided it and the unknown years it
	had to assume a side for."""

	micro: bool | None
	basis: tuple
	"""("pair", older, newer): two consecutive years on the same side; ("first", year): the first
	period's own figures; ("history", year): the figures run out at `year` (status unknown)."""
	assumed: frozenset


class _History:
	"""Reads the status backwards from the year classified. A year whose side the figures leave open
	is tried both ways; a call depends only on the sides already assumed for its own year and the one
	before, so calls are remembered by those and the reading stays linear in the years looked at."""

	def __init__(self, year: int, first_year: int | None, figures: Mapping[int, YearFigures], limits):
		self.first_year = first_year
		self.figures = figures
		self.limits = limits
		self.lowest = min((y for y in figures if y < year), default=year)
		self.tests: dict[int, YearTest] = {}
		self.memo: dict[tuple, frozenset] = {}

	def test(self, year: int) -> YearTest:
		if year not in self.tests:
			self.tests[year] = check_year(year, self.figures.get(year), self.limits)
		return self.tests[year]

	def sides(self, year: int, fixed: dict) -> list[tuple[bool, dict]]:
		"""Whether `year` exceeds two limits, with the assumptions made: both sides when unknown."""
		if year in fixed:
			return [(fixed[year], fixed)]
		over = self.test(year).over
		if over is not None:
			return [(over, fixed)]
		return [(side, {**fixed, year: side}) for side in (True, False)]

	def status(self, year: int, fixed: dict) -> frozenset:
		"""Every reading of whether the company is a micro-entity in `year`; each outcome's `assumed`
		holds the years assumed here and below, not those in `fixed`."""
		fixed = {y: fixed[y] for y in (year, year - 1) if y in fixed}
		key = (year, fixed.get(year), fixed.get(year - 1))
		if key not in self.memo:
			self.memo[key] = frozenset(self._status(year, fixed))
		return self.memo[key]

	def _status(self, year: int, fixed: dict):
		first = self.first_year
		if first is not None and year == first:
			for over, after in self.sides(year, fixed):
				yield _Outcome(not over, ("first", year), frozenset(after.keys() - fixed.keys()))
			return
		if first is not None and year == first + 1:
			yield from self.status(first, fixed)
			return
		if year - 1 < self.lowest:
			if first is None:
				yield _Outcome(None, ("history", year - 1), frozenset())
			else:
				# No figures from the first period to the year before (two years or more): whatever
				# is assumed for the year before, some filling of the earlier ones gives either status.
				unknown = frozenset(range(first, year)).difference(fixed)
				yield _Outcome(True, ("first", first), unknown)
				yield _Outcome(False, ("first", first), unknown)
			return
		for newer, after_newer in self.sides(year - 1, fixed):
			for older, after_both in self.sides(year - 2, after_newer):
				assumed = frozenset(after_both.keys() - fixed.keys())
				if newer == older:
					yield _Outcome(not newer, ("pair", year - 2, year - 1), assumed)
				else:
					for outcome in self.status(year - 1, after_both):
						yield outcome._replace(assumed=outcome.assumed | assumed)


def _plain(value: Decimal) -> str:
	return format(value.normalize(), "f")


def _years_text(years) -> str:
	"""2015–2018, 2021: runs of consecutive years joined."""
	runs: list[list[int]] = []
	for y in sorted(years):
		if runs and y == runs[-1][-1] + 1:
			runs[-1].append(y)
		else:
			runs.append([y])
	return ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}–{run[-1]}" for run in runs)


def _size_reason(year: int, outcomes: frozenset) -> tuple[bool | None, str, dict]:
	statuses = {o.micro for o in outcomes}
	assumed = set().union(*(o.assumed for o in outcomes))
	if None in statuses or len(statuses) != 1:
		history = {o.basis[1] for o in outcomes if o.basis[0] == "history"}
		if history:
			earliest = max(history) + 1
			return None, NOT_ENOUGH_HISTORY, {"years": _years_text(assumed | history), "earliest": earliest}
		if assumed == {year}:
			return None, FIRST_PERIOD_NO_FIGURES, {}
		return None, NOT_ENOUGH_DATA, {"years": _years_text(assumed)}
	micro = statuses.pop()
	bases = {o.basis for o in outcomes}
	if len(bases) > 1 or assumed:
		return micro, (MICRO_EITHER_WAY if micro else MANDATORY_EITHER_WAY), {"years": _years_text(assumed)}
	kind, *basis_years = bases.pop()
	if kind == "first":
		first_year = basis_years[0]
		if year == first_year:
			code = MICRO_FIRST_PERIOD if micro else MANDATORY_FIRST_PERIOD
		elif year == first_year + 1:
			code = MICRO_SECOND_PERIOD if micro else MANDATORY_SECOND_PERIOD
		else:
			code = MICRO_KEPT_SINCE_FIRST if micro else MANDATORY_KEPT_SINCE_FIRST
		return micro, code, {"first_year": first_year}
	older, newer = basis_years
	if newer == year - 1:
		code = MICRO_TWO_YEARS if micro else MANDATORY_TWO_YEARS
	else:
		code = MICRO_KEPT if micro else MANDATORY_KEPT
	return micro, code, {"older": older, "newer": newer}


def classify(
	year: int,
	first_year: int | None,
	figures: Mapping[int, YearFigures],
	exemptions: Mapping[str, bool] = MappingProxyType({}),
	period_start: date | None = None,
) -> Verdict:
	"""Whether the company must keep perpetual inventory in fiscal year `year`.

	`first_year` is the company's first fiscal year, None when unknown (an established company).
	`figures` holds the preceding years' figures by year (and, for a first period, the estimates of
	`year` itself). `exemptions` answers the EXEMPTIONS questions by code. `period_start` is when
	the fiscal year `year` begins (1 January of `year` by default): it picks the limits in force.
	"""
	if first_year is not None and first_year > year:
		raise ValueError(f"The company's first fiscal year {first_year} is after {year}")
	unknown_codes = sorted(set(exemptions) - set(EXEMPTION_CODES))
	if unknown_codes:
		raise ValueError(f"Unknown exemption codes: {', '.join(unknown_codes)}")
	for key, row in figures.items():
		if row is not None and row.year != key:
			raise ValueError(f"Figures of {row.year} are filed under {key}")

	limits = limits_for(period_start or date(year, 1, 1))
	history = _History(year, first_year, figures, limits)
	micro, code, size_params = _size_reason(year, history.status(year, {}))
	params = {
		"year": year,
		"limits_source": limits.source,
		**{name: _plain(value) for name, value in limits.as_dict().items()},
		**size_params,
	}

	chosen = [e for e in EXEMPTIONS if exemptions.get(e.code)]
	whole = [e for e in chosen if e.scope == SCOPE_COMPANY]
	retail = [e for e in chosen if e.scope == SCOPE_RETAIL_POINTS]
	exemption, note = None, None
	if micro:
		mandatory = False
		exemption = whole[0].code if whole else None
	elif whole:
		mandatory, code, exemption = False, EXEMPT_ACTIVITY, whole[0].code
		params["article"] = whole[0].article
	else:
		mandatory = None if micro is None else True
		if retail:
			exemption, note = retail[0].code, RETAIL_POINTS_NOTE
			params["retail_article"] = retail[0].article

	return Verdict(
		year=year,
		mandatory=mandatory,
		micro_entity=micro,
		reason_code=code,
		reason=REASONS[code],
		params=params,
		limits=limits.as_dict(),
		years=tuple(history.tests[y] for y in sorted(history.tests)),
		exemption=exemption,
		note=note,
	)
