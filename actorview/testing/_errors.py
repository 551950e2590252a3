"""The test client's failures: each one an ``AssertionError`` that says what to do.

They subclass ``AssertionError`` so pytest reports them as failed assertions, with the
page's HTML (trimmed) where it helps, and :class:`~actorview.errors.ActorViewError` as
every error of actorview does.
"""

from __future__ import annotations

from actorview.errors import ActorViewError


class ViewTestError(ActorViewError, AssertionError):
    """Base class of the test client's failures."""


class NoMatch(ViewTestError):
    """A selector matched no element (or, for an action, not exactly one)."""


class NotInteractive(ViewTestError):
    """The test did something a browser would not send: a click on a disabled button, a
    click on an element with no ``av-click``, a submit of a form without ``av-submit``."""


class EventRejected(ViewTestError):
    """The view answered an event with ``Rejected``, or ``Failed`` (its action raised; the
    ``__cause__`` is that error). Only raised with ``strict=True``."""


class ViewCrashed(ViewTestError):
    """The view's task raised; the original error is the ``__cause__``."""


class UntilTimeout(ViewTestError):
    """``until`` ran out of (test-clock) time before its condition held."""


class SettleTimeout(ViewTestError):
    """``settle`` let its time limit pass with streams still running (a stream that never
    ends does not settle: use ``advance`` or ``until``)."""
