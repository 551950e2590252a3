"""A stateful machine fires, supersedes and cancels the runs of one keyed stream across
keys, at random, under the test clock.

The view logs, in its own order, every fire and cancel it applies and every message a
clause handles (each key has its own clause, taking only messages whose ``run_key`` is
that key; a message names the key and serial of the run that sent it). Replaying that
log after every step checks the promises of keyed runs: a handled message is always of
the live run of its clause's key (never of a superseded or cancelled run, never of
another key's), the runs past ``max_runs`` are refused and change nothing, and when a
cancel is answered its run has ended.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import trio
import trio.testing
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from actorview.render import Element, h
from actorview.testing import TrioDriver, ViewClient, mount
from actorview.view import (
    ActionEvent,
    Applied,
    Emit,
    Outcome,
    Rejected,
    View,
    action,
    async_stream,
    clause,
    ops,
    state,
)

KEYS = ("a", "b", "c")
MAX_RUNS = 2


@attrs.frozen
class Said:
    sender: str
    serial: int


@attrs.frozen
class Over:
    serial: int


async def voice(key: str, serial: int, words: int, emit: Emit) -> None:
    for _ in range(words):
        await trio.sleep(1)
        await emit(Said(key, serial))
    await emit(Over(serial))


def heard(key: str) -> Any:
    return clause(
        Said,
        ops.set(
            journal=lambda journal, sender, serial: [*journal, f"said {key} {sender} {serial}"]
        ),
        when=lambda run_key: run_key == key,
    )


class Voices(View):
    journal = state(list[str])

    voices = async_stream(emits=(Said, Over), max_runs=MAX_RUNS, on_failure="notice")(voice)

    speak = action(
        ops.fire(
            "voices", key=lambda who: who, serial=lambda serial: serial, words=lambda words: words
        ),
        ops.set(journal=lambda journal, who, serial: [*journal, f"fire {who} {serial}"]),
        params={"who": str, "serial": int, "words": int},
    )
    hush = action(
        ops.cancel("voices", key=lambda who: who),
        ops.set(journal=lambda journal, who: [*journal, f"cancel {who}"]),
        params={"who": str},
    )
    hush_all = action(ops.cancel("voices"), ops.set(journal=lambda journal: [*journal, "cancel *"]))

    on_a = heard("a")
    on_b = heard("b")
    on_c = heard("c")
    on_over = clause(
        Over,
        ops.set(journal=lambda journal, run_key, serial: [*journal, f"over {run_key} {serial}"]),
    )

    def render(self) -> Element:
        return h.p(str(len(self.journal)), id="count")


async def serve(*, task_status: trio.TaskStatus[ViewClient[Voices]]) -> None:
    async with mount(Voices) as view:
        task_status.started(view)
        await trio.sleep_forever()


class KeyedRuns(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.view: ViewClient[Voices] = self.driver.start(serve)
        self.serial = 0

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def run(self, function: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        return self.driver.call(functools.partial(function, *args))

    def ask(self, name: str, **params: Any) -> Outcome:
        outcome: Outcome = self.run(self.view.ref.ask, ActionEvent(name, params))
        return outcome

    def live(self) -> dict[Any, Any]:
        return dict(self.view.view.live.streams["voices"].runs)

    @rule(who=st.sampled_from(KEYS), words=st.integers(0, 3))
    def fire(self, who: str, words: int) -> None:
        self.serial += 1
        before = self.live()
        refused = who not in before and len(before) >= MAX_RUNS
        outcome = self.ask("speak", who=who, serial=self.serial, words=words)
        if refused:
            assert isinstance(outcome, Rejected) and "max_runs" in str(outcome.error)
            assert f"fire {who} {self.serial}" not in self.view.state["journal"]
        else:
            assert outcome == Applied()
            if who in before:
                assert before[who].state.ended  # superseded: ended before the new run

    @rule(who=st.sampled_from(KEYS))
    def cancel(self, who: str) -> None:
        run = self.live().get(who)
        assert self.ask("hush", who=who) == Applied()
        assert run is None or run.state.ended
        assert who not in self.live()

    @rule()
    def cancel_all(self) -> None:
        runs = list(self.live().values())
        assert self.ask("hush_all") == Applied()
        assert all(run.state.ended for run in runs) and self.live() == {}

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.0]))
    def time_passes(self, seconds: float) -> None:
        self.driver.advance(seconds)

    @rule(who=st.sampled_from(KEYS), name=st.sampled_from(["speak", "hush", "hush_all"]))
    def act_as_runs_wake(self, who: str, name: str) -> None:
        """Move the clock to the runs' next emit and act at once: the action is queued
        before the messages they send, so a supersede or cancel must drop those."""
        self.serial += 1
        choices: dict[str, dict[str, Any]] = {
            "speak": {"who": who, "serial": self.serial, "words": 2},
            "hush": {"who": who},
            "hush_all": {},
        }
        params = choices[name]
        refusable = name == "speak" and who not in self.live()
        full = len(self.live()) >= MAX_RUNS

        async def jump_and_ask() -> Outcome:
            clock = trio.lowlevel.current_clock()
            assert isinstance(clock, trio.testing.MockClock)
            clock.jump(1.0)
            outcome: Outcome = await self.view.ref.ask(ActionEvent(name, params))
            return outcome

        outcome = self.run(jump_and_ask)
        if not (refusable and full):
            assert outcome == Applied()

    @invariant()
    def every_handled_message_is_of_the_live_run_of_its_clauses_key(self) -> None:
        live: dict[str, int | None] = dict.fromkeys(KEYS)
        for entry in self.view.state["journal"]:
            match entry.split():
                case ["fire", who, serial]:
                    live[who] = int(serial)
                case ["cancel", "*"]:
                    live = dict.fromkeys(KEYS)
                case ["cancel", who]:
                    live[who] = None
                case ["said", key, sender, serial]:
                    assert sender == key, entry  # never another key's message
                    assert live[key] == int(serial), entry  # never an ended run's
                case ["over", key, serial]:
                    assert live[key] == int(serial), entry
                    live[key] = None
                case _:
                    raise AssertionError(entry)
        assert len(self.live()) <= MAX_RUNS
        if self.view.view.mailbox.stats.revoked:
            event("a queued message of an ended run was dropped")


KeyedRuns.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestKeyedRuns = KeyedRuns.TestCase
