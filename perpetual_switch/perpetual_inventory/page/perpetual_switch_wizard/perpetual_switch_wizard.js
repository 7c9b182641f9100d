// The switch wizard: the steps of the operation the server plans (a switch, a re-sync or a scheme
// change), over the plan it computes. Nothing is decided here: the steps, their titles, which issue
// shows on which step, the journals' titles and the company's state all come with the plan; this file
// only presents perpetual_switch.api.get_plan and calls apply / rollback.

frappe.pages["perpetual-switch-wizard"].on_page_load = function (wrapper) {
	const page = frappe.ui.make_app_page({
		parent: wrapper,
		title: __("Switch to Perpetual Inventory"),
		single_column: true,
	});
	wrapper.wizard = new PerpetualSwitchWizard(page);
};

frappe.pages["perpetual-switch-wizard"].on_page_show = function (wrapper) {
	if (frappe.route_options && frappe.route_options.company) {
		wrapper.wizard.start_with(frappe.route_options);
		frappe.route_options = null;
	}
};

const API = "perpetual_switch.api";

class PerpetualSwitchWizard {
	constructor(page) {
		this.page = page;
		this.step = 0;
		this.plan = null;
		this.overrides = {};
		// What each step shows, by the step's key; which steps, in which order and under which title is
		// the operation's (plan.operation.steps).
		this.pages = {
			company: {
				intro: __(
					"Pick the company and the cutover date. Every stock and purchase document dated on or before the cutover is covered by the switch; afterwards none may be dated on or before it. The sync entries are posted against the expense account (usually Cost of Goods Sold)."
				),
				render: () => this.render_start(),
			},
			warehouses: {
				intro: __(
					"Each warehouse posts its stock value to a stock account: its own, the nearest parent warehouse's, or the company's default inventory account. Rows in red need fixing before the switch."
				),
				render: () => this.render_warehouses(),
			},
			items: {
				intro: __("Each item with stock posts its value to the inventory account of the item, its item group or its brand. Rows in red need fixing before the switch."),
				render: () => this.render_items(),
			},
			scheme: {
				intro: __("The stock moves, as of the cutover, from the accounts of the current scheme to those of the new one."),
				render: () => this.render_scheme(),
			},
			stock: {
				intro: __(
					"For each stock account, the stock value of its warehouses on the cutover date against the account's balance in the general ledger. The journal entry below posts the differences."
				),
				render: () => this.render_stock(),
			},
			srbnb: {
				intro: __(
					"Purchase receipts not yet invoiced on the cutover date. Under perpetual inventory their value belongs in Stock Received But Not Billed; their later invoices will clear it."
				),
				render: () => this.render_srbnb(),
			},
			defaults: {
				intro: __(
					"Accounts ERPNext needs for perpetual inventory. Empty ones are proposed; change any of them before applying."
				),
				render: () => this.render_defaults(),
			},
			review: {
				intro: __(
					"Everything is posted in one go when you apply; if any step fails nothing is kept. An applied switch can be rolled back until documents are posted under perpetual inventory after it."
				),
				render: () => this.render_review(),
			},
		};
		this.steps = [{ key: "company", title: __("Company and cutover") }];
		this.$body = $(`<div class="perpetual-switch-wizard"></div>`).appendTo(page.main);
		this.page.set_secondary_action(__("Back"), () => this.go(this.step - 1));
		this.page.set_primary_action(__("Next"), () => this.next());
		this.render();
	}

	start_with(options) {
		this.values = Object.assign(this.values || {}, options);
		this.step = 0;
		this.render();
	}

	go(step) {
		if (step < 0 || step >= this.steps.length) return;
		this.step = step;
		this.render();
	}

	next() {
		const next = this.steps[this.step + 1];
		if (this.step === 0) {
			const values = this.form.get_values();
			if (!values) return;
			this.values = values;
			this.overrides = {};
			this.load_plan().then(() => this.go(1));
		} else if (next && next.key === "review") {
			// The review is of the plan with the defaults as edited.
			this.load_plan().then(() => this.go(this.step + 1));
		} else {
			this.go(this.step + 1);
		}
	}

