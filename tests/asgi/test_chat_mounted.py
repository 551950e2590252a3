"""The chat mounted under ``/chat`` in Starlette, served by hypercorn: the sidebar's
links carry the mount prefix (``/chat/c/<id>``), in the page and in what the live view
renders after the join, so a link opened in a new tab, or followed before the socket
joins, stays in the chat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Mount

from demo_chat.__main__ import parse_args
from demo_chat.server import build_app
from tests.endpoint.harness import Page, fetch, join, live, request, running_hypercorn

SIDEBAR_LINK = re.compile(r'<a href="([^"]*)" class="open"')


def mounted_chat(tmp_path: Path) -> Any:
    args = parse_args(["--data-dir", str(tmp_path), "--history-db", ":memory:"])
    chat = build_app(args, secret=b"mounted-chat-secret-" * 2)
    return Starlette(routes=[Mount("/chat", app=chat)], lifespan=chat.lifespan)


async def get(port: int, path: str, cookie: str) -> Page:
    head = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Connection: close\r\n\r\n"
    )
    return await request(port, head.encode())


async def test_the_sidebars_links_start_with_the_mount_prefix(tmp_path: Path) -> None:
    async with running_hypercorn(mounted_chat(tmp_path)) as port:
        started = await fetch(port, "/chat/")  # a new conversation, at its own URL
        assert started.status == 303
        location = started.headers["location"]
        assert re.fullmatch(r"/chat/c/[A-Za-z0-9_-]+", location), location
        cookie = started.headers["set-cookie"].split(";")[0]
        page = await get(port, location, cookie)
        assert page.status == 200
        assert SIDEBAR_LINK.findall(page.body) == [location]
        async with live(port, path="/chat/_av/live") as ws:
            joined, rendered = await join(ws, page.token, path=location)
    assert joined["t"] == "joined" and rendered["t"] == "render"
    assert SIDEBAR_LINK.findall(rendered["html"]) == [location], "the live view's, too"
