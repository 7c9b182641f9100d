"""Prints how long the engine takes to build a plan, and its peak memory, on a large synthetic company.

    python benchmarks/plan_benchmark.py [--warehouses 5000] [--receipt-rows 200000]

With --site SITE --company C (run from frappe-bench/sites with the bench's Python) it also times the
whole `services.plan` on that company: the SQL aggregates plus the engine.
"""

import argparse
import random
import sys
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from perpetual_switch.engine.models import (  # noqa: E402
	Account,
	Company,
	CostCenter,
	ReceiptRow,
	SwitchInputs,
	Warehouse,
)
from perpetual_switch.engine.plan import build_plan  # noqa: E402


def synthetic(n_warehouses: int, n_rows: int, n_accounts: int = 200) -> SwitchInputs:
	rnd = random.Random(7)
	c = "Bench Co"
	accounts = {f"Stock {i}": Account(f"Stock {i}", c, account_type="Stock") for i in range(n_accounts)}
	accounts["COGS"] = Account("COGS", c, account_type="Cost of Goods Sold", report_type="Profit and Loss")
	accounts["SRBNB"] = Account("SRBNB", c, account_type="Stock Received But Not Billed")
	warehouses = [Warehouse("Root", c, None, True, "Stock 0")]
	for i in range(n_warehouses):
		parent = warehouses[rnd.randrange(len(warehouses))].name if i % 10 else "Root"
		own = f"Stock {rnd.randrange(n_accounts)}" if rnd.random() < 0.3 else None
		warehouses.append(Warehouse(f"W{i}", c, parent, i % 10 == 0, own))
	values = {w.name: Decimal(rnd.randrange(10**8)) / 100 for w in warehouses if not w.is_group}
	gl = {a: Decimal(rnd.randrange(10**8)) / 100 for a in accounts}
	rows = tuple(
		ReceiptRow(f"PR-{i // 5}", f"row-{i}", "ITEM", "To Bill", Decimal(10), Decimal(rnd.randrange(10**6)) / 100, Decimal(rnd.randrange(3)), Decimal(rnd.randrange(5)))
		for i in range(n_rows)
	)
	return SwitchInputs(
		company=Company(c, "EUR", 2, False, "COGS", {"stock_received_but_not_billed": "SRBNB"}),
		cutover_date=date(2026, 6, 30),
		today=date(2026, 11, 22),
		expense_account="COGS",
		cost_center="Main",
		warehouses=tuple(warehouses),
		accounts=accounts,
		cost_centers={"Main": CostCenter("Main", c)},
		stock_values=values,
		gl_balances=gl,
		receipt_rows=rows,
		freeze_start=date(2020, 1, 1),
	)


def engine(args):
	data = synthetic(args.warehouses, args.receipt_rows)
	start = time.perf_counter()
	plan = build_plan(data)
	elapsed = time.perf_counter() - start
	# Memory in a second run: tracemalloc slows the first one down several times.
	tracemalloc.start()
	build_plan(data)
	_, peak = tracemalloc.get_traced_memory()
	tracemalloc.stop()
	lines = sum(len(j.lines) for j in plan.journal_entries)
	print(
		f"engine: {args.warehouses} warehouses, {args.receipt_rows} receipt rows -> "
		f"{len(plan.stock_accounts)} stock accounts, {lines} journal lines, "
		f"{len(plan.srbnb.receipts)} accrued rows in {elapsed:.3f} s, peak {peak / 2**20:.1f} MiB"
	)


def site(args):
	import frappe

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	from perpetual_switch import services

	times = []
	for _ in range(args.repeat):
		start = time.perf_counter()
		plan = services.plan(args.company, args.date)
		times.append(time.perf_counter() - start)
	print(
		f"site: services.plan({args.company!r}, {args.date}) best {min(times):.3f} s of {args.repeat}; "
		f"{len(plan.warehouses)} warehouses, {len(plan.srbnb.receipts)} accrued rows"
	)
	frappe.destroy()


if __name__ == "__main__":
	parser = argparse.ArgumentParser()
	parser.add_argument("--warehouses", type=int, default=5000)
	parser.add_argument("--receipt-rows", type=int, default=200000)
	parser.add_argument("--site")
	parser.add_argument("--company")
	parser.add_argument("--date", default=str(date.today()))
	parser.add_argument("--repeat", type=int, default=5)
	args = parser.parse_args()
	engine(args)
	if args.site and args.company:
		site(args)
