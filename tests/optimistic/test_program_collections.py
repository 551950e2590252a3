"""Collection ops on client list fields, and pushes onto ``key=`` streams: what the
planner emits, the errors it raises, and that the browser computes what the server does.

The node checks load the runtime and the view's client program and run the planned
functions and ``AV.applyOps`` the way ``client.js`` does; the same action then runs in a
:class:`ViewStore`, and the two results must be equal (or both refuse the action).
"""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs
import pytest

from actorview.declare._errors import OpError
from actorview.declare._values import conforms
from actorview.errors import DefinitionError
from actorview.optimistic import Kind, runtime_source
from actorview.optimistic._program import _type_check, program_id, program_source
from actorview.render import Element, h
from actorview.view import View, action, calculate, ops, state, stream
from actorview.view._store import ViewStore
from tests.optimistic.node import Node, encode
from tests.optimistic.test_program import run_node


@attrs.frozen
class Card:
    id: str
    text: str


@attrs.frozen
class Row:
    id: int
    text: str


def render_card(card: Card) -> Element:
    return h.li(card.text, data_id=card.id)


def render_row(row: Row) -> Element:
    return h.li(row.text)


class Tags(View):
    tag = state(str, origin="client")
    tags = state(list[str], origin="client")
    sizes = state(list[int], origin="client")
    tag_ok = calculate(lambda tag: bool(tag.strip()), optimistic=True)
    count = calculate(lambda tags: str(len(tags)), optimistic=True)

    add = action(
        ops.push(tags=lambda tag: tag.strip()),
        ops.unshift(sizes=lambda tag: len(tag)),
        ops.set(tag=""),
        when=lambda tag_ok: tag_ok,
        optimistic=True,
    )
    drop_last = action(ops.pop("tags"), optimistic=True)
    drop_first = action(ops.shift("tags", "sizes"), optimistic=True)
    rename_last = action(
        ops.update_at("tags", -1, lambda name: name), params={"name": str}, optimistic=True
    )
    push_then_rename = action(
        ops.push(tags="new"),
        ops.update_at("tags", lambda count: len(count) - 1, "renamed"),
        optimistic=True,
    )
    clear = action(ops.set(tags=[]), optimistic=True)


class Board(View):
    tag = state(str, origin="client")
    cards = stream(Card, key="id", item=render_card)
    lowered = stream(Card, key=lambda card: card.id.lower(), item=render_card)
    rows = stream(Row, key="id", item=render_row)

    pin = action(
        ops.push(cards=lambda tag: Card(tag, tag)),
        ops.unshift(lowered=lambda tag: Card(tag, "lowered " + tag)),
        ops.push(rows=lambda tag: Row(7, tag)),
        optimistic=True,
    )


# -- what is planned --------------------------------------------------------------------


def test_every_list_op_on_a_client_list_field_is_predicted() -> None:
    plan = Tags.__view_client__
    assert plan is not None
    planned = {
        name: [(op.index, op.kind, op.field, op.check, op.list_field) for op in a.ops]
        for name, a in plan.actions.items()
    }
    assert planned == {
        "add": [
            (0, "push", "tags", "str", True),
            (1, "unshift", "sizes", "int", True),
            (2, "set", "tag", None, False),
        ],
        "drop_last": [(0, "pop", "tags", None, True)],
        "drop_first": [(0, "shift", "tags", None, True), (1, "shift", "sizes", None, True)],
        "rename_last": [(0, "update_at", "tags", "str", True)],
        "push_then_rename": [
            (0, "push", "tags", "str", True),
            (1, "update_at", "tags", "str", True),
        ],
        "clear": [(0, "set", "tags", None, True)],
    }
    rename = plan.actions["push_then_rename"].ops[1]
    assert rename.at is not None and rename.at.names == ("count",)
    assert plan.actions["drop_last"].ops[0].value is None, "pop computes nothing"
    assert plan.actions["add"].ops[1].value is not None
    assert plan.actions["add"].ops[1].value.kind == Kind.INT, "len() is an int: checkable"


def test_the_type_descriptors_say_what_the_view_layer_checks() -> None:
    assert _type_check(str) == "str"
    assert _type_check(float) == "float"
    assert _type_check(str | None) == ["union", "str", "none"]
    assert _type_check(Literal["a", "b"]) == ["literal", "a", "b"]
    assert _type_check(list[int]) == ["list", "int"]
    assert _type_check(Card) == ["record", "Card"]
    assert _type_check(Any) == "any"
    for unknown in [dict[str, int], tuple[int, int], Literal[1, 2], set[str], bytes]:
        assert _type_check(unknown) is None, unknown


# -- the browser computes what the server computes --------------------------------------

