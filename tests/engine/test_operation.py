"""The operation is chosen once, from the company and the options, and answers every mode question."""

from perpetual_switch.engine.operation import RESYNC, SCHEME, SWITCH, choose


def test_the_mode_follows_the_company_and_the_scheme_asked():
	assert choose(False).mode == SWITCH
	assert choose(True).mode == RESYNC
	assert choose(True, "item-wise").mode == SCHEME
	# Asked on a periodic company it is still a scheme change, which then says why it cannot be.
	assert choose(False, "item-wise").mode == SCHEME
	assert choose(False, backdated=True).is_backdated and not choose(False).is_backdated


def test_each_operation_answers_its_own_questions():
	switch, resync, scheme = choose(False), choose(True), choose(True, "warehouse-wise")
	assert (switch.syncs_srbnb, resync.syncs_srbnb, scheme.syncs_srbnb) == (True, False, False)
	assert (switch.reads_receipts, resync.reads_receipts, scheme.reads_receipts) == (True, True, False)
	assert resync.reports_srbnb_difference and not switch.reports_srbnb_difference
	assert scheme.stacks_on_a_switch and not switch.stacks_on_a_switch and not resync.stacks_on_a_switch


def test_the_desk_gets_the_title_and_the_steps_of_the_operation():
	described = choose(True, "item-wise", backdated=True).describe()
	assert described["mode"] == SCHEME and described["backdated"] is True
	assert described["title"] == "Change of inventory account scheme (backdated)"
	assert [s["key"] for s in described["steps"]] == ["company", "scheme", "stock", "defaults", "review"]
	assert [s["key"] for s in choose(False).describe(item_wise=True)["steps"]] == [
		"company", "items", "stock", "srbnb", "defaults", "review",
	]  # fmt: skip
	assert [s["key"] for s in choose(True).describe()["steps"]][1] == "warehouses"


def test_each_issue_shows_on_the_step_it_is_about():
	switch, scheme = choose(False), choose(True, "item-wise")
	assert switch.step_of("warehouse_without_account") == "warehouses"
	assert switch.step_of("item_without_inventory_account", item_wise=True) == "items"
	assert switch.step_of("srbnb_account_missing") == "srbnb"
	assert switch.step_of("cutover_in_future") == "review"
	assert scheme.step_of("srbnb_account_missing") == "review"
	assert scheme.step_of("scheme_out_of_sync") == "scheme"


def test_the_summary_names_the_company_and_the_target():
	assert choose(True, "item-wise").summary("ACME").startswith("The wizard moves the stock of ACME to item-wise")
	assert "periodic" in choose(False).summary("ACME")
