"""The plan's one pass over the stock ledger, against a plain GROUP BY warehouse, on a real site:
warehouse names with accents, rows after the cutover, negative running quantities, and the exact
fallback when the checksums cannot say which warehouse is which; the pass read on a connection of
its own alongside the plan's other reads, and not while the transaction holds its own writes."""

import threading
import uuid
from decimal import Decimal

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch.engine.models import SwitchOptions  # noqa: E402
from perpetual_switch.erpnext_io import ledger_pass, reader  # noqa: E402
from perpetual_switch.erpnext_io import side_connection as side  # noqa: E402

from .test_version_features import material_receipt  # noqa: E402
from .world import ensure_fiscal_year, make_company, make_item, make_warehouse, stock_issue  # noqa: E402

CUTOVER = "2026-06-30"


@pytest.fixture(scope="module")
def world(site):
	frappe.set_user("Administrator")
	ensure_fiscal_year(2026)
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"PS Pass {tag}", f"PP{tag}", perpetual=False)
	w.names = [make_warehouse(w, name) for name in ("Armazém Ção", "Almacén Ñandú", "Plain")]
	item = make_item(f"PSP-{tag}")
	material_receipt(w.company, "2026-03-01", [(item, 10, 3.25, w.names[0]), (item, 4, 1.1, w.names[1]), (item, 2, 7, w.names[2])])
	stock_issue(w, "2026-04-01", item, 3, w.names[0])
	material_receipt(w.company, "2026-07-02", [(item, 1, 5, w.names[2])])
	frappe.db.commit()
	return w


def expected(company):
	rows = frappe.db.sql(
		"""select warehouse, sum(stock_value_difference) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 and posting_date <= %s group by warehouse""",
		(company, CUTOVER),
	)
	return {w: Decimal(str(v)) for w, v in rows}


def test_the_pass_matches_a_plain_group_by_with_accented_names(world):
	values, after, negative = ledger_pass.stock_ledger_pass(world.company, frappe.utils.getdate(CUTOVER), world.names)
	assert values == expected(world.company)
	assert values[world.names[0]] == Decimal("22.75")
	assert (after, negative) == (1, 0)


def test_unknown_checksums_fall_back_to_exact_grouping(world):
	# A warehouse missing from the names given (as if two names shared a checksum): still exact.
	values, after, _ = ledger_pass.stock_ledger_pass(world.company, frappe.utils.getdate(CUTOVER), world.names[:1])
	assert values == expected(world.company) and after == 1


@pytest.mark.parametrize("names", [slice(None), slice(1)], ids=["checksums", "exact fallback"])
def test_with_and_without_the_posting_datetime_index_the_pass_is_the_same(world, names):
	# ERPNext 15 indexes the ledger by posting datetime, 16 does not: each site runs one of the two
	# forms; both must give the same on any site.
	cutover = frappe.utils.getdate(CUTOVER)
	warehouses = world.names[names]
	one_pass = ledger_pass._ledger_pass(frappe.db.sql, False, world.company, cutover, warehouses)
	indexed = ledger_pass._ledger_pass(frappe.db.sql, True, world.company, cutover, warehouses)
	assert one_pass == indexed == (expected(world.company), 1, 0)


def expected_cells(company):
	rows = frappe.db.sql(
		"""select item_code, warehouse, sum(stock_value_difference), sum(actual_qty) from `tabStock Ledger Entry`
		where company = %s and is_cancelled = 0 and posting_date <= %s group by item_code, warehouse""",
		(company, CUTOVER),
	)
	return sorted((i, w, Decimal(str(v)), Decimal(str(q))) for i, w, v, q in rows)


@pytest.mark.parametrize("indexed", [False, True], ids=["one pass", "indexed"])
@pytest.mark.parametrize("collide", [False, True], ids=["checksums", "exact fallback"])
def test_the_pass_per_item_and_warehouse_matches_a_plain_group_by(world, monkeypatch, indexed, collide):
	"""What a change of scheme reads: the same pass per item and warehouse, keyed by both names'
	checksums; when two pairs share a key it reads again by the names, with the same result."""
	if collide:
		monkeypatch.setattr(ledger_pass, "_cell_key", lambda item, warehouse: 0)
	cutover = frappe.utils.getdate(CUTOVER)
	bins = [(c.item_code, c.warehouse) for c in ledger_pass.bin_cells(world.names)]
	values, after, negative, cells = ledger_pass._cell_pass(frappe.db.sql, indexed, world.company, cutover, bins)
	assert sorted((c.item_code, c.warehouse, c.stock_value, c.stock_qty) for c in cells) == expected_cells(world.company)
	assert (values, after, negative) == (expected(world.company), 1, 0)


