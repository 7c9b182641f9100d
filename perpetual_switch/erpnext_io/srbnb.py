"""Reads for the Stock Received But Not Billed reconciliation.

The receipt rows are read a chunk of receipts at a time (in the order of their names), each chunk
with the invoice rows, returns, accruals and clearings that touch it, so memory stays flat in the
number of rows. What no receipt row accounts for is found per voucher in SQL: the GL of the
account grouped by voucher, against the same per-row model (`engine.srbnb_reconcile`) summed in
the database, keeping only the vouchers where the two differ.
"""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.utils import getdate

from perpetual_switch.engine.money import to_decimal
from perpetual_switch.engine.srbnb_reconcile import Movement, ReceiptFacts, modelled_invoice_row

CHUNK = 2000
SWITCH = "Switch to Perpetual Inventory"
CLEARING = "SRBNB Clearing"
CLEARING_LINE = "SRBNB Clearing Line"


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


def receipt_chunks(company: str, accounts, as_of, precision: int, chunk: int = CHUNK):
	"""Yield, chunk by chunk, lists of (ReceiptFacts, [Movement]) for every stock receipt row."""
	as_of = getdate(as_of)
	after = ""
	while True:
		names = frappe.db.sql_list(
			"""select name from `tabPurchase Receipt`
			where company = %(company)s and docstatus = 1 and is_return = 0 and posting_date <= %(date)s
				and name > %(after)s
			order by name limit %(limit)s""",
			{"company": company, "date": as_of, "after": after, "limit": chunk},
		)
		if not names:
			return
		after = names[-1]
		yield _chunk(company, tuple(names), tuple(accounts), as_of, precision)
		if len(names) < chunk:
			return


def _posted(voucher_type: str, alias: str) -> str:
	return f"""exists(select 1 from `tabGL Entry` g where g.voucher_type = '{voucher_type}'
		and g.voucher_no = {alias}.name and g.account in %(accounts)s and g.is_cancelled = 0)"""


def _chunk(company: str, names: tuple, accounts: tuple, as_of, precision: int) -> list:
	params = {"names": names, "accounts": accounts or ("",), "date": as_of, "company": company}
	rows = frappe.db.sql(
		f"""
		select pr.name, pr.posting_date, coalesce(pr.status, ''), cast(pr.conversion_rate as char),
			pri.name, pri.item_code, cast(pri.stock_qty as char), cast(pri.base_net_amount as char),
			cast(pri.amount as char), cast(pri.net_amount as char), cast({_amount_difference('pri')} as char),
			cast(pri.net_rate as char), cast(pri.item_tax_amount as char), {_posted('Purchase Receipt', 'pr')},
			exists(select 1 from `tabPurchase Invoice Item` later join `tabPurchase Invoice` lh on lh.name = later.parent
				where later.pr_detail = pri.name and lh.docstatus = 1 and lh.posting_date > %(date)s)
		from `tabPurchase Receipt` pr
		join `tabPurchase Receipt Item` pri on pri.parent = pr.name and pri.parenttype = 'Purchase Receipt'
		where pr.name in %(names)s and pri.is_fixed_asset = 0 and pri.item_code is not null
			and pri.item_code not in (select name from `tabItem` where is_stock_item = 0)
		order by pr.name, pri.idx
		""",
		params,
	)
	if not rows:
		return []
	params["rows"] = tuple(r[4] for r in rows)
	receipt_side = {r[4]: (to_decimal(r[3]), to_decimal(r[11]), to_decimal(r[12])) for r in rows}
	billed: dict[str, Decimal] = {}
	returned: dict[str, Decimal] = {}
	movements: dict[str, list] = {}
	cleared = _cleared(params)
	for (pr_detail, invoice, posting_date, is_return, stock_qty, qty, base_net, amount, net_amount, net_rate,
		conversion_rate, item_tax, invoice_row, posted) in frappe.db.sql(
		f"""
		select pii.pr_detail, pi.name, pi.posting_date, pi.is_return, cast(pii.stock_qty as char),
			cast(pii.qty as char), cast(pii.base_net_amount as char), cast(pii.amount as char),
			cast(pii.net_amount as char), cast(pii.net_rate as char), cast(pi.conversion_rate as char),
			cast(pii.item_tax_amount as char), pii.name,
			(pi.update_stock = 0 and pii.expense_account in %(accounts)s and {_posted('Purchase Invoice', 'pi')})
		from `tabPurchase Invoice Item` pii
		join `tabPurchase Invoice` pi on pi.name = pii.parent
		where pii.pr_detail in %(rows)s and pi.docstatus = 1 and pi.posting_date <= %(date)s
		""",
		params,
	):
		stock_qty = to_decimal(stock_qty)
		billed[pr_detail] = billed.get(pr_detail, Decimal(0)) + stock_qty
		if not posted:
			continue
		receipt_rate, receipt_net_rate, receipt_tax = receipt_side[pr_detail]
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
				getdate(posting_date),
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
	for item_row, name, posting_date, stock_qty, base_net, amount_difference, posted in frappe.db.sql(
		f"""
		select ri.purchase_receipt_item, r.name, r.posting_date, cast(ri.stock_qty as char),
			cast(ri.base_net_amount as char), cast({_amount_difference('ri')} as char), {_posted('Purchase Receipt', 'r')}
		from `tabPurchase Receipt Item` ri
		join `tabPurchase Receipt` r on r.name = ri.parent
		where ri.purchase_receipt_item in %(rows)s and r.docstatus = 1 and r.is_return = 1
			and r.posting_date <= %(date)s
		""",
		params,
	):
		qty = -to_decimal(stock_qty)
		returned[item_row] = returned.get(item_row, Decimal(0)) + qty
		if posted:
			movements.setdefault(item_row, []).append(
				Movement("return", "Purchase Receipt", name, getdate(posting_date), qty,
					_round(base_net, precision) + _round(amount_difference, precision))
			)
	accrued = _accrued(params)
	srbnb_cleared = _srbnb_cleared(params)
	result = []
	for (receipt, posting_date, status, conversion_rate, row, item, stock_qty, base_net, amount, net_amount,
		amount_difference, _net_rate, _tax, posted, billed_later) in rows:
		stock_qty = to_decimal(stock_qty)
		if status == "Completed" and billed_later:
			# Completed by invoices after the date: as of the date it was still to bill.
			status = "To Bill"

		facts = ReceiptFacts(
			receipt, row, item, status, getdate(posting_date), stock_qty, to_decimal(base_net),
			returned.get(row, Decimal(0)), billed.get(row, Decimal(0)), to_decimal(amount_difference),
			_per_unit(amount, stock_qty), _per_unit(net_amount, stock_qty), to_decimal(conversion_rate),
			bool(posted), accrued.get(row), tuple(srbnb_cleared.get(row, ())),
		)
		result.append((facts, movements.get(row, ())))
	return result