CLIENT_PLAN = """
const program = globalThis.ActorViewPrograms[%(ident)s];
const cases = %(cases)s;
const call = (fn, scope) => fn.fn(...fn.names.map((n) => scope[n]));
const out = cases.map(([name, values, params]) => {
  const action = program.actions[name];
  const scope = Object.assign({}, values, params);
  for (const calc of program.calcs) scope[calc.name] = call(calc, scope);
  try {
    if (action.when && !AV.truthy(call(action.when, scope))) return "guard";
    const steps = action.ops.map((op) => ({
      kind: op.kind, field: op.field, check: op.check,
      value: op.value ? call(op.value, scope) : null,
      index: op.at ? call(op.at, scope) : undefined,
      valueHint: op.valueHint === null ? undefined : op.valueHint,
      indexHint: op.atHint === null ? undefined : op.atHint,
    }));
    const after = AV.applyOps(values, steps);
    return Object.fromEntries(Object.keys(values).map((k) => [k, after[k]]));
  } catch (e) {
    if (e instanceof AV.PyError) return "error " + e.pyType;
    if (e instanceof AV.Unpredictable) return "refused";
    throw e;
  }
});
console.log(JSON.stringify(out));
"""


def server_result(name: str, values: dict[str, Any], params: dict[str, Any]) -> object:
    store = ViewStore(Tags.__view_spec__, "Tags")
    for field, value in values.items():
        store.assign(field, list(value) if isinstance(value, list) else value)
    store.compute_all()
    try:
        if not store.act(name, params):
            return "guard"
    except OpError:
        return "error IndexError"
    return {field: store.read(field) for field in values}


def test_list_ops_predicted_in_node_equal_the_stores_results() -> None:
    empty = {"tag": "", "tags": [], "sizes": []}
    two = {"tag": " x ", "tags": ["a", "b"], "sizes": [1, 2]}
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        ("add", two, {}),
        ("add", {**two, "tag": "   "}, {}),
        ("drop_last", two, {}),
        ("drop_last", empty, {}),
        ("drop_first", two, {}),
        ("drop_first", empty, {}),
        ("rename_last", two, {"name": "z"}),
        ("rename_last", empty, {"name": "z"}),
        ("push_then_rename", two, {}),
        ("push_then_rename", empty, {}),
        ("clear", two, {}),
    ]
    script = runtime_source() + program_source(Tags)
    script += CLIENT_PLAN % {"ident": json.dumps(program_id(Tags)), "cases": json.dumps(cases)}
    browser = run_node(script)
    server = [server_result(name, values, params) for name, values, params in cases]
    assert browser == server
    assert server[3] == empty, "pop of an empty list does nothing, on both sides"
    assert server[7] == "error IndexError", "update_at out of range refuses the whole action"
    assert server[9] == {**empty, "tags": ["renamed"]}, "the index counts the earlier push"


CONFORMS_CASES: list[tuple[Any, Any, str | None]] = [
    (str, "a", None),
    (str, 1, "i"),
    (int, 3, "i"),
    (int, 3.0, "f"),
    (int, 2.5, None),
    (int, True, None),
    (float, 3, "i"),
    (float, 2.5, None),
    (float, False, None),
    (bool, True, None),
    (bool, 0, "i"),
    (str | None, None, None),
    (str | None, 4, "i"),
    (Literal["a", "b"], "b", None),
    (Literal["a", "b"], "c", None),
    (list[str], ["a", "b"], None),
    (list[str], ["a", 1], None),
    (Card, Card("k", "t"), None),
    (Card, Row(1, "t"), None),
    (Card, "k", None),
    (Any, [1, "x"], None),
]


def test_the_browsers_type_check_agrees_with_the_view_layer(node: Node) -> None:
    js = "(value, type, kind) => AV.conforms(value, type, kind === null ? undefined : kind)"
    results = node.run_many(
        [(js, [value, _type_check(tp), hint]) for tp, value, hint in CONFORMS_CASES]
    )
    refused = []
    for (tp, value, hint), result in zip(CONFORMS_CASES, results, strict=True):
        if result.get("error") == "Unpredictable":
            refused.append((tp, value))
            continue
        assert result == {"ok": encode(conforms(value, tp))}, (tp, value, hint)
    assert refused == [(Card, Row(1, "t"))], (
        "only a record of another class is refused (it might be a subclass)"
    )


def test_an_int_item_whose_kind_is_unknown_is_refused_not_guessed(node: Node) -> None:
    js = "(value) => AV.conforms(value, 'int', undefined)"
    assert node.run(js, 3)["error"] == "Unpredictable"
    assert node.run(js, 2.5) == {"ok": encode(False)}, "a non-integral number is a float"


# -- keyed streams ----------------------------------------------------------------------


