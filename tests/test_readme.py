"""The README's code is real: its commands exist and its examples run as written."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import types
from pathlib import Path

import trio

from actorview.render import to_html
from actorview.view import ActionEvent, InputEvent

README = Path(__file__).parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.DOTALL)


def load_block(source: str, name: str, folder: Path) -> types.ModuleType:
    """Import ``source`` as module ``name`` from a file, as a reader would run it (the
    optimistic layer reads the source of its lambdas)."""
    path = folder / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # attrs and typing resolve names through sys.modules
    spec.loader.exec_module(module)
    return module


def test_the_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README.read_text(), flags=re.DOTALL)
    assert first_block is not None
    commands = first_block.group(1).strip().splitlines()
    assert commands == ["bash .ci/setup && .venv/bin/python -m demo_chat", "bash .ci/test"]
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert 'exec bash "$(dirname "$0")/test"' in ci, ".ci/run must call the README's command"


async def test_the_tour_view_spells_and_stops(
    autojump_clock: trio.abc.Clock, tmp_path: Path
) -> None:
    tour = load_block(python_blocks()[0], "readme_tour", tmp_path)
    view = tour.Speller()
    page = to_html(view.render())
    assert '<input name="typed" av-input="typed">' in page, "the binding is inferred"
    assert '<button disabled av-bind="0">Spell</button>' in page
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(view.run)
        await ref.ask(InputEvent("typed", " trio "))
        await ref.ask(ActionEvent("go"))
        await trio.sleep(0.5)  # two letters at 0.2 s each
        assert view.live.store.read("spelled") == "tr"
        await ref.ask(ActionEvent("halt"))
        await trio.sleep(5)
        assert view.live.store.read("spelled") == "tr", "nothing arrives after cancel"
        await ref.ask(ActionEvent("go"))
        await trio.sleep(1)
        assert view.live.store.read("spelled") == ""
        assert len(view.live.store.stream("lines")) == 1
        nursery.cancel_scope.cancel()


def test_the_actor_example_prints_the_total() -> None:
    source = python_blocks()[1]
    result = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.splitlines()[-1] == "2"


async def test_the_testing_example_passes(autojump_clock: trio.abc.Clock, tmp_path: Path) -> None:
    example = load_block(python_blocks()[2], "readme_testing", tmp_path)
    await example.test_chat_replies(autojump_clock)


async def test_the_starlette_mount_serves_the_api_and_the_chat(tmp_path: Path) -> None:
    from tests.endpoint.harness import fetch, running_hypercorn

    (source,) = [b for b in python_blocks() if "Starlette(" in b and "ChatView" in b]
    serving = load_block(source, "readme_serving", tmp_path)
    async with running_hypercorn(serving.site) as port:
        api = await fetch(port, "/api/status")
        page = await fetch(port, "/chat/")
    assert (api.status, api.body) == (200, '{"ok":true}')
    assert page.status == 200 and 'data-av-socket="/chat/_av/live"' in page.body


async def test_the_navigation_example_patches_its_url(
    autojump_clock: trio.abc.Clock, tmp_path: Path
) -> None:
    from actorview.testing import mount

    (source,) = [block for block in python_blocks() if "handle_params" in block]
    example = load_block(source, "readme_navigation", tmp_path)
    async with mount(example.Articles, url="/?page=3") as view:
        assert view.state["page"] == 3
        await view.click("a[av-patch]")
        assert (view.url, view.state["page"]) == ("/?page=4", 4)
        await view.ref.ask(ActionEvent("last"))
        await view.settle()
        assert (view.url, view.state["page"]) == ("/?page=5", 5)
        await view.click("a[av-navigate]")
        assert view.navigated == "/articles/3"
