"""Builds a large synthetic periodic-inventory company on a site, shaped like ERPNext's own data.

The company, its chart of accounts, stock accounts and supplier are made through ERPNext documents
(a handful); an opening journal on two stock accounts is written by SQL (ERPNext refuses a journal
on a zero-balance stock account). Everything voluminous (warehouses, items, purchase receipts and
invoices, stock entries, stock ledger, bins, GL entries) goes in by multi-row parameterised INSERTs
of a few thousand rows each (well under 4 MiB per statement).

The stock ledger is computed in Python one (item, warehouse) at a time, in posting order, with
ERPNext's moving-average valuation: qty_after_transaction, valuation_rate, stock_value,
stock_value_difference and incoming/outgoing rates are consistent, quantities never go below
zero, and each Bin equals the last ledger row of its pair.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/large_company.py \\
		--site SITE --company "Big Co" [--sle 1000000] [--warehouses 500] [--items 5000] \\
		[--receipt-rows 100000] [--seed 7] [--cutover 2026-06-30] [--replace] [--verify-only]

From Python (inside a connected site): build(company, sle=..., ...) and verify(company, cutover).
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from datetime import date, datetime, timedelta
from decimal import Decimal

import frappe

CENT = Decimal("0.01")
RATE = Decimal("0.000000001")
ZERO = Decimal(0)
USER = "Administrator"
LEDGER_START = date(2026, 1, 1)
LEDGER_END = date(2026, 6, 30)
# Rows per INSERT statement, by table: each statement stays around 1-3 MiB.
CHUNK = 4000
MAX_STATEMENT_BYTES = 3_500_000

# Transaction doctypes deleted by --replace (those a site lacks are skipped).
COMPANY_DOCTYPES = (
	"Switch to Perpetual Inventory",
	"Perpetual Switch Clearing",
	"Accounting Period",
	"Purchase Receipt",
	"Purchase Invoice",
	"Stock Entry",
	"Journal Entry",
	"Delivery Note",
	"Sales Invoice",
	"Payment Entry",
	"Landed Cost Voucher",
	"Stock Reconciliation",
	"Repost Item Valuation",
	"Repost Accounting Ledger",
	"Period Closing Voucher",
	"Transaction Deletion Record",
)


def log(message: str) -> None:
	print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


class Inserter:
	"""Buffers rows for one table and writes them as multi-row parameterised INSERTs."""

	def __init__(self, table: str, columns: list[str], chunk: int = CHUNK):
		self.table = table
		self.columns = columns
		self.chunk = chunk
		self.rows: list[tuple] = []
		self.count = 0
		self.placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
		self.head = "insert into `tab{}` ({}) values ".format(table, ", ".join(f"`{c}`" for c in columns))

	def add(self, row: tuple) -> None:
		self.rows.append(row)
		if len(self.rows) >= self.chunk:
			self.flush()

	def flush(self) -> None:
		rows = self.rows
		if not rows:
			return
		self.rows = []
		# Keep a statement well under max_allowed_packet (16 MiB by default): estimate from the first row.
		size = sum(len(str(v)) + 4 for v in rows[0]) or 1
		step = max(1, min(len(rows), MAX_STATEMENT_BYTES // size))
		for start in range(0, len(rows), step):
			part = rows[start : start + step]
			values = [v for row in part for v in row]
			frappe.db.sql(self.head + ", ".join([self.placeholder] * len(part)), values)
		self.count += len(rows)
		frappe.db.commit()


def table_columns(doctype: str) -> set[str]:
	return set(frappe.db.get_table_columns(doctype))


def make_abbr(company: str) -> str:
	abbr = re.sub(r"[^A-Za-z0-9]", "", company).upper()[:10]
	return abbr or "BIG"


# ---------------------------------------------------------------------------------------------
# Removing a company built before (--replace)


def delete_company(company: str) -> None:
	"""Delete everything the builder (and the switch) wrote for a company, then the company."""
	abbr = frappe.db.get_value("Company", company, "abbr")
	log(f"deleting company {company!r} and its rows")
	frappe.db.sql(
		"""delete b from `tabBin` b join `tabWarehouse` w on w.name = b.warehouse where w.company = %s""",
		company,
	)
	frappe.db.commit()
	for table in ("Stock Ledger Entry", "GL Entry", "Payment Ledger Entry"):
		while True:
			frappe.db.sql(f"delete from `tab{table}` where company = %s limit 50000", company)
			deleted = frappe.db._cursor.rowcount
			frappe.db.commit()
			if not deleted:
				break
	for doctype in COMPANY_DOCTYPES:
		if not frappe.db.exists("DocType", doctype):
			continue
		meta = frappe.get_meta(doctype)
		if not meta.has_field("company") or meta.istable:
			continue
		for table_field in meta.get_table_fields():
			frappe.db.sql(
				f"""delete c from `tab{table_field.options}` c join `tab{doctype}` p on p.name = c.parent
				where c.parenttype = %s and p.company = %s""",
				(doctype, company),
			)
		frappe.db.sql(f"delete from `tab{doctype}` where company = %s", company)
		frappe.db.commit()
	if abbr:
		prefix = f"{abbr}-IT-%"
		frappe.db.sql("delete from `tabUOM Conversion Detail` where parenttype = 'Item' and parent like %s", prefix)
		frappe.db.sql("delete from `tabItem Default` where parenttype = 'Item' and parent like %s", prefix)
		frappe.db.sql("delete from `tabItem` where name like %s", prefix)
	frappe.db.sql("delete from `tabFiscal Year Company` where company = %s", company)
	frappe.db.commit()
	frappe.delete_doc("Company", company, force=True, ignore_permissions=True)
	# Company.on_trash removes accounts, cost centers and warehouses; be sure for warehouses.
	frappe.db.sql("delete from `tabWarehouse` where company = %s", company)
	frappe.db.commit()
	frappe.clear_cache()


# ---------------------------------------------------------------------------------------------
# Masters made through documents


def ensure_supplier(name: str = "Benchmark Supplier") -> str:
	if not frappe.db.exists("Supplier", name):
		group = frappe.db.get_value("Supplier Group", {"is_group": 0}, "name") or "All Supplier Groups"
		frappe.get_doc(
			{"doctype": "Supplier", "supplier_name": name, "supplier_group": group, "supplier_type": "Company"}
		).insert(ignore_permissions=True)
	return name


def ensure_fiscal_year(company: str, year: int) -> str:
	start = date(year, 1, 1)
	name = frappe.db.get_value(
		"Fiscal Year", {"year_start_date": ("<=", start), "year_end_date": (">=", date(year, 12, 31))}, "name"
	)
	if not name:
		fy = frappe.get_doc(
			{
				"doctype": "Fiscal Year",
				"year": str(year),
				"year_start_date": start,
				"year_end_date": date(year, 12, 31),
			}
		)
		fy.insert(ignore_permissions=True)
		return fy.name
	fy = frappe.get_doc("Fiscal Year", name)
	if fy.companies and company not in {c.company for c in fy.companies}:
		fy.append("companies", {"company": company})
		fy.save(ignore_permissions=True)
	return name


def create_company(company: str, abbr: str, currency: str, country: str) -> frappe._dict:
	doc = frappe.get_doc(
		{
			"doctype": "Company",
			"company_name": company,
			"abbr": abbr,
			"default_currency": currency,
			"country": country,
			"create_chart_of_accounts_based_on": "Standard Template",
			"chart_of_accounts": "Standard",
			"enable_perpetual_inventory": 0,
		}
	)
	doc.insert(ignore_permissions=True)

	def account(account_type=None, name=None, is_group=0):
		filters = {"company": company, "is_group": is_group}
		if account_type:
			filters["account_type"] = account_type
		if name:
			filters["account_name"] = name
		return frappe.db.get_value("Account", filters, "name", order_by="lft")

	info = frappe._dict(
		company=company,
		abbr=abbr,
		currency=currency,
		stock_in_hand=account("Stock", "Stock In Hand"),
		stock_assets=account(name="Stock Assets", is_group=1),
		cogs=doc.default_expense_account or account("Cost of Goods Sold"),
		creditors=doc.default_payable_account or account("Payable"),
		stock_adjustment=doc.stock_adjustment_account or account("Stock Adjustment"),
		cost_center=doc.cost_center or frappe.db.get_value("Cost Center", {"company": company, "is_group": 0}),
		root_warehouse=frappe.db.get_value("Warehouse", {"company": company, "parent_warehouse": ("is", "not set")}),
		stores=frappe.db.get_value("Warehouse", {"company": company, "warehouse_name": "Stores"}),
		opening=account(name="Temporary Opening") or account("Temporary"),
	)
	missing = [k for k, v in info.items() if not v]
	if missing:
		frappe.throw(f"Company {company}: could not find {', '.join(missing)} in its chart of accounts")
	# A periodic company whose warehouses without an account fall back to one default inventory account.
	doc.reload()
	doc.default_inventory_account = info.stock_in_hand
	doc.enable_perpetual_inventory = 0
	doc.save(ignore_permissions=True)
	return info


def create_stock_accounts(info, count: int) -> list[str]:
	names = []
	for i in range(1, count + 1):
		acc = frappe.get_doc(
			{
				"doctype": "Account",
				"account_name": f"Stock {i:02d}",
				"parent_account": info.stock_assets,
				"company": info.company,
				"account_type": "Stock",
				"account_currency": info.currency,
				"is_group": 0,
			}
		)
		acc.flags.ignore_permissions = True
		acc.insert()
		names.append(acc.name)
	return names


def post_opening_journal(info, accounts_amounts: list[tuple[str, Decimal]], posting_date: date, fiscal_year: str) -> str:
	"""Opening balances on some stock accounts (against Temporary Opening), so the stock sync is not
	just the stock value. Written by SQL like ERPNext's submitted Journal Entry (header, account rows,
	GL entries): ERPNext's own validation refuses any journal on a stock account whose balance equals
	its warehouses' stock value, which includes every stock account of a periodic company at zero."""
	name = f"JV-{info.abbr}-OPENING"
	stamp = f"{posting_date.isoformat()} 00:00:00"
	remark = "Benchmark opening stock balances"
	total = sum((amount for _a, amount in accounts_amounts), ZERO)
	lines = [(account, amount, ZERO) for account, amount in accounts_amounts] + [(info.opening, ZERO, total)]
	against_debit = info.opening
	against_credit = ", ".join(a for a, _x in accounts_amounts)
	frappe.db.sql(
		"""insert into `tabJournal Entry` (name, creation, modified, modified_by, owner, docstatus, idx,
			title, voucher_type, naming_series, company, posting_date, user_remark, remark, total_debit,
			total_credit, difference, multi_currency, total_amount_currency, total_amount, is_opening,
			is_system_generated)
		values (%(name)s, %(stamp)s, %(stamp)s, %(user)s, %(user)s, 1, 0, %(title)s, 'Opening Entry',
			'ACC-JV-.YYYY.-', %(company)s, %(date)s, %(remark)s, %(remark)s, %(total)s, %(total)s, 0, 0,
			%(currency)s, %(total)s, 'Yes', 0)""",
		{
			"name": name, "stamp": stamp, "user": USER, "title": remark, "company": info.company,
			"date": posting_date, "remark": remark, "total": total, "currency": info.currency,
		},
	)
	for idx, (account, debit, credit) in enumerate(lines, start=1):
		frappe.db.sql(
			"""insert into `tabJournal Entry Account` (name, creation, modified, modified_by, owner,
				docstatus, idx, account, account_type, cost_center, account_currency, exchange_rate,
				debit_in_account_currency, debit, credit_in_account_currency, credit, is_advance,
				against_account, user_remark, parent, parentfield, parenttype)
			values (%(row)s, %(stamp)s, %(stamp)s, %(user)s, %(user)s, 1, %(idx)s, %(account)s,
				%(account_type)s, %(cc)s, %(currency)s, 1, %(debit)s, %(debit)s, %(credit)s, %(credit)s, 'No',
				%(against)s, %(remark)s, %(parent)s, 'accounts', 'Journal Entry')""",
			{
				"row": f"{name}-{idx}", "stamp": stamp, "user": USER, "idx": idx, "account": account,
				"account_type": frappe.db.get_value("Account", account, "account_type"), "cc": info.cost_center,
				"currency": info.currency, "debit": debit, "credit": credit,
				"against": against_debit if debit else against_credit, "remark": remark, "parent": name,
			},
		)
		frappe.db.sql(
			"""insert into `tabGL Entry` (name, creation, modified, modified_by, owner, docstatus, idx,
				posting_date, fiscal_year, account, account_currency, against, voucher_type, voucher_no,
				voucher_subtype, transaction_currency, transaction_exchange_rate, debit_in_account_currency,
				debit, debit_in_transaction_currency, credit_in_account_currency, credit,
				credit_in_transaction_currency, cost_center, company, is_opening, is_advance, to_rename,
				is_cancelled, remarks)
			values (%(row)s, %(stamp)s, %(stamp)s, %(user)s, %(user)s, 1, 0, %(date)s, %(fy)s, %(account)s,
				%(currency)s, %(against)s, 'Journal Entry', %(voucher)s, 'Opening Entry', %(currency)s, 1,
				%(debit)s, %(debit)s, %(debit)s, %(credit)s, %(credit)s, %(credit)s, %(cc)s, %(company)s,
				'Yes', 'No', 0, 0, %(remark)s)""",
			{
				"row": f"GLE-{info.abbr}-OPENING-{idx}", "stamp": stamp, "user": USER, "date": posting_date,
				"fy": fiscal_year, "account": account, "currency": info.currency,
				"against": against_debit if debit else against_credit, "voucher": name, "debit": debit,
				"credit": credit, "cc": info.cost_center, "company": info.company, "remark": remark,
			},
		)
	return name


