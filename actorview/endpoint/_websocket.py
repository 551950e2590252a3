"""The server side of a live socket: trio-websocket, with every close bounded in time.

trio-websocket's ``WebSocketConnection`` is right about frames but leaves three things
open that a server facing the internet must close, and :class:`ServerWebSocket` closes
them where they arise:

1. ``aclose`` waits for the peer's close frame with no time bound: a peer that stays
   silent kept its task, its descriptor and its connection slot for ever. Here a close
   waits at most ``close_timeout`` seconds, then drops the TCP connection.
2. A protocol violation (an unmasked frame, RSV bits, an unknown opcode, a bad close code;
   invalid UTF-8 in a text message) ends the TCP connection with no close frame. Here the
   peer gets the close frame RFC 6455 asks for: 1002 (protocol error) or 1007 (invalid
   payload data), with wsproto's reason, before the connection is closed.
3. WebSocket pings are answered as fast as they come. Here each takes a token from the
   client's frame budget first, so a ping flood is read no faster than the budget refills.
4. It negotiates no compression. Here permessage-deflate is accepted when the page
   offers it, with the memory bounds of :class:`BoundedDeflate`.
5. A connection keeps, for its whole life, what only its opening needed (wsproto's
   HTTP handshake and its h11 connection, the open event) and a table of bound handlers
   in its reader task, and a memory channel with a deque behind it (wsproto one more):
   about 6 KB per socket. Here the reader dispatches with ``match``, the opening's
   parts are let go once the socket is open (``_accept``), and messages pass through
   one slotted :class:`~actorview.endpoint._messages.MessageQueue`.

:func:`accept_websocket` does what ``trio_websocket.wrap_server_stream`` and
``WebSocketRequest.accept`` do, with this class. It relies on trio-websocket 0.11-0.12's
internals (``_reader_task``, ``_accept``, ``_handle_*_event``, ``_open_handshake``,
``_for_testing_peer_closed_connection``, ``_reader_running``, ``_receive_buffer_size``,
``_abort_web_socket``, ``_close_stream``, ``_send_channel``, ``_recv_channel``;
wsproto's ``WSConnection.handshake`` and ``Connection._events``);
``tests/endpoint/test_websocket.py`` fails if they change.
"""

from __future__ import annotations

from collections.abc import Iterator

import trio
import trio_websocket
import wsproto
import wsproto.utilities
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension

from actorview.endpoint._compression import BoundedDeflate, Compression
from actorview.endpoint._frames import frames_directly, text_frame
from actorview.endpoint._http import Receiver, send_nowait
from actorview.endpoint._limits import TokenBucket
from actorview.endpoint._messages import MessageQueue

MESSAGE_QUEUE_SIZE = 1
"""Messages read ahead of ``get_message`` (trio-websocket's default)."""

MAX_CLOSE_REASON = 120
"""Characters of a close reason sent to the peer (the frame allows 123 bytes)."""


class _SpentHandshake:
    """What an open connection's wsproto keeps in place of its HTTP handshake: it has
    no more events (wsproto's ``events`` still asks), and nothing else is read of it
    once ``WSConnection.connection`` is set."""

    def events(self) -> Iterator[Event]:
        return iter(())


_SPENT_HANDSHAKE = _SpentHandshake()


class _EventList(list[Event]):
    """wsproto's queue of received events as a list (``append``, ``popleft``): it holds
    the events of one read, and a deque costs 760 bytes empty."""

    __slots__ = ()

    def popleft(self) -> Event:
        return self.pop(0)


_DONE = trio.Event()
"""A set event every open connection shares as its ``_open_handshake`` (only opening
waits on it), and as the peer-closed marker trio-websocket sets for its own tests."""
_DONE.set()


