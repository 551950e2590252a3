"""A view as an actor: browser events in its mailbox, renders and diffs to its sink."""

from __future__ import annotations

import attrs
import pytest
import trio

from actorview.mailbox import on
from actorview.render import Document, Element, StreamInsertItem, StreamSlot, h, to_html
from actorview.view import (
    ActionEvent,
    Applied,
    Connected,
    Disconnected,
    Ignored,
    InputEvent,
    InvalidInput,
    InvalidParams,
    Rejected,
    Rendered,
    View,
    action,
    calculate,
    ops,
    state,
    stream,
)
from tests.view.helpers import running, settle


@attrs.frozen
class Note:
    id: int
    body: str


@attrs.frozen
class Setup:
    title: str = "Notes"
    start: int = 0


@attrs.frozen
class Bump:
    by: int


class Notes(View, receives=(Bump,)):
    title = state(str)
    draft = state(str, origin="client")
    next_id = state(int)
    notes = stream(Note, key="id")
    can_add = calculate(lambda draft: bool(draft.strip()))
    count = calculate(lambda notes: len(notes))

    add = action(
        ops.push(notes=lambda next_id, draft: Note(next_id, draft.strip())),
        ops.set(next_id=lambda next_id: next_id + 1, draft=""),
        when=lambda can_add: can_add,
    )
    remove = action(ops.delete("notes", lambda id: id), params={"id": int})

    def mount(self, params: Setup) -> None:
        self.title = params.title
        self.next_id = params.start
        self.connects: list[str] = []

    def on_connect(self) -> None:
        self.connects.append("up")

    def on_disconnect(self) -> None:
        self.connects.append("down")

    @on(Bump)
    def bump(self, by: int) -> None:
        self.next_id = self.next_id + by

    def render(self) -> Element:
        return h.div(
            h.h1(self.title),
            self.notes.slot("ul", lambda note: h.li(note.body), id="notes"),
            h.input(id="draft", value=self.draft),
            h.button("Add", id="add", disabled=not self.can_add),
            h.p(f"{self.count} notes", id="count"),
        )


async def test_the_first_render_is_version_0_and_later_ones_are_patches() -> None:
    renders: list[Rendered] = []
    view = Notes(Setup(title="Mine"), sink=renders.append)
    async with running(view) as ref:
        assert [r.version for r in renders] == [0]
        page = Document.from_tree(renders[0].tree)
        assert await ref.ask(InputEvent("draft", "  buy milk ")) == Applied()
        assert await ref.ask(ActionEvent("add")) == Applied()
        await settle()
        assert [r.version for r in renders] == [0, 1, 2]
        for rendered in renders[1:]:
            page.apply(rendered.patches)
        assert page.html() == (
            '<div><h1>Mine</h1><ul id="notes"><li av-key="0">buy milk</li></ul>'
            '<input id="draft" value><button id="add" disabled>Add</button>'
            '<p id="count">1 notes</p></div>'
        )


async def test_a_new_stream_item_ships_alone_whatever_the_length_of_the_stream() -> None:
    renders: list[Rendered] = []
    view = Notes(sink=renders.append)
    async with running(view) as ref:
        for i in range(50):
            await ref.ask(InputEvent("draft", f"note {i}"))
            await ref.ask(ActionEvent("add"))
        inserts = [p for p in renders[-1].patches if isinstance(p, StreamInsertItem)]
        assert [p.html for p in inserts] == ['<li av-key="49">note 49</li>']
        assert view.notes.pending == []  # the server forgot the items once rendered
        assert len(view.notes) == 50


class Loaded(Notes):
    """Notes that start with a long history, as a restarted chat reloads its store."""

    def mount(self, params: Setup) -> None:
        super().mount(params)
        for i in range(1_000):
            self.notes.insert(Note(i, f"note {i} " + "x" * 100), at_start=False)


def stream_ops_in(node: object) -> int:
    if isinstance(node, StreamSlot):
        return len(node.ops)
    if isinstance(node, Element):
        return sum(stream_ops_in(child) for child in node.children)
    return 0


