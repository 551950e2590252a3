"""Ops and actions: collection ops, all-or-nothing application, typed untrusted params."""

from __future__ import annotations

import attrs
import pytest

from actorview.declare._collections import Inserted
from actorview.view import (
    InvalidParams,
    OpError,
    StateTypeError,
    UnknownAction,
    View,
    action,
    calculate,
    ops,
    state,
    stream,
)


@attrs.frozen
class Todo:
    text: str
    done: bool = False


class Todos(View):
    todos = state(list[Todo])
    title = state(str)
    edits = state(int)
    feed = stream(Todo, key="text", limit=3)
    count = calculate(lambda todos: len(todos))

    add = action(
        ops.push(todos=lambda text: Todo(text)),
        ops.set(edits=lambda edits: edits + 1),
        params={"text": str},
        when=lambda text: bool(text.strip()),
    )
    first = action(ops.unshift(todos=lambda text: Todo(text)), params={"text": str})
    drop_last = action(ops.pop("todos"))
    drop_first = action(ops.shift("todos"))
    finish = action(
        ops.update_at(
            "todos", lambda index: index, lambda index, todos: Todo(todos[index].text, True)
        ),
        params={"index": int},
    )
    rename = action(ops.set(title=lambda title: title + "!"), ops.set(title="fixed"))
    swap = action(ops.set(title=lambda edits: str(edits)), ops.set(edits=lambda title: len(title)))
    broken = action(ops.set(edits=1), ops.set(title=lambda todos: todos[99].text))
    feed_in = action(ops.push(feed=lambda text: Todo(text)), params={"text": str})
    feed_front = action(ops.unshift(feed=lambda text: Todo(text)), params={"text": str})
    feed_update = action(
        ops.update_at("feed", lambda text: text, lambda text: Todo(text, True)),
        params={"text": str},
    )
    feed_drop = action(ops.delete("feed", lambda text: text), params={"text": str})
    feed_pop = action(ops.pop("feed"))
    feed_shift = action(ops.shift("feed"))
    feed_reset = action(ops.reset("feed"))
    maybe = action(
        ops.when(lambda flag: flag, ops.set(title="yes")),
        ops.set(edits=7),
        params={"flag": bool},
    )


def test_push_unshift_pop_shift_update_at_on_a_list_field() -> None:
    view = Todos()
    store = view.live.store
    assert store.act("add", {"text": "b"})
    assert store.act("first", {"text": "a"})
    assert store.act("add", {"text": "c"})
    assert [t.text for t in view.todos] == ["a", "b", "c"]
    store.act("finish", {"index": 1})
    assert view.todos[1] == Todo("b", True)
    store.act("drop_last", None)
    store.act("drop_first", None)
    assert view.todos == [Todo("b", True)]
    store.act("drop_last", None)
    store.act("drop_last", None)  # popping an empty list changes nothing
    assert view.todos == []


def test_a_false_guard_ignores_the_action() -> None:
    view = Todos()
    assert view.live.store.act("add", {"text": "   "}) is False
    assert view.todos == [] and view.edits == 0


def test_every_expression_reads_the_state_from_before_the_message() -> None:
    view = Todos()
    view.title = "ab"
    view.edits = 5
    view.live.store.act("swap", None)
    assert (view.title, view.edits) == ("5", 2)


def test_ops_apply_in_order_so_a_later_set_wins() -> None:
    view = Todos()
    view.live.store.act("rename", None)
    assert view.title == "fixed"


def test_a_conditional_op_applies_only_when_its_condition_holds() -> None:
    view = Todos()
    view.live.store.act("maybe", {"flag": False})
    assert (view.title, view.edits) == ("", 7)
    view.live.store.act("maybe", {"flag": True})
    assert view.title == "yes"


def test_an_expression_that_raises_changes_nothing() -> None:
    view = Todos()
    with pytest.raises(OpError) as raised:
        view.live.store.act("broken", None)
    assert str(raised.value) == (
        "Todos, action 'broken': an expression raised IndexError: list index out of range. "
        "Nothing changed."
    )
    assert view.edits == 0 and not view.live.store.dirty


def test_update_at_out_of_range_is_an_op_error_and_changes_nothing() -> None:
    view = Todos()
    view.live.store.act("add", {"text": "a"})
    with pytest.raises(OpError, match="got index 5, but todos has 1 items"):
        view.live.store.act("finish", {"index": 5})
    assert view.todos == [Todo("a")]


def test_params_that_do_not_structure_name_view_action_and_param() -> None:
    view = Todos()
    with pytest.raises(InvalidParams) as raised:
        view.live.store.act("finish", {"index": "one"})
    assert str(raised.value) == (
        "Todos, action 'finish': invalid params: $.index: expected int (a number or its "
        "decimal text), got str 'one'. Nothing changed."
    )
    with pytest.raises(InvalidParams, match=r"\$.text: missing"):
        view.live.store.act("add", {})
    with pytest.raises(InvalidParams, match=r"unexpected key\(s\) 'extra'"):
        view.live.store.act("add", {"text": "a", "extra": 1})
    with pytest.raises(InvalidParams, match="takes no params"):
        view.live.store.act("drop_last", {"x": 1})
    assert view.todos == [] and view.edits == 0


def test_an_unknown_action_is_rejected() -> None:
    with pytest.raises(UnknownAction) as raised:
        Todos().live.store.act("explode", {})
    assert str(raised.value).startswith("Todos has no action 'explode' (actions: add, first,")


def test_a_computed_value_of_the_wrong_type_is_refused() -> None:
    class Bad(View):
        n = state(int)
        go = action(ops.set(n=lambda n: str(n)))

    view = Bad()
    with pytest.raises(StateTypeError, match=r"Bad\.n: the value '0' is a str, not an int"):
        view.live.store.act("go", None)
    assert view.n == 0


