"""Reads and writes for the SNC offers: settings, accounts per item, offer costs, the yearly log."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import frappe

from perpetual_switch.engine.money import to_decimal
from perpetual_switch.engine.snc import OfferAccounts, OfferDecision, OfferLimits

SETTINGS = "SNC Settings"
LOG = "SNC Offer Log"


def settings(company: str):
	"""The company's SNC settings, or None when it has none (then nothing SNC happens)."""
	if not company or not frappe.db.exists(SETTINGS, company):
		return None
	return frappe.get_cached_doc(SETTINGS, company)


def country(company: str) -> str | None:
	return frappe.get_cached_value("Company", company, "country")


def stock_items(item_codes) -> set[str]:
	item_codes = sorted({c for c in item_codes if c})
	if not item_codes:
		return set()
	return set(frappe.get_all("Item", filters={"name": ("in", item_codes), "is_stock_item": 1}, pluck="name"))


def offer_accounts(company: str, item_codes, conf) -> dict[str, OfferAccounts]:
	"""Accounts per item: the item's defaults for the company, else its item group's, else the settings."""
	item_codes = sorted({c for c in item_codes if c})
	if not item_codes:
		return {}
	groups = dict(frappe.get_all("Item", filters={"name": ("in", item_codes)}, fields=["name", "item_group"], as_list=True))
	parents = tuple(sorted(set(item_codes) | {g for g in groups.values() if g}))
	overrides = {
		row.parent: row
		for row in frappe.get_all(
			"Item Default",
			filters={"parent": ("in", parents), "company": company},
			fields=["parent", "snc_reo_account", "snc_coe_account", "snc_ieo_account"],
		)
	}
	vat_account = vat_rate_and_account(conf)[1]

	def pick(item, field, fallback):
		for parent in (item, groups.get(item)):
			value = overrides.get(parent, {}).get(field) if parent in overrides else None
			if value:
				return value
		return fallback

	return {
		item: OfferAccounts(
			pick(item, "snc_reo_account", conf.reo_account),
			pick(item, "snc_coe_account", conf.coe_account),
			pick(item, "snc_ieo_account", conf.ieo_account),
			vat_account,
		)
		for item in item_codes
	}


def vat_rate_and_account(conf, rate: Decimal | None = None) -> tuple[Decimal, str | None]:
	"""The VAT rate and IVA liquidado account: the invoice's rate when given, else the company's region."""
	rows = list(conf.vat_rates or [])
	if rate is not None:
		for row in rows:
			if to_decimal(row.rate) == rate:
				return rate, row.account
	for row in rows:
		if row.region == (conf.default_region or "Mainland"):
			return to_decimal(row.rate), row.account
	return (rate if rate is not None else Decimal("23")), (rows[0].account if rows else None)


def limits(conf, year: int) -> OfferLimits:
	turnover = conf.previous_year_turnover
	if not turnover:
		turnover = income_of_year(conf.company, year - 1)
	return OfferLimits(
		unit_limit=to_decimal(conf.unit_limit or 50),
		yearly_share=to_decimal(conf.yearly_share_per_mille if conf.yearly_share_per_mille is not None else 5) / 1000,
		previous_year_turnover=to_decimal(turnover),
		policy=conf.over_limit_policy or "Excess only",
	)


def income_of_year(company: str, year: int) -> Decimal:
	"""Net credit of the company's income accounts over a calendar year."""
	value = frappe.db.sql(
		"""
		select cast(sum(gle.credit) - sum(gle.debit) as char)
		from `tabGL Entry` gle join `tabAccount` acc on acc.name = gle.account
		where gle.company = %(company)s and gle.is_cancelled = 0 and acc.root_type = 'Income'
			and gle.posting_date between %(start)s and %(end)s
		""",
		{"company": company, "start": f"{year}-01-01", "end": f"{year}-12-31"},
	)[0][0]
	return to_decimal(value)


def row_costs(doc, rows) -> dict[str, Decimal]:
	"""Outgoing stock value of each row, from the invoice's own ledger or from its delivery note's."""
	costs: dict[str, Decimal] = {}
	own = [r.name for r in rows if doc.get("update_stock")]
	if own:
		costs.update(_stock_out(doc.doctype, [doc.name], own))
	delivered = {r.dn_detail: r.name for r in rows if not doc.get("update_stock") and r.get("dn_detail")}
	if delivered:
		notes = sorted({r.delivery_note for r in rows if r.get("delivery_note")})
		for dn_row, value in _stock_out("Delivery Note", notes, list(delivered)).items():
			costs[delivered[dn_row]] = value
	return costs


def _stock_out(voucher_type, voucher_nos, detail_nos) -> dict[str, Decimal]:
	if not voucher_nos or not detail_nos:
		return {}
	rows = frappe.db.sql(
		"""
		select voucher_detail_no, cast(-sum(stock_value_difference) as char)
		from `tabStock Ledger Entry`
		where voucher_type = %(type)s and voucher_no in %(nos)s and voucher_detail_no in %(rows)s
			and is_cancelled = 0
		group by voucher_detail_no
		""",
		{"type": voucher_type, "nos": tuple(voucher_nos), "rows": tuple(detail_nos)},
	)
	return {row: to_decimal(value) for row, value in rows}


