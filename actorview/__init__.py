"""actorview: server-rendered live views on trio, where every view is an actor.

The public API, by layer (data flows down this list, one way):

- views: :class:`View` with :func:`state`, :func:`stream`, :func:`calculate`,
  :func:`action`, :func:`clause`, :func:`async_stream` and :mod:`ops`;
- rendering: :data:`h` (the HTML builder), :func:`to_html`, :func:`raw`/:class:`Markup`;
- actors: :class:`Actor`, :func:`on`, :class:`ActorRef`, :class:`Lease`, overflow policies;
- supervision: :class:`Supervisor`, :class:`ChildSpec`, :class:`Restart`, :class:`Strategy`;
- serving: :class:`Application`, :class:`Route`, :class:`Limits`;
- testing: ``actorview.testing``.
"""

from actorview.endpoint import Application, Limits, Route
from actorview.errors import ActorViewError, DefinitionError
from actorview.logging import configure_logging
from actorview.mailbox import (
    Actor,
    ActorCrashed,
    ActorRef,
    ActorState,
    ActorStopped,
    AskTimeout,
    Backpressure,
    CoalesceByKey,
    DropOldest,
    Lease,
    MailboxFull,
    UnhandledMessage,
    WrongMessageType,
    on,
)
from actorview.render import Element, Markup, h, raw, to_html
from actorview.supervisor import (
    CANCEL_AT_ONCE,
    WAIT_FOREVER,
    ChildInfo,
    ChildSpec,
    ChildState,
    Registry,
    Restart,
    RestartIntensityExceeded,
    Strategy,
    Supervisor,
    SupervisorError,
    SupervisorState,
)
from actorview.view import (
    ActionEvent,
    Appended,
    Applied,
    Emit,
    Ignored,
    InputEvent,
    Origin,
    Rejected,
    RunState,
    StreamFailed,
    View,
    ViewError,
    action,
    async_stream,
    calculate,
    clause,
    ops,
    state,
    stream,
)

__all__ = [
    "CANCEL_AT_ONCE",
    "WAIT_FOREVER",
    "ActionEvent",
    "Actor",
    "ActorCrashed",
    "ActorRef",
    "ActorState",
    "ActorStopped",
    "ActorViewError",
    "Appended",
    "Application",
    "Applied",
    "AskTimeout",
    "Backpressure",
    "ChildInfo",
    "ChildSpec",
    "ChildState",
    "CoalesceByKey",
    "DefinitionError",
    "DropOldest",
    "Element",
    "Emit",
    "Ignored",
    "InputEvent",
    "Lease",
    "Limits",
    "MailboxFull",
    "Markup",
    "Origin",
    "Registry",
    "Rejected",
    "Restart",
    "RestartIntensityExceeded",
    "Route",
    "RunState",
    "Strategy",
    "StreamFailed",
    "Supervisor",
    "SupervisorError",
    "SupervisorState",
    "UnhandledMessage",
    "View",
    "ViewError",
    "WrongMessageType",
    "action",
    "async_stream",
    "calculate",
    "clause",
    "configure_logging",
    "h",
    "on",
    "ops",
    "raw",
    "state",
    "stream",
    "to_html",
]
