frappe.query_reports["Perpetual Switch Accruals"] = {
	filters: [
		{
			fieldname: "switch",
			label: __("Switch to Perpetual Inventory"),
			fieldtype: "Link",
			options: "Switch to Perpetual Inventory",
			reqd: 1,
		},
	],
};
