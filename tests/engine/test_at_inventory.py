"""The AT inventory communication file: both XML versions and the CSV, line by line, the checks and
the schema validator that every generated file passes."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perpetual_switch.engine.at_inventory import (
	InventoryFile,
	ISSUES_PER_CHECK,
	XML_TAIL,
	InventoryLine,
	Scan,
	csv_head,
	csv_line,
	category_from_account,
	checks,
	reported_lines,
	to_csv,
	to_xml,
	valid_nif,
	validate_xml,
	version_for,
	xml_head,
	xml_line,
)

NIF = "501964843"
END = date(2024, 12, 31)


def line(code="A-1", description="Parafuso M8", barcode=None, category="M", qty="10", uom="Unit", value="12.50"):
	return InventoryLine(code, description, barcode, category, D(qty), uom, D(value))


def inventory(*lines, version="2_01", nif=NIF):
	return InventoryFile(nif, 2024, END, version, tuple(lines))


# In the order of their codes, as the company's items come.
LINES = (
	line("A-9", "Mesa & cadeira <pinho>", "", "A", "3.25", "Unit", "1000.005"),
	line("M-0", "Sem stock", None, "M", "0", "Unit", "0"),
	line("M-1", 'Parafuso 1/2" inox; caixa\r\nde 100', None, "M", "12", "Cx", "30"),
	line("P-2", "Farinha T65", "5601234567890", "P", "250.500", "Kg", "187.875"),
)


def scan(lines, version="2_01"):
	result = Scan(NIF, END, version)
	for one in lines:
		result.add(one)
	return result


def codes(issues):
	return [issue.code for issue in issues]


def messages(issues):
	return [issue.message for issue in issues]


# --- proposals and identifiers


def test_category_from_the_snc_account_of_the_stock():
	assert category_from_account("32 - Mercadorias - PSD") == "M"
	assert category_from_account("3211 - Mercadorias em armazém - PSD") == "M"
	assert category_from_account("33 - Matérias-primas - PSD") == "P"
	assert category_from_account("341 - Produtos acabados") == "A"
	assert category_from_account("35 - Subprodutos") == "S"
	assert category_from_account("36 - Produtos e trabalhos em curso") == "T"
	assert category_from_account("371 - Ativos biológicos consumíveis") == "B"
	assert category_from_account(32) == "M"
	for outside in ("31 - Compras", "38 - Reclassificação", "39 - Adiantamentos", "3 - Inventários", "Stock In Hand - PSD", "", None):
		assert category_from_account(outside) is None


def test_nif_check_digit():
	# 5,0,1,9,6,4,8,4 weighted 9..2 sum to 184; 184 % 11 = 8; 11 - 8 = 3.
	assert valid_nif("501964843") and valid_nif("PT 501 964 843") and valid_nif(501964843)
	assert valid_nif("123456789")  # 156 % 11 = 2 -> 9
	assert valid_nif("500000000")  # 45 % 11 = 1 -> 10 -> 0
	assert valid_nif("100000010")  # 11 % 11 = 0 -> 11 -> 0
	assert valid_nif("700123458") and valid_nif("980123453") and valid_nif("290123453")
	assert not valid_nif("501964842")
	assert not valid_nif("400000008")  # right check digit, but 4 is not a first digit accepted
	assert not valid_nif("450123456")
	assert not valid_nif("012345678")
	assert not valid_nif("50196484")
	assert not valid_nif("5019648430")
	assert not valid_nif("50196484X")
	assert not valid_nif(None) and not valid_nif("")


def test_version_the_user_chose_wins_else_valued_when_perpetual_inventory_is_mandatory():
	assert version_for(True, None) == "2_01"
	assert version_for(False, None) == "1_02"
	assert version_for(None, None) == "1_02"
	assert version_for(True, "1_02") == "1_02"
	assert version_for(False, " 2_01 ") == "2_01"


# --- the files


def test_valued_xml_line_by_line():
	data = to_xml(inventory(*LINES))
	assert data.decode("utf-8").split("\n") == [
		'<?xml version="1.0" encoding="UTF-8"?>',
		'<StockFile xmlns="urn:StockFile:PT_2_01">',
		"\t<StockHeader>",
		"\t\t<FileVersion>2_01</FileVersion>",
		"\t\t<TaxRegistrationNumber>501964843</TaxRegistrationNumber>",
		"\t\t<FiscalYear>2024</FiscalYear>",
		"\t\t<EndDate>2024-12-31</EndDate>",
		"\t\t<NoStock>false</NoStock>",
		"\t</StockHeader>",
		"\t<Stock>",
		"\t\t<ProductCategory>A</ProductCategory>",
		"\t\t<ProductCode>A-9</ProductCode>",
		"\t\t<ProductDescription>Mesa &amp; cadeira &lt;pinho&gt;</ProductDescription>",
		"\t\t<ProductNumberCode>A-9</ProductNumberCode>",
		"\t\t<ClosingStockQuantity>3.25</ClosingStockQuantity>",
		"\t\t<UnitOfMeasure>Unit</UnitOfMeasure>",
		"\t\t<ClosingStockValue>1000.01</ClosingStockValue>",
		"\t</Stock>",
		"\t<Stock>",
		"\t\t<ProductCategory>M</ProductCategory>",
		"\t\t<ProductCode>M-1</ProductCode>",
		'\t\t<ProductDescription>Parafuso 1/2" inox; caixa de 100</ProductDescription>',
		"\t\t<ProductNumberCode>M-1</ProductNumberCode>",
		"\t\t<ClosingStockQuantity>12</ClosingStockQuantity>",
		"\t\t<UnitOfMeasure>Cx</UnitOfMeasure>",
		"\t\t<ClosingStockValue>30.00</ClosingStockValue>",
		"\t</Stock>",
		"\t<Stock>",
		"\t\t<ProductCategory>P</ProductCategory>",
		"\t\t<ProductCode>P-2</ProductCode>",
		"\t\t<ProductDescription>Farinha T65</ProductDescription>",
		"\t\t<ProductNumberCode>5601234567890</ProductNumberCode>",
		"\t\t<ClosingStockQuantity>250.5</ClosingStockQuantity>",
		"\t\t<UnitOfMeasure>Kg</UnitOfMeasure>",
		"\t\t<ClosingStockValue>187.88</ClosingStockValue>",
		"\t</Stock>",
		"</StockFile>",
		"",
	]
	assert validate_xml(data, "2_01") == []


def test_quantities_xml_has_no_values_and_its_own_namespace():
	data = to_xml(inventory(*LINES, version="1_02"))
	text = data.decode("utf-8")
	assert '<StockFile xmlns="urn:StockFile:PT_1_02">' in text
	assert "<FileVersion>1_02</FileVersion>" in text
	assert "ClosingStockValue" not in text
	stock = text.split("<Stock>")[1].split("</Stock>")[0].strip().split("\n")
	assert [row.strip() for row in stock] == [
		"<ProductCategory>A</ProductCategory>",
		"<ProductCode>A-9</ProductCode>",
		"<ProductDescription>Mesa &amp; cadeira &lt;pinho&gt;</ProductDescription>",
		"<ProductNumberCode>A-9</ProductNumberCode>",
		"<ClosingStockQuantity>3.25</ClosingStockQuantity>",
		"<UnitOfMeasure>Unit</UnitOfMeasure>",
	]
	assert text.count("<Stock>") == 3
	assert validate_xml(data, "1_02") == []


def test_quantities_are_plain_decimals_and_values_have_two_decimals():
	data = to_xml(inventory(line(qty="1E+3", value="0.004"), line("B", qty="0.000100", value="1E+2")))
	text = data.decode()
	assert "<ClosingStockQuantity>1000</ClosingStockQuantity>" in text
	assert "<ClosingStockQuantity>0.0001</ClosingStockQuantity>" in text
	assert "<ClosingStockValue>0.00</ClosingStockValue>" in text
	assert "<ClosingStockValue>100.00</ClosingStockValue>" in text
	assert validate_xml(data, "2_01") == []


def test_valued_csv_line_by_line():
	data = to_csv(inventory(LINES[0], line("E-1", "Café crème ★ Ţară", None, "M", "1.5", "Unid.", "2"), *LINES[1:])).decode("cp1252")
	assert data.split("\r\n") == [
		"ProductCategory;ProductCode;ProductDescription;ProductNumberCode;ClosingStockQuantity;UnitOfMeasure;ClosingStockValue",
		"A;A-9;Mesa & cadeira <pinho>;A-9;3,25;Unit;1000,01",
		"M;E-1;Café crème ? Tara;E-1;1,5;Unid.;2,00",
		"M;M-1;Parafuso 1/2 inox caixa de 100;M-1;12;Cx;30,00",
		"P;P-2;Farinha T65;5601234567890;250,5;Kg;187,88",
		"",
	]
	assert "\n" not in data.replace("\r\n", "")


def test_quantities_csv_and_its_encoding():
	data = to_csv(inventory(line("C-1", "Açúcar € 1kg", qty="1000.50", uom="Kg"), version="1_02"))
	assert data == (
		b"ProductCategory;ProductCode;ProductDescription;ProductNumberCode;ClosingStockQuantity;UnitOfMeasure\r\n"
		b"M;C-1;A\xe7\xfacar \x80 1kg;C-1;1000,5;Kg\r\n"
	)
	assert NIF.encode() not in data and b"2024" not in data


def test_no_stock_when_every_line_is_zero():
	file = inventory(line(qty="0"), line("B", qty="0.000"))
	assert reported_lines(file) == [] and file.no_stock
	for version in ("1_02", "2_01"):
		data = to_xml(InventoryFile(NIF, 2024, END, version, file.lines))
		assert b"<NoStock>true</NoStock>" in data and b"<Stock>" not in data
		assert validate_xml(data, version) == []
	assert to_csv(inventory()).decode("cp1252") == (
		"ProductCategory;ProductCode;ProductDescription;ProductNumberCode;ClosingStockQuantity;UnitOfMeasure;ClosingStockValue\r\n"
	)
	assert checks(file) == []


def test_zero_quantity_lines_are_left_out_even_when_they_would_fail_a_check():
	file = inventory(line(), line("Z", "", None, None, "0", "", "5"))
	assert [l.item_code for l in reported_lines(file)] == ["A-1"]
	assert b"<ProductCode>Z</ProductCode>" not in to_xml(file)
	assert checks(file) == []


def test_unknown_version_cannot_be_written():
	with pytest.raises(ValueError):
		to_xml(inventory(line(), version="3_00"))
	with pytest.raises(ValueError):
		to_csv(inventory(line(), version="1_01"))


def test_totals_by_category_are_the_files():
	totals = scan(LINES + (line("X", category=None, qty="2", value="1.115"),)).totals
	assert totals == {
		"P": (D("250.500"), D("187.88")),
		"A": (D("3.25"), D("1000.01")),
		"M": (D("12"), D("30.00")),
		"": (D("2"), D("1.12")),
	} and list(totals) == ["M", "P", "A", ""]


def test_the_file_written_line_by_line_is_the_file():
	"""What the service writes a line at a time (head, lines, tail) is byte for byte to_xml / to_csv."""
	file = inventory(*LINES)
	lines = [one for one in LINES if one.qty]
	xml = xml_head(NIF, 2024, END, "2_01", False) + b"".join(xml_line(one, "2_01") for one in lines) + XML_TAIL
	assert xml == to_xml(file)
	assert csv_head("2_01") + b"".join(csv_line(one, "2_01") for one in lines) == to_csv(file)
	assert xml_head(NIF, 2024, END, "1_02", True) + XML_TAIL == to_xml(inventory(version="1_02"))


def test_a_scan_counts_every_line_and_lists_a_hundred_per_check():
	many = [line(f"N-{n:05}", category=None) for n in range(ISSUES_PER_CHECK + 7)]
	result = scan([*many, line("Z-0", qty="0")])
	assert result.count == ISSUES_PER_CHECK + 7 and result.value == D("12.50") * (ISSUES_PER_CHECK + 7)
	assert codes(result.issues) == ["no_category"] * ISSUES_PER_CHECK + ["more_items"]
	assert result.issues[-1].params == {"count": 7, "check": "no_category", "shown": ISSUES_PER_CHECK}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_clean_text_is_left_as_it_is(text):
	"""The fast path for text with nothing to clean gives what cleaning would."""
	from perpetual_switch.engine.at_inventory import _CONTROL, _SPACES, _text

	assert _text(text) == _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


# --- checks


def test_a_clean_file_has_no_issues():
	assert checks(inventory(*LINES)) == []
	assert checks(inventory(*LINES, version="1_02")) == []


@pytest.mark.parametrize(
	"bad, version, code, message",
	[
		(line(qty="-3", uom="Kg"), "2_01", "negative_stock", "Item A-1 has a negative stock of -3 Kg on 2024-12-31; the AT rejects negative quantities, correct the stock first."),
		(line(value="-0.50"), "2_01", "negative_value", "Item A-1 has a negative stock value of -0.50; the AT rejects negative values."),
		(line(category=None), "2_01", "no_category", "Item A-1 has no inventory category (M, P, A, S, T or B): its stock account is not in SNC class 32 to 37; set the category."),
		(line(category="B"), "1_02", "biological_in_quantities_file", "Item A-1 is a biological asset (category B), which file version 1_02 does not allow; use version 2_01."),
		(line(category="X"), "1_02", "unknown_category", "Item A-1 has category X, which is not one of M, P, A, S, T."),
		(line("C" * 61), "2_01", "code_too_long", f"Item code {'C' * 61} has 61 characters; the AT allows at most 60."),
		(line(description="D" * 201), "2_01", "description_too_long", "The description of item A-1 has 201 characters; the AT allows at most 200."),
		(line(barcode="9" * 61), "2_01", "number_code_too_long", f"The barcode {'9' * 61} of item A-1 has 61 characters; the AT allows at most 60."),
		(line(uom="U" * 21), "2_01", "uom_too_long", f"The unit of measure {'U' * 21} of item A-1 has 21 characters; the AT allows at most 20."),
		(line(description=" \n "), "2_01", "empty_description", "Item A-1 has no description."),
		(line(uom=""), "2_01", "empty_uom", "Item A-1 has no unit of measure."),
		(line(""), "2_01", "empty_code", "A line with stock has no item code."),
	],
)
def test_each_check_names_the_item(bad, version, code, message):
	issues = checks(inventory(bad, version=version))
	assert codes(issues) == [code]
	assert issues[0].message == message
	assert issues[0].subject == bad.item_code


def test_negative_value_does_not_matter_in_the_quantities_file():
	assert checks(inventory(line(value="-1"), version="1_02")) == []


def test_a_product_listed_twice():
	issues = checks(inventory(line("A-1", category="M"), line("A-1", category="P")))
	assert codes(issues) == ["duplicate_code"]
	assert messages(issues) == ["Item A-1 is on more than one line; the file lists each product once."]


def test_codes_at_risk_are_the_only_ones_remembered_and_repeats_among_them_are_found():
	"""With unique raw codes, only codes that cleaning changes can be written twice: "A\tB" and
	"A  B" both become "A B", as does a plain "A B" listed before them. Plain codes are not kept."""
	lines = [line("A B"), line("A-1"), line("A\tB"), line("B-2"), line("A  B")]
	scan = Scan("501964843", END, "2_01", codes_at_risk=["A\tB", "A  B"])
	for each in lines:
		scan.add(each)
	assert codes(scan.issues) == ["duplicate_code", "duplicate_code"]
	assert [issue.subject for issue in scan.issues] == ["A\tB", "A  B"]
	assert scan.seen == {"A B"}
	# The same verdicts as remembering every code.
	every = Scan("501964843", END, "2_01")
	for each in lines:
		every.add(each)
	assert [(i.code, i.subject) for i in every.issues] == [(i.code, i.subject) for i in scan.issues]
	assert every.seen == {"A B", "A-1", "B-2"}


def test_file_level_checks():
	issues = checks(InventoryFile("501964842", 2024, END, "1_01", (line(),)))
	assert codes(issues) == ["unknown_version", "invalid_nif"]
	assert messages(issues) == [
		"Unknown inventory file version 1_01; the AT accepts 1_02 and 2_01.",
		"The tax ID 501964842 is not a valid Portuguese NIF (nine digits with a valid check digit).",
	]
	assert issues[1].subject == "501964842"


def test_every_check_returns_at_once():
	issues = checks(inventory(line(qty="-1", category=None, uom=""), line("B", description=""), nif="123"))
	assert codes(issues) == ["invalid_nif", "negative_stock", "no_category", "empty_uom", "empty_description"]


# --- the validator


def valid_xml(version="2_01"):
	return to_xml(inventory(line(), line("B-2", category="P"), version=version)).decode()


def test_validator_rejects_elements_out_of_order():
	text = valid_xml().replace(
		"<ProductCode>A-1</ProductCode>\n\t\t<ProductDescription>Parafuso M8</ProductDescription>",
		"<ProductDescription>Parafuso M8</ProductDescription>\n\t\t<ProductCode>A-1</ProductCode>",
	)
	assert validate_xml(text.encode(), "2_01") == [
		"Stock[1]: elements out of order (ProductCategory, ProductDescription, ProductCode, ProductNumberCode, "
		"ClosingStockQuantity, UnitOfMeasure, ClosingStockValue); expected ProductCategory, ProductCode, "
		"ProductDescription, ProductNumberCode, ClosingStockQuantity, UnitOfMeasure, ClosingStockValue"
	]
	header = valid_xml().replace("<FiscalYear>2024</FiscalYear>\n\t\t<EndDate>2024-12-31</EndDate>", "<EndDate>2024-12-31</EndDate><FiscalYear>2024</FiscalYear>")
	assert [e.split(" (")[0] for e in validate_xml(header.encode(), "2_01")] == ["StockHeader: elements out of order"]


def test_validator_rejects_a_missing_element():
	text = valid_xml().replace("\t\t<UnitOfMeasure>Unit</UnitOfMeasure>\n", "", 1)
	assert validate_xml(text.encode(), "2_01") == ["Stock[1]: missing element UnitOfMeasure"]
	no_value = valid_xml().replace("<ClosingStockValue>12.50</ClosingStockValue>", "", 1)
	assert validate_xml(no_value.encode(), "2_01") == ["Stock[1]: missing element ClosingStockValue"]
	no_header = valid_xml().split("<StockHeader>")[0] + valid_xml().split("</StockHeader>")[1]
	assert validate_xml(no_header.encode(), "2_01") == ["StockFile: 0 StockHeader elements, expected exactly one"]


def test_validator_rejects_too_long_and_empty_text():
	text = valid_xml().replace("<ProductCode>A-1</ProductCode>", f"<ProductCode>{'C' * 61}</ProductCode>")
	assert validate_xml(text.encode(), "2_01") == ["Stock[1]/ProductCode: 61 characters, expected 1 to 60"]
	empty = valid_xml().replace("<UnitOfMeasure>Unit</UnitOfMeasure>", "<UnitOfMeasure/>", 1)
	assert validate_xml(empty.encode(), "2_01") == ["Stock[1]/UnitOfMeasure: 0 characters, expected 1 to 20"]


def test_validator_rejects_biological_assets_and_values_in_the_quantities_file():
	text = valid_xml("1_02").replace("<ProductCategory>P</ProductCategory>", "<ProductCategory>B</ProductCategory>")
	assert validate_xml(text.encode(), "1_02") == ["Stock[2]/ProductCategory: 'B' is not one of M, P, A, S, T"]
	assert validate_xml(text.replace("PT_1_02", "PT_2_01").replace(">1_02<", ">2_01<").encode(), "2_01") == [
		"Stock[1]: missing element ClosingStockValue",
		"Stock[2]: missing element ClosingStockValue",
	]
	valued = valid_xml("2_01").replace("PT_2_01", "PT_1_02").replace(">2_01<", ">1_02<")
	assert validate_xml(valued.encode(), "1_02") == [
		"Stock[1]: unexpected element ClosingStockValue",
		"Stock[2]: unexpected element ClosingStockValue",
	]


def test_validator_checks_the_namespace_and_the_header():
	assert validate_xml(valid_xml("1_02").encode(), "2_01") == [
		"root element is {urn:StockFile:PT_1_02}StockFile, expected {urn:StockFile:PT_2_01}StockFile"
	]
	assert validate_xml(b"<StockFile>", "2_01")[0].startswith("not well-formed XML")
	assert validate_xml(valid_xml().encode(), "9_99") == ["unknown file version '9_99'"]
	header = (
		valid_xml()
		.replace(">2_01</FileVersion>", ">2_1</FileVersion>")
		.replace(">501964843<", ">50196484<")
		.replace(">2024</FiscalYear>", ">1999</FiscalYear>")
		.replace(">2024-12-31<", ">2024-02-30<")
		.replace(">false<", ">no<")
	)
	assert validate_xml(header.encode(), "2_01") == [
		"StockHeader/FileVersion: '2_1', expected '2_01'",
		"StockHeader/TaxRegistrationNumber: 50196484 is outside 100000000 to 999999999",
		"StockHeader/FiscalYear: 1999 is outside 2000 to 9999",
		"StockHeader/EndDate: '2024-02-30' is not a date (YYYY-MM-DD)",
		"StockHeader/NoStock: 'no' is not a boolean (true or false)",
	]
	lying = valid_xml().replace(">false<", ">true<")
	assert validate_xml(lying.encode(), "2_01") == ["StockHeader/NoStock: true but the file has 2 Stock elements"]


def test_validator_checks_decimals_and_unique_codes():
	text = (
		valid_xml()
		.replace("<ClosingStockQuantity>10</ClosingStockQuantity>", "<ClosingStockQuantity>-3</ClosingStockQuantity>", 1)
		.replace("<ClosingStockValue>12.50</ClosingStockValue>", "<ClosingStockValue>1,5</ClosingStockValue>", 1)
		.replace("<ClosingStockQuantity>10</ClosingStockQuantity>", "<ClosingStockQuantity>1E3</ClosingStockQuantity>", 1)
	)
	assert validate_xml(text.encode(), "2_01") == [
		"Stock[1]/ClosingStockQuantity: -3 is negative",
		"Stock[1]/ClosingStockValue: '1,5' is not a decimal number with a point",
		"Stock[2]/ClosingStockQuantity: '1E3' is not a decimal number with a point",
	]
	twice = valid_xml("1_02").replace("<ProductCode>B-2</ProductCode>", "<ProductCode>A-1</ProductCode>")
	assert validate_xml(twice.encode(), "1_02") == [
		"Stock[2]/ProductCode: 'A-1' already on Stock[1]; product codes are unique"
	]


def test_validator_rejects_strangers():
	text = valid_xml().replace("<Stock>", '<Stock kind="x">', 1).replace("</StockHeader>", "</StockHeader>loose<Extra/>")
	assert validate_xml(text.encode(), "2_01") == [
		"StockFile: text is not allowed between elements",
		"StockFile: unexpected element Extra",
		"Stock[1]: unexpected attribute kind",
	]


def test_a_file_with_a_failing_check_fails_the_validator_too():
	file = inventory(line(qty="-2"), line("B", category="B"), version="1_02")
	assert codes(checks(file)) == ["negative_stock", "biological_in_quantities_file"]
	assert validate_xml(to_xml(file), "1_02") == [
		"Stock[1]/ClosingStockQuantity: -2 is negative",
		"Stock[2]/ProductCategory: 'B' is not one of M, P, A, S, T",
	]


# --- every file that passes the checks passes the validator

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
amount = st.decimals(min_value=D("0"), max_value=D("1000000"), places=3, allow_nan=False, allow_infinity=False)
product = st.builds(
	InventoryLine,
	item_code=st.text("ABC-_/&<>;\" 0123456789áé", min_size=1, max_size=12),
	description=text,
	barcode=st.one_of(st.none(), st.text("0123456789", max_size=14)),
	category=st.sampled_from("MPASTB"),
	qty=amount,
	uom=st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8),
	value=amount,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(product, max_size=6, unique_by=lambda l: l.item_code.strip()), st.sampled_from(["1_02", "2_01"]))
def test_files_that_pass_the_checks_pass_the_validator(lines, version):
	file = inventory(*lines, version=version)
	if checks(file):
		return
	data = to_xml(file)
	assert validate_xml(data, version) == []
	csv = to_csv(file).decode("cp1252").split("\r\n")
	assert csv[-1] == "" and len(csv) == len(reported_lines(file)) + 2
	assert all(row.count(";") == len(csv[0].split(";")) - 1 for row in csv[:-1])
	assert all('"' not in row and "\n" not in row for row in csv[1:])
	assert (b"<NoStock>true</NoStock>" in data) == (len(csv) == 2)
