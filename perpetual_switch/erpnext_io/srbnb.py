"""Reads for the Stock Received But Not Billed reconciliation.

The receipts the account can hold anything for are found in one query; their rows are read a chunk
of receipts at a time (in the order of their names), each chunk with the invoice rows, returns and
clearings that touch it and the switches' accruals of its rows, so memory is bounded by the chunk and
the candidate receipts' names, not by the number of rows. Rows nothing moved that hold their
value are settled without the row model (`engine.srbnb_reconcile.settled_value`). What no receipt
row accounts for (the voucher remainders) is erpnext_io.srbnb_vouchers'.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import frappe
from frappe.utils import getdate

from perpetual_switch.engine.money import ZERO, to_decimal
from perpetual_switch.engine.srbnb import SETTLED_STATUSES
from perpetual_switch.engine.srbnb_reconcile import (
	Movement,
	ReceiptFacts,
	modelled_invoice_row,
	settled_row,
	settled_value,
)

CHUNK = 1000
ONE = Decimal(1)
SWITCH = "Switch to Perpetual Inventory"
CLEARING = "SRBNB Clearing"
CLEARING_LINE = "SRBNB Clearing Line"


def company_currency(company: str) -> str:
	return frappe.get_cached_value("Company", company, "default_currency")


def srbnb_accounts(company: str) -> tuple[str, ...]:
	"""The company's SRBNB accounts: its default and any other account of that type."""
	default = frappe.get_cached_value("Company", company, "stock_received_but_not_billed")
	others = frappe.get_all(
		"Account",
		filters={"company": company, "account_type": "Stock Received But Not Billed", "is_group": 0},
		pluck="name",
	)
	return tuple(sorted({a for a in [default, *others] if a}))


def _amount_difference(alias: str) -> str:
	"""The receipt row's credit beyond its net amount when Buying Settings re-values receipts at
	the invoice's rate (a column of every supported version; 0 where a site lacks it)."""
	if frappe.get_meta("Purchase Receipt Item").has_field("amount_difference_with_purchase_invoice"):
		return f"coalesce({alias}.amount_difference_with_purchase_invoice, 0)"
	return "0"


def gl_balance(company: str, accounts, as_of) -> Decimal:
	"""Credit less debit of the accounts on or before `as_of`: one SUM over their GL rows."""
	if not accounts:
		return Decimal(0)
	value = frappe.db.sql(
		"""
		select cast(coalesce(sum(credit) - sum(debit), 0) as char)
		from `tabGL Entry`
		where company = %(company)s and account in %(accounts)s and is_cancelled = 0
			and posting_date <= %(date)s
		""",
		{"company": company, "accounts": tuple(accounts), "date": getdate(as_of)},
	)[0][0]
	return to_decimal(value)


def receipt_count(company: str, as_of) -> int:
	return frappe.db.sql(
		"""select count(*) from `tabPurchase Receipt`
		where company = %(company)s and docstatus = 1 and is_return = 0 and posting_date <= %(date)s""",
		{"company": company, "date": getdate(as_of)},
	)[0][0]


class ReceiptChunk(NamedTuple):
	"""One chunk of receipts: `entries`, each (ReceiptFacts, [Movement]) to model or, with
	`keep_settled`, the RowReconciliation of a settled row; `receipts` read; and the rows settled at
	their value (`engine.srbnb_reconcile.settled_value`) without being listed, counted and summed."""

	entries: list
	receipts: int
	settled_rows: int
	settled_value: Decimal


