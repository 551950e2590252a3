"""Live navigation over real sockets: the nav, url, load and render-with-nav frames."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._errors import JoinRefused
from actorview.endpoint._tokens import TokenSigner
from actorview.render import Element, h
from actorview.view import View, action, ops
from examples.navigation import PAGES, Article, app
from tests.endpoint.harness import fetch, join, live, receive, running, send
from tests.logs import logged

SECRET = b"test-secret-" * 3


def navigation_app() -> Application:
    return app(secret=SECRET)


def claims_of(token: str) -> dict[str, Any]:
    body = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


async def until_frame(ws: trio_websocket.WebSocketConnection, tag: str) -> dict[str, Any]:
    """The next control frame tagged ``tag`` (patch frames and others skipped)."""
    for _ in range(20):
        frame = await receive(ws)
        if isinstance(frame, dict) and frame.get("t") == tag:
            return frame
    raise AssertionError(f"no {tag!r} frame")


async def test_a_page_at_a_patched_url_renders_its_state_and_signs_the_url() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port, "/?page=3")
        assert f'<p id="page">Page 3 of {PAGES}</p>' in page.body
        assert claims_of(page.token)["u"] == "/?page=3"
        async with live(port) as ws:
            joined, rendered = await join(ws, page.token)
    assert f"Page 3 of {PAGES}" in rendered["html"]
    assert claims_of(joined["token"])["u"] == "/?page=3"


async def test_a_patch_from_the_page_runs_handle_params_and_answers_a_url_frame() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="nav", href="/?page=2", kind="patch")
            patch = await receive(ws)
            url = await receive(ws)
    assert ["t", [1, 0], f"Page 2 of {PAGES}"] in patch
    assert url["t"] == "url" and url["href"] == "/?page=2" and url["history"] == "push"
    assert claims_of(url["token"])["u"] == "/?page=2"


async def test_ops_patch_from_an_action_and_a_back_move() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="event", ref=1, name="last")
            url = await until_frame(ws, "url")
            assert url["href"] == f"/?page={PAGES}" and url["history"] == "push"
            await send(ws, t="nav", href="/", kind="pop")
            patch = await receive(ws)
            back = await receive(ws)
    assert ["t", [1, 0], f"Page 1 of {PAGES}"] in patch
    assert back["t"] == "url" and back["history"] == "none"


async def test_navigate_mounts_another_route_over_the_same_socket() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="nav", href="/articles/7", kind="navigate")
            rendered = await receive(ws)
            await send(ws, t="event", ref=1, name="home")
            reply = await receive(ws)
            home = await receive(ws)
    assert rendered["t"] == "render" and '<h1 id="article">Article 7</h1>' in rendered["html"]
    nav = rendered["nav"]
    assert nav["href"] == "/articles/7" and nav["history"] == "push"
    assert nav["program"] == "examples.navigation.Article"
    assert nav["script"] == "/_av/program/Article.js"
    claims = claims_of(nav["token"])
    assert claims["v"] == "Article" and claims["p"] == {"article": "7"}
    assert claims["s"] == claims_of(page.token)["s"]  # the same session
    assert reply == {"t": "reply", "ref": 1, "outcome": "applied"}
    assert home["t"] == "render" and "Page 1 of" in home["html"]
    assert home["nav"]["href"] == "/"


async def test_a_rejoin_after_the_view_was_reaped_mounts_it_at_the_page_url() -> None:
    grace = Limits(rejoin_grace=0.05)
    async with running(app(secret=SECRET, limits=grace)) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="nav", href="/?page=4", kind="patch")
            url = await until_frame(ws, "url")
        await trio.sleep(0.3)  # the session is reaped: the rejoin mounts a fresh view
        async with live(port) as ws:
            _, patched = await join(ws, url["token"])
            await send(ws, t="nav", href="/articles/9", kind="navigate")
            moved = await receive(ws)
        await trio.sleep(0.3)
        async with live(port) as ws:
            _, article = await join(ws, moved["nav"]["token"], path="/articles/9")
    assert f"Page 4 of {PAGES}" in patched["html"]
    assert '<h1 id="article">Article 9</h1>' in article["html"]


async def test_a_path_no_live_route_serves_is_a_whole_page_load() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="nav", href="/about?x=1#top", kind="navigate")
            load = await receive(ws)
    assert load == {"t": "load", "href": "/about?x=1"}


async def test_bad_urls_get_an_error_frame_and_lose_nothing() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port, "/?page=2")
        async with live(port) as ws:
            await join(ws, page.token)
            errors = []
            for href in ("//evil.example/", "http://evil.example/", "relative", "/" + "x" * 3000):
                await send(ws, t="nav", href=href, kind="patch")
                errors.append(await receive(ws))
            await send(ws, t="nav", href="/", kind="sideways")
            errors.append(await receive(ws))
            await send(ws, t="nav", href="/?page=3", kind="patch")
            patch = await receive(ws)
    assert all(error["t"] == "error" for error in errors)
    assert "not a path of this site" in errors[0]["error"]
    assert "not a path of this site" in errors[1]["error"]
    assert "longer than 2048" in errors[3]["error"]
    assert "kind must be one of" in errors[4]["error"]
    assert ["t", [1, 0], f"Page 3 of {PAGES}"] in patch  # the view goes on


async def test_a_page_url_past_the_bound_is_refused() -> None:
    async with running(navigation_app()) as port:
        page = await fetch(port, "/?q=" + "x" * 2100)
    assert page.status in (414, 431, 400)


class Wayward(View):
    """Navigations a developer gets wrong: a patch to another route, a target off-site."""

    across = action(ops.patch("/articles/1"))
    away = action(ops.navigate("//evil.example/"))

    def render(self) -> Element:
        return h.p("wayward", id="wayward")


async def test_a_views_wrong_navigations_are_logged_naming_the_view_and_the_fix() -> None:
    routes = [Route("/", Wayward), Route("/articles/{article}", Article)]
    with logged() as logs:
        async with running(Application(routes, secret=SECRET)) as port:
            page = await fetch(port)
            async with live(port) as ws:
                await join(ws, page.token)
                await send(ws, t="event", ref=1, name="away")
                error = await until_frame(ws, "error")
                await send(ws, t="event", ref=2, name="across")
                moved = await until_frame(ws, "render")
    assert "the view asked for a bad URL" in error["error"]
    assert "Article 1" in moved["html"]  # navigated there instead
    events = {log["event"]: log for log in logs}
    bad = events["endpoint.bad_navigation"]
    assert bad["view"] == "Wayward" and bad["op"] == "ops.navigate" and "fix" in bad
    across = events["endpoint.patch_to_another_route"]
    assert across["view"] == "Wayward" and "ops.navigate" in across["fix"]


def test_the_url_claim_round_trips_and_a_wrong_one_is_malformed() -> None:
    signer = TokenSigner(SECRET)
    token = signer.sign("Articles", {}, "s1", url="/?page=2")
    assert signer.verify(token, view="Articles").url == "/?page=2"
    assert signer.verify(signer.sign("Articles", {}, "s1"), view="Articles").url is None
    body = json.dumps({"v": "Articles", "p": {}, "s": "s1", "e": 1e12, "u": 7}).encode()
    mac = hmac.new(SECRET, body, hashlib.sha256).digest()
    forged = ".".join(base64.urlsafe_b64encode(part).rstrip(b"=").decode() for part in (body, mac))
    with pytest.raises(JoinRefused, match="malformed"):
        signer.verify(forged, view="Articles")
