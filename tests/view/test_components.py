"""Components: declared like views and checked at class definition, shown by a view's
render under a key, with their own state and actions, rendered again only when their
props or state changed, and telling their view through its mailbox."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import attrs
import pytest

from actorview import ActionEvent, InputEvent
from actorview.errors import DefinitionError
from actorview.render import Element, h
from actorview.testing import mount
from actorview.view import (
    Component,
    ComponentError,
    Rejected,
    UnknownComponent,
    View,
    action,
    async_stream,
    calculate,
    clause,
    ops,
    prop,
    state,
    stream,
)


@attrs.frozen
class Bumped:
    key: str
    count: int


@attrs.frozen
class Row:
    id: str
    text: str


class Counter(Component, sends=(Bumped,)):
    label = prop(str)
    count = state(int)
    doubled = calculate(lambda count: count * 2)
    bump = action(
        ops.set(count=lambda count: count + 1),
        ops.tell_parent(lambda key, count: Bumped(str(key), count + 1)),
    )
    add = action(ops.set(count=lambda count, n: count + n), params={"n": int})

    def render(self) -> Element:
        return h.div(
            h.span(f"{self.label} {self.count} {self.doubled}", class_="shown"),
            h.button("+", class_="bump", av_click="bump"),
            id=f"c-{self.key}",
        )


class Panel(View, receives=(Bumped,)):
    keys = state(list[str], ["a", "b", "c"])
    title = state(str, "t")
    bumps = state(list[str], [])
    retitle = action(ops.set(title=lambda title: title + "!"))
    reorder = action(ops.set(keys=lambda keys: list(reversed(keys))))
    drop_first = action(ops.set(keys=lambda keys: keys[1:]))
    restore = action(ops.set(keys=["a", "b", "c"]))
    on_bumped = clause(Bumped, ops.push(bumps=lambda key, count: f"{key}={count}"))

    def render(self) -> Element:
        return h.div(
            h.h1(self.title, id="title"),
            h.ul(*(self.component(Counter, key=k, label=k.upper()) for k in self.keys), id="cs"),
            h.p(" ".join(self.bumps), id="bumps"),
        )


def shown(view: object) -> list[str]:
    return [f.text for f in view.find_all(".shown")]  # type: ignore[attr-defined]


# -- events go to their component ----------------------------------------------------------


async def test_an_event_in_a_components_markup_goes_to_that_component_alone() -> None:
    async with mount(Panel, strict=True) as view:
        await view.click("#c-b .bump")
        await view.click("#c-b .bump")
        await view.click("#c-c .bump")
        assert shown(view) == ["A 0 0", "B 2 4", "C 1 2"]
        assert view.component(Counter, "a").count == 0
        assert view.find("#c-b .bump")["av-click"] == "@Counter/b:bump"


async def test_a_component_tells_its_view_through_the_mailbox_and_a_clause_takes_it() -> None:
    async with mount(Panel, strict=True) as view:
        await view.click("#c-a .bump")
        await view.click("#c-c .bump")
        assert view.text("#bumps") == "a=1 c=1"
        assert view.state["bumps"] == ["a=1", "c=1"]


async def test_a_component_action_takes_params_checked_against_its_declaration() -> None:
    async with mount(Panel) as view:
        await view.ref.ask(ActionEvent("@Counter/a:add", {"n": 5}))
        outcome = await view.ref.ask(ActionEvent("@Counter/a:add", {"n": "five"}))
        await view.settle()
        assert isinstance(outcome, Rejected)
        assert "Panel.Counter/a, action 'add'" in str(outcome.error)
        assert shown(view)[0] == "A 5 10"


async def test_an_event_for_a_component_not_shown_is_rejected_and_changes_nothing() -> None:
    async with mount(Panel) as view:
        outcome = await view.ref.ask(ActionEvent("@Counter/z:bump"))
        assert isinstance(outcome, Rejected)
        assert isinstance(outcome.error, UnknownComponent)
        assert "Panel shows no component 'Counter/z'" in str(outcome.error)
        unknown = await view.ref.ask(ActionEvent("@Counter/a:nope"))
        assert isinstance(unknown, Rejected)
        assert "no action 'nope'" in str(unknown.error)
        assert shown(view) == ["A 0 0", "B 0 0", "C 0 0"]


# -- what is rendered again ------------------------------------------------------------------


async def test_a_component_whose_props_and_state_did_not_change_is_not_rendered_again() -> None:
    async with mount(Panel, strict=True) as view:
        assert [view.component(Counter, k).renders for k in "abc"] == [1, 1, 1]
        await view.click("#c-b .bump")
        await view.ref.ask(ActionEvent("retitle"))
        await view.settle()
        assert view.text("#title") == "t!"
        assert [view.component(Counter, k).renders for k in "abc"] == [1, 2, 1]


async def test_a_component_event_sends_only_that_components_changes() -> None:
    async with mount(Panel, strict=True) as view:
        mark = view.mark()
        await view.click("#c-c .bump")
        first, told = (frame.text for frame in view.frames_since(mark, "patch"))
        assert "C 1 2" in first and "c=1" in told  # the component's render; the clause's
        assert not any(other in first + told for other in ("A 0", "B 0"))


async def test_a_changed_prop_renders_the_component_again_with_its_state_kept() -> None:
    class Labelled(View, receives=(Bumped,)):
        label = state(str, "x")
        bumped = state(int)
        relabel = action(ops.set(label="y"))
        on_bumped = clause(Bumped, ops.set(bumped=lambda count: count))

        def render(self) -> Element:
            return h.div(self.component(Counter, key="a", label=self.label))

    async with mount(Labelled, strict=True) as view:
        await view.click("#c-a .bump")
        await view.ref.ask(ActionEvent("relabel"))
        await view.settle()
        assert shown(view) == ["y 1 2"]
        assert view.component(Counter, "a").renders == 3


# -- keyed lists ---------------------------------------------------------------------------


async def test_keyed_components_keep_their_state_when_reordered() -> None:
    async with mount(Panel, strict=True) as view:
        await view.click("#c-a .bump")
        mark = view.mark()
        await view.ref.ask(ActionEvent("reorder"))
        await view.settle()
        assert shown(view) == ["C 0 0", "B 0 0", "A 1 2"]
        assert [view.component(Counter, k).renders for k in "abc"] == [2, 1, 1]
        assert all("C 0 0" not in frame.text for frame in view.frames_since(mark, "patch"))


async def test_a_component_no_render_shows_is_dropped_and_starts_afresh_when_shown_again() -> None:
    async with mount(Panel, strict=True) as view:
        await view.click("#c-a .bump")
        await view.ref.ask(ActionEvent("drop_first"))
        await view.settle()
        assert sorted(view.view.components) == ["Counter/b", "Counter/c"]
        await view.ref.ask(ActionEvent("restore"))
        await view.settle()
        assert shown(view) == ["A 0 0", "B 0 0", "C 0 0"]


# -- inside stream fields ----------------------------------------------------------------


class Line(Component):
    row = prop(Row)
    ticks = state(int)
    tick = action(ops.set(ticks=lambda ticks: ticks + 1))

    def render(self) -> Element:
        return h.li(f"{self.row.text}:{self.ticks}", av_click="tick", id=f"line-{self.key}")


class Lines(View):
    rows = stream(Row, key="id")
    add = action(ops.push(rows=lambda id: Row(id, f"r{id}")), params={"id": str})
    rename = action(
        ops.update_at("rows", lambda id: id, lambda id: Row(id, "new")), params={"id": str}
    )
    remove = action(ops.delete("rows", lambda id: id), params={"id": str})
    clear = action(ops.reset("rows"))

    def render(self) -> Element:
        return h.div(
            self.rows.slot("ul", lambda row: self.component(Line, key=row.id, row=row), id="rows")
        )


async def add(view: object, *ids: str) -> None:
    for id in ids:
        await view.ref.ask(ActionEvent("add", {"id": id}))  # type: ignore[attr-defined]
    await view.settle()  # type: ignore[attr-defined]


async def test_a_stream_item_component_lives_while_its_item_is_shown() -> None:
    async with mount(Lines, strict=True) as view:
        await add(view, "1", "2", "3")
        await view.click("#line-2")
        await view.click("#line-2")
        assert [f.text for f in view.find_all("#rows li")] == ["r1:0", "r2:2", "r3:0"]
        await view.ref.ask(ActionEvent("remove", {"id": "2"}))
        await view.settle()
        assert sorted(view.view.components) == ["Line/1", "Line/3"]
        await view.ref.ask(ActionEvent("rename", {"id": "3"}))
        await view.settle()
        await view.click("#line-3")
        assert [f.text for f in view.find_all("#rows li")] == ["r1:0", "new:1"]
        await view.ref.ask(ActionEvent("clear"))
        await view.settle()
        assert view.view.components == {}


async def test_a_stream_item_component_sends_only_its_own_item_again() -> None:
    async with mount(Lines, strict=True) as view:
        await add(view, "1", "2")
        mark = view.mark()
        await view.click("#line-1")
        (frame,) = view.frames_since(mark, "patch")
        assert "r1:1" in frame.text and "r2" not in frame.text


# -- components on their own --------------------------------------------------------------


async def test_a_component_mounted_on_its_own_is_its_page() -> None:
    async with mount(Counter, {"label": "solo", "key": "k"}, strict=True) as view:
        await view.click(".bump")
        assert view.text(".shown") == "solo 1 2"
        assert view.told == [Bumped("k", 1)]
        await view.set_props(label="again")
        assert view.text(".shown") == "again 1 2"
        assert view.component(Counter).renders == 3


# -- mistakes, named --------------------------------------------------------------------------


def test_the_class_statement_checks_a_component_as_it_checks_a_view() -> None:
    with pytest.raises(DefinitionError, match=r"^Bad\.total \(calculate\): reads 'missing'"):

        class Bad(Component):
            total = calculate(lambda missing: missing)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            lambda: {"on_row": clause(Row, ops.set())},
            "Bad.on_row (clause): a component takes no messages",
        ),
        (
            lambda: {"label": prop(str), "go": action(ops.set(label="x"))},
            "Bad.go (action) ops.set: writes 'label', a prop",
        ),
        (
            lambda: {"typed": state(str, origin="client", optimistic=True)},
            "Bad.typed: optimistic=True in a component",
        ),
        (lambda: {"rows": stream(Row)}, "Bad.rows: a component keeps no stream fields"),
        (
            lambda: {"go": action(ops.tell_parent(Bumped("a", 1)))},
            "Bad.go (action) ops.tell_parent: tells the parent a Bumped, but Bad sends "
            "nothing. Declare `class Bad(Component, sends=(Bumped, ...))`",
        ),
        (
            lambda: {"render_count": state(int), "renders": state(int)},
            "Bad.renders: the name 'renders' is used by View itself",
        ),
    ],
)
def test_component_mistakes_name_the_component_the_declaration_and_the_fix(
    body: object, expected: str
) -> None:
    with pytest.raises(DefinitionError) as raised:
        type("Bad", (Component,), body())  # type: ignore[operator]
    assert str(raised.value).startswith(expected), str(raised.value)


def test_a_component_runs_no_streams() -> None:
    async def body(emit: object) -> None:
        return None

    with pytest.raises(DefinitionError, match=r"Bad.feed \(async_stream\): a component runs no"):
        type("Bad", (Component,), {"feed": async_stream(emits=(Row,))(body)})


def test_a_view_has_no_parent_to_tell() -> None:
    with pytest.raises(DefinitionError, match=r"V.go \(action\) ops.tell_parent: tells a parent"):

        class V(View):
            go = action(ops.tell_parent(Bumped("a", 1)))


async def test_render_mistakes_crash_the_view_with_the_view_the_component_and_the_fix() -> None:
    class Twice(View, receives=(Bumped,)):
        def render(self) -> Element:
            return h.div(self.component(Counter, key="a"), self.component(Counter, key="a"))

    class Unknown(View, receives=(Bumped,)):
        def render(self) -> Element:
            return h.div(self.component(Counter, key="a", colour="red"))

    class Deaf(View):
        def render(self) -> Element:
            return h.div(self.component(Counter, key="a"))

    class Needs(Component):
        row = prop(Row)

    class Missing(View):
        def render(self) -> Element:
            return h.div(self.component(Needs, key="a"))

    cases = [
        (Twice, "Twice.render, component Counter/a: key 'a' is shown twice in one render"),
        (Unknown, "Unknown.render, component Counter/a: Counter has no prop 'colour'"),
        (
            Deaf,
            "Deaf.render, component Counter: Counter sends Bumped (ops.tell_parent), but "
            "Deaf does not receive it. Declare `class Deaf(View, receives=(Bumped,))`",
        ),
        (
            Missing,
            "Missing.render, component Needs/a: the prop 'row' (prop(Row)) has no "
            "default and was not passed",
        ),
    ]
    for view_class, expected in cases:
        with pytest.raises(Exception) as raised:
            async with mount(view_class):
                pass
        cause = raised.value.__cause__
        assert isinstance(cause, ComponentError), raised.value
        assert str(cause).startswith(expected), str(cause)


async def test_a_component_inside_a_stream_item_must_be_the_item() -> None:
    class Deep(View):
        rows = stream(Row, key="id")
        add = action(ops.push(rows=Row("1", "x")))

        def render(self) -> Element:
            return h.div(
                self.rows.slot("ul", lambda row: h.li(self.component(Line, key=row.id, row=row)))
            )

    with pytest.raises(Exception) as raised:
        async with mount(Deep) as view:
            await view.ref.ask(ActionEvent("add"))
            await view.settle()
    assert "Deep.render, component Line/1: it is inside an item of the stream 'rows'" in str(
        raised.value.__cause__ or raised.value
    )


# -- the guide's example runs as written ---------------------------------------------------


async def test_the_guides_example_runs_as_written(tmp_path: Path) -> None:
    guide = Path(__file__).parent.parent.parent / "docs" / "COMPONENTS.md"
    source = re.findall(r"```python\n(.*?)```", guide.read_text(), flags=re.DOTALL)[0]
    path = tmp_path / "components_guide.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("components_guide", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["components_guide"] = module
    spec.loader.exec_module(module)
    async with mount(module.Board, strict=True) as view:
        await view.click('[av-component="Counter/pears"] button')
        await view.click('[av-component="Counter/pears"] button')
        assert view.text('[av-component="Counter/pears"] span') == "pears: 2"
        assert view.state["counts"] == {"pears": 2}


async def test_a_stream_item_pruned_by_its_limit_drops_its_component() -> None:
    class Recent(View):
        rows = stream(Row, key="id", limit=2)
        add = action(ops.push(rows=lambda id: Row(id, f"r{id}")), params={"id": str})

        def render(self) -> Element:
            return h.div(
                self.rows.slot("ul", lambda row: self.component(Line, key=row.id, row=row))
            )

    async with mount(Recent, strict=True) as view:
        await add(view, "1", "2", "3")
        assert sorted(view.view.components) == ["Line/2", "Line/3"]
        await view.click("#line-3")
        assert [f.text for f in view.find_all("li")] == ["r2:0", "r3:1"]


class Editor(Component):
    draft = state(str, origin="client")
    saved = state(list[str])
    save = action(
        ops.push(saved=lambda draft: draft), ops.set(draft=""), when=lambda draft: bool(draft)
    )

    def render(self) -> Element:
        return h.form(
            h.input(name="draft", value=self.draft, av_input="draft"),
            h.button("save"),
            h.p(", ".join(self.saved), class_="saved"),
            av_submit="save",
            av_reset=True,  # the browser empties the form once it sent it
            id=f"editor-{self.key}",
        )


async def test_a_components_inputs_and_forms_write_its_own_client_fields() -> None:
    class Editors(View):
        def render(self) -> Element:
            return h.div(self.component(Editor, key="a"), self.component(Editor, key="b"))

    async with mount(Editors, strict=True) as view:
        await view.type("#editor-a input", "one")
        assert view.component(Editor, "a").draft == "one"
        assert view.component(Editor, "b").draft == ""
        await view.submit("#editor-a")
        await view.type("#editor-b input", "two")
        await view.submit("#editor-b")
        assert view.text("#editor-a .saved") == "one"
        assert view.text("#editor-b .saved") == "two"
        bad = await view.ref.ask(InputEvent("@Editor/a:saved", ["x"]))
        assert isinstance(bad, Rejected) and "only client fields" in str(bad.error)


async def test_mount_sets_a_components_first_state_from_its_props() -> None:
    class Seeded(Component):
        start = prop(int)
        count = state(int)

        def mount(self) -> None:
            self.count = self.start * 10

        def render(self) -> Element:
            return h.p(str(self.count))

    async with mount(Seeded, {"start": 4}) as view:
        assert view.text("p") == "40"
        await view.set_props(start=5)
        assert view.text("p") == "40"  # mount ran once; the prop changed, the count did not


# -- components inside components ----------------------------------------------------------


class Pane(Component):
    title = prop(str)
    shows = state(list[str], ["x", "y"])
    fold = action(ops.set(shows=lambda shows: shows[:1]))

    def render(self) -> Element:
        return h.section(
            h.h2(self.title, av_click="fold"),
            *(self.component(Counter, key=f"{self.key}-{k}", label=k) for k in self.shows),
            id=f"pane-{self.key}",
        )


class Panes(View, receives=(Bumped,)):
    title = state(str, "t")
    bumps = state(list[str], [])
    retitle = action(ops.set(title=lambda title: title + "!"))
    on_bumped = clause(Bumped, ops.push(bumps=lambda key, count: f"{key}={count}"))

    def render(self) -> Element:
        return h.div(h.h1(self.title), self.component(Pane, key="p", title="P"))


async def test_a_component_shows_components_whose_events_reach_them_alone() -> None:
    async with mount(Panes, strict=True) as view:
        assert view.find("#pane-p h2")["av-click"] == "@Pane/p:fold"
        assert view.find("#c-p-y .bump")["av-click"] == "@Counter/p-y:bump"
        await view.click("#c-p-y .bump")
        assert shown(view) == ["x 0 0", "y 1 2"]
        assert view.state["bumps"] == ["p-y=1"]  # told the view
        renders = {k: view.component(Counter, k).renders for k in ("p-x", "p-y")}
        assert renders == {"p-x": 1, "p-y": 2}
        assert view.component(Pane, "p").renders == 2  # its element holds the counter's


async def test_components_inside_a_component_not_rendered_again_are_kept() -> None:
    async with mount(Panes, strict=True) as view:
        await view.click("#c-p-x .bump")
        await view.ref.ask(ActionEvent("retitle"))
        await view.settle()
        assert sorted(view.view.components) == ["Counter/p-x", "Counter/p-y", "Pane/p"]
        assert shown(view) == ["x 1 2", "y 0 0"]
        assert view.component(Pane, "p").renders == 2
        await view.click("#pane-p h2")
        assert sorted(view.view.components) == ["Counter/p-x", "Pane/p"]
        assert shown(view) == ["x 1 2"]


async def test_a_stream_item_component_with_components_inside_is_sent_again_whole() -> None:
    class Holder(Component):
        row = prop(Row)

        def render(self) -> Element:
            return h.li(self.component(Counter, key=f"in-{self.key}", label=self.row.text))

    class Held(View, receives=(Bumped,)):
        rows = stream(Row, key="id")
        add = action(ops.push(rows=lambda id: Row(id, f"r{id}")), params={"id": str})
        on_bumped = clause(Bumped, ops.set())

        def render(self) -> Element:
            return h.div(
                self.rows.slot("ul", lambda row: self.component(Holder, key=row.id, row=row))
            )

    async with mount(Held, strict=True) as view:
        await add(view, "1", "2")
        await view.click("#c-in-2 .bump")
        assert shown(view) == ["r1 0 0", "r2 1 2"]
        assert sorted(view.view.components) == [
            "Counter/in-1",
            "Counter/in-2",
            "Holder/1",
            "Holder/2",
        ]