def receipt_chunks(company: str, accounts, as_of, precision: int, chunk: int = CHUNK, keep_settled: bool = True):
	"""Yield a ReceiptChunk per chunk of receipts (in the order of their names) for every stock
	receipt row. Rows nothing moved since they were received and that hold what they should
	(`settled_value`) are not modelled: listed as their RowReconciliation with `keep_settled`, else
	only counted and summed."""
	as_of = getdate(as_of)
	switches = _accruing_switches(company, as_of)
	accounts = tuple(accounts)
	receipts = _receipt_names(company, accounts, as_of, switches)
	# Returns and the app's clearings are asked chunk by chunk only when the site has any.
	has_returns, has_clearings = _any_returns_or_clearings(as_of)
	for start in range(0, len(receipts), chunk):
		part = receipts[start : start + chunk]
		yield _chunk(
			company, tuple(r[0] for r in part), accounts, as_of, precision, switches, keep_settled=keep_settled,
			posted_receipts={r[0] for r in part if r[1]}, returns=has_returns, clearings=has_clearings,
		)


def _any_returns_or_clearings(as_of) -> tuple[bool, bool]:
	"""Whether any submitted receipt return up to the date, and any SRBNB clearing line, exists."""
	returns, clearings = frappe.db.sql(
		f"""select exists(select 1 from `tabPurchase Receipt` where return_against is not null and is_return = 1
				and docstatus = 1 and posting_date <= %(date)s),
			exists(select 1 from `tab{CLEARING_LINE}`)""",
		{"date": as_of},
	)[0]
	return bool(returns), bool(clearings)


def _receipt_names(company: str, accounts: tuple, as_of, switches: tuple) -> list[tuple[str, int]]:
	"""(receipt, 1 when it posted to the accounts else 0) for the receipts where the account can
	hold anything, in the order of their names: those still to bill, and those that the account, a
	switch's accrual, a return, a clearing or an invoice posted to the account touched. A receipt
	closed or completed with none of these holds nothing and should hold nothing: it is not read.
	One query; invoices are looked up from the account's GL (the invoices that posted to it), once,
	not receipt by receipt."""
	params = {"company": company, "date": as_of, "accounts": accounts or ("",), "switches": switches or ("",), "settled": SETTLED_STATUSES}
	# A receipt completed by invoices after the date was still to bill on the date (asked only when
	# the company has such invoices: as of today it has none).
	billed_later = ""
	if frappe.db.sql(
		"""select 1 from `tabPurchase Invoice` where company = %(company)s and docstatus = 1
		and posting_date > %(date)s limit 1""",
		params,
	):
		billed_later = """or exists(select 1 from `tabPurchase Invoice Item` pii join `tabPurchase Invoice` pi on pi.name = pii.parent
			where pii.purchase_receipt = pr.name and pi.docstatus = 1 and pi.posting_date > %(date)s)"""
	posted = """exists(select 1 from `tabGL Entry` g where g.voucher_type = 'Purchase Receipt'
		and g.voucher_no = pr.name and g.account in %(accounts)s and g.is_cancelled = 0)"""
	receipts = f"""select pr.name, {posted} as posted from `tabPurchase Receipt` pr
		where pr.company = %(company)s and pr.docstatus = 1 and pr.is_return = 0 and pr.posting_date <= %(date)s"""
	return frappe.db.sql(
		f"""
		select name, posted from (
			{receipts}
				and (coalesce(pr.status, '') not in %(settled)s
					or {posted}
					or exists(select 1 from `tabPerpetual Switch Receipt` r
						where r.purchase_receipt = pr.name and r.parent in %(switches)s)
					or exists(select 1 from `tabPurchase Receipt` ret where ret.return_against = pr.name and ret.docstatus = 1)
					or exists(select 1 from `tab{CLEARING_LINE}` l where l.source = pr.name)
					{billed_later})
			union
			{receipts}
				and pr.name in (select pii.purchase_receipt from `tabGL Entry` g
					join `tabPurchase Invoice Item` pii on pii.parent = g.voucher_no
					where g.voucher_type = 'Purchase Invoice' and g.account in %(accounts)s and g.is_cancelled = 0
						and pii.expense_account in %(accounts)s)
		) receipts
		order by name
		""",
		params,
	)


