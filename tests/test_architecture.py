"""The architecture: imports between stagify's modules only go down, so the graph of them has no circle.

Every module of the package is read with ``ast`` (nothing is imported) and every import counts: at
module level, inside a function (a lazy import that dodges a circle is still a circle) and under
``TYPE_CHECKING`` (a type that points back up is a dependency that points back up). Importing
``a.b.c`` also runs the packages ``a`` and ``a.b``, so those count as imported too, except the
importer's own enclosing packages, which Python has already started.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

import stagify

PACKAGE = Path(stagify.__file__).resolve().parent


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    where: str  # path:LINE of the import statement


@dataclass(frozen=True)
class Module:
    name: str  # dotted, e.g. stagify.languages.go.facts
    is_package: bool  # an __init__.py
    where: str  # the path shown in messages
    text: str


def package_modules(root: Path = PACKAGE) -> list[Module]:
    """Every .py file under ``root``, named the way Python names it."""
    found = []
    for path in sorted(root.rglob("*.py")):
        parts = (root.name, *path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        found.append(Module(name, is_package, str(path.relative_to(root.parent)), path.read_text(encoding="utf-8")))
    return found


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _imported(module: Module, node: ast.Import | ast.ImportFrom, known: set[str]) -> Iterator[str]:
    """The modules of the package one import statement runs."""
    if isinstance(node, ast.Import):
        named = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.name.split(".")
            if not module.is_package:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join([*base, node.module] if node.module else base)
        else:
            origin = node.module or ""
        # ``from pkg import name``: the submodule pkg.name when there is one, otherwise pkg itself
        named = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in known else origin for alias in node.names]
    own = {*_ancestors(module.name), module.name}
    for target in named:
        for name in [*_ancestors(target), target]:
            if name in known and name not in own:
                yield name


def import_edges(modules: list[Module]) -> list[Edge]:
    """One edge per import statement and module it runs, with where the statement is."""
    known = {m.name for m in modules}
    edges = []
    for module in modules:
        for node in ast.walk(ast.parse(module.text, module.where)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges += [Edge(module.name, target, f"{module.where}:{node.lineno}") for target in _imported(module, node, known)]
    return edges


def _graph(edges: list[Edge]) -> dict[str, dict[str, Edge]]:
    graph: dict[str, dict[str, Edge]] = {}
    for edge in edges:
        graph.setdefault(edge.source, {}).setdefault(edge.target, edge)  # the first statement stands for the rest
        graph.setdefault(edge.target, {})
    return graph


def _components(graph: Mapping[str, Mapping[str, Edge]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            members = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                members.append(top)
                if top == node:
                    break
            if len(members) > 1:
                found.append(sorted(members))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _shortest_cycle(graph: Mapping[str, Mapping[str, Edge]], members: list[str]) -> list[Edge]:
    """A shortest circle through the first member of a component, as the imports that make it."""
    inside = set(members)
    start = members[0]
    paths: dict[str, list[Edge]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt, edge in sorted(graph[node].items()):
            if nxt == start:
                return [*paths[node], edge]
            if nxt in inside and nxt not in paths:
                paths[nxt] = [*paths[node], edge]
                queue.append(nxt)
    raise AssertionError(f"no circle through {start}")  # a component always has one


def cycles(modules: list[Module]) -> list[str]:
    """Each import circle, named: its modules, and one circle through them import by import."""
    graph = _graph(import_edges(modules))
    named = []
    for members in _components(graph):
        circle = _shortest_cycle(graph, members)
        steps = "\n".join(f"    {e.source} -> {e.target}  ({e.where})" for e in circle)
        named.append(f"{' <-> '.join(members) if len(members) == 2 else ', '.join(members)}:\n{steps}")
    return named


def test_stagify_modules_import_each_other_without_a_circle() -> None:
    found = cycles(package_modules())
    if found:
        pytest.fail("import circles between stagify modules:\n" + "\n".join(found), pytrace=False)


def test_the_import_graph_sees_the_package() -> None:
    """The check above reads the real tree: the pipeline's own imports are in the graph."""
    edges = {(e.source, e.target) for e in import_edges(package_modules())}
    assert ("stagify.api", "stagify.plan.planner") in edges
    assert ("stagify.api", "stagify.languages") in edges
    assert len({m.name for m in package_modules()}) > 40


def fake(name: str, text: str, is_package: bool = False) -> Module:
    return Module(name, is_package, name.replace(".", "/") + ("/__init__.py" if is_package else ".py"), text)


def test_a_circle_is_found_and_named_with_its_lines() -> None:
    modules = [
        fake("pkg", "", is_package=True),
        fake("pkg.a", "from .b import thing\n"),
        fake("pkg.b", "def late():\n    from . import a\n"),
    ]
    assert cycles(modules) == ["pkg.a <-> pkg.b:\n    pkg.a -> pkg.b  (pkg/a.py:1)\n    pkg.b -> pkg.a  (pkg/b.py:2)"]


