"""Server-to-client WebSocket text frames, framed here when nothing transforms them.

A server's frames are unmasked (RFC 6455 §5.1), so with no extension (no
permessage-deflate) a whole text message is its 2-10 byte header and its UTF-8 payload.
wsproto frames the same bytes through an event, a state test, two ``bytearray`` copies
of the payload and a pass over its extensions; the frame clock writes one frame per
streamed token, so :func:`text_frame` writes them directly, and :func:`frames_directly`
tells when that is exactly what wsproto would have sent.
"""

from __future__ import annotations

import struct

from wsproto import WSConnection
from wsproto.connection import ConnectionState

_FIN_TEXT = 0x81
"""FIN set, no RSV bits, opcode 1 (text)."""

_SHORT = 125
_MEDIUM = 0xFFFF
_MEDIUM_HEADER = struct.Struct("!BBH")
_LONG_HEADER = struct.Struct("!BBQ")


def text_frame(message: str) -> bytes:
    """``message`` as one unmasked, final, uncompressed text frame."""
    payload = message.encode()
    size = len(payload)
    if size <= _SHORT:
        return bytes((_FIN_TEXT, size)) + payload
    if size <= _MEDIUM:
        return _MEDIUM_HEADER.pack(_FIN_TEXT, 126, size) + payload
    return _LONG_HEADER.pack(_FIN_TEXT, 127, size) + payload


def frames_directly(ws: WSConnection) -> bool:
    """Whether :func:`text_frame` gives the bytes ``ws.send(TextMessage(...))`` would,
    leaving wsproto's state as that send would leave it: the connection is open (in any
    other state wsproto refuses a message, and the caller should let it), it is a
    server's (unmasked), no extension was negotiated, and no fragmented message is half
    sent (a final frame of a new message leaves ``_outbound_opcode`` unset, as here).

    Reads wsproto 1.3's ``Connection._proto`` (``client``, ``extensions``,
    ``_outbound_opcode``); tests/endpoint/test_frames.py fails if they change."""
    connection = ws.connection
    if connection is None or connection.state is not ConnectionState.OPEN:
        return False
    proto = connection._proto
    return not proto.client and not proto.extensions and proto._outbound_opcode is None
