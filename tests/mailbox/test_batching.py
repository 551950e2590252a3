"""Coalescing: a burst of batch messages is handled in one go, with one after_batch."""

from __future__ import annotations

import trio

from actorview.mailbox import Lease
from tests.mailbox.messages import Add, Block, Counter, Note, Total


async def fill_while_blocked(counter: Counter, *messages: object) -> None:
    """Queue ``messages`` while the actor is busy, then let it take them in one go."""
    gate = trio.Event()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        await ref.tell(Block(gate))
        await trio.testing.wait_all_tasks_blocked()
        for message in messages:
            ref.tell_nowait(message)
        gate.set()
        await trio.testing.wait_all_tasks_blocked()
        ref.request_stop()


async def test_a_burst_is_one_batch_with_one_after_batch() -> None:
    counter = Counter(capacity=100)
    await fill_while_blocked(counter, *[Add(n) for n in range(1, 51)])
    assert counter.total == sum(range(1, 51))
    # one call for the Block message, one for the whole burst
    assert counter.after_batch_calls == 2
    assert counter.mailbox.stats.batches == 2


async def test_a_batch_gives_the_same_state_as_one_by_one() -> None:
    messages = [Add(n) for n in (3, -2, 5, 8, 0, 1)]
    batched = Counter(capacity=100)
    await fill_while_blocked(batched, *messages)

    one_by_one = Counter()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(one_by_one.run)
        for message in messages:
            await ref.tell(message)
            await trio.testing.wait_all_tasks_blocked()
        ref.request_stop()
    assert batched.total == one_by_one.total == 17
    assert one_by_one.after_batch_calls == 4  # the two guard-failing Adds change nothing
    assert batched.after_batch_calls == 2


async def test_a_non_batch_message_ends_the_batch_and_keeps_its_place() -> None:
    counter = Counter(capacity=100)
    await fill_while_blocked(counter, Add(1), Add(2), Note("a", 1), Add(4), Total())
    assert counter.total == 7
    # Block, [Add 1, Add 2], Note, [Add 4], Total
    assert counter.after_batch_calls == 5


async def test_max_batch_bounds_a_batch_for_fairness() -> None:
    counter = Counter(capacity=100, max_batch=10)
    await fill_while_blocked(counter, *[Add(1) for _ in range(25)])
    assert counter.total == 25
    assert counter.after_batch_calls == 1 + 3


class Waiting(Counter):
    """A counter that, after each batch, waits for a deadline 50 ms on (as a paced view
    holding back its render does)."""

    def after_batch(self) -> None:
        super().after_batch()
        self.set_deadline(trio.current_time() + 0.05)


async def test_a_streams_messages_wait_out_the_deadline_and_are_one_batch() -> None:
    counter = Waiting(capacity=100)
    lease = Lease()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        await ref.tell(Add(1))  # handled at once; then the deadline is set
        await trio.testing.wait_all_tasks_blocked()
        assert counter.after_batch_calls == 1
        for n in range(2, 12):
            await ref.tell(Add(n), lease=lease)  # a stream's emit: no wake-up each
        await trio.testing.wait_all_tasks_blocked()
        assert counter.total == 1 and counter.after_batch_calls == 1
        await trio.sleep(0.08)
        assert counter.total == sum(range(1, 12))
        assert counter.after_batch_calls == 2  # all ten in one batch, at the deadline
        await ref.tell(Add(100), lease=lease)
        ref.tell_nowait(Note("now", 1))  # anything else wakes it at once, after the token
        await trio.testing.wait_all_tasks_blocked()
        assert counter.total == sum(range(1, 12)) + 100 and counter.notes
        ref.request_stop()
