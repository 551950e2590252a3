"""The application: the public face of the endpoint, served on its own port or as ASGI.

``Application(routes).serve()`` builds a supervisor tree::

    app (one_for_all)
    ├── views (one_for_one, dynamic: one child per live session)
    │   └── <session id> (transient; its route's own intensity and backoff)
    └── listener (the built-in server, ``tcp``: HTTP pages and WebSocket upgrades)

Under ASGI (``await app(scope, receive, send)``, module ``asgi``) the ``views``
supervisor runs from lifespan startup to shutdown (:meth:`Application.lifespan`), and
the ASGI server takes the listener's place.

Each view's restarts are counted against its own route's intensity (default 3 in 5 s,
with a backoff between them), never against ``views``': a view past its intensity is
stopped for good and its page says so; ``views``, the listener and ``app`` restart only
for their own faults.

A GET of a route answers the server-rendered page with a signed join token
(``answers``). The page's script opens ``/_av/live``; the join frame must carry that
token. The live-socket core (``core``) only relays: frames in are parsed into typed
events and told to the view; frames out come from the session's outbox.

The parts, one job each: ``answers`` (every HTTP answer as a value), ``core`` (the life
of a live socket and the shared accounting), ``sockets`` (what the core needs of a
socket), ``tcp`` (the built-in server) and ``asgi`` (the ASGI adapter).
"""

from __future__ import annotations

import contextlib
import functools
import os
import socket
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path

import trio

from actorview.endpoint._answers import (
    CLIENT_PATH,
    CLIENT_PREFIX,
    LIVE_PATH,
    OPTIMISTIC_RUNTIME_PATH,
    PROGRAM_PREFIX,
    STATIC_PREFIX,
    Pages,
)
from actorview.endpoint._asgi import AsgiServer, Receive, Scope, Send, running_views
from actorview.endpoint._compression import DEFAULT_COMPRESSION, Compression
from actorview.endpoint._context import Identify, Identities
from actorview.endpoint._core import MAX_ERROR_CHARS, Core
from actorview.endpoint._errors import SecretNotShared
from actorview.endpoint._forwarded import TrustedProxies
from actorview.endpoint._http import AllowedHosts
from actorview.endpoint._limits import ClientTable, Limits
from actorview.endpoint._routes import Route, Router
from actorview.endpoint._session import Session
from actorview.endpoint._siblings import sibling_workers
from actorview.endpoint._sockets import (
    CLOSE_IDLE,
    CLOSE_JOIN_REFUSED,
    CLOSE_JOIN_TIMEOUT,
    CLOSE_NO_STATUS,
    CLOSE_REPLACED,
    CLOSE_SHUTDOWN,
    CLOSE_TOO_SLOW,
    CLOSE_VIEW_FAILED,
)
from actorview.endpoint._tcp import CLOSE_GRACE, BuiltinServer
from actorview.endpoint._tokens import TokenSigner, random_secret
from actorview.jobs import Jobs
from actorview.logging import get_logger
from actorview.optimistic import client_modules
from actorview.pubsub import Bus
from actorview.render import runtime_stylesheet_path
from actorview.supervisor import ChildSpec, Restart, Strategy, Supervisor

__all__ = [
    "CLIENT_PATH",
    "CLIENT_PREFIX",
    "CLOSE_GRACE",
    "CLOSE_IDLE",
    "CLOSE_JOIN_REFUSED",
    "CLOSE_JOIN_TIMEOUT",
    "CLOSE_NO_STATUS",
    "CLOSE_REPLACED",
    "CLOSE_SHUTDOWN",
    "CLOSE_TOO_SLOW",
    "CLOSE_VIEW_FAILED",
    "LIVE_PATH",
    "MAX_ERROR_CHARS",
    "OPTIMISTIC_RUNTIME_PATH",
    "PROGRAM_PREFIX",
    "SECRET_ENV",
    "STATIC_PREFIX",
    "Application",
]

SECRET_ENV = "ACTORVIEW_SECRET"

_log = get_logger(component="endpoint")


