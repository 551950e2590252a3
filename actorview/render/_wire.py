"""The compact JSON form of patch ops: one frame is a JSON array of ops.

Each op is an array whose first item is a one-letter code, then the path (an array of
child indexes), then the op's fields; docs/PROTOCOL.md is the reference, with examples
and byte counts. A one-token append is ``[["a",[0,2,1],"tok"]]``: 18 bytes plus the token
(for a text node three levels below the view's root).
Strings are written as UTF-8 (not ``\\u`` escapes), so a token costs its own bytes.

The positional array form is the point of this module (a dict per op would cost its key
names on every token), which is why it is written by hand rather than with cattrs.

This module is the one owner of the format on the server: the op codes (named below;
``client.js`` reads the same table from its ``OP`` object), the tags of the page frames
(:data:`PAGE_FRAMES`, ``FRAME`` in ``wire.js``), the JSON encoding of every
server → browser frame (:func:`encode_json`, which ``actorview.endpoint._protocol`` uses
for control frames too), and the merging of patch frames that wait to be sent
(:func:`merge_ops`, which the endpoint's outbox calls). The endpoint moves strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, Final, TypeAlias

from actorview.render._errors import WireError
from actorview.render._normalize import normalize_text
from actorview.render._patches import (
    AppendText,
    Patch,
    RemoveAttr,
    ReplaceNode,
    SetAttr,
    SetInnerHtml,
    SetText,
    StreamDeleteItem,
    StreamInsertItem,
    StreamPromoteTail,
    StreamResetItems,
    UpdateChildren,
)

# The op codes: the first item of every op on the wire, one per patch op class. Plain
# strings (not an Enum) because they are written on every streamed token.
APPEND_TEXT: Final = "a"
SET_TEXT: Final = "t"
SET_ATTR: Final = "s"
REMOVE_ATTR: Final = "r"
REPLACE_NODE: Final = "R"
SET_INNER_HTML: Final = "h"
UPDATE_CHILDREN: Final = "c"
STREAM_INSERT_ITEM: Final = "i"
STREAM_DELETE_ITEM: Final = "d"
STREAM_RESET_ITEMS: Final = "x"
STREAM_PROMOTE_TAIL: Final = "p"

OP_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "APPEND_TEXT": APPEND_TEXT,
        "SET_TEXT": SET_TEXT,
        "SET_ATTR": SET_ATTR,
        "REMOVE_ATTR": REMOVE_ATTR,
        "REPLACE_NODE": REPLACE_NODE,
        "SET_INNER_HTML": SET_INNER_HTML,
        "UPDATE_CHILDREN": UPDATE_CHILDREN,
        "STREAM_INSERT_ITEM": STREAM_INSERT_ITEM,
        "STREAM_DELETE_ITEM": STREAM_DELETE_ITEM,
        "STREAM_RESET_ITEMS": STREAM_RESET_ITEMS,
        "STREAM_PROMOTE_TAIL": STREAM_PROMOTE_TAIL,
    }
)
"""Every op code by name: the table docs/PROTOCOL.md lists and ``client.js``'s ``OP``
object repeats (a test holds the two to the same entries)."""

# The page frames: the ``t`` tag of the control frames that tell the page something
# besides its render (a pushed event for its hooks, a flash toast, a new title); the
# endpoint writes them after the render they follow (actorview.view._page).
EVENT_FRAME: Final = "event"
FLASH_FRAME: Final = "flash"
TITLE_FRAME: Final = "title"

PAGE_FRAMES: Final[Mapping[str, str]] = MappingProxyType(
    {"EVENT": EVENT_FRAME, "FLASH": FLASH_FRAME, "TITLE": TITLE_FRAME}
)
"""Every page frame tag by name: ``wire.js``'s ``FRAME`` object repeats it (a test holds
the two to the same entries); docs/PROTOCOL.md describes each frame."""

WireOp: TypeAlias = list[Any]
"""One op in its wire form: ``[code, path, *fields]``."""

_encode_json: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False
).encode


def encode_json(value: Any) -> str:
    """Every server → browser frame's JSON: compact, strings as UTF-8.

    Total: the result can always be written as UTF-8. Strings from a render tree are
    normalised already (``actorview.render._nodes``), but a frame may carry others (an
    error's text, an op built by hand): a lone surrogate in any of them is written as
    U+FFFD (:func:`~actorview.render._normalize.normalize_text`; the JSON encoder escapes
    NUL and CR itself), so no frame the outbox keeps for a rejoin can fail its write.
    An ASCII frame costs one flag test; any other one UTF-8 encode.
    """
    text: str = _encode_json(value)
    return text if text.isascii() else normalize_text(text)


def op_to_wire(op: Patch) -> WireOp:
    """The JSON-ready array of one op."""
    path = list(op.path)
    match op:
        case AppendText(text=text):
            return [APPEND_TEXT, path, text]
        case SetText(text=text):
            return [SET_TEXT, path, text]
        case SetAttr(name=name, value=value):
            return [SET_ATTR, path, name, value]
        case RemoveAttr(name=name):
            return [REMOVE_ATTR, path, name]
        case ReplaceNode(html=html):
            return [REPLACE_NODE, path, html]
        case SetInnerHtml(html=html):
            return [SET_INNER_HTML, path, html]
        case UpdateChildren(removes=removes, moves=moves, inserts=inserts):
            flat_moves = [n for pair in moves for n in pair]
            flat_inserts = [item for pair in inserts for item in pair]
            return [UPDATE_CHILDREN, path, list(removes), flat_moves, flat_inserts]
        case StreamInsertItem(key=key, html=html, at=at, limit=limit):
            wire: WireOp = [STREAM_INSERT_ITEM, path, key, html]
            if limit is not None:
                wire += [at, limit]
            elif at != -1:
                wire.append(at)
            return wire
        case StreamDeleteItem(key=key):
            return [STREAM_DELETE_ITEM, path, key]
        case StreamResetItems():
            return [STREAM_RESET_ITEMS, path]
        case StreamPromoteTail(key=key, ops=ops, tail=tail, limit=limit):
            promote: WireOp = [STREAM_PROMOTE_TAIL, path, key, [op_to_wire(o) for o in ops], tail]
            if limit is not None:
                promote.append(limit)
            return promote
    raise WireError(f"cannot encode {op!r}: not a patch op")


def encode(patches: Iterable[Patch]) -> str:
    """One frame: the JSON array of ``patches`` (send it as a text WebSocket message)."""
    return encode_json([op_to_wire(op) for op in patches])


def merge_ops(into: list[WireOp], ops: Iterable[WireOp]) -> None:
    """Append ``ops`` (a later frame's wire ops) to ``into`` (a frame not sent yet), so
    that applying ``into`` does what applying the two frames in turn would.

    A text append right after a text append to the same node becomes one append: the
    streamed-token case, where a browser that fell behind gets one op per node, not one
    per token. The merged op is a new list; the ops handed in are not changed (a caller
    may hold them elsewhere).
    """
    for op in ops:
        last = into[-1] if into else None
        if (
            last is not None
            and op[0] == APPEND_TEXT
            and last[0] == APPEND_TEXT
            and last[1] == op[1]
        ):
            into[-1] = [APPEND_TEXT, last[1], last[2] + op[2]]
        else:
            into.append(op)


def _str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise WireError(f"{what} must be a string, got {value!r}")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError(f"{what} must be an integer, got {value!r}")
    return value


def _ints(value: object, what: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise WireError(f"{what} must be an array of integers, got {value!r}")
    return value


def _pairs(value: object, what: str) -> list[tuple[Any, Any]]:
    if not isinstance(value, list) or len(value) % 2:
        raise WireError(f"{what} must be a flat array of pairs, got {value!r}")
    return list(zip(value[::2], value[1::2], strict=True))


def _children(path: list[int], args: list[Any]) -> UpdateChildren:
    removes, moves, inserts = args
    return UpdateChildren(
        path,
        tuple(_ints(removes, "removes")),
        tuple((_int(a, "move"), _int(b, "move")) for a, b in _pairs(moves, "moves")),
        tuple((_int(a, "insert"), _str(b, "insert html")) for a, b in _pairs(inserts, "inserts")),
    )


def _insert(path: list[int], args: list[Any]) -> StreamInsertItem:
    key, html, *rest = args
    at = _int(rest[0], "at") if rest else -1
    limit = _int(rest[1], "limit") if len(rest) > 1 else None
    return StreamInsertItem(path, _str(key, "key"), _str(html, "html"), at, limit)


def _promote(path: list[int], args: list[Any]) -> StreamPromoteTail:
    key, ops, tail, *rest = args
    if not isinstance(ops, list):
        raise WireError(f"a promotion's ops must be an array of ops, got {ops!r}")
    limit = _int(rest[0], "limit") if rest else None
    return StreamPromoteTail(
        path, _str(key, "key"), tuple(map(op_from_wire, ops)), _str(tail, "tail html"), limit
    )


_DECODERS: dict[str, tuple[range, Callable[[list[int], list[Any]], Patch]]] = {
    APPEND_TEXT: (range(1, 2), lambda p, a: AppendText(p, _str(a[0], "text"))),
    SET_TEXT: (range(1, 2), lambda p, a: SetText(p, _str(a[0], "text"))),
    SET_ATTR: (range(2, 3), lambda p, a: SetAttr(p, _str(a[0], "name"), _str(a[1], "value"))),
    REMOVE_ATTR: (range(1, 2), lambda p, a: RemoveAttr(p, _str(a[0], "name"))),
    REPLACE_NODE: (range(1, 2), lambda p, a: ReplaceNode(p, _str(a[0], "html"))),
    SET_INNER_HTML: (range(1, 2), lambda p, a: SetInnerHtml(p, _str(a[0], "html"))),
    UPDATE_CHILDREN: (range(3, 4), _children),
    STREAM_INSERT_ITEM: (range(2, 5), _insert),
    STREAM_DELETE_ITEM: (range(1, 2), lambda p, a: StreamDeleteItem(p, _str(a[0], "key"))),
    STREAM_RESET_ITEMS: (range(0, 1), lambda p, a: StreamResetItems(p)),
    STREAM_PROMOTE_TAIL: (range(3, 5), _promote),
}


def op_from_wire(item: object) -> Patch:
    """The op an array of the wire form stands for; :class:`WireError` if it is malformed."""
    if not isinstance(item, list) or len(item) < 2 or not isinstance(item[0], str):
        raise WireError(f"an op must be an array [code, path, ...], got {item!r}")
    entry = _DECODERS.get(item[0])
    if entry is None:
        raise WireError(f"unknown op code {item[0]!r}; known: {''.join(sorted(_DECODERS))}")
    arity, build = entry
    args = item[2:]
    if len(args) not in arity:
        raise WireError(f"op {item[0]!r} takes {arity.start}..{arity.stop - 1} fields: {item!r}")
    return build(_ints(item[1], "path"), args)


def decode(frame: str | bytes) -> list[Patch]:
    """The ops of one frame; :class:`WireError` if it is not a valid patch frame."""
    try:
        data = json.loads(frame)
    except ValueError as error:
        raise WireError(f"a patch frame must be JSON: {error}") from error
    if not isinstance(data, list):
        raise WireError(f"a patch frame must be a JSON array of ops, got {type(data).__name__}")
    return [op_from_wire(item) for item in data]