	load_plan() {
		return frappe
			.call({
				method: `${API}.get_plan`,
				args: Object.assign({}, this.values, { company_defaults: this.overrides }),
				freeze: true,
				freeze_message: __("Reading stock ledger and accounts..."),
			})
			.then((r) => {
				close_progress();
				this.plan = r.message;
				this.steps = this.plan.operation.steps.map((s) => ({ key: s.key, title: s.label }));
			});
	}

	render() {
		const step = this.steps[this.step];
		const page = this.pages[step.key];
		this.$body.empty();
		this.$body.append(this.progress_html());
		if (this.plan && this.step > 0) this.$body.append(`<p class="ps-operation text-muted">${frappe.utils.escape_html(this.plan.operation.title)}</p>`);
		this.$body.append(`<h4 class="step-title">${frappe.utils.escape_html(step.title)}</h4>`);
		this.$body.append(`<p class="text-muted step-intro">${page.intro}</p>`);
		this.$content = $(`<div class="step-content"></div>`).appendTo(this.$body);
		page.render();
		this.page.btn_secondary.toggle(this.step > 0);
		this.page.btn_primary.toggle(step.key !== "review");
	}

	progress_html() {
		return this.progress_bar() + this.style();
	}

	progress_bar() {
		const items = this.steps
			.map((s, i) => {
				const state = i < this.step ? "done" : i === this.step ? "active" : "";
				return `<li class="${state}" data-step="${i}"><span class="step-number">${i + 1}</span> ${frappe.utils.escape_html(s.title)}</li>`;
			})
			.join("");
		const label = __("Step {0} of {1}", [this.step + 1, this.steps.length]);
		return `<div class="ps-progress"><div class="text-muted small">${label}</div><ol>${items}</ol></div>`;
	}

	style() {
		return `<style>
			.ps-progress ol { display: flex; gap: 8px; padding: 0; list-style: none; flex-wrap: wrap; margin: 8px 0 16px; }
			.ps-progress li { padding: 4px 10px; border-radius: 12px; background: var(--control-bg); color: var(--text-muted); font-size: 12px; }
			.ps-progress li.active { background: var(--primary); color: #fff; }
			.ps-progress li.done { background: var(--green-100); color: var(--green-700); }
			.ps-progress .step-number { font-weight: 600; margin-right: 4px; }
			.perpetual-switch-wizard table td.num, .perpetual-switch-wizard table th.num { text-align: right; }
			.perpetual-switch-wizard tr.ps-problem td { background: var(--red-50); }
			.perpetual-switch-wizard .ps-total td { font-weight: 600; }
		</style>`;
	}

