"""What the user reviewed is what is previewed, downloaded and applied, through the wizard's own
endpoints: the options the plan was computed from come back with it and are posted back unchanged
with its fingerprint; edited company defaults and the freeze reach the download and the apply; a plan
that changed since it was reviewed is refused, nothing written; a backdated scheme change is previewed
as a scheme change (ERPNext 16)."""

import csv
import io
import json

import pytest

frappe = pytest.importorskip(
	"frappe", reason="site test: frappe is not importable; run with the bench's Python and --site NAME"
)

from perpetual_switch import api, services  # noqa: E402
from perpetual_switch.erpnext_io import reader  # noqa: E402

from .world import CUTOVER, fresh_s1, journal, make_account  # noqa: E402

SWITCH = "Switch to Perpetual Inventory"


def download(**args) -> str:
	frappe.local.response = frappe._dict()
	api.download_plan(file_format="csv", **args)
	return frappe.local.response["filecontent"].decode("utf-8")


def posted(options: dict, fingerprint: str) -> dict:
	"""The wizard's payload: the plan's options as text, and its fingerprint."""
	args = {}
	for key, value in options.items():
		if value is None:
			continue
		args[key] = int(value) if isinstance(value, bool) else json.dumps(value) if isinstance(value, dict) else value
	args["fingerprint"] = fingerprint
	return args


def test_edited_defaults_and_the_freeze_reach_the_download_and_the_apply(site):
	w = fresh_s1("PS Contract", "PK")
	adjustment = make_account(w, "Switch Adjustment", parent="Stock Expenses", account_type="Stock Adjustment")
	override = {"stock_adjustment_account": adjustment}
	plan = api.get_plan(w.company, CUTOVER, company_defaults=json.dumps(override), freeze_accounts=1)
	assert plan["blockers"] == [], plan["blockers"]
	assert plan["options"]["company_defaults"] == override and plan["options"]["freeze_accounts"] is True
	assert {c["field"]: c["proposed"] for c in plan["company_defaults"]}["stock_adjustment_account"] == adjustment
	args = posted(plan["options"], plan["fingerprint"])

	# The download is the reviewed plan: the default edited, journal entries closed too.
	text = download(**args)
	assert adjustment in text and "Journal Entry" in text
	rows = list(csv.reader(io.StringIO(text)))
	assert any(adjustment in row for row in rows)
	plain = download(company=w.company, cutover_date=CUTOVER)
	assert "Journal Entry" not in plain.split("Journal Entry", 1)[0] or plain != text

	# A plan that changed since it was reviewed is neither downloaded nor applied.
	stock = w.acc("Stock North")
	by_hand = journal(w, "2026-06-15", stock, w.acc("Stock Adjustment"), 1, by_hand=True)
	frappe.db.commit()
	with pytest.raises(frappe.ValidationError, match="no longer the one reviewed"):
		download(**args)
	frappe.db.rollback()
	context = api.apply(**args)
	frappe.db.rollback()
	assert context["job"]["status"] == "Failed" and "no longer the one reviewed" in context["job"]["reason"], context["job"]
	assert not frappe.db.exists(SWITCH, {"company": w.company, "docstatus": 1})
	by_hand.cancel()
	frappe.db.commit()

	# The reviewed plan again: applied as reviewed.
	context = api.apply(**args)
	frappe.db.commit()
	assert context["switch"]["status"] == "Applied", context
	doc = frappe.get_doc(SWITCH, context["switch"]["name"])
	assert frappe.db.get_value("Company", w.company, "stock_adjustment_account") == adjustment
	closed = frappe.db.sql(
		"""select distinct cd.document_type from `tabClosed Document` cd join `tabAccounting Period` ap on ap.name = cd.parent
		where ap.company = %s and cd.closed = 1""",
		w.company,
		pluck=True,
	)
	assert "Journal Entry" in closed and "Purchase Receipt" in closed
	assert doc.freeze_accounts
	services.rollback(w.company)
	frappe.db.commit()


