"""Events pushed to hooks, flash toasts and the page title, in Chromium against the real
endpoint: the live chart example (an application ES module under the page's CSP whose
hook draws the readings the view pushes), toasts that announce and clear themselves,
and the runtime's notice in the same toast region."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from actorview.endpoint import Application, Route
from actorview.endpoint._protocol import control_frame
from actorview.render import Element, h, to_html
from actorview.view import View, action, calculate, ops, state
from examples.live_chart import build_app
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser


@pytest.fixture
def chart_port() -> Iterator[int]:
    with served_in_thread(build_app(secret=b"k" * 32)) as port:
        yield port


def test_the_chart_hook_draws_each_pushed_reading_after_its_render(
    browser: Any, chart_port: int
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"http://127.0.0.1:{chart_port}/")
        page.wait_for_selector("#av-root.av-connected")
        chart = page.locator("#chart")
        page.wait_for_function(
            "() => Number(document.getElementById('chart').dataset.points) >= 3",
            timeout=10_000,
        )
        expect(chart).to_have_attribute("data-out-of-order", "0")
        latest = page.inner_text("#latest")
        expect(page).to_have_title(re.compile(r"^\d+\.\d °C · Sensor$"))
        assert page.title().endswith("°C · Sensor") and latest
        chart.dblclick()  # the hook's pushEvent("clear") reaches the view's action
        toast = page.locator("#av-toasts .av-flash", has_text="Chart cleared")
        expect(toast).to_have_attribute("role", "status")
        expect(toast).to_have_attribute("data-kind", "info")
        toast.locator("button").click()
        expect(toast).to_have_count(0)
        assert not [p for p in problems if "Content Security Policy" in p], problems
    finally:
        page.close()


def test_the_first_html_carries_the_views_title_and_loads_the_module_same_origin(
    chart_port: int,
) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{chart_port}/") as response:
        body = response.read().decode()
        csp = response.headers["Content-Security-Policy"]
    assert "<title>21.0 °C · Sensor</title>" in body
    scripts = re.findall(r"<script([^>]*)>", body)
    assert re.fullmatch(r' type="module" src="/_av/static/([^/"]+/)?chart\.js"', scripts[-1])
    assert "client.js" in scripts[-2]
    assert "script-src 'self'" in csp


class Toaster(View):
    said = state(str, "nothing")
    page_title = calculate(lambda said: f"Said {said}")

    warn = action(ops.set(said="warning"), ops.flash("warning", "Careful <b>now</b>"))
    fine = action(ops.set(said="fine"), ops.flash("success", "All fine"))

    def render(self) -> Element:
        return h.div(
            h.p(self.said, id="said"),
            h.button("warn", id="warn", av_click="warn"),
            h.button("fine", id="fine", av_click="fine"),
        )


@pytest.fixture
def toaster_port() -> Iterator[int]:
    with served_in_thread(Application([Route("/", Toaster)], secret=b"k" * 32)) as port:
        yield port


def test_flashes_announce_themselves_stack_and_hide_after_a_while(
    browser: Any, toaster_port: int
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{toaster_port}/")
        page.wait_for_selector("#av-root.av-connected")
        expect(page).to_have_title("Said nothing")
        page.evaluate("() => { ActorView.toasts.FLASH_HIDE_MS.success = 600; }")
        page.click("#warn")
        page.click("#fine")
        warning = page.locator(".av-flash[data-kind=warning]")
        success = page.locator(".av-flash[data-kind=success]")
        expect(warning).to_have_attribute("role", "alert")
        expect(warning.locator(".av-toast-text")).to_have_text("Careful <b>now</b>")  # text
        expect(success).to_have_attribute("role", "status")
        expect(page).to_have_title("Said fine")
        outside = "() => !document.querySelector('#av-root #av-toasts')"
        assert page.evaluate(outside), "toasts are outside the view's markup"
        expect(success).to_have_count(0, timeout=5_000)  # hid itself
        expect(warning).to_have_count(1)  # warnings stay longer
    finally:
        page.close()


def test_the_runtimes_notice_is_a_toast_in_the_same_region(client_page: Any) -> None:
    client_page.evaluate(
        """html => {
          const view = document.getElementById('view');
          view.innerHTML = html;
          view.setAttribute('data-av-socket', 'ws://127.0.0.1:9/_av/live');
          view.setAttribute('data-av-token', 'tok1');
          ActorView.connect(view, {minDelay: 10, maxDelay: 40});
          __sockets[0].open();
        }""",
        to_html(h.div(h.p("hello"))),
    )
    for frame in (
        control_frame("notice", kind="error", text="It failed"),
        control_frame("flash", kind="info", text="Saved"),
        control_frame("title", text="New title"),
    ):
        client_page.evaluate("f => __sockets[0].deliver(JSON.parse(f))", frame)
    toasts = client_page.evaluate(
        """() => Array.from(document.querySelectorAll('#av-toasts > .av-toast'),
             t => [t.id, t.dataset.kind, t.getAttribute('role'),
                   t.querySelector('.av-toast-text').textContent])"""
    )
    assert toasts == [
        ["av-notice", "error", "alert", "It failed"],
        ["", "info", "status", "Saved"],
    ]
    assert client_page.title() == "New title"


def test_handle_event_stops_when_its_hook_is_destroyed_or_removes_it(client_page: Any) -> None:
    client_page.evaluate(
        """() => {
          window.__got = [];
          ActorView.hooks.Listener = {
            mounted() {
              this.handleEvent("ping", (p) => __got.push([this.el.id, p.n]));
              const ref = this.handleEvent("once", (p) => {
                __got.push(["once", p.n]);
                this.removeHandleEvent(ref);
              });
            },
          };
        }"""
    )
    client_page.evaluate(
        """html => {
          const view = document.getElementById('view');
          view.innerHTML = html;
          view.setAttribute('data-av-socket', 'ws://127.0.0.1:9/_av/live');
          view.setAttribute('data-av-token', 'tok1');
          ActorView.connect(view, {minDelay: 10, maxDelay: 40});
          __sockets[0].open();
        }""",
        to_html(h.div(h.p("x", id="a", av_hook="Listener"), h.p("y", id="b", av_hook="Listener"))),
    )

    def deliver(frame: str) -> None:
        client_page.evaluate("f => __sockets[0].deliver(JSON.parse(f))", frame)

    deliver('{"t":"event","name":"ping","payload":{"n":1}}')
    deliver('{"t":"event","name":"once","payload":{"n":2}}')
    deliver('{"t":"event","name":"once","payload":{"n":3}}')
    deliver(control_frame("render", html=to_html(h.div(h.p("y", id="b", av_hook="Listener")))))
    deliver('{"t":"event","name":"ping","payload":{"n":4}}')
    got = client_page.evaluate("() => __got")
    assert got[:2] == [["a", 1], ["b", 1]]
    assert got[2:4] == [["once", 2], ["once", 2]], "each hook's handler, removed after one"
    assert got[4:] == [["b", 4]], "the destroyed hooks no longer hear events"


def test_a_dropped_socket_that_stays_down_shows_reconnecting_until_it_joins(
    client_page: Any,
) -> None:
    from playwright.sync_api import expect

    client_page.evaluate(
        """html => {
          const view = document.getElementById('view');
          view.innerHTML = html;
          view.setAttribute('data-av-socket', 'ws://127.0.0.1:9/_av/live');
          view.setAttribute('data-av-token', 'tok1');
          ActorView.connect(view, {minDelay: 4000, maxDelay: 4000});
          __sockets[0].open();
          __sockets[0].deliver({t: 'joined', token: 't', seq: 0});
        }""",
        to_html(h.div(h.p("hello"))),
    )
    toast = client_page.locator("#av-toasts #av-reconnecting")
    client_page.evaluate("() => __sockets[0].close()")  # dropped; the retry is 2-4 s off
    expect(toast).to_be_visible(timeout=5_000)
    expect(toast).to_have_attribute("role", "status")
    expect(toast).to_contain_text("Reconnecting")
    client_page.wait_for_function("() => __sockets.length === 2", timeout=10_000)
    client_page.evaluate(
        "() => { const s = __sockets[1]; s.open(); s.deliver({t: 'joined', token: 't', seq: 0}); }"
    )
    expect(toast).to_be_hidden()
