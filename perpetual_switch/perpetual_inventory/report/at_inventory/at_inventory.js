// The AT's annual inventory file: the server lists the lines and the checks; the buttons download the
// file it makes (refused, with every failing check, while any fails).
frappe.query_reports["AT Inventory"] = {
	filters: [
		{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1, default: frappe.defaults.get_user_default("Company") },
		{ fieldname: "year", label: __("Tax Year"), fieldtype: "Int", reqd: 1, default: new Date().getFullYear() - 1 },
		{ fieldname: "version", label: __("File Version"), fieldtype: "Select", options: ["", "1_02", "2_01"], description: __("Empty: 2_01 (with values) when perpetual inventory is mandatory, else 1_02") },
	],
	onload(report) {
		const download = (file_format) => {
			const filters = report.get_values();
			if (!filters) return;
			const args = { company: filters.company, year: filters.year, version: filters.version || "" };
			// The checks first: a file that would be refused is not opened as a download.
			frappe.call({ method: "perpetual_switch.api.at_inventory", args: Object.assign({ limit: 1 }, args), freeze: true }).then((r) => {
				const blockers = (r.message && r.message.blockers) || [];
				if (blockers.length) {
					frappe.msgprint({
						title: __("The inventory file cannot be made"),
						message: `<ul>${blockers.map((b) => `<li>${frappe.utils.escape_html(b.message)}</li>`).join("")}</ul>`,
						indicator: "red",
					});
					return;
				}
				open_url_post("/api/method/perpetual_switch.api.download_at_inventory", {
				company: filters.company,
				year: filters.year,
				version: filters.version || "",
				file_format,
				});
			});
		};
		report.page.add_inner_button(__("Download XML"), () => download("xml"));
		report.page.add_inner_button(__("Download CSV"), () => download("csv"));
	},
};
