"""Sanity of the app's files, without a site: doctype JSON, hooks, patches, modules."""

import ast
import importlib
import json
import pathlib

import pytest

APP = pathlib.Path(__file__).resolve().parents[1] / "perpetual_switch"
DOCTYPES = sorted(APP.glob("*/doctype/*/*.json"))


def test_doctypes_found():
	names = {json.loads(p.read_text())["name"] for p in DOCTYPES}
	assert {
		"Switch to Perpetual Inventory",
		"Perpetual Switch Warehouse",
		"Perpetual Switch Journal Line",
		"Perpetual Switch Receipt",
		"Perpetual Switch Change",
		"Perpetual Switch Clearing",
	} <= names


@pytest.mark.parametrize("path", DOCTYPES, ids=lambda p: p.stem)
def test_doctype_json_is_consistent(path):
	doc = json.loads(path.read_text())
	assert doc["doctype"] == "DocType"
	assert path.stem == doc["name"].lower().replace(" ", "_") == path.parent.name
	modules = (APP / "modules.txt").read_text().split("\n")
	assert doc["module"] in modules
	assert path.parent.parent.parent.name == doc["module"].lower().replace(" ", "_")
	fieldnames = [f["fieldname"] for f in doc["fields"]]
	assert len(fieldnames) == len(set(fieldnames)), "duplicate fieldnames"
	assert doc["field_order"] == fieldnames
	known = {json.loads(p.read_text())["name"] for p in DOCTYPES}
	for field in doc["fields"]:
		if field["fieldtype"] == "Table":
			assert field["options"] in known
		if field["fieldtype"] in ("Link", "Table", "Dynamic Link", "Select"):
			assert field.get("options"), field["fieldname"]
	if not doc.get("istable"):
		assert doc["permissions"], "a standalone doctype needs permissions"
	if doc.get("is_submittable"):
		assert "amended_from" in fieldnames
		writers = {p["role"] for p in doc["permissions"] if p.get("submit") or p.get("cancel") or p.get("create")}
		assert writers == {"Accounts Manager", "System Manager"}
	controller = path.with_suffix(".py")
	assert controller.exists() and (path.parent / "__init__.py").exists()
	classes = [n.name for n in ast.parse(controller.read_text()).body if isinstance(n, ast.ClassDef)]
	assert doc["name"].replace(" ", "") in classes


def hook_paths(hooks) -> list[str]:
	"""Every dotted path the app's hooks name."""
	paths = [
		p
		for events in hooks.doc_events.values()
		for handlers in events.values()
		for p in ([handlers] if isinstance(handlers, str) else handlers)
	]
	paths += [p for overrides in hooks.regional_overrides.values() for p in overrides.values()]
	paths += list(hooks.jinja["methods"]) + [hooks.after_install, hooks.before_uninstall]
	paths += [p for jobs in hooks.scheduler_events.values() for p in jobs]
	return paths


def defined_functions(module: str) -> set[str]:
	tree = ast.parse((APP.parent / (module.replace(".", "/") + ".py")).read_text())
	return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


def test_hooks_importable_and_dotted_paths_name_module_level_functions():
	hooks = importlib.import_module("perpetual_switch.hooks")
	assert hooks.app_name == "perpetual_switch"
	paths = hook_paths(hooks)
	assert len(paths) >= 10
	for path in paths:
		module, _, name = path.rpartition(".")
		assert name in defined_functions(module), path


def test_patches_txt_entries_name_what_exists():
	text = (APP / "patches.txt").read_text()
	assert "[pre_model_sync]" in text and "[post_model_sync]" in text
	entries = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith(("#", "["))]
	assert entries
	for line in entries:
		if line.startswith("execute:"):
			code = line[len("execute:") :].split("#")[0]
			tree = ast.parse(code)
			imports = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
			assert imports, line
			for node in imports:
				for alias in node.names:
					assert alias.name in defined_functions(node.module), line
		else:
			module = line.split()[0]
			assert "execute" in defined_functions(module), line


def test_engine_never_imports_frappe():
	for path in (APP / "engine").rglob("*.py"):
		tree = ast.parse(path.read_text())
		for node in ast.walk(tree):
			names = []
			if isinstance(node, ast.Import):
				names = [a.name for a in node.names]
			elif isinstance(node, ast.ImportFrom):
				names = [node.module or ""]
			assert not any(n.split(".")[0] in ("frappe", "erpnext") for n in names), path


def test_no_hard_coded_desk_path():
	"""ERPNext 16 moved the desk from /app to /desk: links go through Frappe's route helpers."""
	import re

	pattern = re.compile(r"""["'`(]/app(/|["'`?])""")
	found = []
	for path in sorted(APP.rglob("*")):
		if path.suffix in {".py", ".js", ".json", ".html"} and "__pycache__" not in path.parts:
			for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
				if pattern.search(line):
					found.append(f"{path.relative_to(APP)}:{number}: {line.strip()}")
	assert not found, "hard-coded /app paths:\n" + "\n".join(found)
