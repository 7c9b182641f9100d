"""Reads ERPNext into engine inputs. Every ledger figure is one SQL aggregate; nothing loops over ledger rows.

Sums are cast to CHAR in SQL so that they reach Decimal without passing through a binary float.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.meta import get_field_precision
from frappe.utils import getdate

from perpetual_switch.engine.models import (
	COMPANY_DEFAULT_FIELDS,
	Account,
	AccountingPeriod,
	Company,
	CostCenter,
	ITEM_WISE_FIELD,
	DatedDocument,
	ItemStock,
	NegativeBin,
	ReceiptRow,
	SwitchInputs,
	SwitchOptions,
	Warehouse,
)
from perpetual_switch.engine.money import to_decimal
from perpetual_switch.engine.operation import BackdatedInputs, SchemeInputs, choose
from perpetual_switch.erpnext_io.ledger_pass import bin_cells, scheme_cells, stock_ledger_pass_alongside
from perpetual_switch.erpnext_io.switch_records import applied_switches

SAMPLE = 5
CANDIDATE_TYPES = (
	"Stock",
	"Stock Received But Not Billed",
	"Stock Adjustment",
	"Expenses Included In Valuation",
	"Round Off",
)


def currency_precision(currency: str) -> int:
	return int(get_field_precision(frappe.get_meta("GL Entry").get_field("debit"), currency=currency) or 2)




def company_default_fields() -> tuple[str, ...]:
	"""The switch's company defaults that this site's Company has (version 16 dropped
	expenses_included_in_valuation, for one)."""
	meta = frappe.get_meta("Company")
	return tuple(f for f in COMPANY_DEFAULT_FIELDS if meta.has_field(f))


def item_wise_available() -> bool:
	"""Whether this site books stock per item (a Company setting and an Item Default account)."""
	return frappe.get_meta("Company").has_field(ITEM_WISE_FIELD) and frappe.get_meta("Item Default").has_field(
		"default_inventory_account"
	)


def read_company(name: str) -> Company:
	default_fields = company_default_fields()
	fields = ["name", "default_currency", "enable_perpetual_inventory", "default_expense_account"]
	if item_wise_available():
		fields.append(ITEM_WISE_FIELD)
	row = frappe.db.get_value("Company", name, fields + list(default_fields), as_dict=True)
	return Company(
		name=row.name,
		currency=row.default_currency,
		precision=currency_precision(row.default_currency),
		perpetual_inventory=bool(row.enable_perpetual_inventory),
		default_expense_account=row.default_expense_account,
		defaults={f: row.get(f) for f in default_fields},
		default_fields=default_fields,
		item_wise_inventory=bool(row.get(ITEM_WISE_FIELD)),
	)


def read_inputs(options: SwitchOptions, exclude_switch: str | None = None, progress=None) -> SwitchInputs:
	"""Everything the engine needs; `progress(percent, description)` is told as each part is read."""
	progress = progress or (lambda percent, description: None)
	cutover_date = getdate(options.cutover_date)
	expense_account, cost_center = options.expense_account, options.cost_center
	freeze_stock, freeze_accounts = options.freeze_stock, options.freeze_accounts
	default_overrides = {k: v for k, v in (options.company_defaults or {}).items() if v}
	company = read_company(options.company)
	# The one place the operation is decided: from the company as it is now and the options.
	operation = choose(company.perpetual_inventory, options.scheme, options.backdated)
	expense_account = expense_account or company.default_expense_account
	cost_center = cost_center or company.default("cost_center")

	warehouses = read_warehouses(company.name)
	referenced = {w.account for w in warehouses if w.account} | {
		a for a in [expense_account, *(default_overrides or {}).values()] if isinstance(a, str) and a
	}
	accounts = read_accounts(company.name, referenced)
	cost_centers = read_cost_centers(company.name, [cost_center or "", *(default_overrides or {}).values()])
	candidates: dict[str, list[str]] = {}
	for account in sorted(accounts.values(), key=lambda a: a.name):
		if account.company == company.name and not account.is_group and not account.disabled:
			if account.account_type in CANDIDATE_TYPES:
				candidates.setdefault(account.account_type, []).append(account.name)

	relevant = {a.name for a in accounts.values() if a.account_type in ("Stock", "Stock Received But Not Billed")}
	relevant |= {w.account for w in warehouses if w.account}
	# A change of scheme needs the stock per item and warehouse (see scheme_cells), where the site has
	# item-wise accounts; it reads no receipts.
	available = item_wise_available()
	scheme = operation.is_scheme and available
	progress(20, _("Stock value per warehouse"))
	with stock_ledger_pass_alongside(company.name, cutover_date, [w.name for w in warehouses]) as ledger_pass:
		progress(40, _("GL balance per account"))
		gl_balances = gl_balance_by_account(company.name, cutover_date, relevant)
		receipts, bins = (), ()
		if scheme:
			progress(60, _("Stock value per item and warehouse"))
			bins = bin_cells([w.name for w in warehouses if not w.is_group])
			items = items_of_cells(company.name, bins)
		elif operation.reads_receipts:
			progress(60, _("Receipts not billed"))
			receipts = receipt_rows(company.name, cutover_date, billed_later=operation.is_backdated)
		invoices_after, invoices_after_count = later_purchase_invoices(company.name, cutover_date)
		reposts = pending_reposts(company.name, cutover_date)
		below_zero = negative_bins(company.name)
		stock_values, after_count, negative_count = ledger_pass()
	if scheme:
		cells = scheme_cells(company.name, cutover_date, bins, stock_values)
		if cells is not bins:
			items = items_of_cells(company.name, cells)
	else:
		cells = ()
		items = item_stock(company.name, cutover_date) if company.item_wise_inventory else ()
	progress(80, _("Documents after the cutover"))
	# Samples to name in the blockers, only when the one pass found any.
	stock_after = later_stock_ledger(company.name, cutover_date)[0] if after_count else ()
	negative = negative_running(company.name, cutover_date)[0] if negative_count else ()
	if operation.is_backdated:
		from perpetual_switch.erpnext_io import backdated as later_documents

		vouchers = later_documents.vouchers_after(company.name, cutover_date)
		stock_accounts = {a.name for a in accounts.values() if a.account_type == "Stock"} | {
			w.account for w in warehouses if w.account
		}
		operation = replace(
			operation,
			backdated=BackdatedInputs(
				repost_vouchers=vouchers,
				period_closings_after=later_documents.period_closings_after(company.name, cutover_date),
				closed_periods_after=later_documents.closed_periods_after(
					company.name, cutover_date, {v.voucher_type for v in vouchers} | {"Journal Entry"}
				),
				manual_journals_after=later_documents.manual_stock_journals(company.name, cutover_date, stock_accounts),
			),
		)
	if operation.is_scheme:
		operation = replace(
			operation,
			scheme=SchemeInputs(options.scheme, bool(options.resync), available, cells),
		)

	return SwitchInputs(
		company=company,
		cutover_date=cutover_date,
		today=getdate(),
		expense_account=expense_account,
		cost_center=cost_center,
		warehouses=warehouses,
		accounts=accounts,
		cost_centers=cost_centers,
		stock_values=stock_values,
		gl_balances=gl_balances,
		receipt_rows=receipts,
		account_candidates={k: tuple(v) for k, v in candidates.items()},
		stock_entries_after=stock_after,
		stock_ledger_after_count=after_count,
		purchase_invoices_after=invoices_after,
		purchase_invoices_after_count=invoices_after_count,
		negative_stock_allowed=bool(frappe.db.get_single_value("Stock Settings", "allow_negative_stock")),
		negative_bins=below_zero,
		pending_reposts=reposts[0],
		pending_reposts_count=reposts[1],
		# A change of scheme comes after any switch and does not ask which one can still be rolled back.
		active_switch=None if operation.stacks_on_a_switch else active_switch(company.name, exclude=exclude_switch),
		has_fiscal_year=has_fiscal_year(company.name, cutover_date),
		journal_period_closed=closed_period(company.name, cutover_date, "Journal Entry"),
		accounts_frozen_upto=accounts_frozen_upto(company.name),
		freeze_stock=freeze_stock,
		freeze_accounts=freeze_accounts,
		freeze_start=freeze_start(cutover_date),
		accounting_periods=accounting_periods(company.name),
		default_overrides=default_overrides or {},
		country=frappe.get_cached_value("Company", company.name, "country"),
		negative_running=negative,
		negative_running_count=negative_count,
		item_stock=items,
		periodic_entries=periodic_entries(company.name, cutover_date),
		operation=operation,
	)


def read_warehouses(company: str) -> tuple[Warehouse, ...]:
	"""The company's warehouses, tree order."""
	return tuple(
		Warehouse(w.name, w.company, w.parent_warehouse or None, bool(w.is_group), w.account or None, bool(w.disabled))
		for w in frappe.get_all(
			"Warehouse",
			filters={"company": company},
			fields=["name", "company", "parent_warehouse", "is_group", "account", "disabled"],
			order_by="lft",
		)
	)


