"""What a view tells its page besides its renders: events for hooks, flash toasts, title.

A view has a third outlet beside its render sink and its notice sink, given when it is
made and one way (view → host): its page sink (:data:`PageSink`), which takes a
:data:`PageMessage`. The endpoint turns each into a control frame (``event``, ``flash``,
``title``; docs/PROTOCOL.md) in the session's outbox; the test client records them
(``view.events``, ``view.flashes``, ``view.title``).

Order is the point: the view hands a message over only after the render of the message
that pushed it (``ops.push_event`` in an action that also changed the page reaches the
hooks after the change is drawn), and messages keep the order they were pushed in. The
values are checked when they are made, in the view's task, so the op or method that
made a bad one fails where it was written: a payload that is not JSON or is larger than
:data:`MAX_EVENT_BYTES` (:class:`~actorview.declare._errors.EventTooLarge`), a flash
text that is not a str.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Final, TypeAlias

import attrs

from actorview._untrusted import cut
from actorview.declare._errors import EventTooLarge, OpError
from actorview.declare.ops import MAX_EVENT_NAME_CHARS, FlashKind
from actorview.render._normalize import normalize_text

MAX_EVENT_BYTES: Final = 64 * 1024
"""The largest payload of a pushed event, in bytes of its JSON: an event tells a hook
what changed, not a bulk transfer (send data in the render, or from a route)."""

MAX_FLASH_CHARS: Final = 300
"""A flash's text is cut to this length: one line for a person."""

MAX_TITLE_CHARS: Final = 200
"""A page title is cut to this length (browsers show far fewer in a tab)."""

_encode: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), allow_nan=False, check_circular=True
).encode


@attrs.frozen
class PushedEvent:
    """Event ``name`` for the page's hooks; ``payload`` is its JSON text (encoded once,
    when pushed, so a value changed later is not what was sent)."""

    name: str
    payload: str

    @property
    def value(self) -> Any:
        """The payload as a Python value again (what a hook's callback gets)."""
        return json.loads(self.payload)


@attrs.frozen
class FlashMessage:
    """A toast of ``kind`` showing ``text`` (plain text, cut to :data:`MAX_FLASH_CHARS`)."""

    kind: FlashKind
    text: str


@attrs.frozen
class PageTitle:
    """The page's ``<title>`` is now ``text``."""

    text: str


PageMessage: TypeAlias = PushedEvent | FlashMessage | PageTitle
"""Everything a page sink takes, a closed union: dispatch on it with ``match``."""

PageSink = Callable[[PageMessage], None]
"""Where a view sends its page messages: a plain (sync) callable, called in the view's
task after the render they follow."""


def pushed_event(view: str, where: str, name: str, payload: Any) -> PushedEvent:
    """The event ``name`` with ``payload`` encoded; :class:`OpError` if the name is not a
    non-empty str of at most ``MAX_EVENT_NAME_CHARS`` or the payload is not JSON,
    :class:`EventTooLarge` if its JSON passes :data:`MAX_EVENT_BYTES`."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_EVENT_NAME_CHARS:
        raise OpError(
            view,
            where,
            f"an event's name is a non-empty str of at most {MAX_EVENT_NAME_CHARS} "
            f"characters (the name a hook's handleEvent listens to), got {name!r}.",
        )
    try:
        text = _encode(payload)
    except (TypeError, ValueError, RecursionError) as error:
        raise OpError(
            view,
            where,
            f"the payload of event {name!r} is not JSON ({error}); give dicts with str keys, "
            f"lists, str, int, finite float, bool or None.",
        ) from None
    if not text.isascii():
        text = normalize_text(text)
    size = len(text.encode())
    if size > MAX_EVENT_BYTES:
        raise EventTooLarge(view, where, name, size, MAX_EVENT_BYTES)
    return PushedEvent(name, text)


def flash(view: str, where: str, kind: FlashKind, text: Any) -> FlashMessage:
    """A flash of ``kind``; :class:`OpError` if ``text`` is not a str."""
    if not isinstance(text, str):
        raise OpError(view, where, f"a flash's text must be a str, got {text!r}; format it first.")
    return FlashMessage(kind, cut(normalize_text(text), MAX_FLASH_CHARS))


def flash_kind(view: str, kind: FlashKind | str) -> FlashKind:
    """``kind`` as a :class:`FlashKind`; ``ValueError`` naming the view and the kinds."""
    try:
        return FlashKind(kind)
    except ValueError:
        known = ", ".join(repr(k.value) for k in FlashKind)
        raise ValueError(
            f"{view}.flash({kind!r}, ...): the kind is one of {known}, which say how the "
            f"toast looks and how a screen reader announces it."
        ) from None


def title_of(view: object) -> str | None:
    """The title ``view`` gives its page now: its ``page_title`` (a state field, a calc, a
    property, or a method called with no arguments), or ``None`` if it declares none or
    it is ``None`` (the page keeps the title it has). ``TypeError`` naming the view if
    it is something else than a str or ``None``."""
    declared = getattr(view, "page_title", None)
    value = declared() if callable(declared) else declared
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(
            f"{type(view).__name__}.page_title gave {value!r}; a page title is a str (or "
            f"None to keep the page's title). Make page_title give a str."
        )
    return cut(normalize_text(value), MAX_TITLE_CHARS)
