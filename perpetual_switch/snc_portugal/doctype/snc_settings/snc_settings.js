frappe.ui.form.on("SNC Settings", {
	refresh(frm) {
		if (frm.is_new()) return;
		frappe
			.call("perpetual_switch.api.snc_offers_this_year", { company: frm.doc.company })
			.then((r) => {
				const d = r.message;
				const cur = (v) => format_currency(v, frappe.defaults.get_default("currency"));
				frm.get_field("offers_html").$wrapper.html(`
					<table class="table table-sm">
						<tr><td>${__("Year")}</td><td class="text-right">${d.year}</td></tr>
						<tr><td>${__("Previous year's turnover")}</td><td class="text-right">${cur(d.previous_year_turnover)}</td></tr>
						<tr><td>${__("Yearly limit for exempt offers")}</td><td class="text-right">${cur(d.yearly_cap)}</td></tr>
						<tr><td>${__("Offers counted this year ({0})", [d.offers])}</td><td class="text-right">${cur(d.counted)}</td></tr>
						<tr><td>${__("Room left")}</td><td class="text-right">${cur(d.room_left)}</td></tr>
						<tr><td>${__("Self-assessed VAT this year")}</td><td class="text-right">${cur(d.vat)}</td></tr>
					</table>`);
			});
	},
});
