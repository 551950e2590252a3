"""A WebSocket client on raw bytes, for what a real client library will not do: stay
silent under a close, send frames that break RFC 6455, read the server's frames as sent.
"""

from __future__ import annotations

import os
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import attrs
import trio

KEY = "dGhlIHNhbXBsZSBub25jZQ=="
TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


@attrs.frozen
class Frame:
    opcode: int
    payload: bytes

    @property
    def close_code(self) -> int | None:
        if self.opcode != CLOSE or len(self.payload) < 2:
            return None
        return int(struct.unpack("!H", self.payload[:2])[0])

    @property
    def close_reason(self) -> str:
        return self.payload[2:].decode("utf-8", "replace")


def frame(
    opcode: int, payload: bytes = b"", *, fin: bool = True, rsv: int = 0, masked: bool = True
) -> bytes:
    """One frame as a client sends it (masked unless told otherwise)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    size = len(payload)
    mask_bit = 0x80 if masked else 0
    if size < 126:
        head += bytes([mask_bit | size])
    elif size < 1 << 16:
        head += bytes([mask_bit | 126]) + struct.pack("!H", size)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", size)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_frame(code: int, reason: str = "") -> bytes:
    return frame(CLOSE, struct.pack("!H", code) + reason.encode())


def upgrade_request(port: int, *, host: str | None = None, origin: str | None = None) -> bytes:
    host = host or f"127.0.0.1:{port}"
    origin = origin or f"http://{host}"
    return (
        f"GET /_av/live HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n"
        f"Origin: {origin}\r\n\r\n"
    ).encode()


class RawSocket:
    """An upgraded socket whose every byte the test chooses."""

    def __init__(self, stream: trio.SocketStream, leftover: bytes) -> None:
        self.stream = stream
        self._buffer = bytearray(leftover)

    async def send(self, data: bytes) -> None:
        await self.stream.send_all(data)

    async def frames_until_eof(self, within: float = 5) -> list[Frame]:
        """Every frame the server sends until it closes the TCP connection (fails after
        ``within`` seconds: a server that holds the connection fails the test)."""
        with trio.fail_after(within):
            while chunk := await self._receive():
                self._buffer += chunk
        return parse_frames(bytes(self._buffer))

    async def receive_into_buffer(self) -> None:
        """Read once into the buffer (EOF fails: the test expected more)."""
        chunk = await self._receive()
        assert chunk, "the server closed the connection"
        self._buffer += chunk

    def buffered(self) -> list[Frame]:
        """The frames among the bytes read so far."""
        return parse_frames(bytes(self._buffer))

    def buffered_close(self) -> bool:
        """Whether a close frame has arrived (among the bytes read so far)."""
        return any(f.opcode == CLOSE for f in parse_frames(bytes(self._buffer)))

    async def _receive(self) -> bytes:
        try:
            return bytes(await self.stream.receive_some(65536))
        except trio.BrokenResourceError:  # reset by the server: the same as EOF here
            return b""


def parse_frames(data: bytes) -> list[Frame]:
    """Server frames (unmasked, unfragmented), the way RFC 6455 lays them out."""
    frames = []
    at = 0
    while at + 2 <= len(data):
        opcode, size = data[at] & 0x0F, data[at + 1] & 0x7F
        at += 2
        if size == 126:
            size, at = struct.unpack("!H", data[at : at + 2])[0], at + 2
        elif size == 127:
            size, at = struct.unpack("!Q", data[at : at + 8])[0], at + 8
        frames.append(Frame(opcode, data[at : at + size]))
        at += size
    return frames


@asynccontextmanager
async def raw_socket(
    port: int, *, local_address: str | None = None, host: str | None = None
) -> AsyncIterator[RawSocket]:
    """Connect, upgrade (asserting 101), and yield the socket; closed after the block."""
    stream = await trio.open_tcp_stream("127.0.0.1", port, local_address=local_address)
    async with stream:
        await stream.send_all(upgrade_request(port, host=host))
        head = b""
        with trio.fail_after(5):
            while b"\r\n\r\n" not in head:
                chunk = await stream.receive_some(4096)
                assert chunk, f"closed during the handshake: {head!r}"
                head += chunk
        head, _, rest = head.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        yield RawSocket(stream, rest)
