"""TrioDriver: step actors from synchronous code, under a clock that moves on request."""

from __future__ import annotations

import attrs
import pytest
import trio

from actorview.mailbox import Actor, on
from actorview.testing import TrioDriver
from tests.mailbox.messages import Add, Counter, Explode, Fragile, Total


@attrs.frozen
class Tick:
    pass


class Ticker(Actor):
    """Sends itself a Tick every second."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    async def on_start(self) -> None:
        self.nursery.start_soon(self._clock)

    async def _clock(self) -> None:
        while True:
            await trio.sleep(1)
            await self.ref.tell(Tick())

    @on(Tick)
    def tick(self, message: Tick) -> None:
        self.ticks += 1


def test_each_call_returns_with_every_mailbox_drained() -> None:
    with TrioDriver() as driver:
        counter = Counter()
        ref = driver.start(counter.run)
        for amount in range(1, 6):
            driver.call_sync(ref.tell_nowait, Add(amount))
            assert len(counter.mailbox) == 0
        assert counter.total == 15
        assert driver.call(ref.ask, Total()) == 15


def test_time_moves_only_when_advanced() -> None:
    with TrioDriver() as driver:
        ticker = Ticker()
        driver.start(ticker.run)
        driver.settle()
        assert ticker.ticks == 0
        driver.advance(1.0)
        assert ticker.ticks == 1
        driver.advance(3.0)  # the sleep that came due ends; the next starts from t=4
        assert ticker.ticks == 2
        driver.settle()
        assert ticker.ticks == 2
        driver.advance(1.0)
        assert ticker.ticks == 3


def test_a_crash_in_the_loop_is_raised_to_the_test() -> None:
    with pytest.RaisesGroup(ValueError), TrioDriver() as driver:
        ref = driver.start(Fragile().run)
        driver.call_sync(ref.tell_nowait, Explode())
        driver.settle()
