"""``View``: a live view is an actor whose state, derived values and reactions are declared.

A subclass declares ``state`` and ``stream`` fields, ``calculate`` values, ``action``\\ s
for the browser, ``clause``\\ s for mailbox messages and ``async_stream``\\ s, and writes
``render``. When the class statement runs, ``__init_subclass__`` checks it all
(:func:`~actorview.declare._validator.compile_view`), plans what the browser predicts
(:func:`~actorview.optimistic._program.plan_client`), infers the bindings of ``render``
(:func:`~actorview.optimistic._bindings.infer_bindings`), and makes each view clause a
mailbox clause. At run time the view is one trio task (``await nursery.start(view.run)``):

1. browser events (:class:`ActionEvent`, :class:`InputEvent`) and stream messages arrive
   in its mailbox and are handled one at a time, in order; a clause's or an action's
   ops change state all or nothing;
2. after each message, or each coalesced batch, ``after_batch`` carries out the stream
   fires and cancels the ops asked for, recomputes the dirty calcs once, renders, diffs
   against the previous tree and hands the patch to the view's sink;
3. a paced view (``paced=True``; the endpoint runs every view so) renders what its
   streams cause at most once per ``frame_interval`` (1/60 s unless the class says
   otherwise). Tokens that arrive faster coalesce into one render and one frame; the
   render held back is sent when the interval ends, from the state as it is then, even
   if nothing else arrives. A browser event renders at once. A view that is not paced
   renders after every message or batch;
4. streams declared with ``start=`` fire themselves, as if an op had fired them: at
   start (before the first render), on :class:`Connected` (cancelled, with their
   ``every=`` timer, on :class:`Disconnected`) or on :class:`Disconnected`. A timer tells
   the view a :class:`~actorview.view._events.Tick` under a lease of its own; a tick
   while a run is live is skipped. Timers are tasks of the view's nursery and end with it.

An ``ask`` of a browser event returns its :class:`Outcome` as soon as the ops are applied;
the fires, the recompute and the render follow before the view takes its next message.
Bad browser input is answered with :class:`Rejected` (and logged at warning); the view
and its state are untouched. An action whose own expressions raise (a bug, not bad input)
is answered with :class:`Failed`, logged at error with the traceback, and the page gets a
notice; nothing changed and the view runs on. An error in a clause's ops (server code,
not browser input) propagates: the view crashes and its supervisor decides. A stream run
that fails with no clause for its :class:`StreamFailed` sends the default notice.

Example::

    class Counter(View):
        count = state(int)
        doubled = calculate(lambda count: count * 2)
        increment = action(ops.set(count=lambda count: count + 1))

        def render(self) -> Element:
            return h.div(h.button("+", id="inc"), h.span(self.doubled, id="doubled"))

    send, receive = trio.open_memory_channel[Rendered](16)
    ref = await nursery.start(Counter(sink=send).run)
    await ref.ask(ActionEvent("increment"))
"""

from __future__ import annotations

import contextlib
import inspect
import typing
import warnings
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, ClassVar, Final, TypeVar

import attrs
import trio

from actorview.declare._clauses import ViewClause
from actorview.declare._collections import PAGE_EVENT, Edge, KeptSource, PageSource
from actorview.declare._errors import (
    ExpressionError,
    InvalidParams,
    KeepFailed,
    PageError,
    SourceTimeout,
    StreamBusy,
    ViewError,
)
from actorview.declare._forms import FORM_EVENT
from actorview.declare._jobs import JobCancelled, JobTask
from actorview.declare._spec import ViewSpec
from actorview.declare._tasks import Start, StreamFailed, StreamTask
from actorview.declare._uploads import Uploaded, Uploads, UploadSpec, uploads_of
from actorview.declare._validator import compile_view
from actorview.declare._values import conforms, structure, type_name
from actorview.declare.ops import Cancel, FieldOp, Fire, FlashKind
from actorview.errors import DefinitionError
from actorview.jobs import Jobs
from actorview.mailbox import Actor, ActorStopped, MailboxFull, on
from actorview.mailbox._clauses import collect_clauses
from actorview.mailbox._lease import Lease
from actorview.mailbox._overflow import OverflowPolicy
from actorview.optimistic._bindings import infer_bindings
from actorview.optimistic._program import ClientPlan, plan_client
from actorview.pubsub import Bus, Subscription, default_bus
from actorview.render import Element, Patch, diff, h, without_stream_items
from actorview.view._components import Component, Components, target_of
from actorview.view._context import MountContext
from actorview.view._events import (
    ActionEvent,
    Applied,
    Connected,
    Disconnected,
    Failed,
    Ignored,
    InputEvent,
    Outcome,
    Rejected,
    Tick,
)
from actorview.view._jobs import JobRunner
from actorview.view._live import Live
from actorview.view._navigation import (
    NavigationKind,
    NavigationRequest,
    NavigationSink,
    PageUrl,
    UrlChanged,
    patched_href,
)
from actorview.view._notices import (
    ACTION_FAILED_TEXT,
    KEEP_FAILED_TEXT,
    STREAM_FAILED_TEXT,
    Notice,
    NoticeSink,
)
from actorview.view._page import (
    PageMessage,
    PageSink,
    PageTitle,
    flash_kind,
    pushed_event,
    title_of,
)
from actorview.view._page import flash as make_flash
from actorview.view._regions import Regions
from actorview.view._store import Plan, ViewStore
from actorview.view._tasks import RunLease, TaskRunner
from actorview.view._topics import open_subscriptions, publish_all
from actorview.view._uploads import (
    UploadAnswer,
    UploadCancel,
    UploadChunk,
    UploadStart,
    UploadTable,
    UploadTick,
)

T = TypeVar("T")
C = TypeVar("C", bound=Component)

PAGE_TIMEOUT: Final = 5.0
"""Seconds a paged stream's source may take to answer one call (``count`` or
``slice``); past it, the page request is dropped with a warning and the browser may ask
again by scrolling (opening the stream in ``on_start`` raises :class:`PageError`)."""


UPLOAD_CHECK_INTERVAL: Final = 1.0
"""Seconds between two checks for stalled uploads, while a file is arriving."""

UPLOAD_DISCONNECTED: Final = "the connection dropped before it finished; choose the file again"
"""Why a file still arriving failed when the page's socket went away."""


async def _kept(keeping: Awaitable[None]) -> bool:
    await keeping
    return True


