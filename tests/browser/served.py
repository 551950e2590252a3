"""An Application served in a thread of its own (its own trio run) on 127.0.0.1, so the
sync Playwright driver can wait on the browser while the server works."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import trio

from actorview.endpoint import Application


@contextmanager
def served_in_thread(app: Application) -> Iterator[int]:
    """Serve ``app`` on a free port until the block ends; yields the port."""
    started: queue.Queue[tuple[int, trio.lowlevel.TrioToken, trio.CancelScope]] = queue.Queue()

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            port: int = await nursery.start(app.serve, "127.0.0.1", 0)
            started.put((port, trio.lowlevel.current_trio_token(), nursery.cancel_scope))

    thread = threading.Thread(target=trio.run, args=(main,), daemon=True)
    thread.start()
    port, token, scope = started.get(timeout=10)
    try:
        yield port
    finally:
        token.run_sync_soon(scope.cancel)
        thread.join(timeout=10)
