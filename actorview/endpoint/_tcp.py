"""The built-in server: one TCP port, HTTP/1.1 pages and WebSocket upgrades, on trio.

:func:`listen` is the ``listener`` child of ``Application.serve``'s tree. Each connection
is counted (``Core.crowded``: past a limit the request head is read, so the answer is not
lost to a reset, and answered 503), its request head read within ``join_timeout`` (400
for garbage or a head past ``max_head_bytes``), its ``Host`` checked against the bound
address and ``allowed_hosts`` (400), then answered: a page answer (``answers.Pages``)
written with :func:`~actorview.endpoint._http.send_response`, or, for ``/_av/live``, the
``Origin`` checked (403), the upgrade accepted on wsproto (``websocket``) and the
socket handed to the live-socket core (``core.Core.serve_socket``) as a
:class:`TrioLiveSocket`.

Behind a trusted proxy (``forwarded.TrustedProxies``) a connection from the proxy is
counted per process when it is accepted and per client once its head names the client
(``X-Forwarded-For``/``Forwarded``), so per-client limits count the real client. With a
``root_path`` (a mount prefix, as ASGI's), paths are routed without it and every URL a
page emits starts with it. :meth:`BuiltinServer.listen` binds its own socket, or serves
one made by a parent process (``workers``).

Every write on a connection is bounded by ``write_timeout``
(:class:`~actorview.endpoint._http.BoundedStream`), every close by ``close_timeout``.
"""

from __future__ import annotations

import contextlib
import socket as stdlib_socket
from collections.abc import Callable, Coroutine
from typing import Any

import trio
import trio_websocket

from actorview.endpoint._answers import (
    INTERNAL_ERROR,
    LIVE_PATH,
    PageRequest,
    Pages,
    Response,
    bad_request,
    text,
)
from actorview.endpoint._compression import Compression
from actorview.endpoint._core import Core, route_path
from actorview.endpoint._forwarded import Origin, TrustedProxies
from actorview.endpoint._http import (
    AllowedHosts,
    BadRequest,
    BoundedStream,
    Request,
    read_request,
    send_response,
)
from actorview.endpoint._limits import Client, Limits
from actorview.endpoint._session import Session
from actorview.endpoint._sockets import (
    CLOSE_SHUTDOWN,
    MAX_CLOSE_REASON,
    ClockedSocket,
    SocketClosed,
)
from actorview.endpoint._websocket import ServerWebSocket, accept_websocket
from actorview.logging import get_logger

CLOSE_GRACE = 1.0
"""Seconds the last answer of a failed request (a 500) may take before it is dropped.
Closing WebSockets wait ``Limits.close_timeout`` (:class:`ServerWebSocket`)."""

_log = get_logger(component="endpoint")


class TrioLiveSocket:
    """A :class:`ServerWebSocket` as the core's ``LiveSocket``: its closes are bounded
    by ``close_timeout`` and its writes by the :class:`BoundedStream` beneath it."""

    __slots__ = ("_clocked", "_rest_after", "_ws", "get_message")

    def __init__(
        self, ws: ServerWebSocket, compression: Compression | None, *, clocked: bool = True
    ) -> None:
        self._ws = ws
        self._rest_after = compression.rest_after if ws.compressed and compression else None
        self._clocked = clocked
        self.get_message: Callable[[], Coroutine[Any, Any, str | bytes]] = ws.get_message
        """The socket's own: it raises ``SocketClosed`` already (no wrapper frame waits
        on every idle socket)."""

    async def send_message(self, message: str) -> None:
        try:
            await self._ws.send_message(message)
        except trio_websocket.ConnectionClosed as closed:
            raise SocketClosed(None if closed.reason is None else closed.reason.code) from None

    async def aclose(self, code: int, reason: str) -> None:
        await self._ws.aclose(code, reason[:MAX_CLOSE_REASON])

    @property
    def rest_after(self) -> float | None:
        return self._rest_after

    def rest(self) -> None:
        self._ws.rest()

    @property
    def clocked(self) -> ClockedSocket | None:
        return self if self._clocked else None

    def send_now(self, message: str) -> bytes:
        try:
            return self._ws.send_now(message)
        except trio_websocket.ConnectionClosed as closed:
            raise SocketClosed(None if closed.reason is None else closed.reason.code) from None
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            raise SocketClosed(None) from None

    async def finish_send(self, rest: bytes) -> None:
        try:
            await self._ws.finish_send(rest)
        except trio_websocket.ConnectionClosed as closed:
            raise SocketClosed(None if closed.reason is None else closed.reason.code) from None


