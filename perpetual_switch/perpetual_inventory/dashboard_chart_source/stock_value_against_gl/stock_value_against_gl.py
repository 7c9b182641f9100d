# Stock value against the stock accounts' GL, per day, from the drift watch's snapshots.

import frappe

from perpetual_switch.services.guards import mariadb_only
from perpetual_switch.services import drift


@frappe.whitelist()
@mariadb_only
def get(
	chart_name: str | None = None,
	chart: str | dict | None = None,
	no_cache: str | int | None = None,
	filters: str | dict | None = None,
	from_date: str | None = None,
	to_date: str | None = None,
	timespan: str | None = None,
	time_interval: str | None = None,
	heatmap_year: str | int | None = None,
) -> dict:
	filters = frappe.parse_json(filters) or {}
	if not filters and chart_name:
		filters = frappe.parse_json(frappe.db.get_value("Dashboard Chart", chart_name, "filters_json")) or {}
	return drift.chart(filters.get("company"), days=90)
