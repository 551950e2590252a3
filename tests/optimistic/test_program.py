"""The client program of a view class: what it predicts, its templates, its errors, its keys."""

from __future__ import annotations

import json
import shutil
import subprocess

import attrs
import pytest

from actorview.declare._collections import CollectionItems, is_proposed_key, proposed_keys
from actorview.errors import DefinitionError
from actorview.optimistic import runtime_source
from actorview.optimistic._program import program_id, program_source
from actorview.optimistic._templates import KEY_HOLE
from actorview.render import Element, h, to_html
from actorview.render._serialize import stream_item
from actorview.view import ActionEvent, View, action, calculate, ops, state, stream
from actorview.view._store import ViewStore
from demo_chat.messages import Message
from demo_chat.view import ChatView, render_message


@attrs.frozen
class Note:
    text: str
    kind: str = "note"
    size: int = 0


def render_note(note: Note) -> Element:
    return h.li(h.b(note.kind), note.text, title=note.text, class_=["note", note.kind])


class Notes(View):
    notes = stream(Note, item=render_note)
    draft = state(str, origin="client")
    busy = state(bool)
    ready = calculate(lambda draft: bool(draft.strip()), optimistic=True)

    add = action(
        ops.push(notes=lambda draft: Note(draft.strip())),
        ops.set(draft="", busy=True),
        when=lambda ready: ready,
        optimistic=True,
    )
    plain = action(ops.push(notes=lambda draft: Note(draft)))


# -- what the chat predicts -------------------------------------------------------------


def test_the_chat_predicts_its_input_its_calc_and_the_users_message() -> None:
    plan = ChatView.__view_client__
    assert plan is not None
    assert plan.fields == {"input": ""}
    assert [calc.name for calc in plan.calcs] == ["input_valid"]
    submit = plan.actions["submit"]
    assert submit.when is not None and submit.when.names == ("input_valid",)
    assert [(op.index, op.kind, op.field) for op in submit.ops] == [
        (1, "push", "history"),
        (2, "set", "input"),
    ], "the stopped draft (stream field), the server's fields and fire stay on the server"
    assert "cancel" not in plan.actions and "clear" not in plan.actions


def test_a_view_with_nothing_optimistic_has_no_plan() -> None:
    class Quiet(View):
        count = state(int)

    assert Quiet.__view_client__ is None
    assert "fields: {}" in program_source(Quiet)


def test_the_item_template_draws_what_the_server_renders() -> None:
    plan = ChatView.__view_client__
    assert plan is not None
    template = plan.actions["submit"].ops[0].template
    assert template is not None and template.fields == ("text",)
    for text in ["hi", "a <b> & \"c\" 'd'", "  spaced  ", "é€😀"]:
        server = to_html(stream_item("c:k-1", render_message(Message("user", text))))
        assert template.fill({"text": text, KEY_HOLE: "c:k-1"}) == server


def test_a_template_with_the_field_in_an_attribute_escapes_it_there() -> None:
    plan = Notes.__view_client__
    assert plan is not None
    template = plan.actions["add"].ops[0].template
    assert template is not None
    contexts = {(hole.name, hole.context) for hole in template.holes}
    assert contexts == {("text", "attr"), ("text", "text"), (KEY_HOLE, "attr")}
    text = "x\"y'<z>&"
    server = to_html(stream_item("c:a-2", render_note(Note(text))))
    assert template.fill({"text": text, KEY_HOLE: "c:a-2"}) == server


def test_a_template_that_drops_empty_text_predicts_only_non_empty_values() -> None:
    def render(note: Note) -> Element:
        return h.li(note.text or "(empty)")

    class Guarded(View):
        notes = stream(Note, item=render)
        draft = state(str, origin="client")
        add = action(ops.push(notes=lambda draft: Note(draft)), optimistic=True)

    plan = Guarded.__view_client__
    assert plan is not None
    template = plan.actions["add"].ops[0].template
    assert template is not None and template.nonempty
    assert Notes.__view_client__ is not None
    notes_template = Notes.__view_client__.actions["add"].ops[0].template
    assert notes_template is not None and not notes_template.nonempty


# -- the program file -------------------------------------------------------------------


