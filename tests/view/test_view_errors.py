"""View errors carry what went wrong as attributes, and their messages name it and the fix."""

from __future__ import annotations

import inspect

import pytest

from actorview import View, action, ops, state
from actorview.declare import _errors as errors
from actorview.declare._errors import (
    EmitError,
    ExpressionError,
    InvalidEvent,
    InvalidInput,
    InvalidParams,
    OpError,
    PageError,
    StateTypeError,
    StreamBusy,
    UnknownAction,
    ViewError,
)


class Tasks(View):
    items = state(list[str])
    add = action(ops.push(items=lambda text: text), params={"text": str})
    first = action(ops.set(items=[]), when=lambda items: items[0] > "")
    fix = action(ops.update_at("items", lambda index: index, "x"), params={"index": int})


def test_every_concrete_view_error_is_built_from_its_data() -> None:
    bases = {ViewError, InvalidEvent}
    concrete = [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, ViewError) and cls not in bases
    ]
    assert len(concrete) >= 10
    for cls in concrete:
        parameters = inspect.signature(cls).parameters
        assert "view" in parameters, cls


def test_a_wrong_type_names_view_field_value_and_expected_type() -> None:
    view = Tasks()
    with pytest.raises(StateTypeError) as raised:
        view.items = "a"  # type: ignore[assignment]
    error = raised.value
    assert (error.view, error.field, error.value, error.expected, error.what) == (
        "Tasks",
        "items",
        "a",
        list[str],
        "value",
    )


def test_rejected_events_carry_the_action_and_what_the_browser_sent() -> None:
    view = Tasks()
    with pytest.raises(UnknownAction) as unknown:
        view.live.store.act("explode", {})
    assert (unknown.value.view, unknown.value.action) == ("Tasks", "explode")
    assert unknown.value.actions == ("add", "first", "fix")
    with pytest.raises(InvalidParams) as params:
        view.live.store.act("add", 3)
    assert (params.value.view, params.value.action, params.value.params) == ("Tasks", "add", 3)
    assert str(params.value).startswith("Tasks, action 'add': invalid params:")


def test_op_errors_say_where_and_an_expression_error_holds_what_it_raised() -> None:
    view = Tasks()
    with pytest.raises(ExpressionError) as guard:
        view.live.store.act("first", None)
    assert (guard.value.view, guard.value.where, guard.value.guard) == (
        "Tasks",
        "action 'first'",
        True,
    )
    assert isinstance(guard.value.error, IndexError) and guard.value.__cause__ is guard.value.error
    with pytest.raises(OpError) as index:
        view.live.store.act("fix", {"index": 4})
    assert (index.value.view, index.value.where) == ("Tasks", "action 'fix'")
    assert str(index.value) == (
        "Tasks, action 'fix': ops.update_at('items') got index 4, but items has 0 items. "
        "Nothing changed."
    )


def test_stream_and_input_errors_carry_their_names() -> None:
    busy = StreamBusy("Chat", "llm", where="action 'send'")
    assert (busy.view, busy.stream, busy.where) == ("Chat", "llm", "action 'send'")
    assert 'declare on_busy="supersede" or "queue"' in str(busy)
    emitted = EmitError("Chat", "llm", 3, [str])
    assert (emitted.message, emitted.emits) == (3, (str,))
    assert str(emitted).startswith("Chat.llm emitted a int, which is not among its emits=(str)")
    page = PageError("history", "its source's count() gave -1", view="Chat")
    assert (page.view, page.stream) == ("Chat", "history")
    assert str(page) == "Chat.history: its source's count() gave -1"
    assert str(PageError("history", "x")) == "stream 'history': x"
    given = InvalidInput("Chat", "draft", "input 3 for 'draft' is not a str")
    assert (given.view, given.field) == ("Chat", "draft")
