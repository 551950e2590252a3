"""The compiled declarations of one view class: what the validator checked and the store runs.

:class:`ViewSpec` is built once per class by :func:`actorview.declare._validator.compile_view`
and kept as ``cls.__view_spec__``. It is the introspection surface the layers above read
(the optimistic planner, the view's store, the test client): every field, calc, action,
clause and stream, by name, plus the calc order and which calcs read each name. What the
browser predicts is planned from it, one layer up, and kept beside it as
``cls.__view_client__`` (:class:`actorview.optimistic._program.ClientPlan`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from actorview.declare._actions import Action
from actorview.declare._calculate import Calc
from actorview.declare._clauses import ViewClause
from actorview.declare._collections import CollectionField
from actorview.declare._fields import StateField
from actorview.declare._jobs import JobCancelled, JobTask
from actorview.declare._subscriptions import Subscribe
from actorview.declare._tasks import StreamFailed, StreamTask


@attrs.frozen
class ViewSpec:
    """Everything a view class declares, checked.

    Attributes:
        name: the view class's name.
        fields: state fields by name.
        collections: stream fields (``stream(...)``, keyed collections) by name.
        calcs: calcs by name, in declaration order.
        calc_order: calcs sorted so that each comes after the calcs it reads.
        readers: for each field or calc name, the calcs that read it directly.
        actions: actions by name.
        clauses: view clauses in declaration order.
        tasks: async_streams (streaming tasks) by name.
        receives: message types other tasks may tell the view (class keyword).
        failure_handled: the streams whose :class:`StreamFailed` some clause of the view
            can take; a failed run of any other stream shows the default notice.
        subscriptions: topics the view subscribes to (``subscribe(...)``) by name; their
            message types are among ``receives``.
    """

    name: str
    fields: Mapping[str, StateField[Any]]
    collections: Mapping[str, CollectionField[Any]]
    calcs: Mapping[str, Calc[Any]]
    calc_order: tuple[Calc[Any], ...]
    readers: Mapping[str, tuple[str, ...]]
    actions: Mapping[str, Action]
    clauses: tuple[ViewClause, ...]
    tasks: Mapping[str, StreamTask]
    receives: tuple[type, ...]
    failure_handled: frozenset[str] = frozenset()
    subscriptions: Mapping[str, Subscribe] = attrs.field(factory=dict)
    names: frozenset[str] = attrs.field(
        init=False,
        default=attrs.Factory(lambda spec: _names_of(spec), takes_self=True),
    )
    """Every name an expression may read: fields, stream fields and calcs (one set per
    class, which every view's ``ViewValues`` shares)."""

    @property
    def sendable(self) -> tuple[type, ...]:
        """Every message type something besides the runtime can send the view: what it
        receives, what its streams emit, :class:`StreamFailed` when it has streams, and
        :class:`JobCancelled` when it has jobs."""
        return sendable(self.receives, self.tasks)

    @property
    def emitted(self) -> tuple[type, ...]:
        """Every message type some stream of the view emits."""
        return tuple(dict.fromkeys(kind for stream in self.tasks.values() for kind in stream.emits))


def sendable(receives: Iterable[type], tasks: Mapping[str, StreamTask]) -> tuple[type, ...]:
    """The message types ``receives`` and ``tasks`` can send a view (see
    :attr:`ViewSpec.sendable`)."""
    emitted = (kind for task in tasks.values() for kind in task.emits)
    failed = (StreamFailed,) if tasks else ()
    cancelled = (JobCancelled,) if any(isinstance(t, JobTask) for t in tasks.values()) else ()
    return tuple(dict.fromkeys((*receives, *emitted, *failed, *cancelled)))


def _names_of(spec: ViewSpec) -> frozenset[str]:
    return frozenset(spec.fields) | frozenset(spec.collections) | frozenset(spec.calcs)
