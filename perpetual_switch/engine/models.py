"""Plain, immutable data the engine reads and returns. Nothing here knows about Frappe."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Mapping, NamedTuple

from .money import ZERO


def _(message: str) -> str:
	"""Mark a message for translation; the service layer translates it with Frappe's `_`."""
	return message


@dataclass(frozen=True)
class Issue:
	"""A blocker or a warning. `template` is English with {named} fields; `params` fills them."""

	code: str
	template: str
	subject: str | None = None
	params: Mapping[str, object] = field(default_factory=dict)

	@property
	def message(self) -> str:
		return self.template.format(**self.params)


@dataclass(frozen=True)
class Warehouse:
	name: str
	company: str
	parent: str | None = None
	is_group: bool = False
	account: str | None = None
	disabled: bool = False


@dataclass(frozen=True)
class Account:
	name: str
	company: str
	is_group: bool = False
	disabled: bool = False
	account_type: str | None = None
	root_type: str | None = None
	report_type: str | None = None


@dataclass(frozen=True)
class CostCenter:
	name: str
	company: str
	is_group: bool = False
	disabled: bool = False


# Company fields the switch may fill, with the ERPNext account type that supplies a candidate.
DEFAULT_ACCOUNT_TYPES = {
	"stock_received_but_not_billed": "Stock Received But Not Billed",
	"stock_adjustment_account": "Stock Adjustment",
	"expenses_included_in_valuation": "Expenses Included In Valuation",
	"default_inventory_account": "Stock",
	"round_off_account": "Round Off",
}
DEFAULT_ACCOUNT_ROOTS = {
	"stock_received_but_not_billed": "Liability",
	"stock_adjustment_account": "Expense",
	"expenses_included_in_valuation": "Expense",
	"round_off_account": "Expense",
}
"""The root type ERPNext's Company form asks of each default (its account lists filter on it)."""
COST_CENTER_DEFAULTS = ("cost_center", "round_off_cost_center")
PERPETUAL_FIELD = "enable_perpetual_inventory"
ITEM_WISE_FIELD = "enable_item_wise_inventory_account"
"""The Company setting (ERPNext 16 on) that books stock per item's inventory account."""
COMPANY_DEFAULT_FIELDS = (
	"stock_received_but_not_billed",
	"stock_adjustment_account",
	"expenses_included_in_valuation",
	"cost_center",
	"default_inventory_account",
	"round_off_account",
	"round_off_cost_center",
	PERPETUAL_FIELD,
)
"""Every field the switch knows; a site's Company may lack some (version 16 has no
expenses_included_in_valuation), and `Company.default_fields` says which it has."""


@dataclass(frozen=True)
class Company:
	name: str
	currency: str = "EUR"
	precision: int = 2
	perpetual_inventory: bool = False
	default_expense_account: str | None = None
	defaults: Mapping[str, object] = field(default_factory=dict)
	"""Current values of `default_fields` (None when empty)."""
	default_fields: tuple[str, ...] = COMPANY_DEFAULT_FIELDS
	"""The fields of COMPANY_DEFAULT_FIELDS that this site's Company has: only these are read,
	proposed, set and restored."""
	item_wise_inventory: bool = False
	"""Stock is booked to each item's inventory account (item, item group, brand) instead of the
	warehouse's (a company setting that exists from ERPNext 16 on)."""

	def default(self, fieldname: str):
		return self.defaults.get(fieldname) or None


class ReceiptRow(NamedTuple):
	"""One purchase receipt row of a stock item, with what was returned and billed up to the cutover.

	Quantities are in the stock UOM; `base_net_amount` is the row's value in company currency
	after document discounts, which is what perpetual inventory credits to SRBNB for it (with the
	re-valuation at the invoice rate when Buying Settings asks for one). A named tuple
	rather than a frozen dataclass, as the receipt lines below: a large company has tens of
	thousands of them, and a tuple is made four times faster.
	"""

	purchase_receipt: str
	item_row: str
	item_code: str
	status: str
	stock_qty: Decimal
	base_net_amount: Decimal
	returned_qty: Decimal = ZERO
	billed_qty: Decimal = ZERO


@dataclass(frozen=True)
class ItemStock:
	"""An item's stock value on or before the cutover and its inventory account at each level
	ERPNext looks at in item-wise mode (the item's defaults, its item group's, its brand's)."""

	item_code: str
	stock_value: Decimal
	stock_qty: Decimal = ZERO
	item_account: str | None = None
	item_group: str | None = None
	item_group_account: str | None = None
	brand: str | None = None
	brand_account: str | None = None


@dataclass(frozen=True)
class DatedDocument:
	doctype: str
	name: str
	posting_date: date | None = None


@dataclass(frozen=True)
class NegativeBin:
	item_code: str
	warehouse: str
	actual_qty: Decimal