def _round(value, precision: int) -> Decimal:
	from perpetual_switch.engine.money import round_money

	return round_money(to_decimal(value), precision)


def _per_unit(amount, stock_qty: Decimal) -> Decimal:
	return to_decimal(amount) / stock_qty if stock_qty else Decimal(0)


def _accrued(params: dict) -> dict[str, Decimal]:
	"""What switches' journals, posted by the date, credited for these receipt rows."""
	return {
		row: to_decimal(value)
		for row, value in frappe.db.sql(
			"""
			select r.item_row, cast(sum(r.unbilled_value) as char)
			from `tabPerpetual Switch Receipt` r
			join `tabSwitch to Perpetual Inventory` s on s.name = r.parent
			join `tabJournal Entry` je on je.name = s.srbnb_journal_entry
			where r.parenttype = 'Switch to Perpetual Inventory' and r.item_row in %(rows)s
				and s.docstatus = 1 and je.docstatus = 1 and je.posting_date <= %(date)s
			group by r.item_row
			""",
			params,
		)
	}


def _srbnb_cleared(params: dict) -> dict[str, list]:
	"""Per receipt row: (cause, amount) the app's SRBNB clearings, posted by the date, moved out."""
	found: dict[str, list] = {}
	for row, cause, amount in frappe.db.sql(
		f"""
		select l.item_row, l.cause, cast(sum(l.amount) as char)
		from `tab{CLEARING_LINE}` l
		join `tab{CLEARING}` d on d.name = l.parent
		join `tabJournal Entry` je on je.name = d.journal_entry and je.docstatus = 1 and je.posting_date <= %(date)s
		where l.parenttype = '{CLEARING}' and l.item_row in %(rows)s
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
			where c.status = 'Active' and c.receipt_row in %(rows)s
			group by c.invoice_row
			""",
			params,
		)
	}


# --- Vouchers: the GL no receipt row accounts for ------------------------------------------------

_GL_BY_VOUCHER = """
	select voucher_type, voucher_no, min(posting_date) as posting_date, sum(credit) - sum(debit) as held
	from `tabGL Entry`
	where company = %(company)s and account in %(accounts)s and is_cancelled = 0
		and posting_date <= %(date)s and {types}
	group by voucher_type, voucher_no
"""
_STOCK_ITEM = "pri.item_code not in (select name from `tabItem` where is_stock_item = 0)"


