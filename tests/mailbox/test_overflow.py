"""Bounded mailboxes: backpressure by default, evicting or coalescing by choice."""

from __future__ import annotations

import attrs
import pytest
import trio

from actorview.mailbox import (
    Actor,
    CoalesceByKey,
    DropOldest,
    MailboxFull,
    Superseded,
    on,
)
from tests.mailbox.messages import Add, Block, Counter, Total


async def test_backpressure_makes_tell_wait_and_tell_nowait_fail() -> None:
    counter = Counter(capacity=2)
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        await ref.tell(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        await ref.tell(Add(1))
        await ref.tell(Add(2))
        with pytest.raises(MailboxFull):
            ref.tell_nowait(Add(3))

        sent = trio.Event()

        async def send_third() -> None:
            await ref.tell(Add(4))
            sent.set()

        nursery.start_soon(send_third)
        await trio.testing.wait_all_tasks_blocked()
        assert not sent.is_set(), "tell must wait while the mailbox is full"
        gate.set()
        await sent.wait()
        assert await ref.ask(Total()) == 7
        ref.request_stop()


async def test_drop_oldest_evicts_the_oldest_waiting_message() -> None:
    counter = Counter(capacity=2, overflow=DropOldest())
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        ref.tell_nowait(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        for amount in (1, 10, 100):
            ref.tell_nowait(Add(amount))
        assert counter.mailbox.stats.evicted == 1
        gate.set()
        await trio.testing.wait_all_tasks_blocked()
        assert await ref.ask(Total()) == 110
        ref.request_stop()


async def test_an_evicted_ask_is_answered_with_superseded() -> None:
    counter = Counter(capacity=1, overflow=DropOldest())
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        ref.tell_nowait(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        outcome: list[BaseException] = []

        async def ask_total() -> None:
            try:
                await ref.ask(Total())
            except Superseded as error:
                outcome.append(error)

        nursery.start_soon(ask_total)
        await trio.testing.wait_all_tasks_blocked()
        ref.tell_nowait(Add(1))
        await trio.testing.wait_all_tasks_blocked()
        assert len(outcome) == 1 and "overflow policy" in str(outcome[0])
        gate.set()
        ref.request_stop()


@attrs.frozen
class Scroll:
    pane: str
    offset: int


class Panes(Actor):
    def __init__(self) -> None:
        super().__init__(
            capacity=8,
            overflow=CoalesceByKey(lambda m: m.pane if isinstance(m, Scroll) else None),
        )
        self.seen: list[object] = []

    @on(Scroll)
    def scroll(self, message: Scroll) -> None:
        self.seen.append(message)

    @on(Block)
    async def block(self, gate: trio.Event) -> None:
        await gate.wait()

    @on(Add)
    def add(self, message: Add) -> None:
        self.seen.append(message)


async def test_coalesce_by_key_keeps_the_latest_at_the_end_so_sender_order_holds() -> None:
    panes = Panes()
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(panes.run)
        ref.tell_nowait(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        ref.tell_nowait(Scroll("left", 1))
        ref.tell_nowait(Add(1))
        ref.tell_nowait(Scroll("right", 5))
        ref.tell_nowait(Scroll("left", 2))
        ref.tell_nowait(Add(2))
        ref.tell_nowait(Add(3))
        assert panes.mailbox.stats.coalesced == 1
        gate.set()
        ref.request_stop()
    assert panes.seen == [Add(1), Scroll("right", 5), Scroll("left", 2), Add(2), Add(3)]


async def test_coalesce_evicts_the_oldest_when_still_full() -> None:
    panes = Panes()
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(panes.run)
        ref.tell_nowait(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        for amount in range(10):
            ref.tell_nowait(Add(amount))
        assert panes.mailbox.stats.evicted == 2
        gate.set()
        ref.request_stop()
    assert panes.seen == [Add(n) for n in range(2, 10)]


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Counter(capacity=0)
