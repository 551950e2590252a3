"""What a view class body declares, and the validator that checks it.

The declarations (:func:`state` and :func:`stream` fields, :func:`calculate` values,
:mod:`ops`, :func:`action`\\ s, :func:`clause`\\ s, :func:`async_stream` tasks,
:func:`form`\\ s), the :class:`ViewSpec` a class compiles to, and :func:`compile_view`,
which checks a class when it is defined. Nothing here runs a view: the ``View`` actor,
its store and its stream runs are :mod:`actorview.view` (which re-exports these names:
import them from there, or from ``actorview``). The layer sits below
:mod:`actorview.optimistic`, which plans the browser's predictions from a
:class:`ViewSpec`; docs/ARCHITECTURE.md draws the layers.

Fields, calcs and stream fields are descriptors that read and write through their
instance's ``_view_store`` (:class:`~actorview.declare._declarations.Holder`), so this package
needs nothing of the runtime.
"""

from actorview.declare import ops
from actorview.declare._actions import Action, action
from actorview.declare._calculate import Appended, Calc, calculate
from actorview.declare._clauses import ViewClause, clause
from actorview.declare._collections import (
    PAGE_EVENT,
    CollectionField,
    CollectionItems,
    ItemAdded,
    ItemRemoved,
    ItemReplaced,
    ItemsCleared,
    KeptSource,
    PageSource,
    StreamChange,
    stream,
)
from actorview.declare._components import (
    ComponentError,
    ComponentSpec,
    Prop,
    UnknownComponent,
    compile_component,
    prop,
)
from actorview.declare._errors import (
    CalcNotReady,
    EmitError,
    EventTooLarge,
    ExpressionError,
    InvalidEvent,
    InvalidInput,
    InvalidParams,
    KeepFailed,
    MissingFailureClause,
    OpError,
    PageError,
    SourceTimeout,
    StateTypeError,
    StreamBusy,
    UnknownAction,
    ViewError,
)
from actorview.declare._fields import Origin, StateField, state
from actorview.declare._forms import FORM_EVENT, FormDeclaration, FormState, form
from actorview.declare._jobs import JobCancelled, JobTask, job
from actorview.declare._spec import ViewSpec
from actorview.declare._subscriptions import Subscribe, subscribe
from actorview.declare._tasks import (
    Emit,
    OnBusy,
    OnFailure,
    Start,
    StreamFailed,
    StreamTask,
    async_stream,
)
from actorview.declare._uploads import (
    EntryState,
    Uploaded,
    UploadEntry,
    Uploads,
    UploadSpec,
    upload,
)
from actorview.declare._validator import compile_view

__all__ = [
    "FORM_EVENT",
    "PAGE_EVENT",
    "Action",
    "Appended",
    "Calc",
    "CalcNotReady",
    "CollectionField",
    "CollectionItems",
    "ComponentError",
    "ComponentSpec",
    "Emit",
    "EmitError",
    "EntryState",
    "EventTooLarge",
    "ExpressionError",
    "FormDeclaration",
    "FormState",
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
    "MissingFailureClause",
    "OnBusy",
    "OnFailure",
    "OpError",
    "Origin",
    "PageError",
    "PageSource",
    "Prop",
    "SourceTimeout",
    "Start",
    "StateField",
    "StateTypeError",
    "StreamBusy",
    "StreamChange",
    "StreamFailed",
    "StreamTask",
    "Subscribe",
    "UnknownAction",
    "UnknownComponent",
    "UploadEntry",
    "UploadSpec",
    "Uploaded",
    "Uploads",
    "ViewClause",
    "ViewError",
    "ViewSpec",
    "action",
    "async_stream",
    "calculate",
    "clause",
    "compile_component",
    "compile_view",
    "form",
    "job",
    "ops",
    "prop",
    "state",
    "stream",
    "subscribe",
    "upload",
]