RUNTIME_MESSAGES: tuple[type, ...] = (
    ActionEvent,
    InputEvent,
    Connected,
    Disconnected,
    Tick,
    *(UploadStart, UploadChunk, UploadCancel, UploadTick),  # uploads
    UrlChanged,
)
"""Message types the runtime sends every view."""


@attrs.frozen
class Rendered:
    """One render of a view, handed to its sink.

    Attributes:
        version: 0 for the first render (at start), then +1 per render that changed the
            page.
        tree: the new tree. For version 0 the page is ``to_html(tree)``; afterwards its
            stream containers carry only the ops of this render.
        patches: the patch ops from the previous tree to this one (empty for version 0).
    """

    version: int
    tree: Element
    patches: tuple[Patch, ...]


RenderSink = trio.MemorySendChannel[Rendered] | Callable[[Rendered], Awaitable[None] | None]
"""Where a view sends its renders: a memory channel, or a (sync or async) callback."""


def _run_key(lease: Lease | None) -> Any:
    """The key of the run that sent a message under ``lease`` (``None``: no keyed run)."""
    return lease.key if isinstance(lease, RunLease) else None


def _make_clause_handler(declared: ViewClause, spec: ViewSpec) -> Callable[..., Any]:
    """The mailbox handler of a view clause: synchronous, unless its ops change a stream
    field (whose source may keep the changes first: an await). A clause that reads
    ``run_key`` sees each message with the key of the run that emitted it."""
    keyed = declared.reads_run_key

    def handle(self: View, _av_message: Any) -> None:
        key = _run_key(self._current_lease) if keyed else None
        self._view_store.handle(declared, _av_message, key)

    async def handle_kept(self: View, _av_message: Any) -> None:
        key = _run_key(self._current_lease) if keyed else None
        plan = self._view_store.plan_clause(declared, _av_message, key)
        if await self._keep(plan, f"clause {declared.name!r}"):
            self._view_store.carry_out(plan)

    def guard(self: View, _av_message: Any) -> bool:
        key = _run_key(self._current_lease) if keyed else None
        return self._view_store.guard(declared, _av_message, key)

    changes_streams = any(
        isinstance(op, FieldOp) and op.field in spec.collections for op in declared.ops
    )
    handler: Callable[..., Any] = handle_kept if changes_streams else handle
    handler.__name__ = handler.__qualname__ = f"_av_clause_{declared.name}"
    decorate = on(
        declared.message_type,
        match=declared.match,
        when=guard if declared.when is not None else None,
        batch=declared.batch,
    )
    return decorate(handler)


