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
