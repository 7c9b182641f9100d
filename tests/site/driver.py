"""One operation in a process of its own, for the race and kill tests: run with the bench's Python from
the sites folder, `python driver.py '<json>'`.

The JSON says the site, the operation (apply, rollback, clear, unclear) and its arguments, and
optionally `start_at` (a Unix time: the process connects, then waits until that instant, so two
drivers are released together) and `kill_after` ([function of erpnext_io.writer, nth call]: after
that call returns, the process reads the company as ERPNext does, through its cache, and kills itself
with SIGKILL, as a worker killed by a restart or out of memory would die: no commit, no rollback, no
hook). Exit 0 when the operation was applied and committed, 2 when it was refused, 1 otherwise.
"""

import json
import os
import signal
import sys
import time


def main(spec: dict) -> int:
	import frappe

	frappe.init(site=spec["site"], sites_path=".")
	frappe.connect()
	frappe.set_user(spec.get("user") or "Administrator")
	from perpetual_switch import services
	from perpetual_switch.erpnext_io import writer
	from perpetual_switch.services import srbnb_clearing

	company = spec["args"]["company"]
	if spec.get("kill_after"):
		name, nth = spec["kill_after"]
		real = getattr(writer, name)
		calls = []

		def killed_after(*args, **kwargs):
			result = real(*args, **kwargs)
			calls.append(1)
			if len(calls) == nth:
				frappe.get_cached_value("Company", company, "enable_perpetual_inventory")
				os.kill(os.getpid(), signal.SIGKILL)
			return result

		setattr(writer, name, killed_after)
	operations = {
		"apply": lambda a: services.apply(**a),
		"rollback": lambda a: services.rollback(**a),
		"clear": lambda a: srbnb_clearing.apply(**a),
		"unclear": lambda a: srbnb_clearing.rollback(**a),
	}
	refused = (services.SwitchBlocked, services.RollbackRefused, srbnb_clearing.ClearingBlocked, frappe.ValidationError)
	if spec.get("start_at"):
		time.sleep(max(0, spec["start_at"] - time.time()))
	try:
		operations[spec["operation"]](spec["args"])
		frappe.db.commit()
	except refused as exc:
		frappe.db.rollback()
		print(f"refused: {exc}")
		return 2
	finally:
		frappe.destroy()
	return 0


if __name__ == "__main__":
	sys.exit(main(json.loads(sys.argv[1])))
