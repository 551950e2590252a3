"""The application: one port that serves pages, the client script and live sockets.

``Application(routes).serve()`` builds a supervisor tree::

    app (one_for_all)
    ├── views (one_for_one, dynamic: one child per live session)
    │   └── <session id> (transient; its route's own intensity and backoff)
    └── listener (trio.serve_tcp: HTTP pages and WebSocket upgrades)

Each view's restarts are counted against its own route's intensity (default 3 in 5 s,
with a backoff between them), never against ``views``': a view past its intensity is
stopped for good and its page says so; ``views``, the listener and ``app`` restart only
for their own faults.

A GET of a route answers the server-rendered page with a signed join token. The page's
script opens ``/_av/live``; the join frame must carry that token. The connection task
only relays: frames in are parsed into typed events and told to the view; frames out
come from the session's outbox.

A page whose view fails to mount or to render is answered with an HTML error page (500)
in the application's look, with a link to try again; the traceback goes to the log with
the route, and only ``Application(debug=True)`` puts the exception on the page. A path
no route serves gets the same kind of page (404).
"""

from __future__ import annotations

import contextlib
import functools
import html
import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import trio
import trio_websocket

from actorview.endpoint import live
from actorview.endpoint.errors import BadFrame, JoinRefused
from actorview.endpoint.http import (
    AllowedHosts,
    BadRequest,
    BoundedStream,
    ReplayStream,
    Request,
    read_request,
    send_response,
)
from actorview.endpoint.limits import Client, ClientTable, Limits
from actorview.endpoint.outbox import ClientTooSlow, Outbox
from actorview.endpoint.protocol import (
    Ack,
    ClientFrame,
    Event,
    Input,
    Join,
    Ping,
    control_frame,
    parse_client_frame,
)
from actorview.endpoint.routes import Route, Router
from actorview.endpoint.session import Session
from actorview.endpoint.tokens import TokenSigner, random_secret
from actorview.endpoint.websocket import ServerWebSocket, accept_websocket
from actorview.logging import get_logger
from actorview.mailbox import ActorRef, MailboxError
from actorview.optimistic import client_modules, program_id, program_source, runtime_source
from actorview.render import runtime_stylesheet_path
from actorview.supervisor import ChildSpec, ChildWaiting, Restart, Strategy, Supervisor
from actorview.supervisor.errors import DuplicateChildId, UnknownChild
from actorview.untrusted import cut
from actorview.view import Connected, Disconnected

SECRET_ENV = "ACTORVIEW_SECRET"
LIVE_PATH = "/_av/live"
CLIENT_PREFIX = "/_av/"
"""The browser client's ES modules are served side by side here (``client_modules()``)."""
CLIENT_PATH = "/_av/client.js"
OPTIMISTIC_RUNTIME_PATH = "/_av/optimistic.js"
PROGRAM_PREFIX = "/_av/program/"
STATIC_PREFIX = "/_av/static/"

# WebSocket close codes in the private range, each with a reason the client shows.
CLOSE_JOIN_REFUSED = 4001
CLOSE_JOIN_TIMEOUT = 4002
CLOSE_IDLE = 4003
CLOSE_TOO_SLOW = 4008
CLOSE_REPLACED = 4009
CLOSE_SHUTDOWN = 1001
CLOSE_VIEW_FAILED = 1011
CLOSE_NO_STATUS = 1005  # what the server sees when client.js calls socket.close()

CLOSE_GRACE = 1.0
"""Seconds the last answer of a failed request (a 500) may take before it is dropped.
Closing WebSockets wait ``Limits.close_timeout`` (:class:`ServerWebSocket`)."""
MAX_ERROR_CHARS = 300
"""Error texts sent to a browser are cut to this length: they may quote its input."""

_log = get_logger(component="endpoint")


