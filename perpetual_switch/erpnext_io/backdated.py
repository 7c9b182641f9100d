"""Reading and reposting the documents a backdated switch re-books, through ERPNext's own GL builders.

A batch's documents are read in bulk (`RepostBatch`). Stock vouchers go through the steps of
`erpnext.accounts.utils.repost_gle_for_stock_vouchers`, purchase invoices that only bill through what
ERPNext's Repost Accounting Ledger does for them (ledger entries deleted, `make_gl_entries` again).
Before anything is reposted, each voucher's GL, payment ledger and expense accounts are kept on its
row of *Perpetual Switch Repost*, so that an undo puts back exactly the rows that were there. The
caller owns the transaction: ERPNext's own per-chunk commit is held back here so that a batch and its
marks commit together.
"""

from __future__ import annotations

import copy
import json
import threading
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import frappe

from perpetual_switch.engine.backdated import RepostVoucher, net_by_account
from perpetual_switch.engine.models import DatedDocument
from perpetual_switch.engine.money import to_decimal
from perpetual_switch.erpnext_io import clearing, gl_rows
from perpetual_switch.erpnext_io.gl_rows import insert_many

REPOST = "Perpetual Switch Repost"
SWITCH = "Switch to Perpetual Inventory"
LEDGERS = ("GL Entry", "Payment Ledger Entry", "Advance Payment Ledger Entry")
CHUNK = 500


def _seconds(value) -> str:
	"""A posting time (timedelta from MariaDB) as text that sorts in time order."""
	if isinstance(value, timedelta):
		return f"{value.total_seconds():015.6f}"
	return str(value or "")


def vouchers_after(company: str, cutover_date: date) -> tuple[RepostVoucher, ...]:
	"""Submitted documents after the cutover whose GL perpetual inventory books differently: every
	voucher with stock ledger entries, and purchase invoices of stock items that do not move stock."""
	params = {"company": company, "date": cutover_date}
	stock = frappe.db.sql(
		"""
		select voucher_type, voucher_no, min(posting_date), min(posting_time), min(creation)
		from `tabStock Ledger Entry`
		where company = %(company)s and is_cancelled = 0 and posting_date > %(date)s
		group by voucher_type, voucher_no
		""",
		params,
	)
	invoices = frappe.db.sql(
		"""
		select 'Purchase Invoice', pi.name, pi.posting_date, pi.posting_time, pi.creation
		from `tabPurchase Invoice` pi
		where pi.company = %(company)s and pi.docstatus = 1 and pi.posting_date > %(date)s
			and pi.update_stock = 0 and pi.is_opening != 'Yes'
			and exists (
				select 1 from `tabPurchase Invoice Item` pii
				join `tabItem` item on item.name = pii.item_code
				where pii.parent = pi.name and item.is_stock_item = 1 and pii.is_fixed_asset = 0
			)
		""",
		params,
	)
	return tuple(
		RepostVoucher(t, n, d, _seconds(tm), str(c), moves)
		for moves, rows in ((True, stock), (False, invoices))
		for t, n, d, tm, c in rows
	)


def period_closings_after(company: str, cutover_date: date) -> tuple[DatedDocument, ...]:
	rows = frappe.db.sql(
		"""select name, period_end_date from `tabPeriod Closing Voucher`
		where company = %(company)s and docstatus = 1 and period_end_date > %(date)s
		order by period_end_date, name""",
		{"company": company, "date": cutover_date},
	)
	return tuple(DatedDocument("Period Closing Voucher", name, end) for name, end in rows)


def closed_periods_after(company: str, cutover_date: date, doctypes) -> tuple[DatedDocument, ...]:
	"""Accounting Periods ending after the cutover that close any of `doctypes`."""
	if not doctypes:
		return ()
	rows = frappe.db.sql(
		"""select distinct ap.name, ap.end_date
		from `tabAccounting Period` ap
		join `tabClosed Document` cd on cd.parent = ap.name and cd.parenttype = 'Accounting Period'
		where ap.company = %(company)s and ap.end_date > %(date)s and cd.closed = 1
			and cd.document_type in %(doctypes)s
		order by ap.end_date, ap.name""",
		{"company": company, "date": cutover_date, "doctypes": tuple(sorted(doctypes))},
	)
	return tuple(DatedDocument("Accounting Period", name, end) for name, end in rows)


def manual_stock_journals(company: str, cutover_date: date, accounts) -> tuple[DatedDocument, ...]:
	"""Journal entries after the cutover that post to any of the stock `accounts`."""
	if not accounts:
		return ()
	rows = frappe.db.sql(
		"""select voucher_no, min(posting_date) from `tabGL Entry`
		where company = %(company)s and is_cancelled = 0 and voucher_type = 'Journal Entry'
			and posting_date > %(date)s and account in %(accounts)s
		group by voucher_no order by min(posting_date), voucher_no""",
		{"company": company, "date": cutover_date, "accounts": tuple(sorted(accounts))},
	)
	return tuple(DatedDocument("Journal Entry", name, day) for name, day in rows)


# What was there before: kept per voucher, put back exactly.


def _encode(value):
	# Decimal, dates, datetimes and times as MariaDB's own text: inserted back, they are the same values.
	return str(value)


def _ledger_rows(doctype: str, voucher_type: str, names) -> dict[str, list[dict]]:
	rows: dict[str, list[dict]] = {}
	for start in range(0, len(names), CHUNK):
		for row in frappe.db.sql(
			f"select * from `tab{doctype}` where voucher_type = %(type)s and voucher_no in %(names)s",
			{"type": voucher_type, "names": tuple(names[start : start + CHUNK])},
			as_dict=True,
		):
			rows.setdefault(row["voucher_no"], []).append(dict(row))
	return rows


def _invoice_accounts(names) -> dict[str, dict]:
	found: dict[str, dict] = {}
	for start in range(0, len(names), CHUNK):
		chunk = tuple(names[start : start + CHUNK])
		for parent, row, account in frappe.db.sql(
			"select parent, name, expense_account from `tabPurchase Invoice Item` where parent in %(names)s",
			{"names": chunk},
		):
			found.setdefault(parent, {"items": {}})["items"][row] = account
		for name, against in frappe.db.sql(
			"select name, against_expense_account from `tabPurchase Invoice` where name in %(names)s", {"names": chunk}
		):
			found.setdefault(name, {"items": {}})["against"] = against
	return found


