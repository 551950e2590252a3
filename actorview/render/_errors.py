"""Errors raised while building, rendering, diffing or applying a view's HTML.

They all derive from :class:`RenderError` (itself an :class:`~actorview.errors.ActorViewError`)
and each message says what was wrong and what to write instead.
"""

from __future__ import annotations

from actorview.errors import ActorViewError


class RenderError(ActorViewError):
    """Base class of every error raised by ``actorview.render``."""


class InvalidName(RenderError, ValueError):
    """A tag or attribute name cannot be written safely into HTML."""


class UnsafeContent(RenderError, ValueError):
    """A value would break out of its HTML context (script end tag, event handler...)."""


class InvalidTree(RenderError, TypeError):
    """A node was built from something that is not a node, or in a shape the diff can't track."""


class DuplicateKey(RenderError, ValueError):
    """Two siblings carry the same ``key``; keys must be unique among siblings."""


class PatchError(RenderError, ValueError):
    """A patch does not fit the tree it is applied to (wrong path, index or op)."""


class WireError(RenderError, ValueError):
    """A frame is not valid patch JSON as described in docs/PROTOCOL.md."""
