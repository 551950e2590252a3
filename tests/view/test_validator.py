"""The validator rejects a wrong view when its class is defined; its messages are contract."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from actorview.errors import DefinitionError
from actorview.view import (
    Emit,
    StreamFailed,
    View,
    action,
    async_stream,
    calculate,
    clause,
    ops,
    state,
    stream,
)


@attrs.frozen
class Tick:
    n: int


@attrs.frozen
class Item:
    id: int
    text: str


@attrs.frozen
class Done:
    pass


async def ticker(emit: Emit) -> None:
    await emit(Tick(1))


def optimistic_server_field() -> None:
    class V(View):
        count = state(int, optimistic=True)


def optimistic_stream_field() -> None:
    class V(View):
        draft = state(str, origin="stream", optimistic=True)


def emits_unhandled() -> None:
    class V(View):
        ticks = async_stream(emits=(Tick,))(ticker)


def clause_nothing_sends() -> None:
    class V(View):
        m = state(int)
        on_tick = clause(Tick, ops.set(m=lambda n: n))


def guard_reads_undeclared() -> None:
    class V(View):
        n = state(int)
        inc = action(ops.set(n=1), when=lambda m: m > 0)


def calc_reads_undeclared() -> None:
    class V(View):
        n = state(int)
        double = calculate(lambda m: m * 2)


def clause_guard_reads_undeclared() -> None:
    class V(View, receives=(Tick,)):
        m = state(int)
        on_tick = clause(Tick, ops.set(m=lambda n: n), when=lambda k: k)


def push_on_str() -> None:
    class V(View):
        draft = state(str)
        add = action(ops.push(draft="x"))


def push_on_int() -> None:
    class V(View):
        n = state(int)
        add = action(ops.push(n=1))


def pop_on_int() -> None:
    class V(View):
        n = state(int)
        drop = action(ops.pop("n"))


def append_on_list() -> None:
    class V(View):
        items = state(list[Item])
        add = action(ops.append(items="x"))


def push_wrong_item() -> None:
    class V(View):
        items = state(list[Item])
        add = action(ops.push(items="x"))


def push_wrong_item_on_stream() -> None:
    class V(View):
        items = stream(Item)
        add = action(ops.push(items=3))


def push_from_function_of_wrong_type() -> None:
    def make() -> str:
        return "x"

    class V(View):
        items = stream(Item)
        add = action(ops.push(items=make))


def set_on_stream() -> None:
    class V(View):
        items = stream(Item)
        add = action(ops.set(items=[]))


def reset_on_list() -> None:
    class V(View):
        items = state(list[Item])
        clear = action(ops.reset("items"))


def set_wrong_type() -> None:
    class V(View):
        n = state(int)
        add = action(ops.set(n="x"))


def set_unknown_field() -> None:
    class V(View):
        n = state(int)
        add = action(ops.set(m=1))


def set_a_calc() -> None:
    class V(View):
        n = state(int)
        d = calculate(lambda n: n * 2)
        add = action(ops.set(d=1))


def calc_cycle() -> None:
    class V(View):
        a = calculate(lambda b: b)
        b = calculate(lambda c: c)
        c = calculate(lambda a: a)


def incremental_with_two_inputs() -> None:
    class V(View):
        a = state(str)
        b = state(str)
        c = calculate(lambda a, b: a + b, incremental=lambda previous, change: previous)


def optimistic_calc_of_server_field() -> None:
    class V(View):
        a = state(str)
        c = calculate(lambda a: a, optimistic=True)


def fire_unknown_stream() -> None:
    class V(View):
        go = action(ops.fire("nope"))


def fire_missing_param() -> None:
    async def reply(prompt: str, emit: Emit) -> None:
        await emit(Done())

    class V(View):
        llm = async_stream(emits=(Done,))(reply)
        on_done = clause(Done)
        go = action(ops.fire("llm"))


def fire_extra_param() -> None:
    async def reply(emit: Emit) -> None:
        await emit(Done())

    class V(View):
        llm = async_stream(emits=(Done,))(reply)
        on_done = clause(Done)
        go = action(ops.fire("llm", x=1))


def body_without_emit() -> None:
    async def quiet(prompt: str) -> None:
        return None

    class V(View):
        s = async_stream(emits=(Tick,))(quiet)


def body_not_async() -> None:
    def sync_body(emit: Emit) -> None:
        return None

    class V(View):
        s = async_stream(emits=(Tick,))(sync_body)  # type: ignore[arg-type]


def unknown_on_busy() -> None:
    class V(View):
        s = async_stream(emits=(Tick,), on_busy="wait")(ticker)  # type: ignore[arg-type]
        on_tick = clause(Tick)


def action_param_shadows_field() -> None:
    class V(View):
        n = state(int)
        go = action(ops.set(n=lambda n: n), params={"n": int})


def message_field_read_bare_is_ambiguous() -> None:
    class V(View, receives=(Tick,)):
        n = state(int)
        on_tick = clause(Tick, ops.set(n=lambda n: n + 1))


def match_unknown_field() -> None:
    class V(View, receives=(Tick,)):
        m = state(int)
        on_tick = clause(Tick, ops.set(m=1), match={"x": 1})


def default_of_wrong_type() -> None:
    class V(View):
        n = state(int, "x")


def default_missing() -> None:
    class V(View):
        item = state(Item)


def unknown_origin() -> None:
    class V(View):
        n = state(int, origin="browser")  # type: ignore[call-overload]


def zero_limit() -> None:
    class V(View):
        items = stream(Item, limit=0)


def clause_for_non_attrs() -> None:
    class V(View):
        on_int = clause(int)


def params_not_a_class() -> None:
    class V(View):
        go = action(params=int)


def calc_with_star_args() -> None:
    class V(View):
        c = calculate(lambda *values: 1)


def calc_of_a_builtin() -> None:
    class V(View):
        items = state(list[int])
        total = calculate(sum)


def field_named_like_a_view_hook() -> None:
    class V(View):
        render = state(str)  # type: ignore[assignment]


def field_named_with_an_underscore() -> None:
    class V(View):
        _secret = state(str)


def clause_for_a_runtime_message() -> None:
    from actorview.view import Connected

    class V(View):
        online = state(bool)
        on_connect_clause = clause(Connected, ops.set(online=True))


def plain_on_clause_for_a_type_nothing_sends() -> None:
    from actorview.mailbox import on

    class V(View):
        @on(Tick)
        def tick(self, n: int) -> None:
            return None


def failure_clause_without_streams() -> None:
    class V(View):
        failure = state(str)
        on_failure = clause(StreamFailed, ops.set(failure=lambda error: error))


CASES: list[tuple[Callable[[], None], str]] = [
    (
        optimistic_server_field,
        "V.count: optimistic=True on a field with origin 'server'; the browser can only "
        "predict fields it writes. Remove optimistic=True, or declare the field with "
        'origin="client".',
    ),
    (
        optimistic_stream_field,
        "V.draft: optimistic=True on a field with origin 'stream'; the browser can only "
        "predict fields it writes. Remove optimistic=True, or declare the field with "
        'origin="client".',
    ),
    (
        emits_unhandled,
        "V.ticks (async_stream): emits Tick, but no clause handles Tick. Add "
        "`on_tick = clause(Tick, ...)`, or remove it from emits.",
    ),
    (
        clause_nothing_sends,
        "V.on_tick (clause for Tick): a clause for Tick, which nothing can send: no "
        "async_stream emits it and it is not in receives=(...). Add it to a stream's emits, "
        "declare `class V(View, receives=(Tick,))`, or remove the clause.",
    ),
    (
        failure_clause_without_streams,
        "V.on_failure (clause for StreamFailed): a clause for StreamFailed, which nothing can "
        "send: no async_stream emits it and it is not in receives=(...). Add it to a stream's "
        "emits, declare `class V(View, receives=(StreamFailed,))`, or remove the clause.",
    ),
    (
        guard_reads_undeclared,
        "V.inc (action) guard: reads 'm', which is not a field, stream or calc of V nor a "
        "bound name here (known: n). Declare it, or rename the parameter.",
    ),
    (
        clause_guard_reads_undeclared,
        "V.on_tick (clause for Tick) guard: reads 'k', which is not a field, stream or calc "
        "of V nor a bound name here (known: m, message, n, view). Declare it, or rename the "
        "parameter.",
    ),
    (
        calc_reads_undeclared,
        "V.double (calculate): reads 'm', which is not a field, stream or calc of V (known: "
        "double, n). Declare it, or rename the parameter.",
    ),
    (
        push_on_str,
        "V.add (action) ops.push: targets 'draft', a str field; push works on list and "
        "stream fields. Use ops.append to add text.",
    ),
    (
        push_on_int,
        "V.add (action) ops.push: targets 'n', an int field; push works on list and stream "
        "fields. Declare it as list[...] or stream(...), or use ops.set(n=...).",
    ),
    (
        pop_on_int,
        "V.drop (action) ops.pop: targets 'n', an int field; pop works on list and stream "
        "fields. Declare it as list[...] or stream(...), or use ops.set(n=...).",
    ),
    (
        append_on_list,
        "V.add (action) ops.append: targets 'items', a list[Item] field; append works on "
        "str fields. Use ops.push for list and stream fields, ops.set otherwise.",
    ),
    (
        push_wrong_item,
        "V.add (action) ops.push: gives 'items' the item 'x', a str, but it takes Item. "
        "Give an Item.",
    ),
    (
        push_wrong_item_on_stream,
        "V.add (action) ops.push: gives 'items' the item 3, an int, but it takes Item. "
        "Give an Item.",
    ),
    (
        push_from_function_of_wrong_type,
        "V.add (action) ops.push: gives 'items' an item from a function returning str, but "
        "it takes Item. Return an Item.",
    ),
    (
        set_on_stream,
        "V.add (action) ops.set: targets 'items', a stream field; a stream is changed item "
        "by item. Use ops.push/unshift/update_at/delete, or ops.reset to empty it.",
    ),
    (
        reset_on_list,
        "V.clear (action) ops.reset: targets 'items', a list[Item] field; reset works on "
        "stream fields. Use ops.set(items=...) to replace its value.",
    ),
    (
        set_wrong_type,
        "V.add (action) ops.set: gives 'n' the value 'x', a str, but it takes int. Give an int.",
    ),
    (
        set_unknown_field,
        "V.add (action) ops.set: targets 'm', which is not a field of V (fields: n). "
        "Declare it with state(...) or stream(...).",
    ),
    (
        set_a_calc,
        "V.add (action) ops.set: targets 'd', a calc; calcs are computed from what they "
        "read. Change one of n instead.",
    ),
    (
        calc_cycle,
        "V: the calcs a -> b -> c -> a form a cycle, so none of them can be computed first. "
        "Make one of them read state fields only.",
    ),
    (
        incremental_with_two_inputs,
        "V.c (calculate): incremental=... needs exactly one input that is a str or list "
        "state field, but it reads a, b. Drop incremental, or make the calc read one "
        "str/list field.",
    ),
    (
        optimistic_calc_of_server_field,
        "V.c (calculate): optimistic=True, but it reads 'a', which the browser cannot "
        "predict. Read only client or optimistic fields and optimistic calcs, or remove "
        "optimistic=True.",
    ),
    (
        fire_unknown_stream,
        "V.go (action) ops.fire: names the stream 'nope', which V does not declare "
        "(streams: none). Declare it with @async_stream(emits=...).",
    ),
    (
        fire_missing_param,
        "V.go (action) ops.fire: does not give 'llm' its parameter 'prompt', and V has no "
        "field or calc of that name. Pass ops.fire('llm', prompt=...).",
    ),
    (
        fire_extra_param,
        "V.go (action) ops.fire: passes 'x', which the body of 'llm' does not take "
        "(parameters: none). Remove it.",
    ),
    (
        body_without_emit,
        "V.s (async_stream): the body takes no `emit` parameter, so it can never send "
        "anything. Add `emit: Emit` to its parameters.",
    ),
    (
        body_not_async,
        "V.s: async_stream(sync_body): the body must be an `async def` function taking "
        "values and `emit`.",
    ),
    (
        unknown_on_busy,
        "V.s: async_stream(on_busy='wait'): use 'supersede', 'queue' or 'refuse'.",
    ),
    (
        action_param_shadows_field,
        "V.go (action): parameter 'n' has the name of a field or calc of V, so expressions "
        "could not tell them apart. Rename the parameter.",
    ),
    (
        message_field_read_bare_is_ambiguous,
        "V.on_tick (clause for Tick): reads 'n', which is both Tick.n and a field of V, so "
        "the bare name could mean either. Write `lambda message: message.n` for the "
        "message's field, or `lambda view: view.n` for the view's field.",
    ),
    (
        match_unknown_field,
        "V.on_tick (clause for Tick): match names 'x', which is not a field of Tick "
        "(fields: n). Match on declared fields.",
    ),
    (
        default_of_wrong_type,
        "V.n: state(int, 'x'): the default is a str, not an int. Give a default of the "
        "declared type.",
    ),
    (
        default_missing,
        "V.item: state(Item) needs a default: there is no obvious empty Item. Write "
        "state(Item, <default>).",
    ),
    (
        unknown_origin,
        "V.n: state(int): origin='browser' is not an origin; use origin=\"client\", "
        '"server" or "stream".',
    ),
    (
        zero_limit,
        "V.items: stream(Item, limit=0): limit must be a positive int, or None for no limit.",
    ),
    (
        clause_for_non_attrs,
        "V.on_int: clause(<class 'int'>): the message type must be an attrs class. Declare "
        "it with @attrs.frozen.",
    ),
    (
        params_not_a_class,
        "V.go: action(params=<class 'int'>): params must be an attrs class or a mapping of "
        "names to types, e.g. params={'index': int}.",
    ),
    (
        calc_of_a_builtin,
        "V.total: calculate(<built-in function sum>) needs a function whose parameter names "
        "are its inputs, e.g. calculate(lambda items: sum(items)).",
    ),
    (
        field_named_like_a_view_hook,
        "V.render: the name 'render' is used by View itself (a hook or method every view "
        "has: after_batch, cancel_upload, context, frame_interval, handle_params, live, load, "
        "mount, notify, on_connect, on_deadline, on_disconnect, on_start, on_stop, "
        "open_pages, refresh_pages, region, render, set_deadline, unhandled). Choose another "
        "name.",
    ),
    (
        field_named_with_an_underscore,
        "V._secret: names that start with '_' are the runtime's. Choose a name without the "
        "leading underscore.",
    ),
    (
        clause_for_a_runtime_message,
        "V.on_connect_clause (clause for Connected): Connected is handled by the View "
        "runtime itself, so this clause would never run. Declare an action for browser "
        "events, or override on_connect()/on_disconnect() for the connection.",
    ),
    (
        plain_on_clause_for_a_type_nothing_sends,
        "V.tick (@on Tick): a clause for Tick, which nothing can send: no async_stream "
        "emits it and it is not in receives=(...). Declare `class V(View, "
        "receives=(Tick,))`, or remove the clause.",
    ),
    (
        calc_with_star_args,
        "V.c: calculate: parameter 'values' of <lambda> must be a plain parameter naming a "
        "field, calc or bound value; *args, **kwargs and keyword-only parameters cannot say "
        "what they read.",
    ),
]


@pytest.mark.parametrize(("define", "message"), CASES, ids=[case.__name__ for case, _ in CASES])
def test_a_wrong_view_is_rejected_at_class_definition_with_a_message_naming_view_and_fix(
    define: Callable[[], None], message: str
) -> None:
    with pytest.raises(DefinitionError) as raised:
        define()
    assert str(raised.value) == message


def test_definition_errors_are_type_errors_too() -> None:
    with pytest.raises(TypeError):
        push_on_str()


def test_a_correct_view_compiles_into_an_introspectable_spec() -> None:
    class Todos(View, receives=(Tick,)):
        items = state(list[Item])
        feed = stream(Item, key="id", limit=10)
        count = calculate(lambda items: len(items))
        doubled = calculate(lambda count: count * 2)
        add = action(
            ops.push(items=lambda id, text: Item(id, text)), params={"id": int, "text": str}
        )
        on_tick = clause(Tick, ops.set(items=[]), when=lambda n: n > 0)

    spec = Todos.__view_spec__
    assert list(spec.fields) == ["items"]
    assert list(spec.collections) == ["feed"]
    assert [calc.name for calc in spec.calc_order] == ["count", "doubled"]
    assert spec.readers == {"items": ("count",), "count": ("doubled",)}
    assert spec.actions["add"].param_names == ("id", "text")
    assert [op.verb for op in spec.actions["add"].ops] == ["push"]
    assert spec.clauses[0].message_type is Tick
    assert spec.receives == (Tick,)
    assert Tick in Todos.__accepts__


def test_a_subclass_receives_what_its_base_receives() -> None:
    class Base(View, receives=(Tick,)):
        ticks = state(int)
        on_tick = clause(Tick, ops.set(ticks=lambda ticks, n: ticks + n))

    class Child(Base):
        on_tick = clause(Tick, ops.set(ticks=lambda ticks, n: ticks + 2 * n))

    assert Child.__view_receives__ == (Tick,)
    assert Tick in Child.__accepts__


def test_an_insert_limit_is_a_nonzero_int_on_a_stream_that_is_not_paged() -> None:
    @attrs.frozen
    class Row:
        n: int

    with pytest.raises(DefinitionError) as caught:

        class Zero(View):
            rows = stream(Row, key="n")
            add = action(ops.push(rows=Row(1), limit=0))

    assert str(caught.value) == (
        "Zero.add (action) ops.push: limit=0: give a nonzero int, -N to keep the last N "
        "items of 'rows' on the page or N to keep the first N."
    )
    with pytest.raises(DefinitionError) as caught:

        class Paged(View):
            rows = stream(Row, key="n", page=2)
            add = action(ops.unshift(rows=Row(1), limit=3))

    assert str(caught.value) == (
        "Paged.add (action) ops.unshift: passes limit=3 for 'rows', a paged stream (page=2), "
        "whose window is bounded by its declared limit. Drop it, or declare "
        "stream(..., limit=N)."
    )
    with pytest.raises(DefinitionError) as caught:

        class Listed(View):
            rows = state(list[Row])
            add = action(ops.push(rows=Row(1), limit=-3))

    assert str(caught.value) == (
        "Listed.add (action) ops.push: passes limit=-3 for 'rows', a list field; limit works "
        "on stream fields (what the page shows). Drop limit, or pop or shift the list."
    )