def read_cost_centers(company: str, referenced) -> dict[str, CostCenter]:
	"""The company's cost centers and the referenced ones (of any company, to say whose they are)."""
	return {
		c.name: CostCenter(c.name, c.company, bool(c.is_group), bool(c.disabled))
		for c in frappe.get_all(
			"Cost Center",
			or_filters={"company": company, "name": ("in", [r for r in referenced if isinstance(r, str)] or [""])},
			fields=["name", "company", "is_group", "disabled"],
		)
	}


def read_accounts(company: str, referenced: set[str]) -> dict[str, Account]:
	rows = frappe.get_all(
		"Account",
		or_filters={"company": company, "name": ("in", list(referenced) or [""])},
		fields=["name", "company", "is_group", "disabled", "account_type", "root_type", "report_type"],
	)
	return {
		r.name: Account(
			r.name, r.company, bool(r.is_group), bool(r.disabled), r.account_type or None, r.root_type, r.report_type
		)
		for r in rows
	}


def gl_balance_by_account(company: str, on_date: date, accounts) -> dict:
	accounts = tuple(sorted(a for a in accounts if a))
	if not accounts:
		return {}
	rows = frappe.db.sql(
		"""
		select account, cast(sum(debit) - sum(credit) as char)
		from `tabGL Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			and account in %(accounts)s
		group by account
		""",
		{"company": company, "date": on_date, "accounts": accounts},
	)
	return {account: to_decimal(value) for account, value in rows}


