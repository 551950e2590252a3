"""actorview: server-rendered live views on trio, where every view is an actor."""

from actorview.errors import ActorViewError, DefinitionError
from actorview.logging import configure_logging
from actorview.mailbox import (
    Actor,
    ActorCrashed,
    ActorRef,
    ActorState,
    ActorStopped,
    AskTimeout,
    Backpressure,
    CoalesceByKey,
    DropOldest,
    Lease,
    MailboxFull,
    UnhandledMessage,
    WrongMessageType,
    on,
)

__all__ = [
    "Actor",
    "ActorCrashed",
    "ActorRef",
    "ActorState",
    "ActorStopped",
    "ActorViewError",
    "AskTimeout",
    "Backpressure",
    "CoalesceByKey",
    "DefinitionError",
    "DropOldest",
    "Lease",
    "MailboxFull",
    "UnhandledMessage",
    "WrongMessageType",
    "configure_logging",
    "on",
]