def used_this_year(company: str, year: int, exclude_invoice: str | None = None) -> Decimal:
	value = frappe.db.sql(
		"""select cast(sum(counted) as char) from `tabSNC Offer Log`
		where company = %(company)s and year = %(year)s and status = 'Active' and sales_invoice != %(exclude)s""",
		{"company": company, "year": year, "exclude": exclude_invoice or ""},
	)[0][0]
	return to_decimal(value)


def logged_decisions(invoice: str) -> dict[str, OfferDecision]:
	return {
		row.invoice_row: OfferDecision(
			row.invoice_row,
			to_decimal(row.cost),
			to_decimal(row.taxable),
			to_decimal(row.vat),
			to_decimal(row.counted),
			bool(row.within_unit_limit),
			to_decimal(row.vat_rate) if row.basis else None,
			row.basis or None,
		)
		for row in frappe.get_all(
			LOG,
			filters={"sales_invoice": invoice, "status": "Active"},
			fields=["invoice_row", "cost", "taxable", "vat", "counted", "within_unit_limit", "vat_rate", "basis"],
		)
	}


def save_decision(doc, row, year: int, decision: OfferDecision, new: bool) -> None:
	values = {
		"cost": decision.cost,
		"taxable": decision.taxable,
		"vat": decision.vat,
		"counted": decision.counted,
		"within_unit_limit": int(decision.within_unit_limit),
		"vat_rate": decision.vat_rate,
		"basis": decision.basis,
	}
	if not new:
		name = frappe.db.get_value(LOG, {"sales_invoice": doc.name, "invoice_row": row.name, "status": "Active"})
		frappe.db.set_value(LOG, name, values)
		return
	log = frappe.new_doc(LOG)
	log.update(
		{"company": doc.company, "year": year, "status": "Active", "sales_invoice": doc.name, "invoice_row": row.name, "item_code": row.item_code, **values}
	)
	log.flags.ignore_permissions = True
	log.insert()


def release(invoice: str) -> None:
	for name in frappe.get_all(LOG, filters={"sales_invoice": invoice, "status": "Active"}, pluck="name"):
		frappe.db.set_value(LOG, name, "status", "Cancelled")


def year_summary(company: str, year: int) -> dict:
	row = frappe.db.sql(
		"""select count(*), cast(coalesce(sum(counted), 0) as char), cast(coalesce(sum(taxable), 0) as char),
			cast(coalesce(sum(vat), 0) as char)
		from `tabSNC Offer Log` where company = %(company)s and year = %(year)s and status = 'Active'""",
		{"company": company, "year": year},
	)[0]
	return {"offers": row[0], "counted": to_decimal(row[1]), "taxable": to_decimal(row[2]), "vat": to_decimal(row[3])}


def stock_receipts_of_invoices(invoices) -> list[dict]:
	"""The documents that put the invoices' goods into stock: the invoice itself when it updated
	stock, else the purchase receipts it billed."""
	invoices = tuple(sorted({i for i in invoices if i}))
	if not invoices:
		return []
	rows = frappe.db.sql(
		"""
		select distinct 'Purchase Invoice', pi.name, pi.supplier, pi.base_grand_total
		from `tabPurchase Invoice` pi
		where pi.name in %(invoices)s and pi.update_stock = 1 and pi.docstatus = 1
		union
		select distinct 'Purchase Receipt', pr.name, pr.supplier, pr.base_grand_total
		from `tabPurchase Invoice Item` pii
		join `tabPurchase Invoice` pi on pi.name = pii.parent
		join `tabPurchase Receipt` pr on pr.name = pii.purchase_receipt
		where pi.name in %(invoices)s and pi.update_stock = 0 and pr.docstatus = 1
		""",
		{"invoices": invoices},
	)
	return [
		{"receipt_document_type": t, "receipt_document": n, "supplier": s, "grand_total": g} for t, n, s, g in rows
	]


def active_employees(company: str) -> int:
	return frappe.db.count("Employee", {"company": company, "status": "Active"})


def average_employees(company: str, year: int):
	"""The mean of the company's twelve month-end headcounts of `year` (HRMS's Employee dates)."""
	import calendar

	ends = [date(year, m, calendar.monthrange(year, m)[1]) for m in range(1, 13)]
	counts = [
		frappe.db.sql(
			"""select count(*) from `tabEmployee` where company = %(company)s and date_of_joining <= %(day)s
			and (relieving_date is null or relieving_date > %(day)s)""",
			{"company": company, "day": day},
		)[0][0]
		for day in ends
	]
	return Decimal(sum(counts)) / 12


def has_books(company: str, on_date) -> bool:
	"""Whether the company has any GL up to `on_date`."""
	return bool(
		frappe.db.sql(
			"select 1 from `tabGL Entry` where company = %s and is_cancelled = 0 and posting_date <= %s limit 1",
			(company, on_date),
		)
	)


def has_books_in(company: str, year: int) -> bool:
	"""Whether the company has any GL in calendar year `year`."""
	return bool(
		frappe.db.sql(
			"""select 1 from `tabGL Entry` where company = %s and is_cancelled = 0
			and posting_date between %s and %s limit 1""",
			(company, date(year, 1, 1), date(year, 12, 31)),
		)
	)


def guarded_companies() -> list[str]:
	"""Companies whose SNC Settings enforce the seed's guards."""
	return frappe.get_all("SNC Settings", filters={"enforce_seed_guards": 1}, pluck="company")
