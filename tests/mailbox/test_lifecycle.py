"""An actor's life: start, per-sender order, leases, stop, and its own nursery."""

from __future__ import annotations

import pytest
import trio
import trio.lowlevel

from actorview.mailbox import ActorKilled, ActorState, Lease
from tests.mailbox.messages import Add, Block, Counter, Note, Total


async def test_messages_from_each_sender_are_handled_in_the_order_sent() -> None:
    counter = Counter(capacity=4)

    async def send_all(ref: object, sender: str) -> None:
        for seq in range(50):
            await ref.tell(Note(sender, seq))  # type: ignore[attr-defined]
            if seq % 7 == 0:
                await trio.lowlevel.checkpoint()

    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        async with trio.open_nursery() as senders:
            for sender in "abc":
                senders.start_soon(send_all, ref, sender)
        ref.request_stop()
    for sender in "abc":
        assert [n.seq for n in counter.notes if n.sender == sender] == list(range(50))
    assert len(counter.notes) == 150


async def test_a_revoked_lease_drops_its_queued_and_later_messages() -> None:
    counter = Counter(capacity=10)
    gate = trio.Event()
    lease = Lease("run-1")
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        await ref.tell(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        ref.tell_nowait(Add(1), lease=lease)
        ref.tell_nowait(Add(10))
        ref.tell_nowait(Add(100), lease=lease)
        lease.revoke()
        ref.tell_nowait(Add(1000), lease=lease)
        gate.set()
        assert await ref.ask(Total()) == 10
        ref.request_stop()
    assert counter.mailbox.stats.revoked == 3
    assert repr(lease) == "<Lease 'run-1' revoked>"


async def test_stop_handles_what_was_queued_then_returns() -> None:
    counter = Counter()
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        assert counter.state is ActorState.RUNNING
        await ref.tell(Block(gate))
        await ref.tell(Add(2))
        ref.request_stop()
        assert counter.state is ActorState.STOPPING  # type: ignore[comparison-overlap]
        gate.set()
    assert counter.total == 2
    assert counter.state is ActorState.STOPPED


async def test_tasks_in_the_actor_nursery_end_with_the_actor() -> None:
    counter = Counter()
    ended = trio.Event()

    async def child() -> None:
        try:
            await trio.sleep_forever()
        finally:
            ended.set()

    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        counter.nursery.start_soon(child)
        await trio.testing.wait_all_tasks_blocked()
        ref.request_stop()
    assert ended.is_set()
    with pytest.raises(RuntimeError, match="is not running"):
        _ = counter.nursery


async def test_an_actor_instance_runs_once() -> None:
    counter = Counter(name="once")
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        ref.request_stop()
    with pytest.raises(RuntimeError, match="once has already run"):
        await counter.run()


async def test_kill_crashes_the_actor_at_once_even_inside_a_handler() -> None:
    counter = Counter(name="victim")
    counter.ref.tell_nowait(Block(trio.Event()))  # the actor will wait inside a handler

    async def kill_when_blocked() -> None:
        await trio.testing.wait_all_tasks_blocked()
        counter.ref.kill("chaos")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(kill_when_blocked)
        with pytest.raises(ActorKilled, match="victim was killed: chaos"):
            await counter.run()
    assert counter.state is ActorState.FAILED
