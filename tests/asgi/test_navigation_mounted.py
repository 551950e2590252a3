"""Live navigation under a mount prefix: examples/navigation.py mounted at ``/shop`` in
Starlette, served by hypercorn. The page's hrefs carry the prefix, the view's do not,
and every URL the server hands the page (url, render nav, load) carries it again."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from examples.navigation import PAGES, app
from tests.endpoint.harness import fetch, join, live, receive, running_hypercorn, send


async def test_navigation_through_a_mount_prefix() -> None:
    shop = app(secret=b"mounted-secret-" * 3)
    site = Starlette(routes=[Mount("/shop", app=shop)], lifespan=shop.lifespan)
    async with running_hypercorn(site) as port:
        page = await fetch(port, "/shop/?page=2")
        assert f"Page 2 of {PAGES}" in page.body
        async with live(port, path="/shop/_av/live") as ws:
            await join(ws, page.token, path="/shop/")
            await send(ws, t="nav", href="/shop/?page=3", kind="patch")
            patch = await receive(ws)
            url = await receive(ws)
            await send(ws, t="nav", href="/shop/articles/2", kind="navigate")
            moved = await receive(ws)
            await send(ws, t="event", ref=1, name="home")  # ops.navigate("/"), in the app
            await receive(ws)
            home = await receive(ws)
            await send(ws, t="nav", href="/shop/nowhere", kind="navigate")
            load = await receive(ws)
    assert ["t", [1, 0], f"Page 3 of {PAGES}"] in patch
    assert url["href"] == "/shop/?page=3"
    assert moved["nav"]["href"] == "/shop/articles/2"
    assert moved["nav"]["script"] == "/shop/_av/program/Article.js"
    assert home["nav"]["href"] == "/shop/"
    assert load == {"t": "load", "href": "/shop/nowhere"}
