"""The live view layer: declarative state, derived values, actions, clauses and streams.

A view is an :class:`~actorview.mailbox.Actor` whose class declares what it holds and how
it reacts; the validator checks the declarations when the class is defined. Start with
:class:`View` (``actorview.view.view`` has an example) and the chat view in ``demo_chat``.

- :func:`state` fields with an :class:`Origin`; :func:`stream` fields (keyed, not kept;
  paged from a :class:`PageSource` with ``page=``, kept by a :class:`KeptSource`, told each
  :data:`StreamChange` before it is made);
- :func:`calculate` derived values (``incremental=`` steps get an :class:`Appended`);
- :func:`action` for browser events, :func:`clause` for mailbox messages, both made of
  :mod:`~actorview.view.ops` (``ops.set``, ``ops.push``, ``ops.fire``...);
- :func:`async_stream` tasks the view owns (:class:`RunState`, :class:`StreamFailed`);
- notices for the person at the page (``View.notify``, the default notice of a
  failed stream, :class:`Failed` actions).
"""

from actorview.lifecycle import RunState
from actorview.view import ops
from actorview.view.actions import Action, action
from actorview.view.calculate import Appended, Calc, calculate
from actorview.view.clauses import ViewClause, clause
from actorview.view.errors import (
    CalcNotReady,
    EmitError,
    ExpressionError,
    InvalidEvent,
    InvalidInput,
    InvalidParams,
    KeepFailed,
    MissingFailureClause,
    OpError,
    PageError,
    StateTypeError,
    StreamBusy,
    UnknownAction,
    ViewError,
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
from actorview.view.fields import Origin, StateField, state
from actorview.view.notices import Notice, NoticeSink
from actorview.view.spec import ViewSpec
from actorview.view.store import ViewStore
from actorview.view.stream_fields import (
    PAGE_EVENT,
    ItemAdded,
    ItemRemoved,
    ItemReplaced,
    ItemsCleared,
    KeptSource,
    PageSource,
    StreamChange,
    StreamField,
    StreamItems,
    stream,
)
from actorview.view.streams import (
    AsyncStream,
    Emit,
    OnBusy,
    OnFailure,
    Run,
    StreamFailed,
    StreamRunner,
    async_stream,
)
from actorview.view.view import Rendered, RenderSink, View

__all__ = [
    "PAGE_EVENT",
    "Action",
    "ActionEvent",
    "Appended",
    "Applied",
    "AsyncStream",
    "Calc",
    "CalcNotReady",
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
    "ItemAdded",
    "ItemRemoved",
    "ItemReplaced",
    "ItemsCleared",
    "KeepFailed",
    "KeptSource",
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
    "StreamChange",
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
