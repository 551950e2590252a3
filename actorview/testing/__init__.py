"""Tools for testing actors and views deterministically, under trio's test clock."""

from actorview.testing.driver import TrioDriver, settle

__all__ = ["TrioDriver", "settle"]
