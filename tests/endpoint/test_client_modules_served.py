"""The page loads the browser client as an ES module, and the endpoint serves every module
it imports from its own origin, as JavaScript (browsers refuse a module of another type)."""

from __future__ import annotations

import re

from actorview.endpoint import Application, Route
from actorview.optimistic import client_modules
from tests.endpoint.harness import Counter, fetch, running
from tests.endpoint.urls import unhashed

SECRET = b"test-secret-" * 3


def counter_app() -> Application:
    return Application([Route("/", Counter)], secret=SECRET)


async def test_the_page_loads_client_js_as_a_module_after_the_classic_scripts() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
    scripts = re.findall(r"<script[^>]*>", unhashed(page.body))
    assert scripts[-1] == '<script type="module" src="/_av/client.js">'
    assert all('type="module"' not in tag and " defer" in tag for tag in scripts[:-1])
    assert "<script>" not in page.body, "no inline script: the CSP is script-src 'self'"


async def test_every_client_module_is_served_beside_client_js_as_javascript() -> None:
    async with running(counter_app()) as port:
        for name, path in client_modules().items():
            served = await fetch(port, f"/_av/{name}")
            assert served.status == 200, name
            assert served.headers["content-type"] == "text/javascript; charset=utf-8", name
            assert served.body == path.read_text(encoding="utf-8"), name
        assert (await fetch(port, "/_av/runtime.js")).status == 404, "not a module: optimistic.js"


async def test_the_page_preloads_every_client_module_in_one_round_trip() -> None:
    async with running(counter_app()) as port:
        page = await fetch(port)
    body = unhashed(page.body)
    preloaded = re.findall(r'<link rel="modulepreload" href="/_av/([^"]+)">', body)
    assert sorted(preloaded) == sorted(client_modules())
