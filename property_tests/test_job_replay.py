"""A follower of a job hears each run exactly: what it replays when it joins, then what
it hears live, is the run's produced sequence, in order, with no gap and no duplicate,
however joins, parts and takes interleave, for one run or one run after another (a
newer run's ``Started`` drops what was not yet taken of the older one, never more).

Two levels: the board both backends fan out through (every interleaving of produce,
join, take and leave), and :class:`LocalJobs` itself, a real run in its owner's nursery,
with followers that join after a random number of the body's parts and take at random
paces.
"""

from __future__ import annotations

from typing import Any

import trio
import trio.testing
from hypothesis import given
from hypothesis import strategies as st

from actorview.jobs import Board, Ended, JobEmit, JobEvent, LocalJobs, Outcome, Part, Started


def produced_runs(runs: list[int]) -> list[JobEvent]:
    """Each run ``r`` with ``runs[r]`` parts: Started, the parts, Ended."""
    events: list[JobEvent] = []
    for number, count in enumerate(runs):
        run = f"r{number}"
        events.append(Started(run))
        events.extend(Part(run, index, (run, index)) for index in range(count))
        events.append(Ended(run, Outcome.DONE))
    return events


def by_run(events: list[JobEvent]) -> dict[str, list[JobEvent]]:
    grouped: dict[str, list[JobEvent]] = {}
    for event in events:
        grouped.setdefault(event.run, []).append(event)
    return grouped


def check_exact(heard: list[JobEvent], produced: list[JobEvent], *, complete: bool) -> None:
    """Every run heard is heard from its Started, contiguously, in order; runs in the
    order produced; the last run heard in full when everything was taken."""
    expected = by_run(produced)
    order = list(expected)
    runs = list(dict.fromkeys(event.run for event in heard))
    assert runs == sorted(runs, key=order.index)
    grouped = by_run(heard)
    for run, events in grouped.items():
        assert events == expected[run][: len(events)], run  # a prefix: no gap, no dup
        assert isinstance(events[0], Started)
    # the events of one run are contiguous in what was heard
    positions = [order.index(event.run) for event in heard]
    assert positions == sorted(positions)
    if complete and heard:
        last = runs[-1]
        assert grouped[last] == expected[last]


steps = st.lists(
    st.one_of(
        st.just(("produce", 0)),
        st.just(("join", 0)),
        st.tuples(st.just("take"), st.integers(0, 5)),
        st.tuples(st.just("leave"), st.integers(0, 5)),
    ),
    max_size=80,
)


@given(runs=st.lists(st.integers(0, 6), min_size=1, max_size=3), script=steps)
def test_the_board_gives_each_follower_each_run_exactly(runs: list[int], script: list[Any]) -> None:
    produced = produced_runs(runs)

    async def main() -> None:
        board = Board()
        followers: list[Any] = []
        heard: list[list[JobEvent]] = []
        pending: list[int] = []
        left: set[int] = set()
        published = 0

        def publish() -> None:
            nonlocal published
            event = produced[published]
            board.publish("k", event)
            published += 1
            for number in range(len(followers)):
                if number in left:
                    continue
                pending[number] = 1 if isinstance(event, Started) else pending[number] + 1

        for step, argument in script:
            if step == "produce" and published < len(produced):
                publish()
            elif step == "join":
                followers.append(board.follow("k"))
                heard.append([])
                pending.append(len(board.events("k")))
            elif step == "take" and followers:
                number = argument % len(followers)
                if number not in left and pending[number]:
                    heard[number].append(await followers[number].receive())
                    pending[number] -= 1
            elif step == "leave" and followers:
                number = argument % len(followers)
                followers[number].close()
                left.add(number)
        while published < len(produced):
            publish()
        for number, follower in enumerate(followers):
            if number in left:
                check_exact(heard[number], produced, complete=False)
                continue
            while pending[number]:
                heard[number].append(await follower.receive())
                pending[number] -= 1
            check_exact(heard[number], produced, complete=True)
            assert heard[number][-1] == produced[-1]  # every follower heard the end

    trio.run(main)


@given(
    count=st.integers(0, 30),
    joins=st.lists(st.tuples(st.integers(0, 30), st.integers(0, 3)), min_size=1, max_size=4),
)
def test_local_jobs_followers_replay_then_live_is_the_produced_sequence(
    count: int, joins: list[tuple[int, int]]
) -> None:
    """A real run (a checkpoint after each part); each follower joins once the body has
    emitted ``after`` parts and takes with ``pace`` extra checkpoints between takes."""

    async def main() -> None:
        jobs = LocalJobs()
        emitted = 0
        gates = {after: trio.Event() for after, _ in joins}
        results: list[list[JobEvent]] = []

        async def body(emit: JobEmit) -> None:
            nonlocal emitted
            for index in range(count):
                for after, gate in gates.items():
                    if after <= emitted:
                        gate.set()
                await emit(index)
                emitted += 1
            for gate in gates.values():
                gate.set()

        async def follower(after: int, pace: int) -> None:
            await gates[after].wait()
            heard: list[JobEvent] = []
            async with jobs.follow("k") as feed:
                async for event in feed:
                    heard.append(event)
                    for _ in range(pace):
                        await trio.lowlevel.checkpoint()
                    if isinstance(event, Ended):
                        break
            results.append(heard)

        async with jobs.running():
            gate = trio.Event()

            async def gated(emit: JobEmit) -> None:
                await gate.wait()
                await body(emit)

            run = await jobs.start("k", gated)
            async with trio.open_nursery() as nursery:
                for after, pace in joins:
                    nursery.start_soon(follower, after, pace)
                await trio.testing.wait_all_tasks_blocked()
                gate.set()
        expected = [
            Started(run),
            *(Part(run, i, i) for i in range(count)),
            Ended(run, Outcome.DONE),
        ]
        assert len(results) == len(joins)
        for heard in results:
            assert heard == expected

    trio.run(main)