class Application:
    """Serve ``routes`` on one port.

    Args:
        routes: which view class answers which path.
        secret: HMAC key for join tokens (32+ bytes). Defaults to the environment
            variable ``ACTORVIEW_SECRET``; failing that, a random one per process (tokens
            then do not survive a restart; a warning is logged).
        allowed_origins: ``Origin`` values allowed to open live sockets, e.g.
            ``["https://chat.example.com"]``. Default: the page's own host only.
        allowed_hosts: names a request's ``Host`` header may carry (any port), e.g.
            ``["chat.example.com"]``; other requests get 400, so a DNS-rebinding page
            (its own name resolving to this server) is refused. Always allowed: the
            address :meth:`serve` binds to; with a loopback one, ``localhost``,
            ``127.0.0.1`` and ``::1``; with ``0.0.0.0`` or ``::``, any IP address and
            ``localhost``. ``"*"`` allows any host (behind a proxy that checks it).
        limits: per-connection and per-process limits (:class:`Limits`).
        title: the page title.
        static_files: extra files served under ``/_av/static/<name>``.
        stylesheets: names among ``static_files`` linked from every page, after the
            runtime's own ``actorview.css`` (the look of ``#av-notice``), so they can restyle it.
            Error pages link them too (their markup: ``main.av-error-page``).
        scripts: names among ``static_files`` loaded (``defer``) by every live page after
            ``client.js``, so they may register ``ActorView.hooks`` or listen for events;
            the page's CSP (``script-src 'self'``) allows them, and no inline script.
        debug: show the exception's type and message on the 500 page of a view that
            failed to mount or render (escaped). Off by default: for development only,
            since an exception's text may reveal internals. The log always has the
            traceback.
    """

    def __init__(
        self,
        routes: Iterable[Route],
        *,
        secret: bytes | None = None,
        allowed_origins: Iterable[str] | None = None,
        allowed_hosts: Iterable[str] = (),
        limits: Limits | None = None,
        title: str = "actorview",
        static_files: Mapping[str, Path] | None = None,
        stylesheets: Iterable[str] = (),
        scripts: Iterable[str] = (),
        debug: bool = False,
    ) -> None:
        self.router = Router(routes)
        self.debug = debug
        self.limits = limits or Limits()
        self.title = title
        self.signer = TokenSigner(_resolve_secret(secret))
        self.allowed_origins = frozenset(allowed_origins) if allowed_origins else None
        self.allowed_hosts = tuple(allowed_hosts)
        self._hosts = AllowedHosts.for_address("127.0.0.1", self.allowed_hosts)
        modules = client_modules()
        self.client_modules = frozenset(modules)
        self.static_files = {
            **modules,
            "actorview.css": runtime_stylesheet_path(),
            **(static_files or {}),
        }
        self.stylesheets = ("actorview.css", *stylesheets)
        for name in self.stylesheets:
            if name not in self.static_files:
                raise ValueError(f"stylesheet {name!r} is not among static_files")
        self.scripts = tuple(scripts)
        for name in self.scripts:
            if name not in self.static_files:
                raise ValueError(f"script {name!r} is not among static_files")
        # Every view has its own restart intensity (its route's): a session's crash loop
        # stops that view alone, and never counts here. (See the tree in the README.)
        self.views = Supervisor(name="views")
        self.sessions: dict[str, Session] = {}
        self.connections = 0
        """Open TCP connections (pages and live sockets), at most ``max_connections``."""
        self.clients = ClientTable(self.limits)
        self._static_cache: dict[str, bytes] = {}

    # -- running -----------------------------------------------------------------------

    async def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Run until cancelled. Reports the bound port (useful with ``port=0``).

        On cancellation (Ctrl-C in ``trio.run``), the listener stops first, then every
        view is stopped, and open sockets are closed with a close frame (1001).
        """
        listener_spec = ChildSpec(
            "listener", functools.partial(self._listen, host, port), restart=Restart.PERMANENT
        )
        root = Supervisor(
            [self.views.child_spec(), listener_spec], strategy=Strategy.ONE_FOR_ALL, name="app"
        )
        async with trio.open_nursery() as nursery:
            await nursery.start(root.run)
            listener = root.registry.lookup("listener")
            assert isinstance(listener, int)
            task_status.started(listener)

    async def _listen(self, host: str, port: int, *, task_status: trio.TaskStatus[int]) -> None:
        self._hosts = AllowedHosts.for_address(host, self.allowed_hosts)
        listeners = await trio.open_tcp_listeners(port, host=host)
        bound = listeners[0].socket.getsockname()[1]
        _log.info("endpoint.listening", url=f"http://{host}:{bound}/")
        async with trio.open_nursery() as nursery:
            await nursery.start(trio.serve_listeners, self._handle_tcp, listeners)
            task_status.started(bound)

    async def _handle_tcp(self, tcp: trio.SocketStream) -> None:
        """Serve one connection, counted per process and per client address.

        Past either limit the request head is read (so the answer is not lost to a
        reset) and answered 503, both within ``close_timeout``. Every write on the
        connection is bounded by ``write_timeout`` (:class:`BoundedStream`).
        """
        client = self.clients.get(_peer_address(tcp))
        stream = BoundedStream(tcp, write_timeout=self.limits.write_timeout)
        crowded = self._crowded(client)
        if crowded is not None:
            await self._refuse(stream, crowded)
            return
        self.connections += 1
        client.connections += 1
        try:
            left = await self._serve_connection(stream, client)
        finally:
            self.connections -= 1
            client.connections -= 1
            # A socket the WebSocket layer closed itself (1009) is not closed by aclose.
            await trio.aclose_forcefully(stream)
        if left is not None:
            await self._reap_later(*left)

    def _crowded(self, client: Client) -> str | None:
        if self.connections >= self.limits.max_connections:
            return "too many connections\n"
        if client.connections >= self.limits.max_connections_per_client:
            return "too many connections from your address\n"
        return None

    async def _refuse(self, stream: trio.abc.Stream, reason: str) -> None:
        with (
            trio.move_on_after(self.limits.close_timeout),
            contextlib.suppress(BadRequest, trio.BrokenResourceError, trio.ClosedResourceError),
        ):
            await read_request(stream, max_head_bytes=self.limits.max_head_bytes)
            await send_response(stream, 503, reason.encode())
        await trio.aclose_forcefully(stream)

    async def _serve_connection(
        self, stream: trio.abc.Stream, client: Client
    ) -> tuple[Session, int] | None:
        """Read the request head (within ``join_timeout``), check its ``Host``, answer
        it. Returns what :meth:`_live` returns for a live socket."""
        try:
            with trio.fail_after(self.limits.join_timeout):
                request = await read_request(stream, max_head_bytes=self.limits.max_head_bytes)
        except (BadRequest, trio.TooSlowError) as error:
            await self._bad_request(stream, str(error) or "no complete request head in time")
            return None
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return None
        refusal = self._hosts.refusal(request.headers.get("host"))
        if refusal is not None:
            _log.warning("endpoint.host_refused", host=request.headers.get("host", "")[:100])
            await self._bad_request(stream, refusal)
            return None
        try:
            if request.path == LIVE_PATH and request.is_websocket_upgrade:
                return await self._live(stream, request, client)
            await self._dispatch(stream, request)
        except (
            trio.BrokenResourceError,
            trio.ClosedResourceError,
            trio_websocket.HandshakeError,
            trio_websocket.ConnectionClosed,
        ):
            pass
        except Exception:
            # One connection's failure must never reach the listener: trio.serve_listeners
            # would crash, and the app (one_for_all) would restart every view with it.
            _log.exception(
                "endpoint.request_failed", method=request.method, path=request.path[:200]
            )
            await _answer_failure(stream)
        return None

    async def _bad_request(self, stream: trio.abc.Stream, reason: str) -> None:
        with (
            trio.move_on_after(self.limits.close_timeout),
            contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError),
        ):
            await send_response(stream, 400, f"bad request: {reason}\n".encode())

    async def _dispatch(self, stream: trio.abc.Stream, request: Request) -> None:
        if request.method not in ("GET", "HEAD"):
            await send_response(stream, 405, b"method not allowed\n", headers=(("Allow", "GET"),))
            return
        head_only = request.method == "HEAD"
        if request.path.startswith(STATIC_PREFIX) or self._client_module(request.path):
            await self._static(stream, request, head_only=head_only)
            return
        script = self._generated_script(request.path)
        if script is not None:
            await send_response(
                stream,
                200,
                script,
                content_type="text/javascript; charset=utf-8",
                head_only=head_only,
            )
            return
        found = self.router.match(request.path)
        if found is None:
            await self._send_error_page(stream, 404, head_only=head_only)
            return
        route, params = found
        try:
            page = await self._page(route, params)
        except Exception as error:
            _log.exception(
                "endpoint.page_failed",
                route=route.name,
                view=route.view.__name__,
                path=request.path[:200],
            )
            await self._send_error_page(
                stream, 500, retry=request.target, error=error, head_only=head_only
            )
            return
        await send_response(
            stream,
            200,
            page.encode(),
            content_type="text/html; charset=utf-8",
            headers=(("Cache-Control", "no-store"),),
            head_only=head_only,
        )

    async def _static(self, stream: trio.abc.Stream, request: Request, *, head_only: bool) -> None:
        static = request.path.startswith(STATIC_PREFIX)
        name = request.path[len(STATIC_PREFIX if static else CLIENT_PREFIX) :]
        path = self.static_files.get(name)
        if path is None:
            await send_response(stream, 404, b"not found\n", head_only=head_only)
            return
        body = self._static_cache.get(name)
        if body is None:
            body = self._static_cache[name] = await trio.Path(path).read_bytes()
        content_type = {
            ".js": "text/javascript; charset=utf-8",
            ".css": "text/css; charset=utf-8",
        }.get(Path(path).suffix, "application/octet-stream")
        await send_response(stream, 200, body, content_type=content_type, head_only=head_only)

    def _client_module(self, path: str) -> bool:
        """Whether ``path`` is one of the browser client's modules (``/_av/client.js``...)."""
        return path.startswith(CLIENT_PREFIX) and path[len(CLIENT_PREFIX) :] in self.client_modules

    def _generated_script(self, path: str) -> bytes | None:
        """The optimistic runtime, or a route's client program (generated, then cached)."""
        cached = self._static_cache.get(path)
        if cached is not None:
            return cached
        if path == OPTIMISTIC_RUNTIME_PATH:
            source = runtime_source()
        elif path.startswith(PROGRAM_PREFIX) and path.endswith(".js"):
            route = self.router.by_name(path[len(PROGRAM_PREFIX) : -len(".js")])
            if route is None:
                return None
            source = program_source(route.view)
        else:
            return None
        body = self._static_cache[path] = source.encode()
        return body

    async def _page(self, route: Route, params: dict[str, str]) -> str:
        """The server-rendered page of ``route``; raises what the view's mount or first
        render raised (``_dispatch`` answers with the error page)."""
        session_id = secrets.token_urlsafe(16)
        token = self.signer.sign(route.name, params, session_id)
        body = await live.static_render(
            route.view, route.mount_params(params, session_id), waits_on=route.waits_on
        )
        scripts = "".join(
            f'<script src="{STATIC_PREFIX}{html.escape(name)}" defer></script>'
            for name in self.scripts
        )
        return (
            f"{self._head(self.title)}"
            f'<script src="{OPTIMISTIC_RUNTIME_PATH}" defer></script>'
            f'<script src="{PROGRAM_PREFIX}{html.escape(route.name)}.js" defer></script>'
            f'<script type="module" src="{CLIENT_PATH}"></script>{scripts}</head><body>'
            f'<div id="av-root" data-av-socket="{LIVE_PATH}" data-av-token="{html.escape(token)}"'
            f' data-av-program="{html.escape(program_id(route.view))}">'
            f"{body}</div></body></html>"
        )

    def _head(self, title: str) -> str:
        """A page's start, up to an open ``<head>`` with the title and every stylesheet."""
        links = "".join(
            f'<link rel="stylesheet" href="{STATIC_PREFIX}{html.escape(name)}">'
            for name in self.stylesheets
        )
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)}</title><link rel="icon" href="data:,">{links}'
        )

    def _error_page(
        self, status: int, *, retry: str | None = None, error: Exception | None = None
    ) -> str:
        """An error page (404 or 500) in the application's look: its title and
        stylesheets, no script.

        A 500 links to ``retry`` (the failed request's target: the same page again) when
        it is a path of this site, else to ``/``; a 404 links to ``/`` if a route serves
        it. ``error`` is shown only under ``debug``, escaped.
        """
        heading, text, label = _ERROR_PAGES[status]
        link: str | None = "/"
        if status == 500 and retry is not None and _local_path(retry):
            link = retry
        elif status != 500 and self.router.match("/") is None:
            link = None
        action = (
            f'<p><a class="av-error-action" href="{html.escape(link)}">{label}</a></p>'
            if link is not None
            else ""
        )
        detail = (
            f'<pre class="av-error-detail">{html.escape(type(error).__name__)}: '
            f"{html.escape(str(error))}</pre>"
            if self.debug and error is not None
            else ""
        )
        return (
            f"{self._head(f'{heading} · {self.title}')}</head><body>"
            f'<main class="av-error-page" data-status="{status}"><h1>{heading}</h1>'
            f"<p>{text}</p>{action}{detail}</main></body></html>"
        )

    async def _send_error_page(
        self,
        stream: trio.abc.Stream,
        status: int,
        *,
        retry: str | None = None,
        error: Exception | None = None,
        head_only: bool = False,
    ) -> None:
        await send_response(
            stream,
            status,
            self._error_page(status, retry=retry, error=error).encode(),
            content_type="text/html; charset=utf-8",
            headers=(("Cache-Control", "no-store"),),
            head_only=head_only,
        )

    # -- live sockets --------------------------------------------------------------------

    def _origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            return False
        if self.allowed_origins is not None:
            return origin in self.allowed_origins
        host = request.headers.get("host", "")
        return origin in (f"http://{host}", f"https://{host}")

    async def _live(
        self, stream: trio.abc.Stream, request: Request, client: Client
    ) -> tuple[Session, int] | None:
        """Upgrade, join and relay. Returns the session and generation to reap after
        the connection is closed (see :meth:`_serve_socket`)."""
        if not self._origin_allowed(request):
            _log.warning("endpoint.origin_refused", origin=request.headers.get("origin"))
            await send_response(stream, 403, b"origin not allowed\n")
            return None
        left = ws = None
        async with trio.open_nursery() as nursery:
            with trio.move_on_after(self.limits.join_timeout):
                ws = await accept_websocket(
                    nursery,
                    ReplayStream(request.raw, stream),
                    max_message_size=4 * self.limits.max_frame_bytes,
                    close_timeout=self.limits.close_timeout,
                    pings=client.frames,
                )
            if ws is None:  # wsproto refused the handshake (it answered 400)
                nursery.cancel_scope.cancel()
                return None
            try:
                left = await self._serve_socket(ws, client)
            finally:
                with trio.CancelScope(shield=True):
                    await ws.aclose(CLOSE_SHUTDOWN, "server going away")  # bounded
                nursery.cancel_scope.cancel()
        return left

    async def _serve_socket(
        self, ws: ServerWebSocket, client: Client
    ) -> tuple[Session, int] | None:
        """Join, then relay until the socket ends. Returns the session and generation
        this socket had, unless a newer socket took the session over.

        Every close here waits at most ``Limits.close_timeout`` for the peer
        (:class:`ServerWebSocket`)."""
        try:
            session, route, seen = await self._join(ws)
            self._admit(session, client)
        except JoinRefused as refused:
            _log.info("endpoint.join_refused", reason=str(refused))
            await ws.aclose(CLOSE_JOIN_REFUSED, str(refused)[:120])
            return None
        except trio.TooSlowError:
            await ws.aclose(CLOSE_JOIN_TIMEOUT, "no join frame in time")
            return None
        except trio_websocket.ConnectionClosed:
            return None
        with trio.CancelScope() as connection:
            generation = session.attach(connection)
            try:
                if await self._ensure_view(session, route, seen, ws):
                    await self._send_joined(ws, session, route)
                    await self._relay(ws, session, client)
            finally:
                session.detach(generation)
                self._tell_view(session, Disconnected())
        if connection.cancelled_caught:
            await ws.aclose(CLOSE_REPLACED, "replaced by a newer connection")
            return None
        return session, generation

    def _admit(self, session: Session, client: Client) -> None:
        """Count the session against its client's ``max_sessions_per_client``; a new
        session past the limit is dropped again and the join refused (JoinRefused)."""
        if session.session_id in client.session_ids:
            return
        limit = self.limits.max_sessions_per_client
        if client.live_sessions(self.sessions) >= limit:
            if session.generation == 0:  # made by this join: no socket had it yet
                self.sessions.pop(session.session_id, None)
            _log.warning("endpoint.too_many_sessions", limit=limit)
            raise JoinRefused(
                f"too many live sessions from your address (limit {limit}); "
                "close other pages of this site and reload"
            )
        client.session_ids.add(session.session_id)

    def _tell_view(self, session: Session, message: Connected | Disconnected) -> None:
        """Let the session's view know its browser came or went (its on_connect and
        on_disconnect hooks); a view that is restarting or full simply misses it."""
        ref = self.views.registry.get(session.session_id)
        if isinstance(ref, ActorRef):
            with contextlib.suppress(MailboxError):
                ref.tell_nowait(message)

    async def _join(
        self, ws: trio_websocket.WebSocketConnection
    ) -> tuple[Session, Route, int | None]:
        """Read the join frame and check its token against the route of its page.
        Returns the session, the route and how many frames the page says it has."""
        with trio.fail_after(self.limits.join_timeout):
            message = await ws.get_message()
        try:
            frame = parse_client_frame(message, max_bytes=self.limits.max_frame_bytes)
        except BadFrame as error:
            raise JoinRefused(f"the first frame must be a join: {error}") from None
        if not isinstance(frame, Join):
            raise JoinRefused("the first frame must be a join")
        found = self.router.match(frame.path)
        if found is None:
            raise JoinRefused(f"no route serves {frame.path!r}")
        route, path_params = found
        claims = self.signer.verify(frame.token, view=route.name)
        if dict(claims.params) != path_params:
            raise JoinRefused("join token is for another page of this view")
        session = self.sessions.get(claims.session)
        if session is None:
            session = Session(claims.session, path_params, max_bytes=self.limits.max_outbox_bytes)
            # A view of this id may still be stopping for the session object reaped before
            # this one (its frames go to that session): never resume it, start afresh.
            session.needs_fresh_view = True
            self.sessions[claims.session] = session
        return session, route, frame.seen

    async def _send_joined(
        self, ws: trio_websocket.WebSocketConnection, session: Session, route: Route
    ) -> None:
        """Accept the join: a fresh token for the next rejoin, the number the session's
        frames on this socket count on from (``seq``), the last event ref received and
        the limits the page checks before it sends (``max_frame_bytes``)."""
        token = self.signer.sign(route.name, session.params, session.session_id)
        joined = control_frame(
            "joined",
            token=token,
            seq=session.outbox.taken,
            ref=session.received_ref,
            limits={"max_frame_bytes": self.limits.max_frame_bytes},
        )
        await ws.send_message(joined)

    async def _relay(
        self, ws: trio_websocket.WebSocketConnection, session: Session, client: Client
    ) -> None:
        """Frames in to the view, frames out from the outbox, until either side ends."""
        async with trio.open_nursery() as nursery:
            outbox = session.outbox
            nursery.start_soon(self._write, ws, outbox, nursery.cancel_scope)
            nursery.start_soon(self._watch_backlog, ws, outbox, nursery.cancel_scope)
            await self._read(ws, session, client)
            nursery.cancel_scope.cancel()

    async def _ensure_view(
        self,
        session: Session,
        route: Route,
        seen: int | None,
        ws: trio_websocket.WebSocketConnection,
    ) -> bool:
        """Start the session's view unless it still runs (a reconnect within grace).

        A rejoin to a running view gets the frames after the ``seen`` it reports again,
        and the view hears :class:`Connected` (a view that starts hears it from
        ``live.run_view``, the first thing in its mailbox).
        A session whose outbox no longer has them, or gave up on a slow reader, or whose
        browser closed its socket with no status (client.js does so when a frame does not
        fit its page), gets a fresh outbox and a fresh view, whose first render replaces
        the page. Returns False (the socket closed with 1011) if the view fails to start.
        """
        running = self._supervised(session.session_id)
        fresh = session.outbox.overflowed.is_set() or session.needs_fresh_view
        if running and not fresh and session.outbox.resume(seen):
            self._tell_view(session, Connected())
            return True
        if running:
            await self._stop_view(session.session_id)
        session.renew_outbox()
        session.needs_fresh_view = False
        try:
            await self._start_view(session, route)
        except DuplicateChildId:
            pass  # another socket of this session started it just now
        except ChildWaiting:
            pass  # it is tried again with its backoff; the page shows that it waits
        except Exception:
            _log.exception("endpoint.view_failed_to_start", view=route.name)
            await ws.aclose(CLOSE_VIEW_FAILED, "the view failed to start; reload the page")
            return False
        return True

    def _supervised(self, session_id: str) -> bool:
        """Whether the session's view is a child of ``views`` (running, or being
        restarted after a crash: then it is not in the registry for a moment)."""
        return any(child.id == session_id for child in self.views.which_children())

    async def _stop_view(self, session_id: str) -> None:
        with contextlib.suppress(UnknownChild):  # it ended meanwhile
            await self.views.terminate_child(session_id)

    async def _start_view(self, session: Session, route: Route) -> None:
        """Start the session's view under ``views``, with its route's own restart
        intensity and backoff (see :meth:`Route.view_spec`); its :class:`live.ViewLife`
        tells the page when it is restarted, waits for a dependency, or stops.

        Raises :class:`ChildWaiting` if its first start failed for a dependency: the view
        stays supervised and is tried again (the page was told it waits)."""
        life = live.ViewLife(session, route.name)
        params = route.mount_params(session.params, session.session_id)
        start = functools.partial(live.run_view, route.view, params, session, life)
        await self.views.start_child(route.view_spec(session.session_id, start, life.observe))

    async def _read(
        self, ws: trio_websocket.WebSocketConnection, session: Session, client: Client
    ) -> None:
        """Frames in, until the socket ends or is idle for ``idle_timeout``.

        Every frame first takes a token from the client's frame budget (waiting for
        one: the sender is pushed back, nothing queues here); events, inputs and bad
        frames then take one from the session's event budget, or are refused with an
        error frame. Both budgets outlive the socket."""
        bucket = session.event_budget(self.limits.events_per_second, self.limits.event_burst)
        while True:
            with trio.move_on_after(self.limits.idle_timeout) as idle:
                try:
                    message = await ws.get_message()
                except trio_websocket.ConnectionClosed as closed:
                    if closed.reason is not None and closed.reason.code == CLOSE_NO_STATUS:
                        session.needs_fresh_view = True
                    return
            if idle.cancelled_caught:
                await ws.aclose(CLOSE_IDLE, "idle for too long")
                return
            await client.frames.acquire()
            frame = self._parse(message)
            if isinstance(frame, Ping):
                continue
            if isinstance(frame, Ack):
                session.outbox.ack(frame.n)
                continue
            ref = frame.ref if isinstance(frame, Event | Input) else None
            if ref is not None:
                session.received_ref = max(session.received_ref, ref)
            if not bucket.take(trio.current_time()):
                await self._send_error(session, "too many events: slow down", ref=ref)
            elif isinstance(frame, BadFrame):
                await self._send_error(session, str(frame), ref=frame.ref)
            elif isinstance(frame, Join):
                await self._send_error(session, "already joined")
            else:
                await self._deliver(session, frame)

    def _parse(self, message: str | bytes) -> ClientFrame | BadFrame:
        try:
            return parse_client_frame(message, max_bytes=self.limits.max_frame_bytes)
        except BadFrame as error:
            return error

    async def _deliver(self, session: Session, frame: Event | Input) -> None:
        """Tell the view and queue its reply. Shielded (the ask has its own timeout): the
        page was told this event arrived, so a reconnect must not cut its reply off."""
        with trio.CancelScope(shield=True):
            ref = self.views.registry.get(session.session_id)
            if not isinstance(ref, ActorRef):
                await self._send_error(session, "the view is restarting; try again", ref=frame.ref)
                return
            reply = await live.deliver(ref, frame)
            if isinstance(reply.get("error"), str):
                reply["error"] = cut(reply["error"], MAX_ERROR_CHARS)
            session.outbox.push_control(control_frame("reply", ref=frame.ref, **reply))

    async def _send_error(self, session: Session, error: str, *, ref: int | None = None) -> None:
        session.outbox.push_control(
            control_frame("error", error=cut(error, MAX_ERROR_CHARS), ref=ref)
        )
        await trio.lowlevel.checkpoint()

    async def _watch_backlog(
        self, ws: trio_websocket.WebSocketConnection, outbox: Outbox, scope: trio.CancelScope
    ) -> None:
        """Close the socket of a reader that fell too far behind, even while the writer
        is stuck on its full socket (the outbox has already dropped what waited)."""
        await outbox.overflowed.wait()
        _log.info("endpoint.client_too_slow", limit=outbox.max_bytes)
        await ws.aclose(CLOSE_TOO_SLOW, "client too slow")  # bounded by close_timeout
        scope.cancel()

    async def _write(
        self, ws: trio_websocket.WebSocketConnection, outbox: Outbox, scope: trio.CancelScope
    ) -> None:
        try:
            while True:
                await ws.send_message(await outbox.next())
                outbox.wrote()  # kept until the page acks it, whatever happens to the socket
        except ClientTooSlow:
            return  # _watch_backlog closes the socket with the reason (a second close would
            # drop the stream under the close frame)
        except (trio.EndOfChannel, trio_websocket.ConnectionClosed):
            pass
        scope.cancel()

    async def _reap_later(self, session: Session, generation: int) -> None:
        """Stop the view if no socket takes the session over within the grace period."""
        await trio.sleep(self.limits.rejoin_grace)
        if session.generation != generation or session.attached:
            return
        self.sessions.pop(session.session_id, None)
        await self._stop_view(session.session_id)


