"""The ASGI 3 face of an Application: ``http``, ``websocket`` and ``lifespan`` scopes.

``await app(scope, receive, send)`` is served by :class:`AsgiServer`, over the same parts
as the built-in server: page answers from ``answers.Pages`` (written as
``http.response.start`` and ``http.response.body``), live sockets through the one
live-socket core (``core.Core``), as an :class:`AsgiLiveSocket`. The ``lifespan`` scope
runs the ``views`` supervisor from startup to shutdown (``Application.lifespan``); a
server that sends no lifespan events (Starlette's ``Mount`` does not pass them on) needs
``Starlette(lifespan=app.lifespan)``.

What the ASGI path checks, as the built-in server does: connections per process and per
client address (``scope["client"]``; 503), the ``Host`` against ``allowed_hosts`` and,
by default, the address the request came in on (``scope["server"]``; 400), and for a
WebSocket, before ``websocket.accept``, its path (404) and ``Origin`` (403); refusals use
the WebSocket denial response where the server offers it. A message past four times
``max_frame_bytes`` is closed with 1009, as the built-in WebSocket layer does. Behind a
trusted proxy (``forwarded.TrustedProxies``) the client address and the host these checks
use are the ones the proxy forwarded.

What stays the ASGI server's: the HTTP parser and its limits, WebSocket framing,
protocol errors and pings (the built-in server paces pings by the client's frame budget;
hypercorn answers them itself). Every send is bounded by ``write_timeout`` and every
close by ``close_timeout`` as the core sees it; hypercorn writes to its socket shielded
from cancellation, so a peer that stops reading is let go by the core (its session
detached, its connection uncounted) while hypercorn's own task for it waits on the kernel
(a proxy's ``send_timeout`` in front bounds that too; docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import contextlib
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    MutableMapping,
)
from typing import Any

import attrs
import trio

from actorview.endpoint._answers import (
    INTERNAL_ERROR,
    LIVE_PATH,
    PageRequest,
    Pages,
    Response,
    bad_request,
    text,
)
from actorview.endpoint._core import Core, route_path
from actorview.endpoint._forwarded import TrustedProxies
from actorview.endpoint._http import SECURITY_HEADERS, AllowedHosts
from actorview.endpoint._limits import Client
from actorview.endpoint._sockets import (
    CLOSE_SHUTDOWN,
    CLOSE_TOO_BIG,
    MAX_CLOSE_REASON,
    SocketClosed,
)
from actorview.logging import get_logger

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DENIAL_EXTENSION = "websocket.http.response"

_log = get_logger(component="endpoint")


class AsgiServer:
    """The ASGI application of one :class:`~actorview.endpoint.Application`."""

    def __init__(
        self,
        core: Core,
        pages: Pages,
        allowed_hosts: Iterable[str],
        lifespan: Callable[[], contextlib.AbstractAsyncContextManager[None]],
        *,
        proxies: TrustedProxies | None = None,
    ) -> None:
        self.core = core
        self.proxies = proxies or TrustedProxies()
        self.pages = pages
        self._configured_hosts = tuple(allowed_hosts)
        self._hosts: dict[str, AllowedHosts] = {}
        self._lifespan = lifespan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match scope["type"]:
            case "http":
                await self._http(scope, send)
            case "websocket":
                await self._websocket(scope, receive, send)
            case "lifespan":
                await self._lifespan_events(receive, send)
            case kind:
                raise ValueError(f"actorview serves http, websocket and lifespan, not {kind!r}")

    # -- http ----------------------------------------------------------------------------

    async def _http(self, scope: Scope, send: Send) -> None:
        request, headers = self._request(scope)
        client = self.core.clients.get(request.client)
        async with trio.open_nursery() as writers:
            crowded = self.core.crowded(client)
            if crowded is not None:
                await self._respond(writers, send, text(503, crowded), request)
                return
            with self.core.counted(client):
                refusal = self._host_refusal(scope, headers)
                if refusal is not None:
                    await self._respond(writers, send, bad_request(refusal), request)
                    return
                try:
                    response = await self.pages.answer(request)
                except Exception:
                    _log.exception(
                        "endpoint.request_failed", method=request.method, path=request.path[:200]
                    )
                    response = INTERNAL_ERROR
                await self._respond(writers, send, response, request)

    async def _respond(
        self, writers: trio.Nursery, send: Send, response: Response, request: PageRequest
    ) -> None:
        """Send ``response`` from a task of ``writers``, waiting at most
        ``write_timeout`` for it: past that the connection stops counting here, whatever
        the server does with its socket (see the module's docstring)."""
        start = {"type": "http.response.start", "status": response.status}
        start["headers"] = _headers(response, (*SECURITY_HEADERS, *response.headers))
        body = {"type": "http.response.body", "body": b"" if request.head_only else response.body}
        done = trio.Event()
        writers.start_soon(_send_all, send, (start, body), done)
        with trio.move_on_after(self.core.limits.write_timeout):
            await done.wait()

    def _request(self, scope: Scope) -> tuple[PageRequest, Mapping[str, str]]:
        """What ``scope`` asks, from the client a trusted proxy names (or the peer), and
        the headers the ``Host`` and ``Origin`` checks read (the forwarded host)."""
        request = _page_request(scope)
        origin = self.proxies.resolve(request.client, request.headers)
        if origin.client != request.client:
            request = attrs.evolve(request, client=origin.client)
        return request, origin.headers(request.headers)

    def _host_refusal(self, scope: Scope, headers: Mapping[str, str]) -> str | None:
        """Why the request's ``Host`` is refused: the allowed hosts are the configured
        ones and those of the address the request came in on (``scope["server"]``)."""
        server = scope.get("server")
        address = str(server[0]) if server else "127.0.0.1"
        hosts = self._hosts.get(address)
        if hosts is None:
            if len(self._hosts) > 64:  # a server has few addresses; stay bounded anyway
                self._hosts.clear()
            hosts = self._hosts[address] = AllowedHosts.for_address(address, self._configured_hosts)
        refusal = hosts.refusal(headers.get("host"))
        if refusal is not None:
            _log.warning("endpoint.host_refused", host=headers.get("host", "")[:100])
        return refusal

    # -- websocket -----------------------------------------------------------------------

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request, headers = self._request(scope)
        if (await receive())["type"] != "websocket.connect":
            return
        client = self.core.clients.get(request.client)
        denial = self._websocket_denial(scope, request, headers, client)
        if denial is not None:
            await self._deny(scope, send, denial)
            return
        limits = self.core.limits
        left = None
        async with trio.open_nursery() as writers:
            socket = AsgiLiveSocket(
                receive,
                send,
                writers,
                max_message_bytes=4 * limits.max_frame_bytes,
                write_timeout=limits.write_timeout,
                close_timeout=limits.close_timeout,
            )
            with self.core.counted(client):
                try:
                    await socket.accept()
                    left = await self.core.serve_socket(
                        socket, client, root_path=request.root_path, request=request
                    )
                except SocketClosed:
                    pass
                except Exception:
                    # As the built-in server: one connection's bug is logged, and the
                    # socket closed (1001 below); nothing else notices.
                    _log.exception("endpoint.request_failed", method="GET", path=LIVE_PATH)
                finally:
                    with trio.CancelScope(shield=True):
                        await socket.aclose(CLOSE_SHUTDOWN, "server going away")  # bounded
            if left is not None:
                await self.core.reap_later(*left)

    def _websocket_denial(
        self, scope: Scope, request: PageRequest, headers: Mapping[str, str], client: Client
    ) -> Response | None:
        """What a WebSocket upgrade is answered instead of an accept, or None: the same
        checks, in the same order, as the built-in server's."""
        crowded = self.core.crowded(client)
        if crowded is not None:
            return text(503, crowded)
        refusal = self._host_refusal(scope, headers)
        if refusal is not None:
            return bad_request(refusal)
        if request.path != LIVE_PATH:
            return text(404, "not found\n")
        if not self.core.origin_allowed(headers):
            _log.warning("endpoint.origin_refused", origin=headers.get("origin"))
            return text(403, "origin not allowed\n")
        return None

    async def _deny(self, scope: Scope, send: Send, response: Response) -> None:
        """Refuse an upgrade: with the response itself where the server offers the
        denial extension, else with ``websocket.close`` (the server answers 403)."""
        with trio.move_on_after(self.core.limits.close_timeout):
            if DENIAL_EXTENSION not in (scope.get("extensions") or {}):
                await send({"type": "websocket.close", "code": 1008})
                return
            headers = _headers(response, SECURITY_HEADERS)
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": response.status,
                    "headers": headers,
                }
            )
            await send({"type": "websocket.http.response.body", "body": response.body})

    # -- lifespan ------------------------------------------------------------------------

    async def _lifespan_events(self, receive: Receive, send: Send) -> None:
        """Start the supervision tree at ``lifespan.startup``, stop it in order at
        ``lifespan.shutdown``."""
        if (await receive())["type"] != "lifespan.startup":
            return
        started = False
        try:
            async with self._lifespan():
                started = True
                await send({"type": "lifespan.startup.complete"})
                while (await receive())["type"] != "lifespan.shutdown":
                    pass
        except Exception as error:
            _log.exception("endpoint.lifespan_failed", started=started)
            phase = "shutdown" if started else "startup"
            await send({"type": f"lifespan.{phase}.failed", "message": str(error)[:300]})
            return
        await send({"type": "lifespan.shutdown.complete"})


