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

from actorview.errors import ActorViewError


class ViewError(ActorViewError):
    """Base class of the run-time errors of the view layer."""


class StateTypeError(ViewError, TypeError):
    """A value of the wrong type was written to a state field, or pushed onto one.

    The field keeps its previous value.
    """


class InvalidEvent(ViewError, ValueError):
    """A browser event was rejected before it changed anything.

    The view keeps running and its state is exactly what it was before the event.
    """


class UnknownAction(InvalidEvent):
    """The event names an action the view does not declare."""


class InvalidParams(InvalidEvent):
    """An action's parameters did not structure into its declared types."""


class InvalidInput(InvalidEvent):
    """A client input names a field the browser may not write, or a value of a wrong type."""


class OpError(ViewError, ValueError):
    """An op could not apply (an index out of range, an expression that raised).

    Ops of one action or clause apply all or nothing: when this is raised, none of them
    has changed state.
    """


class ExpressionError(OpError):
    """An expression of an action or a clause (an op's value, a guard) raised.

    That is a bug in the view's code, not bad input: the browser's params had already
    been structured into their declared types. Nothing changed (ops apply all or
    nothing); the exception the expression raised is the ``__cause__``. An action answers
    the browser with :class:`~actorview.view.Failed`; a clause crashes the view, for its
    supervisor to restart.
    """


class PageError(ViewError):
    """A page from a paged stream's source does not fit the stream's window, or the stream
    cannot be opened on a source (server code: the view crashes, its supervisor decides)."""


class StreamBusy(ViewError):
    """``fire`` of an async_stream declared ``on_busy="refuse"`` while a run is live."""


class EmitError(ViewError, TypeError):
    """An async_stream body emitted a message of a type its ``emits=`` does not declare.

    The run fails with it (a :class:`~actorview.view.StreamFailed` is delivered).
    """


class MissingFailureClause(UserWarning):
    """A view declares an async_stream whose failures no clause handles (a warning).

    Given when the class is defined. Such a failure is logged and the page shows the
    runtime's default notice; a ``clause(StreamFailed, ..., match={"stream": name})``
    replaces it, and ``async_stream(..., on_failure="notice")`` says the default notice is
    meant (no warning).
    """
