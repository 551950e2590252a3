"""The in-process jobs backend on its own: start, follow, cancel, supersede, bounds, and
the errors a developer meets (not running, a body that will not end)."""

from __future__ import annotations

from typing import Any

import pytest
import trio

from actorview import ExpectedFailure
from actorview.jobs import Ended, JobEmit, JobError, LocalJobs, Outcome, Part, Started
from tests.logs import logged


def counting(count: int | None, delay: float = 0.0) -> Any:
    async def body(emit: JobEmit) -> None:
        index = 0
        while count is None or index < count:
            await emit(index)
            index += 1
            await trio.sleep(delay)

    return body


async def until_end(jobs: LocalJobs, key: str) -> list[Any]:
    heard: list[Any] = []
    async with jobs.follow(key) as follower:
        with trio.fail_after(10):
            async for event in follower:
                heard.append(event)
                if isinstance(event, Ended):
                    return heard
    raise AssertionError("unreachable")


async def test_a_follower_after_the_end_still_replays_the_whole_run() -> None:
    jobs = LocalJobs()
    async with jobs.running():
        run = await jobs.start("k", counting(3))
        await trio.sleep(0.1)
        assert jobs.live("k") is None
        heard = await until_end(jobs, "k")
    assert heard == [Started(run), *(Part(run, n, n) for n in range(3)), Ended(run, Outcome.DONE)]


async def test_cancel_returns_after_the_run_ended_and_supersede_starts_afresh() -> None:
    jobs = LocalJobs()
    async with jobs.running():
        first = await jobs.start("k", counting(None, 0.01))
        await trio.sleep(0.05)
        second = await jobs.start("k", counting(2))  # supersedes
        assert second != first
        heard = await until_end(jobs, "k")
        assert heard[0] == Started(second)  # the board holds the current run alone
        third = await jobs.start("k", counting(None, 0.01))
        await jobs.cancel("k")
        assert jobs.live("k") is None
        assert (await until_end(jobs, "k"))[-1] == Ended(third, Outcome.CANCELLED)
        await jobs.cancel("k")  # nothing runs: nothing to do


async def test_a_body_that_raises_ends_its_run_failed_and_the_owner_goes_on() -> None:
    async def broken(emit: JobEmit) -> None:
        await emit("one")
        raise ValueError("no more")

    jobs = LocalJobs()
    async with jobs.running():
        run = await jobs.start("bad", broken)
        heard = await until_end(jobs, "bad")
        assert heard[-1] == Ended(run, Outcome.FAILED, "no more", "ValueError")
        await jobs.start("ok", counting(1))
        assert (await until_end(jobs, "ok"))[-1].outcome is Outcome.DONE


async def test_a_run_past_max_parts_fails_naming_the_bound() -> None:
    jobs = LocalJobs(max_parts=5)
    async with jobs.running():
        await jobs.start("long", counting(50))
        heard = await until_end(jobs, "long")
    assert len(heard) == 1 + 5 + 1
    assert heard[-1].outcome is Outcome.FAILED
    assert "max_parts=5" in heard[-1].error


class RateLimited(ExpectedFailure):
    """A failure that is part of normal operation (a model server's 429)."""


def failing(error: Exception) -> Any:
    async def body(emit: JobEmit) -> None:
        await emit("so far")
        try:
            raise ConnectionError("429 from the upstream")
        except ConnectionError as cause:
            raise error from cause

    return body


async def test_an_expected_failure_is_a_warning_naming_its_reason_without_a_traceback() -> None:
    jobs = LocalJobs()
    with logged() as logs:
        async with jobs.running():
            run = await jobs.start("limited", failing(RateLimited("try again in 20 s")))
            heard = await until_end(jobs, "limited")
            await jobs.start("bug", failing(KeyError("oops")))
            await until_end(jobs, "bug")
    assert heard[-1] == Ended(run, Outcome.FAILED, "try again in 20 s", "RateLimited")
    expected, bug = [entry for entry in logs if entry["event"] == "job.run.failed"]
    assert expected["log_level"] == "warning" and expected["job"] == "limited"
    assert expected["reason"] == "RateLimited" and expected["error"] == "try again in 20 s"
    assert expected["cause"] == "ConnectionError: 429 from the upstream"
    assert "exc_info" not in expected
    assert bug["log_level"] == "error" and bug["job"] == "bug"
    assert isinstance(bug["exc_info"], KeyError), "an unexpected failure keeps its traceback"


async def test_an_ended_run_is_forgotten_after_keep_seconds(autojump_clock: Any) -> None:
    jobs = LocalJobs(keep=60)
    async with jobs.running():
        await jobs.start("k", counting(2))
        await trio.sleep(1)
        assert jobs.board.events("k")  # kept for late followers
        await trio.sleep(60)
        assert jobs.board.events("k") == []


async def test_ended_runs_are_forgotten_in_order_by_one_task_not_one_each(
    autojump_clock: Any,
) -> None:
    jobs = LocalJobs(keep=60)
    async with jobs.running():
        root = trio.lowlevel.current_root_task()

        def tasks() -> int:
            def walk(task: Any) -> int:
                return 1 + sum(walk(c) for n in task.child_nurseries for c in n.child_tasks)

            return walk(root)

        idle = tasks()
        for n in range(20):
            await jobs.start(f"k{n}", counting(1))
            await trio.sleep(1)
        assert tasks() == idle  # 20 ended runs kept: no sleeping task for each
        assert all(jobs.board.events(f"k{n}") for n in range(20))
        await trio.sleep(60 - 20 + 10.5)  # the first 11 are past keep, the rest not
        assert [bool(jobs.board.events(f"k{n}")) for n in range(20)] == [False] * 11 + [True] * 9
        await trio.sleep(10)
        assert not any(jobs.board.events(f"k{n}") for n in range(20))


async def test_a_body_that_will_not_end_makes_cancel_fail_with_the_reason() -> None:
    async def stubborn(emit: JobEmit) -> None:
        with trio.CancelScope(shield=True):
            await trio.sleep(1)

    jobs = LocalJobs(cancel_timeout=0.2)
    async with jobs.running():
        await jobs.start("k", stubborn)
        with pytest.raises(JobError, match="shields itself from cancellation"):
            await jobs.cancel("k")


async def test_a_backend_that_does_not_run_says_how_to_run_it() -> None:
    with pytest.raises(JobError, match=r"not running.*Application\(jobs=\.\.\.\)"):
        await LocalJobs().start("k", counting(1))
    with pytest.raises(JobError, match="a job key is a non-empty str"):
        await LocalJobs().cancel("")
