"""The seam between the endpoint and the view layer.

Everything the endpoint knows about views is here: how to render a page statically, how
to run a view whose renders and notices go to a session, how to deliver a browser frame
as a typed view event and turn the outcome into a reply, and how what the supervisor
decides about a session's view reaches its page (:class:`ViewLife`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, assert_never

import attrs
import trio

from actorview.endpoint._protocol import Event, Input, NoticeKind, control_frame
from actorview.endpoint._session import Session
from actorview.jobs import Jobs
from actorview.logging import get_logger
from actorview.mailbox import ActorRef, ActorStopped, AskTimeout
from actorview.pubsub import Bus
from actorview.render import to_html
from actorview.render._wire import (
    EVENT_FRAME,
    FLASH_FRAME,
    TITLE_FRAME,
    encode_json,
    op_to_wire,
)
from actorview.supervisor import ChildEvent, GaveUp, Restarting, Waiting
from actorview.view import MountContext, PageUrl, View, render_tree
from actorview.view._events import (
    ActionEvent,
    Applied,
    Connected,
    Failed,
    Ignored,
    InputEvent,
    Outcome,
    Rejected,
)
from actorview.view._notices import Notice, NoticeSink
from actorview.view._page import (
    FlashMessage,
    PageMessage,
    PageSink,
    PageTitle,
    PushedEvent,
    title_of,
)
from actorview.view._view import Rendered

ASK_TIMEOUT = 10.0

SERVER_FAILED = "something went wrong on the server"
"""The whole of what a browser hears about a :class:`Failed` event: the details are the
server's (in its log), and the event's text may be the user's."""

NOTICE_KIND = NoticeKind.ERROR
"""How the page shows a view's :class:`Notice`: something failed, the view goes on."""

RESTARTED_TEXT = (
    "This page hit an error and was reloaded; changes since your last saved step may be lost."
)
WAITING_TEXT = "Waiting for a service this page needs; it will carry on by itself once it is back."
FAILED_TEXT = "This page stopped after repeated errors."
RESTARTING_ANSWER = "the view is restarting; try again"
WAITING_ANSWER = "the page is waiting for a service it needs; try again once it is back"
FAILED_ANSWER = "this page stopped after repeated errors; reload it to start afresh"
"""The error an event gets while its session has no running view, by why."""

_log = get_logger(component="endpoint")


@attrs.frozen
class StaticPage:
    """A view's first render for the HTTP response: the HTML of its root, and its
    ``page_title`` (``None``: the application's title)."""

    html: str
    title: str | None


async def static_render(
    view_class: type[View],
    params: Mapping[str, Any],
    *,
    waits_on: tuple[type[Exception], ...] = (),
    url: PageUrl | None = None,
    context: MountContext | None = None,
) -> StaticPage:
    """The HTML and title of a freshly mounted and loaded view (``View.load``), for the
    first HTTP response.

    A load that fails with one of ``waits_on`` (a dependency is down) gives the page of
    a view mounted but not loaded: its live view then waits for the dependency (the
    ``waiting`` notice) and shows what it loads once it is back. Anything else a load
    raises propagates (the page is a 500). With ``url``, the view's ``handle_params``
    runs with it after ``mount``, as it does for the live view."""
    view = view_class(dict(params), url=url, context=context)
    try:
        await view.load()
    except waits_on as error:
        _log.info("endpoint.page_not_loaded", view=view_class.__name__, error=repr(error))
        view = view_class(dict(params), url=url, context=context)
    view.live.store.recompute()
    html = to_html(render_tree(view))
    title = title_of(view)
    await trio.lowlevel.checkpoint()
    return StaticPage(html, title)


def render_frame(rendered: Rendered, arrival: Mapping[str, Any] | None = None) -> str:
    """The ``render`` control frame of a first render (version 0): the whole live root;
    with ``arrival``, the ``nav`` of a view a live navigation mounted (its URL, token
    and client program: the page takes them before it shows the view)."""
    if arrival is not None:
        return control_frame("render", html=to_html(rendered.tree), nav=dict(arrival))
    return control_frame("render", html=to_html(rendered.tree))


def wire_ops(rendered: Rendered) -> list[list[Any]]:
    """The JSON-ready ops of a later render; a patch frame is their JSON array."""
    return [op_to_wire(op) for op in rendered.patches]


def reply_fields(outcome: Outcome) -> dict[str, Any]:
    """The fields of the ``reply`` frame answering an event with ``outcome``.

    Bad input is ``rejected`` with the view's message (it names what was wrong); an
    action that raised is an ``error`` with only :data:`SERVER_FAILED`. client.js rolls
    back the event's optimistic changes for anything but ``applied``.
    """
    match outcome:
        case Applied():
            return {"outcome": "applied"}
        case Ignored(reason=reason):
            return {"outcome": "ignored", "reason": reason}
        case Rejected(error=error):
            return {"outcome": "rejected", "error": str(error)}
        case Failed():
            return {"outcome": "error", "error": SERVER_FAILED}
        case _:
            assert_never(outcome)


def notice_frame(notice: Notice) -> str:
    """The ``notice`` control frame that shows a view's notice in the page."""
    return control_frame("notice", kind=NOTICE_KIND.value, text=notice.text)


