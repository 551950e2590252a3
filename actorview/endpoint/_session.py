"""A live session: the one place a view's frames go, across reconnects and restarts.

One session per rendered page (its id is in the join token). It owns the outbox, so
frames a view produces while its socket is down wait there (merged, bounded) and reach
the browser when it reconnects. A backlog that passed its limit was dropped (the socket
was closed as too slow): the reconnect then gets a fresh outbox and a freshly started
view, whose first render replaces the page. A restarted view instance sends into the
same session, and its first render replaces the page's live root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs
import trio

from actorview.endpoint._limits import TokenBucket
from actorview.endpoint._outbox import Outbox
from actorview.endpoint._protocol import NoticeKind, control_frame
from actorview.logging import get_logger
from actorview.view import MountContext, NavigationRequest, PageUrl

if TYPE_CHECKING:
    from actorview.endpoint._routes import Route

MAX_PENDING_MOVES = 8
"""Navigations (from the view or the page) waiting for the connection to carry them out;
one past it is dropped (logged; a page's gets an error frame)."""

_log = get_logger(component="endpoint")


@attrs.frozen
class QueuedMove:
    """One navigation waiting in a session: ``request`` (its href within the
    application), and whether the page sent it (a ``nav`` frame: its kind ``pop`` means
    the browser is already at the URL)."""

    request: NavigationRequest
    from_page: bool = False
    pop: bool = False


class Session:
    """Where the frames of one view go; its ``push_*`` methods are the view's sink."""

    __slots__ = (
        "_connection",
        "_events",
        "_max_bytes",
        "_moves",
        "arrival",
        "context",
        "generation",
        "moves_waiting",
        "needs_fresh_view",
        "outbox",
        "params",
        "received_ref",
        "route",
        "session_id",
        "url",
        "view_absence",
    )

    def __init__(
        self,
        session_id: str,
        params: dict[str, str],
        *,
        max_bytes: int,
        context: MountContext | None = None,
    ) -> None:
        self.session_id = session_id
        self.params = params
        self.context = context if context is not None else MountContext(path_params=params)
        """The request context the page was rendered with (from its join token): every
        view of the session is mounted with it, and every rejoin token carries it (a
        navigation to another route moves it there: ``MountContext.at``)."""
        self.outbox = Outbox(max_bytes=max_bytes)
        self._max_bytes = max_bytes
        self.generation = 0
        self.needs_fresh_view = False
        """Set when the browser may have lost track of the page (its socket closed with
        no status: client.js does so when a frame does not fit its page): the next join
        starts the view afresh, whose first render replaces the page."""
        self.received_ref = 0
        """The highest ``ref`` of an event or input from this page that reached the
        server. Its ``joined`` frame tells the page, which then knows that the events it
        sent after that were lost with a dropped socket (and takes back their optimistic
        changes); every event up to it is answered, in this session's frames."""
        self.view_absence: str | None = None
        """Why the session has no running view, when its supervisor said (the view stopped
        for good, or waits for a dependency): what an event meanwhile is answered."""
        self._connection: trio.CancelScope | None = None
        self._events: TokenBucket | None = None
        self.url = PageUrl("/", "", params)
        """The page's URL, as its view was last given it (live navigation)."""
        self.route: Route | None = None
        """The route whose view the session shows (a navigation changes it)."""
        self.arrival: dict[str, Any] | None = None
        """What the page needs to show the view a navigation is mounting (its URL, the
        token, its client program): sent in that view's first render frame."""
        self._moves: list[QueuedMove] = []
        """Queued navigations, oldest first (a list: at most eight, and rare; a session
        lives as long as its page, and an empty deque costs 760 bytes)."""
        self.moves_waiting: Callable[[], None] | None = None
        """Set by the connection while a socket serves the session: told when a move is
        queued, so that it carries the moves out (no task waits while none is queued)."""

    def request_navigation(self, request: NavigationRequest) -> None:
        """The view's sink for ``ops.patch`` / ``ops.navigate``: queue it for the
        connection (sync, never blocks; one past :data:`MAX_PENDING_MOVES` is dropped)."""
        self.queue_move(QueuedMove(request))

    def queue_move(self, move: QueuedMove) -> bool:
        """Queue a navigation for the connection; False if too many wait already. Moves
        queued while no socket serves the session wait for the next one."""
        if len(self._moves) >= MAX_PENDING_MOVES:
            _log.warning("endpoint.navigation.dropped", href=move.request.href[:200])
            return False
        self._moves.append(move)
        if self.moves_waiting is not None:
            self.moves_waiting()
        return True

    def next_move(self) -> QueuedMove | None:
        """The oldest queued navigation, taken from the queue, or None."""
        return self._moves.pop(0) if self._moves else None

    def event_budget(self, rate: float, burst: int) -> TokenBucket:
        """The session's event rate limit (``Limits.events_per_second``), made on first
        use and kept for the session's life: every socket of the session (a rejoin with
        its token, a copy of the token in use) takes from the same bucket."""
        if self._events is None:
            self._events = TokenBucket(rate, burst, trio.current_time())
        return self._events

    def push_patches(self, ops: list[list[Any]]) -> None:
        self.outbox.push_patches(ops)

    def push_render_frame(self, frame: str) -> None:
        """A whole new render: it replaces the live root, so what waited is moot."""
        self.outbox.push_render(frame)

    def push_notice(self, kind: NoticeKind, text: str) -> None:
        """Tell the person at the page what happened to their view (it was restarted, it
        stopped for good, it waits for a dependency, the server failed an event). The
        page shows it in ``#av-notice``, outside the view's own markup."""
        self.outbox.push_control(control_frame("notice", kind=kind.value, text=text))

    def renew_outbox(self) -> None:
        """Replace the outbox by an empty one, whose frames count from 1 again (it gave up
        on a slow reader, or the page needs a fresh view)."""
        self.outbox = Outbox(max_bytes=self._max_bytes)

    @property
    def attached(self) -> bool:
        return self._connection is not None

    def attach(self, connection: trio.CancelScope) -> int:
        """Make ``connection`` the session's socket; an older one is cancelled (the same
        page reconnected, or a copy of its token is in use). Returns the generation."""
        if self._connection is not None:
            self._connection.cancel()
        self._connection = connection
        self.generation += 1
        return self.generation

    def detach(self, generation: int) -> None:
        """The socket of ``generation`` is gone (a later attach wins)."""
        if generation == self.generation:
            self._connection = None