class AsgiLiveSocket:
    """An accepted ASGI WebSocket as the core's ``LiveSocket``.

    Every message sent goes through a task of ``writers`` and is waited for at most
    ``write_timeout`` (a close at most ``close_timeout``): a server may write to its
    socket shielded from cancellation (hypercorn does), and a peer that stops reading
    must not hold the core past its bound. A send that ran past it gives the socket up:
    every later send and close raises or returns at once.
    """

    def __init__(
        self,
        receive: Receive,
        send: Send,
        writers: trio.Nursery,
        *,
        max_message_bytes: int,
        write_timeout: float,
        close_timeout: float,
    ) -> None:
        self._receive = receive
        self._send = send
        self._writers = writers
        self._max_message_bytes = max_message_bytes
        self._write_timeout = write_timeout
        self._close_timeout = close_timeout
        self._lock = trio.Lock()
        self._closing = False
        self._gone = False
        self._peer_code: int | None = None
        self._disconnected = False

    async def accept(self) -> None:
        await self._emit({"type": "websocket.accept"}, self._write_timeout)

    async def get_message(self) -> str | bytes:
        if self._disconnected:
            raise SocketClosed(self._peer_code)
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.receive":
            data: str | bytes | None = message.get("text")
            if data is None:
                data = bytes(message.get("bytes") or b"")
            if len(data) > self._max_message_bytes:
                reason = f"Exceeded maximum message size: {self._max_message_bytes} bytes"
                await self.aclose(CLOSE_TOO_BIG, reason)  # as the built-in WebSocket layer
                raise SocketClosed(CLOSE_TOO_BIG)
            return data
        self._disconnected = True
        if kind == "websocket.disconnect":
            self._peer_code = int(message.get("code", 1005))
        raise SocketClosed(self._peer_code)

    async def send_message(self, message: str) -> None:
        if self._closing or self._gone or self._disconnected:
            raise SocketClosed(self._peer_code)
        await self._emit({"type": "websocket.send", "text": message}, self._write_timeout)

    async def aclose(self, code: int, reason: str) -> None:
        if self._closing or self._gone or self._disconnected:
            return
        self._closing = True
        close = {"type": "websocket.close", "code": code, "reason": reason[:MAX_CLOSE_REASON]}
        with contextlib.suppress(SocketClosed):
            await self._emit(close, self._close_timeout)

    @property
    def rest_after(self) -> None:
        """The ASGI server owns the socket's compression: nothing to let go of here."""
        return None

    def rest(self) -> None:
        pass

    @property
    def clocked(self) -> None:
        """Each ASGI socket keeps its writer task: its sends go through the server's
        ``send``, which must be awaited (``endpoint/_clock.py``)."""
        return None

    async def _emit(self, message: Message, bound_seconds: float) -> None:
        """Send one message in a writer task, waiting at most ``bound_seconds`` for it."""
        with trio.move_on_after(bound_seconds) as bound:
            async with self._lock:
                if self._gone:
                    raise SocketClosed(None)
                done = trio.Event()
                self._writers.start_soon(self._write, message, done)
                await done.wait()
        if bound.cancelled_caught:
            self._gone = True  # the writer may still be stuck in the server: never again
            _log.info("endpoint.write_timed_out", kind=message["type"], seconds=bound_seconds)
        if self._gone:
            raise SocketClosed(None)

    async def _write(self, message: Message, done: trio.Event) -> None:
        try:
            await self._send(message)
        except Exception as error:  # OSError from a gone client; anything else is logged
            self._gone = True
            if not isinstance(error, OSError):
                _log.warning("endpoint.asgi_send_failed", kind=message["type"], error=repr(error))
        finally:
            done.set()


