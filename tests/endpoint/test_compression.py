"""permessage-deflate on the built-in server's live sockets (endpoint/_compression.py):
negotiated when the page offers it, frames that a standard inflater reads, a compressor
let go while the socket is quiet, a per-message inflater, and a deflate bomb refused.

The client (bench/_deflate.py) is wsproto's own, with its own PerMessageDeflate, over a
real loopback socket: what it reads is what a browser's inflater reads.
"""

from __future__ import annotations

import json
import tracemalloc
import zlib
from typing import Any

import pytest
import trio
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import FrameProtocol, Opcode, RsvBits

from actorview.endpoint import Application, Compression, Limits, Route
from actorview.endpoint._compression import BoundedDeflate
from bench._deflate import DeflateClient, deflate_client, offering
from tests.endpoint.harness import Counter, fetch, running

SECRET = b"compression-secret-" * 2
BUILTIN = pytest.mark.builtin_only(
    "compression is the WebSocket layer's: under ASGI the server negotiates it (hypercorn "
    "accepts permessage-deflate with wsproto's defaults)"
)


def app_with(compression: Compression | None, limits: Limits | None = None) -> Application:
    return Application([Route("/", Counter)], secret=SECRET, compression=compression, limits=limits)


async def joined(port: int, client: DeflateClient) -> None:
    token = (await fetch(port)).token
    await client.send_text(json.dumps({"t": "join", "token": token, "path": "/"}))
    assert (await client.message())["t"] == "joined"
    await client.message()  # the first render


def negotiated(client: DeflateClient) -> PerMessageDeflate | None:
    """The permessage-deflate the server accepted (with its parameters), or None."""
    assert client.accepted is not None
    accepted = [e for e in client.accepted.extensions if isinstance(e, PerMessageDeflate)]
    return accepted[0] if accepted else None


async def click(client: DeflateClient, ref: int) -> list[Any]:
    """Click "+" (event ``ref``): the frames that come until its reply, the reply last."""
    await client.send_text(json.dumps({"t": "event", "ref": ref, "name": "increment"}))
    frames = [await client.message()]
    while not (isinstance(frames[-1], dict) and frames[-1].get("ref") == ref):
        frames.append(await client.message())
    return frames


@BUILTIN
async def test_a_browser_offer_is_accepted_with_a_per_message_inflater_and_our_window() -> None:
    async with running(app_with(Compression())) as port, deflate_client(port) as client:
        header = negotiated(client)
        await joined(port, client)
        for ref in range(1, 31):
            assert (await click(client, ref))[0] == [["t", [1, 0], str(2 * ref)]]
    assert header is not None
    assert header.client_no_context_takeover
    assert header.client_max_window_bits == 11


@BUILTIN
async def test_compressed_frames_are_read_whole_and_are_smaller() -> None:
    """The same 40 clicks cost fewer bytes on the wire compressed than not, and every
    frame decodes to the same JSON."""
    read: dict[str, int] = {}
    frames: dict[str, list[Any]] = {}
    for label, compression in (("plain", None), ("deflate", Compression())):
        async with running(app_with(compression)) as port, deflate_client(port) as client:
            await joined(port, client)
            before = client.bytes_read
            frames[label] = [await click(client, ref) for ref in range(1, 41)]
            read[label] = client.bytes_read - before
    assert frames["deflate"] == frames["plain"]
    assert read["deflate"] < 0.6 * read["plain"], read


@BUILTIN
async def test_a_socket_quiet_past_rest_after_lets_go_of_its_compressor_and_goes_on() -> None:
    """After each quiet spell the server compresses with a fresh compressor; the
    client's inflater (holding its window) reads those frames like any other."""
    app = app_with(Compression(rest_after=0.05))
    async with running(app) as port, deflate_client(port) as client:
        await joined(port, client)
        for ref in range(1, 13):
            assert (await click(client, ref))[0] == [["t", [1, 0], str(2 * ref)]]
            if ref % 3 == 0:
                await trio.sleep(0.15)  # quiet: the compressor is let go


@BUILTIN
async def test_compression_off_negotiates_nothing() -> None:
    async with running(app_with(None)) as port, deflate_client(port) as client:
        header = negotiated(client)
        await joined(port, client)
        assert (await click(client, 1))[0] == [["t", [1, 0], "2"]]
    assert header is None


@BUILTIN
async def test_a_page_asking_for_an_8_bit_window_gets_no_compression() -> None:
    offer = offering("server_max_window_bits=8")
    async with running(app_with(Compression())) as port, deflate_client(port, offer) as client:
        header = negotiated(client)
        await joined(port, client)
        assert (await click(client, 1))[0] == [["t", [1, 0], "2"]]
    assert header is None


@BUILTIN
async def test_a_deflate_bomb_is_closed_with_1009_before_it_is_inflated() -> None:
    """A 20 KB compressed frame that inflates to 20 MB: the server stops inflating at
    its message bound and closes with 1009 (message too big); the server goes on."""
    app = app_with(Compression(), Limits(max_frame_bytes=64 * 1024))
    bomb_text = "[" + " " * 20_000_000 + "]"
    async with running(app) as port:
        async with deflate_client(port) as client:
            await joined(port, client)
            compressor = zlib.compressobj(9, zlib.DEFLATED, -11)
            payload = compressor.compress(bomb_text.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
            assert len(payload) < 40_000
            await client.stream.send_all(_compressed_text_frame(payload[:-4]))
            assert await client.close_code() == 1009
        async with deflate_client(port) as other:
            await joined(port, other)
            assert (await click(other, 1))[0] == [["t", [1, 0], "2"]]


def _compressed_text_frame(payload: bytes) -> bytes:
    """One masked, final text frame with RSV1 set (compressed), as a client sends it."""
    head = bytes([0x80 | 0x40 | 0x1])
    size = len(payload)
    if size < 126:
        head += bytes([0x80 | size])
    elif size < 1 << 16:
        head += bytes([0x80 | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([0x80 | 127]) + size.to_bytes(8, "big")
    mask = b"\x01\x02\x03\x04"
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def test_rest_lets_go_of_the_compressor_and_the_same_inflater_reads_what_follows() -> None:
    """Unit level: the compressor's memory (traced) is given back by ``rest()``, and a
    page's inflater that kept its window reads the fresh compressor's output."""
    deflate = BoundedDeflate(Compression(), max_message_size=1 << 20)
    assert deflate.accept("client_max_window_bits") is not None
    proto = FrameProtocol(client=False, extensions=[deflate])
    inflater = zlib.decompressobj(-15)  # the page's: the largest window

    def compress(text: str) -> bytes:
        rsv = RsvBits(False, False, False)
        return deflate.frame_outbound(proto, Opcode.TEXT, rsv, text.encode(), True)[1]

    def inflate(data: bytes) -> str:
        return inflater.decompress(data + b"\x00\x00\xff\xff").decode()

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        first = compress('[["a",[2,0]," one"]]')
        held = tracemalloc.get_traced_memory()[0] - before
        deflate.rest()
        after_rest = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held > 10_000 > after_rest, (held, after_rest)
    assert inflate(first) == '[["a",[2,0]," one"]]'
    for word in ("two", "three", "four"):
        text = f'[["a",[2,0]," {word}"]]'
        assert inflate(compress(text)) == text
        deflate.rest()
