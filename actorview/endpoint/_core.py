"""The live-socket core: one place for every guarantee of a live connection.

Both servers, the built-in one (``tcp``) and ASGI (``asgi``), hand this core a
:class:`~actorview.endpoint._sockets.LiveSocket` once its upgrade passed the ``Host`` and
``Origin`` checks, and it does the rest, the same under both: the join (a signed token,
within ``join_timeout``), the per-client session limit, starting or resuming the
session's view under the ``views`` supervisor, frame numbering and replay (the
``joined`` frame's ``seq``), the outbox with its limit and backpressure (4008 past
it), the per-session event budget and the per-client frame budget, error frames, the
idle timeout (4003), and the reaping of a view whose socket did not come back within
``rejoin_grace``. It also counts connections per process and per client address
(:meth:`Core.crowded`, :meth:`Core.counted`), for both servers.

The core never touches a transport's bytes: what it sends is a text message, what it
closes is a code and a reason; the adapters keep every write and close within their
time bounds.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Mapping
from typing import assert_never

import attrs
import trio

from actorview._untrusted import cut
from actorview.endpoint import _live as live
from actorview.endpoint import _uploads as uploads
from actorview.endpoint._answers import PROGRAM_PREFIX
from actorview.endpoint._clock import Feed, FrameClock
from actorview.endpoint._context import Identities, RequestParts, claimed_context
from actorview.endpoint._errors import BadFrame, JoinRefused
from actorview.endpoint._limits import Client, ClientTable, Limits
from actorview.endpoint._navigation import (
    MAX_REDIRECTS,
    BadUrl,
    History,
    LoadPage,
    NavigateTo,
    PatchTo,
    destination,
    page_answer_of,
    split_href,
)
from actorview.endpoint._outbox import ClientTooSlow, Outbox
from actorview.endpoint._protocol import (
    Ack,
    CancelUpload,
    ClientFrame,
    Event,
    Input,
    Join,
    Nav,
    Ping,
    StartUpload,
    control_frame,
    parse_client_frame,
)
from actorview.endpoint._routes import Route, Router
from actorview.endpoint._session import QueuedMove, Session
from actorview.endpoint._sockets import (
    CLOSE_IDLE,
    CLOSE_JOIN_REFUSED,
    CLOSE_JOIN_TIMEOUT,
    CLOSE_NO_STATUS,
    CLOSE_REPLACED,
    CLOSE_TOO_SLOW,
    CLOSE_VIEW_FAILED,
    LiveSocket,
    SocketClosed,
)
from actorview.endpoint._tokens import TokenSigner
from actorview.jobs import Jobs, LocalJobs
from actorview.logging import get_logger
from actorview.mailbox import ActorRef, ActorStopped, AskTimeout, MailboxError
from actorview.optimistic import program_id
from actorview.pubsub import Bus, default_bus
from actorview.supervisor import ChildWaiting, Supervisor, SupervisorState
from actorview.supervisor._errors import DuplicateChildId, UnknownChild
from actorview.view import (
    Applied,
    Connected,
    Disconnected,
    MountContext,
    NavigationKind,
    NavigationRequest,
    PageNotFound,
    PageRedirect,
    PageUrl,
    UrlChanged,
)

MAX_ERROR_CHARS = 300
"""Error texts sent to a browser are cut to this length: they may quote its input."""

NOT_STARTED = (
    "the application is not started: run it under an ASGI server that sends the lifespan "
    "events, or, mounted in Starlette, pass Starlette(lifespan=app.lifespan)"
)

_log = get_logger(component="endpoint")


class Core:
    """The state every connection shares (sessions, client accounting, the ``views``
    supervisor) and the life of one live socket (:meth:`serve_socket`)."""

    def __init__(
        self,
        router: Router,
        signer: TokenSigner,
        limits: Limits,
        *,
        allowed_origins: frozenset[str] | None,
        identities: Identities | None = None,
        bus: Bus | None = None,
        jobs: Jobs | None = None,
    ) -> None:
        self.router = router
        self.bus: Bus = bus if bus is not None else default_bus()
        """The topic bus every view of the application publishes and subscribes on."""
        self.jobs: Jobs = jobs if jobs is not None else LocalJobs()
        """The jobs backend every view's ``job`` declarations run on and follow."""
        self.signer = signer
        self.identities = identities if identities is not None else Identities(signer)
        self.limits = limits
        self.allowed_origins = allowed_origins
        # Every view has its own restart intensity (its route's): a session's crash loop
        # stops that view alone, and never counts here. (See the tree in the README.)
        self.views = Supervisor(name="views")
        self.sessions: dict[str, Session] = {}
        self.connections = 0
        """Open connections (pages and live sockets), at most ``max_connections``."""
        self.clients = ClientTable(limits)
        self.clock = FrameClock()
        """Writes the frames of every socket that can be written without awaiting (the
        built-in server's, which runs it: ``endpoint/_clock.py``)."""

    # -- connections -------------------------------------------------------------------

    def crowded(self, client: Client) -> str | None:
        """Why a new connection from ``client`` is refused (503), or None."""
        if self.connections >= self.limits.max_connections:
            return "too many connections\n"
        if client.connections >= self.limits.max_connections_per_client:
            return "too many connections from your address\n"
        return None

    def counted(self, client: Client) -> _Counted:
        """Count one connection of ``client`` for the block (see :meth:`crowded`)."""
        return _Counted(self, client)

    def origin_allowed(self, headers: Mapping[str, str]) -> bool:
        """Whether an upgrade's ``Origin`` may open a live socket: the page's own host
        (``http://`` or ``https://`` and the ``Host`` header, or the host a trusted
        proxy forwarded), or one of ``allowed_origins``, matched exactly."""
        origin = headers.get("origin")
        if origin is None:
            return False
        if self.allowed_origins is not None and origin in self.allowed_origins:
            return True
        host = headers.get("host", "")
        return origin in (f"http://{host}", f"https://{host}")

    @property
    def started(self) -> bool:
        """Whether the ``views`` supervisor runs (``serve``, or the ASGI lifespan)."""
        return self.views.state in (SupervisorState.STARTING, SupervisorState.RUNNING)

    # -- one live socket ---------------------------------------------------------------

    async def serve_socket(
        self,
        ws: LiveSocket,
        client: Client,
        *,
        root_path: str = "",
        request: RequestParts | None = None,
    ) -> tuple[Session, int] | None:
        """Join, then relay until the socket ends. Returns the session and generation
        this socket had, unless a newer socket took the session over: the caller then
        awaits :meth:`reap_later` with them, once the socket is closed.

        ``root_path`` is the prefix the application is mounted under: the join frame's
        path (the page's ``location.pathname``) is routed without it. ``request`` is the
        upgrade request: its identity must be the one the token's page was rendered for
        (:meth:`Identities.check_join`). Every close here waits at most
        ``Limits.close_timeout`` for the peer (the adapter's bound)."""
        if not self.started:
            _log.error("endpoint.not_started", hint=NOT_STARTED)
            await ws.aclose(CLOSE_VIEW_FAILED, "the server is not started")
            return None
        try:
            session, route, seen = await self._join(ws, root_path, request)
            del request  # its headers are not kept for the socket's life
            self._admit(session, client)
        except JoinRefused as refused:
            _log.info("endpoint.join_refused", reason=str(refused))
            await ws.aclose(CLOSE_JOIN_REFUSED, str(refused)[:120])
            return None
        except trio.TooSlowError:
            await ws.aclose(CLOSE_JOIN_TIMEOUT, "no join frame in time")
            return None
        except SocketClosed:
            return None
        # One nursery is the whole connection: its scope is what a newer socket of the
        # session cancels (Session.attach), its deadline the idle timeout, and the tasks
        # a connection may need (a navigation, the rest of a frame, a too-slow close) run
        # in it. An idle connection holds no task of its own besides this one.
        async with trio.open_nursery() as connection:
            generation = session.attach(connection.cancel_scope)
            try:
                if await self._ensure_view(session, route, seen, ws, root_path):
                    await self._send_joined(ws, session, route)
                    await self._relay(ws, session, client, connection, root_path)
            finally:
                session.detach(generation)
                self._tell_view(session, Disconnected())
        scope = connection.cancel_scope
        if session.generation != generation:
            await ws.aclose(CLOSE_REPLACED, "replaced by a newer connection")
            return None
        if scope.cancelled_caught and trio.current_time() >= scope.deadline:
            await ws.aclose(CLOSE_IDLE, "idle for too long")
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
        self, ws: LiveSocket, root_path: str, request: RequestParts | None
    ) -> tuple[Session, Route, int | None]:
        """Read the join frame and check its token against the route of its page, and
        its identity against the socket's request.
        Returns the session, the route and how many frames the page says it has."""
        with trio.fail_after(self.limits.join_timeout):
            message = await ws.get_message()
        try:
            frame = parse_client_frame(message, max_bytes=self.limits.max_frame_bytes)
        except BadFrame as error:
            raise JoinRefused(f"the first frame must be a join: {error}") from None
        if not isinstance(frame, Join):
            raise JoinRefused("the first frame must be a join")
        found = self.router.match(route_path(frame.path, root_path))
        if found is None:
            raise JoinRefused(f"no route serves {frame.path!r}")
        route, path_params = found
        claims = self.signer.verify(frame.token, view=route.name)
        if dict(claims.params) != path_params:
            raise JoinRefused("join token is for another page of this view")
        context = await self._joined_context(claims.context, frame.path, path_params, request)
        # The prefix this socket came in under (the page's own, or a token signed without it).
        context = attrs.evolve(context, root_path=root_path)
        session = self.sessions.get(claims.session)
        if session is None:
            session = Session(
                claims.session,
                path_params,
                max_bytes=self.limits.max_outbox_bytes,
                context=context,
            )
            # A view of this id may still be stopping for the session object reaped before
            # this one (its frames go to that session): never resume it, start afresh.
            session.needs_fresh_view = True
            self.sessions[claims.session] = session
            session.url = joined_url(claims.url, route_path(frame.path, root_path), path_params)
        if session.route is None:
            session.route = route
        # A session a navigation moved on shows its new route, whatever page rejoins.
        return session, session.route, frame.seen

    async def _joined_context(
        self,
        claim: Mapping[str, object] | None,
        path: str,
        path_params: dict[str, str],
        request: RequestParts | None,
    ) -> MountContext:
        """The request context the token's page was rendered with, once the socket's
        own request is found to be for the same identity (else :class:`JoinRefused`).
        A token signed without a context (by an older version) gets a blank one, with
        the socket's anonymous cookie identity if it has one."""
        if claim is None:
            found = None if request is None else self.identities.cookie_identity(request)
            blank = claimed_context(None, path, path_params)
            return blank if found is None else attrs.evolve(blank, identity=found)
        context = claimed_context(claim, path, path_params)
        await self.identities.check_join(context.identity, request)
        return context

    async def _send_joined(self, ws: LiveSocket, session: Session, route: Route) -> None:
        """Accept the join: a fresh token for the next rejoin, the number the session's
        frames on this socket count on from (``seq``), the last event ref received and
        the limits the page checks before it sends (``max_frame_bytes``)."""
        token = self.signer.sign(
            route.name,
            session.params,
            session.session_id,
            context=session.context.to_json(),
            url=session.url.href,
        )
        joined = control_frame(
            "joined",
            token=token,
            seq=session.outbox.taken,
            ref=session.received_ref,
            limits={"max_frame_bytes": self.limits.max_frame_bytes},
        )
        await ws.send_message(joined)

    async def _relay(
        self,
        ws: LiveSocket,
        session: Session,
        client: Client,
        connection: trio.Nursery,
        root_path: str = "",
    ) -> None:
        """Frames in to the view, frames out from the outbox, until either side ends;
        and the session's navigations carried out, one at a time. Ends the
        ``connection`` (cancels its scope) when it returns."""
        outbox = session.outbox
        writer = self._writer(ws, session, connection)
        hooks = _ConnectionHooks(self, ws, session, connection, root_path)
        outbox.on_overflow = hooks.overflowed
        if outbox.overflowed_now:  # before the socket came: close it at once
            outbox.on_overflow()
        session.moves_waiting = hooks.moves_waiting
        session.moves_waiting()  # moves queued while no socket served the session
        try:
            await self._read(ws, session, client, connection.cancel_scope)
        finally:
            session.moves_waiting = None
            outbox.on_overflow = None
            if writer is not None:
                self.clock.detach(writer)
        connection.cancel_scope.cancel()

    def _writer(self, ws: LiveSocket, session: Session, connection: trio.Nursery) -> Feed | None:
        """Who writes the session's frames to ``ws`` until the connection ends: the
        server's frame clock (``endpoint/_clock.py``: no task of this connection waits
        for frames; the caller detaches the returned feed), or, for a socket it cannot
        write (ASGI), a writer task in ``connection`` (None is returned)."""
        outbox = session.outbox
        socket = ws.clocked
        if socket is None:
            connection.start_soon(self._write, ws, outbox, connection.cancel_scope)
            return None
        generation = session.generation
        return self.clock.attach(
            socket,
            outbox,
            connection.cancel_scope,
            connection,
            lambda: session.generation == generation,
        )

    async def _ensure_view(
        self,
        session: Session,
        route: Route,
        seen: int | None,
        ws: LiveSocket,
        root_path: str = "",
    ) -> bool:
        """Start the session's view unless it still runs (a reconnect within grace).

        A rejoin to a running view gets the frames after the ``seen`` it reports again,
        and the view hears :class:`Connected` (a view that starts hears it from
        ``live.run_view``, the first thing in its mailbox).
        A session whose outbox no longer has them, or gave up on a slow reader, or whose
        browser closed its socket with no status (client.js does so when a frame does not
        fit its page), gets a fresh outbox and a fresh view, whose first render replaces
        the page. Returns False (the socket closed with 1011) if the view fails to start;
        one that answers its page instead (``PageNotFound``: the item is gone since the
        page was rendered; ``PageRedirect``) gets the page a ``load`` frame of its URL
        first, so the browser loads it and shows what the HTTP answer is.
        """
        running = self._supervised(session.session_id)
        fresh = session.outbox.overflowed_now or session.needs_fresh_view
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
        except Exception as error:
            if page_answer_of(error) is None:
                _log.exception("endpoint.view_failed_to_start", view=route.name)
                await ws.aclose(CLOSE_VIEW_FAILED, "the view failed to start; reload the page")
                return False
            _log.info("endpoint.join_page_answered", view=route.name, answer=repr(error)[:200])
            await self._send_joined(ws, session, route)
            await ws.send_message(control_frame("load", href=root_path + session.url.href))
            await ws.aclose(CLOSE_VIEW_FAILED, "this page is answered by a page load")
            return False
        return True

    def _supervised(self, session_id: str) -> bool:
        """Whether the session's view is a child of ``views`` (running, or being
        restarted after a crash: then it is not in the registry for a moment)."""
        return self.views.has_child(session_id)

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
        start = functools.partial(
            live.run_view, route.view, params, session, life, bus=self.bus, jobs=self.jobs
        )
        await self.views.start_child(route.view_spec(session.session_id, start, life.observe))

    async def _read(
        self, ws: LiveSocket, session: Session, client: Client, connection: trio.CancelScope
    ) -> None:
        """Frames in, until the socket ends or is idle for ``idle_timeout``: each wait
        for a frame moves the ``connection``'s deadline to ``idle_timeout`` from now, so
        a silent socket cancels the connection (``serve_socket`` then closes it with
        4003), with no scope of its own per frame.

        Every frame first takes a token from the client's frame budget (waiting for
        one: the sender is pushed back, nothing queues here); events, inputs and bad
        frames then take one from the session's event budget, or are refused with an
        error frame. Both budgets outlive the socket."""
        bucket = session.event_budget(self.limits.events_per_second, self.limits.event_burst)
        idle_timeout = self.limits.idle_timeout
        while True:
            connection.deadline = trio.current_time() + idle_timeout
            try:
                message = await ws.get_message()
            except SocketClosed as closed:
                if closed.code == CLOSE_NO_STATUS:
                    session.needs_fresh_view = True
                return
            connection.deadline = float("inf")  # what a frame causes is not idleness
            await client.frames.acquire()
            if uploads.is_chunk(message):
                await self._upload_chunk(session, message)
                continue
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
            elif isinstance(frame, StartUpload | CancelUpload):
                await self._upload(session, uploads.view_event(frame))
            elif isinstance(frame, Nav):
                await self._page_moved(session, frame)
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
                absence = session.view_absence or live.RESTARTING_ANSWER
                await self._send_error(session, absence, ref=frame.ref)
                return
            reply = await live.deliver(ref, frame)
            if isinstance(reply.get("error"), str):
                reply["error"] = cut(reply["error"], MAX_ERROR_CHARS)
            session.outbox.push_control(control_frame("reply", ref=frame.ref, **reply))

    async def _upload_chunk(self, session: Session, message: str | bytes) -> None:
        """One chunk of a file, to the view. Chunks take from the client's frame budget
        only, not the session's event budget: an upload does not starve the page's
        events, and the reader takes one chunk at a time, so events keep their turn."""
        assert isinstance(message, bytes)
        try:
            chunk = uploads.parse_chunk(message, max_frame_bytes=self.limits.max_frame_bytes)
        except BadFrame as error:
            await self._send_error(session, str(error))
            return
        await self._upload(session, chunk)

    async def _upload(self, session: Session, event: uploads.UploadEvent) -> None:
        """Hand an upload event to the view and queue its answer (shielded, as events)."""
        with trio.CancelScope(shield=True):
            ref = self.views.registry.get(session.session_id)
            if not isinstance(ref, ActorRef):
                await self._send_error(session, session.view_absence or live.RESTARTING_ANSWER)
                return
            await uploads.relay(ref, session, event, max_frame_bytes=self.limits.max_frame_bytes)

    async def _send_error(self, session: Session, error: str, *, ref: int | None = None) -> None:
        session.outbox.push_control(
            control_frame("error", error=cut(error, MAX_ERROR_CHARS), ref=ref)
        )
        await trio.lowlevel.checkpoint()

    async def _close_too_slow(
        self, ws: LiveSocket, outbox: Outbox, scope: trio.CancelScope
    ) -> None:
        """Close the socket of a reader that fell too far behind, even while the writer
        is stuck on its full socket (the outbox has already dropped what waited): the
        outbox's ``on_overflow`` starts it in the connection's nursery."""
        _log.info("endpoint.client_too_slow", limit=outbox.max_bytes)
        await ws.aclose(CLOSE_TOO_SLOW, "client too slow")  # bounded by close_timeout
        scope.cancel()

    async def _write(self, ws: LiveSocket, outbox: Outbox, scope: trio.CancelScope) -> None:
        try:
            while True:
                await ws.send_message(await _next_frame(ws, outbox))
                outbox.wrote()  # kept until the page acks it, whatever happens to the socket
        except ClientTooSlow:
            return  # _watch_backlog closes the socket with the reason (a second close would
            # drop the stream under the close frame)
        except (trio.EndOfChannel, SocketClosed):
            pass
        scope.cancel()

    # -- live navigation (docs/NAVIGATION.md; where an href leads: _navigation.py) ----------

    async def _page_moved(self, session: Session, frame: Nav) -> None:
        """A ``nav`` frame: queue the page's move for :meth:`_navigations`."""
        kind = NavigationKind.NAVIGATE if frame.kind == "navigate" else NavigationKind.PATCH
        move = QueuedMove(
            NavigationRequest(kind, frame.href), from_page=True, pop=frame.kind == "pop"
        )
        if not session.queue_move(move):
            await self._send_error(session, "too many navigations at once: slow down")

    async def _move(self, session: Session, move: QueuedMove, root_path: str) -> None:
        """One navigation: bad hrefs get an error frame (nothing changes), a path no live
        route serves a ``load`` frame, a patch the view's ``handle_params``, another
        route a new view over the same socket."""
        request = move.request
        href = request.href
        if move.from_page:
            href = route_path(href, root_path)
        try:
            where = destination(
                self.router, session.route, href, patch=request.kind is NavigationKind.PATCH
            )
        except BadUrl as bad:
            if not move.from_page:
                _log.error(
                    "endpoint.bad_navigation",
                    view=session.route.view.__name__ if session.route else None,
                    op=f"ops.{request.kind.value}",
                    error=str(bad),
                    fix="give ops.patch / ops.navigate a path of this application",
                )
            source = "the page" if move.from_page else "the view"
            await self._send_error(session, f"{source} asked for a bad URL: {bad}")
            return
        history = (
            History.KEEP if move.pop else (History.REPLACE if request.replace else History.PUSH)
        )
        match where:
            case LoadPage(href=target):
                session.outbox.push_control(control_frame("load", href=root_path + target))
            case PatchTo(url=url):
                await self._patch(session, url, history, root_path)
            case NavigateTo(route=route, url=url):
                if request.kind is NavigationKind.PATCH and not move.from_page:
                    _log.error(
                        "endpoint.patch_to_another_route",
                        view=session.route.view.__name__ if session.route else None,
                        href=href[:200],
                        route=route.name,
                        fix="ops.patch stays within the view's route; use ops.navigate to "
                        "move to another route (navigated there instead)",
                    )
                await self._navigate(session, route, url, history, root_path)
            case _:
                assert_never(where)

    async def _patch(self, session: Session, url: PageUrl, history: History, root: str) -> None:
        """The running view gets ``url`` (``handle_params``); once it took it, the page
        gets a ``url`` frame (its history, a fresh token for a rejoin at that URL)."""
        ref = self.views.registry.get(session.session_id)
        if not isinstance(ref, ActorRef):
            await self._send_error(session, session.view_absence or live.RESTARTING_ANSWER)
            return
        try:
            outcome = await ref.ask(UrlChanged(url), timeout=live.ASK_TIMEOUT)
        except (ActorStopped, AskTimeout) as error:
            await self._send_error(session, f"the view did not answer: {error}")
            return
        if not isinstance(outcome, Applied):
            await self._send_error(session, live.SERVER_FAILED)
            return
        session.url = url
        session.params = dict(url.path_params)
        arrival = self._arrival(session, history, root, program=False)
        session.outbox.push_control(control_frame("url", **arrival))

    async def _navigate(
        self,
        session: Session,
        route: Route,
        url: PageUrl,
        history: History,
        root: str,
        *,
        redirects: int = 0,
    ) -> None:
        """Stop the session's view and mount ``route``'s at ``url`` in its place, same
        session; its first render frame carries the ``nav`` the page needs (URL, token,
        client program). A view that fails to start leaves a ``load`` frame: the browser
        loads the page, which shows the error page (the 404 page for a view that raised
        :class:`PageNotFound`, not logged as a failure); one that raised
        :class:`PageRedirect` is replaced by its target's view (at most
        :data:`MAX_REDIRECTS` in a row)."""
        await self._stop_view(session.session_id)
        session.route = route
        session.url = url
        session.params = dict(url.path_params)
        # The new view is mounted at the new location, for the same request and identity.
        session.context = session.context.at(url.path, url.path_params, url.query)
        session.view_absence = None
        session.arrival = self._arrival(session, history, root)
        try:
            await self._start_view(session, route)
        except (DuplicateChildId, ChildWaiting):
            pass  # as in _ensure_view: started meanwhile, or waits (the page was told)
        except Exception as error:
            session.arrival = None
            match page_answer_of(error):
                case PageRedirect(to=to) if redirects < MAX_REDIRECTS:
                    await self._redirect(session, route, to, root, redirects)
                case PageNotFound():  # the page load shows the 404 page
                    session.outbox.push_control(control_frame("load", href=root + url.href))
                case _:
                    _log.exception("endpoint.view_failed_to_start", view=route.name)
                    session.outbox.push_control(control_frame("load", href=root + url.href))

    async def _redirect(
        self, session: Session, route: Route, to: str, root: str, redirects: int
    ) -> None:
        """A navigation's view raised :class:`PageRedirect`: mount the view of its target
        instead, the browser's history entry replaced (as a 303 would); a target that is
        not a live route's path is loaded as a page."""
        try:
            where = destination(self.router, None, to, patch=False)
        except BadUrl as bad:
            _log.error("endpoint.bad_redirect", view=route.view.__name__, error=str(bad))
            await self._send_error(session, f"the view redirected to a bad URL: {bad}")
            return
        match where:
            case NavigateTo(route=target, url=url):
                await self._navigate(
                    session, target, url, History.REPLACE, root, redirects=redirects + 1
                )
            case LoadPage(href=href) | PatchTo(url=PageUrl(href=href)):
                session.outbox.push_control(control_frame("load", href=root + href))

    def _arrival(
        self, session: Session, history: History, root: str, *, program: bool = True
    ) -> dict[str, object]:
        """The page's side of a navigation: the browser URL, what its history does, a
        token for a rejoin there and (``program``: a view newly mounted) the view's
        client program, its id and script."""
        route = session.route
        assert route is not None
        arrival: dict[str, object] = {
            "href": root + session.url.href,
            "history": history.value,
            "token": self.signer.sign(
                route.name,
                session.params,
                session.session_id,
                context=session.context.to_json(),
                url=session.url.href,
            ),
        }
        if program:
            arrival["program"] = program_id(route.view)
            arrival["script"] = f"{root}{PROGRAM_PREFIX}{route.name}.js"
        return arrival

    async def reap_later(self, session: Session, generation: int) -> None:
        """Stop the view if no socket takes the session over within the grace period."""
        await trio.sleep(self.limits.rejoin_grace)
        if session.generation != generation or session.attached:
            return
        self.sessions.pop(session.session_id, None)
        await self._stop_view(session.session_id)


