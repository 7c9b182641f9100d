"""Stock Received But Not Billed, explained per receipt row and cause.

Amounts are credit-positive: SRBNB holds goods received and not yet billed as a credit.

For every receipt row, `held` is what the account's GL holds for it, modelled from the documents
that posted to it: the receipt (or, for goods received before the switch, the switch's accrual),
its returns, the invoices and debit notes that billed it, and the app's clearing journals.
`expected` is what it should hold: received less billed less returned, at the receipt's values,
and nothing once the receipt is closed or completed. The residual, `held - expected`, is split
into causes; what no cause explains (rounding, a document the model does not know) is a cause of
its own, `unexplained`, so the causes always add up to the residual.

GL lines that belong to no receipt row, and the part of a voucher's GL the row model does not
account for, are voucher lines. Rows + voucher lines tie to the account's GL to the cent: any
remaining difference is one more line, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from .models import _
from .money import ZERO, money_str, quantum, round_money
from .srbnb import SETTLED_STATUSES, value_of

# The causes a row's residual is split into, in the order they are shown.
CAUSES = (
	"rate",
	"exchange",
	"discount",
	"valuation_tax",
	"closed",
	"over_billing",
	"return_mismatch",
	"not_through_srbnb",
	"not_accrued",
	"unexplained",
)
CAUSE_LABELS = {
	"rate": _("Rate difference"),
	"exchange": _("Exchange-rate difference"),
	"discount": _("Invoice-level discount"),
	"valuation_tax": _("Valuation taxes"),
	"closed": _("Closed or completed with unbilled rows"),
	"over_billing": _("Billed beyond what was received"),
	"return_mismatch": _("Returns and debit notes that differ"),
	"not_through_srbnb": _("Billed or returned without passing through SRBNB"),
	"not_accrued": _("Received before perpetual inventory, never accrued"),
	"unexplained": _("Not explained (rounding or another document)"),
}
# Causes of a voucher line (GL of the account that belongs to no receipt row).
VOUCHER_CAUSES = ("invoice_without_receipt", "late_cost", "entry_by_hand", "not_attributed")
VOUCHER_CAUSE_LABELS = {
	"invoice_without_receipt": _("Invoice rows without a receipt"),
	"late_cost": _("Receipts from before the switch re-valued at the invoice rate (late-cost journals)"),
	"entry_by_hand": _("Entries by hand and other vouchers"),
	"not_attributed": _("Part of a voucher no receipt row accounts for"),
}


class ReceiptFacts(NamedTuple):
	"""One purchase receipt row of a stock item, as of the reconciliation date.

	Quantities in stock UOM. `gross_unit` and `net_unit` are per stock unit in the receipt's
	currency, before and after its document-level discount; `conversion_rate` turns them into
	company currency. `receipt_posted`: the receipt itself posted to SRBNB (perpetual at the
	time). `accrued`: what a switch's journal credited for the row (None when not accrued).
	"""

	purchase_receipt: str
	item_row: str
	item_code: str
	status: str
	posting_date: date
	stock_qty: Decimal
	base_net_amount: Decimal
	returned_qty: Decimal
	billed_qty: Decimal
	amount_difference: Decimal
	gross_unit: Decimal
	net_unit: Decimal
	conversion_rate: Decimal
	receipt_posted: bool
	accrued: Decimal | None = None
	cleared: tuple = ()
	"""(cause, amount) this app's SRBNB clearings moved out of the account for the row."""


class Movement(NamedTuple):
	"""A document row that moved SRBNB for a receipt row after it was received.

	`kind`: "invoice", "debit_note" or "return". `qty`: by how much it lowers the quantity
	still to bill (an invoice +, a debit note -, a return +). `posted`: what it put on the
	account, credit-positive (an invoice is negative), including `exchange` (ERPNext's own
	exchange-rate compensation) and `valuation_tax`. `cleared`: what the app's clearing
	journal moved back for it (None when the app did not clear it)."""

	kind: str
	voucher_type: str
	voucher_no: str
	posting_date: date
	qty: Decimal
	posted: Decimal
	gross_unit: Decimal = ZERO
	net_unit: Decimal = ZERO
	conversion_rate: Decimal = Decimal(1)
	exchange: Decimal = ZERO
	valuation_tax: Decimal = ZERO
	cleared: Decimal | None = None


class RowReconciliation(NamedTuple):
	purchase_receipt: str
	item_row: str
	item_code: str
	status: str
	posting_date: date
	held: Decimal
	expected: Decimal
	residual: Decimal
	causes: dict
	vouchers: tuple
	"""(voucher_type, voucher_no, posting_date) of the movements that made part of the residual."""


