"""Upload frames over a real live socket, on both transports: a start, binary chunks
acknowledged one window at a time, and hostile frames (wrong sizes, unknown files,
chunks after a cancel, bad headers, chunks past the frame limit) answered without
harm to the view or to other messages."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trio
import trio_websocket

from actorview.endpoint import Application, Limits, Route
from actorview.endpoint._uploads import HEADER_BYTES, WINDOW_CHUNKS, encode_chunk
from actorview.render import Element, h
from actorview.view import View, action, ops, state, upload
from examples.attachments import Attachments
from tests.endpoint.harness import fetch, join, live, running, send

SECRET = b"upload-secret-" * 3
LIMIT = 16 * 1024
CHUNK = LIMIT - HEADER_BYTES


def attachments_app(directory: Path) -> Application:
    return Application(
        [Route("/", Attachments, params={"directory": str(directory)})],
        secret=SECRET,
        limits=Limits(max_frame_bytes=LIMIT),
    )


async def frames_until(
    ws: trio_websocket.WebSocketConnection, done: Callable[[Any], bool], within: float = 5
) -> list[Any]:
    """Every frame up to and including the first that ``done`` holds for."""
    seen: list[Any] = []
    with trio.fail_after(within):
        while True:
            frame = json.loads(await ws.get_message())
            seen.append(frame)
            if done(frame):
                return seen


def upload_answer(frame: Any) -> bool:
    return isinstance(frame, dict) and frame.get("t") == "upload"


def start(file_id: int, name: str, size: int, kind: str = "text/plain") -> dict[str, Any]:
    return {"t": "upload", "upload": "files", "files": [
        {"id": file_id, "name": name, "size": size, "type": kind}
    ]}  # fmt: skip


async def test_a_file_goes_in_binary_chunks_acknowledged_one_by_one(tmp_path: Path) -> None:
    data = bytes(range(256)) * 200  # 51,200 bytes: four chunks of 16,371 and a tail
    async with running(attachments_app(tmp_path)) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await ws.send_message(json.dumps(start(1, "notes.txt", len(data))))
            frames = await frames_until(ws, upload_answer)
            answer = frames[-1]
            assert answer == {
                "t": "upload",
                "files": [{"id": 1, "state": "uploading", "received": 0}],
                "chunk": CHUNK,
                "window": CHUNK * WINDOW_CHUNKS,
            }
            acks = []
            for offset in range(0, len(data), CHUNK):
                await ws.send_message(encode_chunk(1, offset, data[offset : offset + CHUNK]))
                acks.append((await frames_until(ws, upload_answer))[-1]["files"][0])
            assert [ack["received"] for ack in acks] == [CHUNK, 2 * CHUNK, 3 * CHUNK, len(data)]
            assert acks[-1]["state"] == "done"
            await frames_until(ws, lambda f: "notes.txt (51200 bytes)" in json.dumps(f))
    assert (tmp_path / "notes.txt").read_bytes() == data


async def test_hostile_chunks_are_answered_and_the_view_goes_on(tmp_path: Path) -> None:
    async with running(attachments_app(tmp_path)) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            # A chunk for a file nobody started.
            await ws.send_message(encode_chunk(42, 0, b"x"))
            unknown = (await frames_until(ws, upload_answer))[-1]
            assert unknown["files"] == [
                {"id": 42, "state": "cancelled", "received": 0, "error": "no such file"}
            ]
            # A header too short to be one, and another binary frame.
            await ws.send_message(b"\x01\x00")
            short = await frames_until(ws, lambda f: f.get("t") == "error")
            assert "needs a 13-byte header" in short[-1]["error"]
            await ws.send_message(b"\x02hello")
            other = await frames_until(ws, lambda f: f.get("t") == "error")
            assert "binary frames are not part of the protocol" in other[-1]["error"]
            # More bytes than the file was said to have: refused, the file fails.
            await ws.send_message(json.dumps(start(2, "a.txt", 3)))
            await frames_until(ws, upload_answer)
            await ws.send_message(encode_chunk(2, 0, b"four"))
            over = (await frames_until(ws, upload_answer))[-1]["files"][0]
            assert over["state"] == "failed" and "more bytes arrived" in over["error"]
            # A chunk larger than a frame may be: refused, its file fails.
            await ws.send_message(json.dumps(start(3, "b.txt", 10 * LIMIT)))
            await frames_until(ws, upload_answer)
            await ws.send_message(encode_chunk(3, 0, b"y" * (CHUNK + 1)))
            big = (await frames_until(ws, upload_answer))[-1]["files"][0]
            assert big["state"] == "failed" and "past the limit of 16371" in big["error"]
            # Chunks after a cancel.
            await ws.send_message(json.dumps(start(4, "c.txt", 10)))
            await frames_until(ws, upload_answer)
            await send(ws, t="upload_cancel", id=4)
            cancelled = (await frames_until(ws, upload_answer))[-1]["files"][0]
            assert cancelled["state"] == "cancelled"
            await ws.send_message(encode_chunk(4, 0, b"z" * 10))
            late = (await frames_until(ws, upload_answer))[-1]["files"][0]
            assert late["state"] == "cancelled"
            # A refused type and an unknown upload, then a file that works.
            await ws.send_message(json.dumps(start(5, "run.exe", 1)))
            refused = (await frames_until(ws, upload_answer))[-1]["files"][0]
            assert refused["error"].startswith("this type of file is not accepted")
            await send(ws, t="upload", upload="nope", files=[])
            nope = (await frames_until(ws, upload_answer))[-1]
            assert nope["error"] == "Attachments has no upload 'nope' (its uploads: files)"
            await ws.send_message(json.dumps(start(6, "ok.txt", 2)))
            await frames_until(ws, upload_answer)
            await ws.send_message(encode_chunk(6, 0, b"ok"))
            await frames_until(ws, lambda f: "ok.txt (2 bytes)" in json.dumps(f))
    assert (tmp_path / "ok.txt").read_bytes() == b"ok"
    assert sorted(os.listdir(tmp_path)) == ["ok.txt"]


class Inbox(View):
    """An upload beside an ordinary action."""

    document = upload(max_size=100_000)
    count = state(int)
    increment = action(ops.set(count=lambda count: count + 1))

    def render(self) -> Element:
        return h.div(self.document.input(), h.span(str(self.count), id="count"))


async def test_events_between_chunks_are_answered_in_the_order_sent() -> None:
    app = Application([Route("/", Inbox)], secret=SECRET, limits=Limits(max_frame_bytes=LIMIT))
    data = b"d" * (3 * CHUNK)
    async with running(app) as port:
        page = await fetch(port)
        async with live(port) as ws:
            await join(ws, page.token)
            await send(ws, t="upload", upload="document", files=[
                {"id": 1, "name": "a.bin", "size": len(data), "type": ""}
            ])  # fmt: skip
            await frames_until(ws, upload_answer)
            for index in range(3):
                offset = index * CHUNK
                await ws.send_message(encode_chunk(1, offset, data[offset : offset + CHUNK]))
                await send(ws, t="event", ref=index + 1, name="increment")
            frames = await frames_until(ws, lambda f: isinstance(f, dict) and f.get("ref") == 3)
    answers = [
        ("ack", f["files"][0]["received"]) if upload_answer(f) else ("reply", f["ref"])
        for f in frames
        if isinstance(f, dict) and f.get("t") in ("upload", "reply")
    ]
    assert answers == [
        ("ack", CHUNK),
        ("reply", 1),
        ("ack", 2 * CHUNK),
        ("reply", 2),
        ("ack", 3 * CHUNK),
        ("reply", 3),
    ]