class ServerWebSocket(trio_websocket.WebSocketConnection):
    """A server WebSocket whose close is bounded, whose protocol errors get a close
    frame, whose pings are paced by a :class:`TokenBucket`, and which compresses when
    the page offers it and ``compression`` is set."""

    def __init__(
        self,
        stream: trio.abc.Stream,
        *,
        max_message_size: int,
        close_timeout: float,
        pings: TokenBucket,
        compression: Compression | None = None,
    ) -> None:
        super().__init__(
            stream,
            wsproto.WSConnection(wsproto.ConnectionType.SERVER),
            max_message_size=max_message_size,
        )
        # One slotted hand-off in place of trio's memory channel (``_messages.py``).
        queue = MessageQueue(MESSAGE_QUEUE_SIZE)
        self._send_channel = queue.sending()  # type: ignore[assignment]
        self._recv_channel = queue.receiving()  # type: ignore[assignment]
        self._close_timeout = close_timeout
        self._receive: Receiver = stream.receive_some
        """What the reader reads with: ``stream``'s own, and once the socket is open the
        innermost stream's (``ReplayStream.receiver``: no wrapper frames while it waits)."""
        self._pings_budget = pings
        self._deflate = (
            None
            if compression is None
            else BoundedDeflate(compression, max_message_size=max_message_size)
        )

    @property
    def compressed(self) -> bool:
        """Whether frames on this socket are compressed (the page offered it)."""
        return self._deflate is not None and self._deflate.enabled()

    def rest(self) -> None:
        """Let go of the compressor while the socket is quiet (the next frame makes a
        fresh one): the caller knows no message is being sent."""
        if self._deflate is not None:
            self._deflate.rest()

    def send_now(self, message: str) -> bytes:
        """Frame ``message`` and write as much of it as the socket takes at once, without
        waiting; returns what is left of the frame (``b""``: all of it went). What is left
        must go out with :meth:`finish_send` before anything else is sent with this method.

        While another send holds the connection's lock (a pong, a close, a
        :meth:`finish_send`), nothing is written: the whole frame is returned. Raises
        ``trio_websocket.ConnectionClosed`` once the socket is closed or being closed, and
        ``trio.BrokenResourceError`` if the connection is gone (or an earlier write timed
        out). Never blocks and never checkpoints: the frame clock calls it for each socket
        in one pass."""
        if self._close_reason:
            raise trio_websocket.ConnectionClosed(self._close_reason)
        data = self._frame(message)
        if self._stream_lock.locked():
            return data
        sent = send_nowait(self._stream, data)
        return data[sent:]

    def _frame(self, message: str) -> bytes:
        """``message`` framed as wsproto would frame it: directly when nothing
        transforms it (``_frames.py``: no deflate, the connection open), else by wsproto
        (a compressed socket, or a state in which wsproto raises what it raises)."""
        if frames_directly(self._wsproto):
            return text_frame(message)
        return self._wsproto.send(TextMessage(data=message))

    async def finish_send(self, data: bytes) -> None:
        """Send the rest of a frame :meth:`send_now` began, in turn with the connection's
        other sends (its lock), within the stream's write bound; raises
        ``trio_websocket.ConnectionClosed`` if the connection went away meanwhile."""
        async with self._stream_lock:
            try:
                await self._stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                await self._abort_web_socket()
                raise trio_websocket.ConnectionClosed(self._close_reason) from None

    async def _accept(
        self, request: Request, subprotocol: str | None, extra_headers: list[tuple[bytes, bytes]]
    ) -> None:
        # trio-websocket accepts with no extensions; wsproto keeps the ones the
        # request offered among those passed here.
        self._subprotocol = subprotocol
        self._path = request.target
        extensions: list[Extension] = [] if self._deflate is None else [self._deflate]
        await self._send(
            AcceptConnection(
                subprotocol=subprotocol, extensions=extensions, extra_headers=extra_headers
            )
        )
        self._open_handshake.set()
        # Open: what only the opening needed is let go (point 5 above).
        self._open_handshake = self._for_testing_peer_closed_connection = _DONE
        self._wsproto.handshake = _SPENT_HANDSHAKE  # type: ignore[assignment]
        receiver = getattr(self._stream, "receiver", None)
        if receiver is not None:
            self._receive = receiver()
        if self._wsproto.connection is not None:
            events = self._wsproto.connection._events
            self._wsproto.connection._events = _EventList(events)  # type: ignore[assignment]

    async def _reader_task(self) -> None:
        """trio-websocket's reader (network data in, events dispatched), with the same
        steps in the same order, dispatching with ``match`` instead of a table of bound
        methods that each socket kept for its life. A server reader sends nothing first."""
        async with self._send_channel:
            while self._reader_running:
                for event in self._wsproto.events():
                    try:
                        await self._dispatch(event)
                    except trio_websocket.ConnectionClosed:
                        self._reader_running = False
                        break
                try:
                    data = await self._receive(self._receive_buffer_size)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    await self._abort_web_socket()
                    break
                if len(data) == 0:  # TCP closed: abnormal unless the WebSocket closed first
                    if self._wsproto.state != ConnectionState.CLOSED:
                        await self._abort_web_socket()
                    break
                if self._wsproto.state != ConnectionState.CLOSED:
                    try:
                        self._wsproto.receive_data(bytes(data))  # the same object: bytes
                    except wsproto.utilities.RemoteProtocolError as error:
                        if error.event_hint:
                            await self._send(error.event_hint)
                        await self._close_stream()

    async def _dispatch(self, event: Event) -> None:
        match event:
            case TextMessage() | BytesMessage():
                await self._handle_message_event(event)
            case CloseConnection():
                await self._handle_close_connection_event(event)
            case Ping():
                await self._handle_ping_event(event)
            case Pong():
                await self._handle_pong_event(event)
            case Request():
                await self._handle_request_event(event)
            case AcceptConnection():
                await self._handle_accept_connection_event(event)
            case RejectConnection():
                await self._handle_reject_connection_event(event)
            case RejectData():
                await self._handle_reject_data_event(event)
            case _:
                pass  # trio-websocket logs and skips an event type it does not know

    async def aclose(self, code: int = 1000, reason: str | None = None) -> None:
        """Send a close frame and wait for the peer's, at most ``close_timeout`` seconds;
        then (or at once, if the peer answered) the TCP connection is closed.

        Idempotent, like the base class. Cancellation closes the TCP connection too.
        """
        with trio.move_on_after(self._close_timeout):
            await super().aclose(code, reason)

    async def _handle_close_connection_event(self, event: CloseConnection) -> None:
        # wsproto reports a frame it could not parse as a CloseConnection while the
        # connection is still OPEN (a close frame from the peer moves it to
        # REMOTE_CLOSING first): answer with the code and reason ourselves.
        if self._wsproto.state is ConnectionState.OPEN:
            reason = (event.reason or "")[:MAX_CLOSE_REASON] or None
            try:
                await self._send(CloseConnection(code=event.code, reason=reason))
            except trio_websocket.ConnectionClosed:
                return  # the stream broke meanwhile; the base class has cleaned up
        await super()._handle_close_connection_event(event)

    async def _handle_ping_event(self, event: Ping) -> None:
        await self._pings_budget.acquire()
        await super()._handle_ping_event(event)


async def accept_websocket(
    nursery: trio.Nursery,
    stream: trio.abc.Stream,
    *,
    max_message_size: int,
    close_timeout: float,
    pings: TokenBucket,
    compression: Compression | None = None,
) -> ServerWebSocket:
    """Run the WebSocket handshake on ``stream`` (whose first bytes are the upgrade
    request) and accept it. The connection's reader task runs in ``nursery``.

    The caller bounds the wait: if wsproto refuses the handshake it answers 400 and
    closes the stream, the reader task ends and this waits for a request that never
    comes. Raises ``trio_websocket.ConnectionClosed`` if the peer goes away meanwhile.
    """
    connection = ServerWebSocket(
        stream,
        max_message_size=max_message_size,
        close_timeout=close_timeout,
        pings=pings,
        compression=compression,
    )
    nursery.start_soon(connection._reader_task)
    request = await connection._get_request()
    await request.accept()
    return connection
