"""The backdated repost leaves each document with the GL rows ERPNext's own repost gives it.

Two periodic companies get the same year of documents through ERPNext (test_backdated's Year: receipts,
invoices before and after the cutover, a delivery, a transfer, a stock reconciliation, purchase returns,
an issue, an invoice that moves stock, a debit note). One is switched by the app, backdated to the
cutover. On the other, the company's default accounts are set by hand as the app set the first one's,
the perpetual flag too, and ERPNext reposts the same documents itself:
- the fields ERPNext fills when a document is made under perpetual inventory are filled first (a stock
  entry row's expense account; an invoice's expense accounts as its validate sets them);
- its GL repost (`repost_gle_for_stock_vouchers`, as Repost Item Valuation runs it) for the documents
  that move stock;
- for purchase invoices that only bill, what its Repost Accounting Ledger does.
Document by document, the GL rows must be the same: account, debit, credit, cost centre, party, against
voucher and posting date, names mapped from one company to the other. The one difference the app
makes on purpose is named in the test (goods received before the cutover billed to SRBNB).
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import services  # noqa: E402
from perpetual_switch.erpnext_io import backdated as io  # noqa: E402
from perpetual_switch.erpnext_io import clearing  # noqa: E402
from perpetual_switch.erpnext_io import writer  # noqa: E402
from perpetual_switch.services import backdated  # noqa: E402

from .test_backdated import CUT, year_pair  # noqa: E402


def same_defaults(company: str, abbr: str, like: str, like_abbr: str) -> None:
	"""The company's default accounts and cost centres set as `like`'s are (the same names, its own
	suffix): what perpetual inventory needs of a company, set by hand as the app set them on `like`."""
	from perpetual_switch.engine.models import COMPANY_DEFAULT_FIELDS

	meta = frappe.get_meta("Company")
	for fieldname in COMPANY_DEFAULT_FIELDS:
		if fieldname == "enable_perpetual_inventory" or not meta.has_field(fieldname):
			continue
		value = frappe.db.get_value("Company", like, fieldname)
		if value and str(value).endswith(f" - {like_abbr}"):
			frappe.db.set_value("Company", company, fieldname, str(value).removesuffix(f" - {like_abbr}") + f" - {abbr}")


def perpetual_expense_accounts(doc) -> None:
	"""A purchase invoice's expense accounts as ERPNext's validate sets them under perpetual inventory
	(the warehouse's account for stock it receives, SRBNB for receipts whose GL credited it)."""
	before = {row.name: row.expense_account for row in doc.items}
	doc.set_expense_account(for_validate=False)
	for row in doc.items:
		if row.expense_account != before[row.name]:
			frappe.db.set_value("Purchase Invoice Item", row.name, "expense_account", row.expense_account, update_modified=False)


def erpnext_repost(company: str) -> None:
	"""ERPNext's own repost of the company's documents after the cutover, perpetual inventory on."""
	from erpnext.accounts.utils import _delete_accounting_ledger_entries, repost_gle_for_stock_vouchers
	from frappe.utils import getdate

	vouchers = io.vouchers_after(company, getdate(CUT))
	frappe.db.set_value("Company", company, "enable_perpetual_inventory", 1)
	# What this process remembers of the company (ERPNext's per-request perpetual flag among it).
	writer.forget_company(company)
	# Under periodic inventory ERPNext leaves a stock entry row's expense account empty; under
	# perpetual it fills it when the entry is made, and its GL builder needs it. Filled the way
	# ERPNext fills it (the app does the same before its repost).
	io.missing_accounts(company, vouchers)
	invoices = [frappe.get_doc("Purchase Invoice", v.voucher_no) for v in vouchers if v.voucher_type == "Purchase Invoice"]
	for doc in invoices:
		if doc.update_stock:
			perpetual_expense_accounts(doc)
	stock = [(v.voucher_type, v.voucher_no) for v in vouchers if v.stock]
	repost_gle_for_stock_vouchers(stock, str(getdate(CUT) + timedelta(days=1)), company)
	for doc in invoices:
		if doc.update_stock:
			continue
		# What Repost Accounting Ledger does for an invoice, once its receipts' GL is perpetual.
		perpetual_expense_accounts(doc)
		_delete_accounting_ledger_entries(doc.doctype, doc.name)
		doc.force_set_against_expense_account()
		doc.make_gl_entries()
	frappe.db.commit()
	return vouchers


def gl_rows(company: str, abbr: str, vouchers, names: dict) -> dict:
	"""{(voucher type, position): Counter of its GL rows}, the company's suffix taken off names and
	every document name mapped through `names` to a position both companies share."""
	suffix = f" - {abbr}"
	rows: dict = {}
	for v in vouchers:
		for r in frappe.get_all(
			"GL Entry",
			filters={"voucher_type": v.voucher_type, "voucher_no": v.voucher_no, "is_cancelled": 0},
			fields=["account", "debit", "credit", "cost_center", "party_type", "party", "against_voucher_type", "against_voucher", "posting_date"],
		):
			key = (
				(r.account or "").removesuffix(suffix),
				f"{r.debit:.2f}",
				f"{r.credit:.2f}",
				(r.cost_center or "").removesuffix(suffix),
				r.party_type or "",
				r.party or "",
				r.against_voucher_type or "",
				names.get((r.against_voucher_type, r.against_voucher), r.against_voucher or ""),
				str(r.posting_date),
			)
			rows.setdefault(names[(v.voucher_type, v.voucher_no)], Counter())[key] += 1
	return rows


def positions(company: str) -> dict:
	"""{(doctype, name): (doctype, n)}: each document of the company numbered in the order it was made."""
	names = {}
	for doctype in ("Purchase Receipt", "Purchase Invoice", "Delivery Note", "Stock Entry", "Stock Reconciliation"):
		for n, name in enumerate(frappe.get_all(doctype, filters={"company": company}, order_by="creation asc, name asc", pluck="name")):
			names[(doctype, name)] = (doctype, n)
	return names


def accrued_invoices(company: str) -> set[str]:
	"""The company's purchase invoices after the cutover billing a receipt made on or before it, and
	its debit notes of invoices made on or before it."""
	return set(
		frappe.db.sql_list(
			"""select distinct pi.name from `tabPurchase Invoice` pi
			join `tabPurchase Invoice Item` pii on pii.parent = pi.name
			left join `tabPurchase Receipt` pr on pr.name = pii.purchase_receipt
			left join `tabPurchase Invoice` original on original.name = pi.return_against
			where pi.company = %(company)s and pi.docstatus = 1 and pi.posting_date > %(cut)s
				and (pr.posting_date <= %(cut)s or original.posting_date <= %(cut)s)""",
			{"company": company, "cut": CUT},
		)
	)


@pytest.fixture(scope="module")
def pair(site):
	return year_pair("ROWS", "A", "E", second_perpetual=False)


def test_every_document_gets_the_gl_rows_of_erpnexts_own_repost(pair):
	app, own = pair
	doc = services.apply(app.company, CUT, backdated=True)
	frappe.db.commit()
	assert backdated.run_or_undo(doc.name) is None
	app_vouchers = [v for v in io.vouchers_after(app.company, frappe.utils.getdate(CUT))]
	same_defaults(own.company, own.abbr, app.company, app.abbr)
	own_vouchers = erpnext_repost(own.company)
	assert len(app_vouchers) == len(own_vouchers) == 11

	mine = gl_rows(app.company, app.abbr, app_vouchers, positions(app.company))
	theirs = gl_rows(own.company, own.abbr, own_vouchers, positions(own.company))
	assert set(mine) == set(theirs)
	# Invoices (and debit notes) of goods received before the cutover: ERPNext books their goods to
	# the expense account (its repost knows nothing of the receipts the switch accrued), the app to
	# SRBNB, as the perpetual twin does (test_backdated); their rows are otherwise the same.
	accrued = {positions(app.company)[("Purchase Invoice", name)] for name in accrued_invoices(app.company)}
	assert accrued, "the year bills and returns goods received before the cutover"
	for key in accrued:
		theirs[key] = Counter(
			{(("Stock Received But Not Billed", *row[1:]) if row[0] == "Cost of Goods Sold" else row): n for row, n in theirs[key].items()}
		)
	different = {key: (mine[key] - theirs[key], theirs[key] - mine[key]) for key in mine if mine[key] != theirs[key]}
	assert not different, different
	# Each invoice's against expense account, as ERPNext's repost sets it (the accrued ones on SRBNB).
	mine, theirs = against_accounts(app.company, app.abbr), against_accounts(own.company, own.abbr)
	for key in accrued:
		theirs[key] = tuple("Stock Received But Not Billed" if account == "Cost of Goods Sold" else account for account in theirs[key])
	assert mine == theirs and len(mine) == 4

	services.rollback(app.company)
	frappe.db.commit()


def against_accounts(company: str, abbr: str) -> dict:
	"""{position: accounts} of the company's purchase invoices after the cutover: their against
	expense accounts, the company's suffix taken off."""
	names = positions(company)
	return {
		names[("Purchase Invoice", name)]: tuple(account.strip().removesuffix(f" - {abbr}") for account in (against or "").split(","))
		for name, against in frappe.db.sql(
			"""select name, against_expense_account from `tabPurchase Invoice`
			where company = %(company)s and docstatus = 1 and posting_date > %(cut)s""",
			{"company": company, "cut": CUT},
		)
	}


def test_rows_written_in_one_insert_are_the_rows_erpnext_saves_one_by_one(pair, monkeypatch):
	"""The app writes the new GL rows of a batch's stock documents in one insert (`gl_rows`); ERPNext
	saves each as a document. On the same company and documents, every column of every row is the same, but the
	name and the times."""
	from erpnext.accounts.utils import _delete_accounting_ledger_entries, repost_gle_for_stock_vouchers

	from perpetual_switch.erpnext_io import gl_rows as rows_module

	app, _own = pair
	written = []
	write = rows_module.write
	monkeypatch.setattr(rows_module, "write", lambda rows, known: written.append(len(rows)) or write(rows, known))
	doc = services.apply(app.company, CUT, backdated=True)
	frappe.db.commit()
	saving = list(frappe.flags.currently_saving)
	assert backdated.run_or_undo(doc.name) is None
	assert rows_module.plain_gl_entry() and sum(written) > 0
	# No row written in one insert is left noted as being saved (each later save searched that list).
	assert frappe.flags.currently_saving == saving
	stock = [
		(v.voucher_type, v.voucher_no)
		for v in io.vouchers_after(app.company, frappe.utils.getdate(CUT))
		if v.stock and v.voucher_type != "Purchase Invoice"
	]
	columns = [c for c in frappe.db.get_table_columns("GL Entry") if c not in ("name", "creation", "modified")]

	def every_column():
		found = Counter()
		for voucher_type, voucher_no in stock:
			for row in frappe.get_all(
				"GL Entry", filters={"voucher_type": voucher_type, "voucher_no": voucher_no}, fields=columns, as_list=True
			):
				found[tuple(str(value) for value in row)] += 1
		return found

	mine = every_column()
	assert sum(mine.values()) >= 2 * len(stock) > 0
	for voucher_type, voucher_no in stock:
		_delete_accounting_ledger_entries(voucher_type, voucher_no)
	before = len(written)
	repost_gle_for_stock_vouchers(stock, str(frappe.utils.getdate(CUT) + timedelta(days=1)), app.company)
	assert len(written) == before  # ERPNext's own path, its rows saved one by one
	assert every_column() == mine
	frappe.db.commit()
	services.rollback(app.company)
	frappe.db.commit()


def payment_ledger(company: str) -> tuple[Counter, set[str], dict]:
	"""The company's purchase invoices' payment ledger rows (what they hold), the rows' names, and
	each invoice's outstanding amount."""
	held, names = Counter(), set()
	for r in frappe.get_all(
		"Payment Ledger Entry",
		filters={"company": company, "voucher_type": "Purchase Invoice"},
		fields=["name", "voucher_no", "account", "party_type", "party", "amount", "amount_in_account_currency", "against_voucher_type", "against_voucher_no", "posting_date", "due_date", "delinked", "cost_center"],
	):
		names.add(r.pop("name"))
		held[tuple(str(value) for value in r.values())] += 1
	outstanding = dict(frappe.get_all("Purchase Invoice", filters={"company": company}, fields=["name", "outstanding_amount"], as_list=True))
	return held, names, outstanding


def test_payment_ledger_rows_are_kept_when_the_repost_makes_the_same(pair, monkeypatch):
	"""ERPNext's repost of an invoice deletes its payment ledger rows and saves them again from the
	new GL (each save reloading the invoice for its outstanding amount). The app keeps them when the
	rows ERPNext would make are the same; when they are not (forced here), it deletes them and lets
	ERPNext make them. Either way the rows hold the same and the outstanding amounts do not move."""
	app, _own = pair
	before, names, outstanding = payment_ledger(app.company)
	assert before
	doc = services.apply(app.company, CUT, backdated=True)
	frappe.db.commit()
	assert backdated.run_or_undo(doc.name) is None
	kept, kept_names, kept_outstanding = payment_ledger(app.company)
	assert (kept, kept_names, kept_outstanding) == (before, names, outstanding)
	services.rollback(app.company)
	frappe.db.commit()

	monkeypatch.setattr(io, "same_payment_ledger", lambda made, there: False)
	doc = services.apply(app.company, CUT, backdated=True)
	frappe.db.commit()
	assert backdated.run_or_undo(doc.name) is None
	made, made_names, made_outstanding = payment_ledger(app.company)
	assert (made, made_outstanding) == (before, outstanding)
	reposted = set(frappe.get_all("Purchase Invoice", filters={"company": app.company, "posting_date": [">", CUT]}, pluck="name"))
	assert reposted and made_names != names  # the reposted invoices' rows were made again
	services.rollback(app.company)
	frappe.db.commit()


@pytest.mark.parametrize(
	"events",
	[{"GL Entry": {"on_submit": ["audit_app.ledger.copy"]}}, {"*": {"on_update": ["audit_app.everything.log"]}}],
)
def test_a_site_where_other_code_acts_on_gl_entries_gets_them_saved_one_by_one(site, monkeypatch, events):
	"""Another app's hooks on GL Entry (or on every doctype): the repost leaves ERPNext to save each
	row, so they run."""
	from perpetual_switch.erpnext_io import gl_rows as rows_module

	assert rows_module.plain_gl_entry()
	get_hooks = frappe.get_hooks

	def with_events(hook=None, *args, **kwargs):
		found = get_hooks(hook, *args, **kwargs)
		if hook != "doc_events":
			return found
		merged = {doctype: dict(methods) for doctype, methods in (found or {}).items()}
		for doctype, methods in events.items():
			for method, handlers in methods.items():
				merged.setdefault(doctype, {}).setdefault(method, [])
				merged[doctype][method] = [*merged[doctype][method], *handlers]
		return merged

	monkeypatch.setattr(frappe, "get_hooks", with_events)
	assert not rows_module.plain_gl_entry()


def test_erpnexts_offsetting_step_is_passed_over_only_for_a_company_without_offsetting_dimensions(pair, monkeypatch):
	"""Within a batch, ERPNext's step that adds balancing rows for accounting dimensions is passed over
	for a company none of whose dimensions posts them, and runs as it is otherwise; every other check
	runs once per key and refuses again when it refused."""
	from erpnext.accounts import general_ledger

	app, _own = pair
	original = general_ledger.make_acc_dimensions_offsetting_entry
	assert not io.offsetting_dimensions(app.company)
	with io.reads_once(app.company):
		assert general_ledger.make_acc_dimensions_offsetting_entry is not original
	assert general_ledger.make_acc_dimensions_offsetting_entry is original
	monkeypatch.setattr(io, "offsetting_dimensions", lambda company: True)
	with io.reads_once(app.company):
		assert general_ledger.make_acc_dimensions_offsetting_entry is original

	calls = []

	def refuses(gl_map):
		calls.append(gl_map)
		raise frappe.ValidationError("closed")

	monkeypatch.setattr(general_ledger, "validate_accounting_period", refuses)
	row = frappe._dict(company=app.company, posting_date="2026-02-01", voucher_type="Stock Entry")
	with io.reads_once(app.company):
		for _n in range(2):
			with pytest.raises(frappe.ValidationError):
				general_ledger.validate_accounting_period([row])
	assert len(calls) == 2


def test_what_a_batch_reads_at_once_is_what_erpnext_reads_a_document_at_a_time(pair):
	"""A batch reads in bulk what ERPNext's GL builders read one document at a time: each voucher's
	stock ledger (as the builders of stock documents and of invoices that move stock each ask it),
	the rates of the receipts its invoices bill, which of its receipts and invoices
	have landed costs, which of its items are stock items, a receipt row's stock value, the fields
	read back of a voucher and the company's settings. For every document of the year, each answer
	is ERPNext's own."""
	from erpnext.accounts.doctype.purchase_invoice import purchase_invoice
	from erpnext.stock.doctype.purchase_receipt import purchase_receipt

	app, _own = pair
	services.apply(app.company, CUT, backdated=True)  # rolled back at the end: the batch reads as a repost would
	vouchers = io.vouchers_after(app.company, frappe.utils.getdate(CUT))
	batch = io.RepostBatch(app.company, frappe.utils.getdate(CUT), vouchers)
	kinds = {voucher.voucher_type for voucher in vouchers}
	assert {"Purchase Invoice", "Purchase Receipt", "Stock Entry"} <= kinds, kinds
	details = purchase_invoice.get_purchase_document_details
	costs = {module: getattr(module, "get_item_account_wise_additional_cost", None) for module in (purchase_receipt, purchase_invoice)}
	for key, doc in batch.documents.items():
		if hasattr(doc, "get_stock_ledger_details"):
			assert io._by_detail(batch.stock_ledger.get(key, ())) == doc.get_stock_ledger_details(), key
	queried = set()
	get_value = frappe.db.get_value
	value_difference = purchase_receipt.get_stock_value_difference
	get_all = frappe.get_all
	invoices_moving_stock = 0
	billed = {name: [row.pr_detail for row in doc.items] for (doctype, name), doc in batch.documents.items() if doctype == "Purchase Invoice"}
	accrued = {name: clearing.accruals_for(app.company, rows) for name, rows in billed.items()}
	assert any(accrued.values()) and not all(accrued.values())
	with batch.answered():
		# The accrued receipt rows each invoice bills, as read one invoice at a time: read without a
		# query; locked with one only where there is something to lock.
		for name, rows in billed.items():
			with counting() as asked:
				assert clearing.accruals_for(app.company, rows) == accrued[name], name
			assert not asked, name
			with counting() as asked:
				assert clearing.accruals_for(app.company, rows, for_update=True) == accrued[name], name
			assert bool(asked) == bool(accrued[name]), name
		# The stock items among each document's rows, the fields ERPNext reads back of a voucher and a
		# company's settings: ERPNext's answers, from the batch's reads (a company's, once).
		for (doctype, name), doc in batch.documents.items():
			if hasattr(doc, "get_stock_items"):
				expected = sorted(type(doc).get_stock_items(doc))
				with counting() as asked:
					assert doc.get_stock_items() == expected, name
				assert not asked, name
			for field in io.READ_BACK:
				if doc.meta.has_field(field):
					expected = frappe.db.sql(f"select `{field}` from `tab{doctype}` where name = %s", name)[0][0]
					with counting() as asked:
						assert frappe.db.get_value(doctype, name, field) == expected, (name, field)
					assert not asked, (name, field)
			if doctype == "Purchase Invoice" and doc.update_stock:
				# An invoice's stock ledger as its GL builder asks it: the same rows (which it keys by
				# row and warehouse), without a query.
				ask = dict(fields=list(io.INVOICE_STOCK_LEDGER), filters={"voucher_no": name, "voucher_type": doctype, "is_cancelled": 0})
				expected = get_all("Stock Ledger Entry", **ask)
				with counting() as asked:
					answer = frappe.get_all("Stock Ledger Entry", **ask)
				assert not asked and answer, name
				assert sorted(map(sorted_items, answer)) == sorted(map(sorted_items, expected)), name
				invoices_moving_stock += 1
			if doctype == "Purchase Receipt":
				for row in doc.items:
					for warehouse in {row.warehouse, row.get("rejected_warehouse"), row.get("from_warehouse")} - {None, ""}:
						expected = value_difference(name, row.name, warehouse)
						with counting() as asked:
							assert purchase_receipt.get_stock_value_difference(name, row.name, warehouse) == expected, (name, warehouse)
						assert not asked, (name, warehouse)
		field = "enable_provisional_accounting_for_non_stock_items"
		assert frappe.db.get_value("Company", app.company, field) == get_value("Company", app.company, field)
		with counting() as asked:
			assert frappe.db.get_value("Company", app.company, field) == get_value("Company", app.company, field)
		assert len(asked) == 1  # get_value's own read, not the answer's
		for (doctype, name), doc in batch.documents.items():
			if doctype not in ("Purchase Receipt", "Purchase Invoice"):
				continue
			expected = details(doc)
			with counting() as asked:
				assert purchase_invoice.get_purchase_document_details(doc) == expected, name
			queried.update([name] if asked else [])
			for module, original in costs.items():
				if original is not None:
					expected = original(name)
					with counting() as asked:
						assert getattr(module, "get_item_account_wise_additional_cost")(name) == expected, name
					queried.update([name] if asked else [])
	assert purchase_invoice.get_purchase_document_details is details
	assert purchase_receipt.get_stock_value_difference is value_difference and "get_value" not in vars(frappe.local.db)
	assert frappe.get_all is get_all and invoices_moving_stock
	# Answered from the batch's reads, but for documents with landed costs (ERPNext reads those itself).
	landed = set(frappe.get_all("Landed Cost Purchase Receipt", filters={"docstatus": 1}, pluck="receipt_document"))
	assert queried <= landed, queried - landed
	frappe.db.rollback()


def sorted_items(row) -> tuple:
	return tuple(sorted((key, str(value)) for key, value in row.items()))


@contextmanager
def counting():
	"""The statements the block sends to the database, in a list."""
	sql = frappe.db.sql
	asked = []

	def noted(*args, **kwargs):
		asked.append(args[0])
		return sql(*args, **kwargs)

	frappe.db.sql = noted
	try:
		yield asked
	finally:
		del frappe.db.sql
