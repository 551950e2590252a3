"""What the live-socket core needs of a WebSocket, whichever server carries it.

:class:`LiveSocket` is the whole of it: read a message, send one, close with a code and
a reason, and one exception, :class:`SocketClosed`, for a socket that is gone. The
built-in server's adapter is ``tcp.TrioLiveSocket`` (over ``websocket.ServerWebSocket``),
the ASGI one ``asgi.AsgiLiveSocket`` (over ``receive``/``send``). Each adapter keeps the
time bounds: every send within ``Limits.write_timeout``, every close within
``Limits.close_timeout``, so the core (``core.Core``) holds them under both.

The close codes are the ones the core sends; each comes with a reason the page shows.
"""

from __future__ import annotations

from typing import Protocol

from actorview.endpoint._errors import EndpointError

CLOSE_JOIN_REFUSED = 4001
CLOSE_JOIN_TIMEOUT = 4002
CLOSE_IDLE = 4003
CLOSE_TOO_SLOW = 4008
CLOSE_REPLACED = 4009
CLOSE_SHUTDOWN = 1001
CLOSE_VIEW_FAILED = 1011
CLOSE_TOO_BIG = 1009
CLOSE_NO_STATUS = 1005  # what the server sees when client.js calls socket.close()

MAX_CLOSE_REASON = 120
"""Characters of a close reason sent to the peer (the frame allows 123 bytes)."""


class SocketClosed(EndpointError):
    """The live socket is gone: the peer closed it (``code`` is its close code, None
    if the connection simply dropped), or a write or close ran past its time bound."""

    def __init__(self, code: int | None = None) -> None:
        super().__init__(f"the socket closed (code {code})")
        self.code = code


class LiveSocket(Protocol):
    """An accepted WebSocket, as the live-socket core uses it."""

    async def get_message(self) -> str | bytes:
        """The next message. Raises :class:`SocketClosed` once the socket is gone."""
        ...

    async def send_message(self, message: str) -> None:
        """Send a text message within ``Limits.write_timeout``; raises
        :class:`SocketClosed` if the socket is gone or the write ran past the bound
        (the socket is then given up)."""
        ...

    async def aclose(self, code: int, reason: str) -> None:
        """Close with ``code`` and ``reason`` (cut to :data:`MAX_CLOSE_REASON`), waiting
        at most ``Limits.close_timeout``. Idempotent; never raises for a gone peer."""
        ...

    @property
    def rest_after(self) -> float | None:
        """Seconds without a frame after which the writer calls :meth:`rest`, or None
        if the socket holds nothing worth letting go of."""
        ...

    def rest(self) -> None:
        """Let go of what the socket holds only while it sends (its compressor); called
        between messages."""
        ...

    @property
    def clocked(self) -> ClockedSocket | None:
        """The socket as the application's frame clock writes it (``endpoint/_clock.py``),
        or None: the core runs a writer task for it instead (ASGI: the server owns its
        sends)."""
        ...


class ClockedSocket(Protocol):
    """A live socket the frame clock can write without awaiting."""

    def send_now(self, message: str) -> bytes:
        """Frame and write ``message`` as far as the socket takes it at once, with no
        checkpoint; return the rest of the frame (``b""``: all of it), which must go
        out with :meth:`finish_send` before the next. Raises :class:`SocketClosed`."""
        ...

    async def finish_send(self, rest: bytes) -> None:
        """Send the rest :meth:`send_now` returned, within ``Limits.write_timeout``.
        Raises :class:`SocketClosed`."""
        ...

    @property
    def rest_after(self) -> float | None:
        """As ``LiveSocket.rest_after``."""
        ...

    def rest(self) -> None:
        """As ``LiveSocket.rest``."""
        ...
