"""A live chart drawn by a hook: the server pushes each reading to the page as an event.

The view samples a sensor twice a second while a browser watches (``start="connect"``)
and pushes every reading to the page with ``ops.push_event("point", ...)``. The chart is
a ``<canvas>`` the server renders once and never touches; its hook (``examples/static/
chart.js``, an ES module served with ``Application(modules=["chart.js"])``) listens with
``this.handleEvent("point", ...)`` and draws. Each event arrives after the render of the
same message, so the hook sees ``#latest`` already showing the reading it draws.

The page title follows the last reading (``page_title``, a calc), a reading that crosses
the limit shows a warning toast (``ops.flash``), and a double click on the chart asks the
view to clear it (the hook's ``this.pushEvent("clear")``), which the view confirms with
an event back to the hook and an info toast.

Run it: ``python -m examples.live_chart``. DOM hooks: ``#chart`` (``data-points``: how
many points it holds, ``data-out-of-order``: events that arrived before their render;
always 0), ``#latest``, ``#samples``, ``#clear``.
"""

from __future__ import annotations

import math
from pathlib import Path

import attrs
import trio

from actorview import (
    Application,
    Element,
    Emit,
    Route,
    StreamFailed,
    View,
    action,
    async_stream,
    calculate,
    clause,
    h,
    ops,
    state,
)

LIMIT = 24.0
"""A reading above this shows a warning toast (once per crossing)."""

STATIC = Path(__file__).with_name("static")


@attrs.frozen
class Sample:
    celsius: float


async def sample(samples: int, emit: Emit) -> None:
    """One reading of a pretend sensor: a slow wave around 21 °C."""
    await emit(Sample(round(21.0 + 4.0 * math.sin(samples / 3), 1)))


class Sensor(View):
    reading = state(float, 21.0)
    samples = state(int)
    page_title = calculate(lambda reading: f"{reading:.1f} °C · Sensor")

    sampler = async_stream(emits=(Sample,), start="connect", every=0.5)(sample)

    on_sample = clause(
        Sample,
        ops.set(reading=lambda celsius: celsius, samples=lambda samples: samples + 1),
        ops.push_event("point", lambda samples, celsius: {"n": samples, "y": celsius}),
        ops.when(
            lambda reading, celsius: reading <= LIMIT < celsius,
            ops.flash("warning", lambda celsius: f"High reading: {celsius:.1f} °C"),
        ),
    )
    on_failed = clause(
        StreamFailed,
        ops.flash("error", "The sensor could not be read."),
        match={"stream": "sampler"},
    )
    clear = action(
        ops.set(samples=0),
        ops.push_event("clear", {}),
        ops.flash("info", "Chart cleared"),
    )

    def render(self) -> Element:
        return h.main(
            h.h1("Sensor"),
            h.p(
                h.span(f"{self.reading:.1f}", id="latest"),
                " °C, ",
                h.span(f"{self.samples} samples", id="samples"),
            ),
            h.canvas(id="chart", av_hook="Chart", width="480", height="160"),
            h.p(h.button("Clear", id="clear", av_click="clear"), " or double-click the chart"),
        )


def build_app(secret: bytes | None = None) -> Application:
    """The example's application: the view, and its hook module served same-origin."""
    return Application(
        [Route("/", Sensor)],
        secret=secret,
        title="Sensor",
        static_files={"chart.js": STATIC / "chart.js"},
        modules=["chart.js"],
    )


if __name__ == "__main__":
    trio.run(build_app().serve)
