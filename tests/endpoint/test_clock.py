"""The frame clock (endpoint/_clock.py): one pass writes every due socket's frames, in
order; a frame a socket did not take whole is finished before the next; a replaced
connection is never written; a quiet compressed socket rests; and over real sockets a
frame larger than the socket's buffer reaches the page whole, before the next."""

from __future__ import annotations

import json

import attrs
import trio
import trio.testing

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._clock import FrameClock
from actorview.endpoint._outbox import Outbox
from actorview.endpoint._sockets import SocketClosed
from actorview.render import Element, h
from actorview.view import View, action, ops, state
from tests.endpoint.harness import fetch, join, live, receive, running, send


@attrs.define
class FakeSocket:
    """A socket that takes ``takes`` bytes of each frame at once (all if None)."""

    takes: int | None = None
    sent: list[str] = attrs.Factory(list)
    finished: list[bytes] = attrs.Factory(list)
    rests: int = 0
    rest_after: float | None = None
    gone: bool = False
    release: trio.Event = attrs.Factory(trio.Event)

    def send_now(self, message: str) -> bytes:
        if self.gone:
            raise SocketClosed(None)
        self.sent.append(message)
        data = message.encode()
        return b"" if self.takes is None else data[self.takes :]

    async def finish_send(self, rest: bytes) -> None:
        await self.release.wait()
        self.finished.append(rest)

    def rest(self) -> None:
        self.rests += 1


async def test_one_pass_writes_every_due_socket_in_order_and_counts_them_written() -> None:
    clock = FrameClock()
    sockets = [FakeSocket() for _ in range(3)]
    outboxes = [Outbox() for _ in range(3)]
    async with trio.open_nursery() as nursery:
        for socket, outbox in zip(sockets, outboxes, strict=True):
            clock.attach(socket, outbox, nursery.cancel_scope, nursery, lambda: True)
        await nursery.start(clock.run)
        for number, outbox in enumerate(outboxes):
            outbox.push_control(f'{{"t":"first","n":{number}}}')
            outbox.push_patches([["a", [0], f"x{number}"]])
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert [len(socket.sent) for socket in sockets] == [2, 2, 2]
    assert sockets[1].sent[0] == '{"t":"first","n":1}'
    assert [outbox.written for outbox in outboxes] == [2, 2, 2]
    assert clock.frames == 6
    assert clock.passes <= 2  # the frames of all three sockets shared a wake-up


async def test_a_frame_not_taken_whole_is_finished_before_the_next_frame() -> None:
    clock = FrameClock()
    socket = FakeSocket(takes=4)
    outbox = Outbox()
    async with trio.open_nursery() as nursery:
        clock.attach(socket, outbox, nursery.cancel_scope, nursery, lambda: True)
        await nursery.start(clock.run)
        outbox.push_control('{"t":"big"}')
        await trio.testing.wait_all_tasks_blocked()
        outbox.push_control('{"t":"next"}')
        await trio.testing.wait_all_tasks_blocked()
        assert socket.sent == ['{"t":"big"}']  # the next waits for the rest
        assert outbox.written == 0
        socket.release.set()
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert socket.finished[0] == b':"big"}'
    assert socket.sent == ['{"t":"big"}', '{"t":"next"}']
    assert outbox.written == 2


async def test_a_replaced_connection_takes_no_frame_and_a_gone_socket_ends_its_relay() -> None:
    clock = FrameClock()
    replaced, gone = FakeSocket(), FakeSocket(gone=True)
    old, broken = Outbox(), Outbox()
    async with trio.open_nursery() as nursery:
        await nursery.start(clock.run)
        clock.attach(replaced, old, nursery.cancel_scope, nursery, lambda: False)
        with trio.CancelScope() as relay:
            clock.attach(gone, broken, relay, nursery, lambda: True)
            old.push_control('{"t":"a"}')
            broken.push_control('{"t":"b"}')
            await trio.sleep_forever()  # the clock cancels the relay
        nursery.cancel_scope.cancel()
    assert replaced.sent == [] and old.taken == 0  # kept for the new socket
    assert relay.cancelled_caught


async def test_a_quiet_compressed_socket_rests_once_until_its_next_frame() -> None:
    clock = FrameClock()
    socket = FakeSocket(rest_after=0.02)
    outbox = Outbox()
    async with trio.open_nursery() as nursery:
        await nursery.start(clock.run)
        clock.attach(socket, outbox, nursery.cancel_scope, nursery, lambda: True)
        await trio.sleep(0.1)
        assert socket.rests == 1
        outbox.push_control('{"t":"a"}')
        await trio.sleep(0.1)
        nursery.cancel_scope.cancel()
    assert socket.rests == 2


class Big(View):
    """A view whose action makes a frame larger than a loopback socket takes at once
    (the client's message limit is 1 MiB)."""

    text = state(str)
    grow = action(ops.set(text=lambda text: "x" * 900_000))
    more = action(ops.set(text=lambda text: text + "!"))

    def render(self) -> Element:
        return h.div(h.p(self.text, id="text"))


async def test_a_frame_larger_than_the_socket_buffer_reaches_the_page_whole_then_the_next() -> None:
    app = Application([Route("/", Big)], secret=b"k" * 32, limits=Limits(max_outbox_bytes=16 << 20))
    async with running(app) as port, live(port) as ws:
        await join(ws, (await fetch(port)).token)
        await send(ws, t="event", ref=1, name="grow", params={})
        await send(ws, t="event", ref=2, name="more", params={})
        frames = [await receive(ws, within=20) for _ in range(4)]
    patches = [frame for frame in frames if isinstance(frame, list)]
    replies = [frame["ref"] for frame in frames if isinstance(frame, dict)]
    assert replies == [1, 2]
    assert len(json.dumps(patches[0])) > 900_000
    assert json.dumps(patches[1]).count("!") == 1