	// Step 1
	render_start() {
		const values = this.values || {};
		this.form = new frappe.ui.FieldGroup({
			body: this.$content,
			fields: [
				{ fieldname: "company", label: __("Company"), fieldtype: "Link", options: "Company", reqd: 1, default: values.company || frappe.defaults.get_user_default("Company") },
				{ fieldname: "cutover_date", label: __("Cutover Date"), fieldtype: "Date", reqd: 1, default: values.cutover_date || frappe.datetime.get_today() },
				{ fieldtype: "Column Break" },
				{
					fieldname: "expense_account", label: __("Expense Account"), fieldtype: "Link", options: "Account", default: values.expense_account,
					description: __("Default: the company's Cost of Goods Sold account"),
					get_query: () => ({ filters: { company: this.form.get_value("company"), is_group: 0, report_type: "Profit and Loss" } }),
				},
				{
					fieldname: "cost_center", label: __("Cost Center"), fieldtype: "Link", options: "Cost Center", default: values.cost_center,
					get_query: () => ({ filters: { company: this.form.get_value("company"), is_group: 0 } }),
				},
				{ fieldtype: "Section Break" },
				{
					fieldname: "scheme", label: __("What to do"), fieldtype: "Select", default: values.scheme || "",
					options: [
						{ value: "", label: __("Switch to perpetual inventory, or re-sync stock accounts") },
						{ value: "item-wise", label: __("Move stock to item-wise inventory accounts (ERPNext 16)") },
						{ value: "warehouse-wise", label: __("Move stock back to warehouse-wise inventory accounts (ERPNext 16)") },
					],
					description: __("A perpetual company's stock moves from the warehouses' accounts to each item's inventory account (item, item group, brand), or back, and the company's Enable Item-wise Inventory Account follows."),
				},
				{
					fieldname: "resync", label: __("Re-sync stock accounts out of sync in the same switch"), fieldtype: "Check", default: values.resync || 0,
					depends_on: "eval:doc.scheme",
				},
				{ fieldtype: "Section Break" },
				{ fieldname: "freeze_accounts", label: __("Close journal entries and payments up to the cutover too"), fieldtype: "Check", default: values.freeze_accounts || 0 },
				{
					fieldname: "backdated", label: __("Backdated: repost documents after the cutover"), fieldtype: "Check", default: values.backdated || 0,
					description: __("For a past cutover with documents after it: every stock document since then is booked as perpetual inventory would have booked it."),
				},
				{ fieldname: "company_state", fieldtype: "HTML" },
				{ fieldname: "mandatory_check", fieldtype: "HTML" },
			],
		});
		this.form.make();
		// What the options make of the company, and whether its SNC check applies, as the server says.
		const show_state = () => {
			const company = this.form.get_value("company");
			if (!company) return;
			const args = { company, scheme: this.form.get_value("scheme") || "", backdated: this.form.get_value("backdated") ? 1 : 0 };
			frappe.call({ method: `${API}.what_to_do`, args }).then((r) => {
				const what = r.message || {};
				// The steps of the operation these choices make, shown before its plan is read.
				this.steps = what.operation.steps.map((s) => ({ key: s.key, title: s.label }));
				this.$body.find(".ps-progress").replaceWith(this.progress_bar());
				this.form.get_field("company_state").$wrapper.html(`<div class="alert alert-info">${frappe.utils.escape_html(what.summary || "")}</div>`);
				if (what.mandatory_check) this.show_mandatory_check(company);
				else this.form.get_field("mandatory_check").$wrapper.empty();
			});
		};
		this.form.get_field("company").df.onchange = show_state;
		this.form.get_field("scheme").df.onchange = show_state;
		this.form.get_field("backdated").df.onchange = show_state;
		show_state();
	}

	// DL 158/2009's test for the cutover's year: the preceding years' figures against the limits in
	// force for that year, and the verdict with its reason, all as the server decides them.
	show_mandatory_check(company) {
		const date = this.form.get_value("cutover_date");
		frappe.call({ method: `${API}.snc_mandatory_check`, args: { company, date } }).then((r) => {
			const c = r.message;
			const esc = frappe.utils.escape_html;
			const amount = (k, v) => (v === null || v === undefined ? `<span class="text-muted">${__("unknown: enter it in SNC Settings")}</span>` : esc(k === "average_employees" ? v : format_currency(v, "EUR")));
			const criteria = ["balance_sheet_total", "net_turnover", "average_employees"];
			const heads = [__("Year"), __("Balance sheet total (limit {0})", [amount("balance_sheet_total", c.limits.balance_sheet_total)]), __("Net turnover (limit {0})", [amount("net_turnover", c.limits.net_turnover)]), __("Average employees (limit {0})", [c.limits.average_employees])];
			const rows = c.years
				.map((y) => `<tr><td>${y.year}</td>${criteria.map((k) => `<td class="num">${amount(k, y.figures[k])}${y.exceeded.includes(k) ? ` <span class="indicator-pill red">${__("exceeded")}</span>` : ""}</td>`).join("")}</tr>`)
				.join("");
			const note = c.note ? `<p>${esc(c.note)}</p>` : "";
			this.form.get_field("mandatory_check").$wrapper.html(
				`<h5>${__("Is perpetual inventory mandatory in {0}?", [c.year])}</h5>${table(heads, rows, [1, 2, 3])}<p><b>${esc(c.reason)}</b></p>${note}`
			);
		});
	}

