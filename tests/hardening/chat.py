"""A Python stand-in for the browser on the chat demo: it keeps the page and applies frames.

:class:`ChatPage` joins over a real socket, applies every render and patch frame to an
``actorview.render.Document`` (so a patch meant for another page would not fit and fail),
and reads the history and the draft from that document, as the browser would show them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio
import trio_websocket

from actorview.endpoint import Application, Limits
from actorview.render import Document, DomElement, DomText, decode
from demo_chat.history_store import HistoryStore
from demo_chat.server import build_app
from tests.demo_chat.opened import fetch_chat
from tests.endpoint.harness import live

SECRET = b"hardening-secret-" * 2


def chat_app(
    *,
    token_delay: float = 0.001,
    reply_length: int = 8,
    limits: Limits | None = None,
    store: HistoryStore | None = None,
) -> Application:
    args = argparse.Namespace(
        token_delay=token_delay,
        reply_length=reply_length,
        history=0,
        llm="fake",
        model="",
        openai_base_url="",
    )
    return build_app(args, limits=limits, store=store, secret=SECRET)


def text_of(node: Any) -> str:
    if isinstance(node, DomText):
        return node.text
    return "".join(text_of(child) for child in node.children)


def find(node: Any, element_id: str) -> DomElement | None:
    if not isinstance(node, DomElement):
        return None
    if node.attrs.get("id") == element_id:
        return node
    for child in node.children:
        found = find(child, element_id)
        if found is not None:
            return found
    return None


class ChatPage:
    """One page of the chat: its socket, its token, and the document its frames built."""

    def __init__(
        self, port: int, token: str, *, keep_frames: bool = True, root: str = "", path: str = "/"
    ) -> None:
        self.port = port
        self.token = token
        self.root = root
        """The prefix the chat is mounted under (ASGI ``root_path``), "" at the root."""
        self.path = path
        """The page's path within the prefix (``/c/<id>``)."""
        self.document: Document | None = None
        self.frames: list[Any] = []
        self.keep_frames = keep_frames
        self.renders = 0
        self.ref = 0
        self.seen: int | None = None
        """The session's frames applied, counted as client.js counts them."""

    @property
    def history(self) -> list[tuple[str, str]]:
        """(role, text) of each kept history item, as the page shows them (not the
        history's tail: the reply being streamed, or the bar after the last turn)."""
        assert self.document is not None, "not joined"
        history = find(self.document.root, "history")
        assert history is not None
        return [
            (child.attrs.get("data-role", "?"), text_of(child))
            for child in history.children
            if isinstance(child, DomElement) and "av-tail" not in child.attrs
        ]

    @property
    def draft(self) -> str:
        """The text of the reply being streamed (the history's ``li#draft``), without its
        thinking indicator; empty when no reply streams."""
        assert self.document is not None
        draft = find(self.document.root, "draft")
        if draft is None:
            return ""
        return "".join(
            text_of(child)
            for child in draft.children
            if not (isinstance(child, DomElement) and child.attrs.get("id") == "thinking")
        )

    def apply(self, raw: str) -> Any:
        frame = json.loads(raw)
        if self.keep_frames:
            self.frames.append(frame)
        if isinstance(frame, list):
            assert self.document is not None, "a patch before the first render"
            self.document.apply(decode(raw))
        elif frame.get("t") == "render":
            self.renders += 1
            self.document = Document.from_html(frame["html"])
        if isinstance(frame, dict) and frame.get("t") == "joined":
            self.token = frame["token"]
            self.seen = frame["seq"]
        elif self.seen is not None:
            self.seen += 1
        return frame

    async def ack(self, ws: trio_websocket.WebSocketConnection) -> None:
        """Tell the server the frames up to ``seen`` arrived (client.js does so each second)."""
        await ws.send_message(json.dumps({"t": "ack", "n": self.seen}))

    async def join(
        self, ws: trio_websocket.WebSocketConnection, *, render: bool = True, within: float = 5
    ) -> None:
        """Join (or rejoin); with ``render``, wait for the render frame too (a rejoin
        that finds its view running gets none: the page it has is still right)."""
        join: dict[str, Any] = {"t": "join", "token": self.token, "path": f"{self.root}{self.path}"}
        if self.seen is not None:
            join["seen"] = self.seen
        await ws.send_message(json.dumps(join))
        renders = self.renders
        with trio.fail_after(within):
            first = self.apply(str(await ws.get_message()))
            assert first.get("t") == "joined", first
            while render and self.renders == renders:
                self.apply(str(await ws.get_message()))

    async def submit(self, ws: trio_websocket.WebSocketConnection, text: str) -> None:
        self.ref += 1
        event = {"t": "event", "ref": self.ref, "name": "submit", "params": {"input": text}}
        await ws.send_message(json.dumps(event))

    async def read_until(
        self, ws: trio_websocket.WebSocketConnection, done: Any, within: float = 10
    ) -> None:
        """Apply frames until ``done(self)`` holds."""
        with trio.fail_after(within):
            while not done(self):
                self.apply(str(await ws.get_message()))


async def open_page(port: int, root: str = "") -> ChatPage:
    """A new visitor's chat: ``/`` redirects it to a new conversation of its own."""
    page, _, path = await fetch_chat(port, f"{root}/")
    assert page.status == 200, page.body[:200]
    return ChatPage(port, page.token, root=root, path=path[len(root) :])


@asynccontextmanager
async def joined(
    page: ChatPage, *, render: bool = True
) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    async with live(page.port, path=f"{page.root}/_av/live") as ws:
        await page.join(ws, render=render)
        yield ws


def idle(page: ChatPage) -> bool:
    """The reply finished: nothing streams and the last item is the assistant's."""
    return bool(page.history) and page.history[-1][0] == "assistant" and page.draft == ""
