"""Running a view for a test: start it in a nursery, stop it at the end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import trio
import trio.testing

from actorview.mailbox import ActorRef
from actorview.view import View


@asynccontextmanager
async def running(view: View) -> AsyncIterator[ActorRef]:
    """Run ``view`` for the ``async with`` block; cancel it (and its runs) at the end."""
    async with trio.open_nursery() as nursery:
        ref: ActorRef = await nursery.start(view.run)
        yield ref
        nursery.cancel_scope.cancel()


async def settle() -> None:
    """Wait until every task is blocked (mailbox drained, runs waiting)."""
    await trio.testing.wait_all_tasks_blocked()