# ---------------------------------------------------------------------------------------------
# Warehouses and items by SQL


def build_warehouses(info, n: int, stock_accounts: list[str], rnd: random.Random, now: str) -> list[str]:
	"""n warehouses under the company's root warehouse, with a correct nested set. Returns the leaves."""
	n_groups = max(1, n // 20)
	n_top = max(1, n_groups // 4)
	abbr = info.abbr
	nodes = []  # (name, warehouse_name, parent, is_group)
	groups = []
	for g in range(n_groups):
		label = f"Region {g + 1:03d}"
		parent = info.root_warehouse if g < n_top else groups[rnd.randrange(n_top)]
		name = f"{label} - {abbr}"
		nodes.append((name, label, parent, 1))
		groups.append(name)
	leaves = []
	for i in range(n - n_groups):
		label = f"WH {i + 1:04d}"
		name = f"{label} - {abbr}"
		nodes.append((name, label, groups[rnd.randrange(n_groups)], 0))
		leaves.append(name)

	# ~20% of the warehouses have their own account: every top-level group, then random others.
	own = {}
	wanted = max(1, round(n * 0.2))
	for name, _label, _parent, _is_group in nodes[:n_top]:
		own[name] = stock_accounts[len(own) % len(stock_accounts)]
	others = [node[0] for node in nodes[n_top:]]
	for name in rnd.sample(others, min(len(others), max(0, wanted - len(own)))):
		own[name] = stock_accounts[len(own) % len(stock_accounts)]

	# Nested set: place the new subtree at the end of the root warehouse's range.
	root_lft, root_rgt = frappe.db.get_value("Warehouse", info.root_warehouse, ["lft", "rgt"])
	children: dict[str, list[str]] = {}
	for name, _label, parent, _is_group in nodes:
		children.setdefault(parent, []).append(name)
	bounds: dict[str, tuple[int, int]] = {}
	counter = root_rgt

	def visit(name):
		nonlocal counter
		left = counter
		counter += 1
		for child in children.get(name, ()):
			visit(child)
		bounds[name] = (left, counter)
		counter += 1

	sys.setrecursionlimit(max(10000, sys.getrecursionlimit()))
	for top in children.get(info.root_warehouse, ()):
		visit(top)
	width = 2 * len(nodes)
	frappe.db.sql("update `tabWarehouse` set rgt = rgt + %s where rgt >= %s", (width, root_rgt))
	frappe.db.sql("update `tabWarehouse` set lft = lft + %s where lft > %s", (width, root_rgt))
	ins = Inserter(
		"Warehouse",
		[
			"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "disabled",
			"warehouse_name", "is_group", "parent_warehouse", "is_rejected_warehouse", "account",
			"company", "lft", "rgt", "old_parent",
		],
	)
	for name, label, parent, is_group in nodes:
		lft, rgt = bounds[name]
		ins.add((name, now, now, USER, USER, 0, 0, 0, label, is_group, parent, 0, own.get(name), info.company, lft, rgt, parent))
	ins.flush()
	return leaves


def build_items(info, n: int, rnd: random.Random, now: str) -> list[tuple[str, int]]:
	"""n stock items (Moving Average, Nos) with their UOM row and company default. Returns (code, base price in cents)."""
	items = []
	item_cols = table_columns("Item")
	columns = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "naming_series",
		"item_code", "item_name", "item_group", "stock_uom", "disabled", "is_stock_item",
		"include_item_in_manufacturing", "opening_stock", "valuation_rate", "standard_rate",
		"is_fixed_asset", "description", "valuation_method", "end_of_life", "is_purchase_item",
		"is_sales_item", "has_batch_no", "has_serial_no", "has_variants", "default_material_request_type",
		"purchase_uom", "sales_uom",
	]
	columns = [c for c in columns if c in item_cols]
	ins = Inserter("Item", columns)
	uoms = Inserter(
		"UOM Conversion Detail",
		["name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "uom", "conversion_factor", "parent", "parentfield", "parenttype"],
	)
	defaults = Inserter(
		"Item Default",
		["name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "company", "default_warehouse", "parent", "parentfield", "parenttype"],
	)
	for i in range(1, n + 1):
		code = f"{info.abbr}-IT-{i:05d}"
		cents = rnd.randrange(100, 50000)
		values = {
			"name": code, "creation": now, "modified": now, "modified_by": USER, "owner": USER,
			"docstatus": 0, "idx": 0, "naming_series": "STO-ITEM-.YYYY.-", "item_code": code,
			"item_name": f"Benchmark item {i:05d}", "item_group": "All Item Groups", "stock_uom": "Nos",
			"disabled": 0, "is_stock_item": 1, "include_item_in_manufacturing": 1, "opening_stock": 0,
			"valuation_rate": Decimal(cents).scaleb(-2), "standard_rate": 0, "is_fixed_asset": 0,
			"description": f"Benchmark item {i:05d}", "valuation_method": "Moving Average",
			"end_of_life": "2099-12-31", "is_purchase_item": 1, "is_sales_item": 1, "has_batch_no": 0,
			"has_serial_no": 0, "has_variants": 0, "default_material_request_type": "Purchase",
			"purchase_uom": "Nos", "sales_uom": "Nos",
		}
		ins.add(tuple(values[c] for c in columns))
		uoms.add((f"UCD-{info.abbr}-{i:05d}", now, now, USER, USER, 0, 1, "Nos", 1, code, "uoms", "Item"))
		defaults.add((f"IDF-{info.abbr}-{i:05d}", now, now, USER, USER, 0, 1, info.company, info.stores, code, "item_defaults", "Item"))
		items.append((code, cents))
	for x in (ins, uoms, defaults):
		x.flush()
	return items


# ---------------------------------------------------------------------------------------------
# Purchase receipts, invoices, their GL; then the stock ledger


def ts(d: date, seconds: int) -> str:
	return f"{d.isoformat()} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def hms(seconds: int) -> str:
	return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def build(
	company: str,
	sle: int = 1_000_000,
	warehouses: int = 500,
	items: int = 5000,
	receipt_rows: int = 100_000,
	seed: int = 7,
	cutover="2026-06-30",
	replace: bool = False,
	abbr: str | None = None,
	se_details: bool = True,
) -> dict:
	"""Build the company on the connected site. Returns a dict of counts and phase timings."""
	frappe.set_user(USER)
	frappe.flags.in_import = False
	cutover = date.fromisoformat(str(cutover))
	end = min(cutover, LEDGER_END)
	if end < LEDGER_START:
		frappe.throw(f"The cutover {cutover} is before the ledger's first day {LEDGER_START}")
	if receipt_rows > sle:
		frappe.throw(f"{receipt_rows} receipt rows do not fit in {sle} stock ledger entries; lower --receipt-rows")
	if warehouses < 2 or items < 1:
		frappe.throw("Need at least 2 warehouses and 1 item")
	abbr = abbr or make_abbr(company)
	if frappe.db.exists("Company", company):
		if not replace:
			frappe.throw(f"Company {company!r} already exists on {frappe.local.site}; pass --replace to rebuild it")
		delete_company(company)
	if frappe.db.exists("Company", {"abbr": abbr}):
		frappe.throw(f"Another company already uses the abbreviation {abbr!r}; pass --abbr")
	if frappe.db.exists("Item", {"name": ("like", f"{abbr}-IT-%")}):
		frappe.throw(f"Items {abbr}-IT-* already exist; pass --replace or another --abbr")

	rnd = random.Random(seed)
	timings: dict[str, float] = {}
	t0 = time.perf_counter()
	now = datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")
	frappe.db.sql("set session unique_checks = 0")

	# Documents: company, chart, accounts, supplier, fiscal year, opening journal
	currency = frappe.db.get_default("currency") or "USD"
	country = frappe.db.get_default("country") or "United States"
	fiscal_year = ensure_fiscal_year(company, 2026)
	info = create_company(company, abbr, currency, country)
	ensure_fiscal_year(company, 2026)
	n_accounts = min(50, max(1, warehouses // 10))
	stock_accounts = create_stock_accounts(info, n_accounts)
	supplier = ensure_supplier()
	frappe.db.commit()
	timings["documents"] = time.perf_counter() - t0
	log(f"company {company} ({abbr}), {n_accounts} stock accounts")

	t = time.perf_counter()
	leaves = build_warehouses(info, warehouses, stock_accounts, rnd, now)
	item_list = build_items(info, items, rnd, now)
	frappe.db.commit()
	timings["warehouses+items"] = time.perf_counter() - t
	log(f"{warehouses} warehouses ({len(leaves)} leaves), {items} items")

	# (item, warehouse) pairs: each item stocked in a handful of leaf warehouses.
	n_pairs = max(1, min(len(item_list) * len(leaves), sle // 10))
	pairs: list[tuple[int, int]] = []  # (item index, leaf index)
	per_item = [n_pairs // len(item_list)] * len(item_list)
	for i in rnd.sample(range(len(item_list)), n_pairs % len(item_list)):
		per_item[i] += 1
	for item_index, k in enumerate(per_item):
		for leaf in rnd.sample(range(len(leaves)), min(k, len(leaves))):
			pairs.append((item_index, leaf))
	by_leaf: dict[int, list[int]] = {}
	for pair_id, (_i, leaf) in enumerate(pairs):
		by_leaf.setdefault(leaf, []).append(pair_id)
	leaf_ids = list(by_leaf)
	leaf_weights = [len(by_leaf[leaf]) for leaf in leaf_ids]
	log(f"{len(pairs)} (item, warehouse) pairs")

	# Receipts, their billing, invoices and invoice GL
	t = time.perf_counter()
	n_days = (end - LEDGER_START).days + 1
	pr_events: dict[int, list[tuple]] = {}
	pr_cols = table_columns("Purchase Receipt")
	pr_header_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "title", "naming_series",
		"supplier", "supplier_name", "posting_date", "posting_time", "set_posting_time", "company",
		"is_return", "currency", "conversion_rate", "buying_price_list", "price_list_currency",
		"plc_conversion_rate", "set_warehouse", "is_subcontracted", "total_qty", "base_total",
		"base_net_total", "total", "net_total", "base_grand_total", "base_rounded_total", "grand_total",
		"rounded_total", "disable_rounded_total", "status", "per_billed", "per_returned", "cost_center",
	]
	pr_header_cols = [c for c in pr_header_cols if c in pr_cols]
	prs = Inserter("Purchase Receipt", pr_header_cols)
	pri_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "item_code", "item_name",
		"description", "item_group", "received_qty", "qty", "rejected_qty", "uom", "stock_uom",
		"conversion_factor", "received_stock_qty", "stock_qty", "returned_qty", "price_list_rate",
		"base_price_list_rate", "rate", "amount", "base_rate", "base_amount", "stock_uom_rate", "net_rate",
		"net_amount", "base_net_rate", "base_net_amount", "valuation_rate", "billed_amt", "warehouse",
		"is_fixed_asset", "cost_center", "parent", "parentfield", "parenttype",
	]
	pris = Inserter("Purchase Receipt Item", pri_cols)
	pi_cols = table_columns("Purchase Invoice")
	pi_header_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "title", "naming_series",
		"supplier", "supplier_name", "company", "posting_date", "posting_time", "set_posting_time",
		"due_date", "bill_date", "is_paid", "is_return", "currency", "conversion_rate", "buying_price_list",
		"price_list_currency", "plc_conversion_rate", "update_stock", "is_subcontracted", "total_qty",
		"base_total", "base_net_total", "total", "net_total", "base_grand_total", "base_rounded_total",
		"grand_total", "rounded_total", "disable_rounded_total", "outstanding_amount", "status",
		"per_received", "credit_to", "party_account_currency", "is_opening", "against_expense_account",
		"cost_center",
	]
	pi_header_cols = [c for c in pi_header_cols if c in pi_cols]
	pis = Inserter("Purchase Invoice", pi_header_cols)
	pii_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "item_code", "item_name",
		"description", "item_group", "received_qty", "qty", "rejected_qty", "uom", "conversion_factor",
		"stock_uom", "stock_qty", "price_list_rate", "base_price_list_rate", "rate", "amount", "base_rate",
		"base_amount", "stock_uom_rate", "net_rate", "net_amount", "base_net_rate", "base_net_amount",
		"valuation_rate", "warehouse", "expense_account", "is_fixed_asset", "purchase_receipt", "pr_detail",
		"cost_center", "parent", "parentfield", "parenttype",
	]
	piis = Inserter("Purchase Invoice Item", pii_cols)
	gl_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "posting_date",
		"transaction_date", "fiscal_year", "due_date", "account", "account_currency", "against",
		"party_type", "party", "voucher_type", "voucher_no", "voucher_subtype", "transaction_currency",
		"against_voucher_type", "against_voucher", "transaction_exchange_rate", "debit_in_account_currency",
		"debit", "debit_in_transaction_currency", "credit_in_account_currency", "credit",
		"credit_in_transaction_currency", "cost_center", "company", "is_opening", "is_advance", "to_rename",
		"is_cancelled", "remarks",
	]
	gl_table = table_columns("GL Entry")
	gl_cols = [c for c in gl_cols if c in gl_table]
	gls = Inserter("GL Entry", gl_cols)

	def gl_row(name, created, posting, account, debit, credit, against, party, voucher, remark):
		v = {
			"name": name, "creation": created, "modified": created, "modified_by": USER, "owner": USER,
			"docstatus": 1, "idx": 0, "posting_date": posting, "transaction_date": None,
			"fiscal_year": fiscal_year, "due_date": None, "account": account,
			"account_currency": currency, "against": against, "party_type": "Supplier" if party else None,
			"party": party, "voucher_type": "Purchase Invoice", "voucher_no": voucher,
			"voucher_subtype": "Purchase Invoice", "transaction_currency": currency,
			"against_voucher_type": "Purchase Invoice" if party else None,
			"against_voucher": voucher if party else None, "transaction_exchange_rate": 1,
			"debit_in_account_currency": debit, "debit": debit, "debit_in_transaction_currency": debit,
			"credit_in_account_currency": credit, "credit": credit, "credit_in_transaction_currency": credit,
			"cost_center": info.cost_center, "company": company, "is_opening": "No", "is_advance": "No",
			"to_rename": 0, "is_cancelled": 0, "remarks": remark,
		}
		return tuple(v[c] for c in gl_cols)

	row_no = pi_no = pii_no = gl_no = 0
	rows_left = receipt_rows
	receipt_no = 0
	billed_rows = partly_rows = unbilled_rows = 0
	while rows_left > 0:
		receipt_no += 1
		leaf = rnd.choices(leaf_ids, leaf_weights)[0]
		candidates = by_leaf[leaf]
		n_rows = min(rows_left, len(candidates), rnd.randint(5, 15))
		chosen = rnd.sample(candidates, n_rows)
		rows_left -= n_rows
		day = rnd.randrange(n_days)
		posting = LEDGER_START + timedelta(days=day)
		seconds = rnd.randrange(8 * 3600, 18 * 3600)
		created = ts(posting, seconds)
		pr_name = f"PR-{abbr}-{receipt_no:06d}"
		warehouse = leaves[leaf]
		u = rnd.random()
		kind = "full" if u < 0.60 else ("partly" if u < 0.63 else "none")
		lines = []
		total_qty = total = billed_total = ZERO
		for idx, pair_id in enumerate(chosen, start=1):
			row_no += 1
			item_code, base_cents = item_list[pairs[pair_id][0]]
			qty = rnd.randint(1, 50)
			rate = Decimal(int(base_cents * rnd.uniform(0.9, 1.1))).scaleb(-2)
			amount = (rate * qty).quantize(CENT)
			if kind == "full":
				billed_qty = qty
			elif kind == "partly":
				choice = rnd.randrange(3)
				billed_qty = qty if choice == 0 else (qty // 2 if choice == 1 else 0)
			else:
				billed_qty = 0
			billed_amount = (rate * billed_qty).quantize(CENT)
			if billed_qty == qty:
				billed_rows += 1
			elif billed_qty:
				partly_rows += 1
			else:
				unbilled_rows += 1
			row_name = f"PRI-{abbr}-{row_no:07d}"
			pris.add(
				(
					row_name, created, created, USER, USER, 1, idx, item_code, item_code, item_code, "All Item Groups",
					qty, qty, 0, "Nos", "Nos", 1, qty, qty, 0, rate, rate, rate, amount, rate, amount, rate, rate,
					amount, rate, amount, rate, billed_amount, warehouse, 0, info.cost_center, pr_name, "items",
					"Purchase Receipt",
				)
			)
			pr_events.setdefault(pair_id, []).append((created, rnd.random(), qty, rate, pr_name, row_name))
			lines.append((item_code, qty, rate, amount, billed_qty, billed_amount, row_name, warehouse))
			total_qty += qty
			total += amount
			billed_total += billed_amount
		per_billed = (billed_total / total * 100).quantize(Decimal("0.001")) if total else ZERO
		status = "Completed" if kind == "full" else "To Bill"
		header = {
			"name": pr_name, "creation": created, "modified": created, "modified_by": USER, "owner": USER,
			"docstatus": 1, "idx": 0, "title": supplier, "naming_series": "MAT-PRE-.YYYY.-",
			"supplier": supplier, "supplier_name": supplier, "posting_date": posting,
			"posting_time": hms(seconds), "set_posting_time": 1, "company": company, "is_return": 0,
			"currency": currency, "conversion_rate": 1, "buying_price_list": "Standard Buying",
			"price_list_currency": currency, "plc_conversion_rate": 1, "set_warehouse": warehouse,
			"is_subcontracted": 0, "total_qty": total_qty, "base_total": total, "base_net_total": total,
			"total": total, "net_total": total, "base_grand_total": total, "base_rounded_total": total,
			"grand_total": total, "rounded_total": total, "disable_rounded_total": 1, "status": status,
			"per_billed": per_billed, "per_returned": 0, "cost_center": info.cost_center,
		}
		prs.add(tuple(header[c] for c in pr_header_cols))

		billed = [line for line in lines if line[4]]
		if not billed:
			continue
		pi_no += 1
		pi_name = f"PI-{abbr}-{pi_no:06d}"
		pi_day = min(n_days - 1, day + rnd.randint(0, 30))
		pi_date = LEDGER_START + timedelta(days=pi_day)
		pi_seconds = rnd.randrange(8 * 3600, 18 * 3600) if pi_day > day else min(seconds + 60, 86399)
		pi_created = ts(pi_date, pi_seconds)
		pi_qty = pi_total = ZERO
		for idx, (item_code, _qty, rate, _amount, billed_qty, billed_amount, row_name, wh) in enumerate(billed, start=1):
			pii_no += 1
			piis.add(
				(
					f"PII-{abbr}-{pii_no:07d}", pi_created, pi_created, USER, USER, 1, idx, item_code, item_code,
					item_code, "All Item Groups", billed_qty, billed_qty, 0, "Nos", 1, "Nos", billed_qty, rate, rate,
					rate, billed_amount, rate, billed_amount, rate, rate, billed_amount, rate, billed_amount, rate, wh,
					info.cogs, 0, pr_name, row_name, info.cost_center, pi_name, "items", "Purchase Invoice",
				)
			)
			pi_qty += billed_qty
			pi_total += billed_amount
		due = pi_date + timedelta(days=30)
		header = {
			"name": pi_name, "creation": pi_created, "modified": pi_created, "modified_by": USER,
			"owner": USER, "docstatus": 1, "idx": 0, "title": supplier, "naming_series": "ACC-PINV-.YYYY.-",
			"supplier": supplier, "supplier_name": supplier, "company": company, "posting_date": pi_date,
			"posting_time": hms(pi_seconds), "set_posting_time": 1, "due_date": due, "bill_date": pi_date,
			"is_paid": 0, "is_return": 0, "currency": currency, "conversion_rate": 1,
			"buying_price_list": "Standard Buying", "price_list_currency": currency, "plc_conversion_rate": 1,
			"update_stock": 0, "is_subcontracted": 0, "total_qty": pi_qty, "base_total": pi_total,
			"base_net_total": pi_total, "total": pi_total, "net_total": pi_total, "base_grand_total": pi_total,
			"base_rounded_total": pi_total, "grand_total": pi_total, "rounded_total": pi_total,
			"disable_rounded_total": 1, "outstanding_amount": pi_total, "status": "Overdue",
			"per_received": 0, "credit_to": info.creditors, "party_account_currency": currency,
			"is_opening": "No", "against_expense_account": info.cogs, "cost_center": info.cost_center,
		}
		pis.add(tuple(header[c] for c in pi_header_cols))
		remark = f"Against receipt {pr_name}"
		gl_no += 1
		gls.add(gl_row(f"GLE-{abbr}-{gl_no:07d}", pi_created, pi_date, info.cogs, pi_total, ZERO, supplier, None, pi_name, remark))
		gl_no += 1
		gls.add(gl_row(f"GLE-{abbr}-{gl_no:07d}", pi_created, pi_date, info.creditors, ZERO, pi_total, info.cogs, supplier, pi_name, remark))
	for x in (prs, pris, pis, piis, gls):
		x.flush()
	timings["receipts+invoices"] = time.perf_counter() - t
	log(
		f"{receipt_no} receipts / {row_no} rows ({billed_rows} billed, {partly_rows} partly, {unbilled_rows} unbilled), "
		f"{pi_no} invoices / {pii_no} rows, {gl_no} GL entries"
	)

	# Stock ledger, pair by pair, in posting order
	t = time.perf_counter()
	se_rows = sle - row_no
	counts = [0] * len(pairs)
	zero = [p for p in range(len(pairs)) if p not in pr_events]
	for p in zero[:se_rows]:
		counts[p] = 1
	for _ in range(se_rows - min(se_rows, len(zero))):
		counts[rnd.randrange(len(pairs))] += 1
	slots = max(1, math.ceil(se_rows / (20 * n_days * 2)))
	slot_seconds = [8 * 3600 + (k * 36000) // slots for k in range(slots)]
	slot_ts = [[ts(LEDGER_START + timedelta(days=d), s) for s in slot_seconds] for d in range(n_days)]
	sle_table = table_columns("Stock Ledger Entry")
	sle_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "item_code", "warehouse",
		"posting_date", "posting_time", "posting_datetime", "voucher_type", "voucher_no", "voucher_detail_no",
		"actual_qty", "qty_after_transaction", "incoming_rate", "outgoing_rate", "valuation_rate",
		"stock_value", "stock_value_difference", "company", "stock_uom", "fiscal_year", "is_cancelled",
		"to_rename", "recalculate_rate",
	]
	sle_cols = [c for c in sle_cols if c in sle_table]
	has_datetime = "posting_datetime" in sle_cols
	sles = Inserter("Stock Ledger Entry", sle_cols, chunk=5000)
	sed_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "s_warehouse", "t_warehouse",
		"item_code", "item_name", "description", "item_group", "qty", "transfer_qty", "uom", "stock_uom",
		"conversion_factor", "basic_rate", "basic_amount", "valuation_rate", "amount", "additional_cost",
		"expense_account", "cost_center", "parent", "parentfield", "parenttype",
	]
	seds = Inserter("Stock Entry Detail", sed_cols, chunk=5000)
	bins = Inserter(
		"Bin",
		["name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "item_code", "warehouse",
		 "actual_qty", "projected_qty", "valuation_rate", "stock_value", "stock_uom"],
	)
	vouchers: dict[int, list] = {}  # id -> [rows, incoming value, outgoing value, day, slot, kind]
	sle_no = sed_no = 0
	negative = 0
	for pair_id, (item_index, leaf) in enumerate(pairs):
		events = pr_events.pop(pair_id, [])
		n_se = counts[pair_id]
		if not events and not n_se:
			continue
		item_code, base_cents = item_list[item_index]
		warehouse = leaves[leaf]
		timeline = [(e[0], e[1], 0, e) for e in events]
		for _ in range(n_se):
			d = rnd.randrange(n_days)
			k = rnd.randrange(slots)
			timeline.append((slot_ts[d][k], rnd.random(), 1, (d, k)))
		timeline.sort(key=lambda e: (e[0], e[1]))
		qty = 0
		rate = ZERO
		value = ZERO
		for seq, (stamp, _tie, source, data) in enumerate(timeline):
			created = f"{stamp}.{seq:06d}"
			posting, clock = stamp.split(" ")
			if source == 0:
				_c, _t, in_qty, in_rate, voucher_no, detail = data
				voucher_type = "Purchase Receipt"
				out = False
			else:
				d, k = data
				out = qty > 0 and rnd.random() < 0.6
				voucher_type = "Stock Entry"
				if out:
					in_qty = -(qty if rnd.random() < 0.05 else rnd.randint(1, max(1, int(qty * 0.6))))
				else:
					in_qty = rnd.randint(1, 40)
					in_rate = Decimal(int(base_cents * rnd.uniform(0.9, 1.1))).scaleb(-2)
				vid = (d * slots + k) * 2 + (1 if out else 0)
				voucher = vouchers.get(vid)
				if voucher is None:
					voucher = vouchers[vid] = [0, ZERO, ZERO, d, k, out]
				voucher[0] += 1
				voucher_no = f"STE-{abbr}-{vid:07d}"
				sed_no += 1
				detail = f"STED-{abbr}-{sed_no:08d}"
			new_qty = qty + in_qty
			if in_qty > 0:
				if qty <= 0:
					rate = in_rate
				else:
					rate = ((qty * rate + in_qty * in_rate) / new_qty).quantize(RATE)
				incoming, outgoing = in_rate, ZERO
			else:
				incoming, outgoing = ZERO, rate
			new_value = (new_qty * rate).quantize(CENT) if new_qty else ZERO
			difference = new_value - value
			if new_qty < 0:
				negative += 1
			sle_no += 1
			row = {
				"name": f"SLE-{abbr}-{sle_no:08d}", "creation": created, "modified": created,
				"modified_by": USER, "owner": USER, "docstatus": 1, "idx": 0, "item_code": item_code,
				"warehouse": warehouse, "posting_date": posting, "posting_time": clock,
				"posting_datetime": stamp, "voucher_type": voucher_type, "voucher_no": voucher_no,
				"voucher_detail_no": detail, "actual_qty": in_qty, "qty_after_transaction": new_qty,
				"incoming_rate": incoming, "outgoing_rate": outgoing, "valuation_rate": rate,
				"stock_value": new_value, "stock_value_difference": difference, "company": company,
				"stock_uom": "Nos", "fiscal_year": fiscal_year, "is_cancelled": 0, "to_rename": 0,
				"recalculate_rate": 0,
			}
			sles.add(tuple(row[c] for c in sle_cols))
			if source == 1:
				amount = abs(difference)
				if out:
					voucher[2] += amount
				else:
					voucher[1] += amount
				if se_details:
					unit = outgoing if out else incoming
					seds.add(
						(
							detail, created, created, USER, USER, 1, voucher[0], warehouse if out else None,
							None if out else warehouse, item_code, item_code, item_code, "All Item Groups", abs(in_qty),
							abs(in_qty), "Nos", "Nos", 1, unit, amount, unit, amount, 0, info.stock_adjustment,
							info.cost_center, voucher_no, "items", "Stock Entry",
						)
					)
			qty, value = new_qty, new_value
		bins.add(
			(f"BIN-{abbr}-{pair_id + 1:07d}", now, now, USER, USER, 0, 0, item_code, warehouse, qty, qty, rate, value, "Nos")
		)
	for x in (sles, seds, bins):
		x.flush()
	timings["stock ledger"] = time.perf_counter() - t
	log(f"{sle_no} stock ledger entries ({se_rows} from stock entries), {bins.count} bins, {negative} negative")
	if not has_datetime:
		log("note: this site's Stock Ledger Entry has no posting_datetime column")

	t = time.perf_counter()
	se_cols = table_columns("Stock Entry")
	se_header_cols = [
		"name", "creation", "modified", "modified_by", "owner", "docstatus", "idx", "naming_series",
		"stock_entry_type", "purpose", "company", "posting_date", "posting_time", "set_posting_time",
		"inspection_required", "from_bom", "total_outgoing_value", "total_incoming_value", "value_difference",
		"total_additional_costs", "total_amount", "is_opening", "per_transferred", "is_return", "remarks",
	]
	se_header_cols = [c for c in se_header_cols if c in se_cols]
	ses = Inserter("Stock Entry", se_header_cols)
	for vid, (rows, incoming, outgoing, d, k, out) in sorted(vouchers.items()):
		stamp = slot_ts[d][k]
		purpose = "Material Issue" if out else "Material Receipt"
		v = {
			"name": f"STE-{abbr}-{vid:07d}", "creation": stamp, "modified": stamp, "modified_by": USER,
			"owner": USER, "docstatus": 1, "idx": 0, "naming_series": "MAT-STE-.YYYY.-",
			"stock_entry_type": purpose, "purpose": purpose, "company": company,
			"posting_date": stamp[:10], "posting_time": stamp[11:], "set_posting_time": 1,
			"inspection_required": 0, "from_bom": 0, "total_outgoing_value": outgoing,
			"total_incoming_value": incoming, "value_difference": incoming - outgoing,
			"total_additional_costs": 0, "total_amount": incoming + outgoing, "is_opening": "No",
			"per_transferred": 0, "is_return": 0, "remarks": f"Benchmark {purpose.lower()} ({rows} rows)",
		}
		ses.add(tuple(v[c] for c in se_header_cols))
	ses.flush()
	frappe.db.commit()
	timings["stock entries"] = time.perf_counter() - t

	t = time.perf_counter()
	opening = post_opening_journal(
		info,
		[(info.stock_in_hand, Decimal("125000.00")), (stock_accounts[0], Decimal("37500.55"))],
		LEDGER_START,
		fiscal_year,
	)
	frappe.db.commit()
	timings["opening journal"] = time.perf_counter() - t
	log(f"opening journal {opening}")
	timings["total"] = time.perf_counter() - t0
	frappe.clear_cache()
	log(f"{ses.count} stock entries; built in {timings['total']:.1f} s")
	return {
		"company": company,
		"abbr": abbr,
		"stock_ledger_entries": sle_no,
		"pairs": bins.count,
		"receipts": receipt_no,
		"receipt_rows": row_no,
		"billed_rows": billed_rows,
		"partly_billed_rows": partly_rows,
		"unbilled_rows": unbilled_rows,
		"purchase_invoices": pi_no,
		"stock_entries": ses.count,
		"gl_entries": gl_no,
		"timings": timings,
	}


# ---------------------------------------------------------------------------------------------
# Verification


def verify(company: str, cutover="2026-06-30", quiet: bool = False) -> dict:
	"""Check the ledger against itself and the bins, and that the app plans the company with 0 blockers."""
	frappe.set_user(USER)
	out = print if not quiet else (lambda *a, **k: None)
	result: dict = {"company": company}
	t = time.perf_counter()
	result["sle_count"] = frappe.db.sql(
		"select count(*) from `tabStock Ledger Entry` where company = %s and is_cancelled = 0", company
	)[0][0]
	result["negative_qty_rows"] = frappe.db.sql(
		"select count(*) from `tabStock Ledger Entry` where company = %s and is_cancelled = 0 and qty_after_transaction < 0",
		company,
	)[0][0]
	pairs = frappe.db.sql(
		"""
		select count(*),
			sum(b.name is null),
			sum(b.name is not null and abs(s.qty - b.actual_qty) > 0.000001),
			sum(b.name is not null and abs(s.value - b.stock_value) >= 0.005)
		from (
			select item_code, warehouse, sum(actual_qty) as qty, sum(stock_value_difference) as value
			from `tabStock Ledger Entry` where company = %s and is_cancelled = 0
			group by item_code, warehouse
		) s
		left join `tabBin` b on b.item_code = s.item_code and b.warehouse = s.warehouse
		""",
		company,
	)[0]
	result["pairs"] = int(pairs[0] or 0)
	result["pairs_without_bin"] = int(pairs[1] or 0)
	result["bin_qty_mismatches"] = int(pairs[2] or 0)
	result["bin_value_mismatches"] = int(pairs[3] or 0)
	result["bins_without_ledger"] = frappe.db.sql(
		"""select count(*) from `tabBin` b join `tabWarehouse` w on w.name = b.warehouse
		where w.company = %s and not exists (
			select 1 from `tabStock Ledger Entry` s
			where s.item_code = b.item_code and s.warehouse = b.warehouse and s.is_cancelled = 0)""",
		company,
	)[0][0]
	# Running values: each row's qty/value after it equal the running sums in posting order.
	running = frappe.db.sql(
		"""
		select sum(abs(cq - qty_after_transaction) > 0.000001), sum(abs(cv - stock_value) >= 0.005)
		from (
			select qty_after_transaction, stock_value,
				sum(actual_qty) over w as cq, sum(stock_value_difference) over w as cv
			from `tabStock Ledger Entry`
			where company = %s and is_cancelled = 0
			window w as (partition by item_code, warehouse order by posting_datetime, creation
				rows between unbounded preceding and current row)
		) r
		""",
		company,
	)[0]
	result["running_qty_mismatches"] = int(running[0] or 0)
	result["running_value_mismatches"] = int(running[1] or 0)
	result["stock_value_at_cutover"] = frappe.db.sql(
		"""select cast(sum(stock_value_difference) as char) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 and posting_date <= %s""",
		(company, cutover),
	)[0][0]
	result["ledger_checks_seconds"] = round(time.perf_counter() - t, 2)

	from perpetual_switch import services

	t = time.perf_counter()
	plan = services.plan(company, cutover)
	result["plan_seconds"] = round(time.perf_counter() - t, 2)
	result["blockers"] = [services.issues_dicts([b])[0]["message"] for b in plan.blockers]
	result["warnings"] = [services.issues_dicts([w])[0]["message"] for w in plan.warnings]
	result["unbilled_rows_plan"] = len(plan.srbnb.receipts)
	result["unbilled_value_plan"] = str(plan.srbnb.unbilled_value)
	result["stock_accounts_plan"] = len(plan.stock_accounts)
	result["journal_entries_plan"] = [(j.purpose, len(j.lines)) for j in plan.journal_entries]
	result["stock_value_plan"] = str(sum(line.stock_value for line in plan.stock_accounts))

	ok = (
		result["negative_qty_rows"] == 0
		and result["pairs_without_bin"] == 0
		and result["bin_qty_mismatches"] == 0
		and result["bin_value_mismatches"] == 0
		and result["bins_without_ledger"] == 0
		and result["running_qty_mismatches"] == 0
		and result["running_value_mismatches"] == 0
		and not result["blockers"]
	)
	result["ok"] = ok
	out(f"verify {company!r} at {cutover}:")
	out(f"  stock ledger entries          {result['sle_count']}")
	out(f"  rows with qty_after < 0       {result['negative_qty_rows']}")
	out(
		f"  (item, warehouse) pairs       {result['pairs']}: without bin {result['pairs_without_bin']}, "
		f"qty mismatches {result['bin_qty_mismatches']}, value mismatches {result['bin_value_mismatches']}; "
		f"bins without ledger {result['bins_without_ledger']}"
	)
	out(
		f"  running values vs sums        qty mismatches {result['running_qty_mismatches']}, "
		f"value mismatches {result['running_value_mismatches']}  ({result['ledger_checks_seconds']} s)"
	)
	out(f"  stock value at cutover (SQL)  {result['stock_value_at_cutover']}")
	out(f"  services.plan                 {result['plan_seconds']} s; stock value {result['stock_value_plan']} over {result['stock_accounts_plan']} stock accounts")
	out(f"  unbilled receipt rows (plan)  {result['unbilled_rows_plan']} worth {result['unbilled_value_plan']}")
	out(f"  journals                      {result['journal_entries_plan']}")
	out(f"  blockers                      {len(result['blockers'])}")
	for message in result["blockers"]:
		out(f"    - {message}")
	out(f"  warnings                      {len(result['warnings'])}")
	for message in result["warnings"][:10]:
		out(f"    - {message}")
	out(f"  => {'OK' if ok else 'PROBLEMS FOUND'}")
	return result


def parse_args(argv=None):
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--company", required=True)
	parser.add_argument("--sle", type=int, default=1_000_000)
	parser.add_argument("--warehouses", type=int, default=500)
	parser.add_argument("--items", type=int, default=5000)
	parser.add_argument("--receipt-rows", type=int, default=100_000)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--cutover", default="2026-06-30")
	parser.add_argument("--abbr", help="company abbreviation (default: the name's letters and digits)")
	parser.add_argument("--replace", action="store_true", help="delete the company and its rows first")
	parser.add_argument("--no-se-details", action="store_true", help="skip Stock Entry Detail rows (faster)")
	parser.add_argument("--verify-only", action="store_true")
	parser.add_argument("--no-verify", action="store_true")
	return parser.parse_args(argv)


def build_from_args(args) -> dict:
	"""build() with a parsed command line (this script's, or the benchmark's)."""
	return build(
		args.company,
		sle=args.sle,
		warehouses=args.warehouses,
		items=args.items,
		receipt_rows=args.receipt_rows,
		seed=args.seed,
		cutover=args.cutover,
		replace=args.replace,
		abbr=getattr(args, "abbr", None),
		se_details=not getattr(args, "no_se_details", False),
	)


def main(argv=None) -> int:
	args = parse_args(argv)
	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	try:
		if not args.verify_only:
			summary = build_from_args(args)
			print({k: v for k, v in summary.items() if k != "timings"})
			print("timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items()))
		if args.no_verify:
			return 0
		return 0 if verify(args.company, args.cutover)["ok"] else 1
	finally:
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
