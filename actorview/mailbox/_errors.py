"""Errors of the actor runtime: sending, asking and declaring actors."""

from __future__ import annotations

from actorview.errors import ActorViewError


class MailboxError(ActorViewError):
    """Base class of the errors a mailbox or an actor reference raises."""


class MailboxFull(MailboxError):
    """``tell_nowait`` found the mailbox full and its policy is to apply backpressure.

    Use ``await ref.tell(msg)`` to wait for space, or give the actor an overflow policy
    (``DropOldest()``, ``CoalesceByKey(...)``) if its senders must never wait.
    """


class ActorStopped(MailboxError):
    """The actor is not running any more: its mailbox is closed to new messages.

    Raised to a sender, and to every asker whose request was still waiting when the
    actor stopped. Look the actor up again (a supervisor may have restarted it).
    """


class ActorCrashed(MailboxError):
    """The actor raised while it handled this ``ask``; the original error is ``__cause__``."""


class ActorKilled(MailboxError):
    """The actor was killed from outside with ``kill(reason)``; raised from its ``run``."""


class AskTimeout(MailboxError, TimeoutError):
    """No reply to an ``ask`` arrived within its timeout."""


class UnhandledMessage(MailboxError):
    """No clause took the message, and the actor was declared with ``unhandled="raise"``.

    Also the reply an asker gets when its request was dropped unhandled.
    """


class Superseded(MailboxError):
    """An ``ask`` was dropped by the mailbox's overflow policy before it was handled."""


class WrongMessageType(MailboxError, TypeError):
    """A message of a type the actor does not accept was sent to it.

    Raised at the sender, before anything is queued.
    """
