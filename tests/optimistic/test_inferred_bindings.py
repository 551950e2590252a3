"""Bindings inferred from a view's render: which expressions, the markup, the skips."""

from __future__ import annotations

import inspect
import traceback
from typing import Any

import attrs
import pytest

from actorview.optimistic._bindings import server_inputs_json
from actorview.optimistic._program import ClientBinding, ClientPlan, program_source
from actorview.render import Element, h, to_html
from actorview.view import View, action, calculate, ops, state, stream
from demo_chat.view import ChatView
from tests.optimistic.node import Node


@attrs.frozen
class Note:
    text: str


HERE = "tests/optimistic/test_inferred_bindings.py"


def plan_of(view_class: type[View]) -> ClientPlan:
    plan = view_class.__view_client__
    assert plan is not None
    return plan


def kinds(view_class: type[View]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(b.attr, b.function.names, b.server) for b in plan_of(view_class).bindings]


class Form(View):
    query = state(str, origin="client")
    busy = state(bool)
    count = state(int)
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    size = calculate(lambda query: len(query), optimistic=True)
    shout = calculate(lambda query: query.strip().upper(), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        return h.form(
            h.input(id="q", name="query", autocomplete="off"),
            h.button("go", id="go", disabled=not self.typed or self.busy),
            h.p("type something", id="hint", hidden=self.typed),
            h.input(id="box", type="checkbox", checked=self.typed),
            h.div(id="c1", class_="on" if self.typed else None),
            h.div(id="c2", class_=["box", self.typed and "filled", self.busy and "busy"]),
            h.div(id="c3", class_={"filled": self.typed, "busy": self.busy}),
            h.span(self.size, id="size"),
            h.p(self.shout, id="echo"),
            h.span(self.count, id="count", hidden=not self.busy),
            id="f",
            av_submit="send",
        )


def element_html(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    start = html.rindex("<", 0, start)
    return html[start : html.index(">", start) + 1]


# -- what is inferred -------------------------------------------------------------------


def test_each_kind_is_inferred_from_expressions_reading_client_names() -> None:
    assert kinds(Form) == [
        ("disabled", ("typed", "busy"), ("busy",)),
        ("hidden", ("typed",), ()),
        ("checked", ("typed",), ()),
        ("class", ("typed",), ()),
        ("class", ("typed", "busy"), ("busy",)),
        ("class", ("typed", "busy"), ("busy",)),
        ("text", ("size",), ()),
        ("text", ("shout",), ()),
    ]
    assert plan_of(Form).unbound == ()


def test_expressions_of_server_names_only_stay_the_servers() -> None:
    html = to_html(Form().render())
    assert element_html(html, "count") == '<span id="count" hidden>'


def test_the_rendered_elements_carry_their_bindings_and_server_inputs() -> None:
    view = Form()
    html = to_html(view.render())
    assert element_html(html, "go") == (
        '<button id="go" disabled av-bind="0" av-bind-env="{&quot;busy&quot;:false}">'
    )
    assert element_html(html, "hint") == '<p id="hint" av-bind="1">'
    assert element_html(html, "size") == '<span id="size" av-bind="6">'
    assert element_html(html, "c2") == (
        '<div id="c2" class="box" av-bind="4" av-bind-env="{&quot;busy&quot;:false}">'
    )
    view.busy = True
    html = to_html(view.render())
    assert 'av-bind-env="{&quot;busy&quot;:true}"' in element_html(html, "go")
    assert element_html(html, "c3") == (
        '<div id="c3" class="busy" av-bind="5" av-bind-env="{&quot;busy&quot;:true}">'
    )


def test_a_text_control_named_after_a_client_str_field_holds_it() -> None:
    html = to_html(Form().render())
    assert (
        element_html(html, "q") == '<input id="q" name="query" av-input="query" autocomplete="off">'
    )
    assert element_html(html, "box").startswith('<input id="box" type="checkbox"')
    assert "av-input" not in element_html(html, "box")


def test_the_program_carries_the_binding_functions() -> None:
    source = program_source(Form)
    assert 'attr: "disabled", names: ["typed", "busy"]' in source
    assert 'attr: "text", names: ["size"]' in source


def test_the_binding_functions_compute_what_python_renders(node: Node) -> None:
    disabled, _, _, on, listed, mapped, size, _ = plan_of(Form).bindings
    for typed in (True, False):
        for busy in (True, False):
            result = node.run(disabled.function.js, typed, busy)
            assert result == {"ok": ["bool", (not typed) or busy]}
            result = node.run(listed.function.js, typed, busy)
            expected = ["box", typed and "filled", busy and "busy"]
            assert result == {"ok": ["list", [_tag(v) for v in expected]]}
    assert node.run(on.function.js, False) == {"ok": ["none"]}
    assert node.run(mapped.function.js, True, False) == {
        "ok": ["dict", [["busy", ["bool", False]], ["filled", ["bool", True]]]]
    }
    assert size.text is not None
    assert node.run(size.text.js, 3) == {"ok": ["str", "3"]}, "len() is an int: str() knows"


def _tag(value: Any) -> list[Any]:
    return ["bool", value] if isinstance(value, bool) else ["str", value]


def test_the_chat_binds_send_from_render_and_its_input_by_name() -> None:
    plan = plan_of(ChatView)
    assert [(b.attr, b.function.names, b.server) for b in plan.bindings] == [
        ("disabled", ("input_valid", "streaming"), ("streaming",))
    ]
    assert plan.bindings[0].where.endswith(
        "demo_chat/view.py:" + str(_line_of(ChatView, "disabled="))
    )
    html = to_html(ChatView().render())
    assert element_html(html, "send") == (
        '<button id="send" type="submit" disabled av-bind="0" '
        'av-bind-env="{&quot;streaming&quot;:false}">'
    )
    assert element_html(html, "prompt").startswith(
        '<input id="prompt" name="input" av-input="input"'
    )


def _line_of(view_class: type[View], text: str) -> int:
    """The line of ``text`` in the render the author wrote."""
    lines, first = inspect.getsourcelines(inspect.unwrap(view_class.render))
    return first + next(i for i, line in enumerate(lines) if text in line)


# -- hand-written bindings win ----------------------------------------------------------


class Hand(View):
    query = state(str, origin="client")
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        return h.form(
            h.button("go", id="go", disabled=not self.typed, av_disable_unless="typed"),
            h.p(self.query, id="echo", av_text="query", hidden=not self.typed),
            h.input(id="q", name="query", av_input="query"),
            h.div(id="box", class_=["x", self.typed and "y"], av_class_if="z: typed"),
            h.p({"av-show-if": "typed"}, id="tip", hidden=not self.typed),
            h.textarea(id="t", name="query"),
            av_input="query",
        )


def test_an_attribute_bound_by_hand_is_not_bound_again() -> None:
    assert kinds(Hand) == [("hidden", ("typed",), ())], "only echo's hidden is left to infer"
    html = to_html(Hand().render())
    assert element_html(html, "go") == '<button id="go" disabled av-disable-unless="typed">'
    assert element_html(html, "echo") == '<p id="echo" av-text="query" hidden av-bind="0">'
    assert element_html(html, "q").count("av-input") == 1
    assert "av-bind" not in element_html(html, "box")
    assert "av-bind" not in element_html(html, "tip"), "a dict literal's hand binding counts"
    assert element_html(html, "t") == '<textarea id="t" name="query">', "the form holds it"


def test_a_textarea_or_a_dict_of_attributes_does_not_hide_what_is_inferred() -> None:
    assert kinds(Attributes) == [("text", ("query",), ())]
    assert plan_of(Attributes).unbound == (), "a child that builds elements is not text"
    html = to_html(Attributes().render())
    assert element_html(html, "t") == '<textarea id="t" name="query" av-input="query">'
    assert element_html(html, "e") == '<p id="e" av-bind="0">'
    assert "av-input" not in element_html(html, "c"), "a checkbox holds no str"


class Attributes(View):
    query = state(str, origin="client")
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        return h.div(
            h.textarea(id="t", name="query"),
            h.p({"id": "e"}, self.query),
            h.textarea(self.query, id="raw"),
            h.input(id="c", type="checkbox", name="query"),
            h.div(self.typed and h.b("yes"), id="nested"),
        )


# -- what is not inferred, and why ------------------------------------------------------


class Skips(View):
    query = state(str, origin="client")
    note = state(Note | None, None)
    big = state(int)
    notes = stream(Note)
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        extra = {"title": "x"}
        flag = True
        return h.div(
            h.p(self.query.title(), id="title"),
            h.p(id="local", hidden=not (self.typed and flag)),
            h.p(id="record", hidden=self.typed and self.note is None),
            h.p(id="stream", hidden=self.typed and len(self.notes) > 0),
            h.p(id="splat", hidden=self.typed, **extra),
            h.p(id="big", hidden=self.typed and self.big > 3),
        )


def test_expressions_the_browser_cannot_compute_are_left_to_the_server_with_a_reason() -> None:
    plan = plan_of(Skips)
    assert [(b.attr, b.server) for b in plan.bindings] == [("hidden", ("big",))]
    reasons = "\n".join(plan.unbound)
    assert len(plan.unbound) == 5, reasons
    assert "`text self.query.title()` is not bound: the method `title`" in reasons
    assert "`flag`, a local of render" in reasons
    assert "`note`, whose type cannot travel as JSON" in reasons
    assert "the stream field `notes`" in reasons
    assert "`**`" in reasons
    assert all(reason.startswith("Skips.render: tests/optimistic/") for reason in plan.unbound)


def test_a_server_input_json_cannot_carry_is_left_out_and_the_browser_refuses() -> None:
    view = Skips()
    view.big = 2**60
    html = to_html(view.render())
    assert element_html(html, "big") == '<p id="big" av-bind="0" av-bind-env="{}">'
    view.big = 5
    assert 'av-bind-env="{&quot;big&quot;:5}"' in to_html(view.render())


def make_closure_view() -> type[View]:
    label = "go"

    class Closure(View):
        query = state(str, origin="client")
        typed = calculate(lambda query: bool(query.strip()), optimistic=True)
        send = action(ops.set(query=""), optimistic=True)

        def render(self) -> Element:
            return h.button(label, disabled=not self.typed)

    return Closure


def test_a_render_with_a_closure_is_not_rewritten_and_the_class_still_works() -> None:
    closure = make_closure_view()
    plan = plan_of(closure)
    assert plan.bindings == ()
    assert plan.unbound == (
        f"Closure.render: {HERE}:{_line_of(closure, 'disabled=')}: `disabled` is not bound: "
        "render reads label from an enclosing function (a closure, which a rewritten render "
        "cannot share). Pass the value as a field or a module constant, or bind by hand "
        "(av-disable-unless, av-text...)",
    )
    assert not hasattr(closure.render, "__wrapped__")
    assert to_html(closure().render()) == "<button disabled>go</button>"


class Base(View):
    query = state(str, origin="client")
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        return h.div(h.p("hint", id="hint", hidden=self.typed), id="base")


class Inherits(Base):
    pass


class Extends(Base):
    def render(self) -> Element:
        return h.section(super().render(), h.p(id="more", hidden=not self.typed))


def test_subclasses_keep_the_bindings_their_inherited_render_emits() -> None:
    assert kinds(Inherits) == kinds(Base) == [("hidden", ("typed",), ())]
    assert Inherits.render is Base.render
    assert kinds(Extends) == kinds(Base), "super() reads __class__: not rewritten"
    assert "render calls super()" in plan_of(Extends).unbound[0]
    assert "`Base.render(self)`" in plan_of(Extends).unbound[0]
    html = to_html(Extends().render())
    assert '<p id="hint" av-bind="0">' in html and '<p id="more" hidden>' in html


_made: dict[str, Any] = {}
exec(  # a function with no source file, as a REPL makes
    "def render(self):\n    return h.p(hidden=self.typed)\n", {"h": h}, _made
)


class NoSource(View):
    query = state(str, origin="client")
    typed = calculate(lambda query: query != "", optimistic=True)
    send = action(ops.set(query=""), optimistic=True)
    render = _made["render"]


def test_a_render_without_source_is_read_by_no_one_and_still_works() -> None:
    plan = plan_of(NoSource)
    assert plan.bindings == ()
    assert plan.unbound == (
        "NoSource.render: not read for bindings: its source code is not available",
    )
    assert NoSource.render is _made["render"]
    assert to_html(NoSource().render()) == "<p></p>"


class Plain(View):
    query = state(str, origin="client")
    busy = state(bool)

    def render(self) -> Element:
        return h.button(self.query, disabled=not self.query or self.busy)


def test_a_view_without_a_client_program_renders_as_written() -> None:
    assert Plain.__view_client__ is None
    assert not hasattr(Plain.render, "__wrapped__")


# -- the rewritten render ---------------------------------------------------------------


class Breaks(View):
    query = state(str, origin="client")
    divisor = state(int)
    typed = calculate(lambda query: bool(query.strip()), optimistic=True)
    send = action(ops.set(query=""), optimistic=True)

    def render(self) -> Element:
        """Divides by zero on purpose."""
        return h.div(
            h.p(id="hint", hidden=self.typed),
            h.span(str(1 // self.divisor)),
        )


def test_a_rewritten_render_raises_from_the_line_it_was_written_on() -> None:
    assert isinstance(Breaks.render, type(Breaks.mount))
    assert Breaks.render.__qualname__ == "Breaks.render"
    assert Breaks.render.__doc__ == "Divides by zero on purpose."
    with pytest.raises(ZeroDivisionError) as raised:
        Breaks().render()
    frame = traceback.extract_tb(raised.value.__traceback__)[-1]
    assert frame.filename == __file__
    assert frame.lineno == _line_of(Breaks, "1 // self.divisor")
    assert frame.name == "render"
    assert frame.line == "h.span(str(1 // self.divisor)),"


def test_bindings_are_frozen_values_naming_where_they_were_written() -> None:
    binding = plan_of(Breaks).bindings[0]
    assert isinstance(binding, ClientBinding)
    line = _line_of(Breaks, 'id="hint"')
    assert binding.where == f"{HERE}:{line}"


def test_server_inputs_encode_equal_scalars_of_other_types_apart() -> None:
    # The encoding of small scalars is cached; True == 1 == 1.0 must not share an entry.
    assert server_inputs_json({"x": True}) == '{"x":true}'
    assert server_inputs_json({"x": 1}) == '{"x":1}'
    assert server_inputs_json({"x": 1.0}) == '{"x":1.0}'
    assert server_inputs_json({"x": 2**60}) == "{}", "past 2**53: left out, not rounded"
    assert server_inputs_json({"x": "a" * 100, "y": None}) == '{"x":"' + "a" * 100 + '","y":null}'
