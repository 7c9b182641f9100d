"""A repost runner for the site tests, in a process of its own as a worker's would be: it reposts a
switch's documents two a batch, a second a document, and prints each document as it starts it, so
that a test can kill it in the middle of a batch.

	cd frappe-bench/sites && ../env/bin/python /path/to/tests/site/slow_runner.py SITE SWITCH
"""

import sys
import time

import frappe


def main(site: str, switch: str) -> None:
	frappe.init(site=site, sites_path=".")
	frappe.connect()
	frappe.set_user("Administrator")
	try:
		from perpetual_switch.erpnext_io import backdated as io
		from perpetual_switch.services import backdated

		real = io.repost

		def slowly(voucher, *args, **kwargs):
			print("reposting", voucher.voucher_type, voucher.voucher_no, flush=True)
			time.sleep(1)
			return real(voucher, *args, **kwargs)

		io.repost = slowly
		backdated.BATCH = 2
		print("done", backdated.run_or_undo(switch), flush=True)
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main(*sys.argv[1:])
