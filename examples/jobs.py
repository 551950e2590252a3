"""Jobs: a piece of writing that goes on when its page reloads, shown in every tab.

Every page at ``/docs/<doc>`` is its own view, and every view of one ``doc`` follows the
job ``writer:<doc>`` (``job("writer:{doc}", ...)``). *Write* fires it (a fire of a job
that runs supersedes it, whichever tab started it); *Stop* cancels it from any tab. The
run belongs to the application's jobs backend, not to the view: reload the page mid-run
and it shows what was written so far, then the rest as it comes. The body's first
message (:class:`Begun`) clears what an older run wrote, so a tab that did not fire the
run starts it afresh too. With ``--redis-url`` the same job is shared by worker processes
(``RedisJobs``: one owner across them; a run whose worker dies is shown failed).

DOM hooks: ``#prompt``, ``#write``, ``#stop``, ``#text``, ``#status``.
"""

from __future__ import annotations

import argparse

import attrs
import trio

from actorview import (
    Application,
    Element,
    Route,
    StreamFailed,
    View,
    action,
    clause,
    h,
    job,
    ops,
    state,
)
from actorview.jobs import Jobs, RedisJobs
from actorview.view import Emit, JobCancelled


@attrs.frozen
class Begun:
    """A run began writing about ``about``."""

    about: str


@attrs.frozen
class Wrote:
    """The run wrote ``word`` (and its space)."""

    word: str


@attrs.frozen
class Finished:
    """The run wrote its last word."""


async def write(prompt: str, words: int, delay: float, emit: Emit) -> None:
    """Write ``words`` words about ``prompt``, one each ``delay`` seconds."""
    await emit(Begun(prompt))
    for n in range(words):
        await trio.sleep(delay)
        await emit(Wrote(f"{prompt}-{n} "))
    await emit(Finished())


class Writer(View):
    doc = state(str)
    prompt = state(str, origin="client")
    topic = state(str)
    text = state(str)
    status = state(str, "idle")
    words = state(int, 30)
    delay = state(float, 0.1)

    writer = job("writer:{doc}", emits=(Begun, Wrote, Finished))(write)

    start = action(
        ops.fire("writer", prompt=lambda prompt: prompt.strip() or "word"),
        ops.set(prompt=""),
    )
    stop = action(ops.cancel("writer"), ops.set(status="stopped"))

    on_begun = clause(Begun, ops.set(topic=lambda about: about, text="", status="writing"))
    on_wrote = clause(Wrote, ops.append(text=lambda word: word), batch=True)
    on_finished = clause(Finished, ops.set(status="done"))
    on_cancelled = clause(JobCancelled, ops.set(status="stopped"), match={"job": "writer"})
    on_failed = clause(
        StreamFailed,
        ops.set(status=lambda error: f"failed: {error}"),
        match={"stream": "writer"},
    )

    def mount(self, params: dict[str, str]) -> None:
        self.doc = params["doc"]
        if "words" in params:
            self.words = int(params["words"])
        if "delay" in params:
            self.delay = float(params["delay"])

    def render(self) -> Element:
        return h.main(
            h.h1(f"doc {self.doc}: {self.topic}"),
            h.p(self.status, id="status"),
            h.pre(self.text, id="text"),
            h.form(
                h.input(id="prompt", name="prompt", value=self.prompt, av_input="prompt"),
                h.button("Write", id="write", type="submit"),
                av_submit="start",
            ),
            h.button("Stop", id="stop", av_click="stop"),
        )


def application(jobs: Jobs | None = None) -> Application:
    return Application([Route("/docs/{doc}", Writer)], jobs=jobs, title="jobs")


def main() -> None:
    parser = argparse.ArgumentParser(description="Jobs: writing that outlives its page.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--redis-url", help="share the jobs across processes on Redis")
    args = parser.parse_args()
    jobs = RedisJobs(args.redis_url) if args.redis_url else None
    trio.run(application(jobs).serve, "127.0.0.1", args.port)


if __name__ == "__main__":
    main()