	// A company that books stock per warehouse: each warehouse's account and where it comes from
	render_warehouses() {
		const plan = this.plan;
		const problems = new Set(plan.blockers.map((b) => b.subject));
		const rows = plan.warehouses
			.map((w) => {
				const bad = problems.has(w.warehouse) || (w.account && problems.has(w.account)) || !w.account;
				return `<tr class="${bad ? "ps-problem" : ""}">
					<td>${link("Warehouse", w.warehouse)}${w.is_group ? ` <span class="text-muted">(${__("group")})</span>` : ""}</td>
					<td>${w.account ? link("Account", w.account) : `<span class="text-danger">${__("none")}</span>`}</td>
					<td>${source_label(w)}</td>
					<td class="num">${money(w.stock_value, plan.currency)}</td>
				</tr>`;
			})
			.join("");
		this.$content.append(table([__("Warehouse"), __("Stock Account"), __("Account From"), __("Stock Value")], rows, [3]));
		this.$content.append(issues_html(on_step(plan.blockers, "warehouses"), []));
		$(`<button class="btn btn-default btn-sm">${__("Re-check")}</button>`)
			.appendTo(this.$content)
			.on("click", () => this.load_plan().then(() => this.render()));
		$(`<a class="btn btn-link btn-sm" href="${form_url("Company", plan.company)}" target="_blank">${__("Open company {0}", [frappe.utils.escape_html(plan.company)])}</a>`).appendTo(this.$content);
	}

	// A company that books stock per item (its item, item group or brand account)
	render_items() {
		const plan = this.plan;
		this.$content.append(`<p>${__("Company {0} books stock to each item's inventory account, not the warehouse's.", [frappe.utils.escape_html(plan.company)])}</p>`);
		const shown = plan.items.slice(0, 500);
		const rows = shown
			.map((i) => `<tr class="${i.account ? "" : "ps-problem"}">
					<td>${link("Item", i.item_code)}</td>
					<td>${i.account ? link("Account", i.account) : `<span class="text-danger">${__("none")}</span>`}</td>
					<td>${item_source_label(i)}</td>
					<td class="num">${money(i.stock_value, plan.currency)}</td>
				</tr>`)
			.join("");
		this.$content.append(table([__("Item"), __("Stock Account"), __("Account From"), __("Stock Value")], rows, [3]));
		if (plan.items.length > shown.length) {
			this.$content.append(`<p class="text-muted">${__("{0} more items; the switch's print format lists them all.", [plan.items.length - shown.length])}</p>`);
		}
		this.$content.append(issues_html(on_step(plan.blockers, "items"), []));
		$(`<button class="btn btn-default btn-sm">${__("Re-check")}</button>`)
			.appendTo(this.$content)
			.on("click", () => this.load_plan().then(() => this.render()));
	}

	// A change of inventory account scheme: what moves between which accounts, and why
	render_scheme() {
		const plan = this.plan;
		const s = plan.scheme;
		const cur = plan.currency;
		this.$content.append(`<p>${__("{0} items in warehouses hold stock; {1} moves from the {2} accounts to the {3} ones.", [s.cells, money(s.total_moved, cur), __(s.current), __(s.target)])}</p>`);
		const moves = s.moves
			.map((m) => `<tr><td>${link("Account", m.from_account)}</td><td>${link("Account", m.to_account)}</td>
				<td class="num">${money(m.amount, cur)}</td><td class="num">${m.items}</td><td class="num">${m.warehouses}</td></tr>`)
			.join("");
		this.$content.append(table([__("From Account"), __("To Account"), __("Amount"), __("Items"), __("Warehouses")], moves, [2, 3, 4]));
		const accounts = s.accounts
			.map((a) => `<tr><td>${link("Account", a.account)}</td><td class="num">${money(a.before, cur)}</td>
				<td class="num">${money(a.after, cur)}</td><td class="num">${money(a.change, cur)}</td></tr>`)
			.join("");
		this.$content.append(table([__("Stock Account"), __("Before"), __("After"), __("Change")], accounts, [1, 2, 3]));
		const shown = s.items.slice(0, 500);
		const items = shown
			.map((i) => `<tr class="${i.account ? "" : "ps-problem"}"><td>${link("Item", i.item_code)}</td>
				<td>${i.account ? link("Account", i.account) : `<span class="text-danger">${__("none")}</span>`}</td>
				<td>${item_source_label(i)}</td><td class="num">${money(i.stock_value, cur)}</td></tr>`)
			.join("");
		this.$content.append(table([__("Item"), __("Item-wise Account"), __("Account From"), __("Stock Value")], items, [3]));
		if (s.items.length > shown.length) {
			this.$content.append(`<p class="text-muted">${__("{0} more items; the switch's print format lists them all.", [s.items.length - shown.length])}</p>`);
		}
		const warehouses = s.warehouses
			.map((w) => `<tr class="${w.account ? "" : "ps-problem"}"><td>${link("Warehouse", w.warehouse)}</td>
				<td>${w.account ? link("Account", w.account) : `<span class="text-danger">${__("none")}</span>`}</td>
				<td>${source_label(w)}</td><td class="num">${money(w.stock_value, cur)}</td></tr>`)
			.join("");
		this.$content.append(table([__("Warehouse"), __("Warehouse-wise Account"), __("Account From"), __("Stock Value")], warehouses, [3]));
		this.$content.append(issues_html(on_step(plan.blockers, "scheme"), []));
		$(`<button class="btn btn-default btn-sm">${__("Re-check")}</button>`)
			.appendTo(this.$content)
			.on("click", () => this.load_plan().then(() => this.render()));
	}

