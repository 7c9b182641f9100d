"""Decimal helpers: money enters as Decimal (from str, never from float) and is rounded once, at the edge."""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

ZERO = Decimal("0")


def to_decimal(value) -> Decimal:
	"""Convert a database or user value to Decimal without going through binary floats."""
	if isinstance(value, Decimal):
		return value
	if value is None or value == "":
		return ZERO
	if isinstance(value, float):
		return Decimal(repr(value))
	return Decimal(str(value))


@lru_cache(maxsize=16)
def quantum(precision: int) -> Decimal:
	return Decimal(1).scaleb(-int(precision))


def round_money(value, precision: int) -> Decimal:
	"""Round half up to the currency precision (commercial rounding, as accountants expect)."""
	return to_decimal(value).quantize(quantum(precision), rounding=ROUND_HALF_UP)


def money_str(value, precision: int) -> str:
	"""The contract's JSON form of an amount: a string with exactly `precision` decimals."""
	return str(round_money(value, precision) + ZERO)