_FIELD = "\x01"
_ROW = "\x02"


def _packed(columns: list[str], rest: str, group: str, params: dict) -> list[list[str]]:
	"""Rows of `select columns rest` as lists of texts, read one group (a receipt) per row.

	The driver reads and converts each field on its own, which for a hundred thousand rows of a
	dozen fields costs more than the query: each group comes back as one text holding its rows
	(NULL as an empty text). When a value holds a separator, the rows are read plainly instead."""
	texts = ", ".join(f"coalesce({c}, '')" for c in columns)
	packed = frappe.db.sql(
		f"""set statement group_concat_max_len = 16777216 for
		select count(*), group_concat(concat_ws('{_FIELD}', {texts}) separator '{_ROW}')
		{rest} group by {group}""",
		params,
	)
	rows = []
	for count, text in packed:
		parts = text.split(_ROW) if text is not None else []
		if len(parts) != count:
			return _plain(columns, rest, params)
		for part in parts:
			fields = part.split(_FIELD)
			if len(fields) != len(columns):
				return _plain(columns, rest, params)
			rows.append(fields)
	return rows


def _plain(columns: list[str], rest: str, params: dict) -> list[list[str]]:
	texts = ", ".join(f"coalesce({c}, '')" for c in columns)
	return [list(r) for r in frappe.db.sql(f"select {texts} {rest}", params)]


def _RECEIPT_COLUMNS() -> list[str]:
	"""What every receipt row is read with (what a row nothing moved needs)."""
	return [
		"pr.name", "cast(pr.posting_date as char)", "pr.status", "pri.name", "pri.item_code",
		"cast(pri.stock_qty as char)", "cast(pri.base_net_amount as char)", f"cast({_amount_difference('pri')} as char)",
	]


# What rows that invoices, debit notes or returns moved are read with too: their receipt's prices.
_PRICE_COLUMNS = [
	"pri.name", "cast(pr.conversion_rate as char)", "cast(pri.net_rate as char)", "cast(pri.item_tax_amount as char)",
	"cast(pri.amount as char)", "cast(pri.net_amount as char)",
]


_RECEIPT_ROWS = """from `tabPurchase Receipt` pr force index (primary)
	join `tabPurchase Receipt Item` pri on pri.parent = pr.name and pri.parenttype = 'Purchase Receipt'
	where pri.is_fixed_asset = 0 and pri.item_code is not null
		and pri.item_code not in (select name from `tabItem` where is_stock_item = 0)"""


