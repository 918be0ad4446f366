"""The package layout: imports point down the pipeline, there are no import circles,
and the server side never loads the index builder.

content <- encoders <- index <- search <- web <- cli; ops (the feedback database)
stands beside the pipeline and does not import the index or the search.
"""

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

KB = Path(__file__).resolve().parent.parent / "kb"
# what each part of kb may import besides itself
ALLOWED = {
    "content": set(),
    "encoders": {"content"},
    "index": {"content", "encoders"},
    "search": {"content", "encoders", "index"},
    "ops": {"content", "config"},
    "config": {"encoders"},
    "web": {"content", "encoders", "index", "search", "ops", "config"},
    "cli": {"content", "encoders", "index", "search", "ops", "config", "web"},
}
# An editor's save re-indexes inside the server: this module imports the builder
# inside the function that builds, so a server loads it only once an editor saves.
LAZY_BUILDER = {"kb.web.editor_reindex"}
BUILDER = {"kb.index.build", "kb.index.reuse", "kb.index.publish", "kb.index.vectors"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(KB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """module -> the kb modules it imports (anywhere in it, also inside functions)."""
    graph: dict[str, set[str]] = defaultdict(set)
    modules = {_module_name(p) for p in KB.rglob("*.py")}
    for path in KB.rglob("*.py"):
        name = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # "from kb.index import vectors" imports the module kb.index.vectors (its
                # package is loaded first by any import of a submodule, so it is no edge)
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                           else node.module for a in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
        graph.setdefault(name, set())
    return graph


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "kb"


def test_imports_point_down_the_pipeline():
    wrong = sorted(f"{m} imports {t}" for m, targets in _imports().items() for t in targets
                   if _part(m) in ALLOWED and _part(t) != _part(m) and _part(t) != "kb"
                   and _part(t) not in ALLOWED[_part(m)])
    assert wrong == []


def test_every_part_of_kb_has_a_rule():
    parts = {_part(m) for m in _imports()} - {"kb"}
    assert parts <= set(ALLOWED), parts - set(ALLOWED)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
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


def test_no_import_circles():
    assert _cycles(_imports()) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        m = todo.pop()
        for t in graph.get(m, ()):
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return seen


@pytest.mark.parametrize("start", ["kb.index.loaded", "kb.index.dense", "kb.search.engine", "kb.web"])
def test_the_server_side_never_imports_the_builder(start):
    graph = _imports()
    starts = [m for m in graph if m == start or m.startswith(start + ".")]
    for lazy in LAZY_BUILDER:  # their imports of the builder are checked below
        graph[lazy] = graph[lazy] - BUILDER
    reachable = set(starts).union(*(_reachable(graph, m) for m in starts))
    assert reachable & BUILDER == set()


def _module_level_imports(module: str) -> set[str]:
    path = KB.parent.joinpath(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names.update({node.module} | {f"{node.module}.{a.name}" for a in node.names})
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_the_editors_reindex_imports_the_builder_only_when_it_runs():
    assert _module_level_imports("kb.web.editor_reindex") & BUILDER == set()


def test_loading_the_web_app_leaves_the_builder_unloaded():
    code = ("import sys, kb.web, kb.web.live_index, kb.index.loaded; "
            f"print(sorted(m for m in sys.modules if m in {sorted(BUILDER)!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=KB.parent)
    assert out.stdout.strip() == "[]"
