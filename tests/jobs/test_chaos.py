"""Chaos: the worker that owns jobs is killed (``kill -9``) mid-run.

Two worker processes on one real redis-server: the owner (``tests/jobs/owner.py``, a
process of its own running two endless jobs) and this test's process (a worker whose
views follow both jobs). After the kill, each job's followers are told within the lease
time that its run was lost (a typed failure: ``Ended(LOST)`` to the backend's
followers, :class:`StreamFailed` to a view), every part each follower heard belongs to
its own key, in order, with no gap and no duplicate, and the key can be started again,
on the surviving worker.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trio

from actorview.jobs import LOST_TEXT, Ended, JobEmit, Outcome, Part, RedisJobs, Started
from actorview.testing import mount
from examples.jobs import Writer
from tests.jobs.messages import Tok
from tests.services import redis_server

LEASE = 1.5
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


def spawn_owner(url: str, *keys: str) -> subprocess.Popen[str]:
    """The owner worker process, running one endless job per key."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.owner", url, str(LEASE), *keys],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


async def follow_until_end(jobs: RedisJobs, key: str, heard: list[Any]) -> None:
    async with jobs.follow(key, (Tok,)) as follower:
        async for event in follower:
            heard.append(event)
            if isinstance(event, Ended):
                return


async def test_killing_the_owner_mid_job_marks_its_jobs_lost_within_the_lease_time(
    redis_url: str,
) -> None:
    keys = ["chat:1", "chat:2"]
    owner = spawn_owner(redis_url, *keys)
    try:
        assert owner.stdout is not None
        line = await trio.to_thread.run_sync(owner.stdout.readline)
        assert line.startswith("started"), line
        runs = dict(zip(keys, line.split()[1:], strict=True))
        survivor = RedisJobs(redis_url, lease=LEASE, block=0.25)
        heard: dict[str, list[Any]] = {key: [] for key in keys}
        async with survivor.running(), trio.open_nursery() as nursery:
            for key in keys:
                nursery.start_soon(follow_until_end, survivor, key, heard[key])
            with trio.fail_after(10):
                while min(len(events) for events in heard.values()) < 20:  # noqa: ASYNC110
                    await trio.sleep(0.02)
            os.kill(owner.pid, signal.SIGKILL)
            killed_at = trio.current_time()
            with trio.fail_after(LEASE + 3):
                while not all(  # noqa: ASYNC110
                    events and isinstance(events[-1], Ended) for events in heard.values()
                ):
                    await trio.sleep(0.02)
            noticed_in = trio.current_time() - killed_at
            # the key is free again: the surviving worker starts it afresh
            again = await survivor.start("chat:1", one_part, (Tok,))
            assert survivor.live("chat:1") == again
    finally:
        owner.kill()
        owner.wait(timeout=10)
    assert noticed_in < LEASE + 1  # the lease's time left, a reader's wait, and slack
    for key in keys:
        events = heard[key]
        assert events[0] == Started(runs[key])
        parts = events[1:-1]
        assert all(isinstance(part, Part) and part.run == runs[key] for part in parts)
        assert [part.message for part in parts] == [Tok(key, n) for n in range(len(parts))]
        assert events[-1] == Ended(runs[key], Outcome.LOST, LOST_TEXT, "JobLost")


async def one_part(emit: JobEmit) -> None:
    await emit(Tok("chat:1", 0))


async def test_a_view_of_a_killed_owners_job_shows_the_failure(redis_url: str) -> None:
    owner = spawn_owner(redis_url, "writer:z")
    survivor = RedisJobs(redis_url, lease=LEASE, block=0.25)
    try:
        assert owner.stdout is not None
        line = await trio.to_thread.run_sync(owner.stdout.readline)
        assert line.startswith("started"), line
        async with survivor.running(), mount(Writer, {"doc": "z"}, jobs=survivor) as page:
            await page.until(lambda v: len(v.text("#text").split()) >= 10)
            assert page.text("#status") == "writing"
            os.kill(owner.pid, signal.SIGKILL)
            await page.until(lambda v: v.text("#status").startswith("failed"), timeout=LEASE + 5)
            assert LOST_TEXT in page.text("#status")
            shown = page.text("#text").split()
            assert shown == [f"gnu-{n}" for n in range(len(shown))]  # no gap, no duplicate
    finally:
        owner.kill()
        owner.wait(timeout=10)
