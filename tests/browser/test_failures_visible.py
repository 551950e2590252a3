"""What a person at the page sees when the server's code fails, in headless Chromium
against a real server on 127.0.0.1: the default notice of a failed stream, the 500 page
of a view that cannot render (and its retry), a failed action rolled back in the page.

The application runs in this process, in a TrioDriver thread on the real clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
import trio

from actorview.endpoint import Application, Route
from actorview.render import Element, h
from actorview.testing import TrioDriver
from actorview.view import Emit, View, action, async_stream, clause, ops, state
from actorview.view._notices import ACTION_FAILED_TEXT, STREAM_FAILED_TEXT
from tests.browser.test_optimistic_live import Wire

pytestmark = pytest.mark.browser

BACKGROUND = "rgb(1, 2, 3)"


@attrs.frozen
class Tick:
    n: int


async def ticks_then_fail(emit: Emit) -> None:
    await emit(Tick(1))
    await trio.sleep(0.05)
    raise ConnectionError("the model server went away")


class Ticker(View):
    total = state(int)
    ticker = async_stream(emits=(Tick,), on_failure="notice")(ticks_then_fail)
    start = action(ops.fire("ticker"))
    on_tick = clause(Tick, ops.set(total=lambda total, n: total + n))

    def render(self) -> Element:
        return h.div(h.span(str(self.total), id="total"), h.button("Go", id="go", av_click="start"))


class FirstTimeBroken(View):
    """Its first render on the server raises once; after that it works."""

    failures: ClassVar[int] = 1

    def render(self) -> Element:
        if type(self).failures > 0:
            type(self).failures -= 1
            raise RuntimeError("the template is missing a field")
        return h.div(h.p("Works now", id="ok"))


class Adder(View):
    typed = state(str, origin="client")
    total = state(int)
    # The browser clears the input at once; the server's int() raises on what is not a
    # number: a bug in this action (it should validate), which the page must survive.
    save = action(
        ops.set(typed=""),
        ops.set(total=lambda total, typed: total + int(typed)),
        optimistic=True,
    )

    def render(self) -> Element:
        return h.div(
            h.form(
                h.input(name="typed", id="typed"), h.button("Save", id="save"), av_submit="save"
            ),
            h.span(str(self.total), id="total"),
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    css = tmp_path / "site.css"
    css.write_text(f"body {{ background: {BACKGROUND}; }}\n")
    app = Application(
        [Route("/ticker", Ticker), Route("/broken", FirstTimeBroken), Route("/adder", Adder)],
        secret=b"browser-failures-" * 3,
        title="Failures",
        static_files={"site.css": css},
        stylesheets=["site.css"],
    )
    with TrioDriver(real_time=True) as driver:
        port = driver.start(app.serve, "127.0.0.1", 0)
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = browser.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.set_default_timeout(5000)
    yield page
    page.close()


def joined(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")


def notice(page: Any) -> dict[str, Any]:
    shown: dict[str, Any] = page.evaluate(
        """() => { const n = document.getElementById('av-notice');
          return n && {hidden: n.hidden, kind: n.dataset.kind, role: n.getAttribute('role'),
                       text: n.querySelector('.av-notice-text').textContent,
                       inView: document.getElementById('av-root').contains(n)}; }"""
    )
    return shown


def test_a_failed_stream_shows_the_default_notice_outside_the_view(page: Any, served: str) -> None:
    joined(page, f"{served}/ticker")
    page.click("#go")
    page.wait_for_selector("#av-notice:not([hidden])")
    assert notice(page) == {
        "hidden": False,
        "kind": "error",
        "role": "alert",
        "text": STREAM_FAILED_TEXT,
        "inView": False,
    }
    assert page.inner_text("#total") == "1", "what the run emitted before it failed shows"
    assert "model server" not in page.content()
    page.click("#go")  # the view runs on: a second run goes through the same way
    page.wait_for_function("() => document.querySelector('#total').textContent === '2'")
    assert page.console_errors == []


def test_a_view_that_cannot_render_gets_a_500_page_whose_retry_loads_it(
    page: Any, served: str
) -> None:
    FirstTimeBroken.failures = 1
    response = page.goto(f"{served}/broken?from=test")
    assert response.status == 500
    assert page.title() == "Something went wrong · Failures"
    assert page.inner_text("h1") == "Something went wrong"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == BACKGROUND
    assert "template is missing" not in page.content()
    retry = page.locator("a.av-error-action")
    assert retry.inner_text() == "Try again"
    assert retry.get_attribute("href") == "/broken?from=test"
    retry.click()
    page.wait_for_function("() => document.querySelector('#av-root.av-connected') !== null")
    assert page.inner_text("#ok") == "Works now"
    assert page.url == f"{served}/broken?from=test"
    # Chromium reports the 500 itself; nothing else (no CSP violation, no script error).
    assert [e for e in page.console_errors if "status of 500" not in e] == []


def test_a_failed_action_rolls_back_its_prediction_and_says_so(page: Any, served: str) -> None:
    wire = Wire(page)  # holds the server's frames back while the test looks at the page
    joined(page, f"{served}/adder")
    page.fill("#typed", "5")
    page.click("#save")
    page.wait_for_function("() => document.querySelector('#total').textContent === '5'")
    assert page.input_value("#typed") == ""

    wire.hold = True
    page.fill("#typed", "five")
    page.click("#save")
    assert page.input_value("#typed") == "", "predicted: the browser cleared the input"
    wire.wait_for_held(page)
    wire.release()
    page.wait_for_selector("#av-notice:not([hidden])")
    assert notice(page)["text"] == ACTION_FAILED_TEXT
    page.wait_for_function("() => document.querySelector('#typed').value === 'five'")
    assert page.inner_text("#total") == "5", "nothing changed on the server"

    page.fill("#typed", "2")
    page.click("#save")
    page.wait_for_function("() => document.querySelector('#total').textContent === '7'")
    assert page.console_errors == []
