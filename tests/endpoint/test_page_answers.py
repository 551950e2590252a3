"""A view's mount or load answering "not found" (404) or "go there" (303), on both
transports, and a live navigation landing on such a view."""

from __future__ import annotations

import trio_websocket

from actorview.endpoint import Application, Route
from actorview.render import Element, h
from actorview.view import PageNotFound, PageRedirect, PageUrl, View, state
from tests.endpoint.harness import fetch, join, live, receive, running, send
from tests.logs import logged

SECRET = b"answers-secret-" * 3
KNOWN = {"1": "one", "2": "two"}


class Item(View):
    """``/items/{item}``: a known item, else 404; ``/items/latest`` stands for item 2."""

    name = state(str)

    def handle_params(self, url: PageUrl) -> None:
        self.name = url.path_params.get("item", "")

    async def load(self) -> None:
        if self.name == "latest":
            raise PageRedirect("/items/2?from=latest")
        if self.name == "away":
            raise PageRedirect("//elsewhere.example/")
        if self.name not in KNOWN:
            raise PageNotFound(f"no item {self.name!r}")

    def render(self) -> Element:
        return h.div(
            h.h1(KNOWN.get(self.name, "?"), id="item"),
            h.a("two", href="/items/2", id="two", av_navigate=True),
        )


def items_app() -> Application:
    return Application([Route("/items/{item}", Item, name="item")], secret=SECRET, title="Items")


async def test_a_known_item_renders_and_an_unknown_one_is_a_404_page() -> None:
    async with running(items_app()) as port:
        found = await fetch(port, "/items/1")
        with logged() as records:
            missing = await fetch(port, "/items/9")
    assert found.status == 200 and '<h1 id="item">one</h1>' in found.body
    assert missing.status == 404
    assert 'data-status="404"' in missing.body and "Page not found" in missing.body
    assert "data-av-token" not in missing.body  # no live view for a page that is not
    assert "no item" not in missing.body  # the reason is the log's, not the page's
    assert any(r.get("event") == "endpoint.page_not_found" for r in records)
    assert not any(r.get("event") == "endpoint.page_failed" for r in records)


async def test_a_redirect_is_a_303_to_the_target_with_the_new_identity_cookie() -> None:
    async with running(items_app()) as port:
        moved = await fetch(port, "/items/latest")
    assert moved.status == 303
    assert moved.headers["location"] == "/items/2?from=latest"
    assert "av_identity=" in moved.headers.get("set-cookie", "")
    assert moved.headers["cache-control"] == "no-store"


async def test_a_redirect_off_the_site_is_a_500_naming_the_view() -> None:
    async with running(items_app()) as port:
        with logged() as records:
            page = await fetch(port, "/items/away")
    assert page.status == 500
    bad = [r for r in records if r.get("event") == "endpoint.bad_redirect"]
    assert bad and bad[0]["view"] == "Item" and "PageRedirect" in bad[0]["fix"]


async def until(ws: trio_websocket.WebSocketConnection, tag: str) -> dict[str, object]:
    for _ in range(20):
        frame = await receive(ws)
        if isinstance(frame, dict) and frame.get("t") == tag:
            return frame
    raise AssertionError(f"no {tag!r} frame")


async def test_a_navigation_to_a_missing_item_loads_the_page_and_a_redirect_mounts_its_target() -> (
    None
):
    async with running(items_app()) as port:
        page = await fetch(port, "/items/1")
        async with live(port) as ws:
            await join(ws, page.token, path="/items/1")
            with logged() as records:
                await send(ws, t="nav", href="/items/9", kind="navigate")
                load = await until(ws, "load")
                await send(ws, t="nav", href="/items/latest", kind="navigate")
                rendered = await until(ws, "render")
    assert load == {"t": "load", "href": "/items/9"}
    assert not any(r.get("event") == "endpoint.view_failed_to_start" for r in records)
    assert '<h1 id="item">two</h1>' in str(rendered["html"])
    nav = rendered["nav"]
    assert isinstance(nav, dict)
    assert nav["href"] == "/items/2?from=latest" and nav["history"] == "replace"


async def test_a_join_to_an_item_gone_since_its_page_loads_the_page_again() -> None:
    async with running(items_app()) as port:
        page = await fetch(port, "/items/2")
        KNOWN.pop("2")
        try:
            async with live(port) as ws:
                with logged() as records:
                    joined, load = await join(ws, page.token, path="/items/2")
        finally:
            KNOWN["2"] = "two"
    assert joined["t"] == "joined"
    assert load == {"t": "load", "href": "/items/2"}
    assert not any(r.get("event") == "endpoint.view_failed_to_start" for r in records)
