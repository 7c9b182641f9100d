"""People-readable text for the commands: aligned tables, amounts with their currency."""


def table(headers, rows, right=()):
	rows = [["" if c is None else str(c) for c in row] for row in rows]
	widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

	def fmt(cells):
		return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

	return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def issues(data):
	out = []
	for title, key in (("Blockers", "blockers"), ("Warnings", "warnings")):
		if data.get(key):
			out.append(f"{title}:")
			out.extend(f"  - {i['message']}" for i in data[key])
	if not data.get("blockers"):
		out.append("Nothing blocks the switch.")
	return "\n".join(out)


def header(data):
	"""The plan names its operation (engine.operation); this only prints it."""
	return f"{data['company']} as of {data['cutover_date']}: {data['operation']['title']}"


def warehouses(data):
	cur = data.get("currency", "")
	return table(
		["Warehouse", "Group", "Stock account", "From", "Stock value"],
		[
			[
				w["warehouse"],
				"yes" if w["is_group"] else "",
				w["account"] or "(none)",
				_source(w),
				f"{w['stock_value']} {cur}".strip(),
			]
			for w in data["warehouses"]
		],
		right=(4,),
	)


def _source(w):
	if w["source"] == "parent":
		return f"parent {w['source_warehouse']}"
	return {"warehouse": "own", "company_default": "company default"}.get(w["source"], "-")


def check(data):
	return "\n\n".join([header(data), warehouses(data), issues(data)])


def plan(data):
	cur = data["currency"]
	parts = [header(data), warehouses(data)]
	parts.append(
		table(
			["Stock account", "Stock value", "GL balance", "Difference"],
			[[a["account"], f"{a['stock_value']} {cur}", f"{a['gl_balance']} {cur}", f"{a['difference']} {cur}"] for a in data["stock_accounts"]],
			right=(1, 2, 3),
		)
	)
	srbnb = data["srbnb"]
	if not data.get("scheme"):
		parts.append(
			f"Received not billed ({srbnb['account'] or '-'}): unbilled {srbnb['unbilled_value']} {cur}, "
			f"GL {srbnb['gl_balance']} {cur}, difference {srbnb['difference']} {cur}"
		)
		if srbnb["receipts"]:
			parts.append(
				table(
					["Purchase receipt", "Item", "Unbilled qty", "Unbilled value"],
					[[r["purchase_receipt"], r["item_code"], r["unbilled_qty"], f"{r['unbilled_value']} {cur}"] for r in srbnb["receipts"]],
					right=(2, 3),
				)
			)
	for journal in data["journal_entries"]:
		parts.append(
			f"Journal entry {journal['purpose']}:\n"
			+ table(
				["Account", "Debit", "Credit", "Cost center"],
				[[l["account"], f"{l['debit']} {cur}", f"{l['credit']} {cur}", l["cost_center"] or ""] for l in journal["lines"]],
				right=(1, 2),
			)
		)
	if not data["journal_entries"]:
		parts.append("No journal entry needed.")
	if data["company_defaults"]:
		parts.append(
			"Company defaults:\n"
			+ table(["Field", "Current", "Proposed"], [[c["field"], c["current"] if c["current"] is not None else "(empty)", c["proposed"]] for c in data["company_defaults"]])
		)
	if data.get("backdated"):
		parts.append(backdated(data["backdated"], cur))
	if data.get("scheme"):
		parts.append(scheme(data["scheme"], cur))
	parts.append(issues(data))
	return "\n\n".join(parts)


ITEMS_SHOWN = 50


