"""Just enough HTTP/1.1 for one port: read a request head, answer it, or hand it over.

A connection's first request is parsed with h11. A WebSocket upgrade is handed, with the
bytes already read, to trio-websocket's handshake; anything else gets one response and
the connection is closed (pages are few and small; keep-alive buys nothing here).

Every byte the server writes goes through a :class:`BoundedStream`, so no write waits on
a peer that does not read for longer than its bound; a request whose ``Host`` is not
among :class:`AllowedHosts` is refused (a DNS-rebinding page names its own host).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping
from http import HTTPStatus

import attrs
import h11
import trio

from actorview.endpoint._errors import EndpointError

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


@attrs.frozen
class Request:
    """The head of an HTTP request, and every byte read from the socket so far."""

    method: str
    target: str
    headers: Mapping[str, str]
    raw: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def is_websocket_upgrade(self) -> bool:
        return (
            "websocket" in self.headers.get("upgrade", "").lower()
            and "upgrade" in self.headers.get("connection", "").lower()
        )


class BadRequest(EndpointError):
    """The bytes on the socket were not an HTTP request we serve; the message says why.

    The server answers ``400 Bad Request`` (or just closes the connection) and keeps serving.
    """


async def read_request(stream: trio.abc.Stream, *, max_head_bytes: int = 16_384) -> Request:
    """Read one request head. Raises :class:`BadRequest` on garbage or an oversized head."""
    connection = h11.Connection(h11.SERVER, max_incomplete_event_size=max_head_bytes)
    raw = bytearray()
    while True:
        try:
            event = connection.next_event()
        except h11.RemoteProtocolError as error:
            raise BadRequest(f"malformed HTTP request: {error}") from None
        if isinstance(event, h11.Request):
            return Request(
                method=event.method.decode("ascii", "replace"),
                target=event.target.decode("ascii", "replace"),
                headers={
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers
                },
                raw=bytes(raw),
            )
        if event is not h11.NEED_DATA:
            raise BadRequest("expected an HTTP request")
        data = await stream.receive_some(4096)
        if not data:
            raise BadRequest("connection closed before a complete request head")
        raw += data
        if len(raw) > max_head_bytes:
            raise BadRequest(f"request head larger than {max_head_bytes} bytes")
        connection.receive_data(bytes(data))


async def send_response(
    stream: trio.abc.Stream,
    status: int,
    body: bytes,
    *,
    content_type: str = "text/plain; charset=utf-8",
    headers: tuple[tuple[str, str], ...] = (),
    head_only: bool = False,
) -> None:
    """Write a complete response with the security headers, then close the stream."""
    all_headers = (
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Connection", "close"),
        *SECURITY_HEADERS,
        *headers,
    )
    head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in all_headers
    )
    await stream.send_all(head.encode("latin-1") + b"\r\n" + (b"" if head_only else body))
    await stream.aclose()


class BoundedStream(trio.abc.Stream):
    """A stream whose every ``send_all`` completes within ``write_timeout`` seconds.

    A write that takes longer means the peer stopped reading: the stream is closed and
    the write (and every later one) raises ``trio.BrokenResourceError``, which the HTTP
    layer and trio-websocket treat as a connection that went away.
    """

    def __init__(self, inner: trio.abc.Stream, *, write_timeout: float) -> None:
        self._inner = inner
        self._write_timeout = write_timeout
        self.timed_out = False

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        if self.timed_out:
            raise trio.BrokenResourceError("an earlier write timed out")
        with trio.move_on_after(self._write_timeout) as bound:
            await self._inner.send_all(data)
        if bound.cancelled_caught:
            self.timed_out = True
            await trio.aclose_forcefully(self._inner)
            raise trio.BrokenResourceError(
                f"the peer read nothing for {self._write_timeout} s (Limits.write_timeout)"
            )

    def send_nowait(self, data: bytes) -> int:
        """See :func:`send_nowait`; a stream whose write timed out raises
        ``trio.BrokenResourceError``, as its ``send_all`` does."""
        if self.timed_out:
            raise trio.BrokenResourceError("an earlier write timed out")
        return send_nowait(self._inner, data)

    async def wait_send_all_might_not_block(self) -> None:
        await self._inner.wait_send_all_might_not_block()

    async def receive_some(self, max_bytes: int | None = None) -> bytes:
        return bytes(await self._inner.receive_some(max_bytes))

    async def aclose(self) -> None:
        await self._inner.aclose()


def send_nowait(stream: trio.abc.Stream, data: bytes) -> int:
    """Write as much of ``data`` as ``stream`` takes at once, without waiting, and return
    how many bytes that was (0: the socket is full, or the stream cannot be written
    without awaiting; the caller then sends the rest with ``send_all``).

    Only for a caller that knows no ``send_all`` of the stream is in progress (the
    frame clock checks the WebSocket's send lock). A socket that is gone raises
    ``trio.BrokenResourceError``. Never blocks and never checkpoints."""
    match stream:
        case BoundedStream():
            return stream.send_nowait(data)
        case trio.SocketStream():
            try:
                return os.write(stream.socket.fileno(), data)
            except BlockingIOError:
                return 0
            except OSError as error:
                raise trio.BrokenResourceError(str(error)) from error
        case _:
            return 0


def socket_of(stream: trio.abc.Stream) -> trio.socket.SocketType | None:
    """The TCP socket under ``stream`` when nothing between transforms what is read
    (a :class:`BoundedStream` bounds writes only), else None (TLS): a reader may then
    wait on it and read it with :func:`read_nowait`, with no stream layers between."""
    match stream:
        case BoundedStream():
            return socket_of(stream._inner)
        case trio.SocketStream():
            return stream.socket
        case _:
            return None


def read_nowait(sock: trio.socket.SocketType, max_bytes: int) -> bytes | None:
    """Up to ``max_bytes`` the socket holds, without waiting: ``b""`` at EOF, None if
    nothing has arrived (wait with ``trio.lowlevel.wait_readable`` and read again).

    For one reader at a time (the caller keeps it so: trio's conflict detector is not
    consulted). Raises ``trio.ClosedResourceError`` once the socket is closed and
    ``trio.BrokenResourceError`` if the connection is gone (reset). Never checkpoints."""
    fd = sock.fileno()
    if fd == -1:
        raise trio.ClosedResourceError("the socket was closed")
    try:
        return os.read(fd, max_bytes)
    except BlockingIOError:
        return None
    except OSError as error:
        raise trio.BrokenResourceError(str(error)) from error


_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::"})


@attrs.frozen
class AllowedHosts:
    """The names a request's ``Host`` may carry (its port is not compared).

    Made by :meth:`for_address` from the address the server is bound to and the names
    the application configured. An IP address literal is never a DNS-rebinding attack
    (the attacker's page would have to be served from that address), so a server bound
    to every address (``0.0.0.0``, ``::``) takes any IP literal and ``localhost``;
    names must be listed. ``"*"`` among the names takes any host (for a proxy in front
    that checks ``Host`` itself).
    """

    names: frozenset[str]
    any_ip: bool = False
    any_host: bool = False

    @classmethod
    def for_address(cls, bound: str, configured: Iterable[str] = ()) -> AllowedHosts:
        names = {_normalise(name) for name in configured}
        any_host = "*" in names
        names.discard("*")
        host = _normalise(bound)
        if host in _WILDCARD_ADDRESSES:
            return cls(frozenset(names | {"localhost"}), any_ip=True, any_host=any_host)
        names.add(host)
        if host in _LOOPBACK_NAMES or _is_loopback(host):
            names |= _LOOPBACK_NAMES
        return cls(frozenset(names), any_host=any_host)

    def refusal(self, host_header: str | None) -> str | None:
        """Why a request with this ``Host`` header is refused, or None if it is allowed."""
        if host_header is None:
            return "the request has no Host header"
        if self.any_host:
            return None
        name = _host_name(host_header)
        if name in self.names or (self.any_ip and _is_ip(name)):
            return None
        return (
            f"Host {host_header[:100]!r} is not served here; "
            "add the name to Application(allowed_hosts=[...])"
        )


def _normalise(name: str) -> str:
    return name.strip().lower().rstrip(".").removeprefix("[").removesuffix("]")


def _host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port: ``[::1]:80`` gives ``::1``."""
    header = header.strip()
    if header.startswith("["):
        return _normalise(header[1 : header.find("]")] if "]" in header else header)
    return _normalise(header.rsplit(":", 1)[0] if header.count(":") == 1 else header)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(name: str) -> bool:
    return _is_ip(name) and ipaddress.ip_address(name).is_loopback
