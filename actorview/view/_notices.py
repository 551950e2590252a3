"""Notices: what a view tells the person at its page, outside its own markup.

A view has two outlets, both given when it is made and both one way (view → host): its
render sink (:data:`~actorview.view.RenderSink`) and its notice sink (:data:`NoticeSink`).
The endpoint shows a :class:`Notice` in the page's ``#av-notice`` (a ``notice`` frame of
kind ``error``, docs/PROTOCOL.md); the test client records it in ``view.notices``.

The runtime sends one when a stream run fails and no clause takes its ``StreamFailed``
(:data:`STREAM_FAILED_TEXT`), and when an action's own code raises
(:data:`ACTION_FAILED_TEXT`), and when a store refuses what an action or clause would change
(:data:`KEEP_FAILED_TEXT`); a view may send its own with ``View.notify``. The details of
a failure go to the log, never into a notice.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from actorview._untrusted import cut

MAX_NOTICE_CHARS = 300
"""A notice's text is cut to this length: it is one line for a person, not a report."""

STREAM_FAILED_TEXT = "Something went wrong on the server: part of this page stopped updating."
"""The default notice for a stream run that failed with no clause for its failure."""

ACTION_FAILED_TEXT = "Something went wrong on the server: your last action was not applied."
"""The notice for an event whose action raised (a bug on the server, not bad input)."""


KEEP_FAILED_TEXT = "This change could not be saved, so it was not made. Please try again."
"""The notice for an action or clause whose changes a stream's :class:`KeptSource`
refused (a store write failed or timed out): nothing of it happened."""


def _cut(text: str) -> str:
    if not isinstance(text, str):
        return text  # the validator names the wrong type
    return cut(text, MAX_NOTICE_CHARS)


@attrs.frozen
class Notice:
    """Something failed on the server and the view goes on.

    ``text`` is for the person at the page: plain text (the page shows it as text, never
    as markup), cut to :data:`MAX_NOTICE_CHARS`, without internal details.
    """

    text: str = attrs.field(validator=attrs.validators.instance_of(str), converter=_cut)


NoticeSink = Callable[[Notice], None]
"""Where a view sends its notices: a plain (sync) callable, called in the view's tasks."""
