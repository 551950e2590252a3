"""The Redis jobs backend on a real redis-server (Debian's, one per test on a free
port): two backends play two workers. A run owned by one is followed by views of the
other (replay, then live, exactly), cancelled and superseded from it; the lease fences
the owner's writes; what a run may keep is bounded; errors name the fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import trio

from actorview.jobs import Ended, JobEmit, JobError, Outcome, Part, RedisJobs, Started
from actorview.testing import mount
from examples.jobs import Writer
from tests.services import free_port, redis_server


@attrs.frozen
class Tok:
    index: int


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


def counting(count: int | None, delay: float = 0.01) -> Any:
    async def body(emit: JobEmit) -> None:
        index = 0
        while count is None or index < count:
            await emit(Tok(index))
            index += 1
            await trio.sleep(delay)

    return body


async def heard_until_end(jobs: RedisJobs, key: str, within: float = 10) -> list[Any]:
    events: list[Any] = []
    async with jobs.follow(key, (Tok,)) as follower:
        with trio.fail_after(within):
            async for event in follower:
                events.append(event)
                if isinstance(event, Ended):
                    return events
    raise AssertionError("unreachable")


def words(view: Any) -> list[str]:
    text: str = view.text("#text")
    return text.split()


async def test_a_follower_on_another_worker_hears_the_run_exactly(redis_url: str) -> None:
    owner, other = RedisJobs(redis_url), RedisJobs(redis_url)
    async with owner.running(), other.running():
        run = await owner.start("count", counting(50), (Tok,))
        await trio.sleep(0.2)  # it is well under way when the follower comes
        events = await heard_until_end(other, "count")
    assert events[0] == Started(run)
    parts = events[1:-1]
    assert [part.message for part in parts] == [Tok(n) for n in range(50)]
    assert [part.index for part in parts] == list(range(50))
    assert all(isinstance(part, Part) and part.run == run for part in parts)
    assert events[-1] == Ended(run, Outcome.DONE)


async def test_views_on_two_workers_share_one_job(redis_url: str) -> None:
    ada_jobs, bob_jobs = RedisJobs(redis_url), RedisJobs(redis_url)
    params = {"doc": "r", "words": "30", "delay": "0.03"}
    async with (
        ada_jobs.running(),
        bob_jobs.running(),
        mount(Writer, params, jobs=ada_jobs) as ada,
    ):
        await ada.type("#prompt", "yak")
        await ada.submit("form")
        await ada.until(lambda v: len(words(v)) >= 5)
        async with mount(Writer, params, jobs=bob_jobs) as bob:
            await bob.until(lambda v: v.text("#status") == "done")
            assert words(bob) == [f"yak-{n}" for n in range(30)]
        await ada.until(lambda v: v.text("#status") == "done")
        assert words(ada) == [f"yak-{n}" for n in range(30)]


async def test_cancel_from_another_worker_returns_once_the_run_has_ended(redis_url: str) -> None:
    owner, other = RedisJobs(redis_url), RedisJobs(redis_url)
    async with owner.running(), other.running():
        run = await owner.start("endless", counting(None), (Tok,))
        await trio.sleep(0.1)
        with trio.fail_after(5):
            await other.cancel("endless")
        assert owner.live("endless") is None  # the owner's run has ended
        events = await heard_until_end(other, "endless")
    assert events[0] == Started(run)
    assert events[-1] == Ended(run, Outcome.CANCELLED)


async def test_a_start_on_another_worker_supersedes_the_run(redis_url: str) -> None:
    owner, other = RedisJobs(redis_url), RedisJobs(redis_url)
    async with owner.running(), other.running():
        first = await owner.start("job", counting(None), (Tok,))
        await trio.sleep(0.1)
        second = await other.start("job", counting(5), (Tok,))
        assert owner.live("job") is None
        assert other.live("job") == second != first
        events = await heard_until_end(other, "job")
    assert events[0] == Started(second)  # the stream holds the current run alone
    assert [event.message for event in events[1:-1]] == [Tok(n) for n in range(5)]


async def test_an_owner_that_lost_its_lease_writes_nothing_more_and_the_run_is_lost(
    redis_url: str,
) -> None:
    """What a worker that was cut off while its lease expired sees: its writes are
    refused (checked in the same script), its run stops, and a reader marks it lost."""
    import coredis

    owner, other = RedisJobs(redis_url, lease=0.6, block=0.2), RedisJobs(redis_url, block=0.2)
    raw: Any = coredis.Redis.from_url(redis_url, decode_responses=True)
    async with raw, owner.running(), other.running():
        run = await owner.start("fenced", counting(None, 0.02), (Tok,))
        await trio.sleep(0.1)
        await raw.delete(["actorview:job:fenced:lease"])  # as if it had expired
        events = await heard_until_end(other, "fenced")
        with trio.fail_after(5):
            while owner.live("fenced") is not None:  # noqa: ASYNC110
                await trio.sleep(0.02)
    assert events[-1].outcome is Outcome.LOST
    assert events[-1].run == run
    assert "lease expired" in events[-1].error


async def test_a_run_past_max_parts_fails_and_an_ended_stream_expires(redis_url: str) -> None:
    import coredis

    jobs = RedisJobs(redis_url, max_parts=10, keep=30)
    raw: Any = coredis.Redis.from_url(redis_url, decode_responses=True)
    async with raw, jobs.running():
        await jobs.start("long", counting(100, 0), (Tok,))
        events = await heard_until_end(jobs, "long")
        ttl = await raw.pttl("actorview:job:long")
    assert len(events) == 1 + 10 + 1
    assert events[-1].outcome is Outcome.FAILED
    assert "max_parts=10" in events[-1].error
    assert 0 < ttl <= 30_000  # the ended run is kept for `keep` seconds, then gone


async def test_a_redis_that_is_not_there_is_named_with_the_fix() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with pytest.raises(JobError, match=r"cannot reach Redis at .*--redis-url"):
        async with RedisJobs(url, connect_timeout=2).running():
            pass


async def test_a_backend_that_does_not_run_says_how_to_run_it(redis_url: str) -> None:
    with pytest.raises(JobError, match=r"not running.*Application\(jobs=\.\.\.\)"):
        await RedisJobs(redis_url).start("k", counting(1), (Tok,))


async def test_a_worker_follows_more_keys_than_its_connection_pool_holds(redis_url: str) -> None:
    """One reader for every followed key (one XREAD of all their streams): 100 keys
    followed at once, past coredis's 64 connections a pool, each heard exactly, and one
    connection of the follower waits in XREAD, not one per key."""
    import coredis

    owner, other = RedisJobs(redis_url), RedisJobs(redis_url)
    keys = [f"many:{n}" for n in range(100)]
    heard: dict[str, list[Any]] = {}
    raw: Any = coredis.Redis.from_url(redis_url, decode_responses=True)

    async def hear(key: str) -> None:
        heard[key] = await heard_until_end(other, key, within=30)

    async with raw, owner.running(), other.running():
        runs = {key: await owner.start(key, counting(40, 0.02), (Tok,)) for key in keys}
        async with trio.open_nursery() as nursery:
            for key in keys:
                nursery.start_soon(hear, key)
            await trio.sleep(0.4)  # every key followed, its run still going
            clients = await raw.client_list()
    reading = [c for c in clients if c.get("cmd") == "xread" and "b" in str(c.get("flags"))]
    assert len(reading) <= 2, len(reading)  # one blocked XREAD, not one per key
    for key in keys:
        assert heard[key][0] == Started(runs[key])
        assert [event.message for event in heard[key][1:-1]] == [Tok(n) for n in range(40)]
        assert heard[key][-1] == Ended(runs[key], Outcome.DONE)
