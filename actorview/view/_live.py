"""``view.live``: the runtime's side of a view, kept out of the names a view declares.

A view class declares its own names (``name = state(str)``, ``version = state(int)``,
``run = action(...)``); the runtime's attributes therefore live behind one name,
``live``, so that none of them is taken from the user. ``view.live`` reads the actor
(``name``, ``ref``, ``log``, ``state``, ``mailbox``, ``nursery``, ``current_lease``), the
view's state store and stream runners (``store``, ``streams``), what it last rendered
(``tree``, ``version``, ``render_held_back``) and whether a browser is connected
(``connected``), and starts and stops it (``await nursery.start(view.live.run)``,
``view.live.stop()``, ``view.live.kill(reason)``).

The runtime itself never reads a public name of a view instance: a field may take any of
them. What a view keeps reserved is only what it is made of: ``live``, the hooks it
overrides (``mount``, ``load``, ``render``, ``on_connect``, ``on_disconnect``, and the
actor's ``on_start``, ``on_stop``, ``after_batch``, ``on_deadline``, ``unhandled``), the
methods it calls (``notify``, ``open_pages``, ``refresh_pages``, ``set_deadline``),
``frame_interval``, and every name that starts with ``_``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, cast

import trio

from actorview.lifecycle import ActorState
from actorview.mailbox import Actor, ActorRef
from actorview.mailbox._lease import Lease
from actorview.mailbox._mailbox import Mailbox
from actorview.render import Element
from actorview.view._jobs import JobRunner
from actorview.view._navigation import PageUrl
from actorview.view._store import ViewStore
from actorview.view._tasks import TaskRunner


class _Runtime(Protocol):
    """The private names of a View that ``live`` reads (View imports this module, so
    this module names them rather than importing View)."""

    _name: str
    _ref: ActorRef
    _log: Any
    _state: ActorState
    _mailbox: Mailbox
    _current_lease: Lease | None
    _view_store: ViewStore
    _job_runners: dict[str, JobRunner]
    _tree: Element | None
    _version: int
    _render_pending: bool
    _connected: bool
    _url: PageUrl | None

    def _stream_runners(self) -> Mapping[str, TaskRunner]: ...


class Live:
    """The runtime's attributes of one view (``view.live``); read them, do not write them.

    Made once per view; each attribute reads the view as it is now.
    """

    __slots__ = ("_view",)

    def __init__(self, view: _Runtime) -> None:
        self._view = view

    def __repr__(self) -> str:
        return f"<live {self._view._name} ({self._view._state.value})>"

    @property
    def _actor(self) -> Actor:
        return cast(Actor, self._view)

    # -- the actor ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The view actor's name, shown in logs and errors."""
        return self._view._name

    @property
    def ref(self) -> ActorRef:
        """The view's address: what the endpoint and others tell and ask."""
        return self._view._ref

    @property
    def log(self) -> Any:
        """The view's logger (bound to its actor id and its class as ``view``)."""
        return self._view._log

    @property
    def state(self) -> ActorState:
        """Where the view actor is in its life."""
        return self._view._state

    @property
    def mailbox(self) -> Mailbox:
        """The view's mailbox (``stats`` counts what it handled)."""
        return self._view._mailbox

    @property
    def nursery(self) -> trio.Nursery:
        """The view's own nursery (its streams' runs and timers live there); raises
        ``RuntimeError`` when the view is not running."""
        nursery: trio.Nursery = Actor.nursery.__get__(self._actor)
        return nursery

    @property
    def current_lease(self) -> Lease | None:
        """The lease of the message being handled (see :attr:`Actor.current_lease`)."""
        return self._view._current_lease

    async def run(
        self, *, task_status: trio.TaskStatus[ActorRef] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Run the view until it stops (:meth:`Actor.run`): ``await nursery.start(view.live.run)``
        returns its :class:`ActorRef` once it rendered its first tree."""
        await Actor.run(self._actor, task_status=task_status)

    def stop(self) -> None:
        """Close the view's mailbox; ``run`` returns once the queued messages are handled."""
        Actor.stop(self._actor)

    def kill(self, reason: str = "killed") -> None:
        """Crash the view at once (:meth:`Actor.kill`); its supervisor restarts it."""
        Actor.kill(self._actor, reason)

    # -- the view ----------------------------------------------------------------------

    @property
    def store(self) -> ViewStore:
        """The view's state store (values, change counters); read it, do not write it."""
        return self._view._view_store

    @property
    def streams(self) -> Mapping[str, TaskRunner]:
        """The runner of each declared async_stream (available once the view runs)."""
        return self._view._stream_runners()

    @property
    def jobs(self) -> Mapping[str, JobRunner]:
        """The runner of each declared job (available once the view runs)."""
        return self._view._job_runners

    @property
    def tree(self) -> Element | None:
        """The last rendered tree, without the items its stream containers inserted (the
        server does not keep them), or ``None`` before the view started."""
        return self._view._tree

    @property
    def version(self) -> int:
        """The version of the last render sent (see :class:`~actorview.view.Rendered`)."""
        return self._view._version

    @property
    def render_held_back(self) -> bool:
        """Whether a render is held back until the frame interval ends (paced views only);
        it is sent then, or at once if a browser event comes first."""
        return self._view._render_pending

    @property
    def connected(self) -> bool:
        """Whether a browser is connected (between Connected and Disconnected)."""
        return self._view._connected

    @property
    def url(self) -> PageUrl | None:
        """The page's URL as ``handle_params`` last got it (``None``: mounted without
        one)."""
        return self._view._url
