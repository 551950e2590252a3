"""Clauses: patterns, binding by name, guards, declaration order, fallback, indexing."""

from __future__ import annotations

import attrs
import pytest
import trio
import trio.lowlevel

from actorview import DefinitionError
from actorview.mailbox import Actor, UnhandledMessage, on


@attrs.frozen
class Chunk:
    run: int
    role: str
    text: object


@attrs.frozen
class Ping:
    pass


class Router(Actor):
    def __init__(self) -> None:
        super().__init__()
        self.current_run = 1
        self.log_: list[tuple[str, object]] = []
        self.dropped: list[object] = []

    @on(Chunk, match={"role": "system"})
    def system(self, text: object) -> None:
        self.log_.append(("system", text))

    @on(Chunk, match={"text": int})
    def number(self, run: int, text: int) -> None:
        self.log_.append(("number", (run, text)))

    @on(Chunk, when=lambda self, run: run == self.current_run)
    def current(self, message: Chunk) -> None:
        self.log_.append(("current", message.text))

    @on(Ping)
    def ping(self, message: Ping) -> str:
        return "pong"

    def unhandled(self, message: object) -> None:
        self.dropped.append(message)


async def run_router(*messages: object) -> Router:
    router = Router()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(router.run)
        for message in messages:
            await ref.tell(message)
        ref.request_stop()
    return router


async def test_patterns_guards_and_declaration_order_pick_the_clause() -> None:
    router = await run_router(
        Chunk(1, "system", "hello"),  # first clause: pattern on role
        Chunk(2, "user", 7),  # second: type pattern on text, binds run and text
        Chunk(1, "user", "hi"),  # third: guard on run holds
        Chunk(2, "user", "stale"),  # guard fails: fallback
    )
    assert router.log_ == [("system", "hello"), ("number", (2, 7)), ("current", "hi")]
    assert router.dropped == [Chunk(2, "user", "stale")]
    assert router.mailbox.stats.unhandled == 1


async def test_guards_read_live_state() -> None:
    router = Router()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(router.run)
        await ref.tell(Chunk(2, "user", "early"))
        await trio.testing.wait_all_tasks_blocked()
        router.current_run = 2
        await ref.tell(Chunk(2, "user", "late"))
        ref.request_stop()
    assert router.log_ == [("current", "late")]


async def test_dispatch_only_tries_clauses_of_the_message_type() -> None:
    guard_calls: list[str] = []

    def tried(name: str) -> bool:
        guard_calls.append(name)
        return True

    class Indexed(Actor):
        @on(Chunk, when=lambda self, m: tried("chunk"))
        def chunk(self, message: Chunk) -> None: ...

        @on(Ping, when=lambda self, m: tried("ping"))
        def ping(self, message: Ping) -> None: ...

    async with trio.open_nursery() as nursery:
        ref = await nursery.start(Indexed().run)
        for _ in range(3):
            await ref.tell(Ping())
        ref.request_stop()
    assert guard_calls == ["ping"] * 3


async def test_unhandled_raise_crashes_the_actor_with_a_clear_error() -> None:
    class Strict(Actor, unhandled="raise"):
        @on(Chunk, match={"role": "user"})
        def user(self, message: Chunk) -> None: ...

    strict = Strict(name="strict")
    strict.ref.tell_nowait(Chunk(1, "bot", "x"))
    with pytest.raises(UnhandledMessage, match="no clause of Strict took Chunk"):
        await strict.run()


async def test_subclass_replaces_a_clause_by_redefining_the_method() -> None:
    class Quiet(Router):
        @on(Chunk, match={"role": "system"})
        def system(self, text: object) -> None:
            self.log_.append(("quiet", text))

    quiet = Quiet()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(quiet.run)
        await ref.tell(Chunk(1, "system", "s"))
        assert await ref.ask(Ping()) == "pong"
        ref.request_stop()
    assert quiet.log_ == [("quiet", "s")]
    assert [clause.name for clause in Quiet.__clauses__] == ["system", "number", "current", "ping"]


async def test_async_handlers_are_awaited() -> None:
    class Sleepy(Actor):
        def __init__(self) -> None:
            super().__init__()
            self.done = False

        @on(Ping)
        async def ping(self, message: Ping) -> str:
            await trio.lowlevel.checkpoint()
            self.done = True
            return "awake"

    sleepy = Sleepy()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(sleepy.run)
        assert await ref.ask(Ping()) == "awake"
        ref.request_stop()
    assert sleepy.done


def test_clauses_are_introspectable_values() -> None:
    system, number, current, ping = Router.__clauses__
    assert system.message_type is Chunk and system.match == {"role": "system"}
    assert number.binding.fields == ("run", "text") and not number.binding.whole
    assert current.guard is not None and current.guard_binding is not None
    assert current.guard_binding.fields == ("run",) and current.binding.whole
    assert ping.batch is False and ping.is_async is False


def test_a_handler_parameter_that_is_no_field_is_rejected_at_definition() -> None:
    with pytest.raises(DefinitionError) as caught:

        class Typo(Actor):
            @on(Chunk)
            def chunk(self, run: int, txt: str) -> None: ...

    assert str(caught.value) == (
        "Typo.chunk handler: parameter(s) 'txt' are not fields of Chunk (fields: run, "
        "role, text). Name parameters after fields to bind them, or take a single "
        "parameter to receive the whole message."
    )


def test_a_match_on_an_unknown_field_is_rejected_at_definition() -> None:
    with pytest.raises(DefinitionError, match=r"Bad.chunk: match names 'kind'"):

        class Bad(Actor):
            @on(Chunk, match={"kind": "x"})
            def chunk(self, message: Chunk) -> None: ...


def test_a_guard_parameter_that_is_no_field_is_rejected_at_definition() -> None:
    with pytest.raises(DefinitionError, match=r"Bad.chunk guard: parameter\(s\) 'a', 'b' are not"):

        class Bad(Actor):
            @on(Chunk, when=lambda self, a, b: True)
            def chunk(self, message: Chunk) -> None: ...


def test_a_message_type_that_is_not_attrs_is_rejected_at_definition() -> None:
    with pytest.raises(DefinitionError, match="needs an attrs class"):

        class Bad(Actor):
            @on(dict)
            def take(self, message: dict[str, int]) -> None: ...
