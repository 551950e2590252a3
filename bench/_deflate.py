"""A WebSocket client that offers permessage-deflate as a browser does and counts the
TCP bytes it reads: wsproto's own client and inflater over a real loopback socket."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Event,
    Message,
    Ping,
    Request,
    TextMessage,
)
from wsproto.extensions import PerMessageDeflate


class DeflateClient:
    """A WebSocket client on wsproto that offers permessage-deflate (as browsers do:
    ``permessage-deflate; client_max_window_bits``) and counts the bytes it reads."""

    def __init__(self, stream: trio.SocketStream, offer: PerMessageDeflate | None) -> None:
        self.stream = stream
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.offer = offer
        self.accepted: AcceptConnection | None = None
        self.bytes_read = 0
        self._events: list[Event] = []

    async def handshake(self, port: int) -> None:
        extensions = [self.offer] if self.offer is not None else []
        request = Request(
            host=f"127.0.0.1:{port}",
            target="/_av/live",
            extensions=extensions,
            extra_headers=[(b"origin", f"http://127.0.0.1:{port}".encode())],
        )
        await self.stream.send_all(self.ws.send(request))
        event = await self._next_event()
        assert isinstance(event, AcceptConnection), event
        self.accepted = event

    async def send_text(self, text: str) -> None:
        await self.stream.send_all(self.ws.send(Message(data=text)))

    async def message(self, within: float = 5) -> Any:
        """The next text message, JSON-decoded (see :meth:`text`)."""
        return json.loads(await self.text(within))

    async def text(self, within: float = 5) -> str:
        """The next text message; a close raises AssertionError with its code."""
        parts: list[str] = []
        with trio.fail_after(within):
            while True:
                event = await self._next_event()
                match event:
                    case TextMessage(data=data, message_finished=finished):
                        parts.append(data)
                        if finished:
                            return "".join(parts)
                    case CloseConnection():
                        raise AssertionError(f"closed: {event.code} {event.reason}")
                    case Ping():
                        await self.stream.send_all(self.ws.send(event.response()))
                    case _:
                        pass

    async def close_code(self, within: float = 5) -> int:
        with trio.fail_after(within):
            while True:
                event = await self._next_event()
                if isinstance(event, CloseConnection):
                    return event.code

    async def _next_event(self) -> Event:
        while not self._events:
            data = await self.stream.receive_some()
            assert data, "the server closed the connection"
            self.bytes_read += len(data)
            self.ws.receive_data(data)
            self._events.extend(self.ws.events())
        return self._events.pop(0)


@asynccontextmanager
async def deflate_client(
    port: int, offer: PerMessageDeflate | None = None
) -> AsyncIterator[DeflateClient]:
    stream = await trio.open_tcp_stream("127.0.0.1", port)
    client = DeflateClient(stream, offer if offer is not None else browser_offer())
    try:
        await client.handshake(port)
        yield client
    finally:
        await stream.aclose()


def offering(parameters: str) -> PerMessageDeflate:
    """A permessage-deflate offer with exactly these parameters."""
    offer = PerMessageDeflate()
    offer.offer = lambda: parameters  # type: ignore[method-assign]
    return offer


def browser_offer() -> PerMessageDeflate:
    """What Chromium offers: ``permessage-deflate; client_max_window_bits``."""
    return offering("client_max_window_bits")
