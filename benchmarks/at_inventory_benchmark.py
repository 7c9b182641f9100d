"""Times the AT's annual inventory file (services.at_inventory) on a large company against its SQL floor.

	cd frappe-bench/sites && ../env/bin/python /path/to/benchmarks/at_inventory_benchmark.py \\
		--site SITE --company C [--year 2026] [--version 2_01] [--runs 3] \\
		[--build --sle N --warehouses W --items I --receipt-rows R [--cutover 2026-06-30] [--replace]]

--build makes the company first with benchmarks/large_company.py (and verifies it). The floor is one
plain pass over the company's stock ledger up to the end of the tax year (SUM of the value and the
quantity). The floor, `at_inventory.inventory` holding no line (every check, the counts and totals)
and each file written whole to a temporary file as the command writes it (`write_file`: read, checked
and written a chunk of items at a time; while the checks leave blockers, which `write_file` refuses,
a second pass, the one timed, writes the lines through the inventory's sink, the blockers counted
by code) take turns
--runs times, so all see the same moments of a shared machine; each is reported best of the runs.
Peak memory of the checks alone and of writing the XML file is measured with tracemalloc in two
more, untimed runs (tracemalloc slows them down); compare them on companies of different sizes to
see them flat (the file's spool holds up to SPOOL_BYTES of it in memory, then goes to disk). The
process's peak RSS (ru_maxrss) is read before and after the timed runs. Targets are printed as figures, never asserted.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import tempfile
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


def write(company: str, year: int, version: str, fmt: str) -> dict:
	"""{"seconds": s, "bytes": n, "refused": bool, "result": inventory}: the file written to a temporary
	file the way the command writes it (`write_file`: one pass over the items, checked as they come).
	While the checks leave blockers, which `write_file` refuses, a second pass writes the lines
	through `inventory`'s sink instead, and the figure is that pass's, so it still covers the whole
	file once."""
	from perpetual_switch.engine import at_inventory as engine
	from perpetual_switch.services import at_inventory

	with tempfile.TemporaryFile() as out:
		start = time.perf_counter()
		name, result = at_inventory.write_file(company, year, version, fmt, out)
		refused = name is None
		if refused:
			# Timed again from here: one pass, as long as write_file's would have been.
			row_bytes = engine.csv_row if fmt == "csv" else engine.xml_row
			out.seek(0)
			start = time.perf_counter()
			result = at_inventory.inventory(company, year, version, 0, lambda row, v: out.write(row_bytes(row, v)))
		seconds = time.perf_counter() - start
		return {"seconds": seconds, "bytes": out.tell(), "refused": refused, "result": result}


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

		# Floor, checks and files take turns, so that all see the same moments of a shared machine.
		times: dict[str, list[float]] = {"floor": [], "checks": [], "xml": [], "csv": []}
		sizes, result, total, refused = {}, None, None, False
		for _run in range(args.runs):
			seconds, total = time_one(lambda: floor_query(args.company, end_date))
			times["floor"].append(seconds)
			frappe.db.commit()
			seconds, result = time_one(lambda: at_inventory.inventory(args.company, args.year, args.version, keep=0))
			times["checks"].append(seconds)
			frappe.db.commit()
			for fmt in ("xml", "csv"):
				written = write(args.company, args.year, args.version, fmt)
				times[fmt].append(written["seconds"])
				sizes[fmt], refused = written["bytes"], written["refused"]
				frappe.db.commit()
		rss_after = maxrss_mib()

		# Peak Python memory of the checks alone and of writing the XML file (whose spool holds up to
		# SPOOL_BYTES in memory), in separate, untimed runs.
		result = None
		tracemalloc.start()
		at_inventory.inventory(args.company, args.year, args.version, keep=0)
		_current, checks_peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		frappe.db.commit()
		tracemalloc.start()
		result = write(args.company, args.year, args.version, "xml")["result"]
		_current, peak = tracemalloc.get_traced_memory()
		tracemalloc.stop()
		frappe.db.commit()

		blockers = collections.Counter(issue.code for issue in result.blockers)
		best = {key: min(values) for key, values in times.items()}
		value, qty = total
		made_by = "lines through inventory's sink (write_file refuses: blockers)" if refused else "write_file"

		def ratio(key):
			by_run = sorted(t / f for t, f in zip(times[key], times["floor"]) if f)
			return (
				f"{best[key] / best['floor']:.1f}x" if best["floor"] else "n/a",
				"best over best; run by run " + ", ".join(f"{r:.1f}x" for r in by_run),
			)

		rows += [
			("ledger rows", f"{sle_rows}", f"company's, up to {end_date}; stock value {value}, qty {qty}"),
			(
				"items with stock",
				f"{result.lines_count}",
				f"lines in the file (version {result.file.version}, nif {result.file.nif or '-'})",
			),
			(
				"blockers",
				f"{len(result.blockers)}",
				", ".join(f"{code} {count}" for code, count in sorted(blockers.items())) or "-",
			),
			("floor (a): SUM over the ledger", f"{best['floor']:.3f} s", runs_note(times["floor"])),
			("checks only (b)", f"{best['checks']:.3f} s", runs_note(times["checks"])),
			("XML file (c)", f"{best['xml']:.3f} s", f"{sizes['xml']:,} bytes, {made_by}; {runs_note(times['xml'])}"),
			("CSV file (d)", f"{best['csv']:.3f} s", f"{sizes['csv']:,} bytes; {runs_note(times['csv'])}"),
			("ratio (b) / (a)", *ratio("checks")),
			("ratio (c) / (a)", *ratio("xml")),
			("ratio (d) / (a)", *ratio("csv")),
			("peak Python memory (b)", f"{checks_peak / 2**20:.1f} MiB", "tracemalloc, one untimed run"),
			(
				"peak Python memory (c)",
				f"{peak / 2**20:.1f} MiB",
				f"tracemalloc, one untimed run; the spool holds up to {at_inventory.SPOOL_BYTES / 2**20:.0f} MiB of the file",
			),
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
