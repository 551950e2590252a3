"""Text frames framed directly (endpoint/_frames.py): the bytes wsproto sends, read back
by wsproto's own client, and wsproto's framing kept wherever it transforms or refuses.

Both ends are real wsproto connections (a server and a client that ran the HTTP
handshake with each other in memory): what the client reads is what a browser reads.
"""

from __future__ import annotations

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    Request,
    TextMessage,
)
from wsproto.extensions import Extension, PerMessageDeflate

from actorview.endpoint._frames import frames_directly, text_frame

SIZES = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]
"""Payload sizes either side of each header form's bounds (7-bit, 16-bit, 64-bit)."""


def opened(*, deflate: bool = False) -> tuple[WSConnection, WSConnection]:
    """A server and a client connection that completed the opening handshake."""
    server = WSConnection(ConnectionType.SERVER)
    client = WSConnection(ConnectionType.CLIENT)
    offered = [PerMessageDeflate()] if deflate else []
    server.receive_data(client.send(Request(host="x", target="/", extensions=offered)))
    request = next(server.events())
    assert isinstance(request, Request)
    accepted: list[Extension] = [PerMessageDeflate()] if deflate else []
    client.receive_data(server.send(AcceptConnection(extensions=accepted)))
    assert isinstance(next(client.events()), AcceptConnection)
    return server, client


def received(client: WSConnection, data: bytes) -> str:
    client.receive_data(data)
    events = list(client.events())
    assert len(events) == 1 and isinstance(events[0], TextMessage), events
    assert events[0].message_finished
    return events[0].data


@pytest.mark.parametrize("size", SIZES)
def test_a_frame_is_the_bytes_wsproto_sends(size: int) -> None:
    server, client = opened()
    message = "x" * size
    assert frames_directly(server)
    direct = text_frame(message)
    assert direct == server.send(TextMessage(data=message))
    assert received(client, direct) == message


def test_utf8_is_measured_in_bytes() -> None:
    server, client = opened()
    message = "é" * 100  # 100 characters, 200 bytes: the 16-bit length form
    frame = text_frame(message)
    assert frame[1] == 126 and int.from_bytes(frame[2:4], "big") == 200
    assert frame == server.send(TextMessage(data=message))
    assert received(client, frame) == message


def test_direct_frames_leave_wsproto_able_to_send_and_close() -> None:
    server, client = opened()
    for n in range(3):
        assert received(client, text_frame(f"token {n}")) == f"token {n}"
    assert received(client, server.send(TextMessage(data="by wsproto"))) == "by wsproto"
    client.receive_data(server.send(CloseConnection(code=1000, reason="bye")))
    closed = next(client.events())
    assert isinstance(closed, CloseConnection) and closed.code == 1000
    assert server.state is ConnectionState.LOCAL_CLOSING


def test_a_compressed_socket_is_left_to_wsproto() -> None:
    server, client = opened(deflate=True)
    assert not frames_directly(server)
    message = "compress me " * 20
    assert received(client, server.send(TextMessage(data=message))) == message


def test_not_open_is_left_to_wsproto() -> None:
    fresh = WSConnection(ConnectionType.SERVER)
    assert not frames_directly(fresh)  # no handshake yet
    server, client = opened()
    server.receive_data(client.send(CloseConnection(code=1000)))
    list(server.events())
    assert server.state is ConnectionState.REMOTE_CLOSING
    assert not frames_directly(server)  # wsproto refuses a message now; the caller asks it


def test_a_half_sent_fragmented_message_is_left_to_wsproto() -> None:
    server, _ = opened()
    server.send(TextMessage(data="first part", message_finished=False))
    assert not frames_directly(server)  # a new message's frame would break the fragment
    server.send(TextMessage(data="last part", message_finished=True))
    assert frames_directly(server)


def test_a_client_connection_is_left_to_wsproto() -> None:
    _, client = opened()
    assert not frames_directly(client)  # a client's frames are masked
