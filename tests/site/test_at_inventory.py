"""The AT's annual inventory file from a company built through ERPNext documents: goods bought, raw
materials consumed by a repack into finished products, a Work Order's work in progress in its WIP
warehouse, raw materials sent to a subcontractor's warehouse against a Subcontracting Order, a by-product, a biological asset, a customer-provided item (left out),
an item with no stock at the year's end (left out) and one whose stock went negative (refused). Both
XML versions and the CSV are checked line by line, the XML against the AT schema's structure, and the
totals against the stock accounts."""

import uuid
from decimal import Decimal
from xml.etree import ElementTree

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch.engine.at_inventory import validate_xml  # noqa: E402
from perpetual_switch.services import at_inventory  # noqa: E402

from . import flows  # noqa: E402
from .world import ensure_fiscal_year, ensure_supplier, make_company, make_item, make_warehouse, receipt, stock_issue  # noqa: E402

NIF = "501964843"


def entry(company, purpose, date, rows):
	"""A stock entry of `purpose`; rows: (item, qty, rate or None, source, target)."""
	doc = frappe.get_doc(
		{
			"doctype": "Stock Entry",
			"stock_entry_type": purpose,
			"company": company,
			"posting_date": date,
			"set_posting_time": 1,
			"items": [
				{
					"item_code": item,
					"qty": qty,
					"s_warehouse": source,
					"t_warehouse": target,
					"conversion_factor": 1,
					**({"basic_rate": rate} if rate is not None else {}),
					**({"is_finished_item": 1} if purpose == "Repack" and target and not source else {}),
				}
				for item, qty, rate, source, target in rows
			],
		}
	)
	doc.insert()
	doc.submit()
	return doc


def item(code, category=None, group=None, customer_provided=False, barcode=None, subcontracted=False):
	doc = frappe.get_doc(
		{
			"doctype": "Item",
			"item_code": code,
			"item_name": f"{code}; \"quoted\"\nline",
			"item_group": group or "All Item Groups",
			"stock_uom": "Nos",
			"is_stock_item": 1,
			"valuation_method": "Moving Average",
			"at_product_category": category,
			"is_customer_provided_item": int(customer_provided),
			**({"is_purchase_item": 0} if customer_provided else {}),
			**({"customer": ensure_customer()} if customer_provided else {}),
			**({"barcodes": [{"barcode": barcode}]} if barcode else {}),
			"is_sub_contracted_item": int(subcontracted),
		}
	).insert()
	return doc.name


def ensure_customer(name="PS AT Customer"):
	if not frappe.db.exists("Customer", name):
		frappe.get_doc(
			{"doctype": "Customer", "customer_name": name, "customer_group": "All Customer Groups", "territory": "All Territories"}
		).insert()
	return name