	// Stock value against the accounts, and the journal that brings them together
	render_stock() {
		const plan = this.plan;
		const rows = plan.stock_accounts
			.map((a) => `<tr><td>${link("Account", a.account)}</td><td class="num">${money(a.stock_value, plan.currency)}</td>
				<td class="num">${money(a.gl_balance, plan.currency)}</td><td class="num">${money(a.difference, plan.currency)}</td></tr>`)
			.join("");
		if (plan.stock_accounts.length) {
			// The same comparison as a bar chart per stock account (Frappe's charting, as ERPNext uses).
			const $chart = $(`<div class="ps-stock-chart"></div>`).appendTo(this.$content);
			new frappe.Chart($chart[0], {
				type: "bar",
				height: 240,
				data: {
					labels: plan.stock_accounts.map((a) => a.account),
					datasets: [
						{ name: __("Stock Value"), values: plan.stock_accounts.map((a) => flt(a.stock_value)) },
						{ name: __("GL Balance"), values: plan.stock_accounts.map((a) => flt(a.gl_balance)) },
					],
				},
				colors: ["#5e64ff", "#ff9f43"],
				axisOptions: { xIsSeries: 0 },
			});
		}
		this.$content.append(table([__("Stock Account"), __("Stock Value"), __("GL Balance"), __("Difference")], rows, [1, 2, 3]));
		this.$content.append(journal_html(plan, "stock_sync"));
	}

	// Receipts not billed at the cutover, and the journal that accrues them
	render_srbnb() {
		const plan = this.plan;
		const s = plan.srbnb;
		const rows = s.receipts
			.map((r) => `<tr><td>${link("Purchase Receipt", r.purchase_receipt)}</td><td>${link("Item", r.item_code)}</td>
				<td class="num">${frappe.utils.escape_html(r.unbilled_qty)}</td><td class="num">${money(r.unbilled_value, plan.currency)}</td></tr>`)
			.join("");
		this.$content.append(table([__("Purchase Receipt"), __("Item"), __("Unbilled Qty"), __("Unbilled Value")], rows, [2, 3]));
		if (s.receipts_count > s.receipts.length) {
			this.$content.append(`<p class="text-muted">${__("The first {0} of {1} receipt rows are shown; once applied, the report Perpetual Switch Accruals lists them all.", [s.receipts.length, s.receipts_count])}</p>`);
		}
		this.$content.append(`<p>${__("Unbilled value {0}, balance of {1}: {2}, difference {3}.", [
			money(s.unbilled_value, plan.currency),
			s.account ? link("Account", s.account) : "-",
			money(s.gl_balance, plan.currency),
			money(s.difference, plan.currency),
		])}</p>`);
		this.$content.append(issues_html(on_step(plan.blockers, "srbnb"), on_step(plan.warnings, "srbnb")));
		this.$content.append(journal_html(plan, "srbnb_sync"));
	}