def run_node(script: str) -> object:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed to run the client program's tests")
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_program_registers_functions_that_compute_what_python_computes() -> None:
    ident = program_id(ChatView)
    assert ident == "demo_chat.view.ChatView"
    script = (
        runtime_source()
        + program_source(ChatView)
        + f"""
        const p = globalThis.ActorViewPrograms[{json.dumps(ident)}];
        const valid = p.calcs[0];
        const push = p.actions.submit.ops[0];
        const item = push.value.fn("  hi  ");
        console.log(JSON.stringify({{
          names: valid.names,
          values: ["", "   ", "\\u3000", " a "].map(s => valid.fn(s)),
          text: item.fields.text, role: item.fields.role, stopped: item.fields.stopped,
          set: p.actions.submit.ops[1].value.fn(),
        }}));
        """
    )
    result = run_node(script)
    assert result == {
        "names": ["input"],
        "values": [bool(s.strip()) for s in ["", "   ", "\u3000", " a "]],
        "text": "hi",
        "role": "user",
        "stopped": False,
        "set": "",
    }


def test_the_program_is_a_plain_script_that_needs_no_eval() -> None:
    source = program_source(ChatView)
    assert "eval(" not in source and "new Function" not in source
    assert program_source(ChatView) is source, "generated once per class"


# -- definition-time errors -------------------------------------------------------------


def test_an_optimistic_action_that_predicts_nothing_is_an_error() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            busy = state(bool)
            go = action(ops.set(busy=True), optimistic=True)

    assert str(caught.value) == (
        "V.go (action): optimistic=True, but the browser can predict none of its ops "
        "(ops.set(busy)): only a set or append of a client field, a "
        "push/unshift/pop/shift/update_at of a client list field, or a push/unshift onto a "
        "stream field, from client fields, optimistic calcs and str params, can be shown "
        "before the server answers. Remove optimistic=True."
    )


def test_a_guard_the_browser_cannot_evaluate_is_an_error() -> None:
    with pytest.raises(DefinitionError, match=r"V\.go \(action\) guard: optimistic=True, but"):

        class V(View):
            busy = state(bool)
            text = state(str, origin="client")
            go = action(ops.set(text=""), when=lambda busy: not busy, optimistic=True)


def test_a_client_field_written_from_server_state_is_an_error() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            title = state(str)
            text = state(str, origin="client")
            go = action(ops.set(text=lambda title: title), optimistic=True)

    assert "V.go (action) ops.set(text=...): writes the client field 'text' from 'title'" in str(
        caught.value
    )


def test_a_push_onto_a_stream_without_an_item_renderer_is_an_error() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            notes = stream(Note)
            text = state(str, origin="client")
            go = action(ops.push(notes=lambda text: Note(text)), optimistic=True)

    assert "V.go (action) ops.push(notes=...): the browser cannot draw the pushed item" in str(
        caught.value
    )
    assert "stream(Note, item=render_item)" in str(caught.value)


def test_a_push_onto_a_keyed_stream_is_predicted_under_the_items_own_key() -> None:
    class V(View):
        notes = stream(Note, key="text", item=render_note)
        text = state(str, origin="client")
        go = action(ops.push(notes=lambda text: Note(text)), optimistic=True)

    plan = V.__view_client__
    assert plan is not None
    (push,) = plan.actions["go"].ops
    assert push.key is not None, "tests/optimistic/test_program_collections.py has the rest"


def make_note(text: str) -> Note:
    return Note(text)


def test_an_item_that_is_not_a_direct_record_call_is_an_error() -> None:
    with pytest.raises(DefinitionError, match="must be written as a direct call of an attrs"):

        class V(View):
            notes = stream(Note, item=render_note)
            text = state(str, origin="client")
            go = action(ops.push(notes=lambda text: make_note(text)), optimistic=True)


def test_markup_that_depends_on_the_text_is_an_error_naming_the_field() -> None:
    def render(note: Note) -> Element:
        return h.li(note.text, class_="long" if len(note.text) > 8 else "short")

    with pytest.raises(DefinitionError) as caught:

        class V(View):
            notes = stream(Note, item=render)
            text = state(str, origin="client")
            go = action(ops.push(notes=lambda text: Note(text)), optimistic=True)

    message = str(caught.value)
    assert message.startswith("V.go (action) ops.push(notes=...): the item's markup depends on")
    assert "'text'" in message and "Render 'text' as plain text" in message


