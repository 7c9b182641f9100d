// The desk form: shows the plan the server computed; nothing is calculated here.
frappe.ui.form.on("Switch to Perpetual Inventory", {
	onload(frm) {
		// A new switch is made through the wizard, which walks through every step before applying.
		if (frm.is_new()) {
			frappe.route_options = { company: frm.doc.company };
			frappe.set_route("perpetual-switch-wizard");
		}
	},
	refresh(frm) {
		render_issues(frm);
		if (frm.doc.docstatus === 0 && !frm.is_new()) {
			frm.add_custom_button(__("Re-check"), () => frm.save());
			// Applying runs as a background job; the form shows its state when it ends.
			if (!frm.is_dirty() && frm.perm[0] && frm.perm[0].submit) {
				frm.page.set_primary_action(__("Apply"), () =>
					frappe.confirm(__("Apply switch {0} now? It runs in the background.", [frm.doc.name]), () =>
						frappe
							.call({ method: "perpetual_switch.api.apply_switch", args: { name: frm.doc.name } })
							.then((r) => follow(frm, r.message))
					)
				);
			}
		}
		if (frm.doc.docstatus === 1 && frm.doc.status === "Applied" && frm.perm[0] && frm.perm[0].cancel) {
			frm.add_custom_button(__("Roll back"), () =>
				frappe.confirm(__("Cancel the switch's journal entries and restore every company setting it changed?"), () =>
					frappe
						.call({ method: "perpetual_switch.api.rollback", args: { company: frm.doc.company } })
						.then((r) => follow(frm, r.message))
				)
			);
		}
		if (frm.doc.failure_reason) {
			frm.dashboard.set_headline_alert(
				`<div class="text-danger">${__("The last job failed: {0}", [frappe.utils.escape_html(frm.doc.failure_reason)])}</div>`
			);
		}
		if (frm.doc.company) {
			frm.add_custom_button(__("Open the wizard"), () => {
				frappe.route_options = {
					company: frm.doc.company,
					cutover_date: frm.doc.cutover_date,
					expense_account: frm.doc.expense_account,
					cost_center: frm.doc.cost_center,
					backdated: frm.doc.backdated,
				};
				frappe.set_route("perpetual-switch-wizard");
			});
			if (!frm.is_new() && frm.doc.plan_json) {
				frm.add_custom_button(__("Download plan"), () =>
					open_url_post("/api/method/perpetual_switch.api.download_plan", { switch: frm.doc.name, file_format: "xlsx" })
				);
			}
			if (frm.doc.backdated && frm.doc.docstatus > 0) {
				frm.add_custom_button(__("Reposted documents"), () =>
					frappe.set_route("List", "Perpetual Switch Repost", { switch: frm.doc.name })
				);
			}
			frm.add_custom_button(__("Reconciliation"), () =>
				frappe.set_route("query-report", "Perpetual Switch Reconciliation", {
					company: frm.doc.company,
					as_on_date: frm.doc.cutover_date,
				})
			);
		}
	},
	company(frm) {
		frm.set_value("expense_account", null);
		frm.set_value("cost_center", null);
	},
	setup(frm) {
		frm.set_query("expense_account", () => ({
			filters: { company: frm.doc.company, is_group: 0, report_type: "Profit and Loss" },
		}));
		frm.set_query("cost_center", () => ({ filters: { company: frm.doc.company, is_group: 0 } }));
	},
});

// Show the job's progress until it ends, then reload the document.
function follow(frm, context) {
	perpetual_switch.follow_job({
		company: frm.doc.company,
		title: __("Perpetual inventory switch"),
		job: context && context.job,
		on_end: () => frm.reload_doc(),
	});
}

function render_issues(frm) {
	if (!frm.doc.plan_json) {
		frm.get_field("issues_html").$wrapper.empty();
		return;
	}
	const plan = JSON.parse(frm.doc.plan_json);
	const item = (issue, color) =>
		`<li class="text-${color}">${frappe.utils.escape_html(issue.message)}</li>`;
	const blockers = plan.blockers.map((i) => item(i, "danger")).join("");
	const warnings = plan.warnings.map((i) => item(i, "warning")).join("");
	const none = `<p class="text-success">${__("Nothing blocks the switch.")}</p>`;
	frm.get_field("issues_html").$wrapper.html(
		(blockers ? `<h5>${__("Blockers")}</h5><ul>${blockers}</ul>` : none) +
			(warnings ? `<h5>${__("Warnings")}</h5><ul>${warnings}</ul>` : "")
	);
}