	// The company defaults the operation sets; accounts and cost centers can be changed here
	render_defaults() {
		const plan = this.plan;
		if (!plan.company_defaults.length) {
			this.$content.append(`<p>${__("The company already has every default the switch needs.")}</p>`);
			return;
		}
		const fields = [];
		plan.company_defaults.forEach((c) => {
			if (c.kind === "flag") {
				fields.push({ fieldtype: "HTML", fieldname: `${c.field}_note`, options: `<p>${frappe.utils.escape_html(c.note || "")}</p>` });
				return;
			}
			const is_cc = c.kind === "cost_center";
			fields.push({
				fieldname: c.field,
				label: __(frappe.model.unscrub(c.field)),
				fieldtype: "Link",
				options: is_cc ? "Cost Center" : "Account",
				default: this.overrides[c.field] || c.proposed,
				description: __("Current: {0}", [c.current ? frappe.utils.escape_html(c.current) : __("empty")]),
				get_query: () => ({ filters: { company: plan.company, is_group: 0 } }),
				onchange: () => {
					this.overrides[c.field] = this.defaults_form.get_value(c.field);
				},
			});
		});
		this.defaults_form = new frappe.ui.FieldGroup({ body: this.$content, fields });
		this.defaults_form.make();
	}

	// Every blocker and warning, every journal, and apply
	render_review() {
		const plan = this.plan;
		const ctx = plan.context || {};
		this.$content.append(issues_html(plan.blockers, plan.warnings));
		const journals = plan.journal_entries.map((j) => journal_html(plan, j.purpose)).join("");
		const has_work = plan.has_work;
		this.$content.append(journals || `<p>${__("Stock accounts match the stock value: nothing to post.")}</p>`);
		if (plan.backdated) {
			this.$content.append(backdated_html(plan));
			if (!plan.backdated.previewed && !plan.blockers.length) this.offer_preview();
		}
		this.$content.append(
			`<div class="alert alert-info">${__(
				"After the switch, book late freight or customs on goods received before the cutover with a Landed Cost Voucher dated after it: the part of the goods still in stock goes to the stock accounts, the part already issued to the expense account above, and nothing is posted on or before the cutover. A debit note of an invoice from before the switch, for goods returned after it, credits Stock Received But Not Billed like the return."
			)}</div>`
		);
		$(`<button class="btn btn-default btn-sm" style="margin-bottom: 12px">${__("Download plan")}</button>`)
			.appendTo(this.$content)
			.on("click", () =>
				open_url_post(
					"/api/method/perpetual_switch.api.download_plan",
					Object.assign(this.reviewed(), { file_format: "xlsx" })
				)
			);
		const applied = ctx.switch && ctx.switch.status === "Applied";
		if (ctx.job && ctx.job.running && !this.following) {
			this.following = true;
			this.follow_job(ctx, ctx.job.action === "rollback" ? __("Rolling back...") : __("Applying the switch..."));
		}
		if (ctx.job && ctx.job.status === "Failed" && ctx.job.reason) {
			this.$content.append(`<div class="alert alert-warning">${__("The last switch job failed: {0}", [frappe.utils.escape_html(ctx.job.reason)])}</div>`);
		}
		if (applied) {
			this.$content.append(summary_html(ctx));
			if (ctx.can_apply) {
				$(`<button class="btn btn-danger btn-sm">${__("Roll back")}</button>`)
					.appendTo(this.$content)
					.on("click", () => this.rollback());
			}
		}
		if (!ctx.can_apply) {
			this.$content.append(`<p class="text-muted">${__("Only an Accounts Manager can apply or roll back a switch.")}</p>`);
		} else if (has_work || !applied) {
			const $apply = $(`<button class="btn btn-primary btn-sm">${__("Apply")}</button>`).appendTo(this.$content);
			$apply.prop("disabled", plan.blockers.length > 0 || !has_work);
			$apply.on("click", () => this.apply());
		}
	}

	// What the user reviewed, posted back unchanged: the options the server computed the plan from
	// and the plan's fingerprint (the server refuses a preview, download or apply of another plan).
	reviewed() {
		const args = {};
		for (const [key, value] of Object.entries(this.plan.options || {})) {
			if (value === null || value === undefined) continue;
			args[key] = typeof value === "boolean" ? (value ? 1 : 0) : typeof value === "object" ? JSON.stringify(value) : value;
		}
		args.fingerprint = this.plan.fingerprint;
		return args;
	}

