"""Times the AT's annual inventory file (services.at_inventory) on a large company against its SQL floor.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/at_inventory_benchmark.py \\
		--site SITE --company C [--year 2026] [--version 2_01] [--runs 3] \\
		[--build --sle N --warehouses W --items I --receipt-rows R [--cutover 2026-06-30] [--replace]]

--build makes the company first with benchmarks/large_company.py (and verifies it). The floor is one
plain pass over the company's stock ledger up to the end of the tax year (SUM of the value and the
quantity). The floor, `at_inventory.inventory` (the file's lines and every check) and the files made
from it (`file_content` as XML and as CSV, or, while the checks leave blockers, which `file_content`
refuses, the engine's `to_xml` and `to_csv` on the same lines, with the blockers counted by code) take
turns --runs times, so all see the same moments of a shared machine; each is reported best of the
runs. Peak memory of the inventory and the files is measured with tracemalloc in one more, untimed
run (tracemalloc slows it down); the process's peak RSS (ru_maxrss) is read before and after the
timed runs. Targets are printed as figures, never asserted.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import frappe

sys.path.insert(0, str(Path(__file__).resolve().parent))

import large_company  # noqa: E402
from switch_benchmark import machine, time_one  # noqa: E402


def floor_query(company: str, end_date) -> tuple:
	"""(value, qty): one plain pass over the company's stock ledger up to the end date."""
	return frappe.db.sql(
		"""select sum(stock_value_difference), sum(actual_qty) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 and posting_date <= %s""",
		(company, end_date),
	)[0]


def ledger_rows(company: str, end_date) -> int:
	return frappe.db.sql(
		"""select count(*) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 and posting_date <= %s""",
		(company, end_date),
	)[0][0]


def make_files(result) -> dict:
	"""{"xml": bytes, "csv": bytes, "seconds_xml": s, "seconds_csv": s, "direct": bool}: the files as
	`file_content` makes them, or, while the checks leave blockers, as the engine writes them."""
	from perpetual_switch.engine import at_inventory as engine
	from perpetual_switch.services import at_inventory

	direct = bool(result.blockers)
	out = {"direct": direct}
	for fmt in ("xml", "csv"):
		start = time.perf_counter()
		if direct:
			content = engine.to_xml(result.file) if fmt == "xml" else engine.to_csv(result.file)
		else:
			content = at_inventory.file_content(result, fmt)[1]
		out[f"seconds_{fmt}"] = time.perf_counter() - start
		out[fmt] = content
	return out


def maxrss_mib() -> float:
	"""The process's peak resident set so far (ru_maxrss is in KiB on Linux)."""
	return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def runs_note(times: list[float]) -> str:
	return "runs " + ", ".join(f"{t:.3f}" for t in times)