def test_a_push_onto_a_key_stream_carries_the_key_and_sends_no_proposal() -> None:
    plan = Board.__view_client__
    assert plan is not None
    pushed = plan.actions["pin"].ops
    assert [(op.kind, op.field) for op in pushed] == [
        ("push", "cards"),
        ("unshift", "lowered"),
        ("push", "rows"),
    ]
    assert all(op.key is not None and op.template is not None for op in pushed)
    assert "cards" in plan.predicted_streams, "its container is marked"


KEYS = """
const program = globalThis.ActorViewPrograms[%(ident)s];
const texts = %(texts)s;
console.log(JSON.stringify(texts.map((tag) => program.actions.pin.ops.map((op) => {
  const item = op.value.fn(tag);
  return AV.str(op.key.fn(item), op.key.hint === null ? undefined : op.key.hint);
}))));
"""


def test_the_browser_computes_the_key_the_server_gives() -> None:
    texts = ["x", "Mixed Case", "é€😀", "  spaced ", "ΣΑΣ"]
    script = runtime_source() + program_source(Board)
    script += KEYS % {"ident": json.dumps(program_id(Board)), "texts": json.dumps(texts)}
    browser = run_node(script)
    spec = Board.__view_spec__
    server = []
    for tag in texts:
        items = [Card(tag, tag), Card(tag, "lowered " + tag), Row(7, tag)]
        server.append(
            [
                spec.collections[name].items().key_for(item)
                for name, item in zip(["cards", "lowered", "rows"], items, strict=True)
            ]
        )
    assert browser == server
    assert server[0] == ["x", "x", "7"], "str() of an int field, as the server keys it"


def test_a_key_that_is_not_a_field_of_the_item_is_an_error() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            tag = state(str, origin="client")
            cards = stream(Card, key="slug", item=render_card)
            go = action(ops.push(cards=lambda tag: Card(tag, tag)), optimistic=True)

    assert str(caught.value) == (
        "V.go (action) ops.push(cards=...): the stream 'cards' keys its items with "
        "key='slug', which is not a field of Card: the browser only knows a pushed "
        "record's fields. Key the stream by a field, or by a lambda in the optimistic "
        "subset, or remove optimistic=True."
    )


def test_a_key_function_outside_the_subset_is_an_error_naming_it() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            tag = state(str, origin="client")
            cards = stream(Card, key=lambda card: card.id.title(), item=render_card)
            go = action(ops.push(cards=lambda tag: Card(tag, tag)), optimistic=True)

    message = str(caught.value)
    assert message.startswith(
        "V.go (action) ops.push(cards=...): the stream 'cards' keys its items with a "
        "function the browser cannot compute"
    )
    assert "`card.id.title()`" in message and "the method `title`" in message
    assert message.endswith(
        'Key the stream by a field (key="id") or by a lambda of the item in the optimistic '
        "subset (docs/OPTIMISTIC.md), or remove optimistic=True."
    )


def test_a_key_stream_without_optimistic_pushes_may_key_by_anything() -> None:
    class V(View):
        tag = state(str, origin="client")
        cards = stream(Card, key=lambda card: card.id.title(), item=render_card)
        go = action(ops.push(cards=lambda tag: Card(tag, tag)))
        typed = action(ops.set(tag=""), optimistic=True)

    assert V.__view_client__ is not None


# -- definition errors ------------------------------------------------------------------


def test_items_the_browser_cannot_type_check_are_an_error() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            first = state(str, origin="client")
            pairs = state(list[tuple[str, str]], origin="client")
            go = action(ops.push(pairs=lambda first: (first, first)), optimistic=True)

    assert str(caught.value) == (
        "V.go (action) ops.push(pairs=...): the browser cannot check that an item of the "
        "client field 'pairs' is a tuple[str, str] (it checks str, int, float, bool, None, "
        "Literal[...] of str, bool or None, attrs classes, unions and lists of those), so "
        "it could show an item the server refuses. Declare the items with one of those "
        "types, or remove optimistic=True."
    )


def test_a_list_item_computed_from_server_state_is_an_error() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            title = state(str)
            tags = state(list[str], origin="client")
            go = action(ops.unshift(tags=lambda title: title), optimistic=True)

    assert str(caught.value) == (
        "V.go (action) ops.unshift(tags=...): writes the client field 'tags' from 'title', "
        "which the browser cannot know. Compute it from client fields, optimistic calcs "
        "and str params, or remove optimistic=True."
    )


def test_an_update_at_index_from_an_int_param_is_an_error() -> None:
    with pytest.raises(DefinitionError, match=r"writes the client field 'tags' from 'at'"):

        class V(View):
            tags = state(list[str], origin="client")
            go = action(
                ops.update_at("tags", lambda at: at, "x"), params={"at": int}, optimistic=True
            )


def test_stream_only_ops_on_a_list_field_stay_errors() -> None:
    with pytest.raises(DefinitionError, match="delete works on stream fields"):

        class V(View):
            tags = state(list[str], origin="client")
            go = action(ops.delete("tags", "a"), optimistic=True)
