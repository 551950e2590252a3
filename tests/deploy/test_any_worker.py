"""Any worker serves any join: two Applications with one secret stand for two worker
processes behind a round-robin balancer (on both transports)."""

from __future__ import annotations

from actorview.endpoint import Application, Route
from tests.endpoint.harness import Counter, fetch, live, running, send
from tests.endpoint.test_replay import join, raw_frames

SECRET = b"any-worker-secret-" * 3


def worker() -> Application:
    return Application([Route("/", Counter)], secret=SECRET)


async def test_a_join_reaching_another_worker_gets_a_fresh_view_and_back_home_a_replay() -> None:
    async with running(worker()) as home, running(worker()) as other:
        page = await fetch(home)
        async with live(home) as ws:
            first = await join(ws, page.token)
            await send(ws, t="event", ref=1, name="increment")
            sent = await raw_frames(ws, 3)  # the render, the patch, the reply
        # The socket dropped; the balancer sends the rejoin to the other worker, which
        # mounts the view again from the token (a fresh full render, not a replay).
        async with live(other) as ws:
            elsewhere = await join(ws, first["token"], seen=3)
            assert elsewhere["seq"] == 0
            render = await raw_frames(ws, 1)
            assert '"t":"render"' in render[0] and ">0</span>" in render[0]
        # Back on the worker that holds the view, within its grace: the frames replay.
        async with live(home) as ws:
            again = await join(ws, first["token"], seen=1)
            assert again["seq"] == 1 and again["ref"] == 1
            assert await raw_frames(ws, 2) == sent[1:]
