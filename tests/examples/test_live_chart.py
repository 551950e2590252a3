"""examples/live_chart.py in the test client: readings pushed to the chart's hook as
events, after the render of their message; the title follows; a high reading flashes."""

from __future__ import annotations

import trio
import trio.testing

from actorview.testing import mount
from examples.live_chart import LIMIT, Sample, Sensor


async def test_each_reading_is_drawn_then_pushed_to_the_chart_hook(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Sensor) as view:
        assert view.title == "21.0 °C · Sensor"
        await view.connect()
        await view.until(lambda v: len(v.events) >= 3)
        values = [event.value for event in view.events]
        assert [value["n"] for value in values] == list(range(len(values)))
        kinds = [f.kind for f in view.frames if f.kind in ("patch", "event")]
        assert kinds[:6] == ["patch", "event"] * 3, "each event follows its render"
        assert view.title == f"{view.state['reading']:.1f} °C · Sensor"


async def test_a_reading_over_the_limit_flashes_a_warning_once(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Sensor) as view:
        await view.send(Sample(LIMIT + 1))
        await view.send(Sample(LIMIT + 2))
        assert [(f.kind.value, f.text) for f in view.flashes] == [
            ("warning", f"High reading: {LIMIT + 1:.1f} °C")
        ]


async def test_clear_empties_the_chart_and_says_so(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Sensor) as view:
        await view.send(Sample(20.0))
        await view.click("#clear")
        assert view.text("#samples") == "0 samples"
        assert view.events[-1].name == "clear"
        assert view.flashes[-1].text == "Chart cleared"