class VoucherLine(NamedTuple):
	"""GL of the account that belongs to no receipt row (or that the row model leaves over)."""

	voucher_type: str
	voucher_no: str
	posting_date: date | None
	cause: str
	amount: Decimal


@dataclass
class Totals:
	"""Running totals of a reconciliation, added to row by row (memory flat in the rows)."""

	precision: int
	rows: int = 0
	held: Decimal = ZERO
	expected: Decimal = ZERO
	residual: Decimal = ZERO
	by_cause: dict = field(default_factory=dict)
	voucher_lines: Decimal = ZERO
	by_voucher_cause: dict = field(default_factory=dict)

	def add_row(self, row: RowReconciliation) -> None:
		self.rows += 1
		self.held += row.held
		self.expected += row.expected
		self.residual += row.residual
		for cause, amount in row.causes.items():
			self.by_cause[cause] = self.by_cause.get(cause, ZERO) + amount

	def add_settled(self, rows: int, value: Decimal) -> None:
		"""Rows settled at their value (`settled_value`), added at once: held = expected, no residual."""
		self.rows += rows
		self.held += value
		self.expected += value
		self.residual += value - value

	def add_voucher_line(self, line: VoucherLine) -> None:
		self.voucher_lines += line.amount
		self.by_voucher_cause[line.cause] = self.by_voucher_cause.get(line.cause, ZERO) + line.amount

	def tie(self, gl_balance: Decimal) -> Decimal:
		"""What rows and voucher lines leave of the account's GL balance: zero when they tie."""
		return round_money(gl_balance - self.held - self.voucher_lines, self.precision)


def modelled_invoice_row(
	base_net_amount: Decimal,
	qty: Decimal,
	net_rate: Decimal,
	invoice_conversion_rate: Decimal,
	receipt_net_rate: Decimal,
	receipt_conversion_rate: Decimal,
	item_tax_amount: Decimal,
	receipt_item_tax_amount: Decimal,
	precision: int,
) -> tuple[Decimal, Decimal, Decimal]:
	"""What ERPNext debits to SRBNB for an invoice row billing a receipt row: (net, exchange,
	valuation tax), each at the currency's precision.

	ERPNext adds an exchange-rate compensation when only the exchange rate differs from the
	receipt's (same net rate), and debits the row's valuation taxes when the receipt booked none.
	The same arithmetic is the SQL of `erpnext_io.srbnb`: the two must agree."""
	exchange = ZERO
	if receipt_conversion_rate != invoice_conversion_rate and net_rate == receipt_net_rate:
		exchange = round_money(qty * net_rate * (receipt_conversion_rate - invoice_conversion_rate), precision)
	tax = round_money(item_tax_amount, precision) if not receipt_item_tax_amount else ZERO
	return round_money(base_net_amount, precision), exchange, tax


