"""The browser client's ES modules: one folder of served names, imports that resolve, no
import circle, and one direction (docs/ARCHITECTURE.md, "The browser side").

``actorview/render/static/`` holds the entry ``client.js`` and the modules below the
optimistic layer; ``actorview/optimistic/`` holds ``bindings.js`` and ``predict.js``. Only
the entry, which wires the client together, may import an optimistic module.
"""

from __future__ import annotations

import re
from pathlib import Path

from actorview.optimistic import CLIENT_MODULES, client_modules
from actorview.render import client_modules as render_client_modules
from actorview.render import client_script_path

IMPORT = re.compile(r'^import \{[^}]*\} from "\./(?P<name>[\w.-]+)";$', re.MULTILINE)


def _imports(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    assert "import(" not in source and "require(" not in source, path.name
    return IMPORT.findall(source)


def test_every_import_names_a_served_module() -> None:
    modules = client_modules()
    for name, path in modules.items():
        for imported in _imports(path):
            assert imported in modules, f"{name} imports {imported}, which is not served"


def test_the_modules_import_one_way_with_no_circle() -> None:
    graph = {name: set(_imports(path)) for name, path in client_modules().items()}
    done: set[str] = set()

    def visit(name: str, trail: tuple[str, ...]) -> None:
        assert name not in trail, f"import circle: {' -> '.join((*trail, name))}"
        if name in done:
            return
        for imported in graph[name]:
            visit(imported, (*trail, name))
        done.add(name)

    for name in graph:
        visit(name, ())
    assert done == set(graph)


def test_only_the_entry_reaches_the_optimistic_modules() -> None:
    for name, path in render_client_modules().items():
        if path != client_script_path():
            assert not set(_imports(path)) & set(CLIENT_MODULES), name
    assert set(CLIENT_MODULES) <= set(_imports(client_script_path()))