def main(argv=None) -> int:
	parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	parser.add_argument("--site", required=True)
	parser.add_argument("--company", required=True)
	parser.add_argument("--year", type=int, default=2026, help="the tax year of the file")
	parser.add_argument("--version", default="2_01", help="the file's version: 1_02 or 2_01")
	parser.add_argument("--runs", type=int, default=3)
	parser.add_argument("--build", action="store_true", help="build the company with large_company.py first")
	parser.add_argument("--replace", action="store_true", help="with --build: delete the company first")
	parser.add_argument("--cutover", default="2026-06-30", help="with --build: the ledger's last day")
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
		import perpetual_switch
		from perpetual_switch.engine.at_inventory import reported_lines
		from perpetual_switch.erpnext_io import at_inventory as io
		from perpetual_switch.services import at_inventory

		info = machine()
		print("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
		print(f"perpetual_switch: {perpetual_switch.__file__}")
		rows = []
		if args.build:
			t = time.perf_counter()
			summary = large_company.build_from_args(args)
			print("build (s): " + ", ".join(f"{k} {v:.1f}" for k, v in summary["timings"].items()))
			checked = large_company.verify(args.company, args.cutover)
			frappe.db.commit()
			frappe.set_user("Administrator")
			verdict = "verify " + ("OK" if checked["ok"] else "PROBLEMS FOUND")
			rows.append(("build + verify", f"{time.perf_counter() - t:.1f} s", verdict))
		if not frappe.db.exists("Company", args.company):
			print(f"company {args.company!r} does not exist on {args.site}; pass --build")
			return 1

		end_date = io.fiscal_year_end(args.company, args.year) or date(args.year, 12, 31)
		sle_rows = ledger_rows(args.company, end_date)
		frappe.db.commit()
		rss_before = maxrss_mib()

		# Floor, inventory and files take turns, so that all see the same moments of a shared machine.
		floor_times, inventory_times, xml_times, csv_times = [], [], [], []
		result = files = total = None
		for _run in range(args.runs):
			seconds, total = time_one(lambda: floor_query(args.company, end_date))
			floor_times.append(seconds)
			frappe.db.commit()
			seconds, result = time_one(lambda: at_inventory.inventory(args.company, args.year, args.version))
			inventory_times.append(seconds)
			frappe.db.commit()
			files = make_files(result)
			xml_times.append(files["seconds_xml"])
			csv_times.append(files["seconds_csv"])
		rss_after = maxrss_mib()

		# Peak Python memory of the inventory and its files, in a separate, untimed run.
		del files["xml"], files["csv"]
		result = None
		tracemalloc.start()
		result = at_inventory.inventory(args.company, args.year, args.version)
		files = make_files(result)
		_current, peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		frappe.db.commit()

		lines = reported_lines(result.file)
		blockers = collections.Counter(issue.code for issue in result.blockers)
		best_floor, best_inventory = min(floor_times), min(inventory_times)
		best_files = min(x + c for x, c in zip(xml_times, csv_times))
		pair_ratios = sorted(i / f for i, f in zip(inventory_times, floor_times) if f)
		pair_ratios_all = sorted(
			(i + x + c) / f for i, x, c, f in zip(inventory_times, xml_times, csv_times, floor_times) if f
		)
		value, qty = total
		made_by = "engine to_xml/to_csv (blockers)" if files["direct"] else "file_content"
		rows += [
			("ledger rows", f"{sle_rows}", f"company's, up to {end_date}; stock value {value}, qty {qty}"),
			(
				"items with stock",
				f"{len(lines)}",
				f"lines in the file ({len(result.file.lines)} read, version {result.file.version}, "
				f"nif {result.file.nif or '-'})",
			),
			(
				"blockers",
				f"{len(result.blockers)}",
				", ".join(f"{code} {count}" for code, count in sorted(blockers.items())) or "-",
			),
			("floor (a): SUM over the ledger", f"{best_floor:.3f} s", runs_note(floor_times)),
			("inventory (b)", f"{best_inventory:.3f} s", runs_note(inventory_times)),
			(
				"files (c): XML + CSV",
				f"{best_files:.3f} s",
				f"XML best {min(xml_times):.3f} s ({len(files['xml']):,} bytes), "
				f"CSV best {min(csv_times):.3f} s ({len(files['csv']):,} bytes); {made_by}",
			),
			(
				"ratio (b) / (a)",
				f"{best_inventory / best_floor:.1f}x" if best_floor else "n/a",
				"best over best; run by run " + ", ".join(f"{r:.1f}x" for r in pair_ratios),
			),
			(
				"ratio ((b) + (c)) / (a)",
				f"{(best_inventory + best_files) / best_floor:.1f}x" if best_floor else "n/a",
				"best over best; run by run " + ", ".join(f"{r:.1f}x" for r in pair_ratios_all),
			),
			("peak Python memory (b)+(c)", f"{peak / 2**20:.1f} MiB", "tracemalloc, one untimed run"),
			(
				"peak RSS (ru_maxrss)",
				f"{rss_after:.0f} MiB",
				f"after the timed runs; {rss_before:.0f} MiB before them"
				+ (" (after the build)" if args.build else ""),
			),
		]
		print()
		print(
			f"AT inventory benchmark {args.company!r} on {args.site}, year {args.year} (to {end_date}), "
			f"version {args.version}, {args.runs} runs"
		)
		width = max(len(r[0]) for r in rows)
		value_width = max(len(r[1]) for r in rows)
		for name, value, note in rows:
			print(f"  {name.ljust(width)}  {value.rjust(value_width)}  {note}")
		return 0
	finally:
		frappe.destroy()


if __name__ == "__main__":
	sys.exit(main())
