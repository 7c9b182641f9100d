frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["Stock Value Against GL"] = {
	method: "perpetual_switch.perpetual_inventory.dashboard_chart_source.stock_value_against_gl.stock_value_against_gl.get",
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			default: frappe.defaults.get_user_default("Company"),
			reqd: 1,
		},
	],
};