def reconcile_row(facts: ReceiptFacts, movements: Iterable[Movement], precision: int) -> RowReconciliation:
	"""One receipt row: held, expected, residual and its causes (which add up to the residual)."""
	base = round_money(facts.base_net_amount, precision)
	unbilled_qty = facts.stock_qty - facts.returned_qty - facts.billed_qty
	unbilled_value = value_of(base, facts.stock_qty, unbilled_qty, precision) if unbilled_qty > 0 else ZERO
	closed = facts.status in SETTLED_STATUSES
	expected = ZERO if closed else unbilled_value
	origin = facts.receipt_posted or facts.accrued is not None
	held = ZERO
	causes: dict[str, Decimal] = {}

	def add(cause: str, amount: Decimal) -> None:
		if amount:
			causes[cause] = causes.get(cause, ZERO) + amount

	if facts.receipt_posted:
		difference = round_money(facts.amount_difference, precision)
		held += base + difference
		add("rate", difference)
	if facts.accrued is not None:
		held += round_money(facts.accrued, precision)

	# Each movement's value at the receipt's rate, telescoped so that they add up to the rounded
	# value of their total quantity.
	moved_qty = ZERO
	moved_value = ZERO
	vouchers = []
	for m in sorted(movements, key=_movement_order) if movements else ():
		held += m.posted + (m.cleared or ZERO)
		moved_qty += m.qty
		value_now = value_of(base, facts.stock_qty, moved_qty, precision)
		at_receipt = value_now - moved_value
		moved_value = value_now
		difference = m.posted + (m.cleared or ZERO) + at_receipt
		if not difference:
			continue
		vouchers.append((m.voucher_type, m.voucher_no, m.posting_date))
		if m.kind in ("return", "debit_note"):
			add("return_mismatch", difference)
			continue
		if m.cleared:
			# A clearing journal of the app's (made before invoices of accrued receipts were left to
			# post as on a perpetual company) already moved the invoice's difference out of SRBNB.
			add("unexplained", difference)
			continue
		q, cr_i = m.qty, m.conversion_rate
		g_r, n_r, cr_r = facts.gross_unit, facts.net_unit, facts.conversion_rate
		parts = {
			"rate": round_money(q * cr_i * (g_r - m.gross_unit), precision),
			"discount": round_money(q * cr_i * ((m.gross_unit - m.net_unit) - (g_r - n_r)), precision),
			"exchange": round_money(q * n_r * (cr_r - cr_i), precision) - m.exchange,
			"valuation_tax": -m.valuation_tax,
		}
		for cause, amount in parts.items():
			add(cause, amount)
		add("unexplained", difference - sum(parts.values()))

	# Quantities billed or returned that never moved the account, for a receipt that credited it.
	total_qty = facts.billed_qty + facts.returned_qty
	if facts.receipt_posted and total_qty != moved_qty:
		missing = value_of(base, facts.stock_qty, total_qty, precision) - moved_value
		add("not_through_srbnb", missing)
		moved_value += missing

	if origin:
		# What the row's credit leaves once every movement took its value at the receipt's rate:
		# the receipt's own credit, or the switch's accrual (the movements are then those after it).
		if facts.receipt_posted:
			remaining = base - moved_value
		else:
			remaining = round_money(facts.accrued, precision) - moved_value
		if closed and unbilled_value:
			add("closed", unbilled_value)
		if remaining < 0:
			add("over_billing", remaining)
	elif expected:
		add("not_accrued", -expected)

	# What a clearing moved out of the account, by the cause it cleared: the cause's residual is gone.
	for cause, amount in facts.cleared:
		held -= amount
		add(cause if cause in CAUSE_LABELS else "unexplained", -amount)

	residual = held - expected
	explained = sum(causes.values(), ZERO)
	add("unexplained", residual - explained)
	if len(causes) > 1:
		causes = {cause: causes[cause] for cause in CAUSES if causes.get(cause)}
	elif causes and not next(iter(causes.values())):
		causes = {}
	return RowReconciliation(
		facts.purchase_receipt,
		facts.item_row,
		facts.item_code,
		facts.status,
		facts.posting_date,
		held,
		expected,
		residual,
		causes,
		tuple(vouchers),
	)


def settled_value(
	status: str, stock_qty: Decimal, base_net_amount: Decimal, receipt_posted: bool, amount_difference: Decimal,
	accrued: Decimal | None, precision: int,
) -> Decimal | None:
	"""The value a receipt row holds and should hold when its residual is zero by construction, else None.

	For a row that nothing moved after it was received (no invoice or debit note billed it, no
	return, no clearing), on a receipt neither closed nor completed: it should hold its rounded
	value, and holds what the receipt (or else the switch's accrual) put on the account. When the
	two agree, `reconcile_row` finds held = expected = that value, no residual and no cause: the
	caller may count the row without modelling it (`settled_row`, `Totals.add_settled`)."""
	if status in SETTLED_STATUSES or receipt_posted == (accrued is not None) or stock_qty <= 0:
		return None
	# Decimals in, rounded as `round_money` does (the hot path of a large reconciliation).
	q = quantum(precision)
	base = base_net_amount.quantize(q, rounding=ROUND_HALF_UP)
	if base <= 0:
		return None
	if receipt_posted:
		# It holds base + the re-valuation (`rate`): settled when that rounds to nothing.
		return None if amount_difference.quantize(q, rounding=ROUND_HALF_UP) else base
	return base if accrued.quantize(q, rounding=ROUND_HALF_UP) == base else None


def settled_row(
	purchase_receipt: str, item_row: str, item_code: str, status: str, posting_date: date, value: Decimal
) -> RowReconciliation:
	"""The row `reconcile_row` gives for a row `settled_value` settled at `value`."""
	return RowReconciliation(purchase_receipt, item_row, item_code, status, posting_date, value, value, value - value, {}, ())


def _movement_order(m: Movement):
	return (m.posting_date, m.voucher_no)


def voucher_line(
	voucher_type: str,
	voucher_no: str,
	posting_date,
	gl: Decimal,
	modelled: Decimal,
	unlinked: Decimal,
	own: bool,
	precision: int,
	cause: str | None = None,
) -> VoucherLine | None:
	"""The part of one voucher's GL on the account that no receipt row holds, or None.

	`modelled`: what the rows attribute to it; `unlinked`: its invoice rows posting to the
	account without a receipt row; `own`: a journal of this app; `cause`: known beforehand (what
	a clearing moved for a voucher line of its cause)."""
	left = round_money(gl - modelled, precision)
	if not left:
		return None
	if cause:
		pass
	elif voucher_type == "Purchase Invoice" and unlinked and left == round_money(unlinked, precision):
		cause = "invoice_without_receipt"
	elif voucher_type not in ("Purchase Invoice", "Purchase Receipt") and not own:
		cause = "entry_by_hand"
	else:
		cause = "not_attributed"
	return VoucherLine(voucher_type, voucher_no, posting_date, cause, left)


