from perpetual_switch.perpetual_inventory.doctype.perpetual_switch_repost.perpetual_switch_repost import add_indexes


def execute():
	add_indexes()
