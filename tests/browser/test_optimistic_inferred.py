"""Bindings inferred from render, in a real browser: each kind follows the user's typing.

The view below writes no binding attribute: its render reads client fields and optimistic
calcs off ``self``, and ``actorview.optimistic._bindings`` infers the rest. The server
renders it once; the socket is the conftest's fake, so every change the page shows while
the user types comes from the client program alone. Server inputs change only when the
test delivers the server's own patches (``diff`` of two renders).
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from actorview.render import Element, diff, h, to_html
from actorview.render._wire import op_to_wire
from actorview.view import View, action, calculate, ops, state
from tests.browser.programs import program_page

pytestmark = pytest.mark.browser


class Compose(View):
    query = state(str, origin="client")
    busy = state(bool)
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    size = calculate(lambda query: len(query), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        return h.form(
            h.input(id="q", name="query", autocomplete="off"),
            h.button("go", id="go", type="submit", disabled=not self.typed or self.busy),
            h.p("type something", id="hint", hidden=self.typed),
            h.input(id="box", type="checkbox", checked=self.typed),
            h.div(id="c1", class_="on" if self.typed else None),
            h.div(id="c2", class_=["box", self.typed and "filled", self.busy and "busy"]),
            h.div(id="c3", class_={"filled": self.typed, "busy": self.busy}),
            h.span(self.size, id="size"),
            h.p(self.query.strip().upper(), id="echo"),
            h.p("odd", id="odd", hidden=len(self.query) % 2 == 0),
            id="compose",
            av_submit="send",
        )


class Page:
    """The page and the server's view, with the tree the page shows."""

    def __init__(self, page: Any, view: Compose) -> None:
        self.page = page
        self.view = view
        self.tree = view.render()

    def rerender(self) -> None:
        """Deliver the server's patches from the last tree to a new render."""
        tree = self.view.render()
        frame = [op_to_wire(op) for op in diff(self.tree, tree)]
        self.tree = tree
        self.page.evaluate("f => __sockets[0].deliver(f)", frame)

    def js(self, expression: str) -> Any:
        return self.page.evaluate(f"() => {expression}")

    def prop(self, selector: str, name: str) -> Any:
        return self.js(f"document.querySelector('{selector}').{name}")

    def state(self) -> dict[str, Any]:
        return {
            "go": self.prop("#go", "disabled"),
            "hint": self.prop("#hint", "hidden"),
            "box": [
                self.prop("#box", "checked"),
                self.js("document.querySelector('#box').hasAttribute('checked')"),
            ],
            "c1": self.js("document.querySelector('#c1').getAttribute('class')"),
            "c2": self.js("document.querySelector('#c2').getAttribute('class')"),
            "c3": self.js("document.querySelector('#c3').getAttribute('class')"),
            "size": self.prop("#size", "textContent"),
            "echo": self.prop("#echo", "textContent"),
            "odd": self.prop("#odd", "hidden"),
        }


@pytest.fixture
def compose(browser: Any) -> Iterator[Page]:
    view = Compose()
    page = program_page(browser, Compose, to_html(view.render()))
    shown = Page(page, view)
    yield shown
    assert page.console_errors == page.console_warnings == [], "no binding failed or warned"
    page.close()


class _Elements(HTMLParser):
    """Each element's attributes and text, by id, from the server's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, str] = {}
        self.open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.open = found.get("id")
        if self.open is not None:
            self.attrs[self.open] = found
            self.text[self.open] = ""

    def handle_data(self, data: str) -> None:
        if self.open is not None:
            self.text[self.open] += data


def python_state(view: Compose) -> dict[str, Any]:
    """What the server's render shows for the same state."""
    parsed = _Elements()
    parsed.feed(to_html(view.render()))
    attrs, text = parsed.attrs, parsed.text
    return {
        "go": "disabled" in attrs["go"],
        "hint": "hidden" in attrs["hint"],
        "box": ["checked" in attrs["box"]] * 2,
        "c1": attrs["c1"].get("class"),
        "c2": attrs["c2"].get("class"),
        "c3": attrs["c3"].get("class"),
        "size": text["size"],
        "echo": text["echo"],
        "odd": "hidden" in attrs["odd"],
    }


def type_into(compose: Page, text: str) -> None:
    compose.page.locator("#q").fill(text)
    compose.view.query = text
    compose.view.live.store.compute_all()


def test_every_inferred_binding_shows_what_the_server_would_render_with_no_round_trip(
    compose: Page,
) -> None:
    assert compose.state() == python_state(compose.view)
    for text in ("h", "hé ", "  ", "straße", ""):
        type_into(compose, text)
        assert compose.state() == python_state(compose.view), repr(text)
    events = compose.js("__sockets[0].sent.filter(f => f.t === 'event')")
    assert events == [], "nothing but input frames left the page"


def test_the_input_is_bound_by_its_name_and_sends_the_field(compose: Page) -> None:
    assert compose.js("document.querySelector('#q').getAttribute('av-input')") == "query"
    compose.page.locator("#q").press_sequentially("ab")
    inputs = compose.js("__sockets[0].sent.filter(f => f.t === 'input')")
    assert inputs and inputs[-1]["field"] == "query" and inputs[-1]["value"] == "ab"


def test_server_inputs_arrive_with_the_servers_patches_and_join_the_browsers_values(
    compose: Page,
) -> None:
    type_into(compose, "hi")
    assert compose.state()["go"] is False
    compose.view.busy = True
    compose.rerender()
    assert compose.state()["go"] is True, "the server's busy keeps it disabled"
    assert compose.state()["c2"] == "box filled busy"
    type_into(compose, "")
    assert compose.state() == python_state(compose.view)
    compose.view.busy = False
    compose.rerender()
    type_into(compose, "again")
    assert compose.state() == python_state(compose.view)
    assert compose.state()["go"] is False


def test_a_value_the_browser_refuses_leaves_the_servers_rendering(compose: Page) -> None:
    # The fake program knows no value for a name: the expression is unknown.
    compose.js("(document.querySelector('#go').setAttribute('av-bind-env', '{}'), 0)")
    type_into(compose, "x")
    assert compose.prop("#go", "disabled") is True, "busy unknown: the server's disabled stays"
    assert compose.state()["hint"] is True, "bindings without server inputs still follow"