class BuiltinServer:
    """Serve the application's pages and live sockets on TCP connections."""

    def __init__(
        self,
        core: Core,
        pages: Pages,
        hosts: AllowedHosts,
        compression: Compression | None = None,
        *,
        proxies: TrustedProxies | None = None,
        root_path: str = "",
    ) -> None:
        self.core = core
        self.pages = pages
        self.hosts = hosts
        self.compression = compression
        self.proxies = proxies or TrustedProxies()
        self.root_path = root_path.rstrip("/")

    async def listen(
        self,
        host: str,
        port: int,
        *,
        sock: stdlib_socket.socket | None = None,
        task_status: trio.TaskStatus[int],
    ) -> None:
        """Listen on ``host``:``port`` (or serve ``sock``, a listening socket already
        bound, e.g. inherited from a parent process); report the bound port, then serve
        until cancelled."""
        if sock is None:
            listeners = await trio.open_tcp_listeners(port, host=host)
        else:
            listeners = [trio.SocketListener(trio.socket.from_stdlib_socket(sock))]
        bound = listeners[0].socket.getsockname()[1]
        _log.info("endpoint.listening", url=f"http://{host}:{bound}{self.root_path}/")
        async with trio.open_nursery() as nursery:
            await nursery.start(self.core.clock.run)  # writes every live socket's frames
            await nursery.start(trio.serve_listeners, self.handle, listeners)
            task_status.started(bound)

    async def handle(self, tcp: trio.SocketStream) -> None:
        """Serve one connection, counted per process and per client address."""
        limits = self.core.limits
        address = _peer_address(tcp)
        # A trusted proxy's connections are counted per client once the head names it.
        proxied = self.proxies.trusts(address)
        client = Client(address, limits) if proxied else self.core.clients.get(address)
        stream = BoundedStream(tcp, write_timeout=limits.write_timeout)
        crowded = self.core.crowded(client)
        if crowded is not None:
            await self._refuse(stream, crowded)
            return
        with self.core.counted(client):
            try:
                left = None
                upgrade = await self._serve_connection(stream, client, address)
                if upgrade is not None:
                    # Served from here, once the request's frames are gone: a live socket
                    # keeps none of its request head but what its join needs.
                    left = await self._live(stream, upgrade)
            finally:
                # A socket the WebSocket layer closed itself (1009) is not closed by aclose.
                await trio.aclose_forcefully(stream)
        if left is not None:
            await self.core.reap_later(*left)

    async def _refuse(self, stream: trio.abc.Stream, reason: str) -> None:
        limits = self.core.limits
        with (
            trio.move_on_after(limits.close_timeout),
            contextlib.suppress(BadRequest, trio.BrokenResourceError, trio.ClosedResourceError),
        ):
            await read_request(stream, max_head_bytes=limits.max_head_bytes)
            await send_response(stream, 503, reason.encode())
        await trio.aclose_forcefully(stream)

    async def _serve_connection(
        self, stream: trio.abc.Stream, client: Client, address: str
    ) -> _Upgrade | None:
        """Read the request head (within ``join_timeout``), check its ``Host``, answer
        it; a live socket's upgrade is returned instead, for the caller to serve."""
        limits = self.core.limits
        try:
            with trio.fail_after(limits.join_timeout):
                request = await read_request(stream, max_head_bytes=limits.max_head_bytes)
        except (BadRequest, trio.TooSlowError) as error:
            await _send_within(
                stream, bad_request(str(error) or "no complete request head in time"), limits
            )
            return None
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return None
        origin = self.proxies.resolve(address, request.headers)
        if not self.proxies.trusts(address):
            return await self._answer(stream, request, client, origin)
        # A trusted proxy's connection counts against the client its head names.
        named = self.core.clients.get(origin.client)
        if named.connections >= limits.max_connections_per_client:
            crowded = text(503, "too many connections from your address\n")
            await _send_within(stream, crowded, limits)
            return None
        named.connections += 1
        upgrade = None
        try:
            upgrade = await self._answer(stream, request, named, origin)
        finally:
            if upgrade is None:
                named.connections -= 1
        if upgrade is not None:
            upgrade.proxied = True  # counted until the live socket ends (``_live``)
        return upgrade

    async def _answer(
        self, stream: trio.abc.Stream, request: Request, client: Client, origin: Origin
    ) -> _Upgrade | None:
        """Check the request's ``Host`` (as the browser sent it), then answer it, or
        return a live socket's upgrade once its ``Origin`` passed."""
        limits = self.core.limits
        headers = origin.headers(request.headers)
        refusal = self.hosts.refusal(headers.get("host"))
        if refusal is not None:
            _log.warning("endpoint.host_refused", host=headers.get("host", "")[:100])
            await _send_within(stream, bad_request(refusal), limits)
            return None
        path = route_path(request.path, self.root_path)
        try:
            page = _page_request(request, origin, self.root_path)
            if path == LIVE_PATH and request.is_websocket_upgrade:
                if self.core.origin_allowed(headers):
                    return _Upgrade(request.raw, client, page)
                _log.warning("endpoint.origin_refused", origin=request.headers.get("origin"))
                await _write(stream, text(403, "origin not allowed\n"), request)
                return None
            await _write(stream, await self.pages.answer(page), request)
        except (
            trio.BrokenResourceError,
            trio.ClosedResourceError,
            SocketClosed,
        ):
            pass
        except Exception:
            # One connection's failure must never reach the listener: trio.serve_listeners
            # would crash, and the app (one_for_all) would restart every view with it.
            _log.exception(
                "endpoint.request_failed", method=request.method, path=request.path[:200]
            )
            with (
                trio.move_on_after(CLOSE_GRACE),
                contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError),
            ):
                await _write(stream, INTERNAL_ERROR, request)
        return None

    async def _live(self, stream: trio.abc.Stream, upgrade: _Upgrade) -> tuple[Session, int] | None:
        """Accept the upgrade on the head already read, then hand the socket to the
        core, in this task: the core's relay reads it (``ServerWebSocket.get_message``),
        so a live socket needs no task or nursery of its own, and the accept and the
        serving are one frame here. Returns what the core returns.

        ``upgrade`` is let go of once the handshake read its bytes: only the request
        parts the join checks (its :class:`PageRequest`) go on, to the core."""
        client = upgrade.client
        limits = self.core.limits
        try:
            ws = await accept_websocket(
                stream,
                upgrade.take_raw(),
                max_message_size=4 * limits.max_frame_bytes,
                close_timeout=limits.close_timeout,
                pings=client.frames,
                compression=self.compression,
            )
            if ws is None:  # wsproto refused the handshake (it answered 400)
                return None
            try:
                return await self.core.serve_socket(
                    TrioLiveSocket(ws, self.compression),
                    client,
                    root_path=self.root_path,
                    request=upgrade.take_page(),
                )
            finally:
                with trio.CancelScope(shield=True):
                    await ws.aclose(CLOSE_SHUTDOWN, "server going away")  # bounded
        except (
            trio.BrokenResourceError,
            trio.ClosedResourceError,
            trio_websocket.ConnectionClosed,
            SocketClosed,
        ):
            return None
        except Exception:
            # As for a page: never the listener's failure (see ``_answer``).
            _log.exception("endpoint.request_failed", method="GET", path=LIVE_PATH)
            await _send_within(stream, INTERNAL_ERROR, limits)
            return None
        finally:
            if upgrade.proxied:
                client.connections -= 1


