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


class SecretNotShared(EndpointError):
    """Several worker processes would each sign join tokens with their own random
    secret: a page whose socket reaches another worker than the one that rendered it
    would be refused. The message names the fix (one secret for every worker)."""

    def __init__(self, workers: int, where: str) -> None:
        self.workers = workers
        super().__init__(
            f"{where}: {workers} worker processes but no shared join-token secret, so each "
            "would make its own random one and a page whose socket reaches another worker "
            "is refused. Give every worker the same secret: set ACTORVIEW_SECRET (32+ "
            "characters) in their environment, or pass Application(secret=kept_secret(path)) "
            "with one file they all read, or secret=<32+ bytes from your configuration>"
        )
