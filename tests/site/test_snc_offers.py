"""S2 on a real site: every offer case posts the listed GL through real Sales Invoices."""

import uuid

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch.services import snc  # noqa: E402

from .snc_world import build_snc, invoice, net_gl, receipt, run_pending_reposts, set_perpetual  # noqa: E402

pytestmark = pytest.mark.usefixtures("site")


@pytest.fixture(scope="module")
def w(site):
	tag = uuid.uuid4().hex[:4].upper()
	return build_snc(f"PS Portugal {tag}", f"PT{tag}")


def expected(w, **amounts):
	return {w.accounts[number]: value for number, value in amounts.items()}


def cancel(doc):
	doc.reload()
	doc.cancel()
	run_pending_reposts()
	assert net_gl(doc.name) == {}
	assert frappe.get_all("SNC Offer Log", filters={"sales_invoice": doc.name, "status": "Active"}) == []


def test_cases_1_and_2_perpetual(w):
	si1 = invoice(w, "2026-02-01", [("SNC-A", 2, 0)])
	assert si1.items[0].expense_account == w.accounts["3823"]
	assert net_gl(si1.name) == expected(w, **{"3213": -60.0, "6884": 60.0})
	gl = frappe.get_all(
		"GL Entry", filters={"voucher_no": si1.name, "is_cancelled": 0, "account": w.accounts["3823"]}, fields=["debit", "credit"]
	)
	assert sorted((float(g.debit), float(g.credit)) for g in gl) == [(0.0, 60.0), (60.0, 0.0)]

	si2 = invoice(w, "2026-02-01", [("SNC-P", 1, 0)])
	assert net_gl(si2.name) == expected(w, **{"3213": -80.0, "6884": 80.0, "6312": 18.40, "243323": -18.40})

	# Case 6: cancel reverses every line and frees the offers' share.
	cancel(si1)
	cancel(si2)
	frappe.db.commit()


@pytest.fixture
def site_country(site):
	"""Set the site's default country for one test (the setup wizard's choice), then restore it."""
	before = frappe.db.get_single_value("System Settings", "country")

	def set_country(country):
		frappe.db.set_single_value("System Settings", "country", country)
		frappe.clear_cache()
		frappe.local.flags.company = None

	yield set_country
	set_country(before)
	frappe.db.commit()


@pytest.mark.parametrize("country", ["Spain", "United States"])
def test_offers_follow_the_company_not_the_sites_country(w, site_country, country):
	"""A group with companies in Portugal and elsewhere on one site: the offer is posted in full."""
	site_country(country)
	from erpnext import get_region

	assert get_region() == country
	si = invoice(w, "2026-02-03", [("SNC-P", 1, 0)])
	assert net_gl(si.name) == expected(w, **{"3213": -80.0, "6884": 80.0, "6312": 18.40, "243323": -18.40})
	cancel(si)


def test_cases_3_and_4_periodic(w):
	set_perpetual(w.company, False)
	try:
		si3 = invoice(w, "2026-02-02", [("SNC-A", 2, 0)])
		assert net_gl(si3.name) == expected(w, **{"3823": -60.0, "6884": 60.0})
		si4 = invoice(w, "2026-02-02", [("SNC-P", 1, 0)])
		assert net_gl(si4.name) == expected(w, **{"3823": -80.0, "6884": 80.0, "6312": 18.40, "243323": -18.40})
		cancel(si3)
		cancel(si4)
	finally:
		set_perpetual(w.company, True)
		frappe.db.commit()


def test_case_5_yearly_cap_running_total_and_case_6_repost(w):
	first = invoice(w, "2026-03-01", [("SNC-A", 16, 0)])  # 480.00, exempt
	assert w.accounts["6312"] not in net_gl(first.name)
	second = invoice(w, "2026-03-02", [("SNC-A", 2, 0)])  # 60.00, 40.00 above the 500.00 cap
	assert net_gl(second.name) == expected(w, **{"3213": -60.0, "6884": 60.0, "6312": 9.20, "243323": -9.20})
	year = snc.offers_this_year(w.company, 2026)
	assert (float(year["yearly_cap"]), float(year["counted"]), float(year["room_left"])) == (500.0, 540.0, 0.0)
	frappe.db.commit()

	# A backdated receipt revalues the stock: ERPNext reposts the invoice's GL, offers included.
	receipt(w, "2026-02-15", [("SNC-A", 100, 36)])
	run_pending_reposts()
	gl = net_gl(second.name)
	assert gl[w.accounts["6884"]] == -gl[w.accounts["3213"]] != 60.0
	assert w.accounts["3823"] not in gl
	assert gl[w.accounts["6312"]] == 9.20
	frappe.db.commit()

	cancel(first)
	year = snc.offers_this_year(w.company, 2026)
	assert float(year["counted"]) == pytest.approx(float(gl[w.accounts["6884"]]))
	frappe.db.commit()


