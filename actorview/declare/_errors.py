"""Errors of the view layer: wrong writes, rejected browser events, failed ops and streams.

Definition mistakes are :class:`actorview.errors.DefinitionError`, raised while the class
statement runs; a declaration that is allowed but probably an oversight is a warning
(:class:`MissingFailureClause`). Everything else here is raised at run time; each message
names the view, the declaration involved and what to do instead. Browser input that does
not fit (:class:`InvalidEvent` and its subclasses) never changes state and never stops the
view; an expression of the view's own that raises (:class:`ExpressionError`) is a bug in
the server's code, reported as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from actorview.declare._declarations import article
from actorview.declare._values import type_name
from actorview.errors import ActorViewError, ActorViewWarning


class ViewError(ActorViewError):
    """Base class of the run-time errors of the view layer.

    Each subclass carries what went wrong as attributes (``view``, the view class's name,
    and the field, action or stream involved), and its message names them and the fix.
    """


class CalcNotReady(ViewError):
    """A calc was read before the view first computed its calcs (in ``mount``)."""

    def __init__(self, view: str, calc: str) -> None:
        super().__init__(
            f"{view}.{calc}: calcs are first computed after mount; in mount, read the "
            f"fields {calc!r} reads instead."
        )
        self.view = view
        self.calc = calc


class StateTypeError(ViewError, TypeError):
    """A value of the wrong type was written to a state field, or pushed onto one.

    The field keeps its previous value. ``what`` says which value: ``"value"``,
    ``"item"`` or ``"appended text"``.
    """

    def __init__(self, view: str, field: str, value: object, expected: Any, what: str) -> None:
        super().__init__(
            f"{view}.{field}: the {what} {value!r} is {article(type(value).__name__)}, not "
            f"{article(type_name(expected))}. The field keeps its value."
        )
        self.view = view
        self.field = field
        self.value = value
        self.expected = expected
        self.what = what


class InvalidEvent(ViewError, ValueError):
    """A browser event was rejected before it changed anything.

    The view keeps running and its state is exactly what it was before the event.
    """


class UnknownAction(InvalidEvent):
    """The event names an action the view does not declare."""

    def __init__(self, view: str, action: str, actions: Sequence[str]) -> None:
        super().__init__(
            f"{view} has no action {action!r} (actions: {', '.join(actions) or 'none'})."
        )
        self.view = view
        self.action = action
        self.actions = tuple(actions)


class InvalidParams(InvalidEvent):
    """An action's parameters (or a view's mount params, or a page event's) did not
    structure into their declared types.

    ``action`` is the action's name (``None`` for mount and page params), ``params`` what
    the browser or the route sent, ``problem`` what was wrong with it and what fits.
    """

    def __init__(
        self, view: str, problem: str, *, action: str | None = None, params: object = None
    ) -> None:
        where = view if action is None else f"{view}, action {action!r}"
        super().__init__(f"{where}: {problem}")
        self.view = view
        self.action = action
        self.params = params
        self.problem = problem


class InvalidInput(InvalidEvent):
    """A client input names a field the browser may not write, or a value of a wrong type.

    ``field`` is the field the input names, ``problem`` what was wrong and what fits.
    """

    def __init__(self, view: str, field: str, problem: str) -> None:
        super().__init__(f"{view}: {problem}")
        self.view = view
        self.field = field
        self.problem = problem


class OpError(ViewError, ValueError):
    """An op could not apply (an index out of range, an expression that raised).

    Ops of one action or clause apply all or nothing: when this is raised, none of them
    has changed state. ``where`` names the action or clause (``"action 'add'"``).
    """

    def __init__(self, view: str, where: str, problem: str) -> None:
        super().__init__(f"{view}, {where}: {problem} Nothing changed.")
        self.view = view
        self.where = where
        self.problem = problem


class EventTooLarge(OpError):
    """The payload of a pushed event (``ops.push_event``, ``View.push_event``) encodes to
    more than ``MAX_EVENT_BYTES`` of JSON: the op fails, so nothing of its action or
    clause happens."""

    def __init__(self, view: str, where: str, event: str, size: int, limit: int) -> None:
        super().__init__(
            view,
            where,
            f"the payload of event {event!r} is {size} bytes of JSON, more than the limit "
            f"of {limit}; push what changed (an id, a few values) and let the page fetch "
            f"or render the rest.",
        )
        self.event = event
        self.size = size
        self.limit = limit


class ExpressionError(OpError):
    """An expression of an action or a clause (an op's value, a guard) raised.

    That is a bug in the view's code, not bad input: the browser's params had already
    been structured into their declared types. Nothing changed (ops apply all or
    nothing); the exception the expression raised is ``error`` and the ``__cause__``. An
    action answers the browser with :class:`~actorview.view.Failed`; a clause crashes the
    view, for its supervisor to restart.
    """

    def __init__(self, view: str, where: str, error: Exception, *, guard: bool = False) -> None:
        what = "its guard" if guard else "an expression"
        super().__init__(view, where, f"{what} raised {type(error).__name__}: {error}.")
        self.error = error
        self.guard = guard


class PageError(ViewError):
    """A page from a paged stream's source does not fit the stream's window, or the stream
    cannot be opened on a source (server code: the view crashes, its supervisor decides).

    ``view`` is ``None`` where the stream's items found the fault themselves.
    """

    def __init__(self, stream: str, problem: str, *, view: str | None = None) -> None:
        where = f"stream {stream!r}" if view is None else f"{view}.{stream}"
        super().__init__(f"{where}: {problem}")
        self.view = view
        self.stream = stream
        self.problem = problem


class SourceTimeout(PageError, TimeoutError):
    """A paged stream's source did not answer in time while the stream was opened.

    A :class:`TimeoutError`, so a served view's route treats it as a dependency that is
    down (``Route.waits_on``): its page shows the ``waiting`` notice and the start is
    retried with the backoff, not counted as a crash.
    """


class KeepFailed(ViewError):
    """A stream's :class:`~actorview.view.KeptSource` did not keep what an action would
    change (its store raised or timed out): nothing of the action happened.

    ``where`` names the action (``"action 'send'"``).
    """

    def __init__(self, view: str, where: str) -> None:
        super().__init__(
            f"{view}, {where}: a stream's source did not keep its changes; nothing changed."
        )
        self.view = view
        self.where = where


class StreamBusy(ViewError):
    """``fire`` of an async_stream declared ``on_busy="refuse"`` while a run is live, or
    of a new key of a keyed stream while ``max_runs`` of its runs are live.

    ``where`` names the action or clause that fired it, when one did; ``max_runs`` is the
    bound that was reached (``None`` for a refused run of a busy key).
    """

    def __init__(
        self, view: str, stream: str, *, where: str | None = None, max_runs: int | None = None
    ) -> None:
        at = view if where is None else f"{view}, {where}"
        if max_runs is None:
            text = (
                f'{at}: {stream!r} has a live run and is declared on_busy="refuse". Cancel '
                f'it first, or declare on_busy="supersede" or "queue".'
            )
        else:
            text = (
                f"{at}: {stream!r} already has {max_runs} live runs, its max_runs. Cancel "
                f"one first (ops.cancel({stream!r}, key=...)), or declare a higher max_runs."
            )
        super().__init__(text)
        self.view = view
        self.stream = stream
        self.where = where
        self.max_runs = max_runs


class EmitError(ViewError, TypeError):
    """An async_stream body emitted a message of a type its ``emits=`` does not declare.

    The run fails with it (a :class:`~actorview.view.StreamFailed` is delivered).
    """

    def __init__(self, view: str, stream: str, message: object, emits: Sequence[type[Any]]) -> None:
        super().__init__(
            f"{view}.{stream} emitted a {type(message).__name__}, which is not among its "
            f"emits=({', '.join(t.__name__ for t in emits)}). Add it to emits, and a "
            f"clause for it."
        )
        self.view = view
        self.stream = stream
        self.message = message
        self.emits = tuple(emits)


class MissingFailureClause(ActorViewWarning):
    """A view declares an async_stream whose failures no clause handles (a warning).

    Given when the class is defined. Such a failure is logged and the page shows the
    runtime's default notice; a ``clause(StreamFailed, ..., match={"stream": name})``
    replaces it, and ``async_stream(..., on_failure="notice")`` says the default notice is
    meant (no warning).
    """
