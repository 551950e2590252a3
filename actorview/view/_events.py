"""The messages the runtime puts in a view's mailbox for the browser and the view's life.

The endpoint turns each browser frame into one of these (its payload still untrusted) and
tells it to the view; the view structures the payload with cattrs and answers an ``ask``
with an :class:`Outcome`. They are ordinary typed mailbox messages, so browser events and
stream messages are handled one at a time, in order, by the view's own task.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from actorview.declare._errors import ViewError


@attrs.frozen
class ActionEvent:
    """The browser invokes action ``name`` with untrusted ``params`` (a JSON object)."""

    name: str
    params: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class InputEvent:
    """The browser sets client field ``field`` to an untrusted ``value``."""

    field: str
    value: Any


@attrs.frozen
class Connected:
    """A browser connected to the view."""


@attrs.frozen
class Disconnected:
    """The browser's connection went away; the view keeps running until stopped."""


@attrs.frozen
class Tick:
    """The timer of a stream declared with ``every=`` came due (the view fires it)."""

    stream: str


@attrs.frozen
class Applied:
    """The event's ops were applied."""


@attrs.frozen
class Ignored:
    """The event was valid but its guard was false: nothing changed. A form's submit
    refused for its errors is answered so too (``reason`` lists them); only the form's
    state changed, to show every error."""

    reason: str


@attrs.frozen
class Rejected:
    """The event was invalid (``error`` says why): nothing changed, the view runs on."""

    error: ViewError


@attrs.frozen
class Failed:
    """The event was valid, but the action's own code raised (``error``, an
    :class:`~actorview.view.ExpressionError` whose ``__cause__`` is the exception): a bug
    on the server. Nothing changed, the view runs on; the error is logged with its
    traceback, and the browser only hears that something went wrong on the server."""

    error: ViewError


Outcome = Applied | Ignored | Rejected | Failed
"""What an ``ask`` of an :class:`ActionEvent` or :class:`InputEvent` returns."""
