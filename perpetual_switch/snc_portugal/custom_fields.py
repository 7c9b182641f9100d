"""Custom fields of the SNC module, defined once: install, the patch and uninstall all read this dict."""

OFFER_FLAG = {
	"fieldname": "snc_is_offer",
	"label": "Offer (SNC)",
	"fieldtype": "Check",
	"insert_after": "is_free_item",
	"description": "A free transfer of goods: posted through the SNC offer accounts, with VAT when over the limit.",
	"print_hide": 1,
}

ACCOUNT_OVERRIDES = [
	{
		"fieldname": "snc_section",
		"label": "SNC Offer Accounts",
		"fieldtype": "Section Break",
		"insert_after": "default_discount_account",
		"collapsible": 1,
	},
	{"fieldname": "snc_reo_account", "label": "Offer Regularisation Account (REO)", "fieldtype": "Link", "options": "Account", "insert_after": "snc_section"},
	{"fieldname": "snc_coe_account", "label": "Offer Cost Account (COE)", "fieldtype": "Link", "options": "Account", "insert_after": "snc_reo_account"},
	{"fieldname": "snc_ieo_account", "label": "Self-assessed VAT Expense Account (IEO)", "fieldtype": "Link", "options": "Account", "insert_after": "snc_coe_account"},
]

DISCOUNT_LANDED_COST = {
	"fieldname": "snc_discount_landed_cost",
	"label": "Financial Discount Taken Into Inventory",
	"fieldtype": "Link",
	"options": "Landed Cost Voucher",
	"insert_after": "deductions",
	"read_only": 1,
	"no_copy": 1,
	"allow_on_submit": 1,
	"print_hide": 1,
}

AT_CATEGORY = {
	"fieldname": "at_product_category",
	"label": "AT Inventory Category",
	"fieldtype": "Select",
	"options": "\nM\nP\nA\nS\nT\nB",
	"description": "The product's category in the annual inventory file for the AT: M goods, P raw and consumable materials, A finished and intermediate products, S by-products and waste, T work in progress, B biological assets. Empty: the item group's, else proposed from the SNC stock account (32 to 37).",
}

CUSTOM_FIELDS = {
	"Payment Entry": [DISCOUNT_LANDED_COST],
	"Sales Invoice Item": [OFFER_FLAG],
	"Delivery Note Item": [OFFER_FLAG],
	# Item Default rows are per company, on both Item and Item Group.
	"Item Default": ACCOUNT_OVERRIDES,
	# The AT inventory file's category: on the item group, overridable on the item.
	"Item Group": [{**AT_CATEGORY, "insert_after": "parent_item_group"}],
	"Item": [{**AT_CATEGORY, "insert_after": "item_group"}],
}
