"""ask: a request with a reply, a timeout, and a clear answer when things go wrong."""

from __future__ import annotations

import pytest
import trio

from actorview.mailbox import (
    ActorCrashed,
    ActorStopped,
    AskTimeout,
    UnhandledMessage,
)
from tests.mailbox.messages import Add, Block, Counter, Explode, Fragile, Total


async def test_ask_returns_the_clause_return_value() -> None:
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(Counter().run)
        await ref.tell(Add(3))
        assert await ref.ask(Total()) == 3
        ref.request_stop()


async def test_ask_times_out_with_ask_timeout(autojump_clock: trio.testing.MockClock) -> None:
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(Counter(name="slow").run)
        await ref.tell(Block(gate))
        start = trio.current_time()
        with pytest.raises(AskTimeout, match=r"slow did not answer Total within 2\.0 s"):
            await ref.ask(Total(), timeout=2.0)
        assert trio.current_time() - start == pytest.approx(2.0)
        gate.set()
        ref.request_stop()


async def test_ask_that_no_clause_takes_gets_unhandled_message() -> None:
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(Counter().run)
        with pytest.raises(UnhandledMessage, match="no clause of Counter took Add"):
            await ref.ask(Add(-1))  # the guard wants a positive amount
        ref.request_stop()


async def test_a_crash_answers_the_asker_and_the_actor_fails() -> None:
    fragile = Fragile(name="fragile")
    answers: list[BaseException] = []

    async def ask_and_record(ref: object) -> None:
        try:
            await ref.ask(Explode())  # type: ignore[attr-defined]
        except ActorCrashed as error:
            answers.append(error)

    async with trio.open_nursery() as askers:
        with pytest.RaisesGroup(pytest.RaisesExc(ValueError, match="boom")):
            async with trio.open_nursery() as nursery:
                ref = await nursery.start(fragile.run)
                askers.start_soon(ask_and_record, ref)
    assert len(answers) == 1
    assert isinstance(answers[0].__cause__, ValueError)
    assert fragile.state.value == "failed"


async def test_run_raises_the_handler_error_itself_not_a_group() -> None:
    fragile = Fragile()
    fragile.ref.tell_nowait(Explode())
    with pytest.raises(ValueError, match="boom"):
        await fragile.run()


async def test_asks_still_queued_when_the_actor_stops_get_actor_stopped() -> None:
    counter = Counter()
    gate = trio.Event()
    outcome: list[BaseException] = []

    async def ask_total(ref: object) -> None:
        try:
            await ref.ask(Total())  # type: ignore[attr-defined]
        except ActorStopped as error:
            outcome.append(error)

    async with trio.open_nursery() as outer, trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        await ref.tell(Block(gate))
        outer.start_soon(ask_total, ref)
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert len(outcome) == 1
    with pytest.raises(ActorStopped):
        await ref.tell(Add(1))