# The inventory account an item, its item group and its brand hold for %(company)s (ERPNext's item-wise
# order), joined to `item`: one text for every query that resolves item accounts.
ITEM_ACCOUNTS = """left join `tabItem Default` own
			on own.parenttype = 'Item' and own.parent = item.name and own.company = %(company)s
		left join `tabItem Default` grp
			on grp.parenttype = 'Item Group' and grp.parent = item.item_group and grp.company = %(company)s
		left join `tabItem Default` brand
			on brand.parenttype = 'Brand' and brand.parent = item.brand and brand.company = %(company)s"""


def item_stock(company: str, cutover_date: date) -> tuple[ItemStock, ...]:
	"""Stock value and quantity per item on or before the cutover, with the inventory account the
	item, its item group and its brand each hold for the company (ERPNext's item-wise order)."""
	rows = frappe.db.sql(
		f"""
		select s.item_code, cast(s.value as char), cast(s.qty as char),
			own.default_inventory_account, item.item_group, grp.default_inventory_account,
			item.brand, brand.default_inventory_account
		from (
			select item_code, sum(stock_value_difference) as value, sum(actual_qty) as qty
			from `tabStock Ledger Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			group by item_code
		) s
		join `tabItem` item on item.name = s.item_code
		{ITEM_ACCOUNTS}
		""",
		{"company": company, "date": cutover_date},
	)
	return tuple(
		ItemStock(code, to_decimal(value), to_decimal(qty), own or None, group, group_acc or None, brand, brand_acc or None)
		for code, value, qty, own, group, group_acc, brand, brand_acc in rows
	)