@pytest.fixture(scope="module")
def world(site):
	frappe.set_user("Administrator")
	ensure_fiscal_year(2025)
	ensure_fiscal_year(2026)
	ensure_supplier()
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"PS AT {tag}", f"AT{tag}", perpetual=True)
	frappe.db.set_value("Company", w.company, "tax_id", NIF)
	w.tag = tag
	stores = make_warehouse(w, "Stores")
	wip = make_warehouse(w, "WIP")
	sub = make_warehouse(w, "Subcontractor")
	# Stock on an SNC goods account (32): its category is proposed from the account. (Every warehouse
	# is made before the first document: ERPNext keeps the company's warehouse accounts per request.)
	goods_account = frappe.get_doc(
		{"doctype": "Account", "account_name": "Mercadorias", "account_number": "32", "parent_account": w.acc("Stock Assets"),
		 "company": w.company, "account_type": "Stock"}
	).insert().name
	shop = make_warehouse(w, "Shop", account=goods_account)
	group = frappe.get_doc(
		{"doctype": "Item Group", "item_group_name": f"PS AT Goods {tag}", "parent_item_group": "All Item Groups", "at_product_category": "M"}
	).insert()
	w.items = {
		"goods": item(f"AT-GOODS-{tag}", group=group.name, barcode=f"560{tag}0001"),
		"raw": item(f"AT-RAW-{tag}", category="P"),
		"finished": item(f"AT-FIN-{tag}", category="A"),
		"wip": item(f"AT-WIP-{tag}", category="T"),
		"byproduct": item(f"AT-SUB-{tag}", category="S"),
		"bio": item(f"AT-BIO-{tag}", category="B"),
		"customer": item(f"AT-CUST-{tag}", category="M", customer_provided=True),
		"gone": item(f"AT-GONE-{tag}", category="M"),
		"proposed": item(f"AT-PROP-{tag}"),
		"made": item(f"AT-MADE-{tag}", category="A"),
		"subcontracted": item(f"AT-SUBC-{tag}", category="A", subcontracted=True),
	}
	service = make_item(f"AT-SVC-{tag}", stock=False)
	i = w.items
	receipt(w, "2025-02-01", [(i["goods"], 10, 12.5, stores), (i["raw"], 20, 3, stores), (i["gone"], 4, 7, stores)])
	entry(w.company, "Material Receipt", "2025-02-02", [(i["wip"], 6, 9, None, stores), (i["byproduct"], 5, 1.2, None, stores), (i["bio"], 2, 150, None, stores)])
	entry(w.company, "Material Receipt", "2025-02-02", [(i["customer"], 3, 0.01, None, stores)])
	# Raw materials consumed into finished products; the WIP item moved to the WIP warehouse.
	entry(w.company, "Repack", "2025-03-01", [(i["raw"], 8, None, stores, None), (i["finished"], 4, None, None, stores)])
	entry(w.company, "Material Transfer", "2025-03-02", [(i["wip"], 6, None, stores, wip)])
	# 5 raw materials sent to the subcontractor's warehouse against a Subcontracting Order (not yet
	# received back); a Work Order takes 4 into work in progress and makes 1, 3 still in the WIP warehouse.
	flows.bom(w.company, i["subcontracted"], i["raw"], 3, "EUR")
	po = flows.subcontracted_purchase_order(
		w.company, "Sup One", service, i["subcontracted"], 5, 2, "2025-03-05", stores, sub, "EUR"
	)
	sco = flows.subcontracting_order(po, "2025-03-05", stores)
	flows.send_to_subcontractor(w.company, sco, "2025-03-06")
	bom = flows.bom(w.company, i["made"], i["raw"], 3, "EUR")
	wo = flows.work_order(w.company, i["made"], bom.name, 4, "2025-03-07", stores, wip, stores)
	flows.work_order_entry(wo, "Material Transfer for Manufacture", 4, "2025-03-07")
	flows.work_order_entry(wo, "Manufacture", 1, "2025-03-08")
	stock_issue(w, "2025-03-03", i["gone"], 4, stores)
	stock_issue(w, "2025-03-04", i["goods"], 1, stores)
	receipt(w, "2025-04-01", [(i["proposed"], 3, 5, shop)])
	# After the year's end: more goods, raw materials used (the file is of 31 December 2025).
	receipt(w, "2026-01-05", [(i["goods"], 5, 13, stores)])
	stock_issue(w, "2026-01-06", i["raw"], 2, stores)
	frappe.db.commit()
	w.stores, w.wip, w.sub = stores, wip, sub
	return w


def test_the_valued_file_lists_every_item_with_stock_once_summed_over_the_warehouses(world):
	i = world.items
	result = at_inventory.inventory(world.company, 2025, "2_01")
	assert result.blockers == (), [b.code for b in result.blockers]
	lines = {line.item_code: line for line in result.file.lines if line.qty}
	expected = ("goods", "raw", "finished", "wip", "byproduct", "bio", "proposed", "made")
	assert set(lines) == {i[k] for k in expected}, sorted(lines)
	assert lines[i["proposed"]].category == "M", "proposed from account 32"
	assert lines[i["raw"]].qty == 11, "3 in the stores, 5 at the subcontractor's, 3 in work in progress"
	assert lines[i["raw"]].value == Decimal("33.00")
	assert (lines[i["made"]].qty, lines[i["made"]].value) == (1, Decimal("3.00"))
	assert (lines[i["goods"]].qty, lines[i["goods"]].value, lines[i["goods"]].category) == (9, Decimal("112.50"), "M")
	assert lines[i["goods"]].barcode == f"560{world.tag}0001"
	assert (lines[i["wip"]].category, lines[i["finished"]].category, lines[i["bio"]].category) == ("T", "A", "B")
	assert lines[i["finished"]].value == Decimal("24.00"), "the 8 raw units consumed"
	# The file's total is the stock accounts' balance on the last day of the year.
	assert sum(line.value for line in lines.values()) == result.stock_gl

	xml = at_inventory.file_content(result, "xml")[1]
	assert validate_xml(xml, "2_01") == []
	root = ElementTree.fromstring(xml)
	ns = {"a": "urn:StockFile:PT_2_01"}
	assert root.findtext("a:StockHeader/a:TaxRegistrationNumber", namespaces=ns) == NIF
	assert root.findtext("a:StockHeader/a:EndDate", namespaces=ns) == "2025-12-31"
	assert root.findtext("a:StockHeader/a:NoStock", namespaces=ns) == "false"
	stock = {s.findtext("a:ProductCode", namespaces=ns): s for s in root.findall("a:Stock", ns)}
	assert set(stock) == set(lines)
	raw = stock[i["raw"]]
	assert [child.tag.split("}")[1] for child in raw] == [
		"ProductCategory", "ProductCode", "ProductDescription", "ProductNumberCode", "ClosingStockQuantity", "UnitOfMeasure", "ClosingStockValue",
	]  # fmt: skip
	assert raw.findtext("a:ClosingStockQuantity", namespaces=ns) == "11" and raw.findtext("a:ClosingStockValue", namespaces=ns) == "33.00"
	assert raw.findtext("a:ProductNumberCode", namespaces=ns) == i["raw"], "no barcode: the product code"

	csv = at_inventory.file_content(result, "csv")[1]
	text = csv.decode("cp1252")
	rows = text.split("\r\n")
	assert rows[0] == "ProductCategory;ProductCode;ProductDescription;ProductNumberCode;ClosingStockQuantity;UnitOfMeasure;ClosingStockValue"
	goods = next(r for r in rows if f";{i['goods']};" in r).split(";")
	assert goods[4] == "9" and goods[6] == "112,50" and '"' not in goods[2] and "\n" not in goods[2]


