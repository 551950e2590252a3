"""One lifecycle vocabulary: the states of actors, supervisors, children and stream runs.

Each of the four has its own enum, so a type says which states it can be in (a run is
never ``DELAYED``, an actor never ``STARTING``), but a word means the same thing in all
of them, and every state answers the same predicates (as Textual's ``WorkerState``):

=============  ==============  ===================  ==============  ===========
word           ActorState      SupervisorState      ChildState      RunState
=============  ==============  ===================  ==============  ===========
``PENDING``    yes             yes                  yes             yes
``STARTING``                   yes                  yes
``RUNNING``    yes             yes                  yes             yes
``STOPPING``   yes             yes                  yes
``DELAYED``                                         yes
``STOPPED``    yes             yes                  yes
``CANCELLED``                                                       yes
``DONE``                                                            yes
``FAILED``     yes             yes                  yes             yes
=============  ==============  ===================  ==============  ===========

Every state is exactly one of :attr:`~Lifecycle.pending` (not started, or waiting to be
started again), :attr:`~Lifecycle.active` (started and not ended) and
:attr:`~Lifecycle.ended`; :attr:`~Lifecycle.running` and :attr:`~Lifecycle.failed`
single out ``RUNNING`` and ``FAILED``. A state's value is its word in lower case.

This module imports nothing from actorview, so every layer can use it. The owners
re-export their enum: :class:`actorview.mailbox.ActorState`,
:class:`actorview.supervisor.SupervisorState` and :class:`~actorview.supervisor.ChildState`,
:class:`actorview.view.RunState`. The guide to actors and supervisors is docs/CONTRACTS.md.
"""

from __future__ import annotations

import enum
from typing import Final

_PENDING: Final = frozenset({"PENDING", "DELAYED"})
_ACTIVE: Final = frozenset({"STARTING", "RUNNING", "STOPPING"})
_ENDED: Final = frozenset({"STOPPED", "CANCELLED", "DONE", "FAILED"})


class Lifecycle(enum.Enum):
    """The predicates every lifecycle state answers; the four state enums derive from it."""

    @property
    def pending(self) -> bool:
        """Not started yet (``PENDING``), or waiting to be started again (``DELAYED``)."""
        return self.name in _PENDING

    @property
    def active(self) -> bool:
        """Started and not ended: ``STARTING``, ``RUNNING`` or ``STOPPING``."""
        return self.name in _ACTIVE

    @property
    def running(self) -> bool:
        """``RUNNING``: up and doing its work."""
        return self.name == "RUNNING"

    @property
    def ended(self) -> bool:
        """Over: ``STOPPED``, ``CANCELLED``, ``DONE`` or ``FAILED``."""
        return self.name in _ENDED

    @property
    def failed(self) -> bool:
        """``FAILED``: it ended with an error."""
        return self.name == "FAILED"


class ActorState(Lifecycle):
    """Where an actor is in its life; ``Actor.state`` and ``ActorRef.state``."""

    PENDING = "pending"
    """Created; ``run`` has not been called."""
    RUNNING = "running"
    """Handling messages."""
    STOPPING = "stopping"
    """Asked to stop: handling what was queued before, refusing new messages."""
    STOPPED = "stopped"
    """Ended normally, or was cancelled."""
    FAILED = "failed"
    """A handler or hook raised (or it was killed); the error propagated out of ``run``."""


class SupervisorState(Lifecycle):
    """Where a supervisor is in its life; ``Supervisor.state``."""

    PENDING = "pending"
    """Created, not running yet."""
    STARTING = "starting"
    """``run`` is starting the children given at construction, in order."""
    RUNNING = "running"
    """Every child is up; crashes are handled; children can be added and removed."""
    STOPPING = "stopping"
    """Stopping its children in reverse start order."""
    STOPPED = "stopped"
    """``run`` returned (or was cancelled); every child has ended. It may run again."""
    FAILED = "failed"
    """``run`` raised (a child failed to start, or restart intensity was exceeded)."""


class ChildState(Lifecycle):
    """Where one child is in its life, as ``Supervisor.which_children`` reports."""

    PENDING = "pending"
    """Waiting to be started, for the first time or again after a restart decision."""
    STARTING = "starting"
    """Its ``start`` is running and has not yet called ``task_status.started``."""
    RUNNING = "running"
    """It reported started and the supervisor has not yet handled its end."""
    STOPPING = "stopping"
    """The supervisor asked it to stop and is waiting for it (grace, then cancellation)."""
    STOPPED = "stopped"
    """It ended and will not be restarted (a transient child that returned, or shutdown)."""
    DELAYED = "delayed"
    """It is to be started again once its backoff delay has passed (``ChildSpec.backoff``)."""
    FAILED = "failed"
    """It went past its own restart intensity (``ChildSpec.max_restarts``): stopped for good."""


class RunState(Lifecycle):
    """Where a run of an ``async_stream`` is in its life; ``Run.state``."""

    PENDING = "pending"
    """Fired, its task not started yet (or waiting in the queue)."""
    RUNNING = "running"
    """Its body is running and may emit."""
    CANCELLED = "cancelled"
    """Cancelled or superseded: it has ended and nothing it emitted will be handled."""
    FAILED = "failed"
    """Its body raised; a ``StreamFailed`` was sent to the view."""
    DONE = "done"
    """Its body returned."""
