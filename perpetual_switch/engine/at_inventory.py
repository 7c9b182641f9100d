"""The annual inventory communication to the Portuguese tax authority (AT): DL 198/2012 art. 3.º-A,
file structure by Portaria 2/2015 as amended by Portaria 126/2019.

Two versions of the file: 1_02 (quantities) and 2_01 (quantities and each line's total value, and
biological assets, category B). Both as XML, or as the `;`-separated CSV the portal also takes.

The XML rules below follow the AT's own schemas as published in the public repository
marcolopes/dma: `org.dma.xml/xsd/Stock_2_01.xsd` (urn:StockFile:PT_2_01) and, for the quantities
file, `org.dma.xml/xsd/Stock_1_01.xsd` with the classes generated from the 1_02 schema in
`org.dma.xml/src/stockFilePT102/` (same structure; categories M, P, A, S, T). The schemas say:
StockFile = StockHeader, Stock*; StockHeader = FileVersion, TaxRegistrationNumber (xs:integer
100000000..999999999), FiscalYear (xs:integer 2000..9999), EndDate (xs:date 2000-01-01..9999-12-31),
NoStock (xs:boolean); Stock = ProductCategory, ProductCode (1-60), ProductDescription (1-200),
ProductNumberCode (1-60), ClosingStockQuantity (xs:decimal >= 0), UnitOfMeasure (1-20) and, in
2_01 only, ClosingStockValue (xs:decimal >= 0). The 1_01 schema also makes ProductCode unique.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Iterable
from xml.sax.saxutils import escape

from .models import Issue, _
from .money import ZERO, money_str, round_money, to_decimal

VERSION_QUANTITIES = "1_02"
VERSION_VALUED = "2_01"
NAMESPACES = {
	VERSION_QUANTITIES: "urn:StockFile:PT_1_02",
	VERSION_VALUED: "urn:StockFile:PT_2_01",
}
CATEGORIES = {
	VERSION_QUANTITIES: ("M", "P", "A", "S", "T"),
	VERSION_VALUED: ("M", "P", "A", "S", "T", "B"),
}
"""M goods, P raw and consumable materials, A finished and intermediate products, S by-products and
waste, T work in progress, B biological assets (2_01 only)."""
CATEGORY_BY_ACCOUNT = {"32": "M", "33": "P", "34": "A", "35": "S", "36": "T", "37": "B"}
"""SNC class 3 accounts and the category of the stock booked to them."""

HEADER_ELEMENTS = ("FileVersion", "TaxRegistrationNumber", "FiscalYear", "EndDate", "NoStock")
LINE_ELEMENTS = (
	"ProductCategory",
	"ProductCode",
	"ProductDescription",
	"ProductNumberCode",
	"ClosingStockQuantity",
	"UnitOfMeasure",
)
VALUE_ELEMENT = "ClosingStockValue"
MAX_LENGTH = {"ProductCode": 60, "ProductDescription": 200, "ProductNumberCode": 60, "UnitOfMeasure": 20}
VALUE_PRECISION = 2
XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class InventoryLine:
	"""One product's closing stock. `value` is the line's total value (not a unit price); only the
	2_01 file carries it. `barcode` becomes ProductNumberCode, the item code when there is none."""

	item_code: str
	description: str
	barcode: str | None
	category: str | None
	qty: Decimal
	uom: str
	value: Decimal = ZERO


@dataclass(frozen=True)
class InventoryFile:
	nif: str
	fiscal_year: int
	end_date: date
	version: str
	lines: tuple[InventoryLine, ...] = ()

	@property
	def no_stock(self) -> bool:
		return not reported_lines(self)


def elements(version: str) -> tuple[str, ...]:
	"""A Stock element's children (and the CSV's columns), in order, for a file version."""
	return LINE_ELEMENTS + ((VALUE_ELEMENT,) if version == VERSION_VALUED else ())


def version_for(mandatory: bool | None, chosen: str | None = None) -> str:
	"""The file version: the user's choice when there is one; else the valued 2_01 for a company that
	must keep perpetual inventory, and 1_02 (quantities) otherwise or when that is not known."""
	if chosen and str(chosen).strip():
		return str(chosen).strip()
	return VERSION_VALUED if mandatory else VERSION_QUANTITIES


def category_from_account(account: str | int | None) -> str | None:
	"""The category proposed for stock booked to an SNC account, read from the leading digits of its
	number or of an ERPNext account name ("32 - Mercadorias - PSD", "3211 - ..."); None outside 32-37."""
	match = re.match(r"\s*(\d{2,})", "" if account is None else str(account))
	return CATEGORY_BY_ACCOUNT.get(match.group(1)[:2]) if match else None


def nif_digits(text: str | int | None) -> str:
	"""A tax ID as the file writes it: spaces, dots and dashes dropped, and a leading PT country prefix."""
	digits = re.sub(r"[\s.\-]", "", "" if text is None else str(text)).upper()
	return digits[2:] if digits.startswith("PT") else digits


def valid_nif(text: str | int | None) -> bool:
	"""A Portuguese NIF: nine digits, the first one 1-3 or 5-9, and a valid mod-11 check digit."""
	digits = nif_digits(text)
	if not re.fullmatch(r"[1235-9]\d{8}", digits):
		return False
	remainder = sum(int(d) * (9 - i) for i, d in enumerate(digits[:8])) % 11
	check = 11 - remainder
	return int(digits[8]) == (0 if check >= 10 else check)


def reported_lines(file: InventoryFile) -> list[InventoryLine]:
	"""The lines the file lists: every one with a quantity (zero-quantity items are left out), in the
	order given (the company's items in the order of their codes)."""
	return [line for line in file.lines if to_decimal(line.qty) != 0]


# ---------------------------------------------------------------------------------------------
# Checks


# Each check lists at most this many items; the rest are counted in one more issue.
ISSUES_PER_CHECK = 100


class Scan:
	"""The checks, counts and totals of a file's lines, taken one line at a time (so that a file of
	any size is checked without holding its lines): `add` each line, then read `issues`, `count`,
	`totals` and `value`.

	The duplicate check remembers every code, unless `codes_at_risk` is given: the caller then vouches
	that no two lines carry the same raw item code (it is the item's primary key), and `codes_at_risk`
	holds at least every raw code that cleaning the text (`_text`) would change. Two lines can then
	only be written with the same code when one of theirs is such a code, and both written codes are
	the cleaned forms of those codes: only those are remembered, so the check holds little whatever
	the number of items."""

	def __init__(self, nif: str, end_date: date, version: str, codes_at_risk: Iterable[str] | None = None):
		self.end_date, self.version = end_date, version
		self.allowed = CATEGORIES.get(version, CATEGORIES[VERSION_VALUED])
		self.seen: set[str] = set()
		self.at_risk = None if codes_at_risk is None else {_text(code) for code in codes_at_risk}
		self.count = 0
		self.value = round_money(ZERO, VALUE_PRECISION)
		self._totals: dict[str, list[Decimal]] = {}  # [qty, value] per category
		self._issues: list[Issue] = _file_issues(nif, version)
		self._per_check: dict[str, int] = {}

	def add(self, line: InventoryLine) -> list[str] | None:
		"""Checks and counts `line`. Returns its fields as the file writes them (`row_fields`), or None
		when the file does not list it (it has no quantity)."""
		qty = to_decimal(line.qty)
		if qty == 0:
			return None
		self.count += 1
		value = round_money(line.value, VALUE_PRECISION)
		self.value += value
		totals = self._totals.get(line.category or "")
		if totals is None:
			totals = self._totals[line.category or ""] = [ZERO, ZERO]
		totals[0] += qty
		totals[1] += value
		row = row_fields(line, self.version, value)
		code = row[1]
		repeated = self._repeated(code)
		if (
			qty > 0
			and (value >= 0 or self.version != VERSION_VALUED)
			and line.category in self.allowed
			and code
			and row[2]
			and row[5]
			and not repeated
			and len(code) <= MAX_LENGTH["ProductCode"]
			and len(row[2]) <= MAX_LENGTH["ProductDescription"]
			and len(row[3]) <= MAX_LENGTH["ProductNumberCode"]
			and len(row[5]) <= MAX_LENGTH["UnitOfMeasure"]
		):
			# Nothing to say of the line (`_line_issues` would find nothing): the common case, made short.
			return row
		for issue in _line_issues(line, row, value, repeated, self, self.allowed):
			seen = self._per_check[issue.code] = self._per_check.get(issue.code, 0) + 1
			if seen <= ISSUES_PER_CHECK:
				self._issues.append(issue)
		return row

	def _repeated(self, code: str) -> bool:
		"""Whether an earlier line was written with `code`; remembers it."""
		if self.at_risk is not None and code not in self.at_risk:
			return False
		if code in self.seen:
			return True
		self.seen.add(code)
		return False

	@property
	def issues(self) -> list[Issue]:
		more = [
			Issue(
				"more_items",
				_("{count} more items fail the same check ({check}) as the {shown} above."),
				code,
				{"count": count - ISSUES_PER_CHECK, "check": code, "shown": ISSUES_PER_CHECK},
			)
			for code, count in self._per_check.items()
			if count > ISSUES_PER_CHECK
		]
		return self._issues + more

	@property
	def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
		"""Quantity and value per category (values as the file writes them); "" for no category."""
		order = {category: n for n, category in enumerate(CATEGORIES[VERSION_VALUED])}
		return {
			category: (qty, value)
			for category, (qty, value) in sorted(self._totals.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
		}


def checks(file: InventoryFile) -> list[Issue]:
	"""Everything that would make the AT refuse the file, all at once (the GL total is checked elsewhere)."""
	scan = Scan(file.nif, file.end_date, file.version)
	for line in file.lines:
		scan.add(line)
	return scan.issues


def _file_issues(nif: str, version: str) -> list[Issue]:
	issues = []
	if version not in NAMESPACES:
		issues.append(
			Issue(
				"unknown_version",
				_("Unknown inventory file version {version}; the AT accepts 1_02 and 2_01."),
				str(version),
				{"version": version},
			)
		)
	if not valid_nif(nif):
		issues.append(
			Issue(
				"invalid_nif",
				_("The tax ID {nif} is not a valid Portuguese NIF (nine digits with a valid check digit)."),
				str(nif),
				{"nif": nif or ""},
			)
		)
	return issues


def _issue(code: str, template: str, line: InventoryLine, **params) -> Issue:
	return Issue(code, template, line.item_code, {"item": line.item_code, **params})


def _too_long(code: str, template: str, line: InventoryLine, element: str, text: str, **params) -> Issue:
	"""A field longer than the AT's schema allows for `element`: its length and the limit named."""
	return _issue(code, template, line, **params, length=len(text), limit=MAX_LENGTH[element])


def _line_issues(line: InventoryLine, row: list[str], value: Decimal, repeated: bool, file, allowed: tuple[str, ...]) -> list[Issue]:
	"""The line's issues; `row` is the line as the file writes it (`row_fields`), whose texts are
	checked, `value` its value to the cent, `repeated` whether an earlier line has its code."""
	issues = []
	code, description, number_code, uom = row[1], row[2], row[3], row[5]
	qty = to_decimal(line.qty)
	if qty < 0:
		issues.append(
			_issue(
				"negative_stock",
				_(
					"Item {item} has a negative stock of {qty} {uom} on {date}; the AT rejects negative quantities, correct the stock first."
				),
				line,
				qty=_quantity(qty),
				uom=uom,
				date=file.end_date.isoformat(),
			)
		)
	if file.version == VERSION_VALUED and value < 0:
		issues.append(
			_issue(
				"negative_value",
				_("Item {item} has a negative stock value of {value}; the AT rejects negative values."),
				line,
				value=money_str(line.value, VALUE_PRECISION),
			)
		)
	if not line.category:
		issues.append(
			_issue(
				"no_category",
				_(
					"Item {item} has no inventory category (M, P, A, S, T or B): its stock account is not in SNC class 32 to 37; set the category."
				),
				line,
			)
		)
	elif line.category == "B" and file.version == VERSION_QUANTITIES:
		issues.append(
			_issue(
				"biological_in_quantities_file",
				_(
					"Item {item} is a biological asset (category B), which file version 1_02 does not allow; use version 2_01."
				),
				line,
			)
		)
	elif line.category not in allowed:
		issues.append(
			_issue(
				"unknown_category",
				_("Item {item} has category {category}, which is not one of {categories}."),
				line,
				category=line.category,
				categories=", ".join(allowed),
			)
		)
	if not code:
		issues.append(_issue("empty_code", _("A line with stock has no item code."), line))
	elif len(code) > MAX_LENGTH["ProductCode"]:
		issues.append(
			_too_long("code_too_long", _("Item code {item} has {length} characters; the AT allows at most {limit}."), line, "ProductCode", code)
		)
	elif repeated:
		issues.append(
			_issue(
				"duplicate_code",
				_("Item {item} is on more than one line; the file lists each product once."),
				line,
			)
		)
	if not description:
		issues.append(_issue("empty_description", _("Item {item} has no description."), line))
	elif len(description) > MAX_LENGTH["ProductDescription"]:
		issues.append(
			_too_long(
				"description_too_long",
				_("The description of item {item} has {length} characters; the AT allows at most {limit}."),
				line,
				"ProductDescription",
				description,
			)
		)
	if len(number_code) > MAX_LENGTH["ProductNumberCode"] and _text(line.barcode):
		issues.append(
			_too_long(
				"number_code_too_long",
				_("The barcode {barcode} of item {item} has {length} characters; the AT allows at most {limit}."),
				line,
				"ProductNumberCode",
				number_code,
				barcode=number_code,
			)
		)
	if not uom:
		issues.append(_issue("empty_uom", _("Item {item} has no unit of measure."), line))
	elif len(uom) > MAX_LENGTH["UnitOfMeasure"]:
		issues.append(
			_too_long(
				"uom_too_long",
				_("The unit of measure {uom} of item {item} has {length} characters; the AT allows at most {limit}."),
				line,
				"UnitOfMeasure",
				uom,
				uom=uom,
			)
		)
	return issues


# ---------------------------------------------------------------------------------------------
# Writing


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
# Text with nothing to clean: no control character, no space but single inner spaces.
_PLAIN = re.compile(r"[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]+(?: [^\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]+)*")


def _text(value) -> str:
	"""Text as both files write it: line breaks, tabs and control characters become one space."""
	text = "" if value is None else str(value)
	if _PLAIN.fullmatch(text):
		return text
	return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _quantity(qty) -> str:
	"""A plain decimal with a point and no exponent, trailing zeros dropped: "12", "12.5"."""
	text = format(to_decimal(qty).normalize(), "f")
	return "0" if text in ("-0", "") else text


def row_fields(line: InventoryLine, version: str, value: Decimal | None = None) -> list[str]:
	"""The line's fields as both files write them, in the order of `elements(version)`: texts cleaned
	(`_text`), the barcode or else the item code as ProductNumberCode, the quantity as a plain
	decimal, the value (2_01 only) to the cent (`value`, when given, is the line's already rounded)."""
	code, description, uom = line.item_code, line.description, line.uom
	# Three texts each with nothing to clean join into one with nothing to clean, and only then (an
	# empty one, or one with an outer space, would leave two spaces or one at an end): one match.
	if not (type(code) is str and type(description) is str and type(uom) is str and _PLAIN.fullmatch(f"{code} {description} {uom}")):
		code, description, uom = _text(code), _text(description), _text(uom)
	row = [
		line.category or "",
		code,
		description,
		(line.barcode and _text(line.barcode)) or code,
		_quantity(line.qty),
		uom,
	]
	if version == VERSION_VALUED:
		row.append(money_str(line.value, VALUE_PRECISION) if value is None else str(value + ZERO))
	return row


def _known(version: str) -> str:
	if version not in NAMESPACES:
		raise ValueError(f"unknown AT inventory file version {version!r}")
	return version


def xml_head(nif: str, fiscal_year: int, end_date: date, version: str, no_stock: bool) -> bytes:
	"""The XML file up to its first Stock element."""
	version = _known(version)
	return (
		"\n".join(
			[
				'<?xml version="1.0" encoding="UTF-8"?>',
				f'<StockFile xmlns="{NAMESPACES[version]}">',
				"\t<StockHeader>",
				f"\t\t<FileVersion>{version}</FileVersion>",
				f"\t\t<TaxRegistrationNumber>{escape(nif_digits(nif))}</TaxRegistrationNumber>",
				f"\t\t<FiscalYear>{int(fiscal_year)}</FiscalYear>",
				f"\t\t<EndDate>{end_date.isoformat()}</EndDate>",
				f"\t\t<NoStock>{'true' if no_stock else 'false'}</NoStock>",
				"\t</StockHeader>",
			]
		)
		+ "\n"
	).encode("utf-8")


def _stock_template(version: str) -> str:
	names = elements(version)
	return "\t<Stock>\n" + "".join(f"\t\t<{name}>{{}}</{name}>\n" for name in names) + "\t</Stock>\n"


_STOCK_TEMPLATES = {version: _stock_template(version) for version in NAMESPACES}


def xml_row(row: list[str], version: str) -> bytes:
	"""One Stock element of the XML file, from the line's `row_fields`."""
	template = _STOCK_TEMPLATES.get(version) or _stock_template(version)
	joined = "".join(row)
	if "&" in joined or "<" in joined or ">" in joined:
		row = [escape(field) for field in row]
	return template.format(*row).encode("utf-8")


def xml_line(line: InventoryLine, version: str) -> bytes:
	"""One Stock element of the XML file."""
	return xml_row(row_fields(line, version), version)


XML_TAIL = b"</StockFile>\n"


def csv_head(version: str) -> bytes:
	"""The CSV file's header line: the element names."""
	return (";".join(elements(_known(version))) + "\r\n").encode("cp1252")


def _csv_field(text: str) -> str:
	"""A cleaned text as a CSV field: no `;` (the separator) and no double quotes, so no field ever needs quoting."""
	return _SPACES.sub(" ", text.replace(";", " ").replace('"', "")).strip() if (";" in text or '"' in text) else text


def csv_row(row: list[str], version: str) -> bytes:
	"""One line of the CSV file from the line's `row_fields`: `;` between fields, decimal comma, CRLF,
	Windows-1252."""
	fields = [row[0], _csv_field(row[1]), _csv_field(row[2]), _csv_field(row[3]), row[4].replace(".", ","), _csv_field(row[5])]
	if version == VERSION_VALUED:
		fields.append(row[6].replace(".", ","))
	return (";".join(fields) + "\r\n").encode("cp1252", errors="at_inventory_cp1252")


def csv_line(line: InventoryLine, version: str) -> bytes:
	"""One line of the CSV file."""
	return csv_row(row_fields(line, version), version)


def to_xml(file: InventoryFile) -> bytes:
	"""The XML file, UTF-8, in the version's namespace."""
	lines = reported_lines(file)
	head = xml_head(file.nif, file.fiscal_year, file.end_date, file.version, not lines)
	return head + b"".join(xml_line(line, file.version) for line in lines) + XML_TAIL


def to_csv(file: InventoryFile) -> bytes:
	"""The CSV file: a header of the element names, `;` between fields, decimal comma, CRLF line ends,
	Windows-1252. It carries no NIF and no dates: the portal asks for them when it is submitted."""
	head = csv_head(file.version)
	return head + b"".join(csv_line(line, file.version) for line in reported_lines(file))


def _cp1252_fallback(error: UnicodeEncodeError):
	"""A character Windows-1252 lacks becomes its base letter when it has one ("ă" → "a"), else "?"."""
	replacement = []
	for char in error.object[error.start : error.end]:
		base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
		try:
			replacement.append(base if len(base) == 1 and base.encode("cp1252") else "?")
		except UnicodeEncodeError:
			replacement.append("?")
	return "".join(replacement), error.end


codecs.register_error("at_inventory_cp1252", _cp1252_fallback)


# ---------------------------------------------------------------------------------------------
# Validating


_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")
_BOOLEAN = ("true", "false", "1", "0")


def validate_xml(data: bytes, version: str) -> list[str]:
	"""What a schema validator would say of an XML file against the AT schema of `version`, with the
	standard library only: each problem as one line naming where it is. Empty when the file is valid.

	Beyond the schemas it also checks that NoStock agrees with the Stock elements present."""
	if version not in NAMESPACES:
		return [f"unknown file version {version!r}"]
	try:
		root = ElementTree.fromstring(data)
	except ElementTree.ParseError as error:
		return [f"not well-formed XML: {error}"]
	ns = NAMESPACES[version]
	errors: list[str] = []
	if root.tag != f"{{{ns}}}StockFile":
		return [f"root element is {root.tag}, expected {{{ns}}}StockFile"]
	_complex(root, "StockFile", errors)
	children = [(_local(child, ns), child) for child in root]
	names = [name for name, _child in children]
	if names.count("StockHeader") != 1:
		errors.append(f"StockFile: {names.count('StockHeader')} StockHeader elements, expected exactly one")
	elif names[0] != "StockHeader":
		errors.append("StockFile: StockHeader must be the first element")
	for name in sorted(set(names) - {"StockHeader", "Stock"}):
		errors.append(f"StockFile: unexpected element {name}")
	stocks = [child for name, child in children if name == "Stock"]
	header = next((child for name, child in children if name == "StockHeader"), None)
	if header is not None:
		values = _sequence(header, "StockHeader", HEADER_ELEMENTS, ns, errors)
		_header_values(values, version, len(stocks), errors)
	codes: dict[str, int] = {}
	for number, stock in enumerate(stocks, 1):
		path = f"Stock[{number}]"
		values = _sequence(stock, path, elements(version), ns, errors)
		_line_values(values, path, version, errors)
		code = values.get("ProductCode")
		if version == VERSION_QUANTITIES and code is not None:
			if code in codes:
				errors.append(f"{path}/ProductCode: {code!r} already on Stock[{codes[code]}]; product codes are unique")
			codes.setdefault(code, number)
	return errors


def _local(element, ns: str) -> str:
	"""The element's name in the file's namespace, or its full {namespace}name when it is not in it."""
	prefix = f"{{{ns}}}"
	return element.tag[len(prefix) :] if element.tag.startswith(prefix) else element.tag


def _complex(element, path: str, errors: list[str]) -> None:
	"""An element of element-only content: no text between its children."""
	if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
		errors.append(f"{path}: text is not allowed between elements")
	_attributes(element, path, errors)


def _attributes(element, path: str, errors: list[str]) -> None:
	"""The schemas declare no attributes; only the xsi: ones every schema allows may appear."""
	for attribute in element.attrib:
		if not attribute.startswith(f"{{{XSI}}}"):
			errors.append(f"{path}: unexpected attribute {attribute}")


def _sequence(element, path: str, expected: tuple[str, ...], ns: str, errors: list[str]) -> dict[str, str]:
	"""Check a sequence of simple elements; return each one's text (the first when repeated)."""
	_complex(element, path, errors)
	names = [_local(child, ns) for child in element]
	values: dict[str, str] = {}
	for name, child in zip(names, element):
		if len(child):
			errors.append(f"{path}/{name}: child elements are not allowed")
		_attributes(child, f"{path}/{name}", errors)
		values.setdefault(name, child.text or "")
	if names == list(expected):
		return values
	for name in expected:
		if name not in names:
			errors.append(f"{path}: missing element {name}")
		elif names.count(name) > 1:
			errors.append(f"{path}: element {name} appears {names.count(name)} times")
	for name in names:
		if name not in expected:
			errors.append(f"{path}: unexpected element {name}")
	present = list(dict.fromkeys(name for name in names if name in expected))
	if present == [name for name in expected if name in present]:
		return values
	errors.append(f"{path}: elements out of order ({', '.join(names)}); expected {', '.join(expected)}")
	return values


def _header_values(values: dict[str, str], version: str, stock_count: int, errors: list[str]) -> None:
	if "FileVersion" in values and values["FileVersion"] != version:
		errors.append(f"StockHeader/FileVersion: {values['FileVersion']!r}, expected {version!r}")
	if "TaxRegistrationNumber" in values:
		_integer(values["TaxRegistrationNumber"], "StockHeader/TaxRegistrationNumber", 100000000, 999999999, errors)
	if "FiscalYear" in values:
		_integer(values["FiscalYear"], "StockHeader/FiscalYear", 2000, 9999, errors)
	if "EndDate" in values:
		_date(values["EndDate"], "StockHeader/EndDate", errors)
	if "NoStock" in values:
		flag = values["NoStock"].strip()
		if flag not in _BOOLEAN:
			errors.append(f"StockHeader/NoStock: {flag!r} is not a boolean (true or false)")
		elif (flag in ("true", "1")) == bool(stock_count):
			errors.append(f"StockHeader/NoStock: {flag} but the file has {stock_count} Stock elements")


def _line_values(values: dict[str, str], path: str, version: str, errors: list[str]) -> None:
	if "ProductCategory" in values and values["ProductCategory"] not in CATEGORIES[version]:
		errors.append(
			f"{path}/ProductCategory: {values['ProductCategory']!r} is not one of {', '.join(CATEGORIES[version])}"
		)
	for name, limit in MAX_LENGTH.items():
		if name in values and not 1 <= len(values[name]) <= limit:
			errors.append(f"{path}/{name}: {len(values[name])} characters, expected 1 to {limit}")
	for name in ("ClosingStockQuantity", VALUE_ELEMENT):
		if name in values:
			_non_negative_decimal(values[name], f"{path}/{name}", errors)


def _integer(text: str, path: str, low: int, high: int, errors: list[str]) -> None:
	value = text.strip()
	if not _INTEGER.fullmatch(value):
		errors.append(f"{path}: {text!r} is not an integer")
	elif not low <= int(value) <= high:
		errors.append(f"{path}: {value} is outside {low} to {high}")


def _date(text: str, path: str, errors: list[str]) -> None:
	match = _DATE.fullmatch(text.strip())
	try:
		day = date(int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None
	except ValueError:
		day = None
	if day is None:
		errors.append(f"{path}: {text!r} is not a date (YYYY-MM-DD)")
	elif day < date(2000, 1, 1):
		errors.append(f"{path}: {day.isoformat()} is before 2000-01-01")


def _non_negative_decimal(text: str, path: str, errors: list[str]) -> None:
	value = text.strip()
	if not _DECIMAL.fullmatch(value):
		errors.append(f"{path}: {text!r} is not a decimal number with a point")
		return
	try:
		negative = Decimal(value) < 0
	except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
		negative = True
	if negative:
		errors.append(f"{path}: {value} is negative")
