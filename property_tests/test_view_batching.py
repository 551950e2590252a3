"""N messages handled as one coalesced batch leave the same state as handled one by one,
with one recompute and one render instead of N."""

from __future__ import annotations

import attrs
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

from actorview.mailbox import on
from actorview.render import Element, h
from actorview.view import Appended, Rendered, View, calculate, clause, ops, state


@attrs.frozen
class Piece:
    chunk: str


@attrs.frozen
class Hold:
    pass


def words(text: str) -> int:
    return len(text.split())


def more_words(previous: int, change: Appended[str]) -> int:
    seam = change.preceding + change.added
    return previous + words(seam) - words(change.preceding)


class Typist(View, receives=(Piece, Hold)):
    text = state(str)
    count = calculate(words, incremental=lambda previous, change: more_words(previous, change))
    length = calculate(lambda count: count * 2)
    on_piece = clause(Piece, ops.append(text=lambda chunk: chunk), batch=True)

    def mount(self, params: None) -> None:
        self.gate = trio.Event()

    @on(Hold)
    async def hold(self, message: Hold) -> None:
        await self.gate.wait()

    def render(self) -> Element:
        return h.div(h.p(self.text), h.p(self.count))


async def run_both(pieces: list[str]) -> tuple[Typist, list[Rendered], Typist, list[Rendered]]:
    burst_renders: list[Rendered] = []
    single_renders: list[Rendered] = []
    burst, single = Typist(sink=burst_renders.append), Typist(sink=single_renders.append)
    async with trio.open_nursery() as nursery:
        burst_ref = await nursery.start(burst.run)
        single_ref = await nursery.start(single.run)
        await burst_ref.tell(Hold())
        for piece in pieces:
            await burst_ref.tell(Piece(piece))
            await single_ref.ask(Piece(piece))
            await trio.testing.wait_all_tasks_blocked()
        burst.gate.set()
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    return burst, burst_renders, single, single_renders


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="ab ", min_size=1, max_size=4), min_size=1, max_size=20))
def test_a_coalesced_burst_equals_one_by_one_with_one_render(pieces: list[str]) -> None:
    burst, burst_renders, single, single_renders = trio.run(run_both, pieces)
    assert burst.text == single.text == "".join(pieces)
    assert burst.count == single.count == words("".join(pieces))
    assert burst.length == single.length
    assert burst.live.store.snapshot() == single.live.store.snapshot()
    assert len(burst_renders) == 2  # the first render, then one for the whole burst
    assert burst.live.store.recomputes == 1
    assert single.live.store.recomputes == len(pieces)
    assert burst_renders[-1].tree == single_renders[-1].tree