def missing_accounts(company: str, vouchers) -> dict[str, list[list]]:
	"""Accounts perpetual inventory needs that documents posted under periodic left empty, as
	ERPNext fills them when they are made under perpetual inventory: a stock entry row's expense
	account (item default, else item group default, else the company's stock adjustment account)
	and a stock reconciliation's difference account. Set now; returned per voucher as
	[doctype, name, field, value before] so that an undo empties them again."""
	from erpnext.setup.doctype.item_group.item_group import get_item_group_defaults
	from erpnext.stock.doctype.item.item import get_item_defaults

	adjustment = frappe.get_cached_value("Company", company, "stock_adjustment_account")
	filled: dict[str, list[list]] = {}
	entries = tuple(v.voucher_no for v in vouchers if v.voucher_type == "Stock Entry")
	for start in range(0, len(entries), CHUNK):
		rows_by_account: dict[str, list[str]] = {}
		for row, parent, item_code in frappe.db.sql(
			"""select name, parent, item_code from `tabStock Entry Detail`
			where parent in %(names)s and coalesce(expense_account, '') = ''""",
			{"names": entries[start : start + CHUNK]},
		):
			account = (
				get_item_defaults(item_code, company).get("expense_account")
				or get_item_group_defaults(item_code, company).get("expense_account")
				or adjustment
			)
			if account:
				rows_by_account.setdefault(account, []).append(row)
				filled.setdefault(parent, []).append(["Stock Entry Detail", row, "expense_account", None])
		# One update per account for the chunk's rows, not one a row.
		for account, rows in rows_by_account.items():
			frappe.db.sql(
				"update `tabStock Entry Detail` set expense_account = %(account)s where name in %(rows)s",
				{"account": account, "rows": tuple(rows)},
			)
	reconciliations = tuple(v.voucher_no for v in vouchers if v.voucher_type == "Stock Reconciliation")
	for start in range(0, len(reconciliations) if adjustment else 0, CHUNK):
		names = frappe.db.sql_list(
			"""select name from `tabStock Reconciliation`
			where name in %(names)s and coalesce(expense_account, '') = ''""",
			{"names": reconciliations[start : start + CHUNK]},
		)
		if names:
			frappe.db.sql(
				"update `tabStock Reconciliation` set expense_account = %(account)s where name in %(names)s",
				{"account": adjustment, "names": tuple(names)},
			)
		for name in names:
			frappe.clear_document_cache("Stock Reconciliation", name)  # as db.set_value does
			filled.setdefault(name, []).append(["Stock Reconciliation", name, "expense_account", None])
	return filled


def record(switch: str, company: str, vouchers, filled=None) -> int:
	"""One Pending row per voucher, in order, each holding the voucher's ledgers as they are now
	(and the fields `filled` set on it, to empty again on undo). Read and written CHUNK vouchers at a
	time, so that what is held in memory does not grow with the documents."""
	filled = filled or {}
	vouchers = list(vouchers)
	for start in range(0, len(vouchers), CHUNK):
		insert_many(REPOST, _RECORD_FIELDS, _recorded(switch, company, vouchers[start : start + CHUNK], start + 1, filled))
	return len(vouchers)


_RECORD_FIELDS = (
	"name", "creation", "modified", "owner", "modified_by", "docstatus", "switch", "company", "seq",
	"status", "voucher_type", "voucher_no", "posting_date", "moves_stock", "gl_change", "backup",
)  # fmt: skip


def _recorded(switch: str, company: str, vouchers, first_seq: int, filled: dict):
	by_type: dict[str, list[str]] = {}
	for voucher in vouchers:
		by_type.setdefault(voucher.voucher_type, []).append(voucher.voucher_no)
	ledgers = {
		(doctype, voucher_type): _ledger_rows(doctype, voucher_type, names)
		for voucher_type, names in by_type.items()
		for doctype in LEDGERS
	}
	invoices = _invoice_accounts(by_type.get("Purchase Invoice", []))
	now = frappe.utils.now()
	user = frappe.session.user
	for seq, v in enumerate(vouchers, start=first_seq):
		backup = {
			"ledgers": {doctype: ledgers[(doctype, v.voucher_type)].get(v.voucher_no, []) for doctype in LEDGERS},
			"invoice": invoices.get(v.voucher_no) if v.voucher_type == "Purchase Invoice" else None,
			"filled": filled.get(v.voucher_no, []) if v.voucher_type in ("Stock Entry", "Stock Reconciliation") else [],
		}
		yield (
			f"{switch}-R{seq}", now, now, user, user, 0, switch, company, seq, "Pending", v.voucher_type,
			v.voucher_no, v.posting_date, int(v.stock), 0, json.dumps(backup, default=_encode),
		)  # fmt: skip


def claim(switch: str, limit: int, after: dict[int, int] | None = None) -> list[tuple[str, RepostVoucher, dict[str, Decimal]]] | None:
	"""The next vouchers still to repost that no other runner holds, in order, locked to this
	transaction: (row, voucher, its GL before per account). Documents that move stock come first;
	the purchase invoices that only bill come once every one of those is reposted (an invoice's
	expense account follows its receipt's GL). None when the only rows left pending are of the first
	kind and held by other runners: the invoices must wait for them.

	`after` ({kind: last seq taken}, updated here) is for a run that is the only one and commits
	nothing (the preview): it looks only past the rows it took. Within one transaction the rows it
	marked stay in the index as they were until it ends, and every look from the start would pass
	over all of them again (a hundred thousand documents' preview slowed as it went)."""
	rows = _claim(switch, limit, stock=1, after=after)
	if not rows:
		if frappe.db.sql(
			"""select 1 from `tabPerpetual Switch Repost`
			where switch = %(switch)s and status = 'Pending' and moves_stock = 1 and seq > %(after)s limit 1""",
			{"switch": switch, "after": (after or {}).get(1, 0)},
		):
			return None
		rows = _claim(switch, limit, stock=0, after=after)
	result = []
	for name, voucher_type, voucher_no, posting_date, moves_stock, backup in rows:
		gl = json.loads(backup)["ledgers"]["GL Entry"]
		before = net_by_account(
			(r["account"], to_decimal(r["debit"]), to_decimal(r["credit"])) for r in gl if not int(r.get("is_cancelled") or 0)
		)
		result.append((name, RepostVoucher(voucher_type, voucher_no, posting_date, stock=bool(moves_stock)), before))
	return result


def _claim(switch: str, limit: int, stock: int, after: dict[int, int] | None = None) -> tuple:
	"""Up to `limit` pending rows of the kind, in order, that no other runner holds, locked. The
	candidates are read first without a lock, then locked by name, a batch of names at a time: a
	locking read ordered over the table would lock every row it looks at, leaving nothing for the
	other runners. A window of several batches lets a runner pass over the rows the others hold.
	With `after`, only rows past the last one taken of the kind (see `claim`)."""
	candidates = frappe.db.sql(
		"""select name, seq from `tabPerpetual Switch Repost`
		where switch = %(switch)s and status = 'Pending' and moves_stock = %(stock)s and seq > %(after)s
		order by seq limit %(window)s""",
		{"switch": switch, "stock": stock, "after": (after or {}).get(stock, 0), "window": limit * CLAIM_WINDOW},
	)
	seqs = dict(candidates)
	names = [name for name, _seq in candidates]
	for start in range(0, len(names), limit):
		rows = frappe.db.sql(
			"""select name, voucher_type, voucher_no, posting_date, moves_stock, backup
			from `tabPerpetual Switch Repost` where name in %(names)s and status = 'Pending'
			for update skip locked""",
			{"names": tuple(names[start : start + limit])},
		)
		if rows:
			rows = tuple(sorted(rows, key=lambda row: seqs[row[0]]))
			if after is not None:
				after[stock] = seqs[rows[-1][0]]
			return rows
	return ()