def scheme(s, cur):
	"""A change of inventory account scheme: the moves per account pair, each account before and after,
	and where each item's (or warehouse's) account under the item-wise (or warehouse-wise) scheme comes from."""
	parts = [
		f"Inventory account scheme: {s['current']} -> {s['target']}, {s['cells']} items in warehouses with stock, "
		f"{s['total_moved']} {cur} moved."
	]
	parts.append(
		"Moves:\n"
		+ table(
			["From account", "To account", "Amount", "Items", "Warehouses"],
			[[m["from_account"], m["to_account"], f"{m['amount']} {cur}", m["items"], m["warehouses"]] for m in s["moves"]],
			right=(2, 3, 4),
		)
	)
	parts.append(
		"Stock accounts:\n"
		+ table(
			["Account", "Before", "After", "Change"],
			[[a["account"], f"{a['before']} {cur}", f"{a['after']} {cur}", f"{a['change']} {cur}"] for a in s["accounts"]],
			right=(1, 2, 3),
		)
	)
	items = s["items"][:ITEMS_SHOWN]
	more = len(s["items"]) - len(items)
	parts.append(
		"Item accounts:\n"
		+ table(
			["Item", "Account", "From", "Stock value"],
			[[i["item_code"], i["account"] or "-", f"{i['source'] or '-'} {i['source_name'] or ''}".strip(), f"{i['stock_value']} {cur}"] for i in items],
			right=(3,),
		)
		+ (f"\n(+{more} more items: see --json or --format xlsx)" if more > 0 else "")
	)
	return "\n\n".join(parts)


def backdated(b, cur):
	"""A backdated switch: the documents after the cutover it reposts and what that changes."""
	counts = ", ".join(f"{t['voucher_type']} {t['count']}" for t in b["by_type"]) or "none"
	parts = [f"Backdated: {b['vouchers']} documents after the cutover to repost ({counts})."]
	if not b["previewed"]:
		parts.append("GL change not computed (run plan --backdated without blockers to see it).")
		return "\n".join(parts)
	parts.append(
		"GL change of the reposted documents, per account:\n"
		+ table(
			["Account", "Before", "After", "Change"],
			[[c["account"], f"{c['before']} {cur}", f"{c['after']} {cur}", f"{c['change']} {cur}"] for c in b["account_changes"]],
			right=(1, 2, 3),
		)
	)
	parts.append(
		f"After the repost, as of {b['today']}:\n"
		+ table(
			["Stock account", "Stock value", "GL balance", "Difference"],
			[[a["account"], f"{a['stock_value']} {cur}", f"{a['gl_balance']} {cur}", f"{a['difference']} {cur}"] for a in b["stock_today"]],
			right=(1, 2, 3),
		)
	)
	if b["closing_journal"]:
		parts.append(
			f"Closing journal entry dated {b['today']}:\n"
			+ table(
				["Account", "Debit", "Credit", "Cost center"],
				[[l["account"], f"{l['debit']} {cur}", f"{l['credit']} {cur}", l["cost_center"] or ""] for l in b["closing_journal"]],
				right=(1, 2),
			)
		)
	return "\n\n".join(parts)


def status(data):
	rows = [
		["Company", data["company"]],
		["Perpetual inventory", "on" if data["perpetual_inventory_enabled"] else "off"],
		["Switch", f"{data['switch']} ({data['switch_status']})" if data["switch"] else "-"],
		["Journal entries", ", ".join(data["journal_entries"]) or "-"],
		["Stock accounts in sync", "yes" if data["in_sync"] else "no"],
	]
	text = table(["", ""], rows).split("\n", 2)[2]
	if data.get("stock_accounts"):
		text += "\n\n" + table(
			["Stock account", "Stock value", "GL balance", "Difference"],
			[[a["account"], *(f"{a[k]} {data.get('currency', '')}".strip() for k in ("stock_value", "gl_balance", "difference"))] for a in data["stock_accounts"]],
			right=(1, 2, 3),
		)
	return text


def watch(data):
	if not data["days"]:
		return f"No drift snapshots for {data['company']} yet (the daily job stores one; --now stores today's)."
	rows = [
		[day["date"], a["account"], a["stock_value"], a["gl_balance"], a["difference"]]
		for day in data["days"]
		for a in day["accounts"]
	]
	out = [f"{d['date']}: {d['out_of_sync']} out of sync" for d in data["days"]]
	return table(["Date", "Stock account", "Stock value", "GL balance", "Difference"], rows, right=(2, 3, 4)) + "\n\n" + "\n".join(out)