_ERROR_PAGES: dict[int, tuple[str, str, str]] = {
    500: (
        "Something went wrong",
        "The server could not show this page. The problem has been logged; trying again may help.",
        "Try again",
    ),
    404: ("Page not found", "Nothing is served at this address.", "Go to the start page"),
}
"""Per status: the heading, the text and the link's label of its error page."""


def _local_path(target: str) -> bool:
    """Whether a request target is a path on this site (not ``//host`` or ``/\\host``,
    which a browser follows to another site)."""
    return target.startswith("/") and not target.startswith(("//", "/\\"))


def _peer_address(stream: trio.SocketStream) -> str:
    """The client's IP address (per-client limits count by it); "" if unknown."""
    try:
        peer = stream.socket.getpeername()
    except OSError:  # it went away already
        return ""
    return str(peer[0]) if isinstance(peer, tuple) else str(peer)


async def _answer_failure(stream: trio.abc.Stream) -> None:
    """A 500 for a request whose handling failed, if the socket still takes one."""
    with (
        trio.move_on_after(CLOSE_GRACE),
        contextlib.suppress(trio.BrokenResourceError, trio.ClosedResourceError),
    ):
        await send_response(stream, 500, b"internal server error\n")


def _resolve_secret(secret: bytes | None) -> bytes:
    if secret is not None:
        return secret
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode()
    _log.warning(
        "endpoint.random_secret",
        hint=f"set {SECRET_ENV} (32+ characters) so join tokens survive a restart",
    )
    return random_secret()
