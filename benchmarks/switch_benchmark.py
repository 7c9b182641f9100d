"""Times the switch on a large company: the SQL floor, services.plan, and the apply/rollback commands.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/switch_benchmark.py \\
		--site SITE --company C --cutover 2026-06-30 [--runs 3] \\
		[--build --sle N --warehouses W --items I --receipt-rows R [--replace]] [--no-apply]

--build makes the company first with benchmarks/large_company.py. The script verifies the company,
then prints the machine, the floor (one SUM over the company's stock ledger up to the cutover) and
services.plan, each the best of --runs taken in turns, and their ratio, then runs
`bench --site S perpetual-switch apply` and, if apply succeeded, `rollback`, as subprocesses with
wall time, peak RSS and exit code.
Targets are printed as figures, never asserted.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import frappe

sys.path.insert(0, str(Path(__file__).resolve().parent))

import large_company  # noqa: E402

TIME = "/usr/bin/time"


def machine() -> dict:
	mem_kb = 0
	with open("/proc/meminfo") as f:
		for line in f:
			if line.startswith("MemTotal:"):
				mem_kb = int(line.split()[1])
	model = ""
	try:
		with open("/proc/cpuinfo") as f:
			for line in f:
				if line.startswith("model name"):
					model = line.split(":", 1)[1].strip()
					break
	except OSError:
		pass
	variables = dict(
		frappe.db.sql(
			"""show variables where variable_name in
			('innodb_buffer_pool_size', 'max_allowed_packet', 'innodb_flush_log_at_trx_commit')"""
		)
	)
	return {
		"cpus": os.cpu_count(),
		"cpu": model,
		"ram_gib": round(mem_kb / 2**20, 1),
		"mariadb": frappe.db.sql("select version()")[0][0],
		"innodb_buffer_pool": f"{int(variables.get('innodb_buffer_pool_size', 0)) / 2**30:.1f} GiB",
		"max_allowed_packet": f"{int(variables.get('max_allowed_packet', 0)) / 2**20:.0f} MiB",
		"innodb_flush_log_at_trx_commit": variables.get("innodb_flush_log_at_trx_commit"),
		"load_avg_1m": os.getloadavg()[0],
		"python": platform.python_version(),
		"frappe": frappe.__version__,
		"erpnext": __import__("erpnext").__version__,
	}


def time_one(fn):
	"""(seconds, result) of one call."""
	start = time.perf_counter()
	result = fn()
	return time.perf_counter() - start, result


def floor_query(company: str, cutover: str):
	return frappe.db.sql(
		"""select sum(stock_value_difference) from `tabStock Ledger Entry`
		where company = %s and posting_date <= %s""",
		(company, cutover),
	)[0][0]


def bench_root() -> Path:
	return Path(frappe.local.sites_path).resolve().parent


def run_command(site: str, args: list[str]) -> dict:
	"""Run a bench command under /usr/bin/time -v; wall time, peak RSS, exit code, output tail."""
	root = bench_root()
	bench = shutil.which("bench", path=str(root / "env" / "bin")) or shutil.which("bench") or "bench"
	command = [bench, "--site", site, *args]
	env = {**os.environ, "PATH": f"{root / 'env' / 'bin'}:{os.environ.get('PATH', '')}"}
	timed = os.path.exists(TIME)
	if timed:
		command = [TIME, "-v", *command]
	start = time.perf_counter()
	proc = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
	wall = time.perf_counter() - start
	stderr = proc.stderr
	peak = None
	if timed:
		match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
		peak = int(match.group(1)) / 1024 if match else None
		stderr = stderr.split("\tCommand being timed:")[0]
	output = (proc.stdout + "\n" + stderr).strip().splitlines()
	return {"wall": wall, "peak_mib": peak, "rc": proc.returncode, "tail": output[-12:], "lines": output}


def fmt_peak(value) -> str:
	return f"{value:.0f} MiB" if value is not None else "n/a"


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--company", required=True)
	parser.add_argument("--cutover", default="2026-06-30")
	parser.add_argument("--runs", type=int, default=3)
	parser.add_argument("--build", action="store_true")
	parser.add_argument("--replace", action="store_true")
	parser.add_argument("--sle", type=int, default=1_000_000)
	parser.add_argument("--warehouses", type=int, default=500)
	parser.add_argument("--items", type=int, default=5000)
	parser.add_argument("--receipt-rows", type=int, default=100_000)
	parser.add_argument("--seed", type=int, default=7)
	parser.add_argument("--no-apply", action="store_true", help="only the floor and the plan")
	args = parser.parse_args(argv)

	frappe.init(site=args.site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		info = machine()
		print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
		if args.build:
			summary = large_company.build_from_args(args)
			print("build (s): " + ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items()))
		checked = large_company.verify(args.company, args.cutover)
		frappe.db.commit()

		from perpetual_switch import services

		# Floor and plan take turns, so that both see the same moments of a shared machine.
		floor_times, plan_times = [], []
		for _run in range(args.runs):
			seconds, total = time_one(lambda: floor_query(args.company, args.cutover))
			floor_times.append(seconds)
			frappe.db.commit()
			seconds, plan = time_one(lambda: services.plan(args.company, args.cutover))
			plan_times.append(seconds)
			frappe.db.commit()
		floor, plan_best = min(floor_times), min(plan_times)
		pair_ratios = sorted(p / f for p, f in zip(plan_times, floor_times))
		rows = [
			("SLE rows (company)", f"{checked['sle_count']}", ""),
			("floor: SUM(stock_value_difference)", f"{floor:.3f} s", "runs " + ", ".join(f"{t:.3f}" for t in floor_times)),
			("services.plan", f"{plan_best:.3f} s", "runs " + ", ".join(f"{t:.3f}" for t in plan_times)),
			(
				"ratio plan / floor",
				f"{plan_best / floor:.1f}x" if floor else "n/a",
				"best over best; run by run " + ", ".join(f"{r:.1f}x" for r in pair_ratios),
			),
			(
				"plan content",
				f"{len(plan.blockers)} blockers",
				f"{len(plan.stock_accounts)} stock accounts, {len(plan.srbnb.receipts)} unbilled rows, "
				f"{sum(len(j.lines) for j in plan.journal_entries)} journal lines",
			),
		]
		apply_result = rollback_result = None
		if not args.no_apply:
			frappe.db.commit()
			apply_result = run_command(
				args.site,
				["perpetual-switch", "apply", "--company", args.company, "--date", str(args.cutover), "--yes"],
			)
			rows.append(
				(
					"apply (command)",
					f"{apply_result['wall']:.1f} s",
					f"exit {apply_result['rc']}, peak RSS {fmt_peak(apply_result['peak_mib'])}",
				)
			)
			if apply_result["rc"] == 0:
				rollback_result = run_command(
					args.site, ["perpetual-switch", "rollback", "--company", args.company, "--yes"]
				)
				rows.append(
					(
						"rollback (command)",
						f"{rollback_result['wall']:.1f} s",
						f"exit {rollback_result['rc']}, peak RSS {fmt_peak(rollback_result['peak_mib'])}",
					)
				)
			else:
				rows.append(("rollback (command)", "skipped", "apply failed"))

		print()
		print(f"benchmark {args.company!r} on {args.site}, cutover {args.cutover}, stock value {total}")
		width = max(len(r[0]) for r in rows)
		value_width = max(len(r[1]) for r in rows)
		for name, value, note in rows:
			print(f"  {name.ljust(width)}  {value.rjust(value_width)}  {note}")
		for label, result in (("apply", apply_result), ("rollback", rollback_result)):
			if result is None:
				continue
			if result["rc"] != 0:
				print(f"\n{label} failed (exit {result['rc']}); last lines:")
				for line in result["tail"]:
					print(f"  | {line}")
			else:
				print(f"\n{label} output (last lines):")
				for line in result["tail"][-4:]:
					print(f"  | {line}")
		return 0
	finally:
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