def items_of_cells(company: str, cells) -> tuple[ItemStock, ...]:
	"""Per item of `cells`: its stock value and quantity, and the inventory account its item, item
	group and brand hold for the company."""
	totals: dict[str, list] = {}
	for cell in cells:
		total = totals.get(cell.item_code)
		if total is None:
			totals[cell.item_code] = [cell.stock_value, cell.stock_qty]
		else:
			total[0] += cell.stock_value
			total[1] += cell.stock_qty
	codes = sorted(totals)
	accounts = {}
	for start in range(0, len(codes), 5000):
		rows = frappe.db.sql(
			f"""
			select item.name, own.default_inventory_account, item.item_group, grp.default_inventory_account,
				item.brand, brand.default_inventory_account
			from `tabItem` item
			{ITEM_ACCOUNTS}
			where item.name in %(items)s
			""",
			{"company": company, "items": tuple(codes[start : start + 5000])},
		)
		for code, own, group, group_account, brand, brand_account in rows:
			accounts[code] = (own or None, group, group_account or None, brand, brand_account or None)
	return tuple(
		ItemStock(code, *totals[code], *accounts.get(code, (None, None, None, None, None))) for code in codes
	)


def periodic_entries(company: str, cutover_date: date) -> tuple[DatedDocument, ...]:
	"""Periodic Accounting Entries (a journal type ERPNext 16 added; none exist before it)."""
	rows = frappe.db.sql(
		"""select name, posting_date from `tabJournal Entry`
		where company = %(company)s and docstatus = 1 and voucher_type = 'Periodic Accounting Entry'
			and posting_date <= %(date)s
		order by posting_date, name""",
		{"company": company, "date": cutover_date},
	)
	return tuple(DatedDocument("Journal Entry", name, getdate(posting_date)) for name, posting_date in rows)


def receipt_rows(company: str, cutover_date: date, billed_later: bool = False) -> tuple[ReceiptRow, ...]:
	"""Submitted receipt rows of stock items with quantity left to bill at the cutover.

	Returned and billed quantities count only documents dated on or before the cutover. The query
	starts from the company's receipts. Returns are few: they are summed once, from the return
	receipts' headers, and joined to the rows. Invoice rows are many: each receipt row looks its
	own up through their indexed link, row first (grouping every invoice row costs more than the
	lookups, and letting the optimizer start a lookup from the headers scans them once per row).
	Non-stock items are few too: rows are checked against their list rather than each looking its
	item up.

	Each receipt comes back as one text field holding its rows, each row's quantities and amounts
	first as exact decimal text: the driver reads every row and converts every field on its own
	(and DECIMAL columns to floats), which for tens of thousands of rows costs more than the query.
	The receipts are read in the order of their primary key, so grouping their rows needs no
	temporary table; only the receipts are sorted after.

	A receipt marked Completed was billed by the cutover unless invoices came after it
	(`billed_later`, a backdated switch): then every receipt is looked at."""
	params = {"company": company, "date": cutover_date, "billed_later": int(billed_later)}
	rows = _packed_receipt_rows(params)
	if rows is None:
		# A name holds a separator, or a receipt's rows did not fit: read the columns one by one.
		rows = frappe.db.sql(_with_difference(_RECEIPT_ROWS), params)
	result = []
	for qty, amount, returned, billed, status, item, row, receipt in rows:
		qty, returned, billed = Decimal(qty), Decimal(returned), Decimal(billed)
		if qty - returned - billed > 0:
			result.append(ReceiptRow(receipt, row, item, status, qty, Decimal(amount), returned, billed))
	return tuple(result)


def _packed_receipt_rows(params: dict) -> list | None:
	"""The receipt rows as lists of eight texts, or None when a receipt's text cannot be split back
	into exactly the rows it counted."""
	rows = []
	for count, packed in frappe.db.sql(_with_difference(_RECEIPTS_PACKED), params):
		parts = packed.split(_ROW_SEPARATOR) if packed is not None else []
		if len(parts) != count:
			return None
		for part in parts:
			fields = part.split(_FIELD_SEPARATOR)
			if len(fields) != 8:
				return None
			rows.append(fields)
	return rows