class _ConnectionHooks:
    """What a live connection's outbox and session call while it is served (a slotted
    object and two bound methods, in place of a partial and two closures with their
    cell): ``on_overflow`` starts the too-slow close, and ``moves_waiting`` a task that
    carries out the session's navigations, in order, each shielded (one that began
    ends, even if its socket drops meanwhile: the page's rejoin then finds it done),
    and ends when none is left. Both run in the connection's nursery; navigation is
    rare, so no task waits for it between moves."""

    __slots__ = ("_core", "_moving", "_nursery", "_outbox", "_root_path", "_session", "_ws")

    def __init__(
        self, core: Core, ws: LiveSocket, session: Session, nursery: trio.Nursery, root_path: str
    ) -> None:
        self._core = core
        self._ws = ws
        self._session = session
        self._outbox = session.outbox
        self._nursery = nursery
        self._root_path = root_path
        self._moving = False

    def overflowed(self) -> None:
        scope = self._nursery.cancel_scope
        self._nursery.start_soon(self._core._close_too_slow, self._ws, self._outbox, scope)

    def moves_waiting(self) -> None:
        if not self._moving:
            self._moving = True
            self._nursery.start_soon(self._carry_out)

    async def _carry_out(self) -> None:
        try:
            while (move := self._session.next_move()) is not None:
                with trio.CancelScope(shield=True):
                    await self._core._move(self._session, move, self._root_path)
        finally:
            self._moving = False


