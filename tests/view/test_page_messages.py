"""What a view tells its page besides its renders: pushed events for hooks, flashes and
the page title, in order with the renders around them, checked where they are made."""

from __future__ import annotations

import json

import attrs
import pytest
import trio
import trio.testing

from actorview.errors import DefinitionError
from actorview.mailbox import on
from actorview.render import Element, h
from actorview.testing import EventRejected, ViewCrashed, mount
from actorview.view import (
    MAX_EVENT_BYTES,
    MAX_FLASH_CHARS,
    EventTooLarge,
    OpError,
    Rejected,
    View,
    action,
    calculate,
    clause,
    ops,
    state,
)
from tests.view.helpers import running, settle


@attrs.frozen
class Reading:
    level: int


class Meter(View, receives=(Reading,)):
    value = state(int)
    label = state(str, "Meter")
    page_title = calculate(lambda label, value: f"{value} · {label}")

    bump = action(
        ops.set(value=lambda value: value + 1),
        ops.push_event("point", lambda value: {"y": value + 1}),
    )
    save = action(ops.flash("success", "Saved"))
    warn = action(ops.flash("warning", lambda value: f"value is {value}"))
    quiet = action(ops.push_event("ping"))
    big = action(ops.push_event("blob", lambda label: label * (MAX_EVENT_BYTES + 1)))
    odd = action(ops.push_event("odd", lambda label: {1, 2}))
    on_reading = clause(
        Reading,
        ops.set(value=lambda level: level),
        ops.when(lambda level: level > 9, ops.flash("error", "too high")),
    )

    def render(self) -> Element:
        buttons = [h.button(name, id=name, av_click=name) for name in ACTIONS]
        return h.div(h.p(str(self.value), id="value"), *buttons)


ACTIONS = ("bump", "save", "warn", "quiet", "big", "odd")


def kinds(view: object) -> list[str]:
    return [frame.kind for frame in view.frames]  # type: ignore[attr-defined]


async def test_a_pushed_event_reaches_the_page_after_the_render_of_its_action() -> None:
    async with mount(Meter) as view:
        mark = view.mark()
        await view.click("#bump")
        sent = [(f.kind, f.data) for f in view.frames_since(mark) if f.kind != "reply"]
        assert [kind for kind, _ in sent] == ["patch", "title", "event"]
        assert sent[-1][1] == {"t": "event", "name": "point", "payload": {"y": 1}}
        assert sent[1][1] == {"t": "title", "text": "1 · Meter"}
        assert [(e.name, e.value) for e in view.events] == [("point", {"y": 1})]


async def test_events_keep_the_order_they_were_pushed_in() -> None:
    async with mount(Meter) as view:
        for _ in range(3):
            await view.click("#bump")
        assert [e.value for e in view.events] == [{"y": 1}, {"y": 2}, {"y": 3}]


async def test_an_event_from_an_action_that_draws_nothing_is_sent_at_once() -> None:
    async with mount(Meter) as view:
        mark = view.mark()
        await view.click("#quiet")
        sent = [f.data for f in view.frames_since(mark) if f.kind != "reply"]
        assert sent == [{"t": "event", "name": "ping", "payload": None}]


async def test_a_flash_is_observable_with_its_kind_and_text() -> None:
    async with mount(Meter) as view:
        await view.click("#save")
        await view.click("#warn")
        assert [(f.kind.value, f.text) for f in view.flashes] == [
            ("success", "Saved"),
            ("warning", "value is 0"),
        ]
        flashes = [f.data for f in view.frames if f.kind == "flash"]
        assert flashes[-1] == {"t": "flash", "kind": "warning", "text": "value is 0"}


async def test_a_clause_flashes_after_the_render_of_its_message(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Meter) as view:
        mark = view.mark()
        await view.send(Reading(12))
        await view.settle()
        assert [f.kind for f in view.frames_since(mark)] == ["patch", "title", "flash"]
        assert view.flashes[-1].text == "too high"