def test_case_7_paid_rows_post_as_erpnext_posts_them(w):
	si = invoice(w, "2026-04-01", [("SNC-P", 1, 100), ("SNC-P", 1, 0)])
	paid, offer = si.items
	assert paid.expense_account == w.accounts["612"] and offer.expense_account == w.accounts["3823"]
	gl = net_gl(si.name)
	assert gl[w.accounts["612"]] == 80.0
	assert gl[w.accounts["711"]] == -100.0
	assert gl[w.accounts["6884"]] == 80.0 and gl[w.accounts["6312"]] == 18.40
	assert gl[w.accounts["3213"]] == -160.0
	frappe.db.commit()


def test_a_non_portuguese_company_posts_exactly_what_erpnext_posts(w):
	"""A Spanish company's invoice with a free row: same GL as ERPNext computes without the app's seam."""
	from .world import build_s1

	tag = uuid.uuid4().hex[:4].upper()
	es = build_s1(f"PS Spain {tag}", f"PE{tag}", perpetual=True, country="Spain")
	si = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": es.company,
			"currency": "EUR",
			"customer": w.customer,
			"posting_date": "2026-07-01",
			"set_posting_time": 1,
			"due_date": "2026-07-01",
			"update_stock": 1,
			"items": [
				{"item_code": es.items["A"], "qty": 1, "rate": 0, "warehouse": es.wh("N-Stores")},
				{"item_code": es.items["A"], "qty": 1, "rate": 45, "warehouse": es.wh("N-Stores")},
			],
		}
	).insert()
	si.submit()
	assert {row.expense_account for row in si.items} == {es.acc("Cost of Goods Sold")}
	posted = sorted(
		(g.account, float(g.debit), float(g.credit))
		for g in frappe.get_all("GL Entry", filters={"voucher_no": si.name, "is_cancelled": 0}, fields=["account", "debit", "credit"])
	)
	real_get_hooks = frappe.get_hooks

	def without_our_seam(hook=None, *args, **kwargs):
		value = real_get_hooks(hook, *args, **kwargs)
		if hook == "regional_overrides":
			return {}
		return value

	frappe.get_hooks = without_our_seam
	try:
		from erpnext.accounts.general_ledger import merge_similar_entries

		expected_gl = sorted(
			(g.account, float(g.debit), float(g.credit))
			for g in merge_similar_entries(si.get_gl_entries())
			if g.debit or g.credit
		)
	finally:
		frappe.get_hooks = real_get_hooks
	assert posted == expected_gl
	assert not frappe.get_all("SNC Offer Log", filters={"sales_invoice": si.name})
	frappe.db.commit()


def test_item_accounts_override_the_company_settings(w):
	item = frappe.get_doc("Item", "SNC-P")
	coe = frappe.db.get_value("Account", {"company": w.company, "account_number": "6882"})
	row = next((d for d in item.item_defaults if d.company == w.company), None) or item.append("item_defaults", {"company": w.company, "default_warehouse": w.warehouse})
	row.snc_coe_account = coe
	item.save()
	try:
		si = invoice(w, "2026-04-15", [("SNC-P", 1, 0)])
		gl = net_gl(si.name)
		assert gl[coe] == 80.0 and w.accounts["6884"] not in gl
	finally:
		item.reload()
		for d in item.item_defaults:
			if d.company == w.company:
				d.snc_coe_account = None
		item.save()
		frappe.db.commit()


def test_the_switch_warns_about_the_snc_chart(w):
	from perpetual_switch import services

	codes = {x["code"] for x in services.plan_dict(services.plan(w.company, "2026-12-31"))["warnings"]}
	assert "inventory_not_an_asset" in codes


def test_offers_delivered_on_a_delivery_note_take_the_notes_cost(w):
	from erpnext.stock.doctype.delivery_note.delivery_note import make_sales_invoice

	dn = frappe.get_doc(
		{
			"doctype": "Delivery Note",
			"company": w.company,
			"currency": "EUR",
			"customer": w.customer,
			"posting_date": "2026-05-01",
			"set_posting_time": 1,
			"items": [{"item_code": "SNC-P", "qty": 1, "rate": 0, "warehouse": w.warehouse}],
		}
	).insert()
	dn.submit()
	assert dn.items[0].expense_account == w.accounts["3823"]
	assert net_gl(dn.name) == expected(w, **{"3213": -80.0, "3823": 80.0})
	si = make_sales_invoice(dn.name)
	si.posting_date = si.due_date = "2026-05-02"
	si.set_posting_time = 1
	si.insert()
	si.submit()
	assert net_gl(si.name) == expected(w, **{"6884": 80.0, "3823": -80.0, "6312": 18.40, "243323": -18.40})
	frappe.db.commit()