# Batches a runner looks over to find one no other runner holds.
CLAIM_WINDOW = 4


def lock_switch(switch: str, shared: bool = False) -> str | None:
	"""Hold the switch's row until the transaction ends; its status as committed now. Runners hold it
	shared while they repost a batch (several at once); undoing, rolling back and closing hold it
	alone, so they wait for every batch in flight."""
	rows = frappe.db.sql(_LOCK_SHARED if shared else _LOCK, {"switch": switch})
	return rows[0][0] if rows else None


_LOCK = "select status from `tabSwitch to Perpetual Inventory` where name = %(switch)s for update"
_LOCK_SHARED = "select status from `tabSwitch to Perpetual Inventory` where name = %(switch)s lock in share mode"


def counts(switch: str) -> dict[str, int]:
	return dict(
		frappe.db.sql(
			"select status, count(*) from `tabPerpetual Switch Repost` where switch = %(switch)s group by status",
			{"switch": switch},
		)
	)


def listed(switch: str) -> set[tuple[str, str]]:
	return {
		(t, n)
		for t, n in frappe.db.sql(
			"select voucher_type, voucher_no from `tabPerpetual Switch Repost` where switch = %(switch)s",
			{"switch": switch},
		)
	}


def gl_now(vouchers) -> dict[tuple[str, str], dict[str, Decimal]]:
	"""Debit minus credit per account of each voucher's GL as it stands."""
	by_type: dict[str, list[str]] = {}
	for v in vouchers:
		by_type.setdefault(v.voucher_type, []).append(v.voucher_no)
	result: dict[tuple[str, str], dict[str, Decimal]] = {}
	for voucher_type, names in by_type.items():
		for start in range(0, len(names), CHUNK):
			for name, account, debit, credit in frappe.db.sql(
				"""select voucher_no, account, sum(debit), sum(credit) from `tabGL Entry`
				where voucher_type = %(type)s and voucher_no in %(names)s and is_cancelled = 0
				group by voucher_no, account""",
				{"type": voucher_type, "names": tuple(names[start : start + CHUNK])},
			):
				result.setdefault((voucher_type, name), {})[account] = to_decimal(debit) - to_decimal(credit)
	return result


def mark_reposted(done: list[tuple[str, str, Decimal]]) -> None:
	"""(row, changes as JSON, GL moved) for each voucher reposted, in one statement. (The switch's own
	row is not written here: runners share it while they repost.)"""
	if not done:
		return
	cases = " ".join(["when %s then %s"] * len(done))
	frappe.db.sql(
		f"""update `tabPerpetual Switch Repost` set status = 'Reposted',
		changes = case name {cases} end, gl_change = case name {cases} end
		where name in ({", ".join(["%s"] * len(done))})""",
		(
			*(value for name, changes, _moved in done for value in (name, changes)),
			*(value for name, _changes, moved in done for value in (name, moved)),
			*(name for name, _changes, _moved in done),
		),
	)


# Reposting


_SET_LEVEL = {
	"READ-COMMITTED": "set session transaction isolation level read committed",
	"REPEATABLE-READ": "set session transaction isolation level repeatable read",
	"SERIALIZABLE": "set session transaction isolation level serializable",
	"READ-UNCOMMITTED": "set session transaction isolation level read uncommitted",
}


@contextmanager
def read_committed():
	"""This session's transactions from the next one on read what is committed and lock no gaps
	(READ COMMITTED), until the block ends and the session's level is put back. Runners reposting
	one switch at once delete and insert the GL rows of neighbouring vouchers; under REPEATABLE
	READ the gap locks of those statements deadlock the runners with each other."""
	level = str(frappe.db.sql("select @@session.tx_isolation")[0][0]).upper()
	frappe.db.sql(_SET_LEVEL["READ-COMMITTED"])
	try:
		yield
	finally:
		frappe.db.sql(_SET_LEVEL.get(level, _SET_LEVEL["REPEATABLE-READ"]))


@contextmanager
def commits_held():
	"""ERPNext's repost commits after each chunk; within this block the caller decides when."""
	db = frappe.local.db
	previous = vars(db).get("commit")
	db.commit = lambda *args, **kwargs: None
	try:
		yield
	finally:
		if previous is None:
			del db.commit
		else:
			db.commit = previous


@contextmanager
def rolled_back(company: str, fresh: bool = True):
	"""Everything done in the block is undone at its end, whatever happens: it runs in a savepoint
	under the company's lock with commits held; what it queued for after a commit is dropped, what
	it queued for after a rollback is run, and cached company values are forgotten. `fresh=False`
	within an operation that already holds the lock and has read under it: keep its view."""
	from perpetual_switch.erpnext_io import writer

	db = frappe.local.db
	writer.lock_company(company, fresh=fresh)
	queued = {name: list(getattr(db, name)._functions) for name in ("before_commit", "after_commit", "after_rollback")}
	savepoint = "perpetual_switch_preview_" + frappe.generate_hash(length=8)
	db.savepoint(savepoint)
	# A preview is one transaction by design: a year of documents reposted writes more rows than
	# Frappe allows a transaction (200,000 writes), so the limit is lifted within the block; what
	# the block wrote is rolled back at its end and no longer counts.
	writes, own_limit = db.transaction_writes, vars(db).get("MAX_WRITES_PER_TRANSACTION")
	db.MAX_WRITES_PER_TRANSACTION = float("inf")
	try:
		with commits_held():
			yield
	finally:
		db.rollback(save_point=savepoint)
		db.transaction_writes = writes
		if own_limit is None:
			del db.MAX_WRITES_PER_TRANSACTION
		else:
			db.MAX_WRITES_PER_TRANSACTION = own_limit
		undo = [f for f in db.after_rollback._functions if f not in queued["after_rollback"]]
		for name, functions in queued.items():
			manager = getattr(db, name)
			manager._functions.clear()
			manager._functions.extend(functions)
		for function in undo:
			function()
		writer.forget_company(company)