class View(Actor):
    """Base class of live views. See the module docstring for the life of a view.

    Class keywords:
        receives: message types other tasks may tell the view (for example a pubsub
            topic's messages), besides browser events and its streams' messages. A
            subclass receives what its bases receive, plus its own.
        Any other keyword goes to :class:`~actorview.mailbox.Actor` (``unhandled=``).

    Constructor:
        params: the mount parameters: an instance of the type ``mount`` declares, or an
            untrusted mapping that is structured into it (an error raises
            :class:`~actorview.view.InvalidParams` and no view is made).
        sink: where renders go (:data:`RenderSink`); ``None`` renders for nobody (the
            stream items are still handed over and forgotten).
        notices: where notices for the person at the page go
            (:data:`~actorview.view._notices.NoticeSink`; see :meth:`notify`); ``None``
            drops them (they are logged).
        page: where events for the page's hooks, flashes and title changes go
            (:data:`~actorview.view._page.PageSink`), each after the render it follows;
            ``None`` drops them.
        name, capacity, overflow, max_batch: as for :class:`~actorview.mailbox.Actor`.
        paced: render what streams cause at most once per ``frame_interval`` (the
            endpoint passes ``True``: fewer, fuller frames for the socket); the default
            renders after every message or batch (tests, other hosts).
        url: the page's :class:`PageUrl`: :meth:`handle_params` runs with it after
            ``mount`` (``None``, a view with no page: it never runs).
        navigation: where ``ops.patch`` / ``ops.navigate`` go
            (:data:`~actorview.view.NavigationSink`: the endpoint's session, the test
            client); ``None`` logs and drops them.
        jobs: the jobs backend (``actorview.jobs``) its ``job`` declarations run on and
            follow; ``None``: a fire is refused as a failed run naming the fix.
    """

    if typing.TYPE_CHECKING:
        # The actor's public names, free for a subclass's declarations: typed loosely
        # here so that ``state = state(str)`` checks under mypy. The runtime reads none
        # of them on a view; ``view.live`` has each one typed.
        actor_id: Any
        name: Any
        mailbox: Any
        max_batch: Any
        state: Any
        log: Any
        ref: Any
        current_lease: Any
        nursery: Any
        run: Any
        stop: Any
        kill: Any

    __view_spec__: ClassVar[ViewSpec]
    __view_client__: ClassVar[ClientPlan | None] = None
    """What the browser predicts for this class (``None``: nothing optimistic)."""
    __view_receives__: ClassVar[tuple[type, ...]] = ()
    __view_mount_context__: ClassVar[bool] = False
    """Whether ``mount`` takes the :class:`MountContext` as a second parameter."""
    __view_uploads__: ClassVar[Mapping[str, UploadSpec]] = {}
    """The uploads the class declares (``upload(...)``), by name."""

    __slots__ = (
        "_av_components",
        "_av_regions",
        "_av_rendering",
        "_bus",
        "_connected",
        "_frame_interval",
        "_job_runners",
        "_jobs",
        "_live",
        "_navigation",
        "_notices",
        "_page",
        "_render_now",
        "_render_pending",
        "_rendered_at",
        "_runners",
        "_sink",
        "_sources",
        "_subscriptions",
        "_timers",
        "_title",
        "_tree",
        "_upload_owner",
        "_upload_timer",
        "_uploads",
        "_url",
        "_version",
        "_view_store",
        "context",
    )
    """The runtime's state in slots, as the actor's (``_av_components`` is set only
    once the view shows a component)."""

    frame_interval: ClassVar[float] = 1 / 60
    """Least seconds between two renders caused by stream (or other non-browser) messages,
    when the view is paced (``paced=True``, as the endpoint runs it).

    Set it per class (``frame_interval = 0.05``; ``0`` renders after every message or
    batch even when paced). Browser events, connects and disconnects always render at
    once, so the patch an action causes follows its reply without waiting.
    """

    def __init_subclass__(cls, *, receives: tuple[type, ...] = (), **kwargs: Any) -> None:
        inherited: tuple[type, ...] = getattr(cls, "__view_receives__", ())
        receives = tuple(dict.fromkeys((*inherited, *receives)))
        cls.__view_receives__ = receives
        cls.__view_uploads__ = uploads_of(cls)
        spec = compile_view(
            cls,
            receives=(*receives, Uploaded) if cls.__view_uploads__ else receives,
            runtime_messages=RUNTIME_MESSAGES,
            plain_clauses=collect_clauses(cls),
            reserved=_RESERVED,
        )
        cls.__view_spec__ = spec
        cls.__view_mount_context__ = _mount_takes_context(cls)
        cls.__view_client__ = infer_bindings(cls, spec, plan_client(spec))
        for declared in spec.clauses:
            handler = _make_clause_handler(declared, spec)
            setattr(cls, handler.__name__, handler)
        kwargs.setdefault("accepts", tuple(dict.fromkeys((*RUNTIME_MESSAGES, *spec.sendable))))
        super().__init_subclass__(**kwargs)

    def __init__(
        self,
        params: Any = None,
        *,
        sink: RenderSink | None = None,
        name: str | None = None,
        capacity: int = 256,
        overflow: OverflowPolicy | None = None,
        max_batch: int = 256,
        paced: bool = False,
        notices: NoticeSink | None = None,
        page: PageSink | None = None,
        context: MountContext | None = None,
        bus: Bus | None = None,
        url: PageUrl | None = None,
        navigation: NavigationSink | None = None,
        jobs: Jobs | None = None,
    ) -> None:
        super().__init__(name=name, capacity=capacity, overflow=overflow, max_batch=max_batch)
        self._av_rendering = False
        """True while ``render`` runs (a component shown then joins that render)."""
        self._bus: Bus = bus if bus is not None else default_bus()
        self._jobs = jobs
        self._frame_interval = type(self).frame_interval if paced else 0.0
        spec = type(self).__view_spec__
        plan = type(self).__view_client__
        self._view_store = ViewStore(
            spec,
            type(self).__name__,
            busy=self._stream_busy,
            live_runs=self._stream_runs,
            revoke=self._revoke_stream,
            marked=plan.predicted_streams if plan is not None else (),
        )
        self._runners: dict[str, TaskRunner] = {}
        self._job_runners: dict[str, JobRunner] = {}
        self._timers: dict[str, trio.CancelScope] = {}
        self._sources: dict[str, PageSource[Any]] = {}
        self._subscriptions: Sequence[Subscription] = ()
        """The topics it subscribed to, held until the view ends (``_released``)."""
        self._sink = sink
        self._notices = notices
        self._page = page
        self._title: str | None = None
        """The title last handed to the page."""
        self._uploads = UploadTable(type(self).__name__, type(self).__view_uploads__)
        self._upload_timer = False
        self._upload_owner = False
        self._tree: Element | None = None
        self._render_pending = False
        self._render_now = False
        self._rendered_at = float("-inf")
        self._version = 0
        self._connected = False
        self._log = self._log.bind(view=type(self).__name__)
        self._live = Live(self)
        self.context: Final[MountContext] = context if context is not None else MountContext()
        """The request this view was mounted for and who it is for (:class:`MountContext`):
        set before ``mount``, the same in ``load`` and for the view's whole life (a
        restarted or re-mounted view gets the one its page was rendered with)."""
        self._url = url
        self._navigation = navigation
        if type(self).__view_mount_context__:
            self.mount(self._mount_params(params), self.context)
        else:
            self.mount(self._mount_params(params))
        if url is not None:
            self.handle_params(url)
        self._view_store.compute_all()

    # -- hooks for subclasses --------------------------------------------------------

    def mount(self, params: Any, *args: Any, **kwargs: Any) -> None:
        """Set the initial state from the mount params (annotate ``params`` with its type).

        Override it as ``def mount(self, params: Params)`` or as ``def mount(self,
        params: Params, context: MountContext)`` (its signature is checked when the
        class is defined; the base's ``*args, **kwargs`` only let a type checker accept
        both).

        Runs in the constructor, before the calcs are first computed. Assign fields
        directly here (``self.token_delay = params.token_delay``). Declared with a second
        parameter, ``def mount(self, params, context: MountContext)``, it also gets the
        request's :class:`MountContext` (also ``self.context``, here and later).
        """

    def handle_params(self, url: PageUrl) -> None:
        """Set state from the page's URL (override it; LiveView's ``handle_params``).

        Called with the page's :class:`PageUrl` after :meth:`mount` (before :meth:`load`,
        for the page's HTML render too, so a page loaded at a patched URL shows that
        state at once) and again after every patch of the URL (``ops.patch``, an
        ``av-patch`` link, the browser's back and forward buttons), without a remount.
        Assign fields directly, as in ``mount`` (``self.page = int(url.get("page", "1"))``);
        everything in ``url`` came from the browser, so bound what you read. A view
        mounted without a URL (a bare ``View(params)``) never hears it.

        What it raises on a patch is logged, the page is told that something failed,
        and the URL stays as it was; raised at mount, it fails the mount. Read the
        current URL as :attr:`url`.
        """

    async def load(self) -> None:
        """Read what the first render shows from outside the view (override it): open a
        paged stream on its source (:meth:`open_pages`), read a record.

        Called twice, as LiveView calls ``mount``: before the page's first HTML render
        (so the page shows the history, not an empty list it then fills), on an instance
        that is then dropped, and again when the live view starts, before its first
        render. Keep it to reads (no stream fires: the first instance never runs). Each
        source call is bounded by :data:`PAGE_TIMEOUT`; what it raises fails the page
        (a 500 page with a retry link) or the start (the supervisor decides).
        """

    def render(self) -> Element:
        """The view's HTML tree, built from its fields and calcs (override it).

        It must only read: it runs after every message or batch that changed state.
        """
        return h.div()

    def on_connect(self) -> None:
        """Called when a browser connects (a :class:`Connected` message)."""

    def on_disconnect(self) -> None:
        """Called when the browser goes away (a :class:`Disconnected` message)."""

    def notify(self, text: str) -> None:
        """Show ``text`` to the person at the page, outside the view's markup (the page's
        ``#av-notice``, as an error notice that hides itself after a while).

        For what failed on the server while the view goes on; a plain ``@on(StreamFailed)``
        method may call it to replace the default notice of a failed stream. ``text`` is
        plain text, cut to :data:`~actorview.view._notices.MAX_NOTICE_CHARS`; keep details
        for the log. Sync, never blocks: the host queues it (the endpoint in the session's
        bounded outbox). Without a notice sink, it is only logged.
        """
        notice = Notice(text)
        self._log.info("view.notice", text=notice.text)
        if self._notices is not None:
            self._notices(notice)

    def push_event(self, name: str, payload: Any = None) -> None:
        """Send event ``name`` with JSON ``payload`` to the page's hooks, as
        ``ops.push_event`` does (same checks, same order): for plain ``@on`` clauses,
        ``on_connect`` and ``on_start``. Call it in the view's task; it reaches the page
        after the render of the message being handled (in ``on_start``, call it before
        ``await super().on_start()``: it then follows the first render). Raises
        ``OpError`` (the name, or a payload that is not JSON) or ``EventTooLarge``;
        nothing is sent then.
        """
        # Not reserved: a view that declares a field named push_event (or flash) keeps
        # the name for it, and pushes with the ops instead.
        where = f"View.push_event({name!r})"
        event = pushed_event(type(self).__name__, where, name, payload)
        self._view_store.page_messages.append(event)

    def flash(self, kind: FlashKind | str, text: str) -> None:
        """Show ``text`` in a toast of ``kind`` (``"info"``, ``"success"``, ``"warning"``,
        ``"error"``), as ``ops.flash`` does, where :meth:`push_event` may be called and
        in the same order. ``ValueError`` for an unknown kind, ``OpError`` for a text
        that is not a str."""
        view = type(self).__name__
        chosen = flash_kind(view, kind)
        message = make_flash(view, f"View.flash({chosen.value!r})", chosen, text)
        self._view_store.page_messages.append(message)

    async def open_pages(self, stream: str, source: PageSource[Any]) -> None:
        """Open paged stream field ``stream`` on ``source`` and show its newest page.

        Call it in :meth:`load`, so the first render (the page's HTML too) holds at most
        ``page`` items however long the sequence is. From then on the container
        carries ``av-viewport-top`` (and ``av-viewport-bottom``) while there is more to
        load; the browser's scroll requests are answered with one page each, in one
        frame, read from ``source`` by this task (each call bounded by
        :data:`PAGE_TIMEOUT`; the view handles nothing else meanwhile).

        Raises :class:`PageError` if ``stream`` is not a paged stream field, already has
        items or a source, or the source gives a wrong page; :class:`SourceTimeout` (a
        ``TimeoutError``: a route waits on it) if the source does not answer in time.
        """
        declared = type(self).__view_spec__.collections.get(stream)
        if declared is None or declared.page is None:
            raise PageError(
                stream,
                f"not a paged stream field; declare {stream} = stream(Item, page=N) to "
                f"call open_pages on it.",
                view=type(self).__name__,
            )
        items = self._view_store.stream(stream)
        total = await self._ask_source(stream, "count()", source.count())
        if total is None:
            raise SourceTimeout(
                stream,
                f"its source did not count its items within {PAGE_TIMEOUT:g} s.",
                view=type(self).__name__,
            )
        items.open_window(total)
        self._sources[stream] = source
        if not await self._show_page(stream, "top"):
            raise SourceTimeout(
                stream,
                f"its source did not give the newest page within {PAGE_TIMEOUT:g} s.",
                view=type(self).__name__,
            )

    async def refresh_pages(self, stream: str, *, rewritten: bool = False) -> bool:
        """Take in what changed in paged stream ``stream``'s source outside this view
        (another view or worker wrote to it): call it from a clause, as a topic says so.

        Appended (the default): the source is counted again; the items past the
        sequence's end join it, and if the window showed the newest, the next page of
        them is shown now (as if the page was scrolled to the bottom); else the
        container's ``av-viewport-bottom`` offers them. ``rewritten``: items were
        removed or replaced, so positions moved: the window is emptied and the newest
        page shown again, as :meth:`open_pages` did.

        Each source call is bounded by :data:`PAGE_TIMEOUT`; returns False (nothing
        changed, logged) if one did not answer in time. Raises :class:`PageError` if the
        stream was not opened on a source, or the source gives a wrong page (as one that
        others write to may, changed between the count and the page: call it again with
        ``rewritten=True``, once the source has forgotten what positions it knew).
        """
        source = self._sources.get(stream)
        if source is None:
            raise PageError(
                stream,
                "it was not opened on a source; call open_pages in load before refresh_pages.",
                view=type(self).__name__,
            )
        total = await self._ask_source(stream, "count()", source.count())
        if total is None:
            return False
        items = self._view_store.stream(stream)
        if rewritten or total < items.total:
            items.reopen(total)
            self._view_store.stream_changed(stream)
            return await self._show_page(stream, "top")
        if total == items.total:
            return True
        at_end = items.source_grew(total)
        self._view_store.stream_changed(stream)
        return await self._show_page(stream, "bottom") if at_end else True

    # -- the runtime's side -----------------------------------------------------------

    @property
    def live(self) -> Live:
        """The runtime's attributes of this view (:class:`~actorview.view.Live`):
        ``view.live.store``, ``.streams``, ``.tree``, ``.version``, ``.connected``,
        ``.url``, ``.ref``, ``.log``, ``.run`` ... Kept behind one name so that a view may
        declare fields called ``name``, ``version``, ``state``, ``log``, ``connected``,
        ``url``, ``run``."""
        return self._live

    if not typing.TYPE_CHECKING:  # deprecated aliases; a field may take any of the names

        @property
        def store(self) -> ViewStore:
            """Deprecated: ``view.live.store``."""
            return _moved(self, "store").store

        @property
        def streams(self) -> Mapping[str, TaskRunner]:
            """Deprecated: ``view.live.streams``."""
            return _moved(self, "streams").streams

        @property
        def render_held_back(self) -> bool:
            """Deprecated: ``view.live.render_held_back``."""
            return _moved(self, "render_held_back").render_held_back

        @property
        def tree(self) -> Element | None:
            """Deprecated: ``view.live.tree``."""
            return _moved(self, "tree").tree

        @property
        def version(self) -> int:
            """Deprecated: ``view.live.version``."""
            return _moved(self, "version").version

        @property
        def connected(self) -> bool:
            """Deprecated: ``view.live.connected``."""
            return _moved(self, "connected").connected

    # -- browser events and lifecycle messages -------------------------------------------

    @on(ActionEvent)
    async def _av_action(self, event: ActionEvent) -> Outcome:
        self._render_now = True
        if event.name == PAGE_EVENT:
            return await self._page_event(event.params)
        if event.name == FORM_EVENT:
            return await self._form_event(event.params)
        if (target := target_of(event.name)) is not None:
            return self._components_host().act(
                target, event.params, lambda: self.notify(ACTION_FAILED_TEXT)
            )
        store = self._view_store
        try:
            plan = store.prepare(event.name, event.params)
        except ExpressionError as error:
            self._log.error("view.action.failed", action=event.name, exc_info=error)
            self.notify(ACTION_FAILED_TEXT)
            return Failed(error)
        except ViewError as error:
            self._log.warning("view.action.rejected", action=event.name, error=str(error))
            return Rejected(error)
        if plan is None:
            return Ignored(f"the guard of action {event.name!r} is false")
        if not await self._keep(plan, f"action {event.name!r}"):
            store.abandon(plan)
            return Failed(KeepFailed(type(self).__name__, f"action {event.name!r}"))
        store.carry_out(plan)
        return Applied()

    @on(InputEvent)
    def _av_input(self, event: InputEvent) -> Outcome:
        self._render_now = True
        if (target := target_of(event.field)) is not None:
            return self._components_host().input(target, event.value)
        try:
            self._view_store.input(event.field, event.value)
        except ViewError as error:
            self._log.warning("view.input.rejected", field=event.field, error=str(error))
            return Rejected(error)
        return Applied()

    @on(Connected)
    def _av_connected(self, event: Connected) -> None:
        self._connected = True
        self._render_now = True
        self._start_streams(Start.CONNECT)
        self.on_connect()

    @on(Disconnected)
    def _av_disconnected(self, event: Disconnected) -> None:
        self._connected = False
        self._render_now = True
        for name, declared in type(self).__view_spec__.tasks.items():
            if declared.start is Start.CONNECT:
                self._stop_timer(name)
                self._view_store.apply((Cancel(name),), where=f"{name} (start='connect')")
        self._start_streams(Start.DISCONNECT)
        self._uploads.fail_uploading(UPLOAD_DISCONNECTED)
        self.on_disconnect()

    @on(UrlChanged)
    def _av_url(self, changed: UrlChanged) -> Outcome:
        """The host patched the page's URL: run ``handle_params`` with it."""
        self._render_now = True
        try:
            self.handle_params(changed.url)
        except Exception as error:
            self._log.error("view.handle_params.failed", url=changed.url.href[:200], exc_info=error)
            self.notify(ACTION_FAILED_TEXT)
            return Failed(ExpressionError(type(self).__name__, "handle_params", error))
        self._url = changed.url
        return Applied()

    @on(Tick)
    def _av_tick(self, tick: Tick) -> None:
        """A timer of a stream with ``every=`` came due: fire it, unless a run is live."""
        if tick.stream in self._timers and not self._stream_busy(tick.stream, None):
            self._view_store.apply((Fire(tick.stream),), where=f"{tick.stream} (every=)")

    # -- uploads (actorview.view._uploads has the rules) ------------------------------

    def _av_upload_value(self, name: str) -> Uploads:
        """What ``self.<upload>`` reads (the declaration's descriptor calls it)."""
        return self._uploads.value(name)

    def cancel_upload(self, upload: str, file_id: int | None = None) -> None:
        """Remove the files of ``upload`` (only ``file_id``'s, if given) and delete
        their bytes; a file still arriving is refused from its next chunk on, and the
        page stops sending it. Call it from the view's own task (a handler). Raises
        ``KeyError`` for an upload the view does not declare."""
        self._uploads.cancel_upload(upload, file_id)
        self._render_pending = True

    @on(UploadStart)
    def _av_upload_start(self, event: UploadStart) -> UploadAnswer:
        self._render_now = self._render_pending = True
        answer = self._uploads.start(event, trio.current_time())
        if answer.error is not None:
            self._log.warning("view.upload.rejected", error=answer.error)
        if not self._upload_owner:
            self._upload_owner = True
            self._live.nursery.start_soon(self._own_uploads)
        if self._uploads.uploading and not self._upload_timer:
            self._upload_timer = True
            self._live.nursery.start_soon(self._watch_uploads)
        return answer

    @on(UploadChunk)
    def _av_upload_chunk(self, event: UploadChunk) -> UploadAnswer:
        self._render_pending = True  # progress: paced, one render per frame interval
        answer, uploaded = self._uploads.chunk(event, trio.current_time())
        if uploaded is not None:
            self._render_now = True
            self._live.nursery.start_soon(self._tell_uploaded, uploaded)
        return answer

    @on(UploadCancel)
    def _av_upload_cancel(self, event: UploadCancel) -> UploadAnswer:
        self._render_now = self._render_pending = True
        return self._uploads.cancel(event)

    @on(UploadTick)
    def _av_upload_tick(self, event: UploadTick) -> None:
        if self._uploads.fail_stalled(trio.current_time()):
            self._render_pending = True

    async def _tell_uploaded(self, uploaded: Uploaded) -> None:
        with contextlib.suppress(ActorStopped):
            await self._ref.tell(uploaded)

    async def _own_uploads(self) -> None:
        """Close every upload's file (deleting its bytes) when the view ends, however it
        ends: stopped, crashed or cancelled (the view's nursery is cancelled then)."""
        try:
            await trio.sleep_forever()
        finally:
            self._uploads.close()

    async def _watch_uploads(self) -> None:
        """While a file is arriving, tell the view to fail the stalled ones, each
        second (a timer of the view's nursery: it ends with the view)."""
        try:
            while self._uploads.uploading:
                await trio.sleep(UPLOAD_CHECK_INTERVAL)
                await self._ref.tell(UploadTick())
        except ActorStopped:
            pass
        finally:
            self._upload_timer = False

    # -- the actor's life --------------------------------------------------------------

    def _released(self) -> None:
        """Close its subscriptions when the view ends, however it ends (no task of the
        view waits for its life to do it)."""
        subscriptions, self._subscriptions = self._subscriptions, ()
        for subscription in subscriptions:
            subscription.close()

    async def on_start(self) -> None:
        await self.load()
        spec = type(self).__view_spec__
        if spec.subscriptions:
            read = self._view_store.read
            self._subscriptions = open_subscriptions(spec, read, self._bus, self._ref.tell_nowait)
        for name, declared in spec.tasks.items():
            if isinstance(declared, JobTask):
                runner = JobRunner(
                    declared,
                    self._jobs,
                    self._live.nursery,
                    self._tell_under,
                    self._log,
                    failure_handled=name in spec.failure_handled,
                    unhandled=self._stream_failed_unhandled,
                    read=self._view_store.read,
                    notify=self.notify,
                    cancel_handled=any(
                        issubclass(JobCancelled, c.message_type) for c in spec.clauses
                    ),
                )
                runner.follow()
                self._job_runners[name] = runner
            # A stream's runner is made when it is first fired (``_runner``): an idle
            # page holds none for the streams it declares but never fired.
        self._start_streams(Start.MOUNT)
        await self._carry_out_effects()
        self._view_store.recompute()
        self._rendered_at = trio.current_time()
        tree = self._render_tree()
        self._tree = self._without_items(tree)
        await self._send(Rendered(0, tree, ()))
        self._hand_to_page(first=True)

    async def after_batch(self) -> None:
        """Carry out stream fires/cancels, recompute dirty calcs once, render and diff.

        Runs once after each handled message or coalesced batch, in the view's task,
        before the next message is taken. The calcs are always current when it returns
        (guards read them); the render is held back when the last one was less than
        ``frame_interval`` ago and no browser event asks for it (see ``on_deadline``).
        """
        await self._carry_out_effects()
        if self._view_store.published:
            published, self._view_store.published = self._view_store.published, []
            await publish_all(self._bus, published, self._log, self.notify)
        changed = self._view_store.recompute()
        for job in self._job_runners.values():
            job.follow_changed(changed)  # a field or calc its key reads changed: follow anew
        if changed or self._components_changed():
            self._render_pending = True
        urgent, self._render_now = self._render_now, False
        if not self._render_pending:
            self._hand_to_page()  # nothing to draw first
            return
        if not urgent and self._hold_back():
            return  # what was pushed waits for the render held back
        await self._render_and_send()

    async def on_deadline(self) -> None:
        """The frame interval of a held-back render ended: render the state as it is now."""
        if self._render_pending:
            await self._render_and_send()

    # -- components (view/_components.py) ------------------------------------------------

    def component(self, cls: type[Component], /, *, key: str | int, **props: Any) -> Element:
        """Show component ``cls`` under ``key`` with ``props``, in :meth:`render`.

        The component is made the first render that shows it and dropped after the first
        that does not; it is rendered again only when a prop or its own state changed
        (else this returns the element of last time, which the diff skips). The events
        in its markup go to its own actions. Raises :class:`ComponentError` for a key
        shown twice, an unknown or missing prop, or a message type the view does not
        receive. See docs/COMPONENTS.md.

        Example: ``h.ul(*(self.component(Row, key=t.id, todo=t) for t in self.todos))``.
        """
        regions: Regions | None = getattr(self, "_av_regions", None)
        if regions is not None:
            regions.component_shown()
        return self._components_host().show(cls, key, props)

    def region(self, build: Callable[[], Element], /, *, key: Hashable = None) -> Element:
        """A part of ``render`` rebuilt only when what it reads changed: ``build()`` the
        first time, then the element it built, *the same object*, until a state field,
        calc or stream it read (found as it builds), or a value its function closes over,
        has changed; the diff skips an unchanged region by identity, so a streamed token
        costs only the parts of the page that read the stream.

        Example: ``self.region(lambda: h.form(h.input(name="input"), h.button("Send",
        disabled=self.streaming)))``. The region is named by its function's code (and
        ``key``, for one function shown several times). Raises
        :class:`~actorview.view.RegionError` when a region reads an attribute of the view
        that is not declared (``self._x``: checked on its first build), shows a
        component, or returns something other than one element. See the README (A tour,
        "Render regions") and docs/PERFORMANCE.md."""
        regions: Regions | None = getattr(self, "_av_regions", None)
        if regions is None:
            regions = self._av_regions = Regions(type(self).__name__, self._view_store)
        return regions.show(build, key, self)

    @property
    def components(self) -> Mapping[str, Component]:
        """The components the last render showed, by id (``"Counter/a"``)."""
        return self._components_host().live

    def _components_host(self) -> Components:
        host: Components | None = getattr(self, "_av_components", None)
        if host is None:
            host = self._av_components = Components(
                type(self).__name__,
                type(self).__view_receives__,
                self._tell_from_component,
                self._log,
                streams=bool(type(self).__view_spec__.collections),
            )
            if self._av_rendering:  # made by the render's first component
                host.begin_render()
        return host

    def _components_changed(self) -> bool:
        host: Components | None = getattr(self, "_av_components", None)
        return host is not None and host.changed

    def _render_tree(self) -> Element:
        """``render``, with the components it shows kept, made and dropped. A view that
        has never shown a component holds no host for them: its render is ``render``."""
        host: Components | None = getattr(self, "_av_components", None)
        if host is not None:
            host.begin_render()
        self._av_rendering = True
        try:
            tree = self.render()
        except BaseException:
            host = getattr(self, "_av_components", None)
            if host is not None:
                host.abort_render()
            raise
        finally:
            self._av_rendering = False
        host = getattr(self, "_av_components", None)  # the render's first component made it
        return tree if host is None else host.end_render(tree)

    def _tell_from_component(self, message: Any) -> None:
        """A component's ``ops.tell_parent``: into this view's own mailbox, without
        waiting (the view's task must not wait on itself); when the mailbox is full, a
        task of the view's nursery waits for room."""
        try:
            self._ref.tell_nowait(message)
        except MailboxFull:
            self._live.nursery.start_soon(self._ref.tell, message)

    # -- internals -----------------------------------------------------------------------

    async def _page_event(self, params: Any) -> Outcome:
        """The browser scrolled to an edge of a paged stream: show the next page there."""
        stream = params.get("stream") if isinstance(params, Mapping) else None
        edge = params.get("edge") if isinstance(params, Mapping) else None
        if stream not in self._sources or edge not in ("top", "bottom"):
            error = InvalidParams(
                type(self).__name__,
                f'event {PAGE_EVENT!r} needs params {{"stream": <a paged stream opened on '
                f'a source: {", ".join(self._sources) or "none"}>, "edge": "top" | '
                f'"bottom"}}, got {params!r}.',
                params=params,
            )
            self._log.warning("view.page.rejected", error=str(error))
            return Rejected(error)
        assert isinstance(stream, str)
        if self._view_store.stream(stream).wanted(edge) is None:
            return Ignored(f"{stream} has nothing more at its {edge}")
        if not await self._show_page(stream, edge):
            return Ignored(f"the source of {stream} did not answer within {PAGE_TIMEOUT:g} s")
        return Applied()

    async def _form_event(self, params: Any) -> Outcome:
        """The page's form changed or was submitted (``av-form``): the form's state
        follows; a valid submit runs its ops as an action's, a submit with errors is
        answered :class:`Ignored` (its state now shows them)."""
        store = self._view_store
        try:
            prepared = store.prepare_form(params)
        except ExpressionError as error:
            self.log.error("view.form.failed", exc_info=error)
            self.notify(ACTION_FAILED_TEXT)
            return Failed(error)
        except ViewError as error:
            self.log.warning("view.form.rejected", error=str(error))
            return Rejected(error)
        if isinstance(prepared, str):
            return Ignored(prepared)
        if not await self._keep(prepared, "form submit"):
            store.abandon(prepared)
            return Failed(KeepFailed(type(self).__name__, "form submit"))
        store.carry_out(prepared)
        return Applied()

    async def _show_page(self, stream: str, edge: Edge) -> bool:
        """Read the page next to ``stream``'s window at ``edge`` from its source and show
        it; False if the source did not answer in time (nothing changed). A page that
        does not fit raises :class:`PageError`."""
        items = self._view_store.stream(stream)
        wanted = items.wanted(edge)
        if wanted is None:
            return True
        start, stop = wanted
        call = f"slice({start}, {stop})"
        page = await self._ask_source(stream, call, self._sources[stream].slice(start, stop))
        if page is None:
            return False
        item_type = type(self).__view_spec__.collections[stream].item_type
        for item in page:
            if not conforms(item, item_type):
                raise PageError(
                    stream,
                    f"its source's {call} gave {item!r}, not {type_name(item_type)}.",
                    view=type(self).__name__,
                )
        items.show_page(start, stop, page)
        self._view_store.stream_changed(stream)
        self._log.debug("view.page.shown", stream=stream, edge=edge, start=start, stop=stop)
        return True

    async def _keep(self, plan: Plan, where: str) -> bool:
        """Tell each kept source the changes ``plan`` makes to its stream, before they are
        made; False (logged, and the page told :data:`KEEP_FAILED_TEXT`) if one raised
        or did not answer within :data:`PAGE_TIMEOUT`."""
        if not self._sources:
            return True
        for stream, changes in self._view_store.stream_changes(plan).items():
            source = self._sources.get(stream)
            if not isinstance(source, KeptSource):
                continue
            try:
                kept = await self._ask_source(stream, "keep()", _kept(source.keep(changes)))
            except Exception as error:
                self._log.error("view.keep.failed", stream=stream, where=where, exc_info=error)
                kept = False
            if not kept:
                self.notify(KEEP_FAILED_TEXT)
                return False
        return True

    async def _ask_source(self, stream: str, call: str, answer: Awaitable[T]) -> T | None:
        """``await answer`` within :data:`PAGE_TIMEOUT`; None (logged) if it took longer."""
        with trio.move_on_after(PAGE_TIMEOUT):
            return await answer
        self._log.warning("view.page.timeout", stream=stream, call=call, seconds=PAGE_TIMEOUT)
        return None

    def _hold_back(self) -> bool:
        """Whether to hold the pending render until the frame interval ends (and ask the
        actor for a deadline then)."""
        interval = self._frame_interval
        if interval <= 0:
            return False
        due = self._rendered_at + interval
        if trio.current_time() >= due:
            return False
        self.set_deadline(due)
        return True

    async def _render_and_send(self) -> None:
        self._render_pending = False
        self.set_deadline(None)
        self._rendered_at = trio.current_time()
        tree = self._render_tree()
        previous, self._tree = self._tree, self._without_items(tree)
        if previous is None:
            return
        patches = diff(previous, tree)
        if patches:
            self._version += 1
            await self._send(Rendered(self._version, tree, tuple(patches)))
        self._hand_to_page()

    def _hand_to_page(self, *, first: bool = False) -> None:
        """After a render (or a message that drew nothing): hand the page the title, if
        it changed (or this was the first render, which replaces the whole page), then
        what the ops pushed, in order."""
        store = self._view_store
        title = title_of(self)
        messages: list[PageMessage] = []
        if title is not None and (first or title != self._title):
            messages.append(PageTitle(title))
        self._title = title
        if store.page_messages:
            messages.extend(store.page_messages)
            store.page_messages = []
        if not messages:
            return
        page = self._page
        if page is None:
            return
        for message in messages:
            page(message)

    def _hand_moves(self) -> None:
        """Hand the navigations the last message's ops asked for to the host."""
        store = self._view_store
        moves, store.moves = store.moves, []
        for move in moves:
            href = (
                patched_href(self._url, move.to, move.query)
                if move.kind is NavigationKind.PATCH
                else move.to or "/"
            )
            request = NavigationRequest(move.kind, href, move.replace)
            if self._navigation is None:
                self._log.warning(
                    "view.navigation.dropped",
                    kind=move.kind.value,
                    href=href[:200],
                    hint="this view has no host that navigates (serve it under an "
                    "Application, or mount it with actorview.testing.mount)",
                )
                continue
            self._navigation(request)

    async def _carry_out_effects(self) -> None:
        store = self._view_store
        if store.moves:
            self._hand_moves()
        while store.effects:
            effects, store.effects = store.effects, []
            for effect in effects:
                runner = self._runner(effect.stream, make=effect.kind != "cancel")
                if runner is None:
                    continue  # not declared, or a cancel of a stream never fired
                if effect.kind == "cancel":
                    await runner.cancel(effect.key)
                    continue
                try:
                    await runner.fire(effect.args, effect.key)
                except StreamBusy as error:
                    self._log.warning("view.fire.refused", stream=effect.stream, error=str(error))

    def _without_items(self, tree: Element) -> Element:
        """Hand the streams' pending ops over to ``tree`` (just rendered from them) and
        return what the view keeps of it for the next diff: without the stream items,
        which the server does not keep (see :func:`without_stream_items`)."""
        handed = False
        for name in type(self).__view_spec__.collections:
            handed = bool(self._view_store.stream(name).take_pending()) or handed
        if not handed:
            return tree
        kept = without_stream_items(tree)
        assert isinstance(kept, Element)
        return kept

    async def _send(self, rendered: Rendered) -> None:
        sink = self._sink
        if sink is None:
            return
        try:
            if isinstance(sink, trio.MemorySendChannel):
                await sink.send(rendered)
            else:
                result = sink(rendered)
                if inspect.isawaitable(result):
                    await result
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self._log.debug("view.sink.closed")
            self._sink = None

    def unhandled(self, message: Any) -> None:
        """A message no clause took: a :class:`StreamFailed` every failure clause turned
        down (a guard, a match on another field) gets the default notice, as one with no
        clause at all does."""
        super().unhandled(message)
        if isinstance(message, StreamFailed):
            self._stream_failed_unhandled(message)

    def _stream_failed_unhandled(self, failed: StreamFailed) -> None:
        """The default for a failed run no clause takes: the page gets a notice (the
        traceback was logged by the run)."""
        self.notify(STREAM_FAILED_TEXT)

    async def _tell_under(self, message: Any, lease: Lease) -> None:
        await self._ref.tell(message, lease=lease)

    def _runner(self, stream: str, *, make: bool = False) -> TaskRunner | JobRunner | None:
        """The runner of a stream or job the view declares; a stream's is made on first
        need (``make``: to fire it), so one never fired has none (not busy, no runs)."""
        found = self._runners.get(stream) or self._job_runners.get(stream)
        if found is not None or not make:
            return found
        declared = type(self).__view_spec__.tasks.get(stream)
        if not isinstance(declared, StreamTask) or isinstance(declared, JobTask):
            return None  # not a stream (a job's runner is made at start)
        runner = self._runners[stream] = TaskRunner(
            declared,
            self._live.nursery,
            self._tell_under,
            self._log,
            failure_handled=stream in type(self).__view_spec__.failure_handled,
            unhandled=self._stream_failed_unhandled,
        )
        return runner

    def _stream_runners(self) -> Mapping[str, TaskRunner]:
        """Every declared stream's runner (``view.live.streams``), made now if not yet."""
        for name in type(self).__view_spec__.tasks:
            self._runner(name, make=True)
        return self._runners

    def _stream_busy(self, stream: str, key: Hashable | None) -> bool:
        runner = self._runner(stream)
        return runner is not None and runner.busy_with(key)

    def _stream_runs(self, stream: str) -> int:
        runner = self._runner(stream)
        return 0 if runner is None else runner.live

    def _revoke_stream(self, stream: str, key: Hashable | None) -> None:
        runner = self._runner(stream)
        if runner is not None:
            runner.revoke(key)

    def _start_streams(self, when: Start) -> None:
        """Fire the streams that start themselves ``when`` (their parameters read from the
        view's fields and calcs), and start their timers; in the view's task."""
        for name, declared in type(self).__view_spec__.tasks.items():
            if declared.start is not when:
                continue
            try:
                self._view_store.apply((Fire(name),), where=f"{name} (start={when.value!r})")
            except StreamBusy as error:  # on_busy="refuse" with a run still live
                self._log.warning("view.fire.refused", stream=name, error=str(error))
            if declared.every is not None and when is not Start.DISCONNECT:
                self._start_timer(declared)

    def _start_timer(self, declared: StreamTask) -> None:
        """Tell the view a :class:`Tick` for ``declared`` every ``every`` seconds, under
        a lease revoked (and a scope cancelled) when the timer stops."""
        self._stop_timer(declared.name)
        scope = self._timers[declared.name] = trio.CancelScope()
        lease = Lease(f"{declared.name} every={declared.every:g}")
        period = declared.every
        assert period is not None
        tick = Tick(declared.name)

        async def tick_forever() -> None:
            with scope:
                try:
                    while True:
                        await trio.sleep(period)
                        await self._ref.tell(tick, lease=lease)
                except ActorStopped:
                    return
                finally:
                    lease.revoke()

        self._live.nursery.start_soon(tick_forever)

    def _stop_timer(self, stream: str) -> None:
        scope = self._timers.pop(stream, None)
        if scope is not None:
            scope.cancel()

    def _mount_params(self, params: Any) -> Any:
        hints = typing.get_type_hints(type(self).mount)
        declared = hints.get("params")
        if declared is None or declared is Any:
            return params
        if isinstance(declared, type) and isinstance(params, declared):
            return params
        try:
            return structure({} if params is None else params, declared)
        except ValueError as error:
            raise InvalidParams(
                type(self).__name__,
                f"mount params {params!r} do not fit "
                f"{getattr(declared, '__name__', declared)} ({error}).",
                params=params,
            ) from None


