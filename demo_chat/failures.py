"""Why a chat reply failed: a closed set of reasons, each with the words the page shows.

A reply fails for one of the reasons below and for no other. Each is a frozen attrs value
that holds what its words need (the seconds of a ``Retry-After``, an HTTP status), and
:func:`describe` dispatches over the union with one ``match``, so mypy finds the place a
new reason was forgotten. The words are written for the person at the page ("the model
is rate-limited; try again in 20 s"); what a developer needs (the URL, the server's own
error text, the httpx error) is in the exception chain the runtime logs, never on the
page.

A stream body that fails for one of these reasons raises :class:`ModelFailed`; the chat's
failure clause turns its text into the page's words with
:func:`demo_chat.llm.failure_text`. Any other exception is :class:`Internal`: its text may
hold internals, so the page says only that something went wrong.
"""

from __future__ import annotations

import math
from typing import assert_never

import attrs

from actorview import ExpectedFailure

__all__ = [
    "Asked",
    "ContextTooLong",
    "Cut",
    "Empty",
    "Failure",
    "Internal",
    "KeyRefused",
    "Malformed",
    "ModelFailed",
    "RateLimited",
    "Rejected",
    "ServerFailed",
    "ServerStopped",
    "TimedOut",
    "TooLong",
    "Unreachable",
    "describe",
]


@attrs.frozen
class KeyRefused:
    """The model server answered 401 or 403: it does not take the API key."""


@attrs.frozen
class RateLimited:
    """The model server answered 429. ``retry_after``: the seconds its ``Retry-After``
    asked for, or ``None`` when it named none."""

    retry_after: float | None = None


@attrs.frozen
class ServerFailed:
    """The model server answered a 5xx status."""

    status: int


@attrs.frozen
class Rejected:
    """The model server answered another 4xx status (a wrong model, a wrong URL, a
    request it cannot take)."""

    status: int


@attrs.frozen
class ContextTooLong:
    """The model server answered that the conversation sent is longer than the model's
    context (OpenAI's ``context_length_exceeded``): ``--context-chars`` is too large for
    this model."""


@attrs.frozen
class Unreachable:
    """No connection to the model server could be made (refused, no route, no such host,
    or the connect timed out)."""


@attrs.frozen
class Cut:
    """The reply was cut off mid-way: the connection dropped, or the stream ended with
    neither ``[DONE]`` nor a finish reason. The text that came is kept."""


@attrs.frozen
class Malformed:
    """The model server sent a stream that could not be read (an event whose data is not
    JSON, a line past the bound). The text before it is kept."""


@attrs.frozen
class TimedOut:
    """The model server sent nothing for ``seconds`` (``--openai-timeout``)."""

    seconds: float


@attrs.frozen
class TooLong:
    """The reply passed ``max_chars`` characters (``--max-reply-chars``) and was cut there."""

    max_chars: int


@attrs.frozen
class Empty:
    """The model finished without any reply text."""


@attrs.frozen
class ServerStopped:
    """The model server stopped a streamed reply with an ``error`` event."""


@attrs.frozen
class Asked:
    """The fake model was asked to fail (the prompt ``fail``), to show a failure."""


@attrs.frozen
class Internal:
    """Anything else: a bug, or an error whose text is not for the page."""


Failure = (
    KeyRefused
    | RateLimited
    | ServerFailed
    | Rejected
    | ContextTooLong
    | Unreachable
    | Cut
    | Malformed
    | TimedOut
    | TooLong
    | Empty
    | ServerStopped
    | Asked
    | Internal
)
"""Every reason a reply can fail for."""


def describe(failure: Failure) -> str:
    """The words the page shows for ``failure`` (lower case, no final stop: the chat puts
    them after "The reply failed: ").

    >>> describe(RateLimited(19.2))
    'the model is rate-limited; try again in 20 s'
    """
    match failure:
        case KeyRefused():
            return "the model server refused the API key"
        case RateLimited(retry_after=seconds):
            if seconds is None:
                return "the model is rate-limited; try again later"
            return f"the model is rate-limited; try again in {max(1, math.ceil(seconds))} s"
        case ServerFailed(status=status):
            return f"the model server failed (HTTP {status}); try again"
        case Rejected(status=status):
            return (
                f"the model server rejected the request (HTTP {status}); "
                "check the model name and the server's address"
            )
        case ContextTooLong():
            return "the conversation is longer than the model can read; start a new chat"
        case Unreachable():
            return "the model server could not be reached"
        case Cut():
            return "the reply was cut off: the model server stopped sending it"
        case Malformed():
            return "the model server sent a reply that could not be read"
        case TimedOut(seconds=seconds):
            return f"the model server sent nothing for {seconds:g} s"
        case TooLong(max_chars=max_chars):
            return f"the reply passed {max_chars:,} characters and was cut there"
        case Empty():
            return "the model finished without any reply text"
        case ServerStopped():
            return "the model server stopped the reply with an error"
        case Asked():
            return "the fake LLM was asked to fail"
        case Internal():
            return "something went wrong on the server."
        case _:
            assert_never(failure)


class ModelFailed(ExpectedFailure):
    """A reply failed for ``failure``, one of the closed set; its text is
    ``describe(failure)``, the words the page shows.

    An :class:`~actorview.ExpectedFailure`: the runtime logs it as a warning event
    naming the reason (``reason="RateLimited"``) and its cause's text, with no
    traceback; an exception outside the closed set stays an error with its traceback.

    Raise it from a chat stream body, ``from`` the error that caused it so the runtime's
    log keeps the details::

        except UpstreamError as error:
            raise ModelFailed(error.failure) from error
    """

    def __init__(self, failure: Failure) -> None:
        super().__init__(describe(failure))
        self.failure = failure

    @property
    def reason(self) -> str:
        """The reason's name (``"RateLimited"``, ``"KeyRefused"``, ``"Unreachable"``)."""
        return type(self.failure).__name__
