frappe.listview_settings["Switch to Perpetual Inventory"] = {
	get_indicator(doc) {
		const colors = { Draft: "red", Applied: "green", "Rolled Back": "orange" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
	onload(listview) {
		listview.page.add_inner_button(__("Open the wizard"), () => frappe.set_route("perpetual-switch-wizard"));
	},
};