@dataclass(frozen=True)
class AccountingPeriod:
	name: str
	start_date: date
	end_date: date
	closed_doctypes: frozenset = frozenset()


@dataclass(frozen=True)
class SwitchOptions:
	"""What a person chooses for a switch, as the wizard, the commands, the export and the jobs pass it
	on: one object instead of the same arguments through every signature."""

	company: str
	cutover_date: object = None  # a date, or its ISO text as it came in; None for the default
	expense_account: str | None = None
	cost_center: str | None = None
	freeze_stock: bool = True
	freeze_accounts: bool = False
	company_defaults: Mapping[str, str] | None = None  # overrides of the proposed company defaults
	backdated: bool = False
	scheme: str | None = None
	"""A change of inventory account scheme (`item-wise` or `warehouse-wise`), or None."""
	resync: bool = False
	"""With a scheme change: bring stock accounts that are out of sync back first, in the same switch."""

	def as_dict(self) -> dict:
		"""Plain values, for a background job's arguments and for the desk to post back unchanged."""
		values = {name: getattr(self, name) for name in OPTION_FIELDS}
		values["cutover_date"] = str(self.cutover_date) if self.cutover_date else None
		values["company_defaults"] = dict(self.company_defaults) if self.company_defaults else None
		return values

	@classmethod
	def from_wire(cls, values: Mapping[str, object]) -> SwitchOptions:
		"""The options as a request, a command or a job carries them (text, "0"/"1", JSON): each field
		read by its kind; a field not given keeps its default. Raises WireError naming the field."""
		chosen = {}
		for name, kind in OPTION_KINDS.items():
			if name not in values:
				continue
			value = values[name]
			if kind == "flag":
				chosen[name] = _flag(name, value)
			elif kind == "mapping":
				chosen[name] = _mapping(name, value)
			elif kind == "date":
				# As given: the service reads it (None is today; an empty or malformed date is refused there).
				chosen[name] = value if value is None or not isinstance(value, str) else value.strip()
			else:
				chosen[name] = None if value is None or str(value).strip() == "" else str(value).strip()
		if not chosen.get("company"):
			raise WireError("company", values.get("company"))
		return cls(**chosen)


class WireError(ValueError):
	"""An option whose value cannot be read: (field, value[, why: "json" or "mapping"])."""


def _flag(name: str, value) -> bool:
	if isinstance(value, bool):
		return value
	text = "" if value is None else str(value).strip().lower()
	if text in ("", "0", "false", "no", "off", "none"):
		return False
	if text in ("1", "true", "yes", "on"):
		return True
	raise WireError(name, value)


def _mapping(name: str, value):
	import json

	if value is None or value == "" or value == {}:
		return None
	if isinstance(value, str):
		try:
			value = json.loads(value)
		except ValueError:
			raise WireError(name, value, "json") from None
	if not isinstance(value, Mapping):
		raise WireError(name, value, "mapping")
	return {str(k): v for k, v in value.items() if v not in (None, "")} or None


OPTION_KINDS = {
	"company": "text",
	"cutover_date": "date",
	"expense_account": "text",
	"cost_center": "text",
	"freeze_stock": "flag",
	"freeze_accounts": "flag",
	"company_defaults": "mapping",
	"backdated": "flag",
	"scheme": "text",
	"resync": "flag",
}
"""How each option travels as text (the desk, the commands): declared once, next to the options;
a test checks it names every field of SwitchOptions, and every endpoint and command is built from it."""
OPTION_FIELDS = tuple(OPTION_KINDS)


@dataclass(frozen=True)
class SwitchInputs:
	"""Everything the engine needs to decide a switch, read from ERPNext in one go."""

	company: Company
	cutover_date: date
	today: date
	expense_account: str | None
	cost_center: str | None
	warehouses: tuple[Warehouse, ...]
	accounts: Mapping[str, Account]
	cost_centers: Mapping[str, CostCenter]
	stock_values: Mapping[str, Decimal]
	"""Sum of stock_value_difference per warehouse, non-cancelled, on or before the cutover."""
	gl_balances: Mapping[str, Decimal]
	"""Debit minus credit per account, non-cancelled GL, on or before the cutover."""
	receipt_rows: tuple[ReceiptRow, ...] = ()
	account_candidates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
	"""Leaf, enabled accounts of the company by account type, sorted by name."""
	stock_entries_after: tuple[DatedDocument, ...] = ()
	purchase_invoices_after: tuple[DatedDocument, ...] = ()
	stock_ledger_after_count: int = 0
	purchase_invoices_after_count: int = 0
	negative_stock_allowed: bool = False
	negative_bins: tuple[NegativeBin, ...] = ()
	pending_reposts: tuple[DatedDocument, ...] = ()
	"""Repost Item Valuations still to run (queued, in progress or failed) from on or before the cutover."""
	pending_reposts_count: int = 0
	active_switch: str | None = None
	has_fiscal_year: bool = True
	journal_period_closed: str | None = None
	accounts_frozen_upto: date | None = None
	freeze_stock: bool = True
	freeze_accounts: bool = False
	freeze_start: date | None = None
	accounting_periods: tuple[AccountingPeriod, ...] = ()
	default_overrides: Mapping[str, object] = field(default_factory=dict)
	country: str | None = None
	negative_running: tuple[DatedDocument, ...] = ()
	negative_running_count: int = 0
	"""Stock ledger rows on or before the cutover whose running quantity went below zero."""
	item_stock: tuple[ItemStock, ...] = ()
	"""Per item, read only when the company books stock item-wise."""
	periodic_entries: tuple[DatedDocument, ...] = ()
	"""Periodic Accounting Entries (ERPNext 16) the company posted on or before the cutover."""
	operation: object = None
	"""engine.operation.Operation: the mode chosen once from the options and the company, with its own
	inputs (a scheme change's stock per item and warehouse, a backdated one's documents to repost)."""


