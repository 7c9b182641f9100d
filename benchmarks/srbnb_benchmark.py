"""Times the SRBNB reconciliation (services.srbnb.compute) on a large company against its SQL floor.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/srbnb_benchmark.py \\
		--site SITE [--company "Big 1M"] [--date 2026-12-31] [--runs 3] \\
		[--build --sle N --warehouses W --items I --receipt-rows R [--replace]] [--apply [--cutover 2026-06-30]]

--build makes the company first with benchmarks/large_company.py (and verifies it); --apply then
runs `bench --site S perpetual-switch apply` at --cutover unless the company's latest switch is
already applied, and leaves it applied, so the account holds the switch's accrual.

The floor is (a) one SUM(credit) - SUM(debit) over the company's SRBNB GL rows up to the date plus
(b) one streamed pass over the company's submitted receipt rows up to the date (name, stock_qty,
base_net_amount). The floor and srbnb.compute take turns --runs times, so both see the same moments
of a shared machine; peak Python memory is measured with tracemalloc in one more run of compute
(tracemalloc slows it down, so it is not timed). Targets are printed as figures, never asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import frappe

sys.path.insert(0, str(Path(__file__).resolve().parent))

import large_company  # noqa: E402
from switch_benchmark import fmt_peak, machine, run_command, time_one  # noqa: E402

SWITCH = "Switch to Perpetual Inventory"


def gl_floor(company: str, accounts: tuple, as_of: str):
	"""(a) One SUM over the accounts' GL rows."""
	return frappe.db.sql(
		"""select sum(credit) - sum(debit) from `tabGL Entry`
		where company = %(company)s and account in %(accounts)s and is_cancelled = 0
			and posting_date <= %(date)s""",
		{"company": company, "accounts": accounts or ("",), "date": as_of},
	)[0][0]


def receipt_floor(company: str, as_of: str) -> int:
	"""(b) One pass over the company's receipt rows, streamed (unbuffered cursor); the row count."""
	count = 0
	with frappe.db.unbuffered_cursor():
		for _row in frappe.db.sql(
			"""select pri.name, pri.stock_qty, pri.base_net_amount
			from `tabPurchase Receipt Item` pri
			join `tabPurchase Receipt` pr on pr.name = pri.parent
			where pr.company = %(company)s and pr.docstatus = 1 and pr.posting_date <= %(date)s""",
			{"company": company, "date": as_of},
			as_iterator=True,
			as_list=True,
		):
			count += 1
	return count


def floor(company: str, accounts: tuple, as_of: str) -> dict:
	"""Both parts of the floor, each timed."""
	gl_seconds, gl_value = time_one(lambda: gl_floor(company, accounts, as_of))
	receipt_seconds, receipt_rows = time_one(lambda: receipt_floor(company, as_of))
	return {
		"seconds": gl_seconds + receipt_seconds,
		"gl_seconds": gl_seconds,
		"receipt_seconds": receipt_seconds,
		"gl_value": gl_value,
		"receipt_rows": receipt_rows,
	}


def gl_row_count(company: str, accounts: tuple, as_of: str) -> int:
	return frappe.db.sql(
		"""select count(*) from `tabGL Entry`
		where company = %(company)s and account in %(accounts)s and is_cancelled = 0
			and posting_date <= %(date)s""",
		{"company": company, "accounts": accounts or ("",), "date": as_of},
	)[0][0]


def applied_switch(company: str):
	"""The company's latest switch if it is applied (submitted, status Applied), else None."""
	from perpetual_switch.services.switch import latest_switch

	switch = latest_switch(company)
	if switch and switch.docstatus == 1 and switch.status == "Applied":
		return switch
	return None


def apply_switch(site: str, company: str, cutover: str) -> list[tuple[str, str, str]]:
	"""Apply the switch through the bench command unless one is applied; rows for the table."""
	switch = applied_switch(company)
	if switch:
		return [("apply", "skipped", f"{switch.name} already applied at {switch.cutover_date}")]
	frappe.db.commit()
	result = run_command(
		site, ["perpetual-switch", "apply", "--company", company, "--date", str(cutover), "--yes"]
	)
	if result["rc"] != 0:
		print(f"apply failed (exit {result['rc']}); last lines:")
		for line in result["tail"]:
			print(f"  | {line}")
		raise SystemExit(1)
	frappe.db.rollback()  # see the subprocess's commit
	switch = applied_switch(company)
	return [
		(
			"apply (command)",
			f"{result['wall']:.1f} s",
			(
				f"exit {result['rc']}, peak RSS {fmt_peak(result['peak_mib'])}, "
				f"{switch.name if switch else 'no applied switch'} at {cutover}"
			),
		)
	]


