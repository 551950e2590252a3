"""examples/components.py in Chromium against the real endpoint: a component's buttons
reach it alone, keyed counters are added, removed and reordered with their counts, and
todo rows (components as the items of a stream) tick off in place and remove
themselves through their list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from actorview import Component, Element, View, action, h, ops, state
from actorview.endpoint import Application, Route
from examples.components import Board, Todos
from tests.browser.served import served_in_thread

pytestmark = pytest.mark.browser


class Note(Component):
    """A component with a client field of its own, typed into and submitted."""

    draft = state(str, origin="client")
    saved = state(list[str])
    save = action(
        ops.push(saved=lambda draft: draft), ops.set(draft=""), when=lambda draft: bool(draft)
    )

    def render(self) -> Element:
        return h.form(
            h.input(name="draft", value=self.draft, av_input="draft"),
            h.button("save"),
            h.ul(*(h.li(text) for text in self.saved)),
            av_submit="save",
            av_reset=True,  # the browser empties the form once it sent it
            id=f"note-{self.key}",
        )


class Notes(View):
    def render(self) -> Element:
        return h.div(self.component(Note, key="a"), self.component(Note, key="b"))


@pytest.fixture
def live_port() -> Iterator[int]:
    routes = [Route("/", Board), Route("/todos", Todos), Route("/notes", Notes)]
    app = Application(routes, secret=b"k" * 32)
    with served_in_thread(app) as port:
        yield port


def test_counters_keep_their_counts_through_adds_removes_and_moves(
    browser: Any, live_port: int
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/")
        page.wait_for_selector("#av-root.av-connected")
        counters = page.locator("#counters li.counter")
        page.click("#counter-apples .inc")
        page.click("#counter-apples .inc")
        page.click("#counter-pears .dec")
        expect(page.locator("#counter-apples .count")).to_have_text("2")
        expect(page.locator("#counter-pears .count")).to_have_text("-1")
        expect(page.locator("#total")).to_have_text("1")

        page.fill("#add-counter input", "plums")
        page.click("#add-counter button")
        expect(counters).to_have_count(3)
        page.click("#counter-plums .inc")
        page.click("#row-plums .up")
        page.click("#row-plums .up")
        expect(counters.locator(".label")).to_have_text(["plums", "apples", "pears"])
        expect(counters.locator(".count")).to_have_text(["1", "2", "-1"])
        expect(page.locator("#total")).to_have_text("2")

        page.click("#row-apples .remove")
        expect(counters.locator(".label")).to_have_text(["plums", "pears"])
        page.fill("#add-counter input", "apples")
        page.click("#add-counter button")
        expect(counters.locator(".label")).to_have_text(["plums", "pears", "apples"])
        expect(counters.locator(".count")).to_have_text(["1", "-1", "0"])  # a new one
        page.click("#double-step")
        page.click("#counter-apples .inc")
        expect(page.locator("#counter-apples .count")).to_have_text("2")
        expect(page.locator("#total")).to_have_text("2")
    finally:
        page.close()


def test_todo_rows_tick_off_in_place_and_remove_through_the_list(
    browser: Any, live_port: int
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/todos")
        page.wait_for_selector("#av-root.av-connected")
        for text in ("milk", "eggs", "bread"):
            page.fill("#add-todo input", text)
            page.click("#add-todo button")
        rows = page.locator("#todos li.todo")
        expect(rows.locator(".text")).to_have_text(["milk", "eggs", "bread"])
        page.click("#todo-1 .toggle")
        expect(page.locator("#todo-1")).to_have_class("todo done")
        expect(page.locator("#todo-1 .toggle")).to_have_text("undo")
        page.click("#todo-0 .remove")
        expect(rows.locator(".text")).to_have_text(["eggs", "bread"])
        expect(page.locator("#todo-1")).to_have_class("todo done")  # its state stayed
        page.click("#todo-2 .toggle")
        page.click("#todo-1 .toggle")
        expect(rows).to_have_class(["todo", "todo done"])
    finally:
        page.close()


def test_a_components_inputs_and_form_write_its_own_fields(browser: Any, live_port: int) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{live_port}/notes")
        page.wait_for_selector("#av-root.av-connected")
        page.fill("#note-a input", "first")
        page.press("#note-a input", "Enter")
        expect(page.locator("#note-a li")).to_have_text(["first"])
        expect(page.locator("#note-a input")).to_have_value("")
        page.fill("#note-b input", "second")
        page.click("#note-b button")
        page.fill("#note-a input", "third")
        page.click("#note-a button")
        expect(page.locator("#note-a li")).to_have_text(["first", "third"])
        expect(page.locator("#note-b li")).to_have_text(["second"])
    finally:
        page.close()
