"""Supervisor trees: children that are restarted when they fail, stopped in order.

.. code-block:: python

    import trio
    from actorview.supervisor import ChildSpec, Restart, Strategy, Supervisor

    async def flaky(*, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()          # up: the supervisor starts the next child now
        await trio.sleep(0.1)
        raise RuntimeError("bad luck")  # caught by the supervisor, which restarts it

    async def main() -> None:
        sup = Supervisor(
            [ChildSpec("flaky", flaky, restart=Restart.PERMANENT)],
            strategy=Strategy.ONE_FOR_ONE,
            max_restarts=3,
            period=1.0,
        )
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            await trio.sleep(0.25)     # two crashes, two restarts
            sup.request_stop()         # stops every child in reverse order, then run returns

    trio.run(main)

A child is any ``async start(*, task_status)`` that calls ``task_status.started(handle)``
once it is up (see :class:`ChildSpec`); a :class:`Supervisor` is one too
(:meth:`Supervisor.child_spec`), so supervisors nest and a supervisor that gives up
(:class:`RestartIntensityExceeded`) is a crashing child of its parent. A supervisor with
no children given at construction is a dynamic supervisor: add and remove children
with :meth:`Supervisor.start_child` and :meth:`Supervisor.terminate_child`, look them
up by id in :attr:`Supervisor.registry`.

A child spec may carry its own restart intensity and a :class:`Backoff`
(``ChildSpec(..., max_restarts=3, period=5.0, backoff=Backoff())``): a crash loop then
stops that child for good (``ChildState.FAILED``) instead of using up the intensity its
siblings share, and its restarts are spaced out. ``waits_on`` names the start errors
that mean a dependency is down (retried with the backoff, counted nowhere). An
``observer`` hears each decision as a :data:`ChildEvent` (:class:`Restarting`,
:class:`Waiting`, :class:`GaveUp`).

Lifecycle events are structlog events (``child_started``, ``child_crashed`` with the
traceback, ``child_restarted``, ``child_waiting``, ``child_gave_up``, ``child_stopped``,
``supervisor_gave_up`` and ``supervisor_<state>``), each bound with ``supervisor`` (its
name) and ``child_id``.
"""

from actorview.lifecycle import ChildState, SupervisorState
from actorview.supervisor._children import ChildInfo
from actorview.supervisor._errors import (
    ChildCannotTerminateItself,
    ChildNeverStarted,
    ChildStartFailed,
    ChildWaiting,
    DuplicateChildId,
    NameTaken,
    NotRegistered,
    RestartIntensityExceeded,
    SupervisorAlreadyRunning,
    SupervisorError,
    SupervisorNotRunning,
    UnknownChild,
)
from actorview.supervisor._events import ChildEvent, GaveUp, Restarting, Waiting
from actorview.supervisor._registry import Registry
from actorview.supervisor._spec import (
    CANCEL_AT_ONCE,
    WAIT_FOREVER,
    Backoff,
    ChildSpec,
    Restart,
    Runnable,
    StartFunction,
)
from actorview.supervisor._strategy import Strategy
from actorview.supervisor._supervisor import Supervisor

__all__ = [
    "CANCEL_AT_ONCE",
    "WAIT_FOREVER",
    "Backoff",
    "ChildCannotTerminateItself",
    "ChildEvent",
    "ChildInfo",
    "ChildNeverStarted",
    "ChildSpec",
    "ChildStartFailed",
    "ChildState",
    "ChildWaiting",
    "DuplicateChildId",
    "GaveUp",
    "NameTaken",
    "NotRegistered",
    "Registry",
    "Restart",
    "RestartIntensityExceeded",
    "Restarting",
    "Runnable",
    "StartFunction",
    "Strategy",
    "Supervisor",
    "SupervisorAlreadyRunning",
    "SupervisorError",
    "SupervisorNotRunning",
    "SupervisorState",
    "UnknownChild",
    "Waiting",
]