@contextlib.asynccontextmanager
async def running_views(core: Core) -> AsyncIterator[None]:
    """Run the bus, the jobs backend and ``core.views`` for the block; at its end every
    view is stopped in order (reverse start order, each with its grace period), then the
    jobs backend (its runs cancelled) and the bus."""
    async with core.bus.running(), core.jobs.running(), trio.open_nursery() as nursery:
        await nursery.start(core.views.run)
        try:
            yield
        finally:
            core.views.request_stop()


def _headers(response: Response, extra: Iterable[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """A response's ASGI headers: its type and length, then ``extra``."""
    pairs = (
        ("content-type", response.content_type),
        ("content-length", str(len(response.body))),
        *extra,
    )
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in pairs]


async def _send_all(send: Send, messages: Iterable[Message], done: trio.Event) -> None:
    """Send ``messages`` in order, then set ``done``; a gone client ends it quietly."""
    try:
        for message in messages:
            await send(message)
    except OSError:
        pass
    finally:
        done.set()


def _page_request(scope: Scope) -> PageRequest:
    root = str(scope.get("root_path") or "")
    headers = {
        bytes(name).decode("latin-1").lower(): bytes(value).decode("latin-1")
        for name, value in scope.get("headers") or ()
    }
    client = scope.get("client")
    return PageRequest(
        method=str(scope.get("method", "GET")),
        path=route_path(str(scope["path"]), root),
        query=bytes(scope.get("query_string") or b"").decode("latin-1"),
        headers=headers,
        client=str(client[0]) if client else "",
        root_path=root,
        scheme=str(scope.get("scheme") or "http"),
        scope=scope,
    )
