from perpetual_switch.snc_portugal.seam import regional_overrides

app_name = "perpetual_switch"
app_title = "Perpetual Switch"
app_publisher = "perpetual_switch maintainers"
app_description = "Move an ERPNext company from periodic to perpetual inventory, or re-sync its stock accounts"
app_email = "maintainers@users.noreply.example"
app_license = "MIT"
required_apps = ["erpnext"]

# The desk's one job follower, shared by the wizard, the SRBNB Reconciliation report and the switch's form.
app_include_js = ["/assets/perpetual_switch/js/perpetual_switch.js"]

# Purchase invoices that bill receipts accrued by a switch clear Stock Received But Not Billed.
doc_events = {
	"Purchase Invoice": {
		"validate": [
			"perpetual_switch.services.receipts.route_migrated_receipts",
			"perpetual_switch.services.late_costs.route_returns_to_srbnb",
		],
		"before_submit": "perpetual_switch.services.late_costs.invoice_before",
		"before_cancel": "perpetual_switch.services.late_costs.invoice_before",
		"on_submit": [
			"perpetual_switch.services.receipts.on_invoice_submit",
			"perpetual_switch.services.late_costs.invoice_after",
		],
		"on_cancel": [
			"perpetual_switch.services.receipts.on_invoice_cancel",
			"perpetual_switch.services.late_costs.invoice_after",
		],
	},
	# Late costs on goods received before a switch: posted after its cutover, never on or before it.
	"Landed Cost Voucher": {
		"before_validate": "perpetual_switch.services.late_costs.landed_cost_validate",
		"before_submit": "perpetual_switch.services.late_costs.landed_cost_before",
		"before_cancel": "perpetual_switch.services.late_costs.landed_cost_before",
		"on_submit": "perpetual_switch.services.late_costs.landed_cost_after",
		"on_cancel": "perpetual_switch.services.late_costs.landed_cost_after",
	},
	"Repost Item Valuation": {
		"before_validate": "perpetual_switch.services.late_costs.refuse_reposts_before_cutover",
	},
	# Portuguese SNC: offer rows leave stock through the offers regularisation account.
	"Sales Invoice": {
		"validate": "perpetual_switch.services.snc.route_offer_rows",
		"on_cancel": "perpetual_switch.services.snc.release_offers",
	},
	"Delivery Note": {
		"validate": "perpetual_switch.services.snc.route_offer_rows",
	},
	"Payment Entry": {
		"on_submit": "perpetual_switch.services.snc.discount_into_inventory",
		"on_cancel": "perpetual_switch.services.snc.discount_out_of_inventory",
	},
	"Stock Settings": {
		"validate": "perpetual_switch.services.snc.refuse_negative_stock",
	},
}

# A cancelled invoice can be deleted even though its clearing record points at it.
ignore_links_on_delete = ["Perpetual Switch Clearing", "Perpetual Switch Late Cost", "SNC Offer Log"]

require_type_annotated_api_methods = True

# The switch's and the SRBNB clearing's print formats read what they show through these.
jinja = {
	"methods": [
		"perpetual_switch.services.switch.audit",
		"perpetual_switch.services.srbnb_clearing.srbnb_clearing_audit",
	]
}

# Portuguese SNC: offer postings through ERPNext's regional GL seam (reversed on cancel and kept
# by reposts, because they are part of the invoice's own GL). Registered under every country so
# that the invoice's company decides, not the site's country; other companies get what ERPNext
# would have called.
regional_overrides = regional_overrides()

# Drift watch: stock value against the stock accounts of every perpetual company, each night.
scheduler_events = {
	"daily": ["perpetual_switch.services.drift.run_daily"],
	# A backdated switch whose worker stopped mid-repost resumes from its recorded position.
	"all": ["perpetual_switch.services.background.resume_stalled"],
}

before_install = "perpetual_switch.install.before_install"
after_install = "perpetual_switch.install.after_install"
before_uninstall = "perpetual_switch.install.before_uninstall"
