"""The live connection's frames: what the browser may send, and the control frames back.

Browser → server frames are JSON objects with a type tag ``t``. They are untrusted: each
is size-checked, parsed, and structured with cattrs into a frozen attrs class, and
anything that does not fit raises :class:`~actorview.endpoint._errors.BadFrame` with a
message that names what was wrong. Every string in a frame (keys, values, at any depth)
is normalised on the way in (:func:`~actorview.render._normalize.normalize_text`: a lone
surrogate or a NUL becomes U+FFFD, CR LF and CR become LF), so no view, store or model
server ever sees a string the page could not show as it is. Server → browser: a patch
frame is a JSON array (see docs/PROTOCOL.md); every other frame is a JSON object with a
``t`` tag.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

import attrs
import cattrs

from actorview._untrusted import quote, strict_converter
from actorview.endpoint._errors import BadFrame
from actorview.render._normalize import normalize_text
from actorview.render._wire import encode_json as encode_json  # re-exported


@attrs.frozen
class Join:
    """The first frame of a connection: the token and path of the rendered page.

    ``seen`` is how many of the session's frames the page has received (counted from the
    ``seq`` of the last ``joined`` frame); the server sends the frames after it again,
    so nothing a dropped socket swallowed is lost. Left out, the server resends only
    what it never wrote.
    """

    token: str
    path: str
    seen: int | None = None


MAX_REF = 2**53 - 1
"""The largest ``ref``: refs must stay exact as JavaScript numbers."""


@attrs.frozen
class Event:
    """Invoke action ``name`` of the view; ``ref`` is echoed in the reply."""

    ref: int
    name: str
    params: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Input:
    """Set client field ``field`` to ``value``; ``ref`` is echoed in the reply."""

    ref: int
    field: str
    value: Any


@attrs.frozen
class Ping:
    """Keeps an idle connection alive."""


@attrs.frozen
class Ack:
    """The page has received the session's frames up to number ``n``: the server may
    forget them (it keeps the unacknowledged ones to send again after a reconnect)."""

    n: int


@attrs.frozen
class Nav:
    """The page moves: an ``av-patch`` link (``kind`` ``"patch"``), an ``av-navigate``
    link (``"navigate"``) or the back/forward buttons (``"pop"``), to ``href`` (the
    browser's path and query, untrusted: see ``_navigation.split_href``)."""

    href: str
    kind: str = "patch"


NAV_KINDS = ("patch", "navigate", "pop")


@attrs.frozen
class StartUpload:
    """The page chose ``files`` for upload ``upload`` of the view: each a JSON object
    ``{"id", "name", "size", "type"}`` (checked by the view, file by file). Their bytes
    follow as binary chunk frames (``actorview.endpoint._uploads``)."""

    upload: str
    files: list[Any]


@attrs.frozen
class CancelUpload:
    """The user removed file ``id`` of an upload (arriving, finished or failed)."""

    id: int


ClientFrame = Join | Event | Input | Ping | Ack | Nav | StartUpload | CancelUpload

_FRAME_TYPES: dict[str, type] = {
    "join": Join,
    "event": Event,
    "input": Input,
    "ping": Ping,
    "ack": Ack,
    "nav": Nav,
    "upload": StartUpload,
    "upload_cancel": CancelUpload,
}
_converter = strict_converter()


def parse_client_frame(text: str | bytes, *, max_bytes: int) -> ClientFrame:
    """Turn one untrusted frame into a typed frame, or raise :class:`BadFrame`."""
    size = len(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    if size > max_bytes:
        raise BadFrame(
            f"frame of {size} bytes is larger than the limit of {max_bytes} bytes",
            ref=_ref_of(text),
        )
    if isinstance(text, bytes):
        raise BadFrame(
            "binary frames are not part of the protocol, but for upload chunks (their "
            "first byte is 1); send JSON text"
        )
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        raise BadFrame("frame is not valid JSON") from None
    if not isinstance(raw, dict):
        raise BadFrame(f"frame must be a JSON object, got {type(raw).__name__}")
    if "\\" in text or not text.isascii():  # NUL, CR and surrogates come in as escapes
        _normalize_strings(raw)
    tag = raw.pop("t", None)
    frame_type = _FRAME_TYPES.get(tag) if isinstance(tag, str) else None
    if frame_type is None:
        known = ", ".join(sorted(_FRAME_TYPES))
        raise BadFrame(f"unknown frame type {quote(tag, 40)}; expected one of: {known}")
    try:
        frame: ClientFrame = _converter.structure(raw, frame_type)
    except Exception as error:  # cattrs raises several families; all mean "wrong shape"
        details = (
            "; ".join(cattrs.transform_error(error))
            if isinstance(error, cattrs.BaseValidationError)
            else str(error)
        )
        raise BadFrame(f"bad {tag!r} frame: {details}") from None
    if isinstance(frame, Nav) and frame.kind not in NAV_KINDS:
        raise BadFrame(f"bad 'nav' frame: kind must be one of {', '.join(NAV_KINDS)} @ $.kind")
    for field in ("ref", "n", "seen", "id"):
        value = getattr(frame, field, None)
        if value is not None and not 0 <= value <= MAX_REF:
            raise BadFrame(
                f"bad {tag!r} frame: {field} must be an int from 0 to 2**53 - 1 @ $.{field}"
            )
    return frame


def _ref_of(text: str | bytes) -> int | None:
    """The ``ref`` of an oversized event frame, so its error reaches the right event (the
    socket bounds the size: at most 4x the frame limit is ever read)."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError):
        return None
    ref = raw.get("ref") if isinstance(raw, dict) else None
    is_ref = isinstance(ref, int) and not isinstance(ref, bool) and 0 <= ref <= MAX_REF
    return ref if is_ref else None


def _normalize_strings(root: dict[str, Any]) -> None:
    """Normalise every string in ``root`` (parsed JSON, owned here), keys included, in
    place: a loop, not a recursion, so any depth ``json.loads`` took is fine."""
    stack: list[dict[str, Any] | list[Any]] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = normalize_text(item)
                elif isinstance(item, dict | list):
                    stack.append(item)
            continue
        items = list(node.items())
        node.clear()
        for key, item in items:
            if isinstance(item, str):
                item = normalize_text(item)
            elif isinstance(item, dict | list):
                stack.append(item)
            node[normalize_text(key)] = item


class NoticeKind(Enum):
    """What a ``notice`` frame tells the person at the page (client.js shows it in
    ``#av-notice``, with ``data-kind`` set to the value)."""

    RESTARTED = "restarted"
    """The view crashed and was started again: what it held since its last commit is gone."""
    FAILED = "failed"
    """The view stopped for good; the notice offers to try again (a reload, a fresh view)."""
    WAITING = "waiting"
    """The view cannot start yet (a dependency is down) and is retried; the next render
    of the view clears the notice."""
    ERROR = "error"
    """Something failed on the server (an event, a stream run); the view goes on."""


def control_frame(tag: str, /, **fields: Any) -> str:
    """A server → browser control frame, e.g. ``control_frame("error", error="...")``
    (encoded by :func:`actorview.render._wire.encode_json`, as patch frames are)."""
    return encode_json({"t": tag, **fields})