def _chunk(
	company: str, names: tuple, accounts: tuple, as_of, precision: int, switches: tuple, keep_settled: bool,
	posted_receipts: set, returns: bool, clearings: bool,
) -> ReceiptChunk:
	"""The chunk's receipt rows with what moved them. Every child read is filtered by the chunk's
	receipts through an indexed link (a receipt's name), never by a list of all its row names."""
	params = {"names": names, "accounts": accounts or ("",), "date": as_of, "company": company, "switches": switches}
	rows = _packed(_RECEIPT_COLUMNS(), _RECEIPT_ROWS + " and pr.name in %(names)s", "pr.name order by pr.name", params)
	if not rows:
		return ReceiptChunk([], len(names), 0, ZERO)
	receipt_side = {r[3]: r[0] for r in rows}  # receipt row -> its receipt
	billed: dict[str, Decimal] = {}
	returned: dict[str, Decimal] = {}
	billed_later: set[str] = set()
	movements: dict[str, list] = {}
	to_srbnb = False
	for pr_detail, qty, later, posts in _billed(params):
		if pr_detail in receipt_side:
			billed[pr_detail] = Decimal(qty or 0)
			if later == "1":
				billed_later.add(pr_detail)
			to_srbnb = to_srbnb or posts == "1"
	accrued = _accrued(switches, names)
	invoice_rows = [] if not to_srbnb else _packed(
		[
			"pii.pr_detail", "pi.name", "cast(pi.posting_date as char)", "cast(pi.is_return as char)",
			"cast(pii.stock_qty as char)", "cast(pii.qty as char)", "cast(pii.base_net_amount as char)",
			"cast(pii.amount as char)", "cast(pii.net_amount as char)", "cast(pii.net_rate as char)",
			"cast(pi.conversion_rate as char)", "cast(pii.item_tax_amount as char)", "pii.name",
		],
		"""from `tabPurchase Invoice Item` pii
		join `tabPurchase Invoice` pi on pi.name = pii.parent
		where pii.purchase_receipt in %(names)s and pii.pr_detail is not null and pi.docstatus = 1
			and pi.update_stock = 0 and pii.expense_account in %(accounts)s and pi.posting_date <= %(date)s""",
		"pii.purchase_receipt",
		params,
	)
	candidates = {r[1] for r in invoice_rows if r[0] in receipt_side}
	posted_invoices = _posted_vouchers("Purchase Invoice", tuple(candidates), accounts) if candidates else set()
	cleared = _cleared(params) if posted_invoices else {}
	return_rows = () if not returns else frappe.db.sql(
		f"""
		select ri.purchase_receipt_item, r.name, r.posting_date, cast(ri.stock_qty as char),
			cast(ri.base_net_amount as char), cast({_amount_difference('ri')} as char)
		from `tabPurchase Receipt` r
		join `tabPurchase Receipt Item` ri on ri.parent = r.name
		where r.return_against in %(names)s and r.docstatus = 1 and r.is_return = 1
			and r.posting_date <= %(date)s and ri.purchase_receipt_item is not null
		""",
		params,
	)
	posted_returns = _posted_vouchers("Purchase Receipt", tuple({r[1] for r in return_rows}), accounts) if return_rows else set()
	# The receipt's prices, for the rows that invoices, debit notes or returns moved.
	moved_receipts = {receipt_side[r[0]] for r in invoice_rows if r[0] in receipt_side and r[1] in posted_invoices}
	moved_receipts |= {receipt_side[r[0]] for r in return_rows if r[0] in receipt_side and r[1] in posted_returns}
	prices = {
		r[0]: r[1:]
		for r in _packed(_PRICE_COLUMNS, _RECEIPT_ROWS + " and pr.name in %(moved)s", "pr.name", {"moved": tuple(moved_receipts)})
	} if moved_receipts else {}
	for (pr_detail, invoice, posting_date, is_return, stock_qty, qty, base_net, amount, net_amount, net_rate,
		conversion_rate, item_tax, invoice_row) in invoice_rows:
		if pr_detail not in receipt_side or invoice not in posted_invoices:
			continue
		posting_date = date.fromisoformat(posting_date)
		stock_qty = to_decimal(stock_qty)
		is_return = is_return == "1"
		receipt_rate, receipt_net_rate, receipt_tax = map(to_decimal, prices[pr_detail][:3])
		invoice_rate = to_decimal(conversion_rate)
		net, exchange, tax = modelled_invoice_row(
			to_decimal(base_net), to_decimal(qty), to_decimal(net_rate), invoice_rate,
			receipt_net_rate, receipt_rate, to_decimal(item_tax), receipt_tax, precision,
		)
		movements.setdefault(pr_detail, []).append(
			Movement(
				"debit_note" if is_return else "invoice",
				"Purchase Invoice",
				invoice,
				posting_date,
				stock_qty,
				-(net + exchange + tax),
				_per_unit(amount, stock_qty),
				_per_unit(net_amount, stock_qty),
				invoice_rate,
				exchange,
				tax,
				cleared.get(invoice_row),
			)
		)
	for item_row, name, posting_date, stock_qty, base_net, amount_difference in return_rows:
		if item_row not in receipt_side:
			continue
		qty = -to_decimal(stock_qty)
		returned[item_row] = returned.get(item_row, Decimal(0)) + qty
		if name in posted_returns:
			movements.setdefault(item_row, []).append(
				Movement("return", "Purchase Receipt", name, getdate(posting_date), qty,
					_round(base_net, precision) + _round(amount_difference, precision))
			)
	srbnb_cleared = _srbnb_cleared(params) if clearings else {}
	result = []
	settled_rows, settled_total = 0, ZERO
	touched = movements.keys() | srbnb_cleared.keys() | billed.keys() | returned.keys()
	for receipt, posting_date, status, row, item, stock_qty, base_net, amount_difference in rows:
		posted = receipt in posted_receipts
		row_accrued = accrued.get((receipt, row))
		if row not in touched:
			# Nothing moved the row since it was received: when it holds what it should, its residual
			# is zero by construction and it is not modelled.
			value = settled_value(status, Decimal(stock_qty), Decimal(base_net), posted,
				Decimal(amount_difference) if posted and amount_difference else ZERO, row_accrued, precision)
			if value is not None:
				if keep_settled:
					result.append(settled_row(receipt, row, item, status, date.fromisoformat(posting_date), value))
				else:
					settled_rows += 1
					settled_total += value
				continue
		stock_qty = Decimal(stock_qty)
		moved = movements.get(row, ())
		row_cleared = srbnb_cleared.get(row, ())
		if not (posted or moved or row_cleared or row_accrued is not None):
			# Neither the receipt nor anything after it touched the account: only a quantity
			# still to bill on an open receipt matters (never accrued).
			if status in SETTLED_STATUSES and row not in billed_later:
				continue
			if stock_qty - returned.get(row, Decimal(0)) - billed.get(row, Decimal(0)) <= 0:
				continue
		if status == "Completed" and row in billed_later:
			# Completed by invoices after the date: as of the date it was still to bill.
			status = "To Bill"
		# What an invoice's causes are split against: only needed where invoices moved the row.
		conversion_rate, _net_rate, _tax, amount, net_amount = prices[row] if moved else (ONE, 0, 0, 0, 0)
		facts = ReceiptFacts(
			receipt, row, item, status, date.fromisoformat(posting_date), stock_qty, Decimal(base_net),
			returned.get(row, ZERO), billed.get(row, ZERO), Decimal(amount_difference or 0),
			_per_unit(amount, stock_qty) if moved else ZERO, _per_unit(net_amount, stock_qty) if moved else ZERO,
			to_decimal(conversion_rate) if moved else ONE,
			posted, row_accrued, tuple(row_cleared),
		)
		result.append((facts, moved))
	return ReceiptChunk(result, len(names), settled_rows, settled_total)


