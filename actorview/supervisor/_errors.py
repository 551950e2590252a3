"""The supervisor's errors: each names what went wrong and what to do instead.

All derive from :class:`SupervisorError`, itself an
:class:`~actorview.errors.ActorViewError`. Each keeps the data its message is built
from as attributes (``supervisor``, ``child_id``, ...), for code that handles it.
"""

from __future__ import annotations

from actorview.errors import ActorViewError


class SupervisorError(ActorViewError):
    """Base class of every error the supervisor package raises."""


class RestartIntensityExceeded(SupervisorError):
    """Children were restarted more often than the supervisor's intensity allows.

    Raised out of :meth:`Supervisor.run` after every child has been stopped. Under a
    parent supervisor this is an ordinary crash of a child, so the parent applies its
    own strategy: this is how a failure escalates up the tree. ``__cause__`` is the
    error of the crash that went past the limit (``None`` if that child returned).
    """

    def __init__(self, supervisor: str, child_id: str, max_restarts: int, period: float) -> None:
        super().__init__(
            f"supervisor {supervisor!r} gave up: child {child_id!r} needed restart number "
            f"{max_restarts + 1} within {period:g} s (max_restarts={max_restarts}); fix the "
            f"crash, or raise max_restarts / lower period if these restarts are expected"
        )
        self.supervisor = supervisor
        self.child_id = child_id


class ChildStartFailed(SupervisorError):
    """A child raised (or returned) before it called ``task_status.started(handle)``.

    ``__cause__`` is the child's own error. Raised by :meth:`Supervisor.start_child`,
    and by :meth:`Supervisor.run` when a child given at construction fails to start.
    """

    def __init__(self, supervisor: str, child_id: str) -> None:
        super().__init__(
            f"child {child_id!r} of supervisor {supervisor!r} failed before it reported "
            f"started; see the cause below"
        )
        self.supervisor = supervisor
        self.child_id = child_id


class ChildWaiting(SupervisorError):
    """:meth:`Supervisor.start_child`: the child failed to start with one of its spec's
    ``waits_on`` errors (a dependency is down). It stays supervised and is started
    again after ``delay`` seconds, and again with its backoff until it comes up.

    ``__cause__`` is the child's error. There is no handle yet: look the child up in
    the registry once it runs.
    """

    def __init__(self, supervisor: str, child_id: str, delay: float) -> None:
        super().__init__(
            f"child {child_id!r} of supervisor {supervisor!r} is waiting for a dependency "
            f"(see the cause below); it is started again in {delay:.2f} s, and with its "
            f"backoff until it comes up"
        )
        self.supervisor = supervisor
        self.child_id = child_id
        self.delay = delay


class ChildNeverStarted(SupervisorError):
    """A child's ``start`` returned without calling ``task_status.started(handle)``."""

    def __init__(self, child_id: str) -> None:
        super().__init__(
            f"child {child_id!r} returned without calling task_status.started(handle); "
            f"its start function must call it once the child is up"
        )
        self.child_id = child_id


class DuplicateChildId(SupervisorError, ValueError):
    """Two children of one supervisor were given the same id."""

    def __init__(self, supervisor: str, child_id: str) -> None:
        super().__init__(
            f"supervisor {supervisor!r} already has a child with id {child_id!r}; "
            f"give each child a unique id, or terminate_child({child_id!r}) first"
        )
        self.supervisor = supervisor
        self.child_id = child_id


class UnknownChild(SupervisorError, LookupError):
    """No child with this id is supervised."""

    def __init__(self, supervisor: str, child_id: str, known: list[str]) -> None:
        super().__init__(
            f"supervisor {supervisor!r} has no child {child_id!r}; its children are {known!r}"
        )
        self.supervisor = supervisor
        self.child_id = child_id
        self.known = known


class SupervisorNotRunning(SupervisorError, RuntimeError):
    """A running supervisor was needed, but it is not running (or is stopping)."""

    def __init__(self, supervisor: str, wanted: str, state: str) -> None:
        super().__init__(
            f"cannot {wanted}: supervisor {supervisor!r} is {state}; call this only "
            f"between the moment its run() reported started and the moment it stops"
        )
        self.supervisor = supervisor
        self.wanted = wanted
        self.state = state


class SupervisorAlreadyRunning(SupervisorError, RuntimeError):
    """``run()`` was called on a supervisor that is already running."""

    def __init__(self, supervisor: str) -> None:
        super().__init__(
            f"supervisor {supervisor!r} is already running; a Supervisor runs once at a "
            f"time (create a second Supervisor to run two trees)"
        )
        self.supervisor = supervisor


class NameTaken(SupervisorError, ValueError):
    """A name in a :class:`Registry` is already bound to another running child."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"name {name!r} is already registered to a running child; child ids must be "
            f"unique across every supervisor that shares a registry"
        )
        self.name = name


class NotRegistered(SupervisorError, LookupError):
    """No running child is registered under this name."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"no running child is registered as {name!r} (registered: {known!r}); it may "
            f"not have started yet, or it stopped; Registry.get() returns None instead"
        )
        self.name = name
        self.known = known


class ChildCannotTerminateItself(SupervisorError, RuntimeError):
    """A child (or a task inside it) called ``terminate_child`` with its own id."""

    def __init__(self, child_id: str) -> None:
        super().__init__(
            f"child {child_id!r} asked its supervisor to terminate it from inside itself, "
            f"which would wait forever for its own end; return from its start function "
            f"instead (with Restart.TRANSIENT or TEMPORARY it is then not restarted)"
        )
        self.child_id = child_id