def repost(voucher, route_invoice, after_invoice, batch: RepostBatch) -> None:
	"""Repost one voucher's GL as ERPNext books it now (perpetual inventory on), from its document as
	`batch` read it.

	A purchase invoice first gets the expense accounts ERPNext gives it under perpetual inventory
	(`route_invoice` may route rows further), since its GL follows them; `after_invoice(doc)` runs
	once its GL is written. What the batch's stock documents before an invoice were given is written
	before the invoice is reposted, and the invoice's own GL right after it (nothing of the GL waits
	while an invoice's steps may read it)."""
	key = (voucher.voucher_type, voucher.voucher_no)
	with commits_held():
		if voucher.voucher_type != "Purchase Invoice":
			batch.repost(key)
			return
		batch.flush()
		doc = batch.documents[key]
		_perpetual_expense_accounts(doc, route_invoice, batch.expense_accounts)
		if voucher.stock:
			batch.repost(key)
		else:
			batch.repost_invoice(doc)
		batch.flush()
		after_invoice(doc)


class RepostBatch:
	"""What `repost` needs of a batch's vouchers, read in bulk: their documents with their child rows
	(a query per table, not three or more a document), their GL, payment ledger and stock ledger (a
	query each), the warehouses' accounts and the GL's precision. Where the site allows it
	(`gl_rows`), the new GL rows are kept and written in one insert (`flush`): the caller flushes at
	the end of the batch, and `repost` before and after an invoice."""

	def __init__(self, company: str, cutover_date: date, vouchers, reads: gl_rows.Reads | None = None):
		from erpnext.accounts.utils import get_voucherwise_gl_entries
		from erpnext.stock import get_warehouse_account_map
		from frappe.model.meta import get_field_precision

		pairs = [(v.voucher_type, v.voucher_no) for v in vouchers]
		self.company = company
		self.documents = load_documents(pairs)
		self.existing = get_voucherwise_gl_entries(pairs, str(cutover_date + timedelta(days=1))) if pairs else {}
		self.warehouse_account = get_warehouse_account_map(company) if pairs else {}
		self.precision = get_field_precision(frappe.get_meta("GL Entry").get_field("debit")) or 2
		# Whether a repost's GL rows may be written in one insert (nothing on the site acts on a GL
		# Entry's save but ERPNext's controller), with what building them reads: `reads`, read once
		# for a run of batches, or read for this one.
		self.reads = reads or gl_rows.Reads()
		self.plain = self.reads.plain
		self.known = set(pairs)  # links found to exist: the batch's documents, then what their GL names
		self.pending: list = []  # GL rows built and not yet written (`flush`)
		self.expense_accounts: dict[str, str] = {}  # invoice rows' new expense accounts, not yet written (`finish`)
		self.against_accounts: dict[str, str] = {}  # invoices' new against expense accounts, not yet written (`finish`)
		# The company's receivable and payable accounts: ERPNext's payment ledger takes a GL row on one
		# of them, nothing else (`get_payment_ledger_entries`).
		self.party_accounts = set(
			frappe.get_all("Account", filters={"company": company, "account_type": ["in", ["Receivable", "Payable"]]}, pluck="name")
		)
		# The payment ledger rows there now, per voucher: a repost that would make the same rows
		# leaves them (`payment_ledger_kept`).
		invoices = [name for doctype, name in pairs if doctype == "Purchase Invoice"]
		self.payment_ledger: dict[tuple[str, str], list[dict]] = {
			("Purchase Invoice", name): rows
			for name, rows in _ledger_rows("Payment Ledger Entry", "Purchase Invoice", invoices).items()
		}
		# The vouchers with any GL row (cancelled ones too): a voucher without one has nothing to
		# delete before its new GL is written (a stock document booked under periodic inventory).
		self.with_gl = _with_gl(pairs)
		# Each stock voucher's stock ledger, read for all of them at once (`stock_ledger_details`).
		self.stock_ledger = stock_ledger_details(pairs)
		# What ERPNext reads of the receipts the batch's invoices bill (and of the invoices its
		# receipts name), and which of the batch's receipts and invoices no landed cost voucher
		# names, for all of them at once (`answered`).
		self.referenced = _referenced_purchases(self.documents.values())
		self.without_landed_costs = _without_landed_costs(pairs)
		# Which of the batch's items are stock items, read for all its documents at once: what each
		# document's `get_stock_items` reads (its GL builders and `set_expense_account` ask it).
		stock_items = _stock_items(self.documents.values())
		for doc in self.documents.values():
			if hasattr(doc, "get_stock_items"):
				doc.get_stock_items = lambda doc=doc: _of_document(doc, stock_items)
		# The fields ERPNext's GL steps read back of a batch's document a query at a time (the
		# voucher's cost centre for its round off, a reconciliation's purpose), as loaded: nothing in
		# a repost writes them (`answered`).
		self.fields = {
			key: {field: doc.get(field) for field in READ_BACK if doc.meta.has_field(field)} for key, doc in self.documents.items()
		}
		self.company_values: dict[str, object] = {}

	@contextmanager
	def answered(self):
		"""Within the block, in this thread, reads of ERPNext's GL steps (a query or two a document
		each) are answered from the batch's reads when they are about the batch's documents:
		  - the exchange rates and net rates of the receipts an invoice bills or of the invoices a
		    receipt names (`get_purchase_document_details`, which the receipt's builder asks too where
		    the site has it);
		  - that a receipt or invoice no landed cost voucher names has no landed cost
		    (`get_item_account_wise_additional_cost`, where the site has it);
		  - a receipt row's stock value in a warehouse (`get_stock_value_difference`), from its stock
		    ledger, where one row holds it;
		  - an invoice's stock ledger as its GL builder reads it (`_invoice_stock_ledger`);
		  - a plain `db.get_value(doctype, name, field)` of a READ_BACK field of a batch's document,
		    as loaded, or of a company's field, read once;
		  - the accruals the batch's invoices bill (`clearing.accrued_known`).
		Any other call runs ERPNext's function or asks the database."""
		from erpnext.accounts.doctype.purchase_invoice import purchase_invoice
		from erpnext.stock.doctype.purchase_receipt import purchase_receipt

		owner = threading.get_ident()
		patched = []
		details = getattr(purchase_invoice, "get_purchase_document_details", None)
		if details is not None:

			def purchase_document_details(doc, _original=details):
				references = PURCHASE_REFERENCES.get(doc.get("doctype"))
				if threading.get_ident() != owner or not references or (doc.doctype, doc.name) not in self.documents:
					return _original(doc)
				parent_field, row_field, parent_doctype, _row_doctype = references
				rates, row_rates = self.referenced.get(parent_doctype, ({}, {}))
				parents = [row.get(parent_field) for row in doc.get("items") if row.get(parent_field)]
				rows = [row.get(row_field) for row in doc.get("items") if row.get(row_field)]
				return (
					frappe._dict({name: rates[name] for name in parents if name in rates}),
					frappe._dict({name: row_rates[name] for name in rows if name in row_rates}),
				)

			patched.append((purchase_invoice, "get_purchase_document_details", details, purchase_document_details))
		for module in (purchase_receipt, purchase_invoice):
			costs = getattr(module, "get_item_account_wise_additional_cost", None)
			if costs is None:
				continue

			def additional_cost(purchase_document, _original=costs):
				if threading.get_ident() == owner and purchase_document in self.without_landed_costs:
					return None  # what ERPNext's function returns when no landed cost voucher names it
				return _original(purchase_document)

			patched.append((module, "get_item_account_wise_additional_cost", costs, additional_cost))
		value_difference = getattr(purchase_receipt, "get_stock_value_difference", None)
		if value_difference is not None:

			def stock_value_difference(voucher_no, voucher_detail_no, warehouse, _original=value_difference):
				key = ("Purchase Receipt", voucher_no)
				if threading.get_ident() != owner or key not in self.documents or not warehouse:
					return _original(voucher_no, voucher_detail_no, warehouse)
				wanted = (voucher_detail_no, str(warehouse).casefold())
				rows = [row for row in self.stock_ledger.get(key, ()) if _row_and_warehouse(row) == wanted]
				if len(rows) > 1:
					return _original(voucher_no, voucher_detail_no, warehouse)
				return rows[0]["stock_value_difference"] if rows else None  # None: no such row, as ERPNext's read

			patched.append((purchase_receipt, "get_stock_value_difference", value_difference, stock_value_difference))
		get_all = frappe.get_all

		def invoice_stock_ledger(doctype, *args, **kwargs):
			rows = None
			if threading.get_ident() == owner and doctype == "Stock Ledger Entry" and not args:
				rows = self._invoice_stock_ledger(kwargs)
			return get_all(doctype, *args, **kwargs) if rows is None else rows

		patched.append((frappe, "get_all", get_all, invoice_stock_ledger))
		for module, name, _original, answer in patched:
			setattr(module, name, answer)
		db = frappe.local.db
		own_get_value = vars(db).get("get_value")
		ask = db.get_value

		def get_value(doctype, filters=None, fieldname="name", *args, **kwargs):
			# Only the plain reads `(doctype, name, field)` of a batch's document's READ_BACK field
			# or of a company's field (which nothing in a repost writes); the rest asks the database.
			if not args and not kwargs and threading.get_ident() == owner and isinstance(filters, str) and isinstance(fieldname, str):
				fields = self.fields.get((doctype, filters))
				if fields is not None and fieldname in fields:
					return fields[fieldname]
				if doctype == "Company":
					key = (filters, fieldname)
					if key not in self.company_values:
						self.company_values[key] = ask(doctype, filters, fieldname)
					return self.company_values[key]
			return ask(doctype, filters, fieldname, *args, **kwargs)

		db.get_value = get_value
		receipt_rows = [row.get("pr_detail") for (doctype, _name), doc in self.documents.items() if doctype == "Purchase Invoice" for row in doc.items]
		try:
			with clearing.accrued_known(self.company, receipt_rows):
				yield
		finally:
			if own_get_value is None:
				del db.get_value
			else:
				db.get_value = own_get_value
			for module, name, original, _answer in reversed(patched):
				setattr(module, name, original)

	def _invoice_stock_ledger(self, kwargs) -> list | None:
		"""What `frappe.get_all` gives a batch's invoice that moves stock asking its stock ledger as its
		GL builder asks it (`INVOICE_STOCK_LEDGER`), from the batch's read: only where no row of the
		invoice shares its warehouse with another row of its ledger (the builder keeps the first of
		such rows, in an order the batch's read does not keep). None: ask the database."""
		filters = kwargs.get("filters")
		if set(kwargs) != {"fields", "filters"} or list(kwargs["fields"]) != INVOICE_STOCK_LEDGER or not isinstance(filters, dict):
			return None
		if set(filters) != {"voucher_no", "voucher_type", "is_cancelled"} or filters["is_cancelled"] != 0:
			return None
		key = (filters["voucher_type"], filters["voucher_no"])
		if key[0] != "Purchase Invoice" or key not in self.documents:
			return None
		rows = self.stock_ledger.get(key, ())
		if len(set(map(_row_and_warehouse, rows))) != len(rows):
			return None
		return [frappe._dict({field: row[field] for field in INVOICE_STOCK_LEDGER}) for row in rows]

	def repost(self, key: tuple[str, str]) -> None:
		"""The steps of ERPNext's `repost_gle_for_stock_vouchers` for one voucher: its GL from its own
		builder (the stock ledger it reads read for the batch), written through its `make_gl_entries`
		when it differs from the GL there (its rows kept for `flush` where the site allows it)."""
		from erpnext.accounts.general_ledger import toggle_debit_credit_if_negative
		from erpnext.accounts.utils import _delete_accounting_ledger_entries, compare_existing_and_expected_gle

		doc = self.documents[key]
		if hasattr(doc, "get_stock_ledger_details"):
			# What ERPNext's own method reads of this voucher, one query a voucher: the batch's read.
			ledger = self.stock_ledger.get(key, ())
			doc.get_stock_ledger_details = lambda: _by_detail(ledger)
		# ERPNext 16 asks the document for its accounts (item-wise inventory accounts).
		accounts = doc.get_inventory_account_map() if hasattr(doc, "get_inventory_account_map") else self.warehouse_account
		expected = toggle_debit_credit_if_negative(doc.get_gl_entries(accounts))
		if not expected:
			# No GL under perpetual inventory either (a transfer between warehouses of one account):
			# ERPNext deletes the voucher's ledger entries, which a stock document without GL has none of.
			if key in self.with_gl or key in self.payment_ledger:
				_delete_accounting_ledger_entries(*key)
		elif not self.existing.get(key) or not compare_existing_and_expected_gle(self.existing[key], expected, self.precision):
			with self.payment_ledger_kept(key), gl_rows.collected(self.pending if self.plain else None, self.reads):
				doc.make_gl_entries(gl_entries=expected, from_repost=True)

	def repost_invoice(self, doc) -> None:
		"""What ERPNext's Repost Accounting Ledger does for a purchase invoice that only bills, the old
		entries deleted (its payment ledger rows kept when the repost makes the same), its GL made as
		a repost makes it (`from_repost`, as ERPNext's stock repost makes an invoice's that moves
		stock): the same rows, kept for `flush`, without the checks a GL row's first save makes of
		its accounts, party and budget, which the invoice passed when it was submitted; the voucher's
		balance, closed periods, frozen date and disabled accounts are checked as on any repost."""
		key = (doc.doctype, doc.name)
		if key in self.with_gl:
			frappe.db.delete("Advance Payment Ledger Entry", {"voucher_type": doc.doctype, "voucher_no": doc.name})
		with self.payment_ledger_kept(key), gl_rows.collected(self.pending if self.plain else None, self.reads):
			# ERPNext's `force_set_against_expense_account`, its write kept for `finish`.
			doc.set_against_expense_account()
			self.against_accounts[doc.name] = doc.against_expense_account
			doc.make_gl_entries(from_repost=True)

	@contextmanager
	def payment_ledger_kept(self, key: tuple[str, str]):
		"""Around a voucher's `make_gl_entries`, its GL deleted first: ERPNext deletes its payment
		ledger rows too and makes them again from the new GL, each one saved as a document that then
		reloads the invoice to set its outstanding amount and status. Where the rows ERPNext would make
		(its own `get_payment_ledger_entries` of the new GL) equal those there, field by field, they are
		left as they are: the same rows, the same outstanding amount. Otherwise, or when ERPNext would
		make none, they are deleted and made as ERPNext makes them."""
		from erpnext.accounts import general_ledger
		from erpnext.accounts.utils import _delete_gl_entries, _delete_pl_entries, get_payment_ledger_entries

		if key in self.with_gl:
			_delete_gl_entries(*key)
		there = self.payment_ledger.get(key) or []
		original = general_ledger.create_payment_ledger_entry
		owner = threading.get_ident()
		handled = []

		def create(gl_entries, cancel=0, *args, **kwargs):
			if cancel or threading.get_ident() != owner or not gl_entries or (gl_entries[0].voucher_type, gl_entries[0].voucher_no) != key:
				return original(gl_entries, cancel, *args, **kwargs)
			handled.append(key)
			if not there and not any(entry.account in self.party_accounts for entry in gl_entries):
				return None  # no row on a receivable or payable account: ERPNext makes no payment ledger row
			if there and same_payment_ledger(get_payment_ledger_entries(gl_entries), there):
				return None
			if there:
				_delete_pl_entries(*key)
			return original(gl_entries, cancel, *args, **kwargs)

		general_ledger.create_payment_ledger_entry = create
		try:
			yield
		finally:
			general_ledger.create_payment_ledger_entry = original
		if there and not handled:
			_delete_pl_entries(*key)

	def flush(self) -> None:
		"""Writes the GL rows the stock vouchers reposted so far were given, in one insert: before
		anything reads the GL (another voucher's repost, the batch's end)."""
		rows, self.pending[:] = list(self.pending), []
		gl_rows.write(rows, self.known)

	def finish(self) -> None:
		"""At the batch's end: what `flush` writes, the invoice rows' new expense accounts and the
		invoices' against expense accounts (with the modified time and user, as ERPNext's
		`db.set_value` writes them), an update per value (nothing in the batch reads them from the
		table: each invoice's GL is built from its document); the invoices' cached documents forgotten."""
		self.flush()
		item = frappe.qb.DocType("Purchase Invoice Item")
		for account, rows in _by_value(self.expense_accounts):
			frappe.qb.update(item).set(item.expense_account, account).where(item.name.isin(rows)).run()
		invoice = frappe.qb.DocType("Purchase Invoice")
		now, user = frappe.utils.now(), frappe.session.user
		for against, names in _by_value(self.against_accounts):
			(
				frappe.qb.update(invoice)
				.set(invoice.against_expense_account, against)
				.set(invoice.modified, now)
				.set(invoice.modified_by, user)
				.where(invoice.name.isin(names))
			).run()
		if self.against_accounts:
			frappe.clear_document_cache("Purchase Invoice")
		self.expense_accounts.clear()
		self.against_accounts.clear()


