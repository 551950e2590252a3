"""The ``--llm openai`` backend against a fake OpenAI-compatible server on 127.0.0.1.

The promises: tokens arrive in order, complete and as they are streamed; cancelling the
consumer closes the upstream connection at once (the fake server sees it); failures are
specific errors that name the status and the server's text; malformed events are
skipped; the API key is sent but never logged.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing

import httpx
import pytest
import structlog
import trio
from hypothesis import given
from hypothesis import strategies as st
from structlog.typing import EventDict

from demo_chat.failures import (
    Cut,
    KeyRefused,
    Malformed,
    RateLimited,
    Rejected,
    ServerFailed,
    TimedOut,
    TooLong,
    Unreachable,
)
from demo_chat.openai_backend import (
    MAX_REPLY_CHARS,
    UpstreamConnectionError,
    UpstreamError,
    UpstreamIncompleteReply,
    UpstreamMalformedReply,
    UpstreamStatusError,
    UpstreamStreamError,
    _Reply,
    _SSEDecoder,
    _token_of,
    open_chat_stream,
    retry_after_seconds,
    stream_chat,
)
from tests.demo_chat.fake_openai_server import (
    FakeOpenAIServer,
    Reply,
    content_chunk,
    sse_chunks,
    sse_event,
)

pytestmark = [
    pytest.mark.filterwarnings("error::ResourceWarning"),
    pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning"),
]

#: Every test finishes well within this many seconds, or fails.
BOUND = 5.0
#: How soon after the consumer is cancelled the server must see the connection close.
CLOSE_BOUND = 0.5
KEY = "sk-test-0123456789abcdef-secret"
MODEL = "fake-model"
MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Say hello"},
]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Talk to the fake server directly even where the environment names a proxy."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
async def server(nursery: trio.Nursery) -> FakeOpenAIServer:
    fake = FakeOpenAIServer()
    await fake.start(nursery)
    return fake


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def debug_logs() -> Iterator[list[EventDict]]:
    """Every structlog event, debug included, while the test runs."""
    saved = structlog.get_config()
    capture = structlog.testing.LogCapture()
    structlog.configure(
        processors=[capture],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        cache_logger_on_first_use=False,
    )
    try:
        yield capture.entries
    finally:
        structlog.configure(**saved)


async def collect(
    server: FakeOpenAIServer,
    *,
    base_url: str | None = None,
    api_key: str | None = KEY,
    client: httpx.AsyncClient | None = None,
    idle_timeout: float = 60.0,
) -> list[str]:
    """Every token of one reply from ``server``."""
    async with open_chat_stream(
        MESSAGES,
        base_url=base_url or server.base_url,
        model=MODEL,
        api_key=api_key,
        client=client,
        timeout=idle_timeout,
    ) as tokens:
        return [token async for token in tokens]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- streaming -------------------------------------------------------------------------


async def test_tokens_arrive_in_order_completely_and_as_they_are_streamed(
    server: FakeOpenAIServer,
) -> None:
    words = ["Hello", ",", " world", "!", " How", " are", " you", "?"]
    server.reply = Reply(body=sse_chunks(words), delay=0.02)
    got: list[str] = []
    finished_at_first_token = None
    with trio.fail_after(BOUND):
        async with open_chat_stream(
            MESSAGES, base_url=server.base_url, model=MODEL, api_key=KEY
        ) as tokens:
            async for token in tokens:
                if not got:
                    finished_at_first_token = server.exchanges[0].finished.is_set()
                got.append(token)
    assert got == words
    assert finished_at_first_token is False


async def test_the_request_is_a_streaming_chat_completion_with_the_key_as_bearer(
    server: FakeOpenAIServer,
) -> None:
    server.reply = Reply(body=sse_chunks(["ok"]))
    with trio.fail_after(BOUND):
        assert await collect(server) == ["ok"]
    request = server.exchanges[0]
    assert (request.method, request.target) == ("POST", "/v1/chat/completions")
    assert request.body == {"model": MODEL, "messages": MESSAGES, "stream": True}
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["accept"] == "text/event-stream"


async def test_without_a_key_no_authorization_header_is_sent(server: FakeOpenAIServer) -> None:
    server.reply = Reply(body=sse_chunks(["ok"]))
    with trio.fail_after(BOUND):
        assert await collect(server, api_key=None, base_url=server.base_url + "/") == ["ok"]
    assert "authorization" not in server.exchanges[0].headers
    assert server.exchanges[0].target == "/v1/chat/completions"


async def test_tokens_split_across_network_writes_arrive_whole(server: FakeOpenAIServer) -> None:
    event = sse_event(content_chunk("café ☕"))
    middle = event.index("é".encode()) + 1  # inside the two bytes of "é"
    pieces = [event[:10], event[10:middle], event[middle:-1], event[-1:]]
    server.reply = Reply(body=[*pieces, *sse_chunks([" done"])], delay=0.01)
    with trio.fail_after(BOUND):
        assert await collect(server) == ["café ☕", " done"]


async def test_a_reply_that_ends_without_done_ends_the_tokens(server: FakeOpenAIServer) -> None:
    last_without_blank_line = sse_event(content_chunk(" end"))[:-1]
    server.reply = Reply(body=[*sse_chunks(["the"], done=False), last_without_blank_line])
    with trio.fail_after(BOUND):
        assert await collect(server) == ["the", " end"]


async def tokens_then_error(
    server: FakeOpenAIServer, *, max_chars: int = MAX_REPLY_CHARS
) -> tuple[list[str], UpstreamError | None]:
    """The tokens of one reply, and the error that ended it (None if it ended whole)."""
    got: list[str] = []
    try:
        async with open_chat_stream(
            MESSAGES, base_url=server.base_url, model=MODEL, api_key=KEY, max_chars=max_chars
        ) as tokens:
            async for token in tokens:
                got.append(token)
    except UpstreamError as error:
        return got, error
    return got, None


def without_finish(tokens: list[str]) -> list[bytes]:
    return [sse_event(content_chunk(token)) for token in tokens]


async def test_a_reply_cut_off_without_done_or_finish_reason_is_marked_incomplete(
    server: FakeOpenAIServer,
) -> None:
    server.reply = Reply(body=without_finish(["the", " start"]))
    with trio.fail_after(BOUND):
        got, error = await tokens_then_error(server)
    assert got == ["the", " start"], "what came is kept"
    assert isinstance(error, UpstreamIncompleteReply)
    assert "ended the reply before it finished" in str(error) and "cut off" in str(error)


async def test_a_keep_alive_only_stream_is_an_incomplete_reply_not_an_empty_one(
    server: FakeOpenAIServer,
) -> None:
    server.reply = Reply(body=[b": keep-alive\n\n"] * 3, delay=0.01)
    with trio.fail_after(BOUND):
        got, error = await tokens_then_error(server)
    assert got == [] and isinstance(error, UpstreamIncompleteReply)


async def test_a_reply_with_no_text_at_all_is_marked(server: FakeOpenAIServer) -> None:
    server.reply = Reply(body=sse_chunks([]))
    with trio.fail_after(BOUND):
        got, error = await tokens_then_error(server)
    assert got == [] and isinstance(error, UpstreamIncompleteReply)
    assert "finished without any reply text" in str(error)


async def test_a_reply_past_max_chars_is_cut_there_and_marked(server: FakeOpenAIServer) -> None:
    server.reply = Reply(body=sse_chunks(["abc", "def", "ghi"]))
    with trio.fail_after(BOUND):
        got, error = await tokens_then_error(server, max_chars=5)
    assert got == ["abc", "de"]
    assert isinstance(error, UpstreamIncompleteReply)
    assert error.failure == TooLong(5)
    assert "sent more than 5 characters: cut there" in str(error)


async def test_nothing_after_done_is_read(server: FakeOpenAIServer) -> None:
    server.reply = Reply(body=[*sse_chunks(["only"]), sse_event(content_chunk(" ignored"))])
    with trio.fail_after(BOUND):
        assert await collect(server) == ["only"]


async def test_a_server_that_ignores_stream_gives_its_whole_reply_as_one_token(
    server: FakeOpenAIServer,
) -> None:
    completion = b'{"choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi!"}}]}'
    server.reply = Reply(body=[completion], content_type="application/json")
    with trio.fail_after(BOUND):
        assert await collect(server) == ["Hi!"]


def escaped_chunks(tokens: list[str]) -> list[bytes]:
    """Content events written with ``\\u`` escapes, as a server may write a lone surrogate
    (valid JSON; no UTF-8 encoder can write it raw), then ``[DONE]``."""
    return [
        *(b"data: " + json.dumps(content_chunk(t)).encode() + b"\n\n" for t in tokens),
        b"data: [DONE]\n\n",
    ]


async def test_model_text_no_page_could_hold_is_normalised_as_it_arrives(
    server: FakeOpenAIServer,
) -> None:
    """A NUL-only token, a lone surrogate, CR LF split between tokens, a surrogate pair
    split between tokens: the tokens yielded join up to the whole reply, normalised."""
    tokens = ["\x00", " a\ud800b", " line\r", "\nnext\r", "x \ud83d", "\ude00", "\ud83d"]
    server.reply = Reply(body=escaped_chunks(tokens))
    with trio.fail_after(BOUND):
        got = await collect(server)
    assert got == ["\ufffd", " a\ufffdb", " line\n", "next\n", "x ", "😀", "\ufffd"]
    assert "".join(got).encode()  # every token can be written (to a frame, to SQLite)


async def test_a_whole_completion_is_normalised_too(server: FakeOpenAIServer) -> None:
    completion = json.dumps({"choices": [{"message": {"content": "Hi\x00\ud800\r\n"}}]})
    server.reply = Reply(body=[completion.encode()], content_type="application/json")
    with trio.fail_after(BOUND):
        assert await collect(server) == ["Hi\ufffd\ufffd\n"]


async def test_events_of_unknown_shapes_are_skipped_with_a_debug_log(
    server: FakeOpenAIServer, debug_logs: list[EventDict]
) -> None:
    server.reply = Reply(
        body=[
            sse_event(content_chunk("one")),
            b"this line is not a field\n\n",
            b": a comment, as proxies send to keep the connection open\n\n",
            b"event: ping\ndata: [1, 2]\n\n",
            b'data: {"choices": [{"delta": {"content": 5}}]}\n\n',
            b'data: {"choices": [{"delta": {"content": null}}]}\n\n',
            b'data: {"choices": [], "usage": {"total_tokens": 3}}\n\n',
            b'data:{"choices":[{"delta":{"content":" two"}}]}\n\n',
            *sse_chunks([" three"]),
        ]
    )
    with trio.fail_after(BOUND):
        assert await collect(server) == ["one", " two", " three"]
    skipped = [entry for entry in debug_logs if entry["event"] == "openai.malformed_event"]
    assert [entry["reason"] for entry in skipped] == ["unexpected shape", "unexpected shape"]
    assert all(entry["log_level"] == "debug" for entry in skipped)


async def test_an_event_that_is_not_json_ends_the_reply_as_malformed_after_the_text_so_far(
    server: FakeOpenAIServer,
) -> None:
    """A token may be lost in it, so the text after it would not be the model's."""
    server.reply = Reply(
        body=[sse_event(content_chunk("one")), b"data: {not json\n\n", *sse_chunks([" two"])]
    )
    with trio.fail_after(BOUND):
        got, error = await tokens_then_error(server)
    assert got == ["one"]
    assert isinstance(error, UpstreamMalformedReply)
    assert error.failure == Malformed()
    assert "sent an event whose data is not JSON ('{not json')" in str(error)


