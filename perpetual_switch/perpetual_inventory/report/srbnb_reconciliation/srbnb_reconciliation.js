frappe.query_reports["SRBNB Reconciliation"] = {
	filters: [
		{
			fieldname: "company",
			label: __("Company"),
			fieldtype: "Link",
			options: "Company",
			reqd: 1,
			default: frappe.defaults.get_user_default("Company"),
		},
		{
			fieldname: "as_of",
			label: __("As On Date"),
			fieldtype: "Date",
			reqd: 1,
			default: frappe.datetime.get_today(),
		},
		{
			fieldname: "all_rows",
			label: __("Every receipt row with anything on the account"),
			fieldtype: "Check",
		},
	],
	onload(report) {
		report.page.add_inner_button(__("Download spreadsheet"), () => {
			const filters = report.get_values();
			if (!filters) return;
			window.open(
				"/api/method/perpetual_switch.api.download_srbnb?" +
					new URLSearchParams({
						company: filters.company,
						as_of: filters.as_of,
						all_rows: filters.all_rows ? 1 : 0,
						file_format: "xlsx",
					}).toString()
			);
		});
	},
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "residual" && data && flt(data.residual) !== 0) {
			value = `<span style="color: var(--red-600)">${value}</span>`;
		}
		return value;
	},
};
