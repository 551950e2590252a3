"""The root of actorview's exception family.

Each concept has its own errors next to it (``actorview.mailbox._errors``,
``actorview.supervisor._errors``, ...); they all derive from :class:`ActorViewError`
so an application can catch "anything actorview raised" in one place. Its warnings
derive from :class:`ActorViewWarning`.
"""

from __future__ import annotations


class ActorViewError(Exception):
    """Base class of every error actorview raises on purpose."""


class ActorViewWarning(UserWarning):
    """Base class of every warning actorview gives: a declaration that is allowed but
    probably an oversight. ``warnings.filterwarnings(..., category=ActorViewWarning)``
    selects them all."""


class DefinitionError(ActorViewError, TypeError):
    """A class (actor or view) was declared wrongly.

    Raised while the class statement runs, never later at run time. The message names
    the class, the declaration and what to write instead.
    """


class ExpectedFailure(ActorViewError):
    """Base class for a failure that is part of normal operation, not a bug: a model
    server that rate-limits (429), refuses the key (401) or cannot be reached.

    A stream or job body raises it (or a subclass) to fail its run as usual (the view's
    failure clause, a job's ``Ended(FAILED)`` hear it the same way); what changes is the
    log: the runtime logs it as a *warning* event naming its :attr:`reason`, its text and
    the text of its ``__cause__``, with no traceback, since a traceback per rate-limited
    reply says nothing a developer can act on and floods the log. Any other exception
    stays an error with its traceback (:func:`actorview.logging.log_failure`). It is
    the one :class:`ActorViewError` an application raises (to tell the runtime how to log
    it), not actorview.
    """

    @property
    def reason(self) -> str:
        """A short, stable name of why the run failed (the class name by default;
        a subclass with a closed set of reasons names the reason)."""
        return type(self).__name__
