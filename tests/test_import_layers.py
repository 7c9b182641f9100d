"""No module of the app imports itself back through others: the import graph of perpetual_switch,
imports inside functions included, has no loop. Read from the source, so it needs no Frappe."""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "perpetual_switch"


def module_names(root: pathlib.Path) -> dict[str, pathlib.Path]:
	names = {}
	for path in root.rglob("*.py"):
		parts = list(path.relative_to(root.parent).with_suffix("").parts)
		if parts[-1] == "__init__":
			parts.pop()
		names[".".join(parts)] = path
	return names


def import_graph(root: pathlib.Path = PACKAGE) -> dict[str, set[str]]:
	"""Each module of the app and the modules of the app it imports, wherever in the file."""
	modules = module_names(root)
	graph: dict[str, set[str]] = {name: set() for name in modules}
	for name, path in modules.items():
		package = name if path.name == "__init__.py" else name.rpartition(".")[0]
		for node in ast.walk(ast.parse(path.read_text(), str(path))):
			targets = []
			if isinstance(node, ast.Import):
				targets = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom):
				base = node.module or ""
				if node.level:
					anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
					base = ".".join(anchor + ([base] if base else []))
				# `from package import module` imports the module; `from module import name`, the module.
				targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
			for target in targets:
				while target and target not in modules:
					target = target.rpartition(".")[0]
				if target and target != name:
					graph[name].add(target)
	return graph


def import_loops(graph: dict[str, set[str]]) -> list[list[str]]:
	"""The strongly connected groups of more than one module (Tarjan's algorithm), each sorted."""
	index: dict[str, int] = {}
	low: dict[str, int] = {}
	stack: list[str] = []
	on_stack: set[str] = set()
	loops: list[list[str]] = []

	def visit(node: str) -> None:
		index[node] = low[node] = len(index)
		stack.append(node)
		on_stack.add(node)
		for target in sorted(graph[node]):
			if target not in index:
				visit(target)
				low[node] = min(low[node], low[target])
			elif target in on_stack:
				low[node] = min(low[node], index[target])
		if low[node] == index[node]:
			group = []
			while True:
				member = stack.pop()
				on_stack.discard(member)
				group.append(member)
				if member == node:
					break
			if len(group) > 1:
				loops.append(sorted(group))

	for node in sorted(graph):
		if node not in index:
			visit(node)
	return loops


def test_the_loop_finder_finds_a_loop_through_others():
	graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
	assert import_loops(graph) == [["a", "b", "c"]]
	assert import_loops({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_imports_inside_functions(tmp_path):
	package = tmp_path / "pkg"
	(package / "services").mkdir(parents=True)
	(package / "__init__.py").write_text("")
	(package / "services" / "__init__.py").write_text("")
	(package / "services" / "one.py").write_text("from pkg.services import two\n")
	(package / "services" / "two.py").write_text("def f():\n\tfrom pkg.services.one import f\n")
	assert import_loops(import_graph(package)) == [["pkg.services.one", "pkg.services.two"]]


def test_no_module_of_the_app_imports_itself_back():
	assert import_loops(import_graph()) == []


def test_the_switch_services_are_layered():
	"""switch (planning) < backdated (repost) < lifecycle (apply, rollback) < background (jobs)."""
	graph = import_graph()
	layers = ["switch", "backdated", "lifecycle", "background"]
	for lower, name in enumerate(layers):
		imported = {t.rpartition(".")[2] for t in graph[f"perpetual_switch.services.{name}"]}
		assert not imported & set(layers[lower + 1 :]), (name, imported)