def page_frame(message: PageMessage) -> str:
    """The control frame that tells the page ``message``: ``event`` (for its hooks),
    ``flash`` (a toast) or ``title`` (docs/PROTOCOL.md). An event's payload is written as
    the JSON it was encoded to when pushed."""
    match message:
        case PushedEvent(name=name, payload=payload):
            return f'{{"t":"{EVENT_FRAME}","name":{encode_json(name)},"payload":{payload}}}'
        case FlashMessage(kind=kind, text=text):
            return control_frame(FLASH_FRAME, kind=kind.value, text=text)
        case PageTitle(text=text):
            return control_frame(TITLE_FRAME, text=text)
        case _:
            assert_never(message)


@attrs.define
class ViewLife:
    """One session's view as its supervisor sees it, told to its page and to the operator.

    Its :meth:`observe` is the view's child spec ``observer``: a crash of a running view
    is logged, and the next instance's first render is followed by a ``restarted``
    notice (render then notice in the outbox: a render frame drops what waited before
    it); a start that fails for a dependency shows ``waiting`` once per outage (the next
    render clears it); a view past its route's restart intensity shows ``failed``, whose
    "Try again" reloads the page (a new session, a fresh view). Synchronous and never
    raises: it runs in the supervisor's task.
    """

    session: Session
    view: str
    lost_state: bool = False
    """A running instance crashed: its successor's first render must say so."""
    waiting: bool = False
    """The page was told that the view waits for a dependency."""

    def observe(self, event: ChildEvent) -> None:
        log = _log.bind(view=self.view, session=self.session.session_id[:8])
        match event:
            case Restarting(error=error, delay=delay, was_up=was_up):
                self.lost_state = self.lost_state or was_up
                log.warning("endpoint.view_restarting", error=_describe(error), delay=delay)
            case Waiting(error=error, delay=delay):
                log.warning("endpoint.view_waiting", error=_describe(error), delay=delay)
                self.session.view_absence = WAITING_ANSWER
                if not self.waiting:
                    self.waiting = True
                    self.session.push_notice(NoticeKind.WAITING, WAITING_TEXT)
            case GaveUp(error=error, max_restarts=max_restarts, period=period):
                log.error(
                    "endpoint.view_stopped",
                    error=_describe(error),
                    max_restarts=max_restarts,
                    period=period,
                    fix="see the view's crash above (child_crashed); the page offers a reload",
                )
                self.session.view_absence = FAILED_ANSWER
                self.session.push_notice(NoticeKind.FAILED, FAILED_TEXT)
            case _:
                assert_never(event)

    def first_render(self) -> None:
        """The new instance's first render was pushed: tell the page what it lost."""
        self.waiting = False
        self.session.view_absence = None
        if self.lost_state:
            self.lost_state = False
            self.session.push_notice(NoticeKind.RESTARTED, RESTARTED_TEXT)


def _describe(error: BaseException | None) -> str:
    return "returned" if error is None else f"{type(error).__name__}: {error}"[:300]


def session_sink(session: Session, life: ViewLife | None = None) -> Any:
    """A view sink that turns each render into the session's frames."""

    def send(rendered: Rendered) -> None:
        if rendered.version == 0:
            arrival, session.arrival = session.arrival, None
            session.push_render_frame(render_frame(rendered, arrival))
            if life is not None:
                life.first_render()
        else:
            session.push_patches(wire_ops(rendered))

    return send


def session_notices(session: Session) -> NoticeSink:
    """A view's notice sink that shows each notice in the session's page."""

    def show(notice: Notice) -> None:
        session.push_notice(NOTICE_KIND, notice.text)

    return show


def session_page(session: Session) -> PageSink:
    """A view's page sink: each event, flash and title as a control frame in the
    session's outbox, after the render it follows (a fresh render drops what waited)."""

    def tell(message: PageMessage) -> None:
        session.outbox.push_control(page_frame(message))

    return tell


async def run_view(
    view_class: type[View],
    params: Mapping[str, Any],
    session: Session,
    life: ViewLife | None = None,
    *,
    bus: Bus | None = None,
    jobs: Jobs | None = None,
    task_status: trio.TaskStatus[ActorRef] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run a new instance of ``view_class`` for ``session`` (a supervisor child start),
    with the session's request context (``session.context``: the one its page was
    rendered with, from the join token, the same for every restart).

    An instance that starts while the session's browser is connected (the first join, a
    restart after a crash) hears :class:`Connected` before anything else. With ``life``,
    its first render is followed by the notice of a restart, if it is one.
    """
    view = view_class(
        dict(params),
        sink=session_sink(session, life),
        notices=session_notices(session),
        page=session_page(session),
        name=f"{view_class.__name__}:{session.session_id[:8]}",
        paced=True,  # tokens faster than its frame_interval share one render and frame
        bus=bus,
        jobs=jobs,
        url=session.url,  # as the page is now: a restart after a patch keeps it
        navigation=session.request_navigation,
        context=session.context,
    )
    if session.attached:
        view.live.ref.tell_nowait(Connected())
    await view.live.run(task_status=task_status)


async def deliver(ref: ActorRef, frame: Event | Input) -> dict[str, Any]:
    """Tell the view the frame's event and return the reply's fields."""
    message = (
        ActionEvent(frame.name, frame.params)
        if isinstance(frame, Event)
        else InputEvent(frame.field, frame.value)
    )
    try:
        outcome = await ref.ask(message, timeout=ASK_TIMEOUT)
    except (ActorStopped, AskTimeout) as error:
        return {"outcome": "error", "error": f"the view did not answer: {error}"}
    return reply_fields(outcome)