def _by_value(values: dict):
	"""(value, [keys]) of {key: value}, CHUNK keys at a time, in order."""
	by_value: dict = {}
	for key, value in values.items():
		by_value.setdefault(value, []).append(key)
	for value, keys in sorted(by_value.items(), key=lambda item: str(item[0])):
		keys.sort()
		for start in range(0, len(keys), CHUNK):
			yield value, keys[start : start + CHUNK]


INVOICE_STOCK_LEDGER = ["voucher_detail_no", "stock_value_difference", "warehouse"]
"""What a purchase invoice's GL builder reads of its stock ledger, a `frappe.get_all` an invoice that
moves stock (ERPNext 15 and 16)."""

READ_BACK = ("cost_center", "purpose")
"""Fields of a voucher ERPNext's GL steps read back from the table (`get_round_off_account_and_cost_center`,
`StockController.get_voucher_details`), which a repost never writes."""


def _stock_items(documents) -> dict[str, str]:
	"""{item code casefolded: item} of the stock items among the documents' rows, one query."""
	codes = sorted({row.item_code for doc in documents for row in doc.get("items") or [] if row.get("item_code")})
	if not codes:
		return {}
	return {name.casefold(): name for name in frappe.get_all("Item", filters={"name": ("in", codes), "is_stock_item": 1}, pluck="name")}