class _Upgrade:
    """A live socket's upgrade request, past its ``Host`` and ``Origin`` checks: what
    its handshake and its join need, each handed on once (:meth:`take_raw`,
    :meth:`take_page`), so the connection keeps neither for its life."""

    __slots__ = ("_page", "_raw", "client", "proxied")

    def __init__(self, raw: bytes, client: Client, page: PageRequest) -> None:
        self._raw = raw
        self._page: PageRequest | None = page
        self.client = client
        self.proxied = False
        """Counted against a client a trusted proxy named: uncounted when it ends."""

    def take_raw(self) -> bytes:
        raw, self._raw = self._raw, b""
        return raw

    def take_page(self) -> PageRequest:
        page, self._page = self._page, None
        assert page is not None
        return page


def _page_request(request: Request, origin: Origin, root_path: str = "") -> PageRequest:
    """The request as the application sees it: the client and scheme a trusted proxy
    named (the scheme decides whether the identity cookie is ``Secure``)."""
    path, _, query = request.target.partition("?")
    return PageRequest(
        request.method,
        route_path(path, root_path),
        query,
        request.headers,
        origin.client,
        root_path,
        scheme=origin.scheme or "http",
    )


async def _write(stream: trio.abc.Stream, response: Response, request: Request) -> None:
    await send_response(
        stream,
        response.status,
        response.body,
        content_type=response.content_type,
        headers=response.headers,
        head_only=request.method == "HEAD",
    )


async def _send_within(stream: trio.abc.Stream, response: Response, limits: Limits) -> None:
    """Write a refusal, within ``close_timeout``, if the socket still takes it."""
    with (
        trio.move_on_after(limits.close_timeout),
        contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError),
    ):
        await send_response(
            stream, response.status, response.body, content_type=response.content_type
        )


def _peer_address(stream: trio.SocketStream) -> str:
    """The client's IP address (per-client limits count by it); "" if unknown."""
    try:
        peer = stream.socket.getpeername()
    except OSError:  # it went away already
        return ""
    return str(peer[0]) if isinstance(peer, tuple) else str(peer)
