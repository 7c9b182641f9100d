"""Portuguese SNC rules: offers of goods, their VAT limit, and the micro-entity (2-of-3) test.

Offers (CIVA art. 3 nº 3 f)): a free transfer of goods is a VAT supply, except offers of unit
value up to the unit limit (50 €) whose yearly total stays within a share (5 ‰) of the previous
calendar year's turnover (art. 3 nº 7, Portaria 497/2008). The taxable amount is the cost at the
time of the offer (art. 16 nº 2 b)). The VAT is self-assessed: the company bears it as an expense.

Postings (SNC): the goods leave inventory through the offers regularisation account (REO, 38x):
under perpetual inventory ERPNext posts Dr REO / Cr inventory itself (the offer row's expense
account is REO); this module adds, in both regimes, Dr offer cost (COE, 6884) / Cr REO for the
cost, and, when taxable, Dr IEO / Cr VAT for the VAT.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from .journal import line_for
from .models import Issue, JournalLine, _
from .money import ZERO, round_money

EXCESS_ONLY = "Excess only"
WHOLE_OFFER = "Whole offer"


@dataclass(frozen=True)
class OfferAccounts:
	reo: str
	coe: str
	ieo: str
	vat: str


@dataclass(frozen=True)
class OfferLimits:
	unit_limit: Decimal = Decimal("50")
	yearly_share: Decimal = Decimal("0.005")
	previous_year_turnover: Decimal = ZERO
	policy: str = EXCESS_ONLY

	@property
	def yearly_cap(self) -> Decimal:
		return self.previous_year_turnover * self.yearly_share


@dataclass(frozen=True)
class Offer:
	row: str
	item_code: str
	qty: Decimal
	cost: Decimal
	"""Stock ledger outgoing value of the row: qty x valuation rate at posting."""
	vat_rate: Decimal
	"""Percent, e.g. 23."""
	accounts: OfferAccounts
	cost_center: str | None = None


@dataclass(frozen=True)
class OfferDecision:
	"""How one offer is treated. `counted` is what it adds to the year's running total of exempt offers."""

	row: str
	cost: Decimal
	taxable: Decimal
	vat: Decimal
	counted: Decimal
	within_unit_limit: bool
	vat_rate: Decimal | None = None
	"""The VAT rate (%) decided, kept as data: never re-derived from rounded amounts."""
	basis: str | None = None
	"""What is taxed: BASIS_COST (the whole cost), BASIS_EXCESS (a fixed excess over the yearly
	cap) or BASIS_EXEMPT (nothing). None on decisions recorded before the basis was kept."""


BASIS_COST = "cost"
BASIS_EXCESS = "excess"
BASIS_EXEMPT = "exempt"


def decide_offer(offer: Offer, limits: OfferLimits, used_this_year: Decimal, precision: int) -> OfferDecision:
	cost = round_money(offer.cost, precision)
	qty = abs(offer.qty) or Decimal(1)
	unit_cost = cost / qty
	if unit_cost > limits.unit_limit:
		taxable, counted, within, basis = cost, ZERO, False, BASIS_COST
	else:
		within = True
		counted = cost
		room = max(limits.yearly_cap - used_this_year, ZERO)
		if cost <= room:
			taxable, basis = ZERO, BASIS_EXEMPT
		elif limits.policy == WHOLE_OFFER:
			taxable, basis = cost, BASIS_COST
		else:
			taxable, basis = cost - room, BASIS_EXCESS
	taxable = round_money(taxable, precision)
	vat = round_money(taxable * offer.vat_rate / 100, precision)
	return OfferDecision(offer.row, cost, taxable, vat, counted, within, offer.vat_rate, basis)


def decide_offers(
	offers: Iterable[Offer], limits: OfferLimits, used_this_year: Decimal, precision: int
) -> list[OfferDecision]:
	"""Decide offers in order; each one's exempt share reduces the room left for the next."""
	decisions = []
	used = used_this_year
	for offer in offers:
		decision = decide_offer(offer, limits, used, precision)
		used += decision.counted
		decisions.append(decision)
	return decisions


