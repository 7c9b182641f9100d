"""The plan as the contract's JSON: amounts as strings at the currency precision, messages translated."""

from __future__ import annotations

import hashlib
import json
from typing import Callable

from .models import Issue, Plan, _
from .money import ZERO, money_str
from .defaults import change_kind, change_note
from .operation import journal_title


def issue_to_dict(issue: Issue, translate: Callable[[str], str] = str) -> dict:
	params = {k: str(v) for k, v in issue.params.items()}
	return {"code": issue.code, "message": translate(issue.template).format(**params), "subject": issue.subject}


def plan_to_dict(plan: Plan, translate: Callable[[str], str] = str, receipts_limit: int | None = None) -> dict:
	"""`receipts_limit` keeps the first receipts only (a person does not read 38,000 lines; the
	count and the total stay whole)."""
	p = plan.precision
	receipts = plan.srbnb.receipts if receipts_limit is None else plan.srbnb.receipts[:receipts_limit]

	def money(value):
		return money_str(value, p)

	def issue(i: Issue) -> dict:
		return {**issue_to_dict(i, translate), "step": plan.operation.step_of(i.code, plan.item_wise_inventory)}

	return {
		"company": plan.company,
		"cutover_date": plan.cutover_date.isoformat(),
		"currency": plan.currency,
		"perpetual_inventory_enabled": plan.perpetual_inventory_enabled,
		"mode": plan.mode,
		"operation": plan.operation.describe(translate, item_wise=plan.item_wise_inventory),
		"fingerprint": plan_fingerprint(plan),
		"expense_account": plan.expense_account,
		"cost_center": plan.cost_center,
		"in_sync": plan.in_sync,
		"blockers": [issue(i) for i in plan.blockers],
		"warnings": [issue(i) for i in plan.warnings],
		"warehouses": [
			{
				"warehouse": w.warehouse,
				"is_group": w.is_group,
				"account": w.account,
				"source": w.source,
				"source_warehouse": w.source_warehouse,
				"stock_value": money(w.stock_value),
			}
			for w in plan.warehouses
		],
		"stock_accounts": [
			{
				"account": a.account,
				"stock_value": money(a.stock_value),
				"gl_balance": money(a.gl_balance),
				"difference": money(a.difference),
			}
			for a in plan.stock_accounts
		],
		"srbnb": {
			"account": plan.srbnb.account,
			"unbilled_value": money(plan.srbnb.unbilled_value),
			"gl_balance": money(plan.srbnb.gl_balance),
			"difference": money(plan.srbnb.difference),
			"receipts_count": len(plan.srbnb.receipts),
			"receipts": [
				{
					"purchase_receipt": r.purchase_receipt,
					"item_row": r.item_row,
					"item_code": r.item_code,
					"unbilled_qty": format(r.unbilled_qty.normalize(), "f"),
					"unbilled_value": money(r.unbilled_value),
				}
				for r in receipts
			],
		},
		"journal_entries": [
			{
				"purpose": j.purpose,
				"title": journal_title(j.purpose, translate),
				"total_debit": money(j.total_debit),
				"total_credit": money(j.total_credit),
				"lines": [
					{
						"account": line.account,
						"debit": money(line.debit),
						"credit": money(line.credit),
						"cost_center": line.cost_center,
						**({"remark": line.remark} if line.remark else {}),
					}
					for line in j.lines
				],
			}
			for j in plan.journal_entries
		],
		"has_work": plan.has_work,
		"company_defaults": [
			{
				"field": c.field,
				"current": c.current,
				"proposed": c.proposed,
				"kind": change_kind(c.field),
				**({"note": translate(change_note(c))} if change_note(c) else {}),
			}
			for c in plan.company_defaults
		],
		"item_wise_inventory": plan.item_wise_inventory,
		"items": [
			{
				"item_code": i.item_code,
				"account": i.account,
				"source": i.source,
				"source_name": i.source_name,
				"stock_value": money(i.stock_value),
			}
			for i in plan.items
		],
		"periodic_entries": [
			{"name": d.name, "posting_date": d.posting_date.isoformat() if d.posting_date else None}
			for d in plan.periodic_entries
		],
		"backdated": _backdated(plan, money),
		"scheme": _scheme(plan, money),
		"freeze": {
			"doctypes": list(plan.freeze.doctypes),
			"new_periods": [[s.isoformat(), e.isoformat()] for s, e in plan.freeze.new_periods],
			"extend_periods": [[name, list(doctypes)] for name, doctypes in plan.freeze.extend_periods],
		},
	}


def _account_change(c, money) -> dict:
	return {"account": c.account, "before": money(c.before), "after": money(c.after), "change": money(c.change)}


