"""A fake OpenAI-compatible chat completions server for tests, on trio and h11.

It listens on 127.0.0.1 on an ephemeral port, answers every request with the
:class:`Reply` it is given (a status, then body pieces sent one by one with a delay, as
chunked transfer encoding), and records each :class:`Exchange`: the request it received
and whether the client closed the connection before the reply was finished. It watches
the socket while it streams, so a client that goes away is seen at once (EOF or reset),
not at the next write.

Start it in a nursery that outlives it (pytest-trio's ``nursery`` fixture)::

    server = FakeOpenAIServer(Reply(body=sse_chunks(["Hel", "lo"])))
    await server.start(nursery)
    ... stream_chat(..., base_url=server.base_url, ...)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

import attrs
import h11
import trio


def sse_event(payload: object) -> bytes:
    """One server-sent event whose data is ``payload`` as JSON (UTF-8, not escaped)."""
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def content_chunk(token: str) -> dict[str, Any]:
    """A chat.completion.chunk carrying ``token`` as its delta content."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "model": "fake-model",
        "choices": [{"index": 0, "delta": {"content": token}, "finish_reason": None}],
    }


def sse_chunks(tokens: Sequence[str], *, done: bool = True) -> list[bytes]:
    """The body pieces of a streamed reply as OpenAI sends it: a role chunk, one chunk per
    token, a finish chunk, then ``data: [DONE]`` (unless ``done`` is false)."""
    role = {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}
    finish = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    pieces = [sse_event(role), *(sse_event(content_chunk(t)) for t in tokens), sse_event(finish)]
    return [*pieces, b"data: [DONE]\n\n"] if done else pieces


@attrs.frozen
class Reply:
    """What the server answers: ``status``, then each of ``body`` after ``delay`` seconds.

    ``header_delay`` holds the status line back; ``complete=False`` drops the connection
    after the body instead of ending the chunked message (a server that died mid-reply).
    """

    status: int = 200
    body: Sequence[bytes] = ()
    delay: float = 0.0
    header_delay: float = 0.0
    content_type: str = "text/event-stream"
    complete: bool = True


@attrs.define(eq=False)
class Exchange:
    """One request the server received and what became of its reply."""

    method: str
    target: str
    headers: dict[str, str]
    body: Any
    #: Set when the client closed the connection before the reply was finished.
    client_closed: trio.Event = attrs.field(factory=trio.Event)
    #: Set when the whole reply was sent.
    finished: trio.Event = attrs.field(factory=trio.Event)
    #: Set when the server is done with the connection (and has closed it).
    ended: trio.Event = attrs.field(factory=trio.Event)
    #: How many body pieces were sent.
    pieces_sent: int = 0


class FakeOpenAIServer:
    """An OpenAI-compatible server that streams a scripted reply and records exchanges."""

    def __init__(self, reply: Reply = Reply()) -> None:
        self.reply = reply
        self.exchanges: list[Exchange] = []
        self.port = 0
        self._arrived = trio.Event()

    @property
    def base_url(self) -> str:
        """The API root to give a client, like ``https://api.openai.com/v1``."""
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self, nursery: trio.Nursery) -> None:
        """Listen on 127.0.0.1 on a free port, serving in ``nursery`` until it is cancelled."""
        listeners = await nursery.start(partial(trio.serve_tcp, host="127.0.0.1"), self._serve, 0)
        self.port = listeners[0].socket.getsockname()[1]

    async def next_exchange(self, index: int = 0) -> Exchange:
        """The ``index``-th exchange, waiting for its request to arrive."""
        while len(self.exchanges) <= index:
            await self._arrived.wait()
        return self.exchanges[index]

    async def _serve(self, stream: trio.SocketStream) -> None:
        # trio.serve_tcp closes the stream when this returns.
        connection = h11.Connection(h11.SERVER)
        exchange = await self._read_request(connection, stream)
        if exchange is None:
            return
        self.exchanges.append(exchange)
        self._arrived.set()
        self._arrived = trio.Event()
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._watch_for_close, stream, exchange, nursery.cancel_scope)
                try:
                    await self._send_reply(connection, stream, exchange)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    exchange.client_closed.set()
                nursery.cancel_scope.cancel()
        finally:
            exchange.ended.set()

    async def _read_request(
        self, connection: h11.Connection, stream: trio.SocketStream
    ) -> Exchange | None:
        request: h11.Request | None = None
        body = bytearray()
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                data = await stream.receive_some(65536)
                if not data:
                    return None
                connection.receive_data(data)
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage) and request is not None:
                headers = {k.decode().lower(): v.decode() for k, v in request.headers}
                return Exchange(
                    method=request.method.decode(),
                    target=request.target.decode(),
                    headers=headers,
                    body=json.loads(body) if body else None,
                )
            else:
                return None

    async def _send_reply(
        self, connection: h11.Connection, stream: trio.SocketStream, exchange: Exchange
    ) -> None:
        reply = self.reply

        async def send(event: h11.Event) -> None:
            data = connection.send(event)
            if data:
                await stream.send_all(data)

        await trio.sleep(reply.header_delay)
        headers = [
            ("content-type", reply.content_type),
            ("transfer-encoding", "chunked"),
            ("connection", "close"),
        ]
        await send(h11.Response(status_code=reply.status, headers=headers))
        for piece in reply.body:
            await trio.sleep(reply.delay)
            await send(h11.Data(data=piece))
            exchange.pieces_sent += 1
        if reply.complete:
            await send(h11.EndOfMessage())
            exchange.finished.set()

    async def _watch_for_close(
        self, stream: trio.SocketStream, exchange: Exchange, scope: trio.CancelScope
    ) -> None:
        """Read while the reply streams: EOF or a reset means the client went away."""
        try:
            while await stream.receive_some(65536):
                pass
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        if not exchange.finished.is_set():
            exchange.client_closed.set()
        scope.cancel()