def _with_difference(sql: str) -> str:
	from perpetual_switch.erpnext_io.srbnb import _amount_difference

	return sql.replace("{difference}", _amount_difference("pri"))


_FIELD_SEPARATOR = "\x01"
_ROW_SEPARATOR = "\x02"
# Quantities and amounts as exact decimal text (the driver would hand DECIMAL columns over as floats).
# A row's value is what perpetual inventory credits SRBNB with for it: its net amount, and what Buying
# Settings' re-valuation at the invoice rate added (ERPNext credits that on the receipt itself).
_PLAIN_COLUMNS = """cast(pri.stock_qty as char), cast(pri.base_net_amount + {difference} as char), cast(coalesce(ret.qty, 0) as char),
	cast(coalesce((
		select sum(pii.stock_qty)
		from `tabPurchase Invoice Item` pii
		straight_join `tabPurchase Invoice` pi on pi.name = pii.parent
		where pii.pr_detail = pri.name and pi.docstatus = 1 and pi.posting_date <= %(date)s
	), 0) as char),
	coalesce(pr.status, ''), pri.item_code, pri.name, pr.name"""
_RECEIPTS_OF_COMPANY = """
select {columns}
from `tabPurchase Receipt` pr {index}
join `tabPurchase Receipt Item` pri on pri.parent = pr.name
left join (
	select ri.purchase_receipt_item as item_row, -sum(ri.stock_qty) as qty
	from `tabPurchase Receipt` r
	straight_join `tabPurchase Receipt Item` ri on ri.parent = r.name
	where r.docstatus = 1 and r.is_return = 1 and r.posting_date <= %(date)s
		and ri.purchase_receipt_item is not null
	group by ri.purchase_receipt_item
) ret on ret.item_row = pri.name
where pr.company = %(company)s and pr.docstatus = 1 and pr.is_return = 0
	and pr.posting_date <= %(date)s and (pr.status != 'Completed' or %(billed_later)s)
	and pri.is_fixed_asset = 0 and pri.item_code is not null
	and pri.item_code not in (select name from `tabItem` where is_stock_item = 0)
{order}
"""
# The separators are literals in the statement: group_concat takes no expression for them.
_RECEIPTS_PACKED = "set statement group_concat_max_len = 16777216 for " + _RECEIPTS_OF_COMPANY.format(
	columns=f"""count(*), group_concat(concat_ws('{_FIELD_SEPARATOR}', {_PLAIN_COLUMNS})
		order by pri.idx separator '{_ROW_SEPARATOR}')""",
	index="force index (primary)",
	order="group by pr.name order by pr.posting_date, pr.name",
)
_RECEIPT_ROWS = _RECEIPTS_OF_COMPANY.format(
	columns=_PLAIN_COLUMNS, index="", order="order by pr.posting_date, pr.name, pri.idx"
)


def _voucher_sample(sql: str, params: dict) -> tuple[tuple[DatedDocument, ...], int]:
	"""Run a query selecting (voucher_type, voucher_no, first date, total rows): a sample and the count."""
	rows = frappe.db.sql(sql, {**params, "limit": SAMPLE})
	return tuple(DatedDocument(t, n, d) for t, n, d, _count in rows), int(rows[0][3]) if rows else 0


