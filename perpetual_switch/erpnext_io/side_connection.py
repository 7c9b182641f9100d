"""Reads on a second connection to the site's database, in a thread, while this one goes on.

MariaDB runs each connection's statements one at a time on one core, and pymysql waits on its socket
without holding Python's lock; so a long read on a connection of its own costs the caller nothing
until it needs the result. The other connection sees what is committed, not this transaction's own
writes: it is used only while this transaction has written nothing (so both read the same committed
data, started milliseconds apart); otherwise, or when no second connection is to be had, the work
runs here, on this connection, first."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import frappe


def _open():
	"""A second connection, or None when this transaction has written or none is to be had."""
	if frappe.db.transaction_writes:
		return None
	try:
		return frappe.db.create_connection()
	except Exception:
		# No second connection to be had (the server's limit, say): the caller reads here.
		return None


def sql_on(connection):
	"""A `frappe.db.sql`-like reader (query, params) -> rows on `connection`."""

	def sql(query, params=None):
		with connection.cursor() as cursor:
			cursor.execute(query, params)
			return cursor.fetchall()

	return sql


@contextmanager
def alongside(job, wanted: bool = True, name: str = "perpetual-switch-side"):
	"""Runs `job(sql)` on a connection of its own, in a thread, while the block goes on; yields a
	function that returns its result (waiting for it if need be, raising what it raised). When not
	`wanted` (the work is small) or no side connection is possible, `job` runs here first."""
	connection = _open() if wanted else None
	if connection is None:
		result = job(frappe.db.sql)
		yield lambda: result
		return

	def run():
		try:
			return job(sql_on(connection))
		finally:
			connection.close()

	with ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) as pool:
		yield pool.submit(run).result


_DONE = object()


def read_ahead(produce, depth: int = 2, name: str = "perpetual-switch-ahead"):
	"""Iterates what `produce(sql)` yields, produced on a connection of its own in a thread at most
	`depth` items ahead of the caller (so what is held stays bounded); `produce` runs here, item by
	item, when no side connection is possible."""
	connection = _open()
	if connection is None:
		yield from produce(frappe.db.sql)
		return
	ready: queue.Queue = queue.Queue(maxsize=depth)
	stop = threading.Event()

	def put(item) -> bool:
		while not stop.is_set():
			try:
				ready.put(item, timeout=0.1)
				return True
			except queue.Full:
				continue
		return False

	def run():
		try:
			for item in produce(sql_on(connection)):
				if not put((item, None)):
					return
			put((_DONE, None))
		except BaseException as error:  # handed to the caller, who raises it
			put((_DONE, error))
		finally:
			connection.close()

	thread = threading.Thread(target=run, name=name, daemon=True)
	thread.start()
	try:
		while True:
			item, error = ready.get()
			if error is not None:
				raise error
			if item is _DONE:
				return
			yield item
	finally:
		stop.set()
		thread.join()