def voucher_remainders(company: str, accounts, as_of, precision: int):
	"""Yield (voucher_type, voucher_no, posting_date, gl, modelled, unlinked, own) for every voucher
	whose GL on the accounts differs from what the receipt rows attribute to it."""
	params = {"company": company, "accounts": tuple(accounts) or ("",), "date": getdate(as_of), "p": precision}
	ri_difference = _amount_difference("ri")
	receipts = f"""
		select g.voucher_type, g.voucher_no, g.posting_date, cast(g.held as char),
			cast(coalesce(m.modelled, 0) as char), '0', 0
		from ({_GL_BY_VOUCHER.format(types="voucher_type = 'Purchase Receipt'")}) g
		left join (
			select ri.parent, sum(round(ri.base_net_amount, %(p)s) + round({ri_difference}, %(p)s)) as modelled
			from `tabPurchase Receipt Item` ri
			join `tabPurchase Receipt` r on r.name = ri.parent
			where r.company = %(company)s and r.docstatus = 1 and r.posting_date <= %(date)s
				and ri.is_fixed_asset = 0 and ri.item_code is not null
				and ri.item_code not in (select name from `tabItem` where is_stock_item = 0)
				and (r.is_return = 0 or ri.purchase_receipt_item is not null)
			group by ri.parent
		) m on m.parent = g.voucher_no
		where round(g.held - coalesce(m.modelled, 0), %(p)s) != 0
	"""
	linked = "pr.name is not null"
	exchange = f"""case when {linked} and pr.conversion_rate != pi.conversion_rate and pii.net_rate = pri.net_rate
		then round(pii.qty * pii.net_rate * (pr.conversion_rate - pi.conversion_rate), %(p)s) else 0 end"""
	tax = f"case when {linked} and coalesce(pri.item_tax_amount, 0) = 0 then round(pii.item_tax_amount, %(p)s) else 0 end"
	invoices = f"""
		select g.voucher_type, g.voucher_no, g.posting_date, cast(g.held as char),
			cast(coalesce(m.modelled, 0) as char), cast(coalesce(m.unlinked, 0) as char), 0
		from ({_GL_BY_VOUCHER.format(types="voucher_type = 'Purchase Invoice'")}) g
		left join (
			select pii.parent,
				sum(case when {linked} then -(round(pii.base_net_amount, %(p)s) + {exchange} + {tax}) else 0 end) as modelled,
				sum(case when {linked} then 0 else -round(pii.base_net_amount, %(p)s) end) as unlinked
			from `tabPurchase Invoice Item` pii
			join `tabPurchase Invoice` pi on pi.name = pii.parent
			left join `tabPurchase Receipt Item` pri on pri.name = pii.pr_detail and pri.is_fixed_asset = 0
				and pri.item_code is not null and {_STOCK_ITEM}
			left join `tabPurchase Receipt` pr on pr.name = pri.parent and pr.docstatus = 1 and pr.is_return = 0
				and pr.company = %(company)s and pr.posting_date <= %(date)s
			where pi.company = %(company)s and pi.docstatus = 1 and pi.update_stock = 0
				and pi.posting_date <= %(date)s and pii.expense_account in %(accounts)s
			group by pii.parent
		) m on m.parent = g.voucher_no
		where round(g.held - coalesce(m.modelled, 0), %(p)s) != 0
	"""
	others = f"""
		select g.voucher_type, g.voucher_no, g.posting_date, cast(g.held as char),
			cast(coalesce(acc.v, 0) + coalesce(clr.v, 0) as char), '0',
			(acc.v is not null or clr.v is not null)
		from ({_GL_BY_VOUCHER.format(types="voucher_type not in ('Purchase Receipt', 'Purchase Invoice')")}) g
		left join (
			select s.srbnb_journal_entry as je, sum(round(r.unbilled_value, %(p)s)) as v
			from `tabSwitch to Perpetual Inventory` s
			join `tabPerpetual Switch Receipt` r on r.parent = s.name and r.parenttype = '{SWITCH}'
			where s.company = %(company)s and s.docstatus = 1 and s.srbnb_journal_entry is not null
			group by s.srbnb_journal_entry
		) acc on g.voucher_type = 'Journal Entry' and acc.je = g.voucher_no
		left join (
			select c.journal_entry as je, sum(c.rate_difference) as v
			from `tabPerpetual Switch Clearing` c
			where c.company = %(company)s and c.status = 'Active' and c.journal_entry is not null
			group by c.journal_entry
		) clr on g.voucher_type = 'Journal Entry' and clr.je = g.voucher_no
		where round(g.held - coalesce(acc.v, 0) - coalesce(clr.v, 0), %(p)s) != 0
			and not (g.voucher_type = 'Journal Entry' and g.voucher_no in (
				select journal_entry from `tab{CLEARING}` where company = %(company)s and journal_entry is not null))
	"""
	cleared = _cleared_vouchers(params)
	for query in (receipts, invoices, others):
		for voucher_type, voucher_no, posting_date, held, modelled, unlinked, own in frappe.db.sql(query, params):
			# What a clearing moved for this voucher's residual counts as the voucher's own.
			gone = cleared.pop((voucher_type, voucher_no), (None, Decimal(0)))[1]
			yield (
				voucher_type, voucher_no, getdate(posting_date) if posting_date else None,
				to_decimal(held) + gone, to_decimal(modelled), to_decimal(unlinked), bool(own),
			)
	# A voucher whose residual a clearing moved and that no longer shows one (cancelled since):
	# the clearing's part for it stays a line of its cause.
	for (voucher_type, voucher_no), (cause, amount) in sorted(cleared.items()):
		yield (voucher_type, voucher_no, None, amount, Decimal(0), Decimal(0), True, cause)
	yield from _clearing_journals(params)


