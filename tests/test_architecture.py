"""The module structure: one-way layers, no import circles (docs/ARCHITECTURE.md).

Every module under ``actorview/`` is parsed with :mod:`ast`, and every import it makes
counts: at the top, under ``if TYPE_CHECKING:`` and inside functions, since a circle a
type checker or a lazy import hides is still a circle a reader must untangle. An import
``from a.b import c`` is an edge to the module ``a.b.c`` when that is a module, else to
``a.b``. The parent packages Python imports on the way are not edges: the question is what
each module reads, not what the import system runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import actorview

PACKAGE = Path(actorview.__file__).parent

LAYERS: tuple[str, ...] = (
    "actorview.errors",
    "actorview.lifecycle",
    "actorview.logging",
    "actorview._untrusted",
    "actorview.mailbox",
    "actorview.supervisor",
    "actorview.pubsub",
    "actorview.jobs",
    "actorview.render",
    "actorview.declare",
    "actorview.optimistic",
    "actorview.view",
    "actorview.endpoint",
    "actorview.testing",
    "actorview",
)
"""The layers, bottom first: a module may import only from its own layer or below.

``errors``, ``lifecycle`` (the state words), ``logging`` and ``untrusted`` (strict
structuring and quoting of input from outside) are the foundation; the actor runtime
(``mailbox``, then ``supervisor``), the topic bus (``pubsub``) and the HTML layer
(``render``) know nothing of views; ``declare`` holds what a view class body declares
and the validator;
``optimistic`` plans the browser's predictions from those declarations; ``view`` is the
live runtime (the ``View`` actor, its store and stream runners); ``endpoint`` serves
views; ``testing`` drives them; the root ``actorview`` package re-exports the public
names."""


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every actorview module ``module`` imports, anywhere in its source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield submodule if submodule in MODULES else base


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, path in MODULES.items():
        for target in _imported(module, path):
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def _layer(module: str) -> str:
    """The layer ``module`` belongs to: the longest layer name that is it or its parent."""
    return max(
        (layer for layer in LAYERS if module == layer or module.startswith(layer + ".")),
        key=len,
    )


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


GRAPH = _graph()


def test_every_module_belongs_to_a_declared_layer() -> None:
    top_level = {module.split(".")[1] for module in MODULES if module != "actorview"}
    declared = {layer.split(".")[1] for layer in LAYERS if layer != "actorview"}
    assert top_level <= declared, f"add {sorted(top_level - declared)} to LAYERS"


def test_no_import_circle_between_modules() -> None:
    assert _cycles(GRAPH) == []


def test_no_import_circle_between_layers() -> None:
    layers: dict[str, set[str]] = {layer: set() for layer in LAYERS}
    for module, targets in GRAPH.items():
        for target in targets:
            if _layer(module) != _layer(target):
                layers[_layer(module)].add(_layer(target))
    assert _cycles(layers) == []


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_from_below(layer: str) -> None:
    rank = {name: position for position, name in enumerate(LAYERS)}
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) == layer
        for target in targets
        if rank[_layer(target)] > rank[layer]
    )
    assert upward == []


def test_the_graph_sees_imports_under_type_checking_and_in_functions(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from actorview.render import _nodes\n"
        "def late():\n"
        "    import actorview.errors\n",
        encoding="utf-8",
    )
    assert set(_imported("actorview.probe", source)) == {
        "typing",
        "actorview.render._nodes",
        "actorview.errors",
    }
