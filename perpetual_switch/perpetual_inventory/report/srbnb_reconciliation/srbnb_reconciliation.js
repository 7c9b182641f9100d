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
		report.page.add_inner_button(__("Clear residuals"), () => srbnb_clearing_dialog(report));
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

const SRBNB_API = "perpetual_switch.api";
// Plan first (every line with its source, the journal, the blockers), then apply as a job.
// The causes and their labels come from the server, as the report's columns do.
function srbnb_clearing_dialog(report) {
	const filters = report.get_values();
	if (!filters) return;
	frappe.call({ method: `${SRBNB_API}.srbnb_clearing_causes` }).then((r) => clearing_dialog(report, filters, r.message || []));
}

function clearing_dialog(report, filters, causes) {
	const dialog = new frappe.ui.Dialog({
		title: __("Clear residuals of Stock Received But Not Billed"),
		size: "extra-large",
		fields: [
			{ fieldname: "posting_date", label: __("Posting Date"), fieldtype: "Date", reqd: 1, default: filters.as_of },
			{ fieldname: "expense_account", label: __("Expense Account"), fieldtype: "Link", options: "Account",
				get_query: () => ({ filters: { company: filters.company, is_group: 0 } }) },
			{ fieldname: "cost_center", label: __("Cost Center"), fieldtype: "Link", options: "Cost Center",
				get_query: () => ({ filters: { company: filters.company, is_group: 0 } }) },
			{ fieldname: "col", fieldtype: "Column Break" },
			{ fieldname: "causes", label: __("Causes"), fieldtype: "MultiCheck", columns: 1,
				options: causes.map((c) => ({ value: c.value, label: c.label, checked: 1 })) },
			{ fieldname: "sources", label: __("Only these receipts, receipt rows or vouchers (one per line)"), fieldtype: "Small Text" },
			{ fieldname: "sec", fieldtype: "Section Break" },
			{ fieldname: "plan", fieldtype: "HTML" },
		],
		primary_action_label: __("Plan"),
		primary_action: () => plan(),
	});
	const args = () => {
		const v = dialog.get_values();
		if (!v) return null;
		if (!(v.causes || []).length) {
			frappe.msgprint(__("Choose at least one cause to clear."));
			return null;
		}
		const sources = (v.sources || "").split("\n").map((s) => s.trim()).filter(Boolean);
		return {
			company: filters.company,
			posting_date: v.posting_date,
			expense_account: v.expense_account || "",
			cost_center: v.cost_center || "",
			causes: JSON.stringify(v.causes || []),
			sources: sources.length ? JSON.stringify(sources) : "",
		};
	};
	const esc = frappe.utils.escape_html;
	const plan = () => {
		const a = args();
		if (!a) return;
		frappe.call({ method: `${SRBNB_API}.srbnb_clearing_plan`, args: a, freeze: true }).then((r) => {
			const p = r.message;
			const lines = p.lines.map((l) => `<tr><td>${esc(__(l.source_type))}</td><td>${esc(l.source)}</td><td>${esc(l.item_code || "")}</td><td>${esc(l.cause_label)}</td><td class="text-right">${format_currency(l.amount, p.currency)}</td></tr>`).join("");
			const journal = p.journal ? p.journal.lines.map((l) => `<tr><td>${esc(l.account)}</td><td class="text-right">${format_currency(l.debit, p.currency)}</td><td class="text-right">${format_currency(l.credit, p.currency)}</td></tr>`).join("") : "";
			const blockers = p.blockers.map((b) => `<li>${esc(b.message)}</li>`).join("");
			dialog.fields_dict.plan.$wrapper.html(
				`<p><b>${__("Total")}: ${format_currency(p.total, p.currency)}</b></p>` +
				`<table class="table table-bordered table-condensed"><tr><th>${__("Source Type")}</th><th>${__("Source")}</th><th>${__("Item")}</th><th>${__("Cause")}</th><th>${__("Amount")}</th></tr>${lines}</table>` +
				(journal ? `<table class="table table-bordered table-condensed"><tr><th>${__("Account")}</th><th>${__("Debit")}</th><th>${__("Credit")}</th></tr>${journal}</table>` : "") +
				(blockers ? `<div class="alert alert-danger"><ul>${blockers}</ul></div>` : "")
			);
			if (p.has_work) {
				// What was reviewed is what is posted: the job refuses a clearing with another fingerprint.
				dialog.set_primary_action(__("Apply"), () => apply(Object.assign({}, a, { fingerprint: p.fingerprint })));
			} else {
				dialog.set_primary_action(__("Plan"), () => plan());
			}
		});
	};
	const apply = (a) => {
		frappe.confirm(__("Post this clearing journal entry?"), () => {
			frappe.call({ method: `${SRBNB_API}.srbnb_clearing_apply`, args: a, freeze: true }).then((r) => {
				dialog.hide();
				perpetual_switch.follow_job({
					company: filters.company,
					title: __("Clearing"),
					job: r.message,
					on_end: (job) => {
						if (job.status === "Failed") return;
						frappe.show_alert({ message: __("Clearing {0} applied", [job.clearing || ""]), indicator: "green" });
						report.refresh();
					},
				});
			});
		});
	};
	dialog.show();
}
