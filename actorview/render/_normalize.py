"""Text made safe for the page: what every string becomes before it can reach a browser.

A Python ``str`` may hold what no page can: a lone UTF-16 surrogate (``"\\ud800"``, a
valid JSON escape) cannot be encoded as UTF-8, so a frame holding one cannot be written;
a NUL is dropped or replaced by the browser's HTML parser, and CR LF or a lone CR becomes
LF, so a text node made of either would not be the node the server's tree has, and the
diff's node addressing would go out of step. :func:`normalize_text` makes a string safe
by doing on the server what the browser would do, in this order:

1. surrogates: a high surrogate followed by a low one becomes the code point the pair
   stands for; any other surrogate becomes U+FFFD (a JavaScript string's conversion
   to a USVString, as ``WebSocket.send`` and ``TextEncoder`` do it);
2. CR LF, then any lone CR, becomes LF (the HTML input stream's preprocessing);
3. NUL becomes U+FFFD (what the HTML parser does in attribute values and RCDATA; in
   body text it drops the character, which would drop a text node made only of it).

Everything else is kept exactly, other controls and noncharacters included. The result
is idempotent (``normalize_text(normalize_text(s)) == normalize_text(s)``), and the
concatenation of normalised strings is normalised. Where it is applied (docs/PROTOCOL.md,
"Text on the wire"): to every string of a browser frame
(``actorview.endpoint._protocol``), to every text, raw markup, attribute value and key
that enters a render tree (``actorview.render._nodes``), and, as a last safety net, to
any frame the JSON encoder writes (``actorview.render._wire.encode_json``).
:class:`TextNormalizer` does the same for a text that arrives in pieces (a model's
tokens), so that the pieces' outputs join up to the whole's.
"""

from __future__ import annotations

from typing import Final

REPLACEMENT: Final = "\ufffd"
"""U+FFFD REPLACEMENT CHARACTER: what a lone surrogate and a NUL become."""


def normalize_text(value: str) -> str:
    """``value`` as the page would hold it: surrogates paired or replaced, CR LF and CR as
    LF, NUL as U+FFFD (see the module docstring). A string that needs nothing is
    returned as it is (the same object).

    The check is on every text of every render, the streamed draft included, so a clean
    string costs two ``memchr`` scans when it is ASCII, one UTF-8 encode otherwise, and
    a long one that extends a clean one checked lately only the check of its tail::

        >>> normalize_text("a\\r\\nb\\x00\\ud800")
        'a\\nb\\ufffd\\ufffd'
    """
    if value.isascii():
        if "\x00" not in value and "\r" not in value:
            return value
    elif len(value) < _LONG:
        if _clean_non_ascii(value):
            return value
    elif _clean_long(value):
        return value
    return _normalized(value)


def _clean_non_ascii(value: str) -> bool:
    try:
        data = value.encode()  # lone surrogates cannot be encoded
    except UnicodeEncodeError:
        return False
    return b"\x00" not in data and b"\r" not in data


_LONG: Final = 512
"""Non-ASCII strings at least this long are checked through :data:`_clean_heads`."""
_HEAD: Final = 64
_MAX_HEADS: Final = 256
_MAX_HELD: Final = 1 << 22
_clean_heads: dict[str, str] = {}
"""Long clean non-ASCII strings seen lately, by their first :data:`_HEAD` characters.

A streamed draft is checked on every render and grows by a token each time: a string
that starts with a clean one seen before needs only its tail checked (a ``memcmp`` of
the start, as the diff does anyway, instead of a UTF-8 encode of it all), so a token's
cost does not grow with the draft. Bounded: at most :data:`_MAX_HEADS` strings and
:data:`_MAX_HELD` characters are held, then it starts afresh."""
_held_chars = [0]


def _clean_long(value: str) -> bool:
    head = value[:_HEAD]
    known = _clean_heads.get(head)
    if known is not None and len(known) <= len(value) and value.startswith(known):
        clean = is_normal_text(value[len(known) :])  # nothing in ``known`` pairs with it
    else:
        clean = _clean_non_ascii(value)
        known = None
    if clean:
        if len(_clean_heads) >= _MAX_HEADS or _held_chars[0] + len(value) > _MAX_HELD:
            _clean_heads.clear()
            _held_chars[0] = 0
            known = None
        _held_chars[0] += len(value) - (len(known) if known is not None else 0)
        _clean_heads[head] = value
    return clean


def is_normal_text(value: str) -> bool:
    """Whether :func:`normalize_text` would leave ``value`` as it is."""
    return normalize_text(value) is value


def _normalized(value: str) -> str:
    if not value.isascii():
        value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\x00", REPLACEMENT)


_HIGH_FIRST: Final = "\ud800"
_HIGH_LAST: Final = "\udbff"


class TextNormalizer:
    """:func:`normalize_text` for a text that arrives in pieces (a model's tokens).

    ``feed`` each piece and send what it returns; ``flush`` at the end. The outputs
    joined are ``normalize_text`` of the pieces joined, so a CR LF or a surrogate pair
    split between two pieces comes out as it would whole: a piece ending in CR gives LF
    and the next piece's leading LF is dropped; a piece's trailing high surrogate is
    held until the next piece (or ``flush``, where alone it gives U+FFFD)::

        >>> pieces = TextNormalizer()
        >>> [pieces.feed("a\\r"), pieces.feed("\\nb\\ud83d"), pieces.feed("\\ude00")]
        ['a\\n', 'b', '😀']
        >>> pieces.flush()
        ''
    """

    def __init__(self) -> None:
        self._held = ""
        """A trailing high surrogate not sent yet: the next piece may pair it."""
        self._after_cr = False
        """The last character sent came from a CR: a leading LF next is its pair."""

    def feed(self, piece: str) -> str:
        """The normalised text to send for ``piece`` (may be empty)."""
        text = self._held + piece
        self._held = ""
        if self._after_cr and text[:1] == "\n":
            text = text[1:]
        if text and _HIGH_FIRST <= text[-1] <= _HIGH_LAST:
            self._held, text = text[-1], text[:-1]
        if text:
            self._after_cr = text[-1] == "\r"
        elif piece:
            self._after_cr = False
        return normalize_text(text)

    def flush(self) -> str:
        """The end of the text: what is still held (a lone high surrogate), normalised."""
        held, self._held = self._held, ""
        self._after_cr = False
        return normalize_text(held)