def _cleared_vouchers(params: dict) -> dict:
	"""(voucher type, voucher) -> (cause, what clearings posted by the date moved for its residual)."""
	found: dict = {}
	for voucher_type, voucher_no, cause, amount in frappe.db.sql(
		f"""
		select l.source_type, l.source, l.cause, cast(sum(l.amount) as char)
		from `tab{CLEARING_LINE}` l
		join `tab{CLEARING}` d on d.name = l.parent
		join `tabJournal Entry` je on je.name = d.journal_entry and je.docstatus = 1 and je.posting_date <= %(date)s
		where l.parenttype = '{CLEARING}' and d.company = %(company)s and l.item_row is null
		group by l.source_type, l.source, l.cause
		""",
		params,
	):
		previous = found.get((voucher_type, voucher_no), (cause, Decimal(0)))[1]
		found[(voucher_type, voucher_no)] = (cause, previous - to_decimal(amount))
	return found


def _clearing_journals(params: dict):
	"""The app's SRBNB clearing journals: their lines for receipt rows are the rows' (each row shows
	what was cleared of it), their lines for vouchers the vouchers'; anything else is left over."""
	for name, posting_date, held in frappe.db.sql(
		f"""
		select g.voucher_no, g.posting_date, cast(g.held as char)
		from ({_GL_BY_VOUCHER.format(types="voucher_type = 'Journal Entry'")}) g
		where g.voucher_no in (select journal_entry from `tab{CLEARING}` where company = %(company)s and journal_entry is not null)
		""",
		params,
	):
		posting_date, held = getdate(posting_date), to_decimal(held)
		by_row, by_cause = Decimal(0), {}
		for item_row, cause, amount in frappe.db.sql(
			f"""select l.item_row, l.cause, cast(l.amount as char) from `tab{CLEARING_LINE}` l
			join `tab{CLEARING}` d on d.name = l.parent
			where d.journal_entry = %(je)s and l.parenttype = '{CLEARING}'""",
			{"je": name},
		):
			if item_row:
				by_row -= to_decimal(amount)
			else:
				by_cause[cause] = by_cause.get(cause, Decimal(0)) - to_decimal(amount)
		# The voucher lines' part is theirs (see `_cleared_vouchers`): anything else is left over.
		yield ("Journal Entry", name, posting_date, held - by_row - sum(by_cause.values(), Decimal(0)), Decimal(0), Decimal(0), True)


def srbnb_vouchers_on(company: str, accounts, since, until) -> list[tuple[str, str]]:
	"""Vouchers dated after `since` up to `until` that moved the accounts (for the drift watch)."""
	if not accounts:
		return []
	return [
		(t, n)
		for t, n in frappe.db.sql(
			"""
			select voucher_type, voucher_no from `tabGL Entry`
			where company = %(company)s and account in %(accounts)s and is_cancelled = 0
				and posting_date > %(since)s and posting_date <= %(until)s
			group by voucher_type, voucher_no
			order by min(posting_date), voucher_no
			limit 50
			""",
			{"company": company, "accounts": tuple(accounts), "since": getdate(since), "until": getdate(until)},
		)
	]
