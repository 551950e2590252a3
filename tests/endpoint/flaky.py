"""Views whose dependencies the test takes down and brings back, for the fault-isolation
tests (endpoint, browser and chaos).

:class:`Ledger` reads its :class:`LedgerDatabase` in every render, as a view backed by a
database does: once the database is broken for its session, the render that follows a
press raises, and so does the first render of every restart. :class:`Needy` connects
to a :class:`Service` in ``on_start``: while the service is down its start fails with
``ConnectionRefusedError``, an error its route's ``waits_on`` names.
"""

from __future__ import annotations

from typing import Any

import attrs
import trio

from actorview.render import Element, h
from actorview.view import View, action, ops, state


class LedgerBroken(Exception):
    """What a read of a broken ledger raises (not a dependency error: a bug-like crash)."""


@attrs.define
class LedgerDatabase:
    """Shared by every Ledger view of an application; broken per session, or for a number
    of reads."""

    broken: set[str] = attrs.Factory(set)
    failing_reads: int = 0
    reads: int = 0

    def read(self, session: str) -> str:
        self.reads += 1
        if self.failing_reads > 0:
            self.failing_reads -= 1
            raise LedgerBroken("the ledger database failed this read")
        if session in self.broken:
            raise LedgerBroken(f"the ledger database is down for session {session[:8]}")
        return "balance: 100"


class Ledger(View):
    """A press re-renders, and every render reads the database."""

    presses = state(int)
    press = action(ops.set(presses=lambda presses: presses + 1))

    def mount(self, params: dict[str, Any]) -> None:
        self.db: LedgerDatabase = params["db"]
        self.session: str = params["session"]

    def render(self) -> Element:
        balance = self.db.read(self.session)
        return h.div(
            h.button("press", id="press", av_click="press"),
            h.span(self.presses, id="presses"),
            h.p(balance, id="balance"),
        )


@attrs.define
class Service:
    """A service a view connects to when it starts; down until the test brings it up."""

    up: bool = False
    attempts: int = 0
    _watched: list[tuple[int, trio.Event]] = attrs.Factory(list)

    async def connect(self) -> str:
        self.attempts += 1
        for count, reached in self._watched:
            if self.attempts >= count:
                reached.set()
        await trio.lowlevel.checkpoint()
        if not self.up:
            raise ConnectionRefusedError("the service at 10.0.0.7:5432 refused the connection")
        return "connected"

    async def tried(self, times: int) -> None:
        """Return once views have tried to connect ``times`` times in all."""
        reached = trio.Event()
        self._watched.append((times, reached))
        if self.attempts >= times:
            reached.set()
        await reached.wait()


class Needy(View):
    """Its ``on_start`` needs the service; it shows what the service said."""

    status = state(str)

    def mount(self, params: dict[str, Any]) -> None:
        self.service: Service = params["service"]
        self.status = "static"

    async def on_start(self) -> None:
        self.status = await self.service.connect()
        self.live.store.compute_all()
        await super().on_start()

    def render(self) -> Element:
        return h.div(h.p(self.status, id="status"))
