"""The frames a view sends to the browser, encoded exactly as the endpoint writes them.

:func:`frames_for` turns one :class:`~actorview.view.Rendered` into its wire frames (a
``render`` control frame for the first render, a patch frame for every later one) and
:func:`reply_fields` an event's :class:`~actorview.view.Outcome` into the fields of its
``reply`` frame. They use the endpoint's own encoders (``control_frame``,
``actorview.render.encode``; notices go through ``actorview.endpoint._live.notice_frame``),
so "this token cost N bytes" in a test is the number of bytes the socket carries. The
test client records every frame as a :class:`Frame`.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import attrs

from actorview.endpoint._live import render_frame, reply_fields
from actorview.endpoint._protocol import control_frame
from actorview.render import Patch, decode, encode
from actorview.view import Outcome, Rendered

FrameKind = Literal["render", "patch", "reply", "notice", "event", "flash", "title"]


@attrs.frozen
class Frame:
    """One server → browser WebSocket text message.

    Attributes:
        kind: ``"render"`` (the whole view), ``"patch"`` (a JSON array of ops),
            ``"reply"`` (the answer to an event or input), ``"notice"`` (a
            :class:`~actorview.view.Notice`, shown outside the view's markup), or a page
            frame: ``"event"`` (for the page's hooks), ``"flash"`` (a toast) or
            ``"title"`` (``document.title``).
        text: the frame exactly as written to the socket.
        version: the render's version for render and patch frames, else ``None``.
    """

    kind: FrameKind
    text: str
    version: int | None = None

    @property
    def size(self) -> int:
        """The frame's size in bytes (UTF-8), as it travels."""
        return len(self.text.encode())

    @property
    def ops(self) -> list[Patch]:
        """The patch ops of a patch frame, decoded from its text (empty for others)."""
        return decode(self.text) if self.kind == "patch" else []

    @property
    def data(self) -> Any:
        """The frame's JSON value."""
        return json.loads(self.text)


def frames_for(rendered: Rendered) -> list[str]:
    """The frames the endpoint sends for one render: ``[render frame]`` for version 0,
    ``[patch frame]`` afterwards (nothing when a render has no patches)."""
    if rendered.version == 0:
        return [render_frame(rendered)]
    if not rendered.patches:
        return []
    return [encode(rendered.patches)]


def reply_frame(ref: int, outcome: Outcome) -> str:
    """The ``reply`` frame for event or input ``ref``."""
    return control_frame("reply", ref=ref, **reply_fields(outcome))
