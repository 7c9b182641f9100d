from perpetual_switch.engine.accounts import resolve_all
from perpetual_switch.engine.models import Warehouse

C = "Co"


def tree():
	return [
		Warehouse("Root", C, None, True),
		Warehouse("Region", C, "Root", True, "Acc Region"),
		Warehouse("City", C, "Region", True),
		Warehouse("Shop", C, "City"),
		Warehouse("Own", C, "City", False, "Acc Own"),
		Warehouse("Loose", C, "Root"),
	]


def test_own_parent_grandparent_default_none():
	resolved = resolve_all(tree(), "Acc Default")
	assert resolved["Own"] == ("Acc Own", "warehouse", "Own")
	assert resolved["City"] == ("Acc Region", "parent", "Region")
	assert resolved["Shop"] == ("Acc Region", "parent", "Region")  # grandparent
	assert resolved["Loose"] == ("Acc Default", "company_default", None)
	assert resolve_all(tree(), None)["Loose"] == (None, None, None)


def test_parent_cycle_and_missing_parent_do_not_hang():
	cyclic = [Warehouse("A", C, "B"), Warehouse("B", C, "A"), Warehouse("Orphan", C, "Gone")]
	resolved = resolve_all(cyclic, None)
	assert resolved["A"] == (None, None, None)
	assert resolved["Orphan"] == (None, None, None)
