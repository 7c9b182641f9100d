"""What no receipt row of Stock Received But Not Billed accounts for, found per voucher in SQL: the GL
of the account grouped by voucher, against the same per-row model (`engine.srbnb_reconcile`) summed
in the database, keeping only the vouchers where the two differ. The receipt rows themselves are
erpnext_io.srbnb's."""

from __future__ import annotations

from decimal import Decimal

import frappe
from frappe.utils import getdate

from perpetual_switch.engine.money import to_decimal
from perpetual_switch.erpnext_io.srbnb import CLEARING, CLEARING_LINE, SWITCH, _amount_difference


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
	# A switch's accrual is summed per switch in one pass over the table (faster than switch by
	# switch through the parent index, a row lookup each).
	others = f"""
		select g.voucher_type, g.voucher_no, g.posting_date, cast(g.held as char),
			cast(coalesce(acc.v, 0) + coalesce(clr.v, 0) as char), '0',
			case when lc.je is not null then 2 when acc.v is not null or clr.v is not null then 1 else 0 end
		from ({_GL_BY_VOUCHER.format(types="voucher_type not in ('Purchase Receipt', 'Purchase Invoice')")}) g
		left join (
			select s.srbnb_journal_entry as je, sum(a.v) as v
			from `tabSwitch to Perpetual Inventory` s
			join (
				select r.parent, sum(round(r.unbilled_value, %(p)s)) as v
				from `tabPerpetual Switch Receipt` r where r.parenttype = '{SWITCH}'
				group by r.parent
			) a on a.parent = s.name
			where s.company = %(company)s and s.docstatus = 1 and s.srbnb_journal_entry is not null
			group by s.srbnb_journal_entry
		) acc on g.voucher_type = 'Journal Entry' and acc.je = g.voucher_no
		left join (
			select c.journal_entry as je, sum(c.rate_difference) as v
			from `tabPerpetual Switch Clearing` c
			where c.company = %(company)s and c.status = 'Active' and c.journal_entry is not null
			group by c.journal_entry
		) clr on g.voucher_type = 'Journal Entry' and clr.je = g.voucher_no
		left join (
			select distinct l.journal_entry as je from `tabPerpetual Switch Late Cost` l
			where l.company = %(company)s and l.status = 'Active' and l.journal_entry is not null
		) lc on g.voucher_type = 'Journal Entry' and lc.je = g.voucher_no
		where round(g.held - coalesce(acc.v, 0) - coalesce(clr.v, 0), %(p)s) != 0
			and not (g.voucher_type = 'Journal Entry' and g.voucher_no in (
				select journal_entry from `tab{CLEARING}` where company = %(company)s and journal_entry is not null))
	"""
	cleared = _cleared_vouchers(params)
	for query in (receipts, invoices, others):
		for voucher_type, voucher_no, posting_date, held, modelled, unlinked, own in frappe.db.sql(query, params):
			# What a clearing moved for this voucher's residual counts as the voucher's own.
			gone = cleared.pop((voucher_type, voucher_no), (None, Decimal(0)))[1]
			# A late-cost journal of the app's (a receipt re-valued at the invoice rate after the
			# switch credits SRBNB as ERPNext would have on the receipt) is a line of its own cause.
			yield (
				voucher_type, voucher_no, getdate(posting_date) if posting_date else None,
				to_decimal(held) + gone, to_decimal(modelled), to_decimal(unlinked), bool(own),
			) + (("late_cost",) if int(own) == 2 else ())
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