def render_tree(view: View) -> Element:
    """One render of ``view`` as the runtime makes it: its ``render``, with the components
    it shows kept, made and dropped (the endpoint's first HTML render uses it; calling
    ``render`` alone fails when the view shows a component)."""
    return view._render_tree()


def _mount_takes_context(cls: type[View]) -> bool:
    """Whether ``cls.mount`` is ``(self, params)`` (False) or ``(self, params, context)``
    (True). Raises :class:`DefinitionError` naming the view and the fix otherwise."""
    mount = cls.mount
    signature = inspect.signature(mount)
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required_others = [
        p
        for p in signature.parameters.values()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty
    ]
    fix = (
        "declare it as `def mount(self, params)` or "
        "`def mount(self, params, context: MountContext)`"
    )
    if required_others or len(positional) not in (2, 3):
        raise DefinitionError(f"{cls.__name__}.mount{signature}: {fix}")
    if len(positional) == 2:
        return False
    try:
        hints = typing.get_type_hints(mount)
    except Exception:  # an annotation that does not resolve: not ours to judge
        hints = {}
    declared = hints.get(positional[2].name)
    if declared is not None and declared is not Any and declared is not MountContext:
        raise DefinitionError(
            f"{cls.__name__}.mount: its parameter {positional[2].name!r} is annotated "
            f"{getattr(declared, '__name__', declared)}, but the second parameter of mount "
            f"receives the request's MountContext (actorview.MountContext); {fix}"
        )
    return True


View.__view_spec__ = compile_view(View)

_RESERVED = frozenset(
    {
        "live",
        "context",
        "frame_interval",
        "mount",
        "load",
        "render",
        "on_connect",
        "on_disconnect",
        "notify",
        "handle_params",
        "cancel_upload",
        "open_pages",
        "refresh_pages",
        "on_start",
        "on_stop",
        "after_batch",
        "on_deadline",
        "set_deadline",
        "unhandled",
        "region",
    }
)
"""The names a view's declarations may not take: what a view is made of (``live``, ``context``, its
hooks and the methods it calls; see :mod:`actorview.view._live`). Names that start
with ``_`` are the runtime's too (the validator refuses them)."""


def _moved(view: View, name: str) -> Live:
    """``view.live``, after warning that ``view.<name>`` moved there."""
    warnings.warn(
        f"{type(view).__name__}.{name} is deprecated: read view.live.{name} (the runtime's "
        f"attributes moved behind `live`, so that a view may declare a field {name!r}).",
        DeprecationWarning,
        stacklevel=3,
    )
    return view._live