@given(st.lists(st.text(min_size=1)), st.lists(st.integers(1, 50), max_size=20))
def test_any_tokens_survive_encoding_and_decoding_however_the_body_is_cut(
    words: list[str], cuts: list[int]
) -> None:
    body = b"".join(sse_chunks(words)).decode()
    events = _SSEDecoder("u")
    reply = _Reply("u", MAX_REPLY_CHARS)
    decoded = []
    pieces, rest = [], body
    for cut in cuts:
        pieces.append(rest[:cut])
        rest = rest[cut:]
    for piece in [*pieces, rest]:
        for data in events.feed(piece):
            if data != "[DONE]":
                log = structlog.get_logger()
                token = _token_of(data, url="u", api_key=None, log=log, reply=reply)
                if token:
                    decoded.append(token)
    assert decoded == words


def test_data_lines_of_one_event_are_joined_with_newlines_whatever_the_line_ends() -> None:
    events = _SSEDecoder("u")
    assert events.feed("data: a\r\nid: 7\rdata:b\r") == []
    assert events.feed("\n\n") == ["a\nb"], "CR LF split across pieces is one line end"
    assert events.feed("\n") == []


def test_a_line_past_the_cap_fails_before_it_is_read_whole() -> None:
    events = _SSEDecoder("http://m/v1", max_line=1000)
    events.feed("data: " + "x" * 900)
    with pytest.raises(UpstreamIncompleteReply, match="sent a line longer than 1000 characters"):
        events.feed("x" * 200)