def offer_lines(offer: Offer, decision: OfferDecision) -> list[JournalLine]:
	"""The lines the regional seam adds for one offer (ERPNext's own stock posting is not among them).

	Amounts are signed: a returned offer (negative cost and VAT) posts the same lines reversed.
	"""
	a = offer.accounts
	lines = [
		line_for(a.coe, decision.cost, offer.cost_center),
		line_for(a.reo, -decision.cost),
		line_for(a.ieo, decision.vat, offer.cost_center),
		line_for(a.vat, -decision.vat),
	]
	return [line for line in lines if line]


def returned_decision(original: OfferDecision, returned_cost: Decimal, precision: int) -> OfferDecision:
	"""A credit note taking offered goods back: the original decision reversed for the returned share."""
	returned_cost = round_money(returned_cost, precision)
	if not original.cost:
		return OfferDecision(
			original.row, ZERO, ZERO, ZERO, ZERO, original.within_unit_limit, original.vat_rate, original.basis
		)
	share = min(returned_cost / original.cost, Decimal(1))
	return OfferDecision(
		original.row,
		-returned_cost,
		-round_money(original.taxable * share, precision),
		-round_money(original.vat * share, precision),
		-round_money(original.counted * share, precision),
		original.within_unit_limit,
		original.vat_rate,
		original.basis,
	)


def reposted_decision(decision: OfferDecision, new_cost: Decimal, precision: int) -> OfferDecision:
	"""The same offer after a repost changed its cost: the tax decision stands, amounts follow the cost.

	A fully taxed offer stays fully taxed at the new cost; an excess stays the same excess (never
	above the new cost); an exempt offer stays exempt.
	"""
	new_cost = round_money(new_cost, precision)
	basis = decision.basis or _inferred_basis(decision)
	if basis == BASIS_COST:
		taxable = new_cost
	elif basis == BASIS_EXCESS:
		taxable = min(decision.taxable, new_cost)
	else:
		taxable = ZERO
	if decision.vat_rate is not None:
		rate = decision.vat_rate
	else:
		rate = decision.vat * 100 / decision.taxable if decision.taxable else ZERO
	vat = round_money(taxable * rate / 100, precision)
	counted = new_cost if decision.within_unit_limit else ZERO
	return OfferDecision(decision.row, new_cost, taxable, vat, counted, decision.within_unit_limit, rate, basis)


def _inferred_basis(decision: OfferDecision) -> str:
	"""Decisions recorded before the basis was kept: read it off the amounts (a zero-cost offer
	was never taxed on a cost it did not have)."""
	if not decision.taxable:
		return BASIS_EXEMPT
	return BASIS_COST if decision.taxable == decision.cost else BASIS_EXCESS


# The 2-of-3 rule (DL 158/2009 art. 12, as amended by DL 98/2015)

COUNTRY = "Portugal"


def applies(country: str | None) -> bool:
	"""Whether a company of `country` keeps its books under SNC: the offers' postings, the chart's
	checks and the mandatory-inventory test apply to it."""
	return country == COUNTRY


def chart_warnings(data) -> list[Issue]:
	"""ERPNext's SNC chart puts class 3 under root type Expense and has two Stock accounts (31, 32)."""
	company = data.company.name
	stock = sorted(
		(a for a in data.accounts.values() if a.company == company and a.account_type == "Stock"),
		key=lambda a: a.name,
	)
	issues = []
	under_expense = [a.name for a in stock if a.root_type and a.root_type != "Asset"]
	if under_expense:
		issues.append(
			Issue(
				"inventory_not_an_asset",
				_(
					"Stock accounts {accounts} sit under root type Expense (class 3 in ERPNext's SNC chart): inventory will not show on the balance sheet."
				),
				under_expense[0],
				{"accounts": ", ".join(under_expense)},
			)
		)
	ledgers = [a.name for a in stock if not a.is_group]
	if len(ledgers) > 1 and not data.company.default("default_inventory_account"):
		issues.append(
			Issue(
				"ambiguous_stock_fallback",
				_(
					"Company {company} has several Stock accounts ({accounts}) and no default inventory account: a warehouse without an account would post to whichever ERPNext finds first."
				),
				company,
				{"company": company, "accounts": ", ".join(ledgers)},
			)
		)
	return issues