async def test_the_title_is_set_by_the_first_render_and_follows_the_state() -> None:
    async with mount(Meter) as view:
        assert view.title == "0 · Meter"
        await view.click("#save")
        assert [f.kind for f in view.frames].count("title") == 1, "sent only when it changes"
        await view.click("#bump")
        assert view.title == "1 · Meter"


async def test_a_payload_too_large_fails_its_action_naming_the_view_and_the_event() -> None:
    async with mount(Meter) as view:
        outcome = await view.click("#big")
        assert isinstance(outcome, Rejected)
        error = outcome.error
        assert isinstance(error, EventTooLarge)
        assert (error.view, error.event, error.limit) == ("Meter", "blob", MAX_EVENT_BYTES)
        assert "Meter" in str(error) and "'blob'" in str(error) and "Nothing changed" in str(error)
        assert view.events == []


async def test_a_payload_that_is_not_json_fails_its_action() -> None:
    async with mount(Meter, strict=True) as view:
        with pytest.raises(EventRejected, match=r"payload of event 'odd' is not JSON"):
            await view.click("#odd")


def test_a_flash_of_an_unknown_kind_is_refused_when_the_class_is_defined() -> None:
    with pytest.raises(DefinitionError, match=r"ops.flash\('oops', ...\): the kind is one of"):
        ops.flash("oops", "x")


def test_an_event_needs_a_name() -> None:
    with pytest.raises(DefinitionError, match=r"an event's name is a non-empty str"):
        ops.push_event("")


class Greeter(View, receives=(Reading,)):
    greeted = state(bool)

    async def on_start(self) -> None:
        self.push_event("hello", {"who": "world"})  # sent after the first render
        self.flash("info", "x" * (MAX_FLASH_CHARS + 50))
        await super().on_start()

    @on(Reading)
    def reading(self, message: Reading) -> None:
        self.push_event("reading", {"value": message.level})

    def page_title(self) -> str:
        return "Greeter"

    def render(self) -> Element:
        return h.p("hi")


async def test_view_methods_push_events_and_flashes_for_on_start_and_plain_clauses(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Greeter) as view:
        assert view.title == "Greeter"
        assert [e.name for e in view.events] == ["hello"]
        assert len(view.flashes[0].text) == MAX_FLASH_CHARS
        await view.send(Reading(3))
        await view.settle()
        assert view.events[-1].value == {"value": 3}
        assert json.loads(view.frames_since(0, "event")[-1].text)["name"] == "reading"


def test_view_methods_check_what_they_send() -> None:
    greeter = Greeter()
    with pytest.raises(ValueError, match=r"Greeter.flash\('loud', ...\)"):
        greeter.flash("loud", "x")
    with pytest.raises(OpError, match=r"not JSON"):
        greeter.push_event("x", object())


class BadTitle(View):
    def page_title(self) -> int:
        return 3

    def render(self) -> Element:
        return h.p("x")


async def test_a_title_that_is_not_a_str_names_the_view_and_the_fix() -> None:
    with pytest.raises(ViewCrashed, match=r"BadTitle.page_title gave 3; a page title is a str"):
        async with mount(BadTitle):
            pass


class PacedMeter(View, receives=(Reading,)):
    value = state(int)
    on_reading = clause(
        Reading,
        ops.set(value=lambda level: level),
        ops.push_event("level", lambda level: level),
    )

    def render(self) -> Element:
        return h.p(str(self.value))


async def test_a_paced_view_holds_its_events_with_the_render_they_follow(
    autojump_clock: trio.testing.MockClock,
) -> None:
    sent: list[str] = []
    view = PacedMeter(
        sink=lambda rendered: sent.append(f"render {rendered.version}"),
        page=lambda message: sent.append(f"{type(message).__name__} {message.payload}"),  # type: ignore[union-attr]
        paced=True,
    )
    async with running(view) as ref:
        await trio.sleep(view.frame_interval)
        await ref.tell(Reading(1))
        await settle()
        await ref.tell(Reading(2))  # within the frame interval: the render is held back
        await settle()
        assert view.live.render_held_back
        assert sent == ["render 0", "render 1", "PushedEvent 1"]
        await trio.sleep(view.frame_interval)
        await settle()
        assert sent[3:] == ["render 2", "PushedEvent 2"]
