"""Many worker processes on one port: the built-in server's ``workers`` option.

:func:`serve_workers` binds one listening socket in the calling process, then starts
``workers`` processes (``multiprocessing``'s spawn) that each build the application
with ``factory`` and serve that inherited socket: the kernel hands each new connection
to one of them. Any worker serves any join (a view not in this worker is mounted again
from the join token and the application's stores), so they need one secret: a worker
whose Application signs with a random one refuses to start (:class:`SecretNotShared`),
and the error is raised in the caller.

SIGINT or SIGTERM to the caller (Ctrl-C reaches the whole process group) stops every
worker as ``Application.serve`` stops on cancellation (listener, then views, sockets
closed with 1001); a worker still running ``stop_timeout`` seconds later is killed.
If one worker exits on its own, the others are stopped the same way.

Under hypercorn (``-w N``), ``siblings.sibling_workers`` makes the same secret check.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess

import trio

from actorview.endpoint._errors import EndpointError, SecretNotShared
from actorview.endpoint._server import Application
from actorview.logging import get_logger

START_TIMEOUT = 60.0
"""Seconds every worker has to build its application and listen."""

_log = get_logger(component="endpoint")


class WorkerFailed(EndpointError):
    """A worker process could not start, or stopped on its own; the message says which
    and why (its own error, or its exit code)."""


def serve_workers(
    factory: Callable[[], Application],
    *,
    workers: int,
    host: str = "127.0.0.1",
    port: int = 8000,
    root_path: str = "",
    stop_timeout: float = 10.0,
    on_listening: Callable[[int], None] | None = None,
) -> int:
    """Serve ``factory()`` in ``workers`` processes sharing ``host``:``port`` until
    SIGINT or SIGTERM; returns 0 once every worker stopped cleanly.

    ``factory`` is called in each worker: a module-level function, or a
    ``functools.partial`` of one with picklable arguments (it crosses to a new process),
    that returns the :class:`Application`. ``on_listening(port)`` is called once every
    worker listens (``port=0`` picks a free port, shared by all). Call it from a
    ``if __name__ == "__main__":`` block, outside ``trio.run``.

    Raises :class:`SecretNotShared` (with ``workers > 1``) if a worker's Application
    would sign join tokens with a random secret, :class:`WorkerFailed` if a worker fails
    to start, and ``ValueError`` for ``workers < 1``; a worker that stops on its own
    later stops the rest, and the return value is then 1.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number of at least 1, got {workers!r}")
    listener = _bind(host, port)
    bound = int(listener.getsockname()[1])
    context = multiprocessing.get_context("spawn")
    reports: multiprocessing.Queue[tuple[str, int, str]] = context.Queue()
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[BaseProcess] = []
    try:
        for index in range(workers):
            process = context.Process(
                target=_worker_main,
                args=(factory, listener, host, root_path, workers, index, reports),
                name=f"actorview-worker-{index}",
            )
            process.start()
            processes.append(process)
        listener.close()  # the workers hold it now
        _await_started(reports, processes, lambda: stopping)
        if on_listening is not None and not stopping:
            on_listening(bound)
        while not stopping and not any(p.exitcode is not None for p in processes):
            wait([p.sentinel for p in processes], timeout=0.2)
        failed = [p for p in processes if p.exitcode is not None and not stopping]
        return 1 if failed else 0
    finally:
        _stop_all(processes, stop_timeout)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
        reports.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=1024)
    listener.set_inheritable(True)
    return listener


def _await_started(
    reports: multiprocessing.Queue[tuple[str, int, str]],
    processes: list[BaseProcess],
    stopping: Callable[[], bool],
) -> None:
    """Wait until every worker reported that it listens; raise what one reported
    instead, or :class:`WorkerFailed` if one exited first or none came in time."""
    ready: set[int] = set()
    deadline = time.monotonic() + START_TIMEOUT
    while len(ready) < len(processes) and not stopping():
        try:
            kind, index, message = reports.get(timeout=0.2)
        except queue.Empty:
            gone = next((p for p in processes if p.exitcode is not None), None)
            if gone is not None:
                raise WorkerFailed(
                    f"worker {gone.name} exited with {gone.exitcode} before it listened; "
                    "its error is in its output above"
                ) from None
            if time.monotonic() > deadline:
                raise WorkerFailed(
                    f"workers did not all listen within {START_TIMEOUT:.0f} s"
                ) from None
            continue
        if kind == "secret":
            raise SecretNotShared(len(processes), "serve_workers")
        if kind == "failed":
            raise WorkerFailed(f"worker {index} failed to start: {message}")
        ready.add(index)


def _stop_all(processes: list[BaseProcess], stop_timeout: float) -> None:
    """SIGTERM every worker still running, wait at most ``stop_timeout`` in all, then
    kill those left."""
    for process in processes:
        if process.exitcode is None and process.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + stop_timeout
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.exitcode is None:
            _log.warning("endpoint.worker_killed", worker=process.name, seconds=stop_timeout)
            process.kill()
            process.join(1.0)


def _worker_main(
    factory: Callable[[], Application],
    listener: socket.socket,
    host: str,
    root_path: str,
    workers: int,
    index: int,
    reports: multiprocessing.Queue[tuple[str, int, str]],
) -> None:
    """One worker: build the application, check its secret, serve until signalled."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until trio's receiver takes both over
    try:
        app = factory()
    except Exception as error:
        reports.put(("failed", index, f"{type(error).__name__}: {error}"[:500]))
        raise
    if workers > 1 and not app.secret_shared:
        reports.put(("secret", index, ""))
        return
    trio.run(_serve_until_signalled, app, listener, host, root_path, index, reports)


async def _serve_until_signalled(
    app: Application,
    listener: socket.socket,
    host: str,
    root_path: str,
    index: int,
    reports: multiprocessing.Queue[tuple[str, int, str]],
) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            await nursery.start(
                _serve, app, host, listener, root_path, name=f"actorview-worker-{index}"
            )
            reports.put(("ready", index, ""))
            async for _ in signals:
                nursery.cancel_scope.cancel()
                break


async def _serve(
    app: Application,
    host: str,
    listener: socket.socket,
    root_path: str,
    *,
    task_status: trio.TaskStatus[int],
) -> None:
    await app.serve(host, 0, sock=listener, root_path=root_path, task_status=task_status)
