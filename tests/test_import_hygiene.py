"""The shape of the code, checked from its source: no import cycle among the engine
modules, every import kept lazy (inside a function, for start-up time) resolves, SQL
only in ``store/``, Textual only in ``ui/``. (``lint-imports`` checks the layers.)"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest

import termnews

SRC = Path(termnews.__file__).parent
# Imported lazily on purpose and not installed everywhere: PyStemmer is CPython-only
# (pyproject.toml); terms.py falls back to the pure-Python stemmer without it.
OPTIONAL = {"Stemmer"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, ast.Module]:
    return {_module_name(p): ast.parse(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(SRC.rglob("*.py"))}


MODULES = _modules()


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if (SRC.parent / module.replace(".", "/") / "__init__.py").exists() \
        else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(module: str, tree: ast.Module) -> Iterator[tuple[ast.stmt, str, list[str]]]:
    """Every import statement anywhere in the module: (node, module imported, names)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            yield node, _absolute(module, node), [a.name for a in node.names]


def _target(name: str, names: list[str]) -> list[str]:
    """The termnews modules an import reaches (a name may be a submodule)."""
    found = []
    for n in names:
        if f"{name}.{n}" in MODULES:
            found.append(f"{name}.{n}")
    if name in MODULES:
        found.append(name)
    return found


def _engine_graph() -> dict[str, set[str]]:
    """termnews module -> the termnews modules it imports (lazy and type-only imports
    included: a cycle through them is still a cycle of the design). ui/ is left out."""
    graph: dict[str, set[str]] = {}
    for module, tree in MODULES.items():
        if module.startswith("termnews.ui"):
            continue
        edges = graph.setdefault(module, set())
        for _node, name, names in _imports(module, tree):
            if name == "termnews" or name.startswith("termnews."):
                edges.update(t for t in _target(name, names)
                             if not t.startswith("termnews.ui") and t != module)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_the_engine_modules() -> None:
    graph = _engine_graph()
    assert "termnews.fulltext" in graph and "termnews.library" in graph
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _lazy_imports() -> Iterator[tuple[str, int, str, list[str]]]:
    """Imports inside functions: (module, line, module imported, names)."""
    for module, tree in MODULES.items():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        yield module, node.lineno, alias.name, []
                elif isinstance(node, ast.ImportFrom):
                    yield module, node.lineno, _absolute(module, node), \
                        [a.name for a in node.names]


LAZY = sorted(set((m, line, name, tuple(names)) for m, line, name, names in _lazy_imports()))


def test_there_are_lazy_imports_to_check() -> None:
    assert len(LAZY) > 100
    assert any(name == "termnews.related" for _m, _l, name, _n in LAZY)


@pytest.mark.parametrize(("module", "line", "name", "names"), LAZY,
                         ids=[f"{m}:{line}" for m, line, _n, _ns in LAZY])
def test_every_lazy_import_resolves(module: str, line: int, name: str,
                                    names: tuple[str, ...]) -> None:
    """A lazy import that no longer resolves fails only when its code runs (a key that
    silently does nothing): every one is tried here."""
    if name.split(".")[0] in OPTIONAL:
        return
    imported = importlib.import_module(name)
    for attr in names:
        if hasattr(imported, attr):
            continue
        assert importlib.util.find_spec(f"{name}.{attr}") is not None, \
            f"{module}:{line}: {name} has no {attr}"


SQL_CALLS = {"execute", "executemany", "executescript"}


def test_sql_runs_in_store_only() -> None:
    outside = [
        f"{module}:{node.lineno}"
        for module, tree in MODULES.items() if not module.startswith("termnews.store")
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        and node.func.attr in SQL_CALLS
    ]
    assert outside == []


def test_textual_in_ui_only() -> None:
    outside = [
        f"{module}:{node.lineno}"
        for module, tree in MODULES.items() if not module.startswith("termnews.ui")
        for node, name, _names in _imports(module, tree)
        if name == "textual" or name.startswith(("textual.", "textual_image"))
    ]
    assert outside == []


def test_no_fallback_for_installed_packages() -> None:
    """``except ImportError`` only around a package that may be missing (OPTIONAL): a
    fallback for a dependency hides a broken import."""
    found = []
    for module, tree in MODULES.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Try):
                continue
            caught = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if not any("ImportError" in c or "ModuleNotFoundError" in c for c in caught):
                continue
            tried = {name.split(".")[0] for stmt in node.body
                     for _n, name, _names in _imports(module, ast.Module([stmt], []))}
            if not tried <= OPTIONAL or not tried:
                found.append(f"{module}:{node.lineno} {sorted(tried)}")
    assert found == []