def test_the_mandatory_test_reads_the_two_preceding_years_against_the_limits_of_the_year(w):
	conf = frappe.get_doc("SNC Settings", w.company)
	conf.set("year_figures", [])
	for year in (2024, 2025):
		conf.append("year_figures", {"year": year, "balance_sheet_total": 500000, "net_turnover": 1000000, "average_employees": 12})
	conf.save()
	over = snc.mandatory_for_year(w.company, 2026)
	assert over["mandatory"] is True and over["micro_entity"] is False, over
	assert over["limits"] == {"balance_sheet_total": "450000", "net_turnover": "900000", "average_employees": "10"}
	assert {y["year"] for y in over["years"]} == {2024, 2025} and "2024" in over["reason"] and "2025" in over["reason"]
	# 400,000 € exceeds 2025's 350,000 € limit, not 2026's 450,000 €.
	for row in conf.year_figures:
		row.balance_sheet_total, row.net_turnover, row.average_employees = 400000, 800000, 3
	conf.save()
	assert snc.mandatory_for_year(w.company, 2026)["mandatory"] is False
	assert snc.mandatory_for_year(w.company, 2025)["limits"]["balance_sheet_total"] == "350000"
	# An activity the law exempts, answered in the settings.
	for row in conf.year_figures:
		row.balance_sheet_total, row.net_turnover, row.average_employees = 500000, 1000000, 12
	conf.exempt_fishing = 1
	conf.save()
	exempt = snc.mandatory_for_year(w.company, 2026)
	assert exempt["mandatory"] is False and exempt["exemption"] == "fishing", exempt
	with pytest.raises(frappe.ValidationError, match="20x6"):
		snc.mandatory_for_year(w.company, "20x6")
	frappe.db.rollback()


def test_negative_stock_is_refused_while_a_company_keeps_perpetual_inventory_under_snc(w):
	settings = frappe.get_doc("Stock Settings")
	settings.allow_negative_stock = 1
	with pytest.raises(frappe.ValidationError, match=w.company):
		settings.save()
	frappe.db.rollback()


def _discounted_invoice(w, date):
	"""A purchase invoice that put 10 x 50.00 into stock, with 2 % off when paid within 10 days."""
	from .world import ensure_supplier

	if not frappe.db.exists("Payment Term", "PS 2% 10 days"):
		frappe.get_doc(
			{
				"doctype": "Payment Term",
				"payment_term_name": "PS 2% 10 days",
				"invoice_portion": 100,
				"due_date_based_on": "Day(s) after invoice date",
				"credit_days": 30,
				"discount_type": "Percentage",
				"discount": 2,
				"discount_validity_based_on": "Day(s) after invoice date",
				"discount_validity": 10,
			}
		).insert()
		frappe.get_doc(
			{"doctype": "Payment Terms Template", "template_name": "PS 2% 10 days", "terms": [{"payment_term": "PS 2% 10 days", "invoice_portion": 100}]}
		).insert()
	pi = frappe.get_doc(
		{
			"doctype": "Purchase Invoice",
			"company": w.company,
			"currency": "EUR",
			"supplier": ensure_supplier(),
			"posting_date": date,
			"set_posting_time": 1,
			"bill_date": date,
			"update_stock": 1,
			"payment_terms_template": "PS 2% 10 days",
			"items": [{"item_code": "SNC-A", "qty": 10, "rate": 50, "warehouse": w.warehouse, "expense_account": w.accounts["3213"]}],
		}
	).insert()
	pi.submit()
	return pi


def _pay(pi, date):
	from erpnext.accounts.doctype.payment_entry.payment_entry import get_payment_entry

	pe = get_payment_entry("Purchase Invoice", pi.name, reference_date=date)
	pe.posting_date = date
	pe.reference_no = pi.name
	pe.reference_date = date
	pe.insert()
	pe.submit()
	return pe