def test_function_level_and_type_checking_imports_count() -> None:
    modules = [
        fake("pkg", "", is_package=True),
        fake("pkg.low", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.high import High\n"),
        fake("pkg.high", "import pkg.low\n"),
    ]
    assert len(cycles(modules)) == 1


def test_a_package_that_imports_its_own_modules_is_no_circle() -> None:
    """``pkg/__init__`` importing ``pkg.a`` while ``pkg.a`` imports its sibling ``pkg.b`` is the usual registry."""
    modules = [
        fake("pkg", "from .a import A\nfrom .b import B\n", is_package=True),
        fake("pkg.a", "from .b import B\n"),
        fake("pkg.b", "X = 1\n"),
        fake("top", "from pkg.b import X\n"),
    ]
    assert cycles(modules) == []
    assert ("top", "pkg") in {(e.source, e.target) for e in import_edges(modules)}  # importing pkg.b runs pkg


def test_importing_a_module_of_a_package_runs_the_package() -> None:
    """A module below the registry that imports a sibling of the languages closes a circle through the registry."""
    modules = [
        fake("top", "", is_package=True),
        fake("top.langs", "from .go import GO\n", is_package=True),
        fake("top.langs.go", "from ..detect import Detection\nGO = 1\n"),
        fake("top.langs.types", "Detection = 1\n"),
        fake("top.detect", "from .langs.types import Detection\n"),
    ]
    assert len(cycles(modules)) == 1


# The pipeline's layers, lowest first: a module may import its own layer and the layers below it only.
LAYERS = (
    ("stagify.errors", "stagify.options", "stagify.patterns"),
    ("stagify.context",),
    ("stagify.dockerfile",),
    ("stagify.images",),
    ("stagify.languages", "stagify.config"),
    ("stagify.plan",),
    ("stagify.api", "stagify.write"),
    ("stagify.fleet",),
    ("stagify.cli", "stagify.__main__"),
)


def layer_of(name: str) -> int | None:
    for rank, prefixes in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return rank
    return None  # the package itself (``stagify``: the public surface, above everything)


def test_every_module_has_a_layer() -> None:
    unplaced = [m.name for m in package_modules() if m.name != "stagify" and layer_of(m.name) is None]
    assert unplaced == [], "add these modules to LAYERS (and to ARCHITECTURE.md)"


def upward_imports(modules: list[Module]) -> list[str]:
    upward = []
    for edge in import_edges(modules):
        source, target = layer_of(edge.source), layer_of(edge.target)
        if source is not None and target is not None and target > source:
            upward.append(f"{edge.where}: {edge.source} ({LAYERS[source][0]}) imports {edge.target} ({LAYERS[target][0]})")
    return upward


def test_imports_only_go_down_the_pipeline() -> None:
    assert upward_imports(package_modules()) == []


def test_an_upward_import_is_named() -> None:
    modules = [
        fake("stagify", "", is_package=True),
        fake("stagify.dockerfile", "", is_package=True),
        fake("stagify.plan", "", is_package=True),
        fake("stagify.plan.planner", "from ..dockerfile import walk\n"),
        fake("stagify.dockerfile.walk", "def f():\n    from ..plan import planner\n"),
    ]
    found = upward_imports(modules)
    assert any("stagify.dockerfile.walk (stagify.dockerfile) imports stagify.plan.planner" in f for f in found), found
    assert not any(f.startswith("stagify/plan/planner.py") for f in found)


def test_the_planner_is_in_parts() -> None:
    """No module of the planner over 400 lines and no class in it over 200: one module per question."""
    too_big = []
    for module in package_modules():
        if not module.name.startswith("stagify.plan"):
            continue
        lines = module.text.count("\n")
        if lines > 400:
            too_big.append(f"{module.where}: {lines} lines")
        for node in ast.walk(ast.parse(module.text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None and node.end_lineno - node.lineno >= 200:
                too_big.append(f"{module.where}:{node.lineno}: class {node.name} is {node.end_lineno - node.lineno + 1} lines")
    assert too_big == []


# Each third-party library has one owning module (STYLE.md): the rest of the package goes through it, so a change of
# library, or of how it is loaded (lazily: rich and libcst cost start-up time), is one module's business.
OWNERS = {
    "rich": "stagify.cli.terminal",
    "typer": "stagify.cli.app",
    "jinja2": "stagify.plan.render",
    "dockerfile_parse": "stagify.dockerfile.parse",
    "libcst": "stagify.context.pyscan",
    "yaml": "stagify.context.compose",
    "packaging": "stagify.images.ranges",
    "nodesemver": "stagify.images.ranges",
}


def foreign_imports(modules: list[Module]) -> list[str]:
    """Each import of an owned library outside its owner, as ``path:LINE: module imports library (owner: ...)``."""
    found = []
    for module in modules:
        for node in ast.walk(ast.parse(module.text, module.where)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                library = name.split(".")[0]
                owner = OWNERS.get(library)
                if owner is not None and module.name != owner:
                    found.append(f"{module.where}:{node.lineno}: {module.name} imports {library} (owner: {owner})")
    return found


def test_each_library_is_imported_by_its_owner_only() -> None:
    """Imports inside functions and under TYPE_CHECKING count: a type from rich in another module is still rich."""
    assert foreign_imports(package_modules()) == []


def test_the_owners_exist_and_use_their_library() -> None:
    modules = {m.name: m for m in package_modules()}
    for library, owner in OWNERS.items():
        assert owner in modules, f"{owner} (owner of {library}) is not a module"
        assert f"import {library}" in modules[owner].text or f"from {library}" in modules[owner].text, (library, owner)


def test_a_library_imported_outside_its_owner_is_named() -> None:
    modules = [
        fake("stagify.cli.terminal", "from rich.table import Table\n"),
        fake("stagify.cli.app", "def f():\n    from rich.console import Console\n"),
        fake("stagify.cli.report", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import rich.progress\n"),
    ]
    assert foreign_imports(modules) == [
        "stagify/cli/app.py:2: stagify.cli.app imports rich (owner: stagify.cli.terminal)",
        "stagify/cli/report.py:3: stagify.cli.report imports rich (owner: stagify.cli.terminal)",
    ]
