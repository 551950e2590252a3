"""An optimistic push onto a client list field is drawn on the page, in a real browser.

The view renders its client ``list[str]`` field as ``h.ul(*[h.li(tag, ...) for tag in
self.tags])``; the inference gives the ``ul`` an ``items`` binding with a template of
the ``li``, so a push (or a pop) shows at once, before the server answers, and the
server's own frames then land on its own markup, with no duplicate. The socket is the
conftest's fake and the server a real view under a mock clock whose frames the test
delivers by hand, so every change seen before a delivery is the browser's prediction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview.render import Element, h
from actorview.testing._driver import TrioDriver
from actorview.view import Applied, View, action, calculate, ops, state
from tests.browser.programs import HandServer, deliver, program_page, sent_events

pytestmark = pytest.mark.browser


class Tags(View):
    tag = state(str, origin="client")
    tags = state(list[str], origin="client")
    tag_ok = calculate(lambda tag: bool(tag.strip()), optimistic=True)

    add = action(
        ops.push(tags=lambda tag: tag.strip()),
        ops.set(tag=""),
        when=lambda tag_ok: tag_ok,
        optimistic=True,
    )
    drop = action(ops.pop("tags"), optimistic=True)

    def render(self) -> Element:
        return h.div(
            h.form(
                h.input(id="tag", name="tag", av_input="tag", autocomplete="off"),
                h.button("add", id="add", type="submit"),
                id="form",
                av_submit="add",
            ),
            h.ul(*[h.li(tag, class_="tag", title=tag) for tag in self.tags], id="tags"),
            h.button("drop", id="drop", type="button", av_click="drop"),
        )


def test_the_list_gets_an_items_binding() -> None:
    plan = Tags.__view_client__
    assert plan is not None
    (binding,) = [b for b in plan.bindings if b.attr == "items"]
    assert binding.items is not None and binding.function.names == ("tags",)
    assert binding.items.fill({"item": "<a&b>"}) == (
        '<li class="tag" title="&lt;a&amp;b&gt;">&lt;a&amp;b&gt;</li>'
    )


@pytest.fixture
def server() -> Iterator[HandServer[Tags]]:
    with TrioDriver() as driver:
        yield HandServer(driver, Tags)


@pytest.fixture
def page(browser: Any, server: HandServer[Tags]) -> Iterator[Any]:
    page = program_page(browser, Tags, server.first_html)
    yield page
    assert page.console_errors == []
    page.close()


def items(page: Any) -> list[str]:
    found: list[str] = page.eval_on_selector_all("#tags > li", "els => els.map(e => e.outerHTML)")
    return found


def add(page: Any, tag: str) -> dict[str, Any]:
    page.locator("#tag").fill(tag)
    page.press("#tag", "Enter")
    return sent_events(page)[-1]


def answer(page: Any, server: HandServer[Tags], event: dict[str, Any]) -> None:
    assert server.event(event) == Applied()
    frames = server.frames()
    for frame in frames:
        deliver(page, frame)
    deliver(page, {"t": "reply", "ref": event["ref"], "outcome": "applied"})


def test_a_pushed_tag_is_drawn_before_the_server_answers_then_the_server_agrees(
    page: Any, server: HandServer[Tags]
) -> None:
    assert items(page) == []
    event = add(page, "  red ")
    drawn = items(page)
    assert drawn == ['<li class="tag" title="red">red</li>'], "drawn before any frame"
    answer(page, server, event)
    assert items(page) == drawn, "the server's frame lands on its own markup: no duplicate"
    event = add(page, "<b>&")
    predicted = items(page)
    assert len(predicted) == 2 and predicted[0] == drawn[0]
    texts = page.eval_on_selector_all("#tags > li", "els => els.map(e => [e.textContent, e.title])")
    assert texts == [["red", "red"], ["<b>&", "<b>&"]], "escaped as the server escapes it"
    answer(page, server, event)
    assert server.view.tags == ["red", "<b>&"]
    assert items(page) == predicted
    page.click("#drop")
    assert items(page) == drawn, "a pop is drawn too"
    answer(page, server, sent_events(page)[-1])
    assert items(page) == drawn and server.view.tags == ["red"]


def test_a_rejected_push_takes_the_drawn_tag_back(page: Any, server: HandServer[Tags]) -> None:
    answer(page, server, add(page, "kept"))
    event = add(page, "nope")
    assert len(items(page)) == 2
    deliver(page, {"t": "reply", "ref": event["ref"], "outcome": "rejected", "error": "no"})
    assert items(page) == ['<li class="tag" title="kept">kept</li>']
    assert page.input_value("#tag") == "nope"