def test_a_backdated_scheme_change_is_previewed_downloaded_and_applied_as_one(site):
	from .test_scheme import delivery, make_world, needs_item_wise

	needs_item_wise()
	w = make_world()
	from .world import receipt

	receipt(w, "2026-07-15", [(w.items["OWN"], 2, 110, w.a)])
	delivery(w, "2026-07-20", w.items["OWN"], 3, w.b)
	frappe.db.commit()
	adjustment = make_account(w, "Scheme Adjustment", parent="Stock Expenses", account_type="Stock Adjustment")
	frappe.db.commit()  # the preview's job ends its own transaction
	override = {"stock_adjustment_account": adjustment}
	plan = api.get_plan(
		w.company, "2026-06-30", scheme="item-wise", backdated=1, freeze_accounts=1, company_defaults=json.dumps(override)
	)
	assert plan["mode"] == "scheme" and plan["blockers"] == [], plan["blockers"]
	assert plan["operation"]["title"] == "Change of inventory account scheme (backdated)"
	assert plan["options"]["company_defaults"] == override
	assert {c["field"]: c["proposed"] for c in plan["company_defaults"]}["stock_adjustment_account"] == adjustment
	args = posted(plan["options"], plan["fingerprint"])
	assert args["scheme"] == "item-wise" and args["backdated"] == 1
	api.enqueue_backdated_preview(**args)  # runs at once in tests
	result = api.backdated_preview_result(w.company)
	assert result["status"] == "Done", result
	preview = result["plan"]
	assert preview["mode"] == "scheme" and preview["backdated"]["previewed"] is True
	assert preview["fingerprint"] == plan["fingerprint"]
	changes = {c["account"]: c["change"] for c in preview["backdated"]["account_changes"]}
	assert w.accounts["Stock Own"] in changes
	text = download(**args)
	assert w.accounts["Stock Own"] in text and "Journal Entry" in text and adjustment in text
	context = api.apply(**args)
	frappe.db.commit()
	assert context["switch"]["status"] in ("Applied", "Reposting"), context
	frappe.db.rollback()
	assert frappe.db.get_value("Company", w.company, reader.ITEM_WISE_FIELD) == 1
	doc = frappe.get_doc(SWITCH, context["switch"]["name"])
	assert doc.mode == "scheme" and doc.backdated and doc.freeze_accounts
	assert frappe.db.get_value("Company", w.company, "stock_adjustment_account") == adjustment
	services.rollback(w.company)
	frappe.db.commit()


def test_an_srbnb_clearing_posts_the_journal_reviewed_or_nothing(site):
	"""The reviewed clearing's journal (the re-valuation's split included) is the posted one; once
	the residuals changed, the reviewed fingerprint is refused and nothing is written."""
	from perpetual_switch.services import srbnb_clearing

	from .test_one_lifecycle import CLEAR_ON, clearing_world, undo_all

	w = clearing_world("PS Contract Clear")
	try:
		reviewed = api.srbnb_clearing_plan(w.company, CLEAR_ON, causes="rate,entry_by_hand")
		assert reviewed["has_work"] and reviewed["to_stock"] == "6.00", reviewed
		expense = frappe.get_cached_value("Company", w.company, "default_expense_account")
		extra = journal(w, "2026-10-09", w.srbnb, expense, 3, by_hand=True)
		frappe.db.commit()
		with pytest.raises(srbnb_clearing.ClearingBlocked, match="no longer the one reviewed"):
			srbnb_clearing.apply(w.company, CLEAR_ON, causes=["rate", "entry_by_hand"], fingerprint=reviewed["fingerprint"])
		frappe.db.rollback()
		assert not frappe.get_all("SRBNB Clearing", filters={"company": w.company})
		extra.cancel()
		frappe.db.commit()
		api.srbnb_clearing_apply(w.company, CLEAR_ON, causes="rate,entry_by_hand", fingerprint=reviewed["fingerprint"])
		frappe.db.commit()
		(name,) = frappe.get_all("SRBNB Clearing", filters={"company": w.company, "status": "Applied"}, pluck="name")
		entry = frappe.db.get_value("SRBNB Clearing", name, "journal_entry")
		gl = {
			r.account: (f"{r.debit:.2f}", f"{r.credit:.2f}")
			for r in frappe.get_all("GL Entry", filters={"voucher_no": entry, "is_cancelled": 0}, fields=["account", "debit", "credit"])
		}
		assert gl == {l["account"]: (l["debit"], l["credit"]) for l in reviewed["journal"]["lines"]}
	finally:
		undo_all(w.company)
