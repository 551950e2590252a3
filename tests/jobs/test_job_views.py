"""Jobs through the test client, on the in-process backend: a run that is not the view's
(it goes on when the view that fired it stops), followed by every view of its key
(what it produced so far, then live), cancelled from any of them (``cancel`` returns
once the run has ended), superseded by a newer fire, and nothing of an older run handled.
The validator's errors for a job name the view, the declaration and the fix.
"""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import attrs
import pytest
import trio

from actorview import (
    DefinitionError,
    Element,
    StreamFailed,
    View,
    action,
    calculate,
    clause,
    h,
    job,
    ops,
    state,
)
from actorview.jobs import LocalJobs
from actorview.testing import mount
from actorview.view import ActionEvent, Emit
from actorview.view._jobs import JobRunner
from examples.jobs import Writer


def words(view: Any) -> list[str]:
    text: str = view.text("#text")
    return text.split()


def expected(prompt: str, count: int) -> list[str]:
    return [f"{prompt}-{n}" for n in range(count)]


async def write(view: Any, prompt: str) -> None:
    await view.type("#prompt", prompt)
    await view.submit("form")


async def test_a_fired_job_streams_its_parts_into_the_view_and_ends_done() -> None:
    async with mount(Writer, {"doc": "a", "words": "5", "delay": "0.01"}) as view:
        await write(view, "cat")
        await view.until(lambda v: v.text("#status") == "done")
        assert words(view) == expected("cat", 5)


async def test_a_view_that_comes_mid_run_replays_the_parts_so_far_then_goes_on_live() -> None:
    jobs = LocalJobs()
    params = {"doc": "a", "words": "40", "delay": "0.05"}
    async with jobs.running(), mount(Writer, params, jobs=jobs) as first:
        await write(first, "owl")
        await first.until(lambda v: len(words(v)) >= 10)
        async with mount(Writer, params, jobs=jobs) as late:
            await late.until(lambda v: len(words(v)) >= 10)
            assert late.text("#status") == "writing"  # it joined a live run
            assert words(late) == expected("owl", len(words(late)))  # the start, no gap
            await late.until(lambda v: v.text("#status") == "done")
            assert words(late) == expected("owl", 40)  # no gap, no duplicate
        assert words(first) == expected("owl", 40)


async def test_the_run_outlives_the_view_that_fired_it() -> None:
    jobs = LocalJobs()
    params = {"doc": "b", "words": "20", "delay": "0.05"}
    async with jobs.running():
        async with mount(Writer, params, jobs=jobs) as page:
            await write(page, "fox")
            await page.until(lambda v: len(words(v)) >= 3)
        assert jobs.live("writer:b") is not None  # the page went (a reload), the run did not
        async with mount(Writer, params, jobs=jobs) as reloaded:
            await reloaded.until(lambda v: v.text("#status") == "done")
            assert words(reloaded) == expected("fox", 20)


async def test_cancel_from_another_view_returns_once_the_run_has_ended() -> None:
    jobs = LocalJobs()
    params = {"doc": "c", "words": "1000", "delay": "0.05"}
    async with jobs.running(), AsyncExitStack() as stack:
        ada = await stack.enter_async_context(mount(Writer, params, jobs=jobs))
        bob = await stack.enter_async_context(mount(Writer, params, jobs=jobs))
        await write(ada, "elk")
        await bob.until(lambda v: len(words(v)) >= 3)
        await bob.click("#stop")  # the click returns once bob's action has run
        assert jobs.live("writer:c") is None  # ... and its cancel waited for the end
        assert bob.text("#status") == "stopped"
        await ada.until(lambda v: v.text("#status") == "stopped")  # told: JobCancelled
        stopped_at = len(words(ada))
        await trio.sleep(0.3)
        assert len(words(ada)) == stopped_at  # nothing after the end


async def test_a_newer_fire_supersedes_the_run_and_nothing_of_the_old_one_is_handled() -> None:
    jobs = LocalJobs()
    params = {"doc": "d", "words": "10", "delay": "0.05"}
    async with jobs.running(), AsyncExitStack() as stack:
        ada = await stack.enter_async_context(mount(Writer, params, jobs=jobs))
        bob = await stack.enter_async_context(mount(Writer, params, jobs=jobs))
        await write(ada, "old")
        await bob.until(lambda v: len(words(v)) >= 3)
        await write(bob, "new")  # bob's fire supersedes ada's run
        for view in (ada, bob):
            await view.until(lambda v: v.text("#status") == "done")
            assert words(view) == expected("new", 10)


async def test_a_failing_body_is_told_as_stream_failed_to_every_view() -> None:
    @attrs.frozen
    class Piece:
        n: int

    class Failing(View):
        doc = state(str, "x")
        got = state(int)
        failure = state(str)

        @job("fail:{doc}", emits=(Piece,))
        async def work(emit: Emit) -> None:
            await emit(Piece(1))
            raise RuntimeError("the model went away")

        start = action(ops.fire("work"))
        on_piece = clause(Piece, ops.set(got=lambda n: n))
        on_failed = clause(
            StreamFailed, ops.set(failure=lambda error: error), match={"stream": "work"}
        )

        def render(self) -> Element:
            return h.div(h.p(self.failure, id="failure"), h.button(id="go", av_click="start"))

    jobs = LocalJobs()
    async with jobs.running(), mount(Failing, jobs=jobs) as ada, mount(Failing, jobs=jobs) as bob:
        await ada.click("#go")
        for view in (ada, bob):
            await view.until(lambda v: v.text("#failure") == "the model went away")
            assert view.state["got"] == 1


