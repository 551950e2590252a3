"""Failures reach the person at the page, over real sockets on 127.0.0.1: an HTML error
page when a view cannot render its page, a notice and a generic reply when its code
fails later. Details go to the log only (and onto the 500 page only with ``debug``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import attrs

from actorview.endpoint import Application, Route
from actorview.endpoint._answers import PageRequest
from actorview.endpoint._live import SERVER_FAILED
from actorview.render import Element, h
from actorview.view import Emit, View, action, async_stream, clause, ops, state
from actorview.view._notices import ACTION_FAILED_TEXT, STREAM_FAILED_TEXT
from tests.endpoint.harness import Counter, fetch, join, live, receive, running, send
from tests.endpoint.urls import unhashed
from tests.logs import logged

SECRET = b"test-secret-" * 3


class Broken(View):
    """Its first render raises: a bug in the view, with a message that must stay private."""

    def render(self) -> Element:
        raise RuntimeError("<db password=hunter2> not reachable")


@attrs.frozen
class Tick:
    n: int


async def ticks(emit: Emit) -> None:
    await emit(Tick(1))
    raise ConnectionError("upstream reset (private detail)")


class Flaky(View):
    total = state(int)
    ticker = async_stream(emits=(Tick,), on_failure="notice")(ticks)
    start = action(ops.fire("ticker"))
    add = action(ops.set(total=lambda total, by: total + int(by)), params={"by": str})
    on_tick = clause(Tick, ops.set(total=lambda total, n: total + n))

    def render(self) -> Element:
        return h.div(h.span(str(self.total), id="total"))


def app(tmp_path: Path, **options: Any) -> Application:
    css = tmp_path / "site.css"
    css.write_text("body { background: rgb(1, 2, 3); }\n")
    return Application(
        [Route("/", Counter), Route("/broken/{id}", Broken), Route("/flaky", Flaky)],
        secret=SECRET,
        title="Shop <&>",
        static_files={"site.css": css},
        stylesheets=["site.css"],
        **options,
    )


async def test_a_view_that_fails_its_first_render_gets_an_html_500_page(tmp_path: Path) -> None:
    with logged() as logs:
        async with running(app(tmp_path)) as port:
            page = await fetch(port, "/broken/7?tab=2")
            assert (await fetch(port)).status == 200, "the server serves on"
    assert page.status == 500
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.body.startswith("<!doctype html>")
    assert "<title>Something went wrong · Shop &lt;&amp;&gt;</title>" in page.body
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)">', unhashed(page.body))
    assert links == ["/_av/static/actorview.css", "/_av/static/site.css"]
    assert '<a class="av-error-action" href="/broken/7?tab=2">Try again</a>' in page.body
    assert "<script" not in page.body
    assert "hunter2" not in page.body and "RuntimeError" not in page.body
    (failed,) = [e for e in logs if e["event"] == "endpoint.page_failed"]
    assert failed["log_level"] == "error"
    assert (failed["route"], failed["view"], failed["path"]) == ("Broken", "Broken", "/broken/7")
    assert failed["exc_info"] is True  # logged with .exception: the traceback is in the log


async def test_debug_shows_the_exception_on_the_500_page_escaped(tmp_path: Path) -> None:
    async with running(app(tmp_path, debug=True)) as port:
        page = await fetch(port, "/broken/1")
    assert page.status == 500
    assert (
        '<pre class="av-error-detail">RuntimeError: &lt;db password=hunter2&gt; not reachable</pre>'
    ) in page.body
    assert "<db" not in page.body


async def test_a_retry_link_never_leads_off_the_site(tmp_path: Path) -> None:
    application = app(tmp_path)
    for target, link in [
        ("/broken/1", "/broken/1"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("http://evil.example/broken/1", "/"),
        ('/broken/1?q="><script>', "/broken/1?q=&quot;&gt;&lt;script&gt;"),
    ]:
        path, _, query = target.partition("?")
        page = application.pages.error_page(500, PageRequest("GET", path, query)).body.decode()
        assert f'class="av-error-action" href="{link}"' in page, target


async def test_a_path_no_route_serves_gets_a_404_page_in_the_same_look(tmp_path: Path) -> None:
    async with running(app(tmp_path)) as port:
        page = await fetch(port, "/nope")
        head = await fetch(port, "/nope", method="HEAD")
        script = await fetch(port, "/_av/static/missing.js")
    assert page.status == 404 and page.headers["content-type"].startswith("text/html")
    assert "<title>Page not found · Shop &lt;&amp;&gt;</title>" in page.body
    assert '<a class="av-error-action" href="/">Go to the start page</a>' in page.body
    assert "/_av/static/site.css" in unhashed(page.body)
    assert head.status == 404 and head.body == ""
    assert script.status == 404 and script.body == "not found\n", "files stay plain"


async def test_a_404_page_has_no_start_page_link_when_no_route_serves_it(
    tmp_path: Path,
) -> None:
    only = Application([Route("/flaky", Flaky)], secret=SECRET)
    assert (
        "av-error-action" not in only.pages.error_page(404, PageRequest("GET", "/x")).body.decode()
    )


async def test_a_failed_stream_run_sends_a_notice_frame_and_the_view_runs_on(
    tmp_path: Path,
) -> None:
    async with running(app(tmp_path)) as port:
        page = await fetch(port, "/flaky")
        async with live(port) as ws:
            await join(ws, page.token, "/flaky")
            await send(ws, t="event", ref=1, name="start")
            frames = [await receive(ws) for _ in range(3)]
            await send(ws, t="event", ref=2, name="add", params={"by": "2"})
            after = [await receive(ws), await receive(ws)]
    assert {"t": "reply", "ref": 1, "outcome": "applied"} in frames
    assert {"t": "notice", "kind": "error", "text": STREAM_FAILED_TEXT} in frames
    assert [["t", [0, 0], "1"]] in frames, "what the run emitted before failing is shown"
    assert not any("private" in str(frame) for frame in frames)
    assert {"t": "reply", "ref": 2, "outcome": "applied"} in after


async def test_a_failed_action_gets_a_generic_error_reply_and_a_notice(tmp_path: Path) -> None:
    with logged() as logs:
        async with running(app(tmp_path)) as port:
            page = await fetch(port, "/flaky")
            async with live(port) as ws:
                await join(ws, page.token, "/flaky")
                await send(ws, t="event", ref=1, name="add", params={"by": "lots"})
                failed = [await receive(ws), await receive(ws)]
                await send(ws, t="event", ref=2, name="add", params={"by": 3})
                rejected = await receive(ws)
                await send(ws, t="event", ref=3, name="add", params={"by": "4"})
                applied = [await receive(ws), await receive(ws)]
    assert {"t": "reply", "ref": 1, "outcome": "error", "error": SERVER_FAILED} in failed
    assert {"t": "notice", "kind": "error", "text": ACTION_FAILED_TEXT} in failed
    assert rejected["outcome"] == "rejected"
    assert "Flaky, action 'add': invalid params" in rejected["error"], "bad input is named"
    assert {"t": "reply", "ref": 3, "outcome": "applied"} in applied
    assert [["t", [0, 0], "4"]] in applied, "nothing changed by the failed event"
    (logged_failure,) = [e for e in logs if e["event"] == "view.action.failed"]
    assert logged_failure["view"] == "Flaky" and logged_failure["action"] == "add"
    assert "invalid literal for int()" in str(logged_failure["exc_info"])
