"""Repost throughput of a backdated switch, on a real site.

Builds a periodic company whose documents after the cutover are real ERPNext documents (the repost
opens each one, so bulk-inserted ledger rows would not do): stock and receipts before the cutover,
then `--vouchers` documents after it, each kind in turn (`--kinds all`: receipts with a valuation tax,
deliveries, material issues, transfers and receipts, repacks, stock reconciliations, invoices that
move stock, invoices billing receipts of before the cutover), or (`--kinds entries`) alternately
material receipts and issues of one item, in date order. With `--copies K`, those documents are then
copied K times by bulk SQL, each copy on copies of the items (`backdated_copies.py`): a company of a
hundred thousand documents in minutes, not hours. Then times the plan (its
preview reposts everything in a savepoint), the apply (switch, then the repost in committed
batches) and the rollback, and prints vouchers per second; then the same switch again with
`--runners` processes reposting it at once (as that many workers of the site would). Then, in the same run and on the same
company, with the switch rolled back and the perpetual flag set by hand, it times ERPNext's own GL
repost of the same vouchers, or of the first `--erpnext-vouchers N` (`repost_gle_for_stock_vouchers`
over the list, as Repost Item Valuation runs it) and profiles the first `--profile N` of them to show where a document's time goes. Each
step prints its own peak memory (Linux's VmHWM, reset before it, beside what the process held when it
began), and the second runner its own. Figures only; nothing is asserted. The company is left perpetual: build a new one for each run.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/backdated_benchmark.py --site SITE --vouchers 1000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta

# A second runner of the same switch, in a process of its own (as a second worker would be).
# Its peak is its own VmHWM: ru_maxrss would carry over the benchmark's own peak from the fork.
RUNNER = """
import sys, frappe
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect(); frappe.set_user("Administrator")
from perpetual_switch.services import backdated
reason = backdated.run_or_undo(sys.argv[2]) or "ok"
peak = next(int(line.split()[1]) // 1024 for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(f"{reason}, peak memory {peak} MiB")
frappe.destroy()
"""


def _status_mib(field: str) -> int | None:
	try:
		with open("/proc/self/status") as status:
			return next(int(line.split()[1]) // 1024 for line in status if line.startswith(field))
	except (OSError, StopIteration):
		return None


def reset_peak() -> int | None:
	"""Starts a new peak at the current resident set (Linux's clear_refs 5), so each step's peak is
	its own, not the largest of the steps before it; returns that resident set, for `peak`."""
	try:
		with open("/proc/self/clear_refs", "w") as refs:
			refs.write("5")
	except OSError:
		pass
	return _status_mib("VmRSS:")


def peak(start: int | None) -> str:
	"""This process's peak resident set since `reset_peak` (VmHWM), with what it held then (`start`)."""
	high = _status_mib("VmHWM:")
	if high is None:
		return "n/a"
	return f"{high} MiB, {start} MiB at its start"


KINDS = (
	"receipt with a valuation tax",
	"delivery",
	"material issue",
	"material transfer",
	"repack",
	"stock reconciliation",
	"invoice that moves stock",
	"invoice billing a receipt of before the cutover",
	"material receipt",
)
"""The documents of `--kinds all`, one of each in turn; `--kinds entries` builds material receipts and
issues of one item only (the earlier runs' company)."""


def build(frappe, vouchers: int, cutover: str, kinds: str = "all") -> str:
	tag = uuid.uuid4().hex[:4].upper()
	company = f"PS Bench Backdated {tag}"
	abbr = f"B{tag}"
	for year in (2025, 2026):
		if not frappe.db.exists("Fiscal Year", {"year_start_date": f"{year}-01-01"}):
			frappe.get_doc({"doctype": "Fiscal Year", "year": str(year), "year_start_date": f"{year}-01-01", "year_end_date": f"{year}-12-31"}).insert()
	frappe.get_doc(
		{
			"doctype": "Company", "company_name": company, "abbr": abbr, "default_currency": "EUR",
			"country": "Portugal", "create_chart_of_accounts_based_on": "Standard Template",
			"chart_of_accounts": "Standard", "enable_perpetual_inventory": 0,
		}
	).insert()  # fmt: skip
	frappe.db.set_value("Company", company, "default_inventory_account", f"Stock In Hand - {abbr}")
	frappe.db.set_value("Company", company, "stock_adjustment_account", f"Stock Adjustment - {abbr}")
	stores, finished = f"Stores - {abbr}", f"Finished Goods - {abbr}"
	items = [f"BENCH-BD-{tag}" if n == 0 else f"BENCH-BD-{tag}-{n}" for n in range(1 if kinds == "entries" else 10)]
	for item in items:
		frappe.get_doc({"doctype": "Item", "item_code": item, "item_name": item, "item_group": "All Item Groups", "stock_uom": "Nos", "is_stock_item": 1, "valuation_method": "Moving Average"}).insert()
	for party, doctype, group in (("Bench Supplier", "Supplier", {"supplier_group": "All Supplier Groups"}), ("Bench Customer", "Customer", {"customer_group": "All Customer Groups", "territory": "All Territories"})):
		if not frappe.db.exists(doctype, party):
			frappe.get_doc({"doctype": doctype, f"{doctype.lower()}_name": party, **group}).insert()

	def submit(doc):
		doc.insert()
		doc.submit()
		return doc

	def dated(date):
		return {"company": company, "posting_date": date, "set_posting_time": 1}

	def entry(kind, date, rows):
		return submit(frappe.get_doc({"doctype": "Stock Entry", "stock_entry_type": kind, **dated(date), "items": rows}))

	def receipt(date, item, qty, rate, tax=0):
		taxes = [{"charge_type": "Actual", "category": "Valuation and Total", "add_deduct_tax": "Add", "account_head": f"Freight and Forwarding Charges - {abbr}", "description": "Freight", "tax_amount": tax, "cost_center": f"Main - {abbr}"}] if tax else []
		return submit(frappe.get_doc({"doctype": "Purchase Receipt", **dated(date), "supplier": "Bench Supplier", "currency": "EUR", "conversion_rate": 1, "items": [{"item_code": item, "qty": qty, "rate": rate, "warehouse": stores, "conversion_factor": 1}], "taxes": taxes}))

	def delivery(date, item, qty):
		return submit(frappe.get_doc({"doctype": "Delivery Note", **dated(date), "customer": "Bench Customer", "currency": "EUR", "conversion_rate": 1, "selling_price_list": "Standard Selling", "plc_conversion_rate": 1, "items": [{"item_code": item, "qty": qty, "rate": 30, "warehouse": stores, "conversion_factor": 1}]}))

	def reconcile(date, item, qty, rate):
		return submit(frappe.get_doc({"doctype": "Stock Reconciliation", **dated(date), "purpose": "Stock Reconciliation", "expense_account": f"Stock Adjustment - {abbr}", "cost_center": f"Main - {abbr}", "items": [{"item_code": item, "warehouse": stores, "qty": qty, "valuation_rate": rate}]}))

	def invoice_with_stock(date, item, qty, rate):
		return submit(frappe.get_doc({"doctype": "Purchase Invoice", **dated(date), "supplier": "Bench Supplier", "bill_date": date, "due_date": date, "currency": "EUR", "conversion_rate": 1, "update_stock": 1, "items": [{"item_code": item, "qty": qty, "rate": rate, "warehouse": stores, "conversion_factor": 1}]}))

	def bill(date, receipt_name):
		from erpnext.stock.doctype.purchase_receipt.purchase_receipt import make_purchase_invoice

		doc = make_purchase_invoice(receipt_name)
		doc.update({"posting_date": date, "set_posting_time": 1, "bill_date": date, "due_date": date})
		return submit(doc)

	entry("Material Receipt", cutover, [{"item_code": item, "qty": 100000, "basic_rate": 10, "t_warehouse": stores, "conversion_factor": 1} for item in items])
	# Receipts of before the cutover that invoices after it bill.
	to_bill = [receipt(cutover, items[n % len(items)], 5, 11).name for n in range(0 if kinds == "entries" else vouchers // len(KINDS) + 1)]
	start = time.perf_counter()
	for n in range(vouchers):
		# In date order (each made after the one before it), so that ERPNext queues no repost of later entries.
		day = str(date(2026, 1, 1) + timedelta(days=(n * 333) // vouchers))
		item, other = items[n % len(items)], items[(n + 1) % len(items)]
		kind = ("material receipt", "material issue")[n % 2] if kinds == "entries" else KINDS[n % len(KINDS)]
		if kind == "material receipt":
			entry("Material Receipt", day, [{"item_code": item, "qty": 2 if kinds == "entries" else 3, "basic_rate": 10 + n % 7, "t_warehouse": stores, "conversion_factor": 1}])
		elif kind == "material issue":
			entry("Material Issue", day, [{"item_code": item, "qty": 1, "s_warehouse": stores, "conversion_factor": 1}])
		elif kind == "receipt with a valuation tax":
			receipt(day, item, 4, 12 + n % 5, tax=3)
		elif kind == "delivery":
			delivery(day, item, 2)
		elif kind == "material transfer":
			entry("Material Transfer", day, [{"item_code": item, "qty": 1, "s_warehouse": stores, "t_warehouse": finished, "conversion_factor": 1}])
		elif kind == "repack":
			entry("Repack", day, [
				{"item_code": item, "qty": 2, "s_warehouse": stores, "conversion_factor": 1},
				{"item_code": other, "qty": 2, "t_warehouse": stores, "conversion_factor": 1, "is_finished_item": 1},
			])  # fmt: skip
		elif kind == "stock reconciliation":
			reconcile(day, item, 90000 + n % 50, 10 + n % 3)
		elif kind == "invoice that moves stock":
			invoice_with_stock(day, item, 2, 14)
		else:
			bill(day, to_bill.pop())
		if n % 200 == 199:
			frappe.db.commit()
			print(f"  built {n + 1} vouchers ({time.perf_counter() - start:.0f} s)", flush=True)
	frappe.db.commit()
	return company


def app_defaults(frappe, company: str) -> dict:
	"""The company's default accounts as the app set them for perpetual inventory (read while a switch
	is applied), for ERPNext's own repost to have the same once the switch is rolled back."""
	from perpetual_switch.engine.models import COMPANY_DEFAULT_FIELDS

	meta = frappe.get_meta("Company")
	fields = [f for f in COMPANY_DEFAULT_FIELDS if f != "enable_perpetual_inventory" and meta.has_field(f)]
	return frappe.db.get_value("Company", company, fields, as_dict=True)


def erpnext_repost(frappe, company: str, listed, cutover: str, profile: int, defaults: dict) -> None:
	"""ERPNext's own GL repost of the same vouchers under perpetual inventory, as Repost Item Valuation
	and Repost Accounting Ledger run it: once the switch is rolled back, the company's defaults (as the
	app set them) and perpetual flag are set by hand, the fields ERPNext fills under perpetual
	inventory are filled (untimed), then `repost_gle_for_stock_vouchers` rebuilds each stock voucher's
	GL and each invoice that only bills gets its GL made again (every one differs from its periodic GL,
	so every one is written), for the vouchers `listed`. The first `profile` stock vouchers are profiled one at a time, the rest
	timed in one call. It
	commits as it goes; the company is left perpetual (a benchmark's own)."""
	import cProfile
	import io
	import pstats

	from erpnext.accounts.utils import _delete_accounting_ledger_entries, repost_gle_for_stock_vouchers

	from perpetual_switch.erpnext_io import backdated as reads
	from perpetual_switch.erpnext_io import writer

	frappe.db.set_value("Company", company, {**{k: v for k, v in defaults.items() if v}, "enable_perpetual_inventory": 1})
	frappe.db.commit()
	frappe.clear_cache()
	writer.forget_company(company)
	frappe.flags.pop("warehouse_account_map", None)
	reads.missing_accounts(company, listed)
	invoices = [frappe.get_doc("Purchase Invoice", v.voucher_no) for v in listed if v.voucher_type == "Purchase Invoice"]
	for doc in invoices:
		# The expense accounts ERPNext's validate gives an invoice under perpetual inventory.
		before = {row.name: row.expense_account for row in doc.items}
		doc.set_expense_account(for_validate=False)
		for row in doc.items:
			if row.expense_account != before[row.name]:
				frappe.db.set_value("Purchase Invoice Item", row.name, "expense_account", row.expense_account, update_modified=False)
	frappe.db.commit()
	vouchers = [(v.voucher_type, v.voucher_no) for v in listed if v.stock]
	billing = [doc for doc in invoices if not doc.update_stock]
	sample, rest = vouchers[:profile], vouchers[profile:]
	if sample:
		profiler = cProfile.Profile()
		t = time.perf_counter()
		profiler.enable()
		for voucher in sample:
			repost_gle_for_stock_vouchers([voucher], cutover, company)
		profiler.disable()
		sample_s = time.perf_counter() - t
		frappe.db.commit()
		out = io.StringIO()
		pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
		print(f"profile of ERPNext's repost of {len(sample)} vouchers, one at a time ({sample_s / len(sample) * 1000:.1f} ms each under the profiler):")
		print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
	t = time.perf_counter()
	repost_gle_for_stock_vouchers(rest, cutover, company)
	for doc in billing:
		# What Repost Accounting Ledger does for an invoice.
		_delete_accounting_ledger_entries(doc.doctype, doc.name)
		doc.force_set_against_expense_account()
		doc.make_gl_entries()
	frappe.db.commit()
	own_s = time.perf_counter() - t
	count = len(rest) + len(billing)
	if count:
		print(f"ERPNext's own GL repost under perpetual inventory of the other {count} vouchers ({len(billing)} invoices that only bill): {own_s:.1f} s = {count / own_s:.1f} vouchers/s")


def main():
	parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
	parser.add_argument("--site", required=True)
	parser.add_argument("--vouchers", type=int, default=1000)
	parser.add_argument("--company", help="Reuse a company built by an earlier run")
	parser.add_argument("--kinds", choices=("all", "entries"), default="all", help="Documents of every kind the repost meets, or material receipts and issues of one item")
	parser.add_argument("--cutover", default="2025-12-31")
	parser.add_argument("--runners", type=int, default=2, help="Also repost the same switch with this many runners at once (1: skip)")
	parser.add_argument("--profile", type=int, default=50, help="How many vouchers of ERPNext's repost to profile (0: none)")
	parser.add_argument("--copies", type=int, default=0, help="Then copy the built company's documents this many times by bulk SQL (backdated_copies.py), each copy on its own items: (copies + 1) x --vouchers documents after the cutover")
	parser.add_argument("--erpnext-vouchers", type=int, default=0, help="Time ERPNext's own repost on the first N documents of the list only (0: all of them)")
	args = parser.parse_args()

	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from perpetual_switch import services
	from perpetual_switch.services import backdated

	company = args.company or build(frappe, args.vouchers, args.cutover, args.kinds)
	if args.copies:
		from backdated_copies import check, copy_documents

		t = time.perf_counter()
		written = copy_documents(frappe, company, args.copies, progress=lambda line: print(f"  {line}", flush=True))
		problems = check(frappe, company)
		print(f"copied: {written} documents in {time.perf_counter() - t:.1f} s; {len(problems)} problems{': ' + problems[0] if problems else ''}")
	print(f"company {company}")

	start = reset_peak()
	t = time.perf_counter()
	plan = services.plan(company, args.cutover, backdated=True, preview=True)
	plan_s = time.perf_counter() - t
	frappe.db.rollback()
	count = plan.backdated.vouchers
	print(
		f"plan with preview: {plan_s:.1f} s for {count} vouchers ({count / plan_s:.1f} vouchers/s); blockers {len(plan.blockers)}; "
		f"peak {peak(start)} (the plan holds each voucher's change)"
	)
	# ERPNext's own repost, at the end, takes these (the first --erpnext-vouchers of the list).
	listed = list(plan.backdated.repost[: args.erpnext_vouchers or None])
	del plan

	start = reset_peak()
	t = time.perf_counter()
	doc = services.apply(company, args.cutover, backdated=True)
	frappe.db.commit()
	switch_s = time.perf_counter() - t
	name = doc.name
	del doc  # the apply's plan (every voucher listed) is not the repost's
	apply_peak = peak(start)
	start = reset_peak()
	t = time.perf_counter()
	reason = backdated.run_or_undo(name)
	repost_s = time.perf_counter() - t
	defaults = app_defaults(frappe, company)
	print(
		f"apply: switch and listing {switch_s:.1f} s (peak {apply_peak}); repost {repost_s:.1f} s = {count / repost_s:.1f} vouchers/s "
		f"(peak {peak(start)}){'; FAILED: ' + reason if reason else ''}"
	)
	print(f"  at that rate 10,000 vouchers take {10000 / (count / repost_s) / 60:.1f} min")

	start = reset_peak()
	t = time.perf_counter()
	services.rollback(company)
	frappe.db.commit()
	print(f"rollback: {time.perf_counter() - t:.1f} s (peak {peak(start)})")
	if args.runners > 1:
		# The same switch again, reposted by this process and runners-1 others at once, as that many
		# workers of the site would (each takes batches no other holds).
		doc = services.apply(company, args.cutover, backdated=True)
		frappe.db.commit()
		t = time.perf_counter()
		others = [
			subprocess.Popen([sys.executable, "-c", RUNNER, args.site, doc.name], cwd=os.getcwd(), stdout=subprocess.PIPE, text=True)
			for _n in range(args.runners - 1)
		]
		reason = backdated.run_or_undo(doc.name)
		results = [other.communicate()[0].strip() for other in others]
		runners_s = time.perf_counter() - t
		doc.reload()
		print(
			f"repost with {args.runners} runners: {runners_s:.1f} s = {count / runners_s:.1f} vouchers/s "
			f"({repost_s / runners_s:.2f} x one runner; the others' start included); status {doc.status}, "
			f"{doc.reposted_count} reposted; runners said {[reason or 'ok', *results]}"
		)
		services.rollback(company)
		frappe.db.commit()
	start = reset_peak()
	erpnext_repost(frappe, company, listed, args.cutover, args.profile, defaults)
	print(f"  (ERPNext's own repost: peak {peak(start)})")
	frappe.destroy()


if __name__ == "__main__":
	main()