def test_a_renderer_that_changes_the_text_is_an_error() -> None:
    def render(note: Note) -> Element:
        return h.li(note.text[:20])

    with pytest.raises(DefinitionError, match="changes a computed field's text"):

        class V(View):
            notes = stream(Note, item=render)
            text = state(str, origin="client")
            go = action(ops.push(notes=lambda text: Note(text)), optimistic=True)


def test_a_computed_field_that_is_not_text_is_an_error() -> None:
    with pytest.raises(DefinitionError, match="the item's field 'size' is computed"):

        class V(View):
            notes = stream(Note, item=render_note)
            text = state(str, origin="client")
            go = action(ops.push(notes=lambda text: Note(text, size=len(text))), optimistic=True)


def test_an_optimistic_calc_outside_the_subset_names_the_view_and_the_calc() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            text = state(str, origin="client")
            nice = calculate(lambda text: text.title(), optimistic=True)

    message = str(caught.value)
    assert message.startswith("V.nice (calculate): cannot compute `text.title()` in the browser")
    assert "To fix:" in message


# -- keys -------------------------------------------------------------------------------


def test_proposed_keys_have_a_form_no_counter_key_can_take() -> None:
    assert is_proposed_key("c:k3f9a2-1")
    for bad in [
        "history-1",
        "c1",
        "c:-1",
        "c:K-1",
        "c:abc-",
        "c:a-1x",
        3,
        None,
        "c:" + "a" * 17 + "-1",
    ]:
        assert not is_proposed_key(bad), bad


def test_proposals_are_split_off_the_params_and_malformed_ones_dropped() -> None:
    raw = {"input": "hi", "_av_keys": {"1": "c:a-1", "x": "c:a-2", "2": "history-9", "3": 4}}
    assert proposed_keys(raw) == ({"input": "hi"}, {1: "c:a-1"})
    assert proposed_keys({"_av_keys": ["c:a-1"]}) == ({}, {})
    assert proposed_keys({"a": 1}) == ({"a": 1}, {})
    assert proposed_keys(None) == (None, {})


def test_a_stream_takes_a_well_formed_unused_proposal_and_otherwise_its_own_key() -> None:
    items: CollectionItems[str] = CollectionItems("log", None, None)
    assert items.insert("a", at_start=False, proposed="c:p-1") == "c:p-1"
    assert items.insert("b", at_start=False, proposed="c:p-1") == "log-0", "already in use"
    assert items.insert("c", at_start=False, proposed="nope") == "log-1"
    assert items.insert("d", at_start=False) == "log-2"
    assert list(items) == ["c:p-1", "log-0", "log-1", "log-2"]
    keyed: CollectionItems[str] = CollectionItems("log", lambda item: item, None)
    assert keyed.insert("x", at_start=False, proposed="c:p-2") == "x", "keyed streams ignore it"


def test_an_optimistic_action_uses_the_proposed_key_and_others_ignore_it() -> None:
    store = ViewStore(Notes.__view_spec__, "Notes")
    store.input("draft", "hello")
    store.recompute()
    assert store.act("add", {"_av_keys": {"0": "c:z-1"}})
    assert list(store.stream("notes")) == ["c:z-1"]
    store.input("draft", "again")
    assert store.act("plain", {"_av_keys": {"0": "c:z-2"}}), "the reserved param is no param"
    assert list(store.stream("notes")) == ["c:z-1", "notes-0"]


def test_a_predicted_stream_marks_its_container_and_slot_uses_the_declared_renderer() -> None:
    plan = Notes.__view_client__
    assert plan is not None
    store = ViewStore(Notes.__view_spec__, "Notes", marked=plan.predicted_streams)
    store.stream("notes").insert(Note("n"), at_start=False)
    html = to_html(h.div(store.stream("notes").slot("ul", id="notes")))
    assert html == (
        '<div><ul av-stream="notes" id="notes"><li title="n" class="note note" '
        'av-key="notes-0"><b>note</b>n</li></ul></div>'
    )


def test_the_event_keeps_working_through_the_view_runtime() -> None:
    assert ActionEvent("add", {"_av_keys": {"0": "c:z-1"}}).params["_av_keys"]
