"""Any text, framed directly (endpoint/_frames.py), is the frame wsproto sends and reads
back as that text; wsproto's own state stays as its send would leave it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from wsproto.events import TextMessage

from actorview.endpoint._frames import frames_directly, text_frame
from tests.endpoint.test_frames import opened, received

PADDING = st.sampled_from([0, 0, 100, 65_400, 70_000])
"""Padding that moves a message across the 16-bit and 64-bit length forms' bounds."""


@given(st.lists(st.tuples(st.text(max_size=300), PADDING), max_size=4))
def test_direct_frames_are_wsprotos(messages: list[tuple[str, int]]) -> None:
    server, client = opened()
    for text, padding in messages:
        message = text + "p" * padding
        assert frames_directly(server)
        frame = text_frame(message)
        assert frame == server.send(TextMessage(data=message))
        assert received(client, frame) == message