async def test_the_view_keeps_no_rendered_stream_item_after_sending_it() -> None:
    renders: list[Rendered] = []
    view = Loaded(sink=renders.append)
    async with running(view) as ref:
        assert stream_ops_in(renders[0].tree) == 1_000, "the first page shows them all"
        assert view.live.tree is not None and stream_ops_in(view.live.tree) == 0
        assert await ref.ask(InputEvent("draft", "one more")) == Applied()
        assert await ref.ask(ActionEvent("add")) == Applied()
        await settle()
        inserts = [p for p in renders[-1].patches if isinstance(p, StreamInsertItem)]
        assert [p.html for p in inserts] == ['<li av-key="0">one more</li>'], (
            "the diff from the kept tree ships only the new item"
        )
        assert stream_ops_in(view.live.tree) == 0
    page = Document.from_tree(renders[0].tree)
    for rendered in renders[1:]:
        page.apply(rendered.patches)
    assert page.html().count("<li") == 1_000, "note 0 replaced in place by its new key"


async def test_mount_params_are_structured_from_untrusted_mappings() -> None:
    view = Notes({"title": "From URL", "start": 7})
    assert (view.title, view.next_id) == ("From URL", 7)
    with pytest.raises(InvalidParams) as raised:
        Notes({"title": 3})
    assert str(raised.value) == (
        "Notes: mount params {'title': 3} do not fit Setup ($.title: expected str, got int)."
    )


async def test_bad_browser_input_is_rejected_and_the_view_keeps_running() -> None:
    view = Notes()
    async with running(view) as ref:
        outcome = await ref.ask(InputEvent("draft", ["not", "text"]))
        assert isinstance(outcome, Rejected) and isinstance(outcome.error, InvalidInput)
        outcome = await ref.ask(InputEvent("title", "hacked"))
        assert isinstance(outcome, Rejected)
        assert str(outcome.error) == (
            "Notes: the browser may not write 'title'; only client fields can be set by "
            "input (client fields: draft)."
        )
        outcome = await ref.ask(ActionEvent("remove", {"id": "x"}))
        assert isinstance(outcome, Rejected) and isinstance(outcome.error, InvalidParams)
        assert await ref.ask(ActionEvent("add")) == Ignored("the guard of action 'add' is false")
        assert (view.title, view.draft) == ("Notes", "")
        assert await ref.ask(InputEvent("draft", "ok")) == Applied()


async def test_connect_and_disconnect_reach_their_hooks() -> None:
    view = Notes()
    async with running(view) as ref:
        await ref.tell(Connected())
        await ref.tell(Disconnected())
        await ref.ask(InputEvent("draft", "sync"))
        assert view.connects == ["up", "down"] and not view.live.connected


async def test_plain_on_handlers_change_state_and_trigger_the_recompute() -> None:
    renders: list[Rendered] = []
    view = Notes(sink=renders.append)
    async with running(view) as ref:
        await ref.tell(Bump(5))
        await ref.ask(InputEvent("draft", "x"))
        await ref.ask(ActionEvent("add"))
        assert list(view.notes) == ["5"]


async def test_a_memory_channel_is_a_sink_and_a_closed_one_is_dropped() -> None:
    send, receive = trio.open_memory_channel[Rendered](10)
    view = Notes(sink=send)
    async with running(view) as ref:
        first = receive.receive_nowait()
        assert to_html(first.tree).startswith("<div><h1>Notes</h1>")
        await ref.ask(InputEvent("draft", "x"))
        await settle()
        assert receive.receive_nowait().version == 1
        await receive.aclose()
        assert await ref.ask(InputEvent("draft", "y")) == Applied()
        assert await ref.ask(InputEvent("draft", "z")) == Applied()


class Counter(View):
    count = state(int)
    doubled = calculate(lambda count: count * 2)
    increment = action(ops.set(count=lambda count: count + 1))

    def render(self) -> Element:
        return h.div(h.button("+", id="inc"), h.span(self.doubled, id="doubled"))


async def test_the_module_docstring_example_works() -> None:
    send, receive = trio.open_memory_channel[Rendered](16)
    async with running(Counter(sink=send)) as ref:
        await ref.ask(ActionEvent("increment"))
        await ref.ask(ActionEvent("increment"))
        await settle()
    frames = [receive.receive_nowait() for _ in range(3)]
    page = Document.from_tree(frames[0].tree)
    for frame in frames[1:]:
        page.apply(frame.patches)
    assert page.html() == '<div><button id="inc">+</button><span id="doubled">4</span></div>'
