"""Errors of the view layer: wrong writes, rejected browser events, failed ops and streams.

Definition mistakes are :class:`actorview.errors.DefinitionError`, raised while the class
statement runs. Everything here is raised at run time; each message names the view, the
declaration involved and what to do instead. Browser input that does not fit
(:class:`InvalidEvent` and its subclasses) never changes state and never stops the view.
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


class PageError(ViewError):
    """A page from a paged stream's source does not fit the stream's window, or the stream
    cannot be opened on a source (server code: the view crashes, its supervisor decides)."""


class StreamBusy(ViewError):
    """``fire`` of an async_stream declared ``on_busy="refuse"`` while a run is live."""


class EmitError(ViewError, TypeError):
    """An async_stream body emitted a message of a type its ``emits=`` does not declare.

    The run fails with it (a :class:`~actorview.view.StreamFailed` is delivered).
    """