	// The GL change of a backdated switch is computed by a background job (it reposts everything in
	// a savepoint and rolls it back); the wizard asks for it and shows it when the job is done.
	offer_preview() {
		const $box = $(`<div class="ps-preview" style="margin-bottom: 12px"></div>`).appendTo(this.$content);
		const $button = $(`<button class="btn btn-default btn-sm">${__("Compute the GL change")}</button>`).appendTo($box);
		const args = this.reviewed();
		$button.on("click", () => {
			$button.prop("disabled", true);
			$box.append(`<p class="text-muted">${__("Computing the GL change in the background: every document after the cutover is booked and rolled back...")}</p>`);
			frappe.call({ method: `${API}.enqueue_backdated_preview`, args }).then(() => this.wait_for_preview($box));
		});
	}

	wait_for_preview($box) {
		frappe.call({ method: `${API}.backdated_preview_result`, args: { company: this.values.company } }).then((r) => {
			const result = r.message || {};
			if (result.status === "Done") {
				this.plan = Object.assign(result.plan, { context: this.plan.context, options: this.plan.options });
				this.render();
			} else if (result.status === "Failed") {
				$box.append(`<div class="alert alert-warning">${frappe.utils.escape_html(result.reason || "")}</div>`);
			} else {
				setTimeout(() => this.wait_for_preview($box), 3000);
			}
		});
	}

	apply() {
		frappe.confirm(
			__("Post the journal entries, set the company defaults and close documents up to {0} for {1}?", [
				frappe.datetime.str_to_user(this.values.cutover_date),
				frappe.utils.escape_html(this.values.company),
			]),
			() => {
				frappe
					.call({
						method: `${API}.apply`,
						args: this.reviewed(),
					})
					.then((r) => this.follow_job(r.message, __("Applying the switch...")));
			}
		);
	}

	rollback() {
		frappe.confirm(__("Cancel the switch's journal entries and restore every company setting it changed?"), () => {
			frappe
				.call({ method: `${API}.rollback`, args: { company: this.values.company } })
				.then((r) => this.follow_job(r.message, __("Rolling back...")));
		});
	}

	// The work runs as a background job (perpetual_switch.follow_job, shared with the report and the form).
	follow_job(context, title) {
		perpetual_switch.follow_job({
			company: this.values.company,
			title,
			job: context && context.job,
			on_end: (job) => {
				this.following = false;
				if (job.status !== "Failed") {
					frappe.show_alert({ message: job.status === "Applied" ? __("Switch applied") : __("Switch rolled back"), indicator: job.status === "Applied" ? "green" : "orange" });
				}
				this.load_plan().then(() => this.render());
			},
		});
	}
}

// The server's realtime progress dialog can still be opening when the answer arrives, and
// Bootstrap ignores a hide during that transition: close it once it has settled.
function close_progress() {
	setTimeout(() => frappe.hide_progress(), 1000);
}

// Frappe builds the desk's address (/app on version 15, /desk from 16 on).
function form_url(doctype, name) {
	return frappe.utils.get_form_link(doctype, name);
}

function link(doctype, name) {
	if (!name) return "";
	return `<a href="${form_url(doctype, name)}" target="_blank">${frappe.utils.escape_html(name)}</a>`;
}

function money(value, currency) {
	return format_currency(flt(value), currency);
}

function source_label(w) {
	if (w.source === "warehouse") return __("own");
	if (w.source === "parent") return __("parent {0}", [frappe.utils.escape_html(w.source_warehouse)]);
	if (w.source === "company_default") return __("company default");
	return `<span class="text-danger">${__("unresolved")}</span>`;
}

function item_source_label(i) {
	if (i.source === "item") return __("item");
	if (i.source === "item_group") return __("item group {0}", [frappe.utils.escape_html(i.source_name)]);
	if (i.source === "brand") return __("brand {0}", [frappe.utils.escape_html(i.source_name)]);
	return `<span class="text-danger">${__("unresolved")}</span>`;
}

function table(headers, rows, numeric) {
	const ths = headers.map((h, i) => `<th class="${numeric.includes(i) ? "num" : ""}">${h}</th>`).join("");
	return `<table class="table table-bordered table-sm"><thead><tr>${ths}</tr></thead><tbody>${rows || `<tr><td colspan="${headers.length}" class="text-muted">${__("Nothing to show")}</td></tr>`}</tbody></table>`;
}

// The issues the server puts on a step
function on_step(issues, step) {
	return issues.filter((i) => i.step === step);
}

