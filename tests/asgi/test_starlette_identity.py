"""A Starlette application passes its user to a view: sessions, an auth backend, hypercorn.

The host application is what a team already has: ``SessionMiddleware`` (a signed session
cookie), ``AuthenticationMiddleware`` with a backend that reads the session's user, an
API route that logs in and out, and actorview mounted under ``/app``. The view shows
``self.context.identity``; a real client drives it over HTTP and a real WebSocket,
through hypercorn's trio worker. The same cookie jar is sent with every request, as a
browser does; a socket whose session is another user's, or signed out, is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trio_websocket
from starlette.applications import Starlette
from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
)
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute

from actorview import Element, MountContext, View, h, state
from actorview.endpoint import Application, Route
from actorview.endpoint._server import CLOSE_JOIN_REFUSED
from tests.endpoint.harness import exchange, receive, running_hypercorn
from tests.test_readme import load_block, python_blocks

SECRET = b"starlette-identity-secret-" * 2


class SessionUser(AuthenticationBackend):
    """The host's auth backend: the user is whoever the session says logged in."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        name = conn.session.get("user")
        if not isinstance(name, str):
            return None
        return AuthCredentials(["authenticated"]), SimpleUser(name)


async def login(request: Request) -> JSONResponse:
    request.session["user"] = request.query_params["name"]
    request.session["team"] = "blue"
    return JSONResponse({"user": request.session["user"]})


async def logout(request: Request) -> JSONResponse:
    request.session.clear()
    return JSONResponse({"user": None})


async def me(request: Request) -> JSONResponse:
    user = request.user.display_name if request.user.is_authenticated else None
    return JSONResponse({"user": user})


class Greeting(View):
    """Shows who the page is for, as the host application said."""

    who = state(str)

    def mount(self, params: Any, context: MountContext) -> None:
        identity = context.identity
        self.who = "anonymous" if identity.anonymous else f"{identity.name} ({identity.id})"

    def render(self) -> Element:
        team = self.context.identity.claims.get("team", "-")
        return h.div(h.p(self.who, id="who"), h.p(str(team), id="team"))


def site(views: Application) -> Starlette:
    return Starlette(
        routes=[
            StarletteRoute("/api/login", login, methods=["POST"]),
            StarletteRoute("/api/logout", logout, methods=["POST"]),
            StarletteRoute("/api/me", me),
            Mount("/app", app=views),
        ],
        middleware=[
            Middleware(SessionMiddleware, secret_key="host-session-secret"),
            Middleware(AuthenticationMiddleware, backend=SessionUser()),
        ],
        lifespan=views.lifespan,
    )


def views_app() -> Application:
    return Application([Route("/", Greeting)], secret=SECRET, session_keys=("user", "team"))


class Browser:
    """A cookie jar and the requests a browser makes with it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str) -> tuple[int, str]:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nConnection: close\r\n"
        if self.cookies:
            head += f"Cookie: {self.cookie_header()}\r\n"
        head += "Content-Length: 0\r\n\r\n"
        status_line, headers, body = await exchange(self.port, head.encode())
        # exchange keeps the last Set-Cookie of a name; one per name is all we need here.
        for name, value in _set_cookies(headers):
            self.cookies[name] = value
        return int(status_line.split()[1]), body.decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    @asynccontextmanager
    async def socket(self) -> AsyncIterator[trio_websocket.WebSocketConnection]:
        headers = [(b"Origin", f"http://127.0.0.1:{self.port}".encode())]
        if self.cookies:
            headers.append((b"Cookie", self.cookie_header().encode()))
        async with trio_websocket.open_websocket(
            "127.0.0.1", self.port, "/app/_av/live", use_ssl=False, extra_headers=headers
        ) as ws:
            yield ws


def _set_cookies(headers: dict[str, str]) -> list[tuple[str, str]]:
    value = headers.get("set-cookie")
    if value is None:
        return []
    name, _, rest = value.split(";", 1)[0].partition("=")
    return [(name, rest)]


def token_of(page: str) -> str:
    found = re.search(r'data-av-token="([^"]+)"', page)
    assert found is not None, page[:300]
    return found.group(1)


def who(html: str) -> str:
    found = re.search(r'<p id="who">([^<]*)</p>', html)
    assert found is not None, html[:300]
    return found.group(1)


async def join(ws: trio_websocket.WebSocketConnection, token: str) -> str:
    await ws.send_message(json.dumps({"t": "join", "token": token, "path": "/app/"}))
    joined, render = await receive(ws), await receive(ws)
    assert joined["t"] == "joined" and render["t"] == "render", (joined, render)
    return str(render["html"])


async def refused(ws: trio_websocket.WebSocketConnection, token: str) -> str:
    await ws.send_message(json.dumps({"t": "join", "token": token, "path": "/app/"}))
    with pytest.raises(trio_websocket.ConnectionClosed) as closed:
        await receive(ws)
    reason = closed.value.reason
    assert reason is not None and reason.code == CLOSE_JOIN_REFUSED, reason
    return str(reason.reason)


async def test_the_sessions_user_reaches_the_view_on_the_page_and_live() -> None:
    async with running_hypercorn(site(views_app())) as port:
        alice = Browser(port)
        assert await alice.request("POST", "/api/login?name=alice") == (200, '{"user":"alice"}')
        assert await alice.request("GET", "/api/me") == (200, '{"user":"alice"}')
        status, page = await alice.request("GET", "/app/")
        assert status == 200
        assert who(page) == "alice (alice)", "the authenticated user, from scope['user']"
        assert '<p id="team">blue</p>' in page, "a chosen session key, as a claim"
        assert "av_identity" not in alice.cookies, "the host established the user"
        async with alice.socket() as ws:
            assert who(await join(ws, token_of(page))) == "alice (alice)"


async def test_a_visitor_who_is_not_signed_in_gets_actorviews_own_identity() -> None:
    async with running_hypercorn(site(views_app())) as port:
        visitor = Browser(port)
        status, page = await visitor.request("GET", "/app/")
        assert status == 200 and who(page) == "anonymous"
        assert "av_identity" in visitor.cookies, "kept in its signed cookie"
        async with visitor.socket() as ws:
            assert who(await join(ws, token_of(page))) == "anonymous"


async def test_a_socket_of_another_user_or_signed_out_is_refused() -> None:
    async with running_hypercorn(site(views_app())) as port:
        alice, bob = Browser(port), Browser(port)
        await alice.request("POST", "/api/login?name=alice")
        await bob.request("POST", "/api/login?name=bob")
        _, page = await alice.request("GET", "/app/")
        async with bob.socket() as ws:
            switched = await refused(ws, token_of(page))
        await alice.request("POST", "/api/logout")
        async with alice.socket() as ws:
            signed_out = await refused(ws, token_of(page))
    assert "another user" in switched and "another user" in signed_out


async def test_the_readmes_starlette_site_shows_the_signed_in_user(tmp_path: Path) -> None:
    (source,) = [block for block in python_blocks() if "class Inbox(View)" in block]
    example = load_block(source, "readme_signed_in", tmp_path)
    async with running_hypercorn(example.site) as port:
        alice = Browser(port)
        _, before = await alice.request("GET", "/app/")
        await alice.request("POST", "/api/login?name=alice")
        _, after = await alice.request("GET", "/app/")
        async with alice.socket() as ws:
            live = await join(ws, token_of(after))
    assert '<p id="owner">Inbox of a visitor</p>' in before
    assert '<p id="owner">Inbox of alice</p>' in after and "Inbox of alice" in live