def test_a_job_whose_emits_no_clause_handles_is_refused_at_class_definition() -> None:
    @attrs.frozen
    class Piece:
        n: int

    with pytest.raises(DefinitionError) as raised:

        class Unheard(View):
            doc = state(str)

            @job("k:{doc}", emits=(Piece,), on_failure="notice")
            async def work(emit: Emit) -> None:
                await emit(Piece(1))

            def render(self) -> Element:
                return h.p()

    message = str(raised.value)
    assert "Unheard.work (job)" in message
    assert "no clause handles Piece" in message
    assert "on_piece = clause(Piece" in message


def test_a_key_naming_what_the_view_does_not_have_is_refused_with_the_fix() -> None:
    @attrs.frozen
    class Piece:
        n: int

    with pytest.raises(DefinitionError) as raised:

        class Keyless(View):
            @job("reply:{conversation}", emits=(Piece,), on_failure="notice")
            async def work(emit: Emit) -> None:
                await emit(Piece(1))

            on_piece = clause(Piece, ops.set())

            def render(self) -> Element:
                return h.p()

    message = str(raised.value)
    assert "Keyless.work (job)" in message
    assert "'conversation'" in message
    assert "conversation = state(str)" in message


def test_a_body_that_is_not_async_is_refused() -> None:
    with pytest.raises(DefinitionError, match=r"job\('k'\)\(work\): the body must be"):

        class Sync(View):
            @job("k", emits=())
            def work(emit: Emit) -> None: ...

            def render(self) -> Element:
                return h.p()


@attrs.frozen
class Line:
    n: int


@attrs.frozen
class Stray:
    n: int


class Lines(View):
    """A job whose body is an async generator, keyed on a field an action changes."""

    channel = state(str, "one")
    got = state(list[int])
    failure = state(str)

    @job("lines:{channel}", emits=(Line,))
    async def lines(count: int) -> Any:
        for n in range(count):
            yield Line(n)
            await trio.sleep(0.01)

    @job("strays:{channel}", emits=(Line,))
    async def strays(emit: Emit) -> None:
        await emit(Stray(1))  # not in emits: the run fails, naming it

    start = action(ops.fire("lines", count=lambda count: count), params={"count": int})
    stray = action(ops.fire("strays"))
    switch = action(ops.set(channel=lambda to: to, got=[]), params={"to": str})
    on_line = clause(Line, ops.set(got=lambda view, n: [*view.got, n]))
    on_failed = clause(StreamFailed, ops.set(failure=lambda error: error))

    def render(self) -> Element:
        return h.p(self.failure, id="failure")


async def test_an_async_generator_body_yields_its_messages() -> None:
    async with mount(Lines) as view:
        await view.send(ActionEvent("start", {"count": 4}))
        await view.until(lambda v: v.state["got"] == [0, 1, 2, 3])
        await view.until(lambda v: not v.view.live.jobs["lines"].busy)  # its end heard


async def test_the_key_follows_the_fields_it_reads() -> None:
    jobs = LocalJobs()
    async with jobs.running(), mount(Lines, jobs=jobs) as one, mount(Lines, jobs=jobs) as two:
        await two.send(ActionEvent("switch", {"to": "two"}))
        await one.send(ActionEvent("start", {"count": 3}))  # on lines:one
        await one.until(lambda v: v.state["got"] == [0, 1, 2])
        await two.settle()
        assert two.state["got"] == []  # another key: nothing of it
        await two.send(ActionEvent("start", {"count": 2}))  # on lines:two
        await two.until(lambda v: v.state["got"] == [0, 1])
        assert two.view.live.jobs["lines"].key == "lines:two"
        assert one.state["got"] == [0, 1, 2]


class CalcKeyed(View):
    """A job keyed on a calc of a field, beside a field the key does not read."""

    room = state(str, "a")
    other = state(int)
    upper = calculate(lambda room: room.upper())
    got = state(list[int])

    @job("calc:{upper}", emits=(Line,))
    async def lines(count: int) -> Any:
        for n in range(count):
            yield Line(n)

    move = action(ops.set(room=lambda to: to), params={"to": str})
    poke = action(ops.set(other=lambda other: other + 1))
    on_line = clause(Line, ops.set(got=lambda view, n: [*view.got, n]))
    on_failed = clause(StreamFailed, ops.set(other=0))

    def render(self) -> Element:
        return h.p(str(self.other))


async def test_the_key_is_formatted_again_only_when_a_field_or_calc_it_reads_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formatted: list[str] = []
    current_key = JobRunner._current_key

    def counting(runner: JobRunner) -> str:
        key = current_key(runner)
        formatted.append(key)
        return key

    monkeypatch.setattr(JobRunner, "_current_key", counting)
    async with mount(CalcKeyed) as view:
        before = len(formatted)
        for _ in range(5):  # batches that change no name the key reads
            await view.send(ActionEvent("poke"))
            await view.settle()
        assert len(formatted) == before
        await view.send(ActionEvent("move", {"to": "b"}))
        await view.settle()
        assert formatted[before:] == ["calc:B"]  # the calc as just recomputed
        assert view.view.live.jobs["lines"].key == "calc:B"


async def test_a_message_not_in_emits_fails_the_run_naming_view_job_and_type() -> None:
    async with mount(Lines) as view:
        await view.send(ActionEvent("stray", {}))
        await view.until(lambda v: v.text("#failure") != "")
        failure = view.text("#failure")
        assert "Lines.strays" in failure
        assert "Stray" in failure