def _of_document(doc, stock_items: dict[str, str]) -> list[str]:
	"""What ERPNext's `get_stock_items` answers for `doc`: the stock items among its rows' item codes
	(as the table names them, once each)."""
	codes = {row.item_code.casefold() for row in doc.get("items") if row.get("item_code")}
	return sorted(stock_items[code] for code in codes if code in stock_items)


def _names_by_type(pairs) -> dict[str, list[str]]:
	"""{doctype: [names]} of (doctype, name) pairs, in their order."""
	names_by_type: dict[str, list[str]] = {}
	for doctype, name in pairs:
		names_by_type.setdefault(doctype, []).append(name)
	return names_by_type


STOCK_LEDGER_FIELDS = (
	"name", "warehouse", "stock_value_difference", "valuation_rate", "voucher_detail_no", "item_code",
	"posting_date", "posting_time", "actual_qty", "qty_after_transaction", "project",
)  # fmt: skip
"""The columns ERPNext's `StockController.get_stock_ledger_details` reads (ERPNext 15 and 16)."""


def stock_ledger_details(pairs) -> dict[tuple[str, str], list]:
	"""{(voucher type, voucher no): its stock ledger entries not cancelled}, the rows and columns
	ERPNext's `get_stock_ledger_details` reads one voucher at a time, read a query per voucher type
	and chunk, each voucher's rows in the order of its index (by name)."""
	sle = frappe.qb.DocType("Stock Ledger Entry")
	names_by_type = _names_by_type(pairs)
	ledgers: dict[tuple[str, str], list] = {}
	for voucher_type, names in names_by_type.items():
		for start in range(0, len(names), CHUNK):
			rows = (
				frappe.qb.from_(sle)
				.select(sle.voucher_no, *(sle[f] for f in STOCK_LEDGER_FIELDS))
				.where((sle.voucher_type == voucher_type) & sle.voucher_no.isin(names[start : start + CHUNK]) & (sle.is_cancelled == 0))
				.orderby(sle.voucher_no)
				.orderby(sle.name)
			).run(as_dict=True)
			for row in rows:
				ledgers.setdefault((voucher_type, row.pop("voucher_no")), []).append(row)
	return ledgers


def _row_and_warehouse(row) -> tuple:
	"""What ERPNext keys a document's stock ledger rows by in its GL steps: the document's row and the
	warehouse (the warehouse as the table compares it)."""
	return row["voucher_detail_no"], str(row["warehouse"]).casefold()