def test_a_change_of_scheme_takes_the_bins_when_they_agree_with_the_ledger_and_the_ledger_when_not(world):
	cutover = frappe.utils.getdate(CUTOVER)
	values = ledger_pass.stock_ledger_pass(world.company, cutover, world.names)[0]
	# A row after the cutover (in world.names[2]): that warehouse's bin is ahead of the ledger as of the cutover.
	plain = [n for n in world.names if n != world.names[2]]
	bins = [c for c in ledger_pass.bin_cells(world.names) if c.warehouse in plain]
	taken = ledger_pass.scheme_cells(world.company, cutover, bins, {n: values[n] for n in plain})
	assert taken == tuple(bins)
	cells = ledger_pass.scheme_cells(world.company, cutover, ledger_pass.bin_cells(world.names), values)
	assert sorted((c.item_code, c.warehouse, c.stock_value, c.stock_qty) for c in cells) == expected_cells(world.company)
	# A bin out of step with the ledger: the ledger wins, to the cent.
	try:
		frappe.db.sql("update `tabBin` set stock_value = stock_value + 1 where warehouse = %s", world.names[0])
		cells = ledger_pass.scheme_cells(world.company, cutover, ledger_pass.bin_cells(plain), {n: values[n] for n in plain})
		assert sorted((c.item_code, c.warehouse, c.stock_value, c.stock_qty) for c in cells) == expected_cells(world.company)
	finally:
		frappe.db.rollback()


@pytest.fixture
def side_connection(monkeypatch):
	"""Every ledger counts as large; records the threads that read on a side connection."""
	monkeypatch.setattr(ledger_pass, "SIDE_CONNECTION_ROWS", 0)
	threads = []
	run = side.sql_on

	def spy(*args):
		threads.append(threading.current_thread().name)
		return run(*args)

	monkeypatch.setattr(side, "sql_on", spy)
	return threads


def test_the_pass_alongside_reads_on_its_own_connection_and_gives_the_same(world, side_connection):
	cutover = frappe.utils.getdate(CUTOVER)
	with ledger_pass.stock_ledger_pass_alongside(world.company, cutover, world.names) as side_pass:
		here = ledger_pass.stock_ledger_pass(world.company, cutover, world.names)
		alongside = side_pass()
	assert alongside == here and alongside[0] == expected(world.company)
	assert len(side_connection) == 1 and side_connection[0] != threading.current_thread().name


def test_the_whole_plan_reads_the_same_with_the_pass_alongside(world, side_connection, monkeypatch):
	cutover = frappe.utils.getdate(CUTOVER)
	alongside = reader.read_inputs(SwitchOptions(world.company, cutover))
	assert side_connection
	monkeypatch.setattr(ledger_pass, "SIDE_CONNECTION_ROWS", 10**12)
	here = reader.read_inputs(SwitchOptions(world.company, cutover))
	assert len(side_connection) == 1
	assert alongside == here


def test_a_transaction_with_its_own_writes_reads_the_pass_itself(world, side_connection):
	cutover = frappe.utils.getdate(CUTOVER)
	before = ledger_pass.stock_ledger_pass(world.company, cutover, world.names)[0]
	item = make_item(f"PSP-W{uuid.uuid4().hex[:4].upper()}")
	material_receipt(world.company, "2026-05-01", [(item, 2, 10, world.names[2])])
	try:
		assert frappe.db.transaction_writes
		with ledger_pass.stock_ledger_pass_alongside(world.company, cutover, world.names) as side_pass:
			values = side_pass()[0]
		# The receipt not yet committed counts: the pass ran on this transaction's connection.
		assert values[world.names[2]] == before[world.names[2]] + Decimal("20")
		assert side_connection == []
	finally:
		frappe.db.rollback()