def test_stream_ops_keep_keys_in_order_and_apply_the_limit() -> None:
    view = Todos()
    store = view.live.store
    for text in ["a", "b", "c", "d"]:
        store.act("feed_in", {"text": text})
    assert list(view.feed) == ["b", "c", "d"]  # limit 3: pushing d evicted a
    assert (view.feed.before, view.feed.after) == (1, 0)
    store.act("feed_front", {"text": "z"})
    # z comes before a, which the page no longer shows: shown, it would leave a gap
    assert list(view.feed) == ["b", "c", "d"] and view.feed.before == 2
    store.act("feed_update", {"text": "b"})
    store.act("feed_drop", {"text": "c"})
    store.act("feed_drop", {"text": "nope"})
    assert list(view.feed) == ["b", "d"]
    store.act("feed_pop", None)
    store.act("feed_shift", None)
    assert list(view.feed) == [] and len(view.feed) == 0
    store.act("feed_shift", None)
    pending = [type(op).__name__ for op in view.feed.pending]
    assert pending == [
        "Inserted", "Inserted", "Inserted", "Inserted", "Deleted",
        "Inserted",  # z, not shown
        "Inserted", "Deleted",
        "Deleted", "Deleted",
    ]  # fmt: skip
    assert [op.shown for op in view.feed.pending if isinstance(op, Inserted)] == [
        True, True, True, True, False, True,
    ]  # fmt: skip


def test_an_unshift_evicts_from_the_end_and_pushes_then_wait_unseen() -> None:
    view = Todos()
    store = view.live.store
    for text in ["c", "b", "a", "z"]:
        store.act("feed_front", {"text": text})
    assert list(view.feed) == ["z", "a", "b"]  # limit 3: unshifting z evicted c
    store.act("feed_in", {"text": "d"})  # after c, which is not shown: no gap
    assert list(view.feed) == ["z", "a", "b"] and (view.feed.before, view.feed.after) == (0, 2)
    assert view.feed.total == 5


def test_a_stream_keeps_only_keys_once_the_items_are_handed_over() -> None:
    view = Todos()
    view.live.store.act("feed_in", {"text": "a"})
    handed = view.feed.take_pending()
    assert [op.item for op in handed] == [Todo("a")]  # type: ignore[union-attr]
    assert view.feed.pending == [] and "a" in view.feed
    view.live.store.act("feed_reset", None)
    assert list(view.feed) == [] and [type(op).__name__ for op in view.feed.pending] == ["Cleared"]


def test_counter_keys_are_assigned_when_no_key_is_declared() -> None:
    class Log(View):
        lines = stream(str)
        say = action(ops.push(lines=lambda text: text), params={"text": str})

    view = Log()
    view.live.store.act("say", {"text": "x"})
    view.live.store.act("say", {"text": "x"})
    assert list(view.lines) == ["lines-0", "lines-1"]


def test_pushing_an_existing_key_replaces_the_item_in_place() -> None:
    view = Todos()
    view.live.store.act("feed_in", {"text": "a"})
    view.live.store.act("feed_in", {"text": "b"})
    view.live.store.act("feed_in", {"text": "a"})
    assert list(view.feed) == ["a", "b"]


def test_a_guard_that_raises_rejects_the_action_and_changes_nothing() -> None:
    class Picky(View):
        items = state(list[int])
        first = action(ops.set(items=[]), when=lambda items: items[0] > 0)

    view = Picky()
    with pytest.raises(OpError) as raised:
        view.live.store.act("first", None)
    assert str(raised.value) == (
        "Picky, action 'first': its guard raised IndexError: list index out of range. "
        "Nothing changed."
    )


def test_reading_a_calc_in_mount_says_when_calcs_exist() -> None:
    from actorview.view import ViewError

    class Early(View):
        n = state(int)
        twice = calculate(lambda n: n * 2)

        def mount(self, params: None) -> None:
            self.n = self.twice

    with pytest.raises(ViewError) as raised:
        Early()
    assert str(raised.value) == (
        "Early.twice: calcs are first computed after mount; in mount, read the fields "
        "'twice' reads instead."
    )


class Form(View):
    query = state(str, origin="client")
    limit = state(int, 10, origin="client")
    searches = state(list[str])
    search = action(
        ops.push(searches=lambda query, page: f"{query}#{page}"),
        params={"page": int},
        when=lambda query: bool(query),
    )


def test_a_form_submit_writes_its_client_fields_before_the_action_reads_them() -> None:
    view = Form()
    assert view.live.store.act("search", {"query": "cats", "limit": 5, "page": 2})
    assert (view.query, view.limit, view.searches) == ("cats", 5, ["cats#2"])


def test_form_fields_stay_written_when_the_guard_is_false() -> None:
    view = Form()
    view.query = "old"
    assert view.live.store.act("search", {"query": "", "page": 1}) is False
    assert view.query == "" and view.searches == []


def test_a_bad_form_field_or_param_rejects_the_whole_submit() -> None:
    view = Form()
    with pytest.raises(InvalidParams) as raised:
        view.live.store.act("search", {"query": "cats", "limit": "many", "page": 1})
    assert str(raised.value) == (
        "Form, action 'search': form field 'limit' is not an int ($: expected int (a number "
        "or its decimal text), got str 'many'). Nothing changed."
    )
    with pytest.raises(InvalidParams):
        view.live.store.act("search", {"query": "cats", "page": "one"})
    with pytest.raises(InvalidParams, match=r"unexpected key\(s\) 'searches'"):
        view.live.store.act("search", {"query": "cats", "page": 1, "searches": []})
    assert (view.query, view.limit, view.searches) == ("", 10, [])