def _by_detail(rows) -> dict:
	"""Stock ledger rows as `get_stock_ledger_details` gives them: by voucher detail, fresh copies."""
	details: dict = {}
	for row in rows:
		details.setdefault(row.voucher_detail_no, []).append(frappe._dict(row))
	return details


PURCHASE_REFERENCES = {
	"Purchase Invoice": ("purchase_receipt", "pr_detail", "Purchase Receipt", "Purchase Receipt Item"),
	"Purchase Receipt": ("purchase_invoice", "purchase_invoice_item", "Purchase Invoice", "Purchase Invoice Item"),
}
"""What `get_purchase_document_details` reads of a purchase document: the documents its rows name (the
field naming them, the field naming their rows, their doctype and their rows' doctype)."""


def _referenced_purchases(documents) -> dict[str, tuple[dict, dict]]:
	"""{doctype: ({document: conversion rate}, {row: net rate})} of the purchase documents (receipts,
	invoices) the purchase documents among `documents` name: what `get_purchase_document_details`
	reads a document at a time."""
	wanted: dict[tuple[str, str], tuple[set, set]] = {}
	for doc in documents:
		references = PURCHASE_REFERENCES.get(doc.doctype)
		if not references:
			continue
		parent_field, row_field, parent_doctype, row_doctype = references
		parents, rows = wanted.setdefault((parent_doctype, row_doctype), (set(), set()))
		for row in doc.get("items"):
			if row.get(parent_field):
				parents.add(row.get(parent_field))
			if row.get(row_field):
				rows.add(row.get(row_field))
	found = {}
	for (parent_doctype, row_doctype), (parents, rows) in wanted.items():
		found[parent_doctype] = (
			dict(frappe.get_all(parent_doctype, filters={"name": ("in", sorted(parents))}, fields=["name", "conversion_rate"], as_list=1)) if parents else {},
			dict(frappe.get_all(row_doctype, filters={"name": ("in", sorted(rows))}, fields=["name", "net_rate"], as_list=1)) if rows else {},
		)
	return found


def _without_landed_costs(pairs) -> set[str]:
	"""The purchase receipts and invoices among `pairs` that no submitted landed cost voucher names."""
	names = [name for doctype, name in pairs if doctype in ("Purchase Receipt", "Purchase Invoice")]
	if not names:
		return set()
	named = set(
		frappe.get_all("Landed Cost Purchase Receipt", filters={"receipt_document": ("in", names), "docstatus": 1}, pluck="receipt_document")
	)
	return {name for name in names if name not in named}


def _with_gl(pairs) -> set[tuple[str, str]]:
	"""The vouchers among `pairs` with any GL Entry row, cancelled or not."""
	gle = frappe.qb.DocType("GL Entry")
	names_by_type = _names_by_type(pairs)
	found: set[tuple[str, str]] = set()
	for voucher_type, names in names_by_type.items():
		for start in range(0, len(names), CHUNK):
			found.update(
				(voucher_type, name)
				for (name,) in frappe.qb.from_(gle)
				.select(gle.voucher_no)
				.distinct()
				.where((gle.voucher_type == voucher_type) & gle.voucher_no.isin(names[start : start + CHUNK]))
				.run()
			)
	return found


def load_documents(pairs) -> dict:
	"""{(doctype, name): document} for submitted documents, as `frappe.get_doc` loads them (the row
	and every child table's rows in the order of idx), read a query per table for all of them."""
	names_by_type = _names_by_type(pairs)
	documents = {}
	for doctype, names in names_by_type.items():
		meta = frappe.get_meta(doctype)
		parents = {
			row.name: row
			for row in frappe.db.sql(f"select * from `tab{doctype}` where name in %(names)s", {"names": tuple(names)}, as_dict=True)
		}
		for df in meta.get_table_fields():
			for row in frappe.db.sql(
				f"""select * from `tab{df.options}`
				where parent in %(names)s and parenttype = %(parenttype)s and parentfield = %(field)s
				order by parent, idx""",
				{"names": tuple(names), "parenttype": doctype, "field": df.fieldname},
				as_dict=True,
			):
				parents[row.parent].setdefault(df.fieldname, []).append(row)
		for name in names:
			if name not in parents:
				raise frappe.DoesNotExistError(f"{doctype} {name} not found")
			documents[(doctype, name)] = frappe.get_doc({**parents[name], "doctype": doctype})
	return documents


@contextmanager
def saves_forgotten():
	"""Frappe notes each document it saves in `frappe.flags.currently_saving`, a list, before the
	document has its name, and takes the note off by its name once it is saved: a new document's note
	stays, and so does a GL row written in one insert (`gl_rows`), whose save never ends. A web request
	starts with an empty list; a repost saves hundreds of thousands of rows in one job, and every
	save searches the list (a hundred thousand documents' repost slowed to a crawl). What the block
	noted is taken off at its end, when nothing it saves is still being saved."""
	saving = frappe.flags.currently_saving
	noted = len(saving)
	try:
		yield
	finally:
		del saving[noted:]


def _arguments(*args, **kwargs):
	return tuple(str(a) for a in args), tuple(sorted((k, str(v)) for k, v in kwargs.items()))


def _read_once_targets():
	"""ERPNext's reads and checks a repost makes for every voucher, whose answer within a batch
	depends only on what the key takes from their arguments (a company's settings, closed periods,
	disabled accounts, allocations and dimension filters, which nothing in a repost changes):
	(module, function name, key of the arguments)."""
	from erpnext.accounts import general_ledger

	return (
		# ERPNext 15 reads the allocation for every GL row it makes (ERPNext 16 caches it itself).
		(general_ledger, "get_cost_center_allocation_data", lambda company, posting_date, cost_center: (company, str(posting_date), cost_center)),
		(general_ledger, "validate_accounting_period", lambda gl_map: (gl_map[0].company, str(gl_map[0].posting_date), gl_map[0].voucher_type)),
		(general_ledger, "validate_disabled_accounts", lambda gl_map: (gl_map[0].company, frozenset(d.account for d in gl_map if d.account))),
		(general_ledger, "check_freezing_date", _arguments),
		(general_ledger, "validate_against_pcv", _arguments),
		(general_ledger, "get_dimension_filter_map", _arguments),
	)  # fmt: skip


def _read_once_copied():
	"""ERPNext's reads a repost makes for every invoice whose answer is a value the caller may change,
	read once per key within a batch and given to each caller as a copy: the accounting dimensions
	(two queries; read by the invoice's exchange gain or loss step and by its payment ledger), named
	where they are called."""
	from erpnext.accounts import utils
	from erpnext.controllers import accounts_controller

	return tuple((module, "get_dimensions", _arguments) for module in (accounts_controller, utils) if hasattr(module, "get_dimensions"))


