# Stock Received But Not Billed per receipt row and cause, as of a date, tied to the account's GL.
# Receipt rows first, then the vouchers no receipt row accounts for; the summary shows the tie.

from frappe import _

from perpetual_switch.engine.srbnb_reconcile import CAUSE_LABELS, CAUSES
from perpetual_switch.services.guards import mariadb_only
from perpetual_switch.services import srbnb


@mariadb_only
def execute(filters=None):
	filters = filters or {}
	data = srbnb.reconcile(filters.get("company"), filters.get("as_of"), all_rows=bool(filters.get("all_rows")))
	currency = data["currency"]
	money = {"fieldtype": "Currency", "options": "currency", "width": 120}
	columns = [
		# Not a Link: Frappe would then filter the rows by the user's permissions on DocType, which
		# an accountant restricted to a company does not hold (the voucher stays a link).
		{"fieldname": "voucher_type", "label": _("Voucher Type"), "fieldtype": "Data", "width": 140},
		{"fieldname": "voucher_no", "label": _("Voucher"), "fieldtype": "Dynamic Link", "options": "voucher_type", "width": 170},
		{"fieldname": "posting_date", "label": _("Posting Date"), "fieldtype": "Date", "width": 100},
		{"fieldname": "item_code", "label": _("Item"), "fieldtype": "Link", "options": "Item", "width": 140},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Data", "width": 100},
		{"fieldname": "held", "label": _("Held"), **money},
		{"fieldname": "expected", "label": _("Expected"), **money},
		{"fieldname": "residual", "label": _("Residual"), **money},
		*[{"fieldname": cause, "label": _(CAUSE_LABELS[cause]), **money} for cause in CAUSES],
		{"fieldname": "cause", "label": _("Cause"), "fieldtype": "Data", "width": 220},
		{"fieldname": "vouchers", "label": _("Vouchers"), "fieldtype": "Data", "width": 260},
		{"fieldname": "currency", "label": _("Currency"), "fieldtype": "Link", "options": "Currency", "hidden": 1},
	]
	rows = [
		{
			"voucher_type": "Purchase Receipt",
			"voucher_no": r["purchase_receipt"],
			"posting_date": r["posting_date"],
			"item_code": r["item_code"],
			"status": _(r["status"]) if r["status"] else "",
			"held": r["held"],
			"expected": r["expected"],
			"residual": r["residual"],
			**r["causes"],
			"cause": ", ".join(r["cause_labels"].values()),
			"vouchers": ", ".join(v["voucher_no"] for v in r["vouchers"]),
			"currency": currency,
		}
		for r in data["rows"]
	] + [
		{
			"voucher_type": v["voucher_type"],
			"voucher_no": v["voucher_no"],
			"posting_date": v["posting_date"],
			"held": v["amount"],
			"residual": v["amount"],
			"cause": v["cause_label"],
			"currency": currency,
		}
		for v in data["voucher_lines"]
	]
	t = data["totals"]
	summary = [
		{"label": _("GL balance of SRBNB"), "value": t["gl_balance"], "datatype": "Currency", "currency": currency},
		{"label": _("Expected (received, not billed)"), "value": t["expected"], "datatype": "Currency", "currency": currency},
		{
			"label": _("Residual"),
			"value": t["residual"],
			"datatype": "Currency",
			"currency": currency,
			"indicator": "Green" if not float(t["residual"]) else "Red",
		},
	] + [{"label": c["label"], "value": c["amount"], "datatype": "Currency", "currency": currency} for c in t["by_cause"]]
	if not t["ties"]:
		summary.append(
			{"label": _("Not attributed to any row or voucher"), "value": t["not_attributed"], "datatype": "Currency", "currency": currency, "indicator": "Red"}
		)
	return columns, rows, None, None, summary
