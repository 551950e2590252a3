"""The WebSocket's one-message hand-off keeps trio's memory-channel contract: every test
runs against ``trio.open_memory_channel(1)`` and against ``MessageQueue(1)``, and both
must behave the same (``actorview/endpoint/_messages.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import trio
import trio.testing

from actorview.endpoint._messages import MessageQueue


def memory_channel() -> tuple[Any, Any]:
    return trio.open_memory_channel[str](1)


def message_queue() -> tuple[Any, Any]:
    queue = MessageQueue(1)
    return queue.sending(), queue.receiving()


Pair = Callable[[], tuple[Any, Any]]
both = pytest.mark.parametrize("pair", [memory_channel, message_queue], ids=["trio", "queue"])


@both
async def test_messages_arrive_in_order_with_one_read_ahead(pair: Pair) -> None:
    send, receive = pair()
    got: list[str] = []
    sent: list[str] = []

    async def sender() -> None:
        for number in range(5):
            await send.send(f"m{number}")
            sent.append(f"m{number}")

    async with trio.open_nursery() as nursery:
        nursery.start_soon(sender)
        await trio.testing.wait_all_tasks_blocked()
        assert sent == ["m0"]  # one buffered, the second send waits for room
        for _ in range(5):
            got.append(await receive.receive())
    assert got == [f"m{number}" for number in range(5)]


@both
async def test_a_waiting_receiver_gets_the_message_handed_over(pair: Pair) -> None:
    send, receive = pair()
    got: list[str] = []

    async def receiver() -> None:
        got.append(await receive.receive())

    async with trio.open_nursery() as nursery:
        nursery.start_soon(receiver)
        await trio.testing.wait_all_tasks_blocked()
        await send.send("hello")
    assert got == ["hello"]


@both
async def test_closing_the_sending_side_ends_the_receiver_after_what_waits(pair: Pair) -> None:
    send, receive = pair()
    await send.send("last")
    async with send:
        pass
    assert await receive.receive() == "last"
    with pytest.raises(trio.EndOfChannel):
        await receive.receive()
    with pytest.raises(trio.ClosedResourceError):
        await send.send("more")
    await send.aclose()  # idempotent


@both
async def test_a_waiting_receiver_is_woken_by_the_end(pair: Pair) -> None:
    send, receive = pair()
    ended: list[type[BaseException]] = []

    async def receiver() -> None:
        try:
            await receive.receive()
        except trio.EndOfChannel as error:
            ended.append(type(error))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(receiver)
        await trio.testing.wait_all_tasks_blocked()
        await send.aclose()
    assert ended == [trio.EndOfChannel]


@both
async def test_closing_the_receiving_side_breaks_a_waiting_sender_and_drops_what_waits(
    pair: Pair,
) -> None:
    send, receive = pair()
    await send.send("buffered")
    broken: list[type[BaseException]] = []

    async def sender() -> None:
        try:
            await send.send("waiting")
        except trio.BrokenResourceError as error:
            broken.append(type(error))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(sender)
        await trio.testing.wait_all_tasks_blocked()
        await receive.aclose()
    assert broken == [trio.BrokenResourceError]
    with pytest.raises(trio.ClosedResourceError):
        await receive.receive()
    with pytest.raises(trio.BrokenResourceError):
        await send.send("after")
    await receive.aclose()  # idempotent


@both
async def test_a_cancelled_wait_neither_sends_nor_receives(pair: Pair) -> None:
    send, receive = pair()
    with trio.move_on_after(0.01):
        await receive.receive()
    await send.send("one")
    with trio.move_on_after(0.01):
        await send.send("two")  # no room: cancelled while waiting, not sent
    assert await receive.receive() == "one"
    await send.send("three")
    assert await receive.receive() == "three"


@both
async def test_every_call_is_a_checkpoint(pair: Pair) -> None:
    send, receive = pair()
    with trio.CancelScope() as scope:
        scope.cancel()
        with pytest.raises(trio.Cancelled):
            await send.send("x")
    await send.send("x")
    with trio.CancelScope() as scope:
        scope.cancel()
        with pytest.raises(trio.Cancelled):
            await receive.receive()
    assert await receive.receive() == "x"