def offsetting_dimensions(company: str) -> bool:
	"""Whether an enabled accounting dimension posts balancing entries for the company: what ERPNext's
	`get_accounting_dimensions_for_offsetting_entry` reads before it looks at a voucher's rows. Without
	one, ERPNext's offsetting step adds nothing to any voucher."""
	if not frappe.get_meta("Accounting Dimension Detail").has_field("automatically_post_balancing_accounting_entry"):
		return False
	return bool(
		frappe.db.sql(
			"""select 1 from `tabAccounting Dimension` dimension
			join `tabAccounting Dimension Detail` detail on detail.parent = dimension.name
			where dimension.disabled = 0 and detail.company = %(company)s
				and detail.automatically_post_balancing_accounting_entry = 1
			limit 1""",
			{"company": company},
		)
	)


@contextmanager
def reads_once(company: str | None = None):
	"""Within the block, in this thread, each of ERPNext's reads and checks in `_read_once_targets`
	and `_read_once_copied` runs once per key: a check that passed for a company, date and voucher
	type passes for the next voucher of the same; one that refused runs again (and refuses again).
	Functions of `_read_once_targets` ERPNext already caches (wrapped) are left as they are; other
	threads run them all as before. For a
	`company` without offsetting dimensions (`offsetting_dimensions`), ERPNext's offsetting step,
	which would add nothing, is passed over."""
	from erpnext.accounts import general_ledger

	owner = threading.get_ident()
	patched = []
	offsetting = getattr(general_ledger, "make_acc_dimensions_offsetting_entry", None)
	if company and offsetting and not offsetting_dimensions(company):

		def nothing_to_offset(gl_map, *args, **kwargs):
			if threading.get_ident() != owner:
				return offsetting(gl_map, *args, **kwargs)
			return None

		general_ledger.make_acc_dimensions_offsetting_entry = nothing_to_offset
		patched.append((general_ledger, "make_acc_dimensions_offsetting_entry", offsetting))
	targets = [(*target, False) for target in _read_once_targets()] + [(*target, True) for target in _read_once_copied()]
	for module, name, key_of, copied in targets:
		original = getattr(module, name, None)
		if original is None or getattr(original, "_read_once", False) or (not copied and hasattr(original, "__wrapped__")):
			continue
		read: dict = {}

		def once(*args, _original=original, _read=read, _key_of=key_of, _copied=copied, **kwargs):
			if threading.get_ident() != owner:
				return _original(*args, **kwargs)
			key = _key_of(*args, **kwargs)
			if key not in _read:
				_read[key] = _original(*args, **kwargs)
			return copy.deepcopy(_read[key]) if _copied else _read[key]

		once.__wrapped__ = original
		once._read_once = True
		setattr(module, name, once)
		patched.append((module, name, original))
	try:
		yield
	finally:
		for module, name, original in reversed(patched):
			setattr(module, name, original)


def _perpetual_expense_accounts(doc, route_invoice, changed: dict[str, str]) -> None:
	"""The invoice's rows get the expense accounts ERPNext's validate sets under perpetual inventory,
	routed further by `route_invoice`; those that changed are noted in `changed` (row: account)."""
	before = {row.name: row.expense_account for row in doc.items}
	doc.set_expense_account(for_validate=False)
	route_invoice(doc)
	for row in doc.items:
		if row.expense_account != before[row.name]:
			changed[row.name] = row.expense_account


def same_payment_ledger(made, there) -> bool:
	"""Whether the payment ledger entries ERPNext would make (`get_payment_ledger_entries`' dicts) are
	the rows there, field by field (amounts to the column's nine places, empty equal to None), as a
	whole. Advance ledger entries among them: never the same (left to ERPNext)."""
	if any(entry.get("doctype") != "Payment Ledger Entry" for entry in made) or len(made) != len(there):
		return False
	fields = sorted({field for entry in made for field in entry if field != "doctype"})

	def normal(value):
		if value is None or value == "":
			return ""
		if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
			return to_decimal(value).quantize(Decimal("0.000000001"))
		return str(value)

	def rows(entries):
		return sorted((tuple(normal(entry.get(field)) for field in fields) for entry in entries), key=str)

	return rows(made) == rows(there)


def restore(switch: str) -> int:
	"""Put back every listed voucher's ledgers and expense accounts exactly as recorded, CHUNK vouchers
	at a time (what is held in memory does not grow with the documents)."""
	count, after = 0, 0
	while True:
		rows = frappe.db.sql(
			"""select seq, voucher_type, voucher_no, backup from `tabPerpetual Switch Repost`
			where switch = %(switch)s and status != 'Restored' and seq > %(after)s order by seq limit %(limit)s""",
			{"switch": switch, "after": after, "limit": CHUNK},
		)
		if not rows:
			break
		after = rows[-1][0]
		count += len(rows)
		_restore_chunk([row[1:] for row in rows])
	frappe.db.sql(
		"update `tabPerpetual Switch Repost` set status = 'Restored' where switch = %(switch)s", {"switch": switch}
	)
	return count


def _restore_chunk(rows) -> None:
	"""A chunk of vouchers' ledgers and fields put back as recorded: a delete per ledger and voucher
	type, an insert per ledger and set of columns, an update per field and value (not one a row: a
	rollback is one transaction, and Frappe allows it 200,000 writes)."""
	from frappe.query_builder import Field

	by_type: dict[str, list[str]] = {}
	inserts: dict[tuple[str, tuple], list[tuple]] = {}
	updates: dict[tuple[str, str, str | None], list[str]] = {}
	for voucher_type, voucher_no, backup in rows:
		by_type.setdefault(voucher_type, []).append(voucher_no)
		data = json.loads(backup)
		for doctype, entries in data["ledgers"].items():
			for entry in entries:
				key = (doctype, tuple(entry))
				inserts.setdefault(key, []).append(tuple(entry.values()))
		for doctype, name, fieldname, value in data.get("filled") or []:
			updates.setdefault((doctype, fieldname, value), []).append(name)
		invoice = data.get("invoice")
		if invoice:
			for row, account in invoice["items"].items():
				updates.setdefault(("Purchase Invoice Item", "expense_account", account), []).append(row)
			updates.setdefault(("Purchase Invoice", "against_expense_account", invoice.get("against")), []).append(voucher_no)
	for (doctype, fieldname, value), names in updates.items():
		frappe.qb.update(doctype).set(fieldname, value).where(Field("name").isin(names)).run()
		if doctype == "Stock Reconciliation":
			for name in names:
				frappe.clear_document_cache(doctype, name)  # as db.set_value did
	for voucher_type, names in by_type.items():
		for doctype in LEDGERS:
			frappe.db.sql(
				f"delete from `tab{doctype}` where voucher_type = %(type)s and voucher_no in %(names)s",
				{"type": voucher_type, "names": tuple(names)},
			)
	for (doctype, columns), values in inserts.items():
		insert_many(doctype, columns, values)

