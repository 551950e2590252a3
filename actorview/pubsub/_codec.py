"""Messages on a bus that leaves the process: attrs instances as JSON and back.

A message is written as ``{"t": "<module>.<qualname>", "d": <cattrs unstructured>}``.
A subscriber reads it back only into a type it declared for the topic (matched by that
name), strictly (``actorview._untrusted.strict_converter``: no coercion, no extra keys):
what another process sends is input from outside, and a message that does not fit is
dropped and logged, never handed to a view half-made.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import attrs
import cattrs

from actorview._untrusted import quote, strict_converter
from actorview.pubsub._errors import PubSubError

_converter = strict_converter()


def type_name(kind: type) -> str:
    """The name a message type travels under: ``module.QualName``."""
    return f"{kind.__module__}.{kind.__qualname__}"


def encode(topic: str, message: object) -> str:
    """``message`` (an attrs instance) as the JSON text a bus carries.

    Raises :class:`PubSubError` naming the topic if it is not an attrs instance or holds
    what JSON cannot carry."""
    if not attrs.has(type(message)):
        raise PubSubError(
            f"publish({topic!r}, ...): a message must be an attrs instance (a frozen "
            f"@attrs.frozen class the subscribers declared), not {type(message).__name__}"
        )
    try:
        data = _converter.unstructure(message)
        return json.dumps({"t": type_name(type(message)), "d": data}, separators=(",", ":"))
    except (TypeError, ValueError) as error:
        raise PubSubError(
            f"publish({topic!r}, {type(message).__name__}(...)): the message does not encode "
            f"as JSON ({error}); give its fields str, int, float, bool, lists or attrs values"
        ) from None


def decode(text: str | bytes, accepted: Mapping[str, type]) -> object:
    """The message in ``text`` as one of the ``accepted`` types (by :func:`type_name`).

    Raises :class:`PubSubError` saying why if it is not JSON, names a type not accepted,
    or does not fit its type."""
    try:
        raw = json.loads(text)
        name, data = raw["t"], raw["d"]
    except (ValueError, TypeError, KeyError):
        raise PubSubError(f"not a bus message: {quote(text, 80)}") from None
    kind = accepted.get(name) if isinstance(name, str) else None
    if kind is None:
        raise PubSubError(f"a message of type {quote(name, 80)}, which no subscriber declared")
    try:
        return _converter.structure(data, kind)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        raise PubSubError(f"a {kind.__name__} that does not fit its type: {error}") from None


def accepting(types: Iterable[type]) -> dict[str, type]:
    """The name → type table :func:`decode` reads."""
    return {type_name(kind): kind for kind in types}
