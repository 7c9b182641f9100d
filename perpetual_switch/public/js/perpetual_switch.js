// What the wizard, the SRBNB Reconciliation report and the switch's form share: following a
// company's background job (a switch, a rollback, a clearing) until it ends. The progress comes from
// the server's realtime events and, in case one was missed, from the job's state every few seconds.
frappe.provide("perpetual_switch");

// One progress dialog per job: made once, updated in place, and closed once it has finished
// opening (Bootstrap ignores a hide while a dialog is still opening).
perpetual_switch.JobProgress = class JobProgress {
	constructor(title) {
		this.dialog = new frappe.ui.Dialog({ title });
		this.$body = $(
			`<div class="progress" style="margin: 10px 0"><div class="progress-bar" style="width: 0%"></div></div><p class="text-muted small"></p>`
		).appendTo(this.dialog.body);
		this.shown = false;
		this.closing = false;
		this.dialog.$wrapper.one("shown.bs.modal", () => {
			this.shown = true;
			if (this.closing) this.dialog.hide();
		});
		this.dialog.show();
	}

	update(percent, text) {
		this.$body.find(".progress-bar").css("width", `${Math.max(0, Math.min(100, percent))}%`);
		this.$body.filter("p").text(text || "");
	}

	close() {
		this.closing = true;
		if (this.shown) this.dialog.hide();
	}
};

// Follow `company`'s job from `job` (its state as the enqueue returned it) until it ends; then
// `on_end(job)` once, with the job's last state. A failed job's reason is shown here.
perpetual_switch.follow_job = function ({ company, title, job, on_end }) {
	const EVENT = "perpetual_switch_progress";
	const finished = (j) => j && j.status && !j.running && j.status !== "Queued";
	const progress = new perpetual_switch.JobProgress(title);
	let done = false;
	let timer = null;
	const finish = (last) => {
		if (done) return;
		done = true;
		frappe.realtime.off(EVENT, handler);
		clearInterval(timer);
		progress.close();
		if (last.status === "Failed") {
			frappe.msgprint({
				title: __("The job failed"),
				message: frappe.utils.escape_html(last.reason || "").replace(/\n/g, "<br>"),
				indicator: "red",
			});
		}
		on_end && on_end(last);
	};
	const show = (j) => progress.update(j.percent || 0, j.description || __(j.status || "Queued"));
	const handler = (data) => {
		if (data.company !== company || data.preview || done) return;
		if (data.done) finish(data);
		else show(data);
	};
	frappe.realtime.on(EVENT, handler);
	const poll = () =>
		frappe.call({ method: "perpetual_switch.api.job_state", args: { company } }).then((r) => {
			const last = r.message && r.message.job;
			if (done) return;
			if (finished(last)) finish(last);
			else if (last) show(last);
		});
	timer = setInterval(poll, 3000);
	show(job || { status: "Queued" });
	if (finished(job)) finish(job);
};
