"""The live view layer: declarative state, derived values, actions, clauses and streams.

A view is an :class:`~actorview.mailbox.Actor` whose class declares what it holds and how
it reacts; the validator checks the declarations when the class is defined. Start with
:class:`View` (``actorview.view.view`` has an example) and the chat view in ``demo_chat``.

- :func:`state` fields with an :class:`Origin`; :func:`stream` fields (keyed, not kept;
  paged from a :class:`PageSource` with ``page=``);
- :func:`calculate` derived values (``incremental=`` steps get an :class:`Appended`);
- :func:`action` for browser events, :func:`clause` for mailbox messages, both made of
  :mod:`~actorview.declare.ops` (``ops.set``, ``ops.push``, ``ops.fire``...);
- :func:`async_stream` tasks the view owns (:class:`RunState`, :class:`StreamFailed`);
- notices for the person at the page (``View.notify``, the default notice of a
  failed stream, :class:`Failed` actions).
"""

from actorview.declare import ops
from actorview.declare.actions import Action, action
from actorview.declare.calculate import Appended, Calc, calculate
from actorview.declare.clauses import ViewClause, clause
from actorview.declare.collections import PAGE_EVENT, PageSource, StreamField, StreamItems, stream
from actorview.declare.errors import (
    EmitError,
    ExpressionError,
    InvalidEvent,
    InvalidInput,
    InvalidParams,
    MissingFailureClause,
    OpError,
    PageError,
    StateTypeError,
    StreamBusy,
    UnknownAction,
    ViewError,
)
from actorview.declare.fields import Origin, StateField, state
from actorview.declare.spec import ViewSpec
from actorview.declare.tasks import (
    AsyncStream,
    Emit,
    OnBusy,
    OnFailure,
    StreamFailed,
    async_stream,
)
from actorview.view.events import (
    ActionEvent,
    Applied,
    Connected,
    Disconnected,
    Failed,
    Ignored,
    InputEvent,
    Outcome,
    Rejected,
)
from actorview.view.notices import Notice, NoticeSink
from actorview.view.store import ViewStore
from actorview.view.tasks import Run, RunState, StreamRunner
from actorview.view.view import Rendered, RenderSink, View

__all__ = [
    "PAGE_EVENT",
    "Action",
    "ActionEvent",
    "Appended",
    "Applied",
    "AsyncStream",
    "Calc",
    "Connected",
    "Disconnected",
    "Emit",
    "EmitError",
    "ExpressionError",
    "Failed",
    "Ignored",
    "InputEvent",
    "InvalidEvent",
    "InvalidInput",
    "InvalidParams",
    "MissingFailureClause",
    "Notice",
    "NoticeSink",
    "OnBusy",
    "OnFailure",
    "OpError",
    "Origin",
    "Outcome",
    "PageError",
    "PageSource",
    "Rejected",
    "RenderSink",
    "Rendered",
    "Run",
    "RunState",
    "StateField",
    "StateTypeError",
    "StreamBusy",
    "StreamFailed",
    "StreamField",
    "StreamItems",
    "StreamRunner",
    "UnknownAction",
    "View",
    "ViewClause",
    "ViewError",
    "ViewSpec",
    "ViewStore",
    "action",
    "async_stream",
    "calculate",
    "clause",
    "ops",
    "state",
    "stream",
]