def _scheme(plan: Plan, money) -> dict | None:
	"""A change of inventory account scheme: what moves between which accounts, and why each item or
	warehouse resolves to its account; None for any other switch."""
	s = plan.scheme
	if s is None:
		return None
	return {
		"current": s.current,
		"target": s.target,
		"cells": s.cells,
		"total_moved": money(s.total_moved),
		"moves": [
			{
				"from_account": m.from_account,
				"to_account": m.to_account,
				"amount": money(m.amount),
				"items": m.items,
				"warehouses": m.warehouses,
			}
			for m in s.moves
		],
		"accounts": [_account_change(a, money) for a in s.accounts],
		"items": [
			{
				"item_code": i.item_code,
				"account": i.account,
				"source": i.source,
				"source_name": i.source_name,
				"stock_value": money(i.stock_value),
			}
			for i in s.items
		],
		"warehouses": [
			{
				"warehouse": w.warehouse,
				"account": w.account,
				"source": w.source,
				"source_warehouse": w.source_warehouse,
				"stock_value": money(w.stock_value),
			}
			for w in s.warehouses
		],
	}


def _backdated(plan: Plan, money) -> dict | None:
	"""What a backdated switch reposts after the cutover; None for an ordinary switch."""
	b = plan.backdated
	if b is None:
		return None
	return {
		"vouchers": b.vouchers,
		"by_type": [{"voucher_type": t, "count": n} for t, n in b.by_type],
		"previewed": b.previewed,
		"account_changes": [_account_change(c, money) for c in b.account_changes],
		"vouchers_changed": [
			{
				"voucher_type": v.voucher_type,
				"voucher_no": v.voucher_no,
				"posting_date": v.posting_date.isoformat() if v.posting_date else None,
				"changes": [{"account": a, "change": money(c)} for a, c in v.changes],
			}
			for v in b.voucher_changes
			if v.changes
		],
		"today": b.today.isoformat() if b.today else None,
		"stock_today": [
			{
				"account": a.account,
				"stock_value": money(a.stock_value),
				"gl_balance": money(a.gl_balance),
				"difference": money(a.difference),
			}
			for a in b.stock_today
		],
		"closing_journal": [
			{"account": line.account, "debit": money(line.debit), "credit": money(line.credit), "cost_center": line.cost_center}
			for line in (b.closing_journal.lines if b.closing_journal else ())
		],
		"manual_journals": [
			{"name": d.name, "posting_date": d.posting_date.isoformat() if d.posting_date else None}
			for d in b.manual_journals
		],
	}


def plan_fingerprint(plan: Plan) -> str:
	"""A short hash of everything apply would post for this plan and of the choices that made it (the
	date, the mode, the accounts, the journals line by line, the company defaults, what is closed, the
	receipt rows accrued, the scheme's moves, the documents a backdated switch reposts). Two plans
	with one fingerprint post the same; a review and an apply whose fingerprints differ did not see
	the same plan. What a backdated preview adds (the GL change of the repost) is not part of it: it
	follows from the rest."""
	srbnb = plan.srbnb
	scheme = plan.scheme
	backdated = plan.backdated
	parts = {
		"company": plan.company,
		"cutover_date": plan.cutover_date.isoformat(),
		"mode": plan.mode,
		"expense_account": plan.expense_account,
		"cost_center": plan.cost_center,
		"blockers": sorted(i.code for i in plan.blockers),
		"journals": [
			[j.purpose, [[l.account, str(l.debit), str(l.credit), l.cost_center] for l in j.lines]] for j in plan.journal_entries
		],
		"company_defaults": [[c.field, c.proposed] for c in plan.company_defaults],
		"freeze": [list(plan.freeze.doctypes), [[str(a), str(b)] for a, b in plan.freeze.new_periods], [[n, list(d)] for n, d in plan.freeze.extend_periods]],
		"accruals": [srbnb.account, len(srbnb.receipts), str(sum((r.unbilled_value for r in srbnb.receipts), ZERO))],
		"scheme": [scheme.current, scheme.target, [[m.from_account, m.to_account, str(m.amount)] for m in scheme.moves]] if scheme else None,
		"backdated": [[v.voucher_type, v.voucher_no] for v in backdated.repost] if backdated else None,
	}
	return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:20]


def plan_changed(reviewed: str | None, plan: Plan) -> Issue | None:
	"""The blocker when the plan is not the one reviewed (`reviewed`: its fingerprint; None: not asked)."""
	now = plan_fingerprint(plan)
	if not reviewed or reviewed == now:
		return None
	return Issue(
		"plan_changed",
		_("The plan is no longer the one reviewed (fingerprint {reviewed}, now {now}): the company's books or the choices changed since. Review the plan again."),
		now,
		{"reviewed": reviewed, "now": now},
	)
