"""The request and the user in ``mount``, over real sockets on both transports.

A page's view gets a ``MountContext`` made from its request (path, path params, query,
the cookies and headers its route names, the client address, the identity); the same
context is signed into the join token, so the live view, a view restarted by its
supervisor and a session mounted again by a restarted server get exactly it. A browser
without a host identity gets actorview's own, in a signed cookie that keeps it across
reloads. A socket can neither forge the context nor switch the identity.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import trio
import trio_websocket

from actorview import Identity, MountContext
from actorview.endpoint import IDENTITY_COOKIE, Application, Limits, PageRequest, Route
from actorview.endpoint._server import CLOSE_JOIN_REFUSED
from actorview.errors import DefinitionError
from actorview.mailbox import ActorRef
from actorview.render import Element, h
from actorview.view import View, state
from tests.endpoint.harness import Page, receive, request, running
from tests.logs import logged

SECRET = b"mount-context-secret-" * 2


class Whoami(View):
    """Shows everything its context holds."""

    who = state(str)

    def mount(self, params: Any, context: MountContext) -> None:
        self.who = json.dumps(
            {
                "id": context.identity.id,
                "anonymous": context.identity.anonymous,
                "name": context.identity.name,
                "path": context.path,
                "params": dict(context.path_params),
                "tags": list(context.query.get_all("tag")),
                "headers": dict(context.headers),
                "cookies": dict(context.cookies),
                "client": context.client,
            },
            sort_keys=True,
        )

    def render(self) -> Element:
        return h.div(h.pre(self.who, id="who"), h.span(self.context.identity.id, id="again"))


def whoami_app(**options: Any) -> Application:
    route = Route("/c/{conversation}", Whoami, headers=("Accept-Language",), cookies=("theme",))
    return Application([route], secret=SECRET, **options)


async def get(port: int, path: str, **headers: str) -> Page:
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    head += "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return await request(port, (head + "\r\n").encode())


def shown(html: str) -> dict[str, Any]:
    found = re.search(r'<pre id="who">([^<]*)</pre>', html)
    assert found is not None, html[:500]
    return dict(json.loads(found.group(1).replace("&quot;", '"').replace("&#x27;", "'")))


def identity_cookie(page: Page) -> str:
    """The ``name=value`` of the page's identity cookie (its Set-Cookie's first part)."""
    set_cookie = page.headers["set-cookie"]
    assert set_cookie.startswith(f"{IDENTITY_COOKIE}="), set_cookie
    return set_cookie.split(";", 1)[0]


@asynccontextmanager
async def socket(port: int, **headers: str) -> AsyncIterator[trio_websocket.WebSocketConnection]:
    extra = [(b"Origin", f"http://127.0.0.1:{port}".encode())]
    extra += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    async with trio_websocket.open_websocket(
        "127.0.0.1", port, "/_av/live", use_ssl=False, extra_headers=extra
    ) as ws:
        yield ws


async def join(ws: trio_websocket.WebSocketConnection, token: str, path: str) -> list[Any]:
    await ws.send_message(json.dumps({"t": "join", "token": token, "path": path}))
    return [await receive(ws), await receive(ws)]


async def refused(ws: trio_websocket.WebSocketConnection, token: str, path: str) -> str:
    await ws.send_message(json.dumps({"t": "join", "token": token, "path": path}))
    with pytest.raises(trio_websocket.ConnectionClosed) as closed:
        await receive(ws)
    reason = closed.value.reason
    assert reason is not None and reason.code == CLOSE_JOIN_REFUSED, reason
    return str(reason.reason)


async def test_a_page_gives_its_view_the_request_and_a_signed_identity_cookie() -> None:
    async with running(whoami_app()) as port:
        page = await get(
            port,
            "/c/42?tag=a&tag=b%20c",
            accept_language="fr",
            user_agent="not chosen",
            cookie="theme=dark; other=secret",
        )
    assert page.status == 200
    seen = shown(page.body)
    assert seen["path"] == "/c/42" and seen["params"] == {"conversation": "42"}
    assert seen["tags"] == ["a", "b c"], "the query is multi-valued and decoded"
    assert seen["headers"] == {"accept-language": "fr"}, "only the headers the route names"
    assert seen["cookies"] == {"theme": "dark"}, "only the cookies the route names"
    assert seen["client"] == "127.0.0.1"
    assert seen["anonymous"] is True and len(seen["id"]) >= 20
    attributes = page.headers["set-cookie"].split("; ")
    assert attributes[0].startswith(f"{IDENTITY_COOKIE}={seen['id']}.")
    assert {"HttpOnly", "SameSite=Lax", "Path=/"} <= set(attributes)
    assert "Secure" not in attributes, "plain http: a Secure cookie would never come back"
    assert any(a.startswith("Max-Age=") for a in attributes), "kept across browser restarts"


async def test_the_identity_cookie_keeps_the_identity_across_reloads() -> None:
    async with running(whoami_app()) as port:
        first = await get(port, "/c/1")
        cookie = identity_cookie(first)
        again = await get(port, "/c/2", cookie=cookie)
        forged = await get(port, "/c/3", cookie=f"{cookie.split('.')[0]}x.AAAA")
    assert "set-cookie" not in again.headers, "a genuine cookie is kept, not replaced"
    assert shown(again.body)["id"] == shown(first.body)["id"]
    assert shown(forged.body)["id"] != shown(first.body)["id"], "a forged cookie is ignored"
    assert "set-cookie" in forged.headers


async def test_the_live_view_gets_the_context_the_page_was_rendered_with() -> None:
    async with running(whoami_app()) as port:
        page = await get(port, "/c/7?tag=x", accept_language="de", cookie="theme=light")
        cookie = identity_cookie(page)
        async with socket(port, cookie=cookie, accept_language="en") as ws:
            joined, render = await join(ws, page.token, "/c/7")
    assert joined["t"] == "joined" and render["t"] == "render"
    assert shown(render["html"]) == shown(page.body), "from the token, not the socket"


async def test_a_view_restarted_by_its_supervisor_gets_the_same_context() -> None:
    app = whoami_app()
    async with running(app) as port:
        page = await get(port, "/c/9?tag=t")
        async with socket(port, cookie=identity_cookie(page)) as ws:
            await join(ws, page.token, "/c/9")
            (session_id,) = app.sessions
            view = app.views.registry.get(session_id)
            assert isinstance(view, ActorRef)
            view.kill("test")
            render = await receive(ws)
            while render["t"] != "render":
                render = await receive(ws)
    assert shown(render["html"]) == shown(page.body)


async def test_a_session_mounted_again_by_a_restarted_server_gets_the_same_context() -> None:
    async with running(whoami_app()) as port:
        page = await get(port, "/c/5?tag=kept")
        cookie = identity_cookie(page)
    # A new process, the same secret.
    async with running(whoami_app()) as port, socket(port, cookie=cookie) as ws:
        _, render = await join(ws, page.token, "/c/5")
    assert shown(render["html"]) == shown(page.body)


async def test_a_join_with_another_browsers_identity_cookie_is_refused() -> None:
    async with running(whoami_app()) as port:
        mine = await get(port, "/c/1")
        theirs = await get(port, "/c/1")
        async with socket(port, cookie=identity_cookie(theirs)) as ws:
            reason = await refused(ws, mine.token, "/c/1")
    assert "another browser's identity" in reason


async def test_a_token_whose_context_was_edited_is_refused_as_forged() -> None:
    async with running(whoami_app()) as port:
        page = await get(port, "/c/1")
        body, mac = page.token.split(".")
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        assert payload["c"]["id"]["id"] == shown(page.body)["id"], "the identity is signed in"
        payload["c"]["id"]["id"] = "someone-else"
        edited = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
        async with socket(port) as ws:
            reason = await refused(ws, f"{edited}.{mac}", "/c/1")
    assert "forged" in reason


async def test_identify_decides_who_a_page_and_its_socket_are_for() -> None:
    def identify(request: PageRequest) -> Identity | None:
        user = request.headers.get("x-user")
        return None if user is None else Identity(user, name=user.title(), claims={"r": 1})

    async with running(whoami_app(identify=identify)) as port:
        page = await get(port, "/c/1", x_user="alice")
        assert "set-cookie" not in page.headers, "the host decided: no anonymous cookie"
        seen = shown(page.body)
        assert (seen["id"], seen["name"], seen["anonymous"]) == ("alice", "Alice", False)
        async with socket(port, x_user="alice") as ws:
            _, render = await join(ws, page.token, "/c/1")
        assert shown(render["html"])["id"] == "alice"
        async with socket(port, x_user="mallory") as ws:
            switched = await refused(ws, page.token, "/c/1")
        async with socket(port) as ws:
            signed_out = await refused(ws, page.token, "/c/1")
        anonymous = await get(port, "/c/1")
        async with socket(port, x_user="alice") as ws:
            signed_in = await refused(ws, anonymous.token, "/c/1")
    assert "another user" in switched and "another user" in signed_out
    assert "signed in" in signed_in


async def test_a_context_too_big_for_a_join_frame_is_refused_at_render() -> None:
    app = whoami_app(limits=Limits(max_frame_bytes=4096), debug=True)
    with logged() as logs:
        async with running(app) as port:
            page = await get(port, "/c/1", accept_language="x" * 3000)
    assert page.status == 500, "refused when the page renders, never mid-session"
    (failed,) = [e for e in logs if e["event"] == "endpoint.page_failed"]
    assert failed["view"] == "Whoami", "the log names the route and view"
    message = page.body.replace("&#x27;", "'")  # debug shows the error on the page
    assert "ContextError: Whoami: the request context is" in message
    assert "header 'accept-language'" in message and "max_frame_bytes" in message


async def test_an_identity_is_small_and_json() -> None:
    with pytest.raises(ValueError, match="JSON values"):
        Identity("a", claims={"x": object()})
    with pytest.raises(ValueError, match="more than 2048"):
        Identity("a", claims={"x": "y" * 3000})
    with pytest.raises(ValueError, match="non-empty string"):
        Identity("")


def test_a_route_never_copies_secret_headers_or_the_identity_cookie_into_a_token() -> None:
    with pytest.raises(DefinitionError, match="scripts can read"):
        Route("/", Whoami, headers=("Cookie",))
    with pytest.raises(DefinitionError, match="identity cookie"):
        Route("/", Whoami, cookies=(IDENTITY_COOKIE,))
    with pytest.raises(DefinitionError, match="not a header name"):
        Route("/", Whoami, headers=("accept language",))


async def test_a_view_without_a_context_parameter_reads_self_context() -> None:
    class Plain(View):
        seen = state(str)

        def mount(self, params: Any) -> None:
            self.seen = self.context.identity.id

    assert Plain(context=MountContext(identity=Identity("bob"))).seen == "bob"
    await trio.lowlevel.checkpoint()


def test_the_identity_cookie_is_signed_apart_from_join_tokens() -> None:
    from actorview.endpoint import TokenSigner

    signer = TokenSigner(SECRET)
    value = signer.sign_identity("abc")
    assert signer.verify_identity(value) == "abc"
    assert signer.verify_identity("abd." + value.split(".")[1]) is None, "another id"
    assert TokenSigner(b"another-secret-" * 3).verify_identity(value) is None
    assert signer.verify_identity(signer.sign("V", {}, "abc")) is None, "a token is no cookie"
    assert signer.verify_identity("no-mac") is None and signer.verify_identity(".x") is None


async def test_over_https_the_identity_cookie_is_secure_and_follows_the_mount() -> None:
    app = whoami_app()
    secure = await app.pages.answer(
        PageRequest("GET", "/c/1", scheme="https", root_path="/app", client="10.0.0.9")
    )
    (set_cookie,) = [value for name, value in secure.headers if name == "Set-Cookie"]
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/app"} <= set(set_cookie.split("; "))
    assert shown(secure.body.decode())["client"] == "10.0.0.9"


async def test_session_keys_make_the_identity_when_no_user_is_authenticated() -> None:
    app = whoami_app(session_keys=("uid", "team"))

    def page(session: dict[str, Any]) -> PageRequest:
        return PageRequest("GET", "/c/1", scope={"type": "http", "session": session})

    stored = await app.pages.answer(page({"uid": 7, "team": "blue", "other": "x"}))
    blank = await app.pages.answer(page({"uid": "", "team": "blue"}))
    seen = shown(stored.body.decode())
    assert (seen["id"], seen["anonymous"]) == ("7", False), "the first key's value is the id"
    assert shown(blank.body.decode())["anonymous"] is True, "an empty id is nobody"


async def control(ws: trio_websocket.WebSocketConnection, tag: str) -> dict[str, Any]:
    """The next control frame tagged ``tag`` (patch frames, lists, skipped)."""
    for _ in range(20):
        frame = await receive(ws)
        if isinstance(frame, dict) and frame.get("t") == tag:
            return frame
    raise AssertionError(f"no {tag!r} frame")


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


async def test_navigation_keeps_the_identity_and_moves_the_context_with_the_view() -> None:
    from examples.navigation import app as navigation_app

    async with running(navigation_app(secret=SECRET)) as port:
        page = await get(port, "/")
        cookie = identity_cookie(page)
        identity = claims_of(page.token)["c"]["id"]
        async with socket(port, cookie=cookie) as ws:
            await join(ws, page.token, "/")
            await ws.send_message(json.dumps({"t": "nav", "href": "/?page=2", "kind": "patch"}))
            url = await control(ws, "url")
            await ws.send_message(
                json.dumps({"t": "nav", "href": "/articles/7", "kind": "navigate"})
            )
            rendered = await control(ws, "render")
        patched, moved = claims_of(url["token"])["c"], claims_of(rendered["nav"]["token"])["c"]
        assert patched["id"] == identity, "a patch keeps the view, its context and identity"
        assert moved["id"] == identity, "the view a navigation mounts is for the same user"
        assert (moved["path"], moved["pp"]) == ("/articles/7", {"article": "7"})
        other = identity_cookie(await get(port, "/"))
        async with socket(port, cookie=other) as ws:
            reason = await refused(ws, rendered["nav"]["token"], "/articles/7")
    assert "another browser's identity" in reason, "a navigation's token is checked too"