def _billed(params: dict) -> list:
	"""Per receipt row of the chunk billed at all: quantity billed by the date, "1" when invoices
	after the date billed it too, "1" when one by the date posted to the accounts (packed per receipt)."""
	return _packed(
		["b.pr_detail", "cast(b.qty as char)", "cast(b.later as char)", "cast(b.posts as char)"],
		"""from (
			select pii.pr_detail, pii.purchase_receipt,
				sum(case when pi.posting_date <= %(date)s then pii.stock_qty else 0 end) as qty,
				max(pi.posting_date > %(date)s) as later,
				max(pi.posting_date <= %(date)s and pi.update_stock = 0 and pii.expense_account in %(accounts)s) as posts
			from `tabPurchase Invoice Item` pii
			join `tabPurchase Invoice` pi on pi.name = pii.parent
			where pii.purchase_receipt in %(names)s and pii.pr_detail is not null and pi.docstatus = 1
			group by pii.pr_detail, pii.purchase_receipt
		) b""",
		"b.purchase_receipt",
		params,
	)


def _accrued(switches: tuple, names: tuple) -> dict[tuple, Decimal]:
	"""What switches' journals, posted by the date, credited per (receipt, receipt row) of these
	receipts, chunk by chunk so that memory does not grow with the rows accrued. The chunk's
	receipts are consecutive in the database's order of names: one range of the receipt index,
	rather than a lookup per name (rows in the range of receipts outside the chunk are not asked for)."""
	if not switches or not names:
		return {}
	found: dict[tuple, Decimal] = {}
	for receipt, row, value in frappe.db.sql(
		"""select r.purchase_receipt, r.item_row, cast(r.unbilled_value as char)
		from `tabPerpetual Switch Receipt` r
		where r.purchase_receipt between %(first)s and %(last)s
			and r.parenttype = 'Switch to Perpetual Inventory' and r.parent in %(switches)s""",
		{"switches": switches, "first": names[0], "last": names[-1]},
	):
		key = (receipt, row)
		found[key] = found[key] + Decimal(value or 0) if key in found else Decimal(value or 0)
	return found