class StockCell(NamedTuple):
	"""An item's stock in one warehouse on or before the cutover (a named tuple: a large company has
	tens of thousands)."""

	item_code: str
	warehouse: str
	stock_value: Decimal
	stock_qty: Decimal = ZERO


@dataclass(frozen=True)
class WarehouseLine:
	warehouse: str
	is_group: bool
	account: str | None
	source: str | None
	source_warehouse: str | None
	stock_value: Decimal


@dataclass(frozen=True)
class ItemAccountLine:
	"""Item-wise mode: the account an item's stock is booked to, and where it comes from."""

	item_code: str
	account: str | None
	source: str | None
	"""`item`, `item_group`, `brand`, or None when no level has one."""
	source_name: str | None
	stock_value: Decimal


@dataclass(frozen=True)
class StockAccountLine:
	account: str
	stock_value: Decimal
	gl_balance: Decimal

	@property
	def difference(self) -> Decimal:
		return self.stock_value - self.gl_balance


class ReceiptLine(NamedTuple):
	purchase_receipt: str
	item_row: str
	item_code: str
	unbilled_qty: Decimal
	unbilled_value: Decimal


@dataclass(frozen=True)
class SrbnbSummary:
	account: str | None
	unbilled_value: Decimal
	gl_balance: Decimal
	receipts: tuple[ReceiptLine, ...]

	@property
	def difference(self) -> Decimal:
		"""What the account is missing: it should hold a credit equal to the unbilled value."""
		return -self.unbilled_value - self.gl_balance


@dataclass(frozen=True)
class JournalLine:
	account: str
	debit: Decimal = ZERO
	credit: Decimal = ZERO
	cost_center: str | None = None
	remark: str | None = None
	"""What this line is for, when it says more than the entry's own remark."""


@dataclass(frozen=True)
class JournalPlan:
	purpose: str
	lines: tuple[JournalLine, ...]

	@property
	def total_debit(self) -> Decimal:
		return sum((line.debit for line in self.lines), ZERO)

	@property
	def total_credit(self) -> Decimal:
		return sum((line.credit for line in self.lines), ZERO)


@dataclass(frozen=True)
class DefaultChange:
	field: str
	current: object
	proposed: object


@dataclass(frozen=True)
class FreezePlan:
	"""How the switch closes stock (and optionally accounting) documents up to the cutover."""

	doctypes: tuple[str, ...] = ()
	new_periods: tuple[tuple[date, date], ...] = ()
	extend_periods: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Plan:
	company: str
	cutover_date: date
	currency: str
	precision: int
	perpetual_inventory_enabled: bool
	expense_account: str | None
	cost_center: str | None
	blockers: tuple[Issue, ...]
	warnings: tuple[Issue, ...]
	warehouses: tuple[WarehouseLine, ...]
	stock_accounts: tuple[StockAccountLine, ...]
	srbnb: SrbnbSummary
	journal_entries: tuple[JournalPlan, ...]
	company_defaults: tuple[DefaultChange, ...]
	freeze: FreezePlan = FreezePlan()
	item_wise_inventory: bool = False
	items: tuple[ItemAccountLine, ...] = ()
	"""Item-wise mode only: each item with stock and its resolved account."""
	periodic_entries: tuple[DatedDocument, ...] = ()
	backdated: object = None
	"""engine.backdated.BackdatedPlan for a backdated switch, else None."""
	scheme: object = None
	"""engine.scheme.SchemePlan for a change of inventory account scheme, else None."""
	operation: object = None
	"""engine.operation.Operation the plan was built for."""

	@property
	def mode(self) -> str:
		return self.operation.mode

	@property
	def in_sync(self) -> bool:
		"""Every stock account's GL balance equals the stock value of its warehouses."""
		return all(line.difference == 0 for line in self.stock_accounts)

	@property
	def has_work(self) -> bool:
		return bool(self.journal_entries or self.company_defaults)