def test_the_file_written_a_chunk_at_a_time_is_the_file(world, monkeypatch):
	"""What the command and the download write (streamed, a few items a chunk, read ahead on a second
	connection) is byte for byte the file made from the inventory's lines; the same when a chunk
	cannot be packed into one text and is read as rows, and when the bins are out of step and the
	ledger is read."""
	import io
	import threading

	from perpetual_switch.erpnext_io import at_inventory as reads
	from perpetual_switch.erpnext_io import side_connection

	frappe.db.commit()
	whole = at_inventory.inventory(world.company, 2025, "2_01")
	monkeypatch.setattr(reads, "CHUNK", 2)
	monkeypatch.setattr(reads, "BIN_CHUNK", 2)
	threads = []
	sql_on = side_connection.sql_on
	monkeypatch.setattr(side_connection, "sql_on", lambda c: threads.append(threading.current_thread().name) or sql_on(c))
	for fmt in ("xml", "csv"):
		out = io.BytesIO()
		name, streamed = at_inventory.write_file(world.company, 2025, "2_01", fmt, out)
		assert name and streamed.lines_count == whole.lines_count and streamed.file.lines == ()
		assert out.getvalue() == at_inventory.file_content(whole, fmt)[1]
	assert "perpetual-switch-at" in threads
	# Every chunk's text taken as not packable: read again as rows, the same file.
	monkeypatch.setattr(reads, "_FIELDS", 9)
	out = io.BytesIO()
	at_inventory.write_file(world.company, 2025, "2_01", "xml", out)
	assert out.getvalue() == at_inventory.file_content(whole, "xml")[1]
	monkeypatch.undo()
	# A bin out of step with the ledger: the stock is read from the ledger, with the same result.
	frappe.db.sql(
		"update `tabBin` set stock_value = stock_value + 1 where item_code = %s and warehouse = %s",
		(world.items["goods"], world.stores),
	)
	try:
		again = at_inventory.inventory(world.company, 2025, "2_01")
		assert again.file.lines == whole.file.lines
		# Written a chunk at a time, the lines read from the bins are dropped and read again.
		out = io.BytesIO()
		at_inventory.write_file(world.company, 2025, "2_01", "xml", out)
		assert out.getvalue() == at_inventory.file_content(whole, "xml")[1]
	finally:
		frappe.db.rollback()


def test_a_refused_file_writes_nothing(world):
	import io

	frappe.db.set_value("Company", world.company, "tax_id", "501964844")
	try:
		out = io.BytesIO()
		name, result = at_inventory.write_file(world.company, 2025, "2_01", "xml", out)
		assert name is None and out.getvalue() == b"" and "invalid_nif" in {b.code for b in result.blockers}
		with pytest.raises(frappe.ValidationError):
			at_inventory.refuse_blocked(result)
	finally:
		frappe.db.rollback()


def test_the_quantities_file_refuses_a_biological_asset_and_lists_quantities_only(world):
	i = world.items
	result = at_inventory.inventory(world.company, 2025, "1_02")
	assert [b.code for b in result.blockers] == ["biological_in_quantities_file"]
	assert result.blockers[0].params["item"] == i["bio"]
	with pytest.raises(frappe.ValidationError):
		at_inventory.file_content(result, "xml")
	frappe.db.set_value("Item", i["bio"], "at_product_category", "M")
	try:
		result = at_inventory.inventory(world.company, 2025, "1_02")
		assert result.blockers == ()
		xml = at_inventory.file_content(result, "xml")[1]
		assert validate_xml(xml, "1_02") == [] and b"ClosingStockValue" not in xml and b"urn:StockFile:PT_1_02" in xml
	finally:
		frappe.db.rollback()


