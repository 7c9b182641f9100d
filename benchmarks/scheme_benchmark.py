"""Times a change of inventory account scheme (ERPNext 16) on a large company: the SQL floor, the plan,
and the apply and rollback commands.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/scheme_benchmark.py \\
		--site SITE --company C --cutover 2026-06-30 [--runs 3] [--prepare] [--no-apply]

The company is a perpetual, warehouse-wise one built by benchmarks/large_company.py (and switched to
perpetual inventory). --prepare gives its items inventory accounts by bulk SQL, as an accountant
would set them on the items, item groups and brands: 40 % of the items on the item itself, 40 %
through ten item groups, 20 % through five brands, over twenty new Stock accounts. The script then
prints the machine, the floor (one SUM over the company's stock ledger up to the cutover) and
`services.plan(..., scheme="item-wise")`, each the best of --runs taken in turns, and their ratio;
then runs `bench perpetual-switch apply --scheme item-wise --yes`, checks that every stock account
matches its stock value under the new scheme, and runs `rollback --yes`, each with wall time, peak
RSS and exit code. Targets are printed as figures, never asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import frappe

sys.path.insert(0, str(Path(__file__).resolve().parent))

from switch_benchmark import fmt_peak, floor_query, machine, run_command, time_one  # noqa: E402

ACCOUNTS = 20
GROUPS = 10
BRANDS = 5


def prepare(company: str) -> dict:
	"""Inventory accounts for every item of the company, from the item, an item group or a brand."""
	abbr = frappe.db.get_value("Company", company, "abbr")
	parent = frappe.db.get_value("Account", {"company": company, "is_group": 1, "account_type": "Stock"}) or f"Stock Assets - {abbr}"
	accounts = []
	for n in range(1, ACCOUNTS + 1):
		name = f"Item Stock {n:02d} - {abbr}"
		if not frappe.db.exists("Account", name):
			frappe.get_doc(
				{
					"doctype": "Account",
					"account_name": f"Item Stock {n:02d}",
					"parent_account": parent,
					"company": company,
					"account_type": "Stock",
				}
			).insert(ignore_permissions=True)
		accounts.append(name)
	items = frappe.db.sql_list(
		"select distinct item_code from `tabBin` b join `tabWarehouse` w on w.name = b.warehouse where w.company = %s order by item_code",
		company,
	)
	warehouse = frappe.db.get_value("Warehouse", {"company": company, "is_group": 0})
	groups = []
	for n in range(GROUPS):
		name = f"Scheme Group {n:02d}"
		if not frappe.db.exists("Item Group", name):
			frappe.get_doc(
				{
					"doctype": "Item Group",
					"item_group_name": name,
					"parent_item_group": "All Item Groups",
					"item_group_defaults": [
						{"company": company, "default_warehouse": warehouse, "default_inventory_account": accounts[n % ACCOUNTS]}
					],
				}
			).insert(ignore_permissions=True)
		groups.append(name)
	brands = []
	for n in range(BRANDS):
		name = f"Scheme Brand {n:02d}"
		if not frappe.db.exists("Brand", name):
			frappe.get_doc(
				{
					"doctype": "Brand",
					"brand": name,
					"brand_defaults": [
						{
							"company": company,
							"default_warehouse": warehouse,
							"default_inventory_account": accounts[(GROUPS + n) % ACCOUNTS],
						}
					],
				}
			).insert(ignore_permissions=True)
		brands.append(name)
	own, by_group, by_brand = {}, {}, {}
	for index, item in enumerate(items):
		share = index % 5
		if share < 2:
			own.setdefault(accounts[index % ACCOUNTS], []).append(item)
		elif share < 4:
			by_group.setdefault(groups[index % GROUPS], []).append(item)
		else:
			by_brand.setdefault(brands[index % BRANDS], []).append(item)
	frappe.db.sql(
		"update `tabItem Default` set default_inventory_account = null where parenttype = 'Item' and company = %s",
		company,
	)
	frappe.db.sql(
		"update `tabItem` set item_group = 'All Item Groups', brand = null where name in %(items)s", {"items": tuple(items)}
	)
	for account, names in own.items():
		frappe.db.sql(
			"""update `tabItem Default` set default_inventory_account = %(account)s
			where parenttype = 'Item' and company = %(company)s and parent in %(items)s""",
			{"account": account, "company": company, "items": tuple(names)},
		)
	for group, names in by_group.items():
		frappe.db.sql("update `tabItem` set item_group = %(group)s where name in %(items)s", {"group": group, "items": tuple(names)})
	for brand, names in by_brand.items():
		frappe.db.sql("update `tabItem` set brand = %(brand)s where name in %(items)s", {"brand": brand, "items": tuple(names)})
	frappe.db.commit()
	frappe.clear_cache()
	return {"items": len(items), "own": sum(map(len, own.values())), "group": sum(map(len, by_group.values())), "brand": sum(map(len, by_brand.values()))}


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--company", required=True)
	parser.add_argument("--cutover", default="2026-06-30")
	parser.add_argument("--runs", type=int, default=3)
	parser.add_argument("--prepare", action="store_true", help="give the items inventory accounts first")
	parser.add_argument("--no-apply", action="store_true", help="only the floor and the plan")
	args = parser.parse_args(argv)

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		from perpetual_switch import services
		from perpetual_switch.erpnext_io import reader

		if not reader.item_wise_available():
			print("this site's ERPNext has no item-wise inventory accounts (version 16 on): nothing to time")
			return 2
		print("machine: " + ", ".join(f"{k} {v}" for k, v in machine().items()))
		if args.prepare:
			print("prepared: " + ", ".join(f"{k} {v}" for k, v in prepare(args.company).items()))

		floor_times, plan_times = [], []
		plan = None
		for _run in range(args.runs):
			seconds, _total = time_one(lambda: floor_query(args.company, args.cutover))
			floor_times.append(seconds)
			frappe.db.commit()
			seconds, plan = time_one(lambda: services.plan(args.company, args.cutover, scheme="item-wise"))
			plan_times.append(seconds)
			frappe.db.commit()
		floor, best = min(floor_times), min(plan_times)
		ratios = sorted(p / f for p, f in zip(plan_times, floor_times))
		scheme = plan.scheme
		rows = [
			("floor: SUM(stock_value_difference)", f"{floor:.3f} s", "runs " + ", ".join(f"{t:.3f}" for t in floor_times)),
			("services.plan(scheme='item-wise')", f"{best:.3f} s", "runs " + ", ".join(f"{t:.3f}" for t in plan_times)),
			(
				"ratio plan / floor",
				f"{best / floor:.1f}x" if floor else "n/a",
				"best over best; run by run " + ", ".join(f"{r:.1f}x" for r in ratios),
			),
			(
				"plan content",
				f"{len(plan.blockers)} blockers",
				f"{scheme.cells if scheme else 0} items in warehouses, {len(scheme.moves) if scheme else 0} account pairs, "
				f"{sum(len(j.lines) for j in plan.journal_entries)} journal lines",
			),
		]
		for blocker in plan.blockers[:5]:
			print("blocker: " + blocker.message)
		if not args.no_apply and not plan.blockers:
			result = run_command(
				args.site,
				["perpetual-switch", "apply", "--company", args.company, "--date", str(args.cutover), "--scheme", "item-wise", "--yes"],
			)
			rows.append(("apply --scheme item-wise (command)", f"{result['wall']:.1f} s", f"exit {result['rc']}, peak RSS {fmt_peak(result['peak_mib'])}"))
			if result["rc"] == 0:
				frappe.db.rollback()
				frappe.clear_cache()
				seconds, status = time_one(lambda: services.status(args.company))
				out = [a for a in status["stock_accounts"] if a["difference"] != "0.00"]
				rows.append(("status after apply", "in sync" if status["in_sync"] else f"{len(out)} accounts out of sync", f"{len(status['stock_accounts'])} stock accounts, {seconds:.1f} s"))
				frappe.db.commit()
				back = run_command(args.site, ["perpetual-switch", "rollback", "--company", args.company, "--yes"])
				rows.append(("rollback (command)", f"{back['wall']:.1f} s", f"exit {back['rc']}, peak RSS {fmt_peak(back['peak_mib'])}"))
				if back["rc"] != 0:
					print("\n".join(back["tail"]))
			else:
				print("\n".join(result["tail"]))
		width = max(len(r[0]) for r in rows)
		for label, value, note in rows:
			print(f"{label.ljust(width)}  {value:>12}  {note}")
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main())
