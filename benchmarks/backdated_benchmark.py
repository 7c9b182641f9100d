"""Repost throughput of a backdated switch, on a real site.

Builds a periodic company whose documents after the cutover are real ERPNext documents (the repost
opens each one, so bulk-inserted ledger rows would not do): one receipt before the cutover, then
`--vouchers` stock entries after it, alternately receipts and issues. Then times the plan (its
preview reposts everything in a savepoint), the apply (switch, then the repost in committed
batches) and the rollback, and prints vouchers per second; then the same switch again with
`--runners` processes reposting it at once (as that many workers of the site would). Then, in the same run and on the same
company, with the switch rolled back and the perpetual flag set by hand, it times ERPNext's own GL
repost of the same vouchers (`repost_gle_for_stock_vouchers` over the list, as Repost Item Valuation
runs it) and profiles the first `--profile N` of them to show where a document's time goes. Figures
only; nothing is asserted. The company is left perpetual: build a new one for each run.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/backdated_benchmark.py --site SITE --vouchers 1000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid

# A second runner of the same switch, in a process of its own (as a second worker would be).
RUNNER = """
import sys, frappe
frappe.init(site=sys.argv[1], sites_path="."); frappe.connect(); frappe.set_user("Administrator")
from perpetual_switch.services import backdated
print(backdated.run_or_undo(sys.argv[2]) or "ok")
frappe.destroy()
"""


def build(frappe, vouchers: int, cutover: str) -> str:
	tag = uuid.uuid4().hex[:4].upper()
	company = f"PS Bench Backdated {tag}"
	for year in (2025, 2026):
		if not frappe.db.exists("Fiscal Year", {"year_start_date": f"{year}-01-01"}):
			frappe.get_doc({"doctype": "Fiscal Year", "year": str(year), "year_start_date": f"{year}-01-01", "year_end_date": f"{year}-12-31"}).insert()
	frappe.get_doc(
		{
			"doctype": "Company", "company_name": company, "abbr": f"B{tag}", "default_currency": "EUR",
			"country": "Portugal", "create_chart_of_accounts_based_on": "Standard Template",
			"chart_of_accounts": "Standard", "enable_perpetual_inventory": 0,
		}
	).insert()  # fmt: skip
	frappe.db.set_value("Company", company, "default_inventory_account", f"Stock In Hand - B{tag}")
	frappe.db.set_value("Company", company, "stock_adjustment_account", f"Stock Adjustment - B{tag}")
	warehouse = f"Stores - B{tag}"
	item = f"BENCH-BD-{tag}"
	frappe.get_doc({"doctype": "Item", "item_code": item, "item_name": item, "item_group": "All Item Groups", "stock_uom": "Nos", "is_stock_item": 1, "valuation_method": "Moving Average"}).insert()

	def entry(kind, date, qty, rate=None):
		row = {"item_code": item, "qty": qty, "conversion_factor": 1}
		row["t_warehouse" if kind == "Material Receipt" else "s_warehouse"] = warehouse
		if rate:
			row["basic_rate"] = rate
		doc = frappe.get_doc({"doctype": "Stock Entry", "stock_entry_type": kind, "company": company, "posting_date": date, "set_posting_time": 1, "items": [row]})
		doc.insert()
		doc.submit()

	entry("Material Receipt", cutover, 1000, 10)
	start = time.perf_counter()
	for n in range(vouchers):
		day = f"2026-{1 + (n * 11) // vouchers:02d}-{1 + n % 28:02d}"
		if n % 2:
			entry("Material Issue", day, 1)
		else:
			entry("Material Receipt", day, 2, 10 + n % 7)
		if n % 200 == 199:
			frappe.db.commit()
			print(f"  built {n + 1} vouchers ({time.perf_counter() - start:.0f} s)", flush=True)
	frappe.db.commit()
	return company


def erpnext_repost(frappe, company: str, plan, cutover: str, profile: int) -> None:
	"""ERPNext's own GL repost of the same vouchers under perpetual inventory, as Repost Item Valuation
	runs it: once the switch is rolled back, the company's perpetual flag is set by hand and
	`repost_gle_for_stock_vouchers` rebuilds each voucher's GL (every one differs from its periodic
	GL, so every one is written). The first `profile` vouchers are profiled one at a time, the rest
	timed in one call. It commits as it goes; the company is left perpetual (a benchmark's own)."""
	import cProfile
	import io
	import pstats

	from erpnext.accounts.utils import repost_gle_for_stock_vouchers

	frappe.db.set_value("Company", company, "enable_perpetual_inventory", 1)
	frappe.db.commit()
	frappe.clear_cache()
	frappe.flags.pop("warehouse_account_map", None)
	vouchers = [(v.voucher_type, v.voucher_no) for v in plan.backdated.repost]
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
	frappe.db.commit()
	own_s = time.perf_counter() - t
	if rest:
		print(f"ERPNext's own GL repost under perpetual inventory of the other {len(rest)} vouchers: {own_s:.1f} s = {len(rest) / own_s:.1f} vouchers/s")


def main():
	parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
	parser.add_argument("--site", required=True)
	parser.add_argument("--vouchers", type=int, default=1000)
	parser.add_argument("--company", help="Reuse a company built by an earlier run")
	parser.add_argument("--cutover", default="2025-12-31")
	parser.add_argument("--runners", type=int, default=2, help="Also repost the same switch with this many runners at once (1: skip)")
	parser.add_argument("--profile", type=int, default=50, help="How many vouchers of ERPNext's repost to profile (0: none)")
	args = parser.parse_args()

	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	from perpetual_switch import services
	from perpetual_switch.services import backdated

	company = args.company or build(frappe, args.vouchers, args.cutover)
	print(f"company {company}")

	t = time.perf_counter()
	plan = services.plan(company, args.cutover, backdated=True, preview=True)
	plan_s = time.perf_counter() - t
	frappe.db.rollback()
	count = plan.backdated.vouchers
	print(f"plan with preview: {plan_s:.1f} s for {count} vouchers ({count / plan_s:.1f} vouchers/s); blockers {len(plan.blockers)}")

	t = time.perf_counter()
	doc = services.apply(company, args.cutover, backdated=True)
	frappe.db.commit()
	switch_s = time.perf_counter() - t
	t = time.perf_counter()
	reason = backdated.run_or_undo(doc.name)
	repost_s = time.perf_counter() - t
	print(f"apply: switch and listing {switch_s:.1f} s; repost {repost_s:.1f} s = {count / repost_s:.1f} vouchers/s{'; FAILED: ' + reason if reason else ''}")
	print(f"  at that rate 10,000 vouchers take {10000 / (count / repost_s) / 60:.1f} min")

	t = time.perf_counter()
	services.rollback(company)
	frappe.db.commit()
	print(f"rollback: {time.perf_counter() - t:.1f} s")
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
	erpnext_repost(frappe, company, plan, args.cutover, args.profile)
	print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
	frappe.destroy()


if __name__ == "__main__":
	main()
