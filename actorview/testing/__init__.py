"""Tools for testing actors and views deterministically, under trio's test clock.

- :func:`mount` runs a view in-process and yields a :class:`ViewClient` that reads and
  drives it as a browser would (the guide is docs/TESTING.md);
- :class:`TrioDriver` and :func:`settle` step actors from synchronous code (hypothesis's
  stateful machines).
"""

from actorview.endpoint._live import reply_fields
from actorview.testing._client import Found, Reply, State, ViewClient, mount
from actorview.testing._css import SelectorError, select, text_of
from actorview.testing._driver import TrioDriver, settle
from actorview.testing._errors import (
    EventRejected,
    NoMatch,
    NotInteractive,
    SettleTimeout,
    UntilTimeout,
    ViewCrashed,
    ViewTestError,
)
from actorview.testing._frames import Frame, frames_for, reply_frame
from actorview.testing._navigation import NavigationFailed

__all__ = [
    "EventRejected",
    "Found",
    "Frame",
    "NavigationFailed",
    "NoMatch",
    "NotInteractive",
    "Reply",
    "SelectorError",
    "SettleTimeout",
    "State",
    "TrioDriver",
    "UntilTimeout",
    "ViewClient",
    "ViewCrashed",
    "ViewTestError",
    "frames_for",
    "mount",
    "reply_fields",
    "reply_frame",
    "select",
    "settle",
    "text_of",
]
