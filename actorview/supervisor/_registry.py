"""A name → handle map of running children, kept up to date by supervisors.

A supervisor registers a child under its id when the child reports started (the
handle is what it passed to ``task_status.started``) and removes it when that run
ends; a restarted child is registered again with its new handle::

    sup = Supervisor([ChildSpec("echo", Echo.start)])
    ...
    ref = sup.registry.lookup("echo")          # the handle of the running instance

Several supervisors may share one registry (pass ``registry=``); child ids must then
be unique across all of them.
"""

from __future__ import annotations

from typing import TypeVar, overload

from actorview.supervisor._errors import NameTaken, NotRegistered

T = TypeVar("T")


class Registry:
    """Running children's handles by name."""

    def __init__(self) -> None:
        self._handles: dict[str, object] = {}

    @overload
    def lookup(self, name: str) -> object: ...

    @overload
    def lookup(self, name: str, kind: type[T]) -> T: ...

    def lookup(self, name: str, kind: type[object] = object) -> object:
        """The handle registered as ``name``.

        Raises :class:`NotRegistered` if no running child has this name, and
        :class:`TypeError` if ``kind`` is given and the handle is not an instance of it.
        """
        try:
            handle = self._handles[name]
        except KeyError:
            raise NotRegistered(name, self.names()) from None
        if not isinstance(handle, kind):
            raise TypeError(
                f"{name!r} is registered with a {type(handle).__name__}, not a "
                f"{kind.__name__}; look it up with the type its child passes to started()"
            )
        return handle

    def get(self, name: str) -> object | None:
        """The handle registered as ``name``, or ``None``."""
        return self._handles.get(name)

    def names(self) -> list[str]:
        """Every registered name, in registration order."""
        return list(self._handles)

    def __contains__(self, name: object) -> bool:
        return name in self._handles

    def __len__(self) -> int:
        return len(self._handles)

    def register(self, name: str, handle: object) -> None:
        """Bind ``name`` to ``handle``; raises :class:`NameTaken` if it is bound already."""
        if name in self._handles:
            raise NameTaken(name)
        self._handles[name] = handle

    def unregister(self, name: str, handle: object) -> None:
        """Remove ``name`` if (and only if) it is still bound to this very ``handle``."""
        if self._handles.get(name, _MISSING) is handle:
            del self._handles[name]


_MISSING = object()
