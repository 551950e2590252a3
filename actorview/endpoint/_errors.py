"""Errors of the endpoint: routing mistakes, refused joins and bad frames."""

from __future__ import annotations

from actorview.errors import ActorViewError, DefinitionError


class EndpointError(ActorViewError):
    """Base class of the endpoint's errors."""


class RouteError(DefinitionError):
    """A route table is wrong: a bad path pattern, a duplicate, or not a view class."""


class JoinRefused(EndpointError):
    """A WebSocket join was refused; the message is the reason sent to the client."""


class BadFrame(EndpointError):
    """A frame from the browser could not be understood; the message says why.

    The connection answers with an error frame (carrying ``ref`` when the frame named
    one, so the page takes back what it predicted) and keeps going; the view never sees
    it.
    """

    def __init__(self, message: str, *, ref: int | None = None) -> None:
        super().__init__(message)
        self.ref = ref