# -- cancellation ----------------------------------------------------------------------


@pytest.mark.parametrize("shared", [False, True], ids=["own client", "shared client"])
@pytest.mark.parametrize("busy", [False, True], ids=["waiting for a token", "busy with a token"])
async def test_cancelling_the_consumer_closes_the_upstream_connection_at_once(
    server: FakeOpenAIServer, http_client: httpx.AsyncClient, shared: bool, busy: bool
) -> None:
    server.reply = Reply(body=sse_chunks([f" t{i}" for i in range(100)]), delay=0.02)
    got: list[str] = []
    third = trio.Event()

    async def consume() -> None:
        async with open_chat_stream(
            MESSAGES,
            base_url=server.base_url,
            model=MODEL,
            api_key=KEY,
            client=http_client if shared else None,
        ) as tokens:
            async for token in tokens:
                got.append(token)
                if len(got) == 3:
                    third.set()
                    if busy:
                        await trio.sleep_forever()

    with trio.fail_after(BOUND):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(consume)
            await third.wait()
            nursery.cancel_scope.cancel()
        exchange = server.exchanges[0]
        with trio.fail_after(CLOSE_BOUND):
            await exchange.client_closed.wait()
    assert got[:3] == [" t0", " t1", " t2"]
    assert not exchange.finished.is_set()
    assert exchange.pieces_sent < len(server.reply.body)