def test_financial_discount_goes_to_inventory_when_the_company_says_so(w):
	discount_account = frappe.db.get_value("Account", {"company": w.company, "account_number": "782"})
	frappe.db.set_value("Company", w.company, "default_discount_account", discount_account)
	frappe.db.set_value("SNC Settings", w.company, "financial_discount_to_inventory", 0)
	frappe.clear_document_cache("SNC Settings", w.company)

	# Option off (the default): the discount stays income, stock keeps the net purchase value.
	pi = _discounted_invoice(w, "2026-06-01")
	stock_in = frappe.db.sql("select sum(stock_value_difference) from `tabStock Ledger Entry` where voucher_no = %s and is_cancelled = 0", pi.name)[0][0]
	assert float(stock_in) == 500.0
	pe = _pay(pi, "2026-06-05")
	assert not pe.snc_discount_landed_cost
	assert net_gl(pe.name)[discount_account] == -10.0

	# Option on: a landed cost voucher of -10.00 lowers the stock value; the discount nets to zero.
	frappe.db.set_value("SNC Settings", w.company, "financial_discount_to_inventory", 1)
	frappe.clear_document_cache("SNC Settings", w.company)
	pi = _discounted_invoice(w, "2026-06-10")
	pe = _pay(pi, "2026-06-12")
	pe.reload()
	assert pe.snc_discount_landed_cost
	# ERPNext reposts the invoice's own GL with the landed cost: stock 490.00, the discount back.
	pi_gl = net_gl(pi.name)
	assert pi_gl[w.accounts["3213"]] == 490.0 and pi_gl[discount_account] == 10.0
	assert net_gl(pe.name)[discount_account] == -10.0
	stock_in = frappe.db.sql("select sum(stock_value_difference) from `tabStock Ledger Entry` where voucher_no = %s and is_cancelled = 0", pi.name)[0][0]
	assert float(stock_in) == 490.0

	pe.cancel()
	assert frappe.db.get_value("Landed Cost Voucher", pe.snc_discount_landed_cost, "docstatus") == 2
	frappe.db.commit()


def test_the_invoices_vat_rate_wins_over_the_region(w):
	si = frappe.get_doc(
		{
			"doctype": "Sales Invoice",
			"company": w.company,
			"currency": "EUR",
			"customer": w.customer,
			"posting_date": "2026-04-20",
			"set_posting_time": 1,
			"due_date": "2026-04-20",
			"update_stock": 1,
			"disable_rounded_total": 1,
			"items": [{"item_code": "SNC-P", "qty": 1, "rate": 0, "warehouse": w.warehouse}],
			"taxes": [
				{
					"charge_type": "On Net Total",
					"account_head": frappe.db.get_value("Account", {"company": w.company, "account_number": "2433"}),
					"description": "IVA Madeira 22%",
					"rate": 22,
				}
			],
		}
	).insert()
	si.submit()
	run_pending_reposts()
	assert net_gl(si.name)[w.accounts["6312"]] == 17.60
	frappe.db.commit()


def previous_app_override(gl_entries, doc):
	return gl_entries + [{"account": "from-the-other-app"}]


def test_another_apps_portugal_override_runs_first(w, monkeypatch):
	from perpetual_switch.snc_portugal import gl

	real_hooks, real_attr = frappe.get_hooks, frappe.get_attr
	other = "other_app.regional.make_regional_gl_entries"

	def hooks(hook=None, *args, **kwargs):
		if hook == "regional_overrides":
			return {"Portugal": {gl.SEAM: [other, gl.OURS]}}
		return real_hooks(hook, *args, **kwargs)

	monkeypatch.setattr(frappe, "get_hooks", hooks)
	monkeypatch.setattr(frappe, "get_attr", lambda path: previous_app_override if path == other else real_attr(path))
	doc = frappe.get_doc({"doctype": "Sales Invoice", "company": w.company, "items": []})
	assert {"account": "from-the-other-app"} in gl.make_regional_gl_entries([], doc)


def test_a_credit_note_reverses_the_offer_it_takes_back(w):
	from erpnext.accounts.doctype.sales_invoice.sales_invoice import make_sales_return

	si = invoice(w, "2026-05-10", [("SNC-P", 2, 0)])
	assert net_gl(si.name) == expected(w, **{"3213": -160.0, "6884": 160.0, "6312": 36.80, "243323": -36.80})
	before = snc.offers_this_year(w.company, 2026)
	credit = make_sales_return(si.name)
	credit.posting_date = credit.due_date = "2026-05-20"
	credit.set_posting_time = 1
	for row in credit.items:
		row.qty = -1
	credit.insert()
	credit.submit()
	assert credit.items[0].expense_account == w.accounts["3823"]
	assert net_gl(credit.name) == expected(w, **{"3213": 80.0, "6884": -80.0, "6312": -18.40, "243323": 18.40})
	after = snc.offers_this_year(w.company, 2026)
	assert float(after["vat"]) == pytest.approx(float(before["vat"]) - 18.40)
	credit.cancel()
	assert net_gl(credit.name) == {}
	assert float(snc.offers_this_year(w.company, 2026)["vat"]) == pytest.approx(float(before["vat"]))
	frappe.db.commit()
