"""Which operation a switch is, decided once: a switch from periodic inventory, a re-sync of a
perpetual company, or a change of inventory account scheme; each plain or backdated. The operation
carries its own inputs and answers every question that depends on the mode, so no other module asks
"is this a scheme change?" again: the reader asks it what to read, the plan what to build, the
services what to record and undo, and the desk and the commands what to call it and which steps to
walk (the wizard gets `describe()` with the plan)."""

from __future__ import annotations

from dataclasses import dataclass

from .models import DatedDocument, StockCell, _

SWITCH = "switch"
RESYNC = "resync"
SCHEME = "scheme"
MODES = (SWITCH, RESYNC, SCHEME)


@dataclass(frozen=True)
class SchemeInputs:
	"""A change of inventory account scheme: the scheme to move to and what it moves."""

	target: str
	resync: bool = False
	"""Bring stock accounts out of sync back first, in the same switch."""
	available: bool = True
	"""Whether this site has item-wise inventory accounts (ERPNext 16 on)."""
	stock_cells: tuple[StockCell, ...] = ()
	"""Stock value per item and warehouse on or before the cutover."""


@dataclass(frozen=True)
class BackdatedInputs:
	"""A backdated operation: the documents after the cutover it reposts, and what stands in the way."""

	repost_vouchers: tuple = ()
	"""engine.backdated.RepostVoucher, one per voucher after the cutover."""
	period_closings_after: tuple[DatedDocument, ...] = ()
	closed_periods_after: tuple[DatedDocument, ...] = ()
	manual_journals_after: tuple[DatedDocument, ...] = ()


TITLES = {
	SWITCH: _("Switch to perpetual inventory"),
	RESYNC: _("Re-sync stock accounts (already on perpetual inventory)"),
	SCHEME: _("Change of inventory account scheme"),
}
STEP_LABELS = {
	"company": _("Company and cutover"),
	"warehouses": _("Warehouse accounts"),
	"items": _("Item accounts"),
	"scheme": _("Accounts the stock moves between"),
	"stock": _("Stock value against the accounts"),
	"srbnb": _("Received but not billed"),
	"defaults": _("Company defaults"),
	"review": _("Review and apply"),
}


SUMMARIES = {
	SWITCH: _("{0} uses periodic inventory: the wizard moves it to perpetual inventory."),
	RESYNC: _("{0} is already on perpetual inventory: the wizard re-syncs its stock accounts with the stock value."),
	SCHEME: _(
		"The wizard moves the stock of {0} to {1} inventory accounts and sets the company's Enable Item-wise Inventory Account to match."
	),
}
JOURNAL_TITLES = {
	"stock_sync": _("Stock value sync journal entry"),
	"srbnb_sync": _("Received not billed journal entry"),
	"scheme_move": _("Inventory account scheme move journal entry"),
}
# Which step of the wizard shows an issue, by the start of its code; the rest show on the review.
STEP_OF_ISSUE = (
	(("warehouse", "account", "stock_account"), "accounts"),
	(("item",), "accounts"),
	(("srbnb", "closed_receipt"), "srbnb"),
	(("scheme",), "scheme"),
)


def journal_title(purpose: str, translate=str) -> str:
	return translate(JOURNAL_TITLES.get(purpose, purpose))


@dataclass(frozen=True)
class Operation:
	"""One switch's operation. `scheme` and `backdated` carry that part's inputs once the reader has
	read them (None: not that kind, or not read yet)."""

	mode: str
	backdated: BackdatedInputs | None = None
	scheme: SchemeInputs | None = None

	@property
	def is_backdated(self) -> bool:
		return self.backdated is not None

	@property
	def is_scheme(self) -> bool:
		return self.mode == SCHEME

	@property
	def reads_receipts(self) -> bool:
		"""A scheme change leaves Stock Received But Not Billed as it is: it reads no receipts."""
		return self.mode != SCHEME

	@property
	def syncs_srbnb(self) -> bool:
		"""Only a switch from periodic books the unbilled receipts to SRBNB; a re-sync reports the
		difference and posts nothing there."""
		return self.mode == SWITCH

	@property
	def reports_srbnb_difference(self) -> bool:
		return self.mode == RESYNC

	@property
	def stacks_on_a_switch(self) -> bool:
		"""A scheme change comes after the switch that made the company perpetual (which then cannot be
		rolled back before it); a switch or a re-sync refuses to stand beside an applied one."""
		return self.mode == SCHEME

	@property
	def steps(self) -> tuple[str, ...]:
		"""The wizard's steps for this operation, in order."""
		if self.mode == SCHEME:
			return ("company", "scheme", "stock", "defaults", "review")
		return ("company", "warehouses", "stock", "srbnb", "defaults", "review")

	def step_of(self, code: str, item_wise: bool = False) -> str:
		"""The step of this operation's wizard that shows an issue of `code` (the review shows all)."""
		steps = self.steps_for(item_wise)
		for starts, step in STEP_OF_ISSUE:
			if code.startswith(starts):
				if step == "accounts":
					step = "scheme" if self.mode == SCHEME else "items" if item_wise else "warehouses"
				return step if step in steps else "review"
		return "review"

	def steps_for(self, item_wise: bool) -> tuple[str, ...]:
		"""The steps, with an item-wise company's accounts step listing items."""
		return tuple("items" if step == "warehouses" and item_wise else step for step in self.steps)

	def summary(self, company: str, translate=str) -> str:
		"""What the wizard will do to `company`, in a sentence."""
		target = translate(self.scheme.target) if self.scheme else ""
		return translate(SUMMARIES[self.mode]).format(company, target)

	def title(self, translate=str) -> str:
		text = translate(TITLES[self.mode])
		return f"{text} ({translate(_('backdated'))})" if self.is_backdated else text

	def describe(self, translate=str, item_wise: bool = False) -> dict:
		"""What the desk shows of the operation: its mode, title and steps (an item-wise company's
		accounts step lists items)."""
		steps = self.steps_for(item_wise)
		return {
			"mode": self.mode,
			"backdated": self.is_backdated,
			"title": self.title(translate),
			"steps": [{"key": step, "label": translate(STEP_LABELS[step])} for step in steps],
		}


def choose(perpetual: bool, scheme: str | None = None, backdated: bool = False) -> Operation:
	"""The operation for a company (perpetual or not) and the options chosen: a scheme asked for is a
	scheme change; otherwise a perpetual company is re-synced and a periodic one switched. Its inputs
	are filled by the reader (`with_inputs`)."""
	mode = SCHEME if scheme else RESYNC if perpetual else SWITCH
	return Operation(mode, BackdatedInputs() if backdated else None, SchemeInputs(str(scheme)) if scheme else None)