def test_each_check_refuses_with_the_offending_value(world):
	i = world.items
	frappe.db.set_value("Company", world.company, "tax_id", "501964844")
	frappe.db.set_value("Item", i["wip"], "at_product_category", "")
	try:
		result = at_inventory.inventory(world.company, 2025, "2_01")
		codes = {b.code for b in result.blockers}
		assert {"invalid_nif", "no_category"} <= codes, codes
		messages = " ".join(frappe._(b.template).format(**{k: str(v) for k, v in b.params.items()}) for b in result.blockers)
		assert "501964844" in messages and i["wip"] in messages
	finally:
		frappe.db.rollback()
	# A stock account out of step with the file (an entry by hand) is refused, the difference named.
	from .world import journal

	stock = frappe.db.get_value("Warehouse", world.stores, "account") or frappe.db.get_value(
		"Company", world.company, "default_inventory_account"
	)
	adjustment = frappe.db.get_value("Company", world.company, "stock_adjustment_account")
	entry_by_hand = journal(world, "2025-06-30", stock, adjustment, 10, by_hand=True)
	try:
		result = at_inventory.inventory(world.company, 2025, "2_01")
		assert [b.code for b in result.blockers] == ["stock_gl_difference"]
		assert result.blockers[0].params["difference"] == "-10.00"
	finally:
		entry_by_hand.cancel()
		frappe.db.commit()


def test_negative_stock_at_the_year_end_is_refused(world):
	frappe.db.set_single_value("Stock Settings", "allow_negative_stock", 1)
	try:
		issue = stock_issue(world, "2025-12-30", world.items["byproduct"], 7, world.stores)
		result = at_inventory.inventory(world.company, 2025, "2_01")
		assert "negative_stock" in {b.code for b in result.blockers}
		issue.cancel()
	finally:
		frappe.db.rollback()
		frappe.db.set_single_value("Stock Settings", "allow_negative_stock", 0)
		frappe.db.commit()


def test_no_stock_at_all_says_so(site):
	frappe.set_user("Administrator")
	tag = uuid.uuid4().hex[:4].upper()
	w = make_company(f"PS AT Empty {tag}", f"AE{tag}", perpetual=False)
	frappe.db.set_value("Company", w.company, "tax_id", NIF)
	result = at_inventory.inventory(w.company, 2025, "1_02")
	assert result.blockers == () and result.file.no_stock
	xml = at_inventory.file_content(result, "xml")[1]
	assert b"<NoStock>true</NoStock>" in xml and b"<Stock>" not in xml and validate_xml(xml, "1_02") == []
	frappe.db.rollback()


def test_the_command_and_the_download_write_the_checked_file(world, site, tmp_path):
	"""`perpetual-switch at-inventory --out F` (its own process) and the desk's download give the file;
	while a check fails, the command exits as blocked and leaves no file."""
	from perpetual_switch import api
	from perpetual_switch.commands import EXIT_BLOCKED

	from .world import command

	expected = at_inventory.file_content(at_inventory.inventory(world.company, 2025, "2_01"), "csv")[1]
	out = tmp_path / "inventario.csv"
	run = command(site, "at-inventory", "--company", world.company, "--year", "2025", "--version", "2_01", "--format", "csv", "--out", str(out))
	stdout, stderr = run.communicate(timeout=300)
	assert run.returncode == 0, stderr[-2000:]
	assert out.read_bytes() == expected and "Wrote" in stdout
	api.download_at_inventory(world.company, 2025, "csv", "2_01")
	assert frappe.response["filecontent"] == expected and frappe.response["filename"].endswith("-2025-2_01.csv")

	frappe.db.set_value("Company", world.company, "tax_id", "501964844")
	frappe.db.commit()
	try:
		refused = tmp_path / "refused.xml"
		run = command(site, "at-inventory", "--company", world.company, "--year", "2025", "--out", str(refused))
		stdout, stderr = run.communicate(timeout=300)
		assert run.returncode == EXIT_BLOCKED and "501964844" in stdout + stderr
		assert not refused.exists() and not (tmp_path / "refused.xml.partial").exists()
	finally:
		frappe.db.set_value("Company", world.company, "tax_id", NIF)
		frappe.db.commit()


def test_codes_at_risk_hold_every_code_the_file_would_clean(world):
	"""The duplicate check remembers only the codes `codes_at_risk` reads: among them must be every
	item code whose text the file changes; plain codes stay out."""
	from perpetual_switch.engine.at_inventory import _text
	from perpetual_switch.erpnext_io import at_inventory as reads

	tag = uuid.uuid4().hex[:4].upper()
	accented = make_item(f"AT Café {tag}")
	try:
		risky = set(reads.codes_at_risk())
		assert accented in risky and world.items["goods"] not in risky
		changed = [code for code in frappe.get_all("Item", pluck="name") if _text(code) != code]
		assert set(changed) <= risky
	finally:
		frappe.db.rollback()
