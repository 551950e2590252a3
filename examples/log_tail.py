"""A log tail that starts itself: it follows a file while a browser watches.

``tail`` is declared ``start="connect", every=1.0``: when a browser connects the view
fires it, and fires it again each second while it stays connected (a tick while a read
is still going is skipped); when the browser goes, the run and its timer are cancelled.
Nothing is clicked and the store is never reached into. Each run reads what the file
gained since the last offset (at most :data:`READ_LIMIT` bytes) and emits a line at a
time; the ``lines`` stream field shows them, the newest :data:`KEEP` in the page.

Mount params: ``{"path": "/var/log/app.log"}``. DOM hooks: ``#log`` (one ``li`` per
line), ``#status``.
"""

from __future__ import annotations

import attrs
import trio

from actorview import (
    Application,
    Element,
    Emit,
    Route,
    StreamFailed,
    View,
    async_stream,
    clause,
    h,
    ops,
    state,
    stream,
)

READ_LIMIT = 64 * 1024
"""Most bytes one run reads; the rest comes with the next tick."""

KEEP = 500
"""Most lines the page holds (older ones are pruned from the top)."""


@attrs.frozen
class LogLine:
    """One line of the file."""

    text: str


@attrs.frozen
class ReadTo:
    """A run read the file up to byte ``end``."""

    end: int


@attrs.frozen
class Params:
    """What the page follows."""

    path: str


def read_from(path: str, offset: int) -> tuple[list[str], int]:
    """The whole lines of ``path`` after byte ``offset`` (at most :data:`READ_LIMIT`
    bytes), and the offset after them. A file shorter than ``offset`` was truncated or
    rotated: it is read again from the start."""
    with open(path, "rb") as file:
        size = file.seek(0, 2)
        start = 0 if size < offset else offset
        file.seek(start)
        chunk = file.read(READ_LIMIT)
    whole, _, _ = chunk.rpartition(b"\n")
    if not whole and not chunk.endswith(b"\n"):
        return [], start
    lines = whole.decode("utf-8", "replace").split("\n")
    return lines, start + len(whole) + 1


async def tail(path: str, offset: int, emit: Emit) -> None:
    """Read what ``path`` gained since ``offset`` and emit it, a line at a time.

    The read is a local file's next :data:`READ_LIMIT` bytes at most, done in the run's
    own task; a file on a slow mount would read in ``trio.to_thread.run_sync`` instead.
    """
    lines, end = read_from(path, offset)
    for text in lines:
        await emit(LogLine(text))
    await emit(ReadTo(end))


class LogTail(View):
    """The lines a file gains, shown as they come, while someone watches."""

    lines = stream(LogLine, limit=KEEP)
    path = state(str)
    offset = state(int)
    status = state(str, "waiting for a browser")

    follow = async_stream(emits=(LogLine, ReadTo), start="connect", every=1.0)(tail)

    on_line = clause(LogLine, ops.push(lines=lambda text: LogLine(text)), batch=True)
    on_read = clause(ReadTo, ops.set(offset=lambda end: end, status="following"))
    on_failed = clause(
        StreamFailed,
        ops.set(status=lambda error: f"cannot read the file: {error}"),
        match={"stream": "follow"},
    )

    def mount(self, params: Params) -> None:
        self.path = params.path

    def render(self) -> Element:
        return h.main(
            h.p(f"{self.path}: {self.status}", id="status"),
            self.lines.slot("ol", lambda line: h.li(line.text), id="log"),
        )


if __name__ == "__main__":
    import sys

    app = Application([Route("/", LogTail, params={"path": sys.argv[1]})])
    trio.run(app.serve)
