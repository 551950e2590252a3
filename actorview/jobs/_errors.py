"""What the jobs backends raise."""

from __future__ import annotations

from actorview.errors import ActorViewError


class JobError(ActorViewError):
    """A job could not be started, cancelled or followed: the backend is not running,
    its server did not answer within its bound, or the key is not a key."""