# --- The contract's JSON form, and the same as spreadsheet sheets ---------------------------------


def row_to_dict(row: RowReconciliation, precision: int, labels=None) -> dict:
	t = labels or (lambda text: text)
	return {
		"purchase_receipt": row.purchase_receipt,
		"item_row": row.item_row,
		"item_code": row.item_code,
		"status": row.status,
		"posting_date": str(row.posting_date),
		"held": money_str(row.held, precision),
		"expected": money_str(row.expected, precision),
		"residual": money_str(row.residual, precision),
		"causes": {cause: money_str(amount, precision) for cause, amount in row.causes.items()},
		"cause_labels": {cause: t(CAUSE_LABELS[cause]) for cause in row.causes},
		"vouchers": [{"voucher_type": v[0], "voucher_no": v[1], "posting_date": str(v[2])} for v in row.vouchers],
	}


def voucher_line_to_dict(line: VoucherLine, precision: int, labels=None) -> dict:
	t = labels or (lambda text: text)
	return {
		"voucher_type": line.voucher_type,
		"voucher_no": line.voucher_no,
		"posting_date": str(line.posting_date) if line.posting_date else None,
		"cause": line.cause,
		"cause_label": t(VOUCHER_CAUSE_LABELS[line.cause]),
		"amount": money_str(line.amount, precision),
	}


def totals_to_dict(totals: Totals, gl_balance: Decimal, labels=None) -> dict:
	t = labels or (lambda text: text)
	p = totals.precision
	left = totals.tie(gl_balance)
	return {
		"gl_balance": money_str(gl_balance, p),
		"held_by_rows": money_str(totals.held, p),
		"expected": money_str(totals.expected, p),
		"rows_residual": money_str(totals.residual, p),
		"voucher_lines": money_str(totals.voucher_lines, p),
		"not_attributed": money_str(left, p),
		"residual": money_str(gl_balance - totals.expected, p),
		"ties": not left,
		"rows": totals.rows,
		"by_cause": [
			{"cause": c, "label": t(CAUSE_LABELS[c]), "amount": money_str(totals.by_cause[c], p)}
			for c in CAUSES
			if totals.by_cause.get(c)
		]
		+ [
			{"cause": c, "label": t(VOUCHER_CAUSE_LABELS[c]), "amount": money_str(totals.by_voucher_cause[c], p)}
			for c in VOUCHER_CAUSES
			if totals.by_voucher_cause.get(c)
		],
	}


def reconciliation_sheets(data: dict, labels=None) -> dict:
	"""Three sheets: the totals by cause, the receipt rows and the voucher lines."""
	t = labels or (lambda text: text)
	num = lambda value: None if value in (None, "") else Decimal(str(value))
	totals = data["totals"]
	summary = [
		[t("GL balance of SRBNB"), num(totals["gl_balance"])],
		[t("Expected (received, not billed)"), num(totals["expected"])],
		[t("Residual"), num(totals["residual"])],
	] + [[row["label"], num(row["amount"])] for row in totals["by_cause"]]
	if num(totals["not_attributed"]):
		summary.append([t("Not attributed to any row or voucher"), num(totals["not_attributed"])])
	rows = [
		[
			r["purchase_receipt"], r["item_row"], r["item_code"], r["status"], r["posting_date"],
			num(r["held"]), num(r["expected"]), num(r["residual"]),
			*[num(r["causes"].get(c)) for c in CAUSES],
			", ".join(v["voucher_no"] for v in r["vouchers"]),
		]
		for r in data["rows"]
	]
	lines = [
		[v["voucher_type"], v["voucher_no"], v["posting_date"], v["cause_label"], num(v["amount"])]
		for v in data["voucher_lines"]
	]
	return {
		"SRBNB Summary": ([t("Line"), t("Amount")], summary),
		"SRBNB Receipt Rows": (
			[t("Purchase Receipt"), t("Row"), t("Item"), t("Status"), t("Posting Date"), t("Held"), t("Expected"), t("Residual")]
			+ [t(CAUSE_LABELS[c]) for c in CAUSES]
			+ [t("Vouchers")],
			rows,
		),
		"SRBNB Vouchers": ([t("Voucher Type"), t("Voucher"), t("Posting Date"), t("Cause"), t("Amount")], lines),
	}


SHEET_AMOUNTS = {
	"SRBNB Summary": (1,),
	"SRBNB Receipt Rows": tuple(range(5, 8 + len(CAUSES))),
	"SRBNB Vouchers": (4,),
}
