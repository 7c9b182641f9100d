frappe.ui.form.on("SRBNB Clearing", {
	refresh(frm) {
		if (frm.doc.status !== "Applied") return;
		frm.add_custom_button(__("Roll back"), () => {
			frappe.confirm(__("Cancel the clearing's journal entry {0}?", [frm.doc.journal_entry]), () => {
				frappe
					.call({ method: "perpetual_switch.api.srbnb_clearing_rollback", args: { name: frm.doc.name }, freeze: true })
					.then(() => frm.reload_doc());
			});
		});
		frm.add_custom_button(__("SRBNB Reconciliation"), () =>
			frappe.set_route("query-report", "SRBNB Reconciliation", { company: frm.doc.company, as_of: frm.doc.posting_date })
		);
	},
});
