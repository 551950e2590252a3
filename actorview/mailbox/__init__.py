"""The actor runtime: typed mailboxes, clauses with patterns and guards, coalescing.

Start with :class:`Actor` and :func:`on`; ``actorview.mailbox._actor`` has a runnable
example. Messages flow one way: a sender's :class:`ActorRef` checks the type and queues
an envelope; the actor's own task picks the first clause that accepts it.
"""

from actorview.lifecycle import ActorState
from actorview.mailbox._actor import Actor, ActorRef
from actorview.mailbox._clauses import Clause, on
from actorview.mailbox._errors import (
    ActorCrashed,
    ActorKilled,
    ActorStopped,
    AskTimeout,
    MailboxError,
    MailboxFull,
    Superseded,
    UnhandledMessage,
    WrongMessageType,
)
from actorview.mailbox._lease import Lease
from actorview.mailbox._mailbox import Mailbox, MailboxStats
from actorview.mailbox._overflow import Backpressure, CoalesceByKey, DropOldest, OverflowPolicy

__all__ = [
    "Actor",
    "ActorCrashed",
    "ActorKilled",
    "ActorRef",
    "ActorState",
    "ActorStopped",
    "AskTimeout",
    "Backpressure",
    "Clause",
    "CoalesceByKey",
    "DropOldest",
    "Lease",
    "Mailbox",
    "MailboxError",
    "MailboxFull",
    "MailboxStats",
    "OverflowPolicy",
    "Superseded",
    "UnhandledMessage",
    "WrongMessageType",
    "on",
]