async def test_cancelling_before_the_answer_starts_closes_the_connection(
    server: FakeOpenAIServer,
) -> None:
    server.reply = Reply(body=sse_chunks(["late"]), header_delay=BOUND * 2)
    with trio.fail_after(BOUND):
        async with trio.open_nursery() as nursery:
            nursery.start_soon(collect, server)
            exchange = await server.next_exchange()
            nursery.cancel_scope.cancel()
        with trio.fail_after(CLOSE_BOUND):
            await exchange.client_closed.wait()
    assert exchange.pieces_sent == 0


async def test_breaking_out_of_an_aclosing_stream_chat_closes_the_connection(
    server: FakeOpenAIServer,
) -> None:
    server.reply = Reply(body=sse_chunks([f" t{i}" for i in range(100)]), delay=0.02)
    with trio.fail_after(BOUND):
        tokens = stream_chat(MESSAGES, base_url=server.base_url, model=MODEL, api_key=KEY)
        async with aclosing(tokens):
            async for token in tokens:
                assert token == " t0"
                break
        with trio.fail_after(CLOSE_BOUND):
            await server.exchanges[0].client_closed.wait()


async def test_a_shared_client_streams_again_after_a_cancelled_reply(
    server: FakeOpenAIServer, http_client: httpx.AsyncClient
) -> None:
    server.reply = Reply(body=sse_chunks([f" t{i}" for i in range(100)]), delay=0.02)
    with trio.fail_after(BOUND):
        with trio.move_on_after(0.1):
            await collect(server, client=http_client)
        server.reply = Reply(body=sse_chunks(["again"]))
        assert await collect(server, client=http_client) == ["again"]
        with trio.fail_after(CLOSE_BOUND):
            await server.exchanges[0].client_closed.wait()


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (
            401,
            b'{"error": {"message": "Incorrect API key provided.", "type": "invalid_request"}}',
            "Incorrect API key provided.",
        ),
        (500, b"internal boom\n", "internal boom"),
        (404, b'{"detail": "model fake-model not found"}', "model fake-model not found"),
        (429, b'{"error": "slow down"}', "slow down"),
    ],
)
async def test_a_non_2xx_answer_raises_with_the_status_and_the_server_text(
    server: FakeOpenAIServer, status: int, body: bytes, text: str
) -> None:
    server.reply = Reply(status=status, body=[body], content_type="application/json")
    with trio.fail_after(BOUND), pytest.raises(UpstreamStatusError) as raised:
        await collect(server)
    assert raised.value.status == status
    assert raised.value.detail == text
    failures = {401: KeyRefused(), 429: RateLimited(None), 500: ServerFailed(500)}
    assert raised.value.failure == failures.get(status, Rejected(status))
    assert str(status) in str(raised.value)
    assert text.rstrip(".") in str(raised.value)
    assert server.base_url in str(raised.value)


