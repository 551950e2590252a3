r"""The live view layer: declarative state, derived values, actions, clauses and streams.

A view is an :class:`~actorview.mailbox.Actor` whose class declares what it holds and how
it reacts; the validator checks the declarations when the class is defined. Start with
:class:`View` (``actorview.view._view`` has an example) and the chat view in ``demo_chat``.

- :func:`state` fields with an :class:`Origin`; :func:`stream` fields, keyed collections
  the server renders and forgets (:class:`CollectionField`, read as
  :class:`CollectionItems`; paged from a :class:`PageSource` with ``page=``, kept by a
  :class:`KeptSource`, told each :data:`StreamChange` before it is made);
- :func:`calculate` derived values (``incremental=`` steps get an :class:`Appended`);
- :func:`action` for browser events, :func:`clause` for mailbox messages, both made of
  :mod:`~actorview.declare.ops` (``ops.set``, ``ops.push``, ``ops.fire``...);
- :func:`form`\ s: typed values, per-field checks and a submit (:class:`FormState`);
- :func:`async_stream` tasks the view owns (declared as a :class:`StreamTask`, run by a
  :class:`TaskRunner`: :class:`Run`, :class:`RunState`, :class:`StreamFailed`);
- :class:`Live`, ``view.live``: the runtime's attributes of a view (its store, stream
  runners, last tree and version, connection, actor ref and log), kept out of the names
  a view declares;
- notices for the person at the page (``View.notify``, the default notice of a
  failed stream, :class:`Failed` actions).

The declarations live in :mod:`actorview.declare` (below the optimistic layer), the
runtime here; both are imported from this package.
"""

from actorview.declare import (
    FORM_EVENT,
    PAGE_EVENT,
    Action,
    Appended,
    Calc,
    CalcNotReady,
    CollectionField,
    CollectionItems,
    ComponentError,
    Emit,
    EmitError,
    EntryState,
    EventTooLarge,
    ExpressionError,
    FormState,
    InvalidEvent,
    InvalidInput,
    InvalidParams,
    ItemAdded,
    ItemRemoved,
    ItemReplaced,
    ItemsCleared,
    JobCancelled,
    JobTask,
    KeepFailed,
    KeptSource,
    MissingFailureClause,
    OnBusy,
    OnFailure,
    OpError,
    Origin,
    PageError,
    PageSource,
    Prop,
    SourceTimeout,
    Start,
    StateField,
    StateTypeError,
    StreamBusy,
    StreamChange,
    StreamFailed,
    StreamTask,
    Subscribe,
    UnknownAction,
    UnknownComponent,
    Uploaded,
    UploadEntry,
    Uploads,
    UploadSpec,
    ViewClause,
    ViewError,
    ViewSpec,
    action,
    async_stream,
    calculate,
    clause,
    form,
    job,
    ops,
    prop,
    state,
    stream,
    subscribe,
    upload,
)
from actorview.lifecycle import RunState
from actorview.view._answers import PageAnswer, PageNotFound, PageRedirect
from actorview.view._components import Component
from actorview.view._context import (
    ANONYMOUS,
    MAX_IDENTITY_BYTES,
    ContextError,
    Identity,
    MountContext,
    QueryParams,
)
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
)
from actorview.view._live import Live
from actorview.view._navigation import (
    NavigationKind,
    NavigationRequest,
    NavigationSink,
    PageUrl,
    UrlChanged,
)
from actorview.view._notices import (
    ACTION_FAILED_TEXT,
    KEEP_FAILED_TEXT,
    STREAM_FAILED_TEXT,
    Notice,
    NoticeSink,
)
from actorview.view._page import (
    MAX_EVENT_BYTES,
    MAX_FLASH_CHARS,
    MAX_TITLE_CHARS,
    FlashMessage,
    PageMessage,
    PageSink,
    PageTitle,
    PushedEvent,
)
from actorview.view._regions import RegionError
from actorview.view._store import ViewStore
from actorview.view._tasks import Run, TaskRunner
from actorview.view._view import PAGE_TIMEOUT, Rendered, RenderSink, View, render_tree

# The names these classes had when both concepts were called "stream" (kept for code
# written against them): a task is declared by async_stream, a collection by stream.
AsyncStream = StreamTask
StreamRunner = TaskRunner
StreamField = CollectionField
StreamItems = CollectionItems

__all__ = [
    "ACTION_FAILED_TEXT",
    "ANONYMOUS",
    "FORM_EVENT",
    "KEEP_FAILED_TEXT",
    "MAX_EVENT_BYTES",
    "MAX_FLASH_CHARS",
    "MAX_IDENTITY_BYTES",
    "MAX_TITLE_CHARS",
    "PAGE_EVENT",
    "PAGE_TIMEOUT",
    "STREAM_FAILED_TEXT",
    "Action",
    "ActionEvent",
    "Appended",
    "Applied",
    "AsyncStream",
    "Calc",
    "CalcNotReady",
    "CollectionField",
    "CollectionItems",
    "Component",
    "ComponentError",
    "Connected",
    "ContextError",
    "Disconnected",
    "Emit",
    "EmitError",
    "EntryState",
    "EventTooLarge",
    "ExpressionError",
    "Failed",
    "FlashMessage",
    "FormState",
    "Identity",
    "Ignored",
    "InputEvent",
    "InvalidEvent",
    "InvalidInput",
    "InvalidParams",
    "ItemAdded",
    "ItemRemoved",
    "ItemReplaced",
    "ItemsCleared",
    "JobCancelled",
    "JobTask",
    "KeepFailed",
    "KeptSource",
    "Live",
    "MissingFailureClause",
    "MountContext",
    "NavigationKind",
    "NavigationRequest",
    "NavigationSink",
    "Notice",
    "NoticeSink",
    "OnBusy",
    "OnFailure",
    "OpError",
    "Origin",
    "Outcome",
    "PageAnswer",
    "PageError",
    "PageMessage",
    "PageNotFound",
    "PageRedirect",
    "PageSink",
    "PageSource",
    "PageTitle",
    "PageUrl",
    "Prop",
    "PushedEvent",
    "QueryParams",
    "RegionError",
    "Rejected",
    "RenderSink",
    "Rendered",
    "Run",
    "RunState",
    "SourceTimeout",
    "Start",
    "StateField",
    "StateTypeError",
    "StreamBusy",
    "StreamChange",
    "StreamFailed",
    "StreamField",
    "StreamItems",
    "StreamRunner",
    "StreamTask",
    "Subscribe",
    "TaskRunner",
    "UnknownAction",
    "UnknownComponent",
    "UploadEntry",
    "UploadSpec",
    "Uploaded",
    "Uploads",
    "UrlChanged",
    "View",
    "ViewClause",
    "ViewError",
    "ViewSpec",
    "ViewStore",
    "action",
    "async_stream",
    "calculate",
    "clause",
    "form",
    "job",
    "ops",
    "prop",
    "render_tree",
    "state",
    "stream",
    "subscribe",
    "upload",
]
