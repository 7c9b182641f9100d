"""Whether a switch can be rolled back, from facts alone: every reason at once, decided on the
whole count of documents posted after it, not on the few it names."""

from datetime import date

from perpetual_switch.engine.rollback import EditedValue, RollbackFacts, rollback_blockers

CUT = date(2025, 12, 31)


def codes(facts, translate=str):
	return [i.code for i in rollback_blockers(facts, translate)]


def test_nothing_after_it_rolls_back():
	assert rollback_blockers(RollbackFacts("SW-1", CUT)) == ()


def test_a_repost_still_running_is_the_only_reason_given():
	facts = RollbackFacts("SW-1", CUT, reposting=True, posted_after=("Stock Entry SE-9",), posted_after_count=1)
	assert codes(facts) == ["rollback_while_reposting"]


def test_every_reason_at_once_and_the_count_of_documents_beyond_those_named():
	named = tuple(f"Stock Entry SE-{n}" for n in range(5))
	facts = RollbackFacts(
		"SW-1",
		CUT,
		closed_after=("Period Closing Voucher PCV-1",),
		posted_after=named,
		posted_after_count=12,
		later_switches=("SW-2",),
		edited=(EditedValue("stock_adjustment_account", "Wind Power LLC", "Stock Adjustment - WP", None),),
	)
	issues = rollback_blockers(facts)
	assert [i.code for i in issues] == [
		"rollback_closed_after_cutover",
		"rollback_documents_after_switch",
		"rollback_later_switch",
		"rollback_overwrites_later_edits",
	]
	documents = issues[1].message
	assert "SE-4" in documents and "(+7)" in documents and "2025-12-31" in documents
	assert "stock_adjustment_account of Wind Power LLC was set to Stock Adjustment - WP by the switch and is - now" in issues[3].message


def test_confirmed_later_edits_do_not_block_and_one_document_beyond_a_sample_still_does():
	edited = (EditedValue("f", "D", 1, 2),)
	assert codes(RollbackFacts("SW-1", CUT, edited=edited, overwrite_later_edits=True)) == []
	assert codes(RollbackFacts("SW-1", CUT, posted_after=(), posted_after_count=1)) == ["rollback_documents_after_switch"]


def test_the_later_edits_read_in_the_readers_language():
	facts = RollbackFacts("SW-1", CUT, edited=(EditedValue("f", "D", 1, 2),))
	spanish = {"{field} of {document} was set to {set_to} by the switch and is {now} now": "{field} de {document}: {set_to} -> {now}"}
	assert "f de D: 1 -> 2" in rollback_blockers(facts, lambda text: spanish.get(text, text))[0].message
