"""A worker process that owns jobs on Redis, for the chaos test: it starts one endless
job per key given (each part a :class:`Tok` naming its key and index, one each 20 ms;
for a ``writer:`` key, what ``examples.jobs.Writer``'s job emits),
prints ``started <run ids>`` and runs until it is killed.

``python -m tests.jobs.owner <redis url> <lease seconds> <key> [<key> ...]``
"""

from __future__ import annotations

import sys

import trio

from actorview.jobs import JobEmit, RedisJobs
from examples.jobs import Begun, Wrote
from tests.jobs.messages import Tok


def endless(key: str) -> object:
    if key.startswith("writer:"):
        return writing

    async def body(emit: JobEmit) -> None:
        index = 0
        while True:
            await emit(Tok(key, index))
            index += 1
            await trio.sleep(0.02)

    return body


async def writing(emit: JobEmit) -> None:
    """What ``examples.jobs.Writer``'s job emits, without end."""
    await emit(Begun("gnu"))
    index = 0
    while True:
        await emit(Wrote(f"gnu-{index} "))
        index += 1
        await trio.sleep(0.02)


async def main(url: str, lease: float, keys: list[str]) -> None:
    jobs = RedisJobs(url, lease=lease)
    async with jobs.running():
        runs = [await jobs.start(key, endless(key), (Tok,)) for key in keys]  # type: ignore[arg-type]
        print("started", *runs, flush=True)
        await trio.sleep_forever()


if __name__ == "__main__":
    trio.run(main, sys.argv[1], float(sys.argv[2]), sys.argv[3:])
