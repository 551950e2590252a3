"""Client bindings in a real browser: show/hide, classes, text and set-only actions.

A small view with a client field and optimistic calcs, rendered by the server once; the
socket is the conftest's fake and never delivers anything, so every change the page
shows comes from the client program alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.render import Element, h, to_html
from actorview.view import View, action, calculate, ops, state
from tests.browser.programs import program_page

pytestmark = pytest.mark.browser


class Search(View):
    query = state(str, origin="client")
    results = state(int)
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    shout = calculate(lambda query: query.strip().upper(), optimistic=True)
    size = calculate(lambda query: str(len(query)), optimistic=True)
    number = calculate(lambda query: f"n={int(query)}" if query else "n=?", optimistic=True)

    reset = action(ops.set(query=""), optimistic=True)
    fill = action(ops.set(query=lambda word: word), params={"word": str}, optimistic=True)

    def render(self) -> Element:
        return h.div(
            h.input(id="q", name="query", av_input="query"),
            h.p("type something", id="hint", av_hide_if="typed", hidden=self.typed),
            h.p(self.shout, id="echo", av_text="shout", av_show_if="typed", hidden=not self.typed),
            h.span(self.size, id="size", av_text="size"),
            h.div(id="box", av_class_if="filled: typed; empty-box: typed", class_="box"),
            h.button("clear", id="clear", av_click="reset"),
            h.button("fill", id="fill", av_click="fill", av_value_word="preset"),
            h.span(self.number, id="number", av_text="number"),
        )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    page = program_page(browser, Search, to_html(Search().render()))
    yield page
    page.close()


def hidden(page: Any, selector: str) -> bool:
    return bool(page.evaluate(f"() => document.querySelector('{selector}').hidden"))


def classes(page: Any) -> list[str]:
    found: list[str] = page.evaluate("() => [...document.querySelector('#box').classList]")
    return found


def test_show_hide_class_and_text_follow_the_input_with_no_round_trip(page: Any) -> None:
    assert not hidden(page, "#hint") and hidden(page, "#echo")
    page.locator("#q").press_sequentially(" straße")
    assert hidden(page, "#hint") and not hidden(page, "#echo")
    assert page.inner_text("#echo") == " straße".strip().upper()
    assert page.inner_text("#size") == "7"
    assert classes(page) == ["box", "filled", "empty-box"]
    page.locator("#q").fill("")
    assert not hidden(page, "#hint") and hidden(page, "#echo")
    assert page.inner_text("#size") == "0"
    assert classes(page) == ["box"]


def test_a_set_only_action_writes_the_field_and_its_control(page: Any) -> None:
    page.locator("#q").press_sequentially("abc")
    page.click("#clear")
    assert page.input_value("#q") == ""
    assert not hidden(page, "#hint")
    page.click("#fill")
    assert page.input_value("#q") == "preset", "a str param is predictable"
    assert page.inner_text("#echo") == "PRESET"
    events = page.evaluate("() => __sockets[0].sent.filter(f => f.t === 'event')")
    assert [e["name"] for e in events] == ["reset", "fill"]
    assert all("_av_keys" not in e["params"] for e in events), "no item, no key"
    page.evaluate(
        "r => __sockets[0].deliver({t: 'reply', ref: r, outcome: 'rejected', error: 'no'})",
        events[1]["ref"],
    )
    assert page.input_value("#q") == "", "the rejected fill gives the field back"


def test_a_binding_that_turns_unknown_shows_the_servers_text_and_takes_its_patches(
    page: Any,
) -> None:
    page.locator("#q").press_sequentially("12")
    assert page.inner_text("#number") == "n=12"
    page.locator("#q").press_sequentially("x")  # int("12x") raises: the browser cannot tell
    assert page.inner_text("#number") == "n=?", "the server's text, not a stale prediction"
    page.evaluate("() => __sockets[0].deliver([['a', [7, 0], '!']])")  # the server's own append
    assert page.inner_text("#number") == "n=?!"
    page.locator("#q").fill("3")
    page.evaluate("() => __sockets[0].deliver([['a', [7, 0], '?']])")  # under the prediction
    assert page.inner_text("#number") == "n=3"
    page.locator("#q").fill("3y")
    assert page.inner_text("#number") == "n=?!?"