def srbnb(data, limit: int = 50):
	cur = data["currency"]
	t = data["totals"]
	parts = [
		f"{data['company']}: Stock Received But Not Billed as of {data['as_of']} ({', '.join(data['accounts']) or 'no account'})",
		table(
			["", "Amount"],
			[
				["GL balance", f"{t['gl_balance']} {cur}"],
				["Expected (received, not billed)", f"{t['expected']} {cur}"],
				["Residual", f"{t['residual']} {cur}"],
			]
			+ [[f"  {c['label']}", f"{c['amount']} {cur}"] for c in t["by_cause"]]
			+ ([["  Not attributed to any row or voucher", f"{t['not_attributed']} {cur}"]] if not t["ties"] else []),
			right=(1,),
		),
	]
	if data["rows"]:
		rows = data["rows"][:limit]
		parts.append(
			table(
				["Receipt", "Item", "Held", "Expected", "Residual", "Causes"],
				[
					[
						r["purchase_receipt"], r["item_code"], r["held"], r["expected"], r["residual"],
						"; ".join(f"{r['cause_labels'][c]} {a}" for c, a in r["causes"].items()),
					]
					for r in rows
				],
				right=(2, 3, 4),
			)
			+ (f"\n... and {len(data['rows']) - limit} more rows (--json or --format for all)" if len(data["rows"]) > limit else "")
		)
	if data["voucher_lines"]:
		parts.append(
			table(
				["Voucher type", "Voucher", "Date", "Cause", "Amount"],
				[[v["voucher_type"], v["voucher_no"], v["posting_date"], v["cause_label"], v["amount"]] for v in data["voucher_lines"]],
				right=(4,),
			)
		)
	return "\n\n".join(parts)


def clearing(data):
	cur = data["currency"]
	parts = [
		f"{data['company']}: clearing SRBNB residuals on {data['posting_date']} to {data['expense_account'] or '(no account)'}",
		table(
			["Source type", "Source", "Item", "Cause", "Amount"],
			[[l["source_type"], l["source"], l["item_code"] or "", l["cause_label"], l["amount"]] for l in data["lines"]],
			right=(4,),
		)
		+ f"\nTotal: {data['total']} {cur}",
	]
	if data["journal"]:
		parts.append(
			table(
				["Account", "Debit", "Credit", "Cost center"],
				[[l["account"], l["debit"], l["credit"], l["cost_center"] or ""] for l in data["journal"]["lines"]],
				right=(1, 2),
			)
		)
	if data["blockers"]:
		parts.append("Blockers:\n" + "\n".join(f"  - {b['message']}" for b in data["blockers"]))
	else:
		parts.append("Nothing blocks the clearing.")
	return "\n\n".join(parts)


def at_inventory(data):
	"""The AT inventory's header, totals per category and checks."""
	head = f"{data['company']}: inventory of {data['year']} (as of {data['end_date']}), file {data['version']}, NIF {data['nif'] or '-'}"
	if data["no_stock"]:
		head += "; no stock (NoStock true)"
	totals = table(
		["Category", "Quantity", "Value"],
		[[t["category"] or "-", t["qty"], f"{t['value']} {data['currency']}"] for t in data["totals"]],
	)
	out = [head, f"{data['lines_count']} items with stock", totals]
	if data.get("stock_gl") is not None:
		out.append(f"Stock accounts' balance: {data['stock_gl']} {data['currency']}")
	if data["blockers"]:
		out.append("Checks that fail:\n" + "\n".join(f"- {b['message']}" for b in data["blockers"]))
	else:
		out.append("Every check passes.")
	return "\n\n".join(out)


def mandatory(data):
	"""The mandatory-inventory test: the years read, their figures against the limits, the verdict."""
	names = ("balance_sheet_total", "net_turnover", "average_employees")
	rows = [
		[str(y["year"])]
		+ [(y["figures"][k] if y["figures"][k] is not None else "?") + (" *" if k in y["exceeded"] else "") for k in names]
		for y in data["years"]
	]
	limits = ["limits"] + [data["limits"][k] for k in names]
	verdict = {True: "mandatory", False: "not mandatory", None: "not enough data"}[data["mandatory"]]
	out = [
		f"{data['company']}, {data['year']}: perpetual inventory {verdict}",
		table(["Year", "Balance sheet total", "Net turnover", "Average employees"], rows + [limits]),
		"(* over the limit)",
		data["reason"],
	]
	if data.get("note"):
		out.append(data["note"])
	return "\n\n".join(out)

