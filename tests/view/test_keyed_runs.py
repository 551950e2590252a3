"""Keyed runs: one async_stream, many runs at once, each under its key, each as safe as
an unkeyed run (supersede, cancel, failure), bounded by max_runs."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
import trio
import trio.testing

from actorview.errors import DefinitionError
from actorview.render import Element, h
from actorview.testing import mount
from actorview.testing._client import ViewClient
from actorview.view import (
    ActionEvent,
    Applied,
    Emit,
    Outcome,
    Rejected,
    RunState,
    StreamFailed,
    View,
    action,
    async_stream,
    clause,
    ops,
    state,
)


@attrs.frozen
class Word:
    text: str


@attrs.frozen
class Over:
    pass


EVENTS: list[str] = []
"""What the bodies did, in order: ``start a``, ``end a`` (after the slow cleanup)."""


async def say(key: str, text: str, emit: Emit) -> None:
    EVENTS.append(f"start {key}")
    try:
        if text == "fail":
            await trio.sleep(1)
            raise RuntimeError(f"{key} gave up")
        for word in text.split():
            await trio.sleep(1)
            await emit(Word(word))
        await emit(Over())
    finally:
        with trio.CancelScope(shield=True):
            await trio.sleep(2)  # slow cleanup: cancel must wait for it
            EVENTS.append(f"end {key}")


class Voices(View):
    said = state(dict[str, str], {})
    over = state(list[str], [])
    failed = state(dict[str, str], {})

    voice = async_stream(emits=(Word, Over), max_runs=3)(say)

    speak = action(
        ops.fire("voice", key=lambda who: who, text=lambda text: text),
        params={"who": str, "text": str},
    )
    chorus = action(
        ops.fire("voice", keys=lambda whom: whom.split(), text=lambda text: text),
        params={"whom": str, "text": str},
    )
    hush = action(ops.cancel("voice", key=lambda who: who), params={"who": str})
    hush_all = action(ops.cancel("voice"))

    on_word = clause(
        Word,
        ops.set(said=lambda said, run_key, text: {**said, run_key: said.get(run_key, "") + text}),
    )
    on_over = clause(Over, ops.set(over=lambda over, run_key: [*over, run_key]))
    on_failed = clause(
        StreamFailed,
        ops.set(failed=lambda failed, key, run_key, error: {**failed, key: f"{run_key}: {error}"}),
        match={"stream": "voice"},
    )

    def render(self) -> Element:
        return h.pre(repr((self.said, self.over, self.failed)), id="state")


async def act(client: ViewClient[Voices], name: str, **params: str) -> Outcome:
    """Send action ``name`` as the page would; return once the view has carried it out."""
    outcome: Outcome = await client.ref.ask(ActionEvent(name, params))
    await trio.testing.wait_all_tasks_blocked()
    return outcome


def live(client: ViewClient[Voices]) -> dict[Any, RunState]:
    return {key: run.state for key, run in client.view.live.streams["voice"].runs.items()}


async def test_runs_of_different_keys_go_on_together_each_into_its_own_key(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Voices) as client:
        assert await act(client, "speak", who="a", text="a1 a2 a3") == Applied()
        assert await act(client, "speak", who="b", text="b1 b2") == Applied()
        await client.advance(1.5)
        assert live(client) == {"a": RunState.RUNNING, "b": RunState.RUNNING}
        assert client.state["said"] == {"a": "a1", "b": "b1"}
        await client.settle()
        assert client.state["said"] == {"a": "a1a2a3", "b": "b1b2"}
        assert sorted(client.state["over"]) == ["a", "b"]
        assert live(client) == {}


async def test_a_new_fire_of_a_key_supersedes_only_that_keys_run(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Voices) as client:
        await act(client, "speak", who="a", text="old1 old2 old3")
        await act(client, "speak", who="b", text="b1 b2 b3")
        await client.advance(1.5)
        first = client.view.live.streams["voice"].runs["a"]
        EVENTS.clear()
        await act(client, "speak", who="a", text="new1")
        await client.settle()
        assert first.state is RunState.CANCELLED
        assert EVENTS[:2] == ["end a", "start a"]  # the old run ended before the new began
        assert client.state["said"] == {"a": "old1new1", "b": "b1b2b3"}


async def test_cancel_of_a_key_returns_once_that_run_ended_and_drops_its_queued_messages(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Voices) as client:
        await act(client, "speak", who="a", text="a1 a2 a3")
        await act(client, "speak", who="b", text="b1 b2 b3")
        await client.advance(1.5)
        run = client.view.live.streams["voice"].runs["a"]
        EVENTS.clear()
        assert await act(client, "hush", who="a") == Applied()
        await client.advance(2.1)  # a's cleanup; the view took nothing meanwhile
        assert run.state is RunState.CANCELLED and EVENTS == ["end a"]
        assert set(live(client)) == {"b"}
        await client.settle()
        assert client.state["said"] == {"a": "a1", "b": "b1b2b3"}
        assert client.state["over"] == ["b"]


async def test_cancel_without_a_key_ends_every_run(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Voices) as client:
        for who in ("a", "b", "c"):
            await act(client, "speak", who=who, text="x y z")
        await client.advance(1.5)
        EVENTS.clear()
        await act(client, "hush_all")
        await client.settle()
        assert live(client) == {} and sorted(EVENTS) == ["end a", "end b", "end c"]
        assert client.state["said"] == {"a": "x", "b": "x", "c": "x"}


async def test_a_new_key_past_max_runs_is_refused_and_changes_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Voices) as client:
        for who in ("a", "b", "c"):
            await act(client, "speak", who=who, text="x y")
        outcome = await act(client, "speak", who="d", text="x")
        assert isinstance(outcome, Rejected)
        assert str(outcome.error) == (
            "Voices, action 'speak': 'voice' already has 3 live runs, its max_runs. Cancel "
            "one first (ops.cancel('voice', key=...)), or declare a higher max_runs."
        )
        assert await act(client, "speak", who="a", text="again") == Applied()  # a live key
        await client.settle()
        assert "d" not in client.state["said"]
        assert await act(client, "speak", who="d", text="now") == Applied()  # room again
        await client.settle()
        assert client.state["said"]["d"] == "now"


async def test_keys_fire_a_run_per_key_or_none_past_max_runs(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Voices) as client:
        assert await act(client, "chorus", whom="a b a", text="la") == Applied()
        assert set(live(client)) == {"a", "b"}  # each key once
        outcome = await act(client, "chorus", whom="a c d", text="la")
        assert isinstance(outcome, Rejected) and "max_runs" in str(outcome.error)
        assert set(live(client)) == {"a", "b"}  # all or nothing: a was not superseded
        await client.settle()
        assert client.state["said"] == {"a": "la", "b": "la"}


async def test_a_failed_run_carries_its_key(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Voices) as client:
        await act(client, "speak", who="a", text="fail")
        await act(client, "speak", who="b", text="fine")
        await client.settle()
        assert client.state["failed"] == {"a": "a: a gave up"}
        assert client.state["said"] == {"b": "fine"}
        assert client.view.live.streams["voice"].runs == {}


def test_run_key_is_none_for_a_message_no_keyed_run_sent() -> None:
    from actorview.view._store import ClauseScope, ViewValues
    from actorview.view._tasks import RunLease
    from actorview.view._view import _run_key

    assert _run_key(None) is None
    assert _run_key(RunLease("voice", "k")) == "k"
    scope = ClauseScope(Word("x"), _run_key(None), ViewValues("V", lambda name: None, ()))
    assert scope.run_key is None
    assert scope.text == "x"


# -- what the class statement refuses ---------------------------------------------------


async def _body(emit: Emit) -> None:
    await emit(Over())


def test_a_keyed_stream_fired_without_a_key_is_refused() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            s = async_stream(emits=(Over,), max_runs=2, on_failure="notice")(_body)
            go = action(ops.fire("s"))
            on_over = clause(Over)

    assert str(caught.value) == (
        "V.go (action) ops.fire: fires 's', a keyed stream (max_runs=2), without a key. "
        "Pass ops.fire('s', key=...), the key its run lives under."
    )


def test_key_and_keys_together_are_refused() -> None:
    with pytest.raises(DefinitionError, match="passes both key= and keys="):

        class V(View):
            s = async_stream(emits=(Over,), max_runs=2, on_failure="notice")(_body)
            go = action(ops.fire("s", key="a", keys=["a"]))
            on_over = clause(Over)


def test_a_key_for_an_unkeyed_stream_is_refused() -> None:
    with pytest.raises(DefinitionError, match="'s' is not keyed: it has one run at a time"):

        class V(View):
            s = async_stream(emits=(Over,), on_failure="notice")(_body)
            go = action(ops.cancel("s", key="a"))
            on_over = clause(Over)


def test_run_key_is_only_for_messages_a_keyed_stream_emits() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View):
            n = state(str)
            s = async_stream(emits=(Over,), on_failure="notice")(_body)
            on_over = clause(Over, ops.set(n=lambda run_key: str(run_key)))

    assert str(caught.value) == (
        "V.on_over (clause for Over): reads 'run_key', the key of the run that emitted the "
        "message, but no keyed async_stream emits Over. Declare the stream with max_runs=N "
        "(keyed), or stop reading 'run_key'."
    )


def test_run_key_is_not_a_field_name() -> None:
    with pytest.raises(DefinitionError, match="'run_key' is what a clause reads"):

        class V(View):
            run_key = state(str)


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"max_runs": 0}, "async_stream(max_runs=0): give a whole number of runs, 1 or more."),
        ({"max_runs": 2, "start": "mount"}, "a keyed stream runs under the keys its fires"),
    ],
)
def test_bad_max_runs_are_refused(kwargs: dict[str, Any], problem: str) -> None:
    with pytest.raises(DefinitionError, match=problem.replace("(", r"\(").replace(")", r"\)")):

        class V(View):
            s = async_stream(emits=(Over,), on_failure="notice", **kwargs)(_body)
            on_over = clause(Over)


class Queued(View):
    said = state(list[str])
    voice = async_stream(emits=(Word, Over), max_runs=2, on_busy="queue", on_failure="notice")(say)
    speak = action(
        ops.fire("voice", key=lambda who: who, text=lambda text: text),
        params={"who": str, "text": str},
    )
    on_word = clause(Word, ops.set(said=lambda said, run_key, text: [*said, f"{run_key}{text}"]))
    on_over = clause(Over)

    def render(self) -> Element:
        return h.p(" ".join(self.said), id="said")


async def test_on_busy_queue_holds_per_key(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Queued) as client:
        for who, text in (("a", "1 2"), ("a", "3"), ("b", "4")):
            outcome = await client.ref.ask(ActionEvent("speak", {"who": who, "text": text}))
            assert outcome == Applied()
        await trio.testing.wait_all_tasks_blocked()
        assert set(client.view.live.streams["voice"].runs) == {"a", "b"}  # a's second waits
        await client.settle()
        said = client.state["said"]
        assert [entry for entry in said if entry.startswith("a")] == ["a1", "a2", "a3"]
        assert "b4" in said
        assert client.view.live.streams["voice"].runs == {}