async def test_an_error_event_mid_stream_raises_upstream_stream_error(
    server: FakeOpenAIServer,
) -> None:
    overloaded = sse_event({"error": {"message": "model overloaded", "code": 503}})
    server.reply = Reply(body=[sse_event(content_chunk("par")), overloaded, *sse_chunks(["x"])])
    got: list[str] = []
    with trio.fail_after(BOUND), pytest.raises(UpstreamStreamError, match="model overloaded"):
        async with open_chat_stream(
            MESSAGES, base_url=server.base_url, model=MODEL, api_key=KEY
        ) as tokens:
            async for token in tokens:
                got.append(token)
    assert got == ["par"]


async def test_a_connection_dropped_mid_reply_raises_upstream_connection_error(
    server: FakeOpenAIServer,
) -> None:
    server.reply = Reply(body=sse_chunks(["a", "b"], done=False), complete=False)
    with trio.fail_after(BOUND), pytest.raises(UpstreamConnectionError, match="mid-reply") as e:
        await collect(server)
    assert e.value.failure == Cut()


async def test_an_unreachable_server_raises_upstream_connection_error() -> None:
    base_url = f"http://127.0.0.1:{closed_port()}/v1"
    with trio.fail_after(BOUND), pytest.raises(UpstreamConnectionError) as raised:
        async with open_chat_stream(MESSAGES, base_url=base_url, model=MODEL, api_key=KEY) as t:
            [token async for token in t]
    assert "could not be reached" in str(raised.value)
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert isinstance(raised.value, UpstreamError)
    assert raised.value.failure == Unreachable()


async def test_a_silent_server_times_out(server: FakeOpenAIServer) -> None:
    server.reply = Reply(body=sse_chunks(["late"]), header_delay=BOUND * 2)
    with trio.fail_after(BOUND), pytest.raises(UpstreamConnectionError, match="sent nothing") as e:
        await collect(server, idle_timeout=0.2)
    assert e.value.failure == TimedOut(0.2)


def test_a_connect_that_times_out_is_unreachable_not_a_silent_server() -> None:
    error = UpstreamConnectionError(url="u", error=httpx.ConnectTimeout("timed out"), timeout=5)
    assert error.failure == Unreachable()
    assert "could not be reached" in str(error)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "20"}, 20.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after-ms": "20000", "retry-after": "21"}, 20.0),
        ({"retry-after": "Fri, 31 Dec 1999 23:59:59 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "-3"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after-ms": "x", "retry-after": "7"}, 7.0),
        ({}, None),
    ],
)
def test_retry_after_is_read_in_seconds_milliseconds_or_as_a_date(
    headers: dict[str, str], seconds: float | None
) -> None:
    assert retry_after_seconds(httpx.Headers(headers)) == seconds


def test_retry_after_as_a_date_in_the_future_is_the_wait_until_then() -> None:
    import email.utils
    import time

    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    wait = retry_after_seconds(httpx.Headers({"retry-after": when}))
    assert wait is not None and 110 < wait <= 120


async def test_a_base_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        async with open_chat_stream(
            MESSAGES, base_url="localhost:8080/v1", model=MODEL, api_key=KEY
        ) as t:
            [token async for token in t]


# -- the key ---------------------------------------------------------------------------


async def test_the_api_key_is_never_logged_nor_put_in_an_error(
    server: FakeOpenAIServer,
    debug_logs: list[EventDict],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with trio.fail_after(BOUND):
        server.reply = Reply(body=[b"data: [1]\n\n", *sse_chunks(["fine"])])
        assert await collect(server) == ["fine"]
        server.reply = Reply(body=[f"data: {{bad {KEY}\n\n".encode()])
        with pytest.raises(UpstreamMalformedReply) as malformed:
            await collect(server)
        echoing = f'{{"error": {{"message": "Incorrect API key provided: {KEY}"}}}}'
        server.reply = Reply(status=401, body=[echoing.encode()])
        with pytest.raises(UpstreamStatusError) as raised:
            await collect(server)
    assert server.exchanges[0].headers["authorization"] == f"Bearer {KEY}"
    for error in (raised.value, malformed.value):
        assert "[redacted]" in str(error)
        assert KEY not in str(error)
    assert debug_logs, "the backend logged nothing at debug: the capture is not working"
    assert KEY not in repr(debug_logs)
    assert KEY not in caplog.text