def later_stock_ledger(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	return _voucher_sample(
		"""select voucher_type, voucher_no, min(posting_date), sum(count(*)) over ()
		from `tabStock Ledger Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s
		group by voucher_type, voucher_no order by min(posting_date), voucher_no limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def negative_running(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	"""Stock movements on or before the cutover after which an item's quantity was below zero."""
	return _voucher_sample(
		"""select voucher_type, voucher_no, min(posting_date), sum(count(*)) over ()
		from `tabStock Ledger Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date <= %(date)s
			and qty_after_transaction < 0
		group by voucher_type, voucher_no order by min(posting_date), voucher_no limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def later_purchase_invoices(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	return _voucher_sample(
		"""select 'Purchase Invoice', name, posting_date, count(*) over ()
		from `tabPurchase Invoice`
		where company = %(company)s and docstatus = 1 and posting_date > %(date)s
		order by posting_date, name limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def pending_reposts(company: str, cutover_date: date) -> tuple[tuple[DatedDocument, ...], int]:
	"""Repost Item Valuations of the company from on or before the cutover that have not completed."""
	return _voucher_sample(
		"""select 'Repost Item Valuation', name, posting_date, count(*) over ()
		from `tabRepost Item Valuation`
		where company = %(company)s and docstatus = 1 and posting_date <= %(date)s
			and status in ('Queued', 'In Progress', 'Failed')
		order by posting_date, name limit %(limit)s""",
		{"company": company, "date": cutover_date},
	)


def negative_bins(company: str) -> tuple[NegativeBin, ...]:
	"""Bins of the company's warehouses below zero. Negative bins are few on any site: finding
	them first and their warehouses' company after is a short scan, where joining every bin to
	its warehouse costs ten times more."""
	rows = frappe.db.sql(
		"""select item_code, warehouse, cast(actual_qty as char) from `tabBin`
		where actual_qty < 0 order by warehouse, item_code""",
	)
	if not rows:
		return ()
	ours = set(
		frappe.get_all(
			"Warehouse", filters={"company": company, "name": ("in", sorted({w for _i, w, _q in rows}))}, pluck="name"
		)
	)
	return tuple(NegativeBin(i, w, to_decimal(q)) for i, w, q in rows if w in ours)[:50]


def stock_and_srbnb_accounts(company: str) -> tuple[str, ...]:
	"""Every account of the company that perpetual inventory posts stock or SRBNB to: those typed so,
	the warehouses' own accounts and the company's defaults."""
	names = set(
		frappe.get_all(
			"Account",
			filters={"company": company, "account_type": ("in", ["Stock", "Stock Received But Not Billed"])},
			pluck="name",
		)
	)
	names |= set(frappe.get_all("Warehouse", filters={"company": company, "account": ("is", "set")}, pluck="account"))
	defaults = frappe.db.get_value("Company", company, ["default_inventory_account", "stock_received_but_not_billed"])
	return tuple(sorted(names | {a for a in defaults or () if a}))


def posted_after_switch(
	switch: str, company: str, cutover_date, applied_on, own_journals
) -> tuple[tuple[DatedDocument, ...], int]:
	"""Documents after the cutover that moved stock, or that posted to a stock or SRBNB account since
	the switch was applied (entries by hand from before it stay as they were), other than the ones the
	switch itself reposted or posted (`own_journals`): all of them are counted, the first few named. The app's clearing and late-cost journals are named by the document they
	were made for, which is the one to cancel."""
	rows = frappe.db.sql(
		"""select coalesce(made_for.voucher_type, moved.voucher_type) as doctype,
			coalesce(made_for.voucher_no, moved.voucher_no) as docname, min(moved.posting_date) as first_date,
			count(*) over () as total
		from (
			select voucher_type, voucher_no, posting_date from `tabStock Ledger Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s
			union all
			select voucher_type, voucher_no, posting_date from `tabGL Entry`
			where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s and account in %(accounts)s
				and creation >= %(applied_on)s
		) moved
		left join (
			select journal_entry, 'Purchase Invoice' as voucher_type, purchase_invoice as voucher_no
			from `tabPerpetual Switch Clearing` where switch = %(switch)s and journal_entry is not null
			union all
			select journal_entry, voucher_type, voucher_no
			from `tabPerpetual Switch Late Cost` where switch = %(switch)s and journal_entry is not null
		) made_for on moved.voucher_type = 'Journal Entry' and made_for.journal_entry = moved.voucher_no
		where not (moved.voucher_type = 'Journal Entry' and moved.voucher_no in %(own)s)
			and not exists (
				select 1 from `tabPerpetual Switch Repost` r where r.switch = %(switch)s
					and r.voucher_type = coalesce(made_for.voucher_type, moved.voucher_type)
					and r.voucher_no = coalesce(made_for.voucher_no, moved.voucher_no))
		group by doctype, docname
		order by first_date, docname
		limit %(limit)s""",
		{
			"company": company,
			"date": getdate(cutover_date),
			"switch": switch,
			"applied_on": applied_on or datetime(1900, 1, 1),
			"accounts": stock_and_srbnb_accounts(company) or ("",),
			"own": tuple(sorted(j for j in own_journals if j)) or ("",),
			"limit": SAMPLE,
		},
	)
	return tuple(DatedDocument(t, n, d) for t, n, d, _count in rows), int(rows[0][3]) if rows else 0


def active_switch(company: str, exclude: str | None = None) -> str | None:
	"""The applied switch that can still be rolled back: no stock has moved after its cutover."""
	for switch in applied_switches(company):
		if switch.name != exclude and not later_stock_ledger(company, getdate(switch.cutover_date))[1]:
			return switch.name
	return None


def has_fiscal_year(company: str, on_date: date) -> bool:
	from erpnext.accounts.utils import get_fiscal_years

	return bool(get_fiscal_years(on_date, company=company, verbose=0, boolean=True))


def closed_period(company: str, on_date: date, doctype: str) -> str | None:
	rows = frappe.db.sql(
		"""select ap.name from `tabAccounting Period` ap
		join `tabClosed Document` cd on cd.parent = ap.name
		where ap.company = %(company)s and cd.document_type = %(doctype)s and cd.closed = 1
			and %(date)s between ap.start_date and ap.end_date
		limit 1""",
		{"company": company, "date": on_date, "doctype": doctype},
	)
	return rows[0][0] if rows else None


def accounts_frozen_upto(company: str) -> date | None:
	"""Version 15 keeps the frozen date in Accounts Settings; later versions moved it to the company."""
	if frappe.get_meta("Company").has_field("accounts_frozen_till_date"):
		value = frappe.db.get_value("Company", company, "accounts_frozen_till_date")
	else:
		value = frappe.db.get_single_value("Accounts Settings", "acc_frozen_upto")
	return getdate(value) if value else None


def freeze_start(cutover_date: date) -> date:
	"""Start of the earliest fiscal year: no document can be dated before it anyway."""
	earliest = frappe.db.sql("select min(year_start_date) from `tabFiscal Year`")[0][0]
	return min(getdate(earliest), cutover_date) if earliest else cutover_date


def accounting_periods(company: str) -> tuple[AccountingPeriod, ...]:
	periods = frappe.get_all(
		"Accounting Period", filters={"company": company}, fields=["name", "start_date", "end_date"]
	)
	closed = {}
	for parent, doctype in frappe.db.sql(
		"""select cd.parent, cd.document_type from `tabClosed Document` cd
		join `tabAccounting Period` ap on ap.name = cd.parent
		where ap.company = %(company)s and cd.closed = 1""",
		{"company": company},
	):
		closed.setdefault(parent, set()).add(doctype)
	return tuple(
		AccountingPeriod(p.name, getdate(p.start_date), getdate(p.end_date), frozenset(closed.get(p.name, ())))
		for p in periods
	)


def total_assets(company: str, on_date: date):
	"""Balance sheet total: the debit balance of the company's asset accounts on a date."""
	value = frappe.db.sql(
		"""
		select cast(sum(gle.debit) - sum(gle.credit) as char)
		from `tabGL Entry` gle join `tabAccount` acc on acc.name = gle.account
		where gle.company = %(company)s and gle.is_cancelled = 0 and acc.root_type = 'Asset'
			and gle.posting_date <= %(date)s
		""",
		{"company": company, "date": getdate(on_date)},
	)[0][0]
	return to_decimal(value)


def exists(doctype: str, name: str | None) -> bool:
	return bool(name) and bool(frappe.db.exists(doctype, name))


def company_state(company: str):
	return frappe.db.get_value("Company", company, ["country", "default_currency", "enable_perpetual_inventory"], as_dict=True)
