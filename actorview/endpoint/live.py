"""The seam between the endpoint and the view layer.

Everything the endpoint knows about views is here: how to render a page statically, how
to run a view whose renders go to a session, and how to deliver a browser frame as a
typed view event and turn the outcome into a reply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import trio

from actorview.endpoint.protocol import Event, Input, control_frame
from actorview.endpoint.session import Session
from actorview.mailbox import ActorRef, ActorStopped, AskTimeout
from actorview.render import to_html
from actorview.render.wire import op_to_wire
from actorview.view import View
from actorview.view.events import ActionEvent, Connected, Ignored, InputEvent, Outcome, Rejected
from actorview.view.view import Rendered

ASK_TIMEOUT = 10.0


async def static_render(view_class: type[View], params: Mapping[str, Any]) -> str:
    """The HTML of a freshly mounted view, for the first HTTP response."""
    view = view_class(dict(params))
    html = to_html(view.render())
    await trio.lowlevel.checkpoint()
    return html


def render_frame(rendered: Rendered) -> str:
    """The ``render`` control frame of a first render (version 0): the whole live root."""
    return control_frame("render", html=to_html(rendered.tree))


def wire_ops(rendered: Rendered) -> list[list[Any]]:
    """The JSON-ready ops of a later render; a patch frame is their JSON array."""
    return [op_to_wire(op) for op in rendered.patches]


def reply_fields(outcome: Outcome) -> dict[str, Any]:
    """The fields of the ``reply`` frame answering an event with ``outcome``."""
    if isinstance(outcome, Ignored):
        return {"outcome": "ignored", "reason": outcome.reason}
    if isinstance(outcome, Rejected):
        return {"outcome": "rejected", "error": str(outcome.error)}
    return {"outcome": "applied"}


def session_sink(session: Session) -> Any:
    """A view sink that turns each render into the session's frames."""

    def send(rendered: Rendered) -> None:
        if rendered.version == 0:
            session.push_render_frame(render_frame(rendered))
        else:
            session.push_patches(wire_ops(rendered))

    return send


async def run_view(
    view_class: type[View],
    params: Mapping[str, Any],
    session: Session,
    *,
    task_status: trio.TaskStatus[ActorRef] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run a new instance of ``view_class`` for ``session`` (a supervisor child start).

    An instance that starts while the session's browser is connected (the first join, a
    restart after a crash) hears :class:`Connected` before anything else.
    """
    view = view_class(
        dict(params),
        sink=session_sink(session),
        name=f"{view_class.__name__}:{session.session_id[:8]}",
        paced=True,  # tokens faster than its frame_interval share one render and frame
    )
    if session.attached:
        view.ref.tell_nowait(Connected())
    await view.run(task_status=task_status)


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
