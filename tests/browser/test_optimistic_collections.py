"""Optimistic list ops and pushes onto a ``key=`` stream, in a real browser.

A small board: tags typed into an input are pushed onto a client list field (shown by
calcs through ``av-text``) and, as cards, onto a stream keyed by the tag itself; a button
pops the last tag. The page is built as the endpoint serves it (runtime, program and
client.js as scripts); the socket is the conftest's fake, and the server is a real view
under a mock clock whose frames the test delivers by hand, so every change seen before a
delivery is the browser's own prediction.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from actorview.render import Element, h
from actorview.testing._driver import TrioDriver
from actorview.view import Applied, View, action, calculate, ops, state
from actorview.view import stream as stream_field
from tests.browser.programs import HandServer, deliver, program_page, sent_events

pytestmark = pytest.mark.browser


@attrs.frozen
class Card:
    id: str
    text: str


def render_card(card: Card) -> Element:
    return h.li(card.text, class_="card")


class Board(View):
    tag = state(str, origin="client")
    tags = state(list[str], origin="client")
    tag_ok = calculate(lambda tag: bool(tag.strip()), optimistic=True)
    shown = calculate(lambda tags: "tags: " + ", ".join(tags), optimistic=True)
    count = calculate(lambda tags: str(len(tags)), optimistic=True)
    cards = stream_field(Card, key="id", item=render_card)

    add = action(
        ops.push(tags=lambda tag: tag.strip()),
        ops.push(cards=lambda tag: Card(tag.strip(), "card " + tag.strip())),
        ops.set(tag=""),
        when=lambda tag_ok: tag_ok,
        optimistic=True,
    )
    drop = action(ops.pop("tags"), optimistic=True)
    note = action(ops.push(tags=lambda count: "n" + count), optimistic=True)

    def render(self) -> Element:
        return h.div(
            h.form(
                h.input(id="tag", name="tag", av_input="tag", autocomplete="off"),
                h.button("add", id="add", type="submit"),
                id="form",
                av_submit="add",
            ),
            h.p(self.shown, id="shown", av_text="shown"),
            h.span(self.count, id="count", av_text="count"),
            h.button("drop", id="drop", type="button", av_click="drop"),
            h.button("note", id="note", type="button", av_click="note"),
            self.cards.slot("ul", id="cards"),
        )


@pytest.fixture
def server() -> Iterator[HandServer[Board]]:
    with TrioDriver() as driver:
        yield HandServer(driver, Board)


@pytest.fixture
def board(browser: Any, server: HandServer[Board]) -> Iterator[Any]:
    page = program_page(browser, Board, server.first_html)
    yield page
    assert page.console_errors == []
    page.close()


def cards(page: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.eval_on_selector_all(
        "#cards > li",
        """els => els.map(e => ({text: e.textContent, key: e.getAttribute('av-key'),
              provisional: e.hasAttribute('av-provisional'), html: e.outerHTML}))""",
    )
    return found


def texts(page: Any) -> tuple[str, str]:
    return page.inner_text("#shown"), page.inner_text("#count")


def add(page: Any, tag: str) -> dict[str, Any]:
    """Type ``tag`` and submit; the event the page sent."""
    page.locator("#tag").fill(tag)
    page.press("#tag", "Enter")
    return sent_events(page)[-1]


def answer(page: Any, server: HandServer[Board], event: dict[str, Any]) -> None:
    """The server handles ``event``; its reply, then its frames, reach the page."""
    assert server.event(event) == Applied()
    deliver(page, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    for frame in server.frames():
        deliver(page, frame)


def test_a_tag_and_its_card_show_before_any_frame_then_the_server_agrees(
    board: Any, server: HandServer[Board]
) -> None:
    assert texts(board) == ("tags:", "0")
    event = add(board, "  red ")

    assert texts(board) == ("tags: red", "1"), "the pushed tag, before the server answers"
    assert board.input_value("#tag") == ""
    (card,) = cards(board)
    assert card["key"] == "red", "the browser computed the key the server will give"
    assert card["provisional"] and card["text"] == "card red"
    assert "_av_keys" not in event["params"], "a key= stream keys the item itself"
    assert event["params"]["tag"] == "  red "

    assert server.event(event) == Applied()
    frames = server.frames()
    assert frames
    for frame in frames:
        deliver(board, frame)
        assert [c["key"] for c in cards(board)] == ["red"], f"a duplicate after {frame}"
    deliver(board, {"t": "reply", "ref": event["ref"], "outcome": "applied"})
    (final,) = cards(board)
    assert not final["provisional"]
    assert final["html"] == card["html"].replace(' av-provisional=""', ""), (
        "the browser drew the card exactly as the server renders it"
    )
    assert texts(board) == ("tags: red", "1")
    assert server.view.tags == ["red"]


def test_pop_removes_the_last_tag_and_a_pop_of_nothing_changes_nothing(
    board: Any, server: HandServer[Board]
) -> None:
    for tag in ["a", "b"]:
        answer(board, server, add(board, tag))
    assert texts(board) == ("tags: a, b", "2")
    for expected in [("tags: a", "1"), ("tags:", "0"), ("tags:", "0")]:
        board.click("#drop")
        assert texts(board) == expected, "predicted, nothing delivered yet"
    drops = sent_events(board)[-3:]
    assert [e["name"] for e in drops] == ["drop"] * 3
    for event in drops:
        answer(board, server, event)
    assert server.view.tags == [], "the server's pop of an empty list did nothing either"
    assert texts(board) == ("tags:", "0")
    assert [c["key"] for c in cards(board)] == ["a", "b"], "pop is of the list, not the stream"


def test_a_rejected_add_takes_back_the_tag_the_card_and_the_input(board: Any) -> None:
    event = add(board, "nope")
    assert texts(board) == ("tags: nope", "1") and len(cards(board)) == 1
    deliver(board, {"t": "reply", "ref": event["ref"], "outcome": "rejected", "error": "no"})
    assert texts(board) == ("tags:", "0")
    assert cards(board) == []
    assert board.input_value("#tag") == "nope"


def test_a_key_already_shown_is_left_to_the_server_which_replaces_it_in_place(
    board: Any, server: HandServer[Board]
) -> None:
    for tag in ["a", "b"]:
        answer(board, server, add(board, tag))
    before = cards(board)
    event = add(board, "a")
    assert cards(board) == before, "no second card 'a', and nothing replaced before the server"
    assert texts(board) == ("tags: a, b", "2"), "no prediction at all: the server answers"
    answer(board, server, event)
    assert [(c["key"], c["provisional"]) for c in cards(board)] == [("a", False), ("b", False)]
    assert texts(board) == ("tags: a, b, a", "3"), "the server's text stays"
    assert server.view.tags == ["a", "b", "a"]
    board.click("#drop")
    assert texts(board) == ("tags: a, b, a", "3"), "the list is not known now: no guess"
    answer(board, server, sent_events(board)[-1])
    assert texts(board) == ("tags: a, b", "2"), "the server's rendering"
    event = add(board, "c")
    assert len(cards(board)) == 2, "all or nothing: its push is onto the unknown list"
    answer(board, server, event)
    assert [c["key"] for c in cards(board)] == ["a", "b", "c"]
    assert texts(board) == ("tags: a, b, c", "3")


def test_a_rollback_replays_the_later_events_on_the_list_as_the_server_does(
    board: Any, server: HandServer[Board]
) -> None:
    first = add(board, "x")
    second = add(board, "y")
    assert texts(board) == ("tags: x, y", "2")
    deliver(board, {"t": "reply", "ref": first["ref"], "outcome": "rejected", "error": "no"})
    assert texts(board) == ("tags: y", "1"), "x is taken back, y (still waiting) stays"
    assert [c["key"] for c in cards(board)] == ["y"], "x's card goes"
    answer(board, server, second)
    assert server.view.tags == ["y"], "the server never saw x"
    assert texts(board) == ("tags: y", "1")
    assert [(c["key"], c["provisional"]) for c in cards(board)] == [("y", False)]


def test_a_later_event_that_read_the_taken_back_list_makes_it_unknown(
    board: Any, server: HandServer[Board]
) -> None:
    first = add(board, "x")
    board.click("#note")
    note = sent_events(board)[-1]
    assert texts(board) == ("tags: x, n1", "2"), "the note read the predicted count"
    deliver(board, {"t": "reply", "ref": first["ref"], "outcome": "rejected", "error": "no"})
    assert board.inner_text("#count") == "0", (
        "the list is unknown: the page shows the server's text until its next frame (a "
        "replay of the note would guess ['n1'])"
    )
    answer(board, server, note)
    assert server.view.tags == ["n0"], "on the server the note read a count of 0"
    assert board.inner_text("#count") == "1", "the server's rendering"
    board.click("#drop")
    assert board.inner_text("#count") == "1", "the list is unknown: nothing predicted"
