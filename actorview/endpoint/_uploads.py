"""Upload frames on the live socket: the binary chunk format, and relaying to the view.

A file's bytes travel as **binary** WebSocket messages, one chunk each: a 13-byte header
(byte 0 is :data:`CHUNK_TAG`; bytes 1-4 the file's id, bytes 5-12 the offset of the
chunk's first byte, both unsigned big-endian) and then the bytes. Binary, not base64 in
JSON: a third fewer bytes on the wire and no encode/decode on either side; both servers
(the built-in one and ASGI) carry binary messages, and text frames stay JSON.

The page starts with a ``{"t":"upload"}`` frame (:class:`StartUpload`) naming the files;
each chunk is then handed to the view, which writes it and answers; the answer goes back
as an ``upload`` control frame (``{"t":"upload","files":[{"id","state","received"}]}``),
which is the page's acknowledgement: it keeps at most :data:`WINDOW_CHUNKS` chunks of a
file unacknowledged (flow control: one upload never fills the outbox, and the socket's
reader takes one chunk at a time, so events keep their turn). The start's answer also
says the chunk size (``chunk``: the frame limit less the header) and the window in bytes
(``window``). A chunk larger than a frame may be is refused and fails its file; every
other check is the view's (``actorview.view._uploads``). docs/PROTOCOL.md has the frames.
"""

from __future__ import annotations

import struct
from typing import Any

from actorview.endpoint._errors import BadFrame
from actorview.endpoint._protocol import CancelUpload, StartUpload, control_frame
from actorview.endpoint._session import Session
from actorview.mailbox import ActorRef, ActorStopped, AskTimeout
from actorview.view._uploads import UploadAnswer, UploadCancel, UploadChunk, UploadStart

CHUNK_TAG = 1
"""The first byte of a chunk frame (any other binary frame is refused)."""

_HEADER = struct.Struct(">BIII")  # tag, id, offset (high 32 bits, low 32 bits)
HEADER_BYTES = _HEADER.size
"""Bytes of a chunk frame's header (13)."""

WINDOW_CHUNKS = 4
"""Chunks of one file the page may send before the first is acknowledged."""

ASK_TIMEOUT = 10.0

UploadEvent = UploadStart | UploadChunk | UploadCancel
"""What the endpoint asks a view to take for the page's upload frames."""


def chunk_bytes(max_frame_bytes: int) -> int:
    """The most bytes of a file one chunk frame carries under ``max_frame_bytes``."""
    return max_frame_bytes - HEADER_BYTES


def encode_chunk(file_id: int, offset: int, data: bytes) -> bytes:
    """One chunk frame (what uploads.js sends; the test client and tests use it)."""
    return _HEADER.pack(CHUNK_TAG, file_id, offset >> 32, offset & 0xFFFFFFFF) + data


def is_chunk(message: str | bytes) -> bool:
    """Whether ``message`` is a chunk frame (binary, and its first byte is the tag)."""
    return isinstance(message, bytes) and message[:1] == bytes((CHUNK_TAG,))


def parse_chunk(message: bytes, *, max_frame_bytes: int) -> UploadChunk:
    """The chunk ``message`` carries; raises :class:`BadFrame` for a header that does not
    fit. A chunk past ``max_frame_bytes`` comes back ``refused`` (its file fails)."""
    if len(message) < HEADER_BYTES:
        raise BadFrame(f"an upload chunk needs a {HEADER_BYTES}-byte header")
    _, file_id, high, low = _HEADER.unpack_from(message)
    offset = (high << 32) | low
    if len(message) > max_frame_bytes:
        refused = (
            f"a chunk of {len(message) - HEADER_BYTES} bytes arrived, past the limit of "
            f"{chunk_bytes(max_frame_bytes)}"
        )
        return UploadChunk(file_id, offset, b"", refused=refused)
    return UploadChunk(file_id, offset, message[HEADER_BYTES:])


def view_event(frame: StartUpload | CancelUpload) -> UploadStart | UploadCancel:
    """The view event of an upload control frame."""
    if isinstance(frame, StartUpload):
        return UploadStart(frame.upload, frame.files)
    return UploadCancel(frame.id)


async def relay(
    ref: ActorRef,
    session: Session,
    event: UploadEvent,
    *,
    max_frame_bytes: int,
) -> None:
    """Ask the view to take ``event`` and queue its answer for the page (a start's
    answer carries the chunk size and the window)."""
    try:
        answer: UploadAnswer = await ref.ask(event, timeout=ASK_TIMEOUT)
    except (ActorStopped, AskTimeout) as error:
        session.outbox.push_control(
            control_frame("upload", error=f"the view did not answer: {error}")
        )
        return
    fields: dict[str, Any] = {"files": [file.wire() for file in answer.files]}
    if answer.error is not None:
        fields["error"] = answer.error
    if isinstance(event, UploadStart):
        size = chunk_bytes(max_frame_bytes)
        fields.update(chunk=size, window=size * WINDOW_CHUNKS)
    session.outbox.push_control(control_frame("upload", **fields))