def _accruing_switches(company: str, as_of) -> tuple:
	"""The company's switches whose SRBNB journal is posted by the date."""
	return tuple(
		frappe.db.sql_list(
			"""select s.name from `tabSwitch to Perpetual Inventory` s
			join `tabJournal Entry` je on je.name = s.srbnb_journal_entry
			where s.company = %(company)s and s.docstatus = 1 and je.docstatus = 1 and je.posting_date <= %(date)s""",
			{"company": company, "date": as_of},
		)
	)


def _posted_vouchers(voucher_type: str, names: tuple, accounts: tuple) -> set[str]:
	"""Which of these vouchers posted to the accounts."""
	if not names:
		return set()
	return set(
		frappe.db.sql_list(
			"""select distinct voucher_no from `tabGL Entry`
			where voucher_type = %(type)s and voucher_no in %(names)s and account in %(accounts)s and is_cancelled = 0""",
			{"type": voucher_type, "names": names, "accounts": accounts or ("",)},
		)
	)


def _round(value, precision: int) -> Decimal:
	from perpetual_switch.engine.money import round_money

	return round_money(to_decimal(value), precision)


def _per_unit(amount, stock_qty: Decimal) -> Decimal:
	return to_decimal(amount) / stock_qty if stock_qty else Decimal(0)


def _srbnb_cleared(params: dict) -> dict[str, list]:
	"""Per receipt row: (cause, amount) the app's SRBNB clearings, posted by the date, moved out."""
	found: dict[str, list] = {}
	for row, cause, amount in frappe.db.sql(
		f"""
		select l.item_row, l.cause, cast(sum(l.amount) as char)
		from `tab{CLEARING_LINE}` l
		join `tab{CLEARING}` d on d.name = l.parent
		join `tabJournal Entry` je on je.name = d.journal_entry and je.docstatus = 1 and je.posting_date <= %(date)s
		where l.parenttype = '{CLEARING}' and l.source_type = 'Purchase Receipt' and l.source in %(names)s
			and l.item_row is not null
		group by l.item_row, l.cause
		""",
		params,
	):
		found.setdefault(row, []).append((cause, to_decimal(amount)))
	return found


def _cleared(params: dict) -> dict[str, Decimal]:
	"""Per invoice row billing these receipt rows: what the app's clearing journals (posted by
	the date) moved back to SRBNB. A row the app cleared with no journal counts, at zero."""
	return {
		row: to_decimal(value)
		for row, value in frappe.db.sql(
			"""
			select c.invoice_row, cast(sum(case when je.name is null then 0 else c.rate_difference end) as char)
			from `tabPerpetual Switch Clearing` c
			left join `tabJournal Entry` je on je.name = c.journal_entry and je.docstatus = 1
				and je.posting_date <= %(date)s
			where c.status = 'Active' and c.purchase_receipt in %(names)s
			group by c.invoice_row
			""",
			params,
		)
	}


# --- Vouchers: the GL no receipt row accounts for ------------------------------------------------
