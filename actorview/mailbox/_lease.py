"""Leases: a revocable right to send, so that a revoked sender's messages are never handled.

A streaming task tells its messages under a lease. Revoking the lease makes the actor drop
every message sent under it, including those already waiting in the mailbox, so a
cancelled or superseded run can never reach a clause: the guarantee comes from the
runtime, not from a counter the developer keeps in state.
"""

from __future__ import annotations


class Lease:
    """A revocable tag carried by every message told under it.

    Example::

        lease = Lease()
        ref.tell_nowait(Chunk("hel"), lease=lease)
        lease.revoke()   # "hel" will not be handled, even though it is queued
    """

    __slots__ = ("_revoked", "label")

    def __init__(self, label: str = "") -> None:
        self.label = label
        self._revoked = False

    @property
    def revoked(self) -> bool:
        """True once :meth:`revoke` was called; it never turns back to False."""
        return self._revoked

    def revoke(self) -> None:
        """Drop every message sent under this lease that has not been handled yet.

        Sync and immediate: once it returns, no further message of this lease reaches a
        clause, whether it was already queued or is sent later.
        """
        self._revoked = True

    def __repr__(self) -> str:
        state = "revoked" if self._revoked else "live"
        return f"<Lease {self.label!r} {state}>"
