"""Which children restart together (:class:`Strategy`) and how often (:class:`RestartWindow`)."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import TypeVar

import attrs

C = TypeVar("C")


class Strategy(Enum):
    """Which siblings a supervisor restarts along with a child that must restart."""

    ONE_FOR_ONE = "one_for_one"
    """Only the child that ended is restarted; its siblings are not touched."""

    ONE_FOR_ALL = "one_for_all"
    """Every other running child is stopped (in reverse start order), then all restart."""

    REST_FOR_ONE = "rest_for_one"
    """The children started after it are stopped (in reverse order), then they restart."""

    def restart_group(self, children: Sequence[C], ended: C) -> Sequence[C]:
        """The children, in start order, restarted together with ``ended`` (itself included)."""
        if self is Strategy.ONE_FOR_ONE:
            return [ended]
        if self is Strategy.ONE_FOR_ALL:
            return list(children)
        return children[children.index(ended) :]


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0 seconds, not {value!r}")


def _at_least_zero(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an int >= 0, not {value!r}")


@attrs.define
class RestartWindow:
    """Restart intensity: at most ``max_restarts`` restarts in any ``period`` seconds."""

    max_restarts: int = attrs.field(validator=_at_least_zero)
    period: float = attrs.field(converter=float, validator=_positive)
    _times: list[float] = attrs.field(factory=list, init=False, repr=False)
    """Recent restarts, oldest first: a list, not a deque (it holds one period's
    restarts, a handful, and every live view has a window: 56 bytes, not 760)."""

    def allows_restart_at(self, now: float) -> bool:
        """Record a restart at ``now``; False if it is one more than the window allows."""
        while self._times and self._times[0] <= now - self.period:
            del self._times[0]
        self._times.append(now)
        return len(self._times) <= self.max_restarts

    def reset(self) -> None:
        """Forget every restart (a supervisor does so each time its ``run`` begins)."""
        self._times.clear()