class Application:
    """Serve ``routes``: on its own port (:meth:`serve`), or as an ASGI 3 application.

    Both ways share one connection core (``actorview.endpoint._core``): every limit,
    check, close code and time bound below holds under both. As ASGI,
    ``await app(scope, receive, send)`` serves ``http``, ``websocket`` and ``lifespan``
    scopes (``hypercorn -k trio module:app``); mounted in a Starlette application, pass
    ``Starlette(routes=[Mount("/chat", app=app)], lifespan=app.lifespan)``, since
    Starlette does not run a mounted application's lifespan. Every ``/_av/`` URL a page
    emits follows the ASGI ``root_path``, so a mount under a prefix works.

    Args:
        routes: which view class answers which path.
        secret: HMAC key for join tokens (32+ bytes). Defaults to the environment
            variable ``ACTORVIEW_SECRET``; failing that, a random one per process (tokens
            then do not survive a restart; a warning is logged). With several worker
            processes (``serve_workers``, hypercorn ``-w N``) a random one is refused
            (:class:`SecretNotShared`): every worker must sign with the same one.
        allowed_origins: ``Origin`` values allowed to open live sockets besides the
            page's own host, matched exactly, e.g. ``["https://chat.example.com"]``.
        trusted_proxies: addresses or networks of the proxies in front (``"127.0.0.1"``,
            ``"10.0.0.0/8"``) whose ``Forwarded`` / ``X-Forwarded-For``, ``-Proto`` and
            ``-Host`` headers are believed: a request from one of them counts against
            the client it names (per-client limits) and is checked against the host it
            forwarded (``Host`` and ``Origin``). Default: none, every header of the
            kind ignored (``actorview.endpoint._forwarded``).
        allowed_hosts: names a request's ``Host`` header may carry (any port), e.g.
            ``["chat.example.com"]``; other requests get 400, so a DNS-rebinding page
            (its own name resolving to this server) is refused. Always allowed: the
            address :meth:`serve` binds to (under ASGI, the address the request came in
            on, ``scope["server"]``); with a loopback one, ``localhost``, ``127.0.0.1``
            and ``::1``; with ``0.0.0.0`` or ``::``, any IP address and ``localhost``.
            ``"*"`` allows any host (behind a proxy that checks it).
        limits: per-connection and per-process limits (:class:`Limits`).
        title: the page title.
        static_files: extra files served under ``/_av/static/<name>``. Pages link
            every file by a content-hashed URL (``/_av/static/<digest>/<name>``, cached
            as immutable); the plain URL revalidates by ETag; text is gzipped for a
            browser that takes it (``actorview.endpoint._assets``).
        stylesheets: names among ``static_files`` linked from every page, after the
            runtime's own ``actorview.css`` (the look of ``#av-notice``), so they can restyle it.
            Error pages link them too (their markup: ``main.av-error-page``).
        scripts: names among ``static_files`` loaded (``defer``) by every live page after
            ``client.js``, so they may register ``ActorView.hooks`` or listen for events;
            the page's CSP (``script-src 'self'``) allows them, and no inline script.
        modules: names among ``static_files`` loaded as ES modules (``<script
            type="module">``) by every live page after ``client.js`` and ``scripts``:
            the way to add hooks (``window.ActorView.hooks.Chart = {...}``, which
            receive ``ops.push_event``'s events with ``this.handleEvent``) and to import
            the application's other modules (``import "./other.js"``). Same origin, so
            the CSP holds; the page starts its views after they ran (docs/HOOKS.md).
        compression: permessage-deflate on the built-in server's live sockets
            (:class:`Compression`: about 10 bytes a token frame instead of 41, 3 µs
            of CPU, and a compressor held only while the socket sends); ``None`` turns it
            off. Under ASGI the server compresses by its own rules (docs/DEPLOYMENT.md).
        pubsub: the topic bus views publish and subscribe on (``actorview.pubsub``):
            the process's :func:`~actorview.pubsub.default_bus` unless given, or a
            :class:`~actorview.pubsub.RedisBus` to reach other processes. It runs with
            the supervision tree (started before the views, stopped after them).
        jobs: the jobs backend the views' ``job`` declarations run on
            (``actorview.jobs``): a :class:`~actorview.jobs.LocalJobs` of the
            application's own unless given, or a :class:`~actorview.jobs.RedisJobs` for
            one owner of each job across workers. It runs as the bus does (its runs
            outlive the views that fired them, and end when the application stops).
        debug: show the exception's type and message on the 500 page of a view that
            failed to mount or render (escaped). Off by default: for development only,
            since an exception's text may reveal internals. The log always has the
            traceback.
        identify: who a request is for: a callable from the request
            (:class:`~actorview.endpoint.PageRequest`; its ``scope`` under ASGI) to an
            :class:`~actorview.Identity`, or None for nobody signed in (sync or async).
            Given, it alone decides; by default the ASGI ``scope["user"]`` when it is
            authenticated (Starlette's ``AuthenticationMiddleware``), then
            ``session_keys``, then actorview's anonymous cookie identity. A view reads it
            as ``self.context.identity`` (docs/DEPLOYMENT.md, "The request and the user").
            It is called for a page's request and again for each of its live sockets'
            upgrade requests (path ``/_av/live``), whose identity must match the page's:
            decide from cookies, headers or the scope, not from the path.
        session_keys: keys of the Starlette session (``scope["session"]``) copied into
            the identity's claims; with no authenticated user, the first one's value is
            the identity's id (what a login route stored there). Like the whole context,
            they are signed into the join token, which the page's scripts can read: name
            ids and names, never a secret.
    """

    def __init__(
        self,
        routes: Iterable[Route],
        *,
        secret: bytes | None = None,
        allowed_origins: Iterable[str] | None = None,
        allowed_hosts: Iterable[str] = (),
        trusted_proxies: Iterable[str] = (),
        limits: Limits | None = None,
        title: str = "actorview",
        static_files: Mapping[str, Path] | None = None,
        stylesheets: Iterable[str] = (),
        scripts: Iterable[str] = (),
        modules: Iterable[str] = (),
        compression: Compression | None = DEFAULT_COMPRESSION,
        pubsub: Bus | None = None,
        jobs: Jobs | None = None,
        debug: bool = False,
        identify: Identify | None = None,
        session_keys: Iterable[str] = (),
    ) -> None:
        self.modules = tuple(modules)  # before `modules` names the client's own below
        self.router = Router(routes)
        self.debug = debug
        self.compression = compression
        self.limits = limits or Limits()
        self.title = title
        self.secret_shared = secret is not None or bool(os.environ.get(SECRET_ENV))
        """Whether the join-token secret was given (argument or ``ACTORVIEW_SECRET``),
        not made at random for this process: several workers need it so."""
        self.signer = TokenSigner(_resolve_secret(secret))
        self.proxies = TrustedProxies.of(trusted_proxies)
        self.allowed_origins = frozenset(allowed_origins) if allowed_origins else None
        self.allowed_hosts = tuple(allowed_hosts)
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
        clashes = sorted(self.client_modules & set(static_files or ()))
        if clashes:
            name = clashes[0]
            raise ValueError(
                f"static file {name!r} has the name of one of actorview's client modules, "
                f"which it would replace at /_av/{name}; rename it (e.g. 'app-{name}')"
            )
        for name in self.modules:
            if name not in self.static_files:
                raise ValueError(
                    f"module {name!r} is not among static_files; pass "
                    f"static_files={{{name!r}: Path(...)}} with modules=[{name!r}]"
                )
        self.identities = Identities(self.signer, identify, tuple(session_keys))
        self.core = Core(
            self.router,
            self.signer,
            self.limits,
            allowed_origins=self.allowed_origins,
            identities=self.identities,
            bus=pubsub,
            jobs=jobs,
        )
        self.pages = Pages(
            self.router,
            self.signer,
            title=title,
            static_files=self.static_files,
            client_modules=self.client_modules,
            stylesheets=self.stylesheets,
            scripts=self.scripts,
            modules=self.modules,
            debug=debug,
            identities=self.identities,
            max_context_bytes=self.limits.max_frame_bytes // 2,
            health=self._health,
        )
        self._asgi = AsgiServer(
            self.core, self.pages, self.allowed_hosts, self.lifespan, proxies=self.proxies
        )

    def _health(self) -> tuple[bool, int]:
        """For ``/_av/health``: whether the views run, and how many sessions are live."""
        return self.core.started, len(self.core.sessions)

    @property
    def pubsub(self) -> Bus:
        """The topic bus of the application's views (``await app.pubsub.publish(...)``
        reaches them from any task of the process)."""
        return self.core.bus

    @property
    def jobs(self) -> Jobs:
        """The jobs backend of the application's views."""
        return self.core.jobs

    @property
    def views(self) -> Supervisor:
        """The supervisor of every session's view (see the tree above)."""
        return self.core.views

    @property
    def sessions(self) -> dict[str, Session]:
        """Live sessions by id: views running or within their rejoin grace."""
        return self.core.sessions

    @property
    def connections(self) -> int:
        """Open connections (pages and live sockets), at most ``max_connections``."""
        return self.core.connections

    @property
    def clients(self) -> ClientTable:
        """Per-client-address accounting (connections, sessions, frame budget)."""
        return self.core.clients

    # -- running -----------------------------------------------------------------------

    async def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        root_path: str = "",
        sock: socket.socket | None = None,
        task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        """Run the built-in server until cancelled. Reports the bound port (useful with
        ``port=0``).

        ``root_path``: the prefix the application is served under (``"/chat"``: a proxy
        passes ``/chat/...`` on, with or without the prefix), as ASGI's ``root_path``:
        paths are routed without it and every URL a page emits starts with it.
        ``sock``: serve this listening socket (bound to ``host``, e.g. inherited from a
        parent process, as :func:`serve_workers` does) instead of binding ``port``.

        On cancellation (Ctrl-C in ``trio.run``), the listener stops first, then every
        view is stopped, and open sockets are closed with a close frame (1001).
        """
        server = BuiltinServer(
            self.core,
            self.pages,
            AllowedHosts.for_address(host, self.allowed_hosts),
            self.compression,
            proxies=self.proxies,
            root_path=root_path,
        )
        listen = functools.partial(server.listen, host, port, sock=sock)
        listener_spec = ChildSpec("listener", listen, restart=Restart.PERMANENT)
        root = Supervisor(
            [self.views.child_spec(), listener_spec], strategy=Strategy.ONE_FOR_ALL, name="app"
        )
        async with self.pubsub.running(), self.jobs.running(), trio.open_nursery() as nursery:
            await nursery.start(root.run)
            listener = root.registry.lookup("listener")
            assert isinstance(listener, int)
            task_status.started(listener)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI 3 application: ``http``, ``websocket`` and ``lifespan`` scopes
        (``actorview.endpoint._asgi``). Needs trio (hypercorn's trio worker, or Starlette
        on it through anyio)."""
        await self._asgi(scope, receive, send)

    @contextlib.asynccontextmanager
    async def lifespan(self, host_app: object = None) -> AsyncIterator[None]:
        """Run the supervision tree (``views``) for the block: the ASGI lifespan.

        An ASGI server runs it itself (lifespan startup to shutdown). Starlette does not
        run a mounted application's lifespan, so pass it there:
        ``Starlette(routes=[Mount("/chat", app=app)], lifespan=app.lifespan)`` (it is
        called with the Starlette app, ``host_app``, and ignores it), or enter
        ``async with app.lifespan():`` inside a lifespan of your own. At the block's end
        every view is stopped, in reverse start order with its grace period. A live
        socket that joins while it is not running is closed with 1011 and an error
        naming this fix is logged.
        """
        async with running_views(self.core):
            yield


def _resolve_secret(secret: bytes | None) -> bytes:
    if secret is not None:
        return secret
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env.encode()
    workers = sibling_workers()
    if workers > 1:
        raise SecretNotShared(workers, "hypercorn")
    _log.warning(
        "endpoint.random_secret",
        hint=f"set {SECRET_ENV} (32+ characters) so join tokens survive a restart",
    )
    return random_secret()