class _Counted:
    """``Core.counted``'s block: a slotted object, not a generator's frame, since every
    connection holds it for its whole life."""

    __slots__ = ("_client", "_core")

    def __init__(self, core: Core, client: Client) -> None:
        self._core = core
        self._client = client

    def __enter__(self) -> None:
        self._core.connections += 1
        self._client.connections += 1

    def __exit__(self, *exc_info: object) -> None:
        self._core.connections -= 1
        self._client.connections -= 1


def joined_url(claimed: str | None, path: str, path_params: Mapping[str, str]) -> PageUrl:
    """The URL a joining session's view is given: the one signed into its token (the
    page's URL at render, or at its last navigation), else the join's path."""
    if claimed is not None:
        try:
            claimed_path, query = split_href(claimed)
        except BadUrl:
            pass
        else:
            if claimed_path == path:
                return PageUrl(claimed_path, query, dict(path_params))
    return PageUrl(path, "", dict(path_params))


async def _next_frame(ws: LiveSocket, outbox: Outbox) -> str:
    """The outbox's next frame; if none comes within the socket's ``rest_after``, the
    socket lets go of its compressor while it waits on (an idle socket holds none)."""
    rest_after = ws.rest_after
    if rest_after is not None:
        with trio.move_on_after(rest_after):
            return await outbox.next()
        ws.rest()
    return await outbox.next()


def route_path(path: str, root_path: str) -> str:
    """``path`` within an application mounted at ``root_path`` (as Starlette's
    ``get_route_path``): the prefix taken off when it is there, else ``path`` as is."""
    if not root_path or not path.startswith(root_path):
        return path
    rest = path[len(root_path) :]
    if rest == "":
        return "/"
    return rest if rest.startswith("/") else path