def runs_note(times: list[float]) -> str:
	return "runs " + ", ".join(f"{t:.3f}" for t in times)


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--company", default="Big 1M")
	parser.add_argument("--date", default="2026-12-31", help="as-of date of the reconciliation")
	parser.add_argument("--runs", type=int, default=3)
	parser.add_argument("--build", action="store_true", help="build the company with large_company.py first")
	parser.add_argument("--apply", action="store_true", help="apply the switch at --cutover unless applied")
	parser.add_argument("--cutover", default="2026-06-30", help="the switch's date (with --build/--apply)")
	parser.add_argument("--replace", action="store_true", help="with --build: delete the company first")
	parser.add_argument("--sle", type=int, default=1_000_000)
	parser.add_argument("--warehouses", type=int, default=500)
	parser.add_argument("--items", type=int, default=5000)
	parser.add_argument("--receipt-rows", type=int, default=100_000)
	parser.add_argument("--seed", type=int, default=7)
	args = parser.parse_args(argv)

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		info = machine()
		print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
		rows = []
		if args.build:
			t = time.perf_counter()
			summary = large_company.build_from_args(args)
			print("build (s): " + ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items()))
			checked = large_company.verify(args.company, args.cutover)
			frappe.db.commit()
			verdict = "verify " + ("OK" if checked["ok"] else "PROBLEMS FOUND")
			rows.append(("build + verify", f"{time.perf_counter() - t:.1f} s", verdict))
		if not frappe.db.exists("Company", args.company):
			print(f"company {args.company!r} does not exist on {args.site}; pass --build")
			return 1
		if args.apply:
			rows += apply_switch(args.site, args.company, args.cutover)
		switch = applied_switch(args.company)
		if not switch:
			print(f"note: {args.company!r} has no applied switch; SRBNB holds no accrual (pass --apply)")

		from perpetual_switch.erpnext_io.srbnb import srbnb_accounts
		from perpetual_switch.services import srbnb

		accounts = srbnb_accounts(args.company)
		gl_rows = gl_row_count(args.company, accounts, args.date)
		frappe.db.commit()

		# Floor and reconciliation take turns, so that both see the same moments of a shared machine.
		floors, compute_times = [], []
		result = None
		for _run in range(args.runs):
			floors.append(floor(args.company, accounts, args.date))
			frappe.db.commit()
			seconds, result = time_one(lambda: srbnb.compute(args.company, args.date))
			compute_times.append(seconds)
			frappe.db.commit()

		# Peak Python memory in a separate, untimed run.
		tracemalloc.start()
		srbnb.compute(args.company, args.date)
		_current, peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		frappe.db.commit()

		floor_times = [f["seconds"] for f in floors]
		best_floor, best_compute = min(floor_times), min(compute_times)
		pair_ratios = sorted(c / f for c, f in zip(compute_times, floor_times) if f)
		totals = result.totals
		tie = totals.tie(result.gl_balance)
		last = floors[-1]
		rows += [
			("SRBNB accounts", f"{len(accounts)}", ", ".join(accounts) or "-"),
			("switch", switch.name if switch else "none", f"applied at {switch.cutover_date}" if switch else ""),
			(
				"GL rows of SRBNB",
				f"{gl_rows}",
				f"balance {result.gl_balance:.{result.precision}f} (floor SUM {last['gl_value']})",
			),
			("receipt rows total", f"{last['receipt_rows']}", "submitted receipts of the company up to the date"),
			("rows counted", f"{totals.rows}", "receipt rows with anything on the account"),
			(
				"rows with residual",
				f"{len(result.rows)}",
				f"held {totals.held}, expected {totals.expected}, residual {totals.residual}",
			),
			("voucher lines", f"{len(result.voucher_lines)}", f"amount {totals.voucher_lines}"),
			("tie", f"{tie:.2f}", "GL balance - rows held - voucher lines (must be 0.00)"),
			(
				"floor (a) GL SUM",
				f"{min(f['gl_seconds'] for f in floors):.3f} s",
				runs_note([f["gl_seconds"] for f in floors]),
			),
			(
				"floor (b) receipt rows pass",
				f"{min(f['receipt_seconds'] for f in floors):.3f} s",
				runs_note([f["receipt_seconds"] for f in floors]),
			),
			("floor (a)+(b) best", f"{best_floor:.3f} s", runs_note(floor_times)),
			("floor (a)+(b) median", f"{statistics.median(floor_times):.3f} s", ""),
			("srbnb.compute best", f"{best_compute:.3f} s", runs_note(compute_times)),
			("srbnb.compute median", f"{statistics.median(compute_times):.3f} s", ""),
			(
				"ratio compute / floor",
				f"{best_compute / best_floor:.1f}x" if best_floor else "n/a",
				"best over best; run by run " + ", ".join(f"{r:.1f}x" for r in pair_ratios),
			),
			("peak Python memory", f"{peak / 2**20:.1f} MiB", "tracemalloc, one untimed run of compute"),
		]
		print()
		print(f"srbnb benchmark {args.company!r} on {args.site}, as of {args.date}, {args.runs} runs")
		width = max(len(r[0]) for r in rows)
		value_width = max(len(r[1]) for r in rows)
		for name, value, note in rows:
			print(f"  {name.ljust(width)}  {value.rjust(value_width)}  {note}")
		return 0
	finally:
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
