"""permessage-deflate (RFC 7692) for the built-in server's live sockets, with its memory
bounded.

A token frame is some 40 bytes of JSON, and consecutive frames repeat each other (the op,
the path, the counter): deflate with context takeover (one compressor for the life of
the socket, each message flushed with ``Z_SYNC_FLUSH``) brings one to about 9 bytes.
wsproto's own :class:`~wsproto.extensions.PerMessageDeflate` makes zlib's default
compressor (a 32 KiB window and a 128 KiB hash table: some 260 KiB per socket) and
inflates whatever a peer sends in one call. :class:`BoundedDeflate` differs in three ways:

1. Its compressor is small (:class:`Compression`: a 2 KiB window, the smallest hash
   table; 16 KiB, traced) and is let go when the socket has
   sent nothing for ``rest_after`` seconds (:meth:`BoundedDeflate.rest`). The next
   message starts a fresh compressor: its deflate blocks refer to nothing before them,
   which the page's inflater, holding its window, reads as any other. An idle socket
   so holds no compressor at all.
2. It asks the page to compress each message on its own (``client_no_context_takeover``,
   which a server may always ask): the inflater lives for one message, not the socket.
3. Inflating stops at ``max_message_size`` bytes of output: a small frame that would
   inflate to gigabytes (a deflate bomb) closes the socket with 1009 before it is read.

Under ASGI the server negotiates compression itself (hypercorn accepts
permessage-deflate with wsproto's defaults); see docs/DEPLOYMENT.md.
"""

from __future__ import annotations

import zlib

import attrs
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import CloseReason, FrameDecoder, FrameProtocol, Opcode, RsvBits

_MIN_WINDOW_BITS = 9
"""zlib writes raw deflate with a 9-bit window when asked for 8, which an 8-bit inflater
cannot read (wsproto refuses an offer of 8 as well: such a page gets no compression)."""


def _window_bits(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not _MIN_WINDOW_BITS <= value <= 15:
        raise ValueError(f"Compression.{attribute.name} must be 9..15, not {value!r}")


def _level(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= 9:
        raise ValueError(f"Compression.{attribute.name} must be 1..9, not {value!r}")


def _mem_level(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not 1 <= value <= 9:
        raise ValueError(f"Compression.{attribute.name} must be 1..9, not {value!r}")


def _positive(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ValueError(f"Compression.{attribute.name} must be > 0, not {value!r}")


@attrs.frozen
class Compression:
    """How the built-in server compresses live-socket frames (``Application(compression=)``;
    ``None`` turns it off). Used when the browser offers permessage-deflate (every
    current browser does).

    The defaults were chosen by ``python -m bench.compression`` (2026-12-03): on the
    chat's token frames (41 bytes of JSON), level 6 with an 11-bit window and
    ``mem_level=1`` sends about 9.7 bytes a frame for 2.4-3.5 µs of CPU, holding 16 KiB
    while the socket sends; zlib's defaults (15 bits, ``mem_level=8``) save 0.2 byte a
    frame for 263 KiB.

    Attributes:
        level: zlib's compression level, 1 (fastest) to 9.
        window_bits: log2 of the compressor's window (9..15); also what the page is
            asked to use, when it lets the server choose.
        mem_level: zlib's memory level (1..9): the hash table is ``2 ** (mem_level + 9)``
            bytes.
        rest_after: seconds without a frame after which a socket lets go of its
            compressor (the next frame makes a new one).
    """

    level: int = attrs.field(default=6, validator=_level)
    window_bits: int = attrs.field(default=11, validator=_window_bits)
    mem_level: int = attrs.field(default=1, validator=_mem_level)
    rest_after: float = attrs.field(default=2.0, validator=_positive)


DEFAULT_COMPRESSION = Compression()
"""What ``Application`` compresses with unless told otherwise."""


class BoundedDeflate(PerMessageDeflate):
    """wsproto's permessage-deflate with a small compressor that can be let go, a
    per-message inflater and a bound on what a message inflates to."""

    def __init__(self, compression: Compression, *, max_message_size: int) -> None:
        super().__init__()
        self._settings = compression
        self._max_inflated = max_message_size
        self._inflated = 0

    def accept(self, offer: str) -> bool | str | None:
        """Accept the page's offer, asking it to compress each message alone and, when
        it lets the server choose, with this side's window size. An offer wsproto
        cannot honour (a window below 9 bits) is declined: no compression."""
        parameters = [part.strip() for part in offer.split(";")]
        self.client_no_context_takeover = True
        # A page may send several offers; each is judged from the defaults.
        self.client_max_window_bits = self.DEFAULT_CLIENT_MAX_WINDOW_BITS
        self.server_max_window_bits = self.DEFAULT_SERVER_MAX_WINDOW_BITS
        if "client_max_window_bits" in parameters:  # the page lets us choose its window
            self.client_max_window_bits = self._settings.window_bits
        return super().accept(offer)

    def rest(self) -> None:
        """Let go of the compressor between messages (see the module docstring)."""
        self._compressor = None

    def frame_outbound(
        self,
        proto: FrameDecoder | FrameProtocol,
        opcode: Opcode,
        rsv: RsvBits,
        data: bytes,
        fin: bool,
    ) -> tuple[RsvBits, bytes]:
        if self._compressor is None and self._compressible_opcode(opcode):
            bits = min(self.server_max_window_bits, self._settings.window_bits)
            self._compressor = zlib.compressobj(
                self._settings.level, zlib.DEFLATED, -bits, self._settings.mem_level
            )
        return super().frame_outbound(proto, opcode, rsv, data, fin)

    def frame_inbound_payload_data(
        self, proto: FrameDecoder | FrameProtocol, data: bytes
    ) -> bytes | CloseReason:
        if not self._inbound_compressed or not self._inbound_is_compressible:
            return data
        assert self._decompressor is not None
        room = self._max_inflated - self._inflated
        try:
            inflated = self._decompressor.decompress(bytes(data), room + 1)
        except zlib.error:
            return CloseReason.INVALID_FRAME_PAYLOAD_DATA
        self._inflated += len(inflated)
        if self._inflated > self._max_inflated or self._decompressor.unconsumed_tail:
            return CloseReason.MESSAGE_TOO_BIG
        return inflated

    def frame_inbound_complete(
        self, proto: FrameDecoder | FrameProtocol, fin: bool
    ) -> bytes | CloseReason | None:
        if fin:
            self._inflated = 0
        return super().frame_inbound_complete(proto, fin)