function journal_html(plan, purpose) {
	const journal = plan.journal_entries.find((j) => j.purpose === purpose);
	if (!journal) return `<p class="text-muted">${__("No journal entry: nothing to post here.")}</p>`;
	const title = frappe.utils.escape_html(journal.title);
	const rows = journal.lines
		.map((l) => {
			return `<tr><td>${link("Account", l.account)}</td><td class="num">${money(l.debit, plan.currency)}</td>
				<td class="num">${money(l.credit, plan.currency)}</td><td>${l.cost_center ? frappe.utils.escape_html(l.cost_center) : ""}</td></tr>`;
		})
		.join("");
	const total = `<tr class="ps-total"><td>${__("Total")}</td><td class="num">${money(journal.total_debit, plan.currency)}</td><td class="num">${money(journal.total_credit, plan.currency)}</td><td></td></tr>`;
	return `<h5>${title}</h5>` + table([__("Account"), __("Debit"), __("Credit"), __("Cost Center")], rows + total, [1, 2]);
}

function issues_html(blockers, warnings) {
	let html = "";
	if (blockers.length) {
		html += `<div class="alert alert-danger"><b>${__("Blockers")}</b><ul>${blockers.map((b) => `<li>${frappe.utils.escape_html(b.message)}</li>`).join("")}</ul></div>`;
	}
	if (warnings.length) {
		html += `<div class="alert alert-warning"><b>${__("Warnings")}</b><ul>${warnings.map((w) => `<li>${frappe.utils.escape_html(w.message)}</li>`).join("")}</ul></div>`;
	}
	return html;
}

function summary_html(ctx) {
	const s = ctx.switch;
	const journals = (ctx.journal_entries || []).map((j) => link("Journal Entry", j)).join(", ");
	return `<div class="alert alert-success">${__("Switch {0} is applied.", [link("Switch to Perpetual Inventory", s.name)])}
		${__("Journal entries: {0}.", [journals || "-"])} ${__("Company: {0}.", [link("Company", ctx.company)])}</div>`;
}

// A backdated switch: documents after the cutover, the GL change per account, stock against GL today.
function backdated_html(plan) {
	const b = plan.backdated;
	const cur = plan.currency;
	const esc = frappe.utils.escape_html;
	const counts = b.by_type.map((t) => `${esc(__(t.voucher_type))}: ${t.count}`).join(", ") || "-";
	let html = `<h5>${__("Backdated: {0} documents after the cutover to repost", [b.vouchers])}</h5><p>${counts}</p>`;
	if (!b.previewed) return html;
	const rows = (lines, cells) => lines.map((l) => `<tr>${cells(l).map((c, i) => `<td class="${i ? "num" : ""}">${c}</td>`).join("")}</tr>`).join("");
	html += `<table class="table table-bordered"><thead><tr><th>${__("Account")}</th><th>${__("Before")}</th><th>${__("After")}</th><th>${__("Change")}</th></tr></thead><tbody>${rows(b.account_changes, (c) => [esc(c.account), format_currency(c.before, cur), format_currency(c.after, cur), format_currency(c.change, cur)])}</tbody></table>`;
	html += `<p>${__("After the repost, as of {0}:", [frappe.datetime.str_to_user(b.today)])}</p>`;
	html += `<table class="table table-bordered"><thead><tr><th>${__("Stock Account")}</th><th>${__("Stock Value")}</th><th>${__("GL Balance")}</th><th>${__("Difference")}</th></tr></thead><tbody>${rows(b.stock_today, (a) => [esc(a.account), format_currency(a.stock_value, cur), format_currency(a.gl_balance, cur), format_currency(a.difference, cur)])}</tbody></table>`;
	if (b.closing_journal.length) {
		html += `<p>${__("A closing journal entry dated {0} brings each stock account to its stock value.", [frappe.datetime.str_to_user(b.today)])}</p>`;
		html += `<table class="table table-bordered"><thead><tr><th>${__("Account")}</th><th>${__("Debit")}</th><th>${__("Credit")}</th></tr></thead><tbody>${rows(b.closing_journal, (l) => [esc(l.account), format_currency(l.debit, cur), format_currency(l.credit, cur)])}</tbody></table>`;
	}
	return html;
}
