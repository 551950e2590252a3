"""actorview mounted in a Starlette application, served by hypercorn's trio worker.

Starlette runs on trio through anyio; the Application is mounted under ``/chat`` beside
a plain API route, with a middleware around everything, and Starlette runs its
supervision tree through ``lifespan=chat.lifespan`` (it does not run a mounted app's
lifespan itself). A real client drives both: the API route answers, and the chat works
through the mount, every ``/_av/`` URL under the prefix.
"""

from __future__ import annotations

import json
import re

import pytest
import trio_websocket
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount
from starlette.routing import Route as StarletteRoute

from actorview.endpoint import Application, Route
from actorview.supervisor import ChildState, SupervisorState
from tests.demo_chat.opened import fetch_chat
from tests.endpoint.harness import Counter, fetch, live, receive, running_hypercorn, send
from tests.endpoint.urls import unhashed
from tests.hardening.chat import chat_app, idle, joined, open_page
from tests.logs import logged

SECRET = b"starlette-secret-" * 2


class Stamp(BaseHTTPMiddleware):
    """An ordinary middleware of the host application: it marks every HTTP response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        response.headers["x-site"] = "host"
        return response


async def status(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True, "path": request.url.path})


def site(chat: Application) -> Starlette:
    return Starlette(
        routes=[StarletteRoute("/api/status", status), Mount("/chat", app=chat)],
        middleware=[Middleware(Stamp)],
        lifespan=chat.lifespan,
    )


async def test_the_api_route_answers_and_the_chat_works_through_the_mount() -> None:
    chat = chat_app()
    async with running_hypercorn(site(chat)) as port:
        api = await fetch(port, "/api/status")
        assert api.status == 200 and json.loads(api.body) == {"ok": True, "path": "/api/status"}
        assert api.headers["x-site"] == "host"

        moved = await fetch(port, "/chat/")  # to a new conversation, under the prefix
        assert moved.status == 303 and moved.headers["location"].startswith("/chat/c/")
        page, _, _ = await fetch_chat(port, "/chat/")
        assert page.status == 200 and page.headers["x-site"] == "host"
        urls = re.findall(r'(?:src|href|data-av-socket)="(/[^"]*_av/[^"]*)"', page.body)
        assert urls and all(url.startswith("/chat/_av/") for url in urls), urls
        for url in urls:
            if not url.endswith("/live"):
                assert (await fetch(port, url)).status == 200, url

        chat_page = await open_page(port, root="/chat")
        async with joined(chat_page) as ws:
            await chat_page.submit(ws, "hello through starlette")
            await chat_page.read_until(ws, idle)
        assert chat_page.history[0] == ("user", "hello through starlette")
        assert chat_page.history[-1][0] == "assistant"
        assert chat.sessions, "the chat's views run under the lifespan Starlette ran"
    assert chat.views.state is SupervisorState.STOPPED, "the lifespan's end stopped the tree"
    assert [child.state for child in chat.views.which_children()] == [ChildState.STOPPED]


async def test_a_mounted_404_links_the_mounts_start_page() -> None:
    chat = Application([Route("/", Counter)], secret=SECRET)
    async with running_hypercorn(site(chat)) as port:
        missing = await fetch(port, "/chat/nope")
    assert missing.status == 404
    assert 'class="av-error-action" href="/chat/"' in missing.body
    assert 'href="/chat/_av/static/actorview.css"' in unhashed(missing.body)


async def test_without_the_lifespan_a_join_is_closed_and_the_fix_is_logged() -> None:
    chat = Application([Route("/", Counter)], secret=SECRET)
    bare = Starlette(routes=[Mount("/chat", app=chat)])
    with logged() as logs:
        async with running_hypercorn(bare) as port:
            page = await fetch(port, "/chat/")
            assert page.status == 200, "pages render without the tree"
            async with live(port, path="/chat/_av/live") as ws:
                await send(ws, t="join", token=page.token, path="/chat/")
                with pytest.raises(trio_websocket.ConnectionClosed) as closed:
                    await receive(ws)
    assert closed.value.reason is not None and closed.value.reason.code == 1011
    (event,) = [e for e in logs if e["event"] == "endpoint.not_started"]
    assert "Starlette(lifespan=app.lifespan)" in event["hint"]
