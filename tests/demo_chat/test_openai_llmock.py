"""The chat on ``--llm openai`` against llmock, an OpenAI-compatible server from PyPI.

Each test starts llmock as a process of its own on a free 127.0.0.1 port
(:func:`tests.services.llmock_server`), scripts what it does to the next request through
its control API, and runs a real :class:`OpenAIChatView` (its renders dropped) with a real
SQLite history store. The promises: a reply streams whole; each failure mode ends as a
failed turn whose reason, one of :mod:`demo_chat.failures`, is what the page says, with
the text that came before it kept; Cancel closes the upstream connection, as llmock
itself records; the conversation sent starts with the system prompt and fits its budget.

Connection refused needs no server: the chat is pointed at a port nothing listens on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest
import trio

from actorview.mailbox import ActorRef
from actorview.view import ActionEvent, Applied, Rendered
from demo_chat.failures import (
    ContextTooLong,
    Cut,
    Failure,
    KeyRefused,
    Malformed,
    RateLimited,
    Rejected,
    ServerFailed,
    TimedOut,
    Unreachable,
    describe,
)
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.openai_view import OpenAIChatView
from tests.logs import logged
from tests.services import LLMockControl, free_port, llmock_server

#: Every wait for the chat, or for llmock, is bounded by this many seconds.
BOUND = 20.0
KEY = "sk-llmock-test-key"
WORDS = "one two three four five six seven eight"
#: llmock's first event carries the role, then one event per word: after 3 events, the
#: text so far is the first two words.
SO_FAR = "one two "


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key the chat reads, and no proxy between it and llmock."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)


@pytest.fixture
def llmock(tmp_path: Path) -> Iterator[LLMockControl]:
    with llmock_server(tmp_path, chunk_delay_ms=10) as url:
        yield LLMockControl(url)


class Chat:
    """A real OpenAIChatView on a real SQLite store, and what it shows."""

    def __init__(self, store: SQLiteHistoryStore) -> None:
        self.store = store
        self.view: OpenAIChatView | None = None
        self.ref: ActorRef | None = None
        self.idle = trio.Event()
        self.drafted = trio.Event()
        """Set when the reply streaming shows :data:`SO_FAR`."""

    def read(self, field: str) -> Any:
        assert self.view is not None
        return self.view.live.store.read(field)

    def __call__(self, rendered: Rendered) -> None:
        if self.view is None:
            return
        read = self.read
        if not read("streaming"):
            self.idle.set()
        elif read("draft") == SO_FAR:
            self.drafted.set()

    @property
    def failure(self) -> str:
        text: str = self.read("failure")
        return text

    async def submit(self, text: str, *, wait: bool = True) -> None:
        """Submit ``text``; unless ``wait`` is false, wait for the reply to end."""
        assert self.ref is not None
        self.idle, self.drafted = trio.Event(), trio.Event()
        assert await self.ref.ask(ActionEvent("submit", {"input": text})) == Applied()
        if wait:
            with trio.fail_after(BOUND):
                await self.idle.wait()

    async def messages(self) -> list[Message]:
        return await self.store.load("c1")

    async def replies(self) -> list[str]:
        """The text of each reply kept, a failed one with none as ``""`` (whether or not
        the history keeps a failed turn that had no text)."""
        messages = await self.messages()
        texts = [m.text for m in messages if m.role == "assistant"]
        users = [m for m in messages if m.role == "user"]
        return texts + [""] * (len(users) - len(texts))


async def open_chat(nursery: trio.Nursery, base_url: str, **params: Any) -> Chat:
    store = SQLiteHistoryStore()
    params = {
        "base_url": base_url,
        "model": "gpt-4o-mini",
        "store": store,
        "conversation": "c1",
        **params,
    }
    chat = Chat(store)
    view = chat.view = OpenAIChatView(params, sink=chat)
    chat.ref = await nursery.start(view.run)
    return chat


def says(failure: Failure) -> str:
    return f"The reply failed: {describe(failure)}"


def base_url(control: LLMockControl) -> str:
    return control.url + "/v1"


async def served(control: LLMockControl) -> list[dict[str, Any]]:
    """What llmock recorded of the requests it has finished serving."""
    return await trio.to_thread.run_sync(control.requests)


# -- a reply -----------------------------------------------------------------------------


async def test_a_reply_streams_whole_and_is_kept(
    nursery: trio.Nursery, llmock: LLMockControl
) -> None:
    llmock.script({"type": "reply", "text": WORDS})
    chat = await open_chat(nursery, base_url(llmock))
    await chat.submit("Say eight words")
    assert await chat.messages() == [
        Message("user", "Say eight words"),
        Message("assistant", WORDS),
    ]
    assert chat.failure == ""
    (request,) = await served(llmock)
    assert request["completed"] is True and request["status"] == 200
    assert request["body"] == {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Say eight words"}],
        "stream": True,
    }


async def test_the_conversation_sent_starts_with_the_system_prompt_and_fits_the_budget(
    nursery: trio.Nursery, llmock: LLMockControl
) -> None:
    llmock.script({"type": "reply", "text": "x" * 30}, {"type": "reply", "text": "short"})
    chat = await open_chat(nursery, base_url(llmock), system="Be brief.", context_chars=55)
    await chat.submit("first question")
    await chat.submit("second")
    first, second = (request["body"]["messages"] for request in await served(llmock))
    system = {"role": "system", "content": "Be brief."}
    assert first == [system, {"role": "user", "content": "first question"}]
    # 9 + 6 + 30 = 45 of 55: the reply fits, the first question (14) would not.
    assert second == [
        system,
        {"role": "assistant", "content": "x" * 30},
        {"role": "user", "content": "second"},
    ]


# -- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("behavior", "failure"),
    [
        ({"type": "fail", "status": 401}, KeyRefused()),
        ({"type": "fail", "status": 429, "retry_after": 20}, RateLimited(20.0)),
        ({"type": "fail", "status": 500}, ServerFailed(500)),
        ({"type": "fail", "status": 404}, Rejected(404)),
        (
            {
                "type": "fail",
                "status": 400,
                "code": "context_length_exceeded",
                "message": "This model's maximum context length was exceeded.",
            },
            ContextTooLong(),
        ),
    ],
    ids=["401", "429 with Retry-After", "500", "404", "400 context too long"],
)
async def test_an_error_status_is_a_failed_turn_with_its_reason(
    nursery: trio.Nursery, llmock: LLMockControl, behavior: dict[str, Any], failure: Failure
) -> None:
    llmock.script(behavior)
    with logged() as logs:
        chat = await open_chat(nursery, base_url(llmock))
        await chat.submit("hello")
    assert chat.failure == says(failure)
    assert await chat.replies() == [""], "no reply text came"
    (request,) = await served(llmock)
    assert request["status"] == behavior["status"]
    assert_logged_as_expected(logs, failure)


def assert_logged_as_expected(logs: list[MutableMapping[str, Any]], failure: Failure) -> None:
    """An expected model failure is one warning event naming its reason and the
    upstream error's text, with no traceback; nothing about it is an error."""
    (failed,) = [entry for entry in logs if entry["event"] == "stream.run.failed"]
    assert failed["log_level"] == "warning"
    assert failed["reason"] == type(failure).__name__
    assert failed["error"] == describe(failure)
    assert "Error: the model server at http://127.0.0.1:" in failed["cause"]
    assert "exc_info" not in failed
    assert [entry for entry in logs if entry["log_level"] == "error"] == []


def test_the_rate_limit_reason_reads_as_the_page_shows_it() -> None:
    assert says(RateLimited(20.0)) == (
        "The reply failed: the model is rate-limited; try again in 20 s"
    )
    assert says(KeyRefused()) == "The reply failed: the model server refused the API key"


async def test_a_server_that_refuses_connections_could_not_be_reached(
    nursery: trio.Nursery,
) -> None:
    with logged() as logs:
        chat = await open_chat(nursery, f"http://127.0.0.1:{free_port()}/v1")
        await chat.submit("hello")
    assert chat.failure == "The reply failed: the model server could not be reached"
    assert chat.failure == says(Unreachable())
    assert await chat.replies() == [""]
    assert_logged_as_expected(logs, Unreachable())


@pytest.mark.parametrize("kind", ["disconnect", "truncate"])
async def test_a_stream_cut_mid_reply_keeps_the_text_so_far(
    nursery: trio.Nursery, llmock: LLMockControl, kind: str
) -> None:
    """``disconnect`` drops the connection; ``truncate`` ends the body cleanly, with no
    finish reason and no ``[DONE]``, which a careless client takes for a whole reply."""
    llmock.script(
        {"type": "reply", "text": WORDS}, {"type": "stream_fault", "kind": kind, "after_chunks": 3}
    )
    chat = await open_chat(nursery, base_url(llmock))
    await chat.submit("tell me")
    assert chat.failure == says(Cut())
    user, reply = await chat.messages()
    assert (user, reply.role, reply.text) == (Message("user", "tell me"), "assistant", SO_FAR)
    (request,) = await served(llmock)
    assert request["fault"] == f"stream:{kind}@3" and request["chunks_sent"] == 3


async def test_a_malformed_event_ends_the_reply_after_the_text_so_far(
    nursery: trio.Nursery, llmock: LLMockControl
) -> None:
    llmock.script(
        {"type": "reply", "text": WORDS},
        {"type": "stream_fault", "kind": "malformed", "after_chunks": 3},
    )
    chat = await open_chat(nursery, base_url(llmock))
    await chat.submit("tell me")
    assert chat.failure == says(Malformed())
    assert (await chat.messages())[-1].text == SO_FAR
    (request,) = await served(llmock)
    assert request["fault"] == "stream:malformed@3"


async def test_a_server_that_goes_silent_times_out_and_the_connection_is_closed(
    nursery: trio.Nursery, llmock: LLMockControl
) -> None:
    llmock.script(
        {"type": "reply", "text": WORDS},
        {"type": "stream_fault", "kind": "stall", "after_chunks": 3, "stall_seconds": 60},
    )
    chat = await open_chat(nursery, base_url(llmock), timeout=2.0)  # llmock paces at 10 ms
    await chat.submit("tell me")
    assert chat.failure == "The reply failed: the model server sent nothing for 2 s"
    assert chat.failure == says(TimedOut(2.0))
    assert (await chat.messages())[-1].text == SO_FAR
    (request,) = await served(llmock)
    assert request["completed"] is False
    assert request["stall_waited"] < 30, "llmock saw the client hang up, not the stall end"


# -- cancel --------------------------------------------------------------------------------


async def test_cancel_closes_the_upstream_connection_as_the_server_sees_it(
    nursery: trio.Nursery, llmock: LLMockControl
) -> None:
    """llmock holds the reply (a stall of a minute after two words); Cancel must end the
    request on llmock's side at once: it records the request as not completed, with
    nothing sent after the two words, ended within moments of the Cancel (both read
    ``CLOCK_MONOTONIC``, one clock for every process of the machine), not a minute on."""
    llmock.script(
        {"type": "reply", "text": WORDS},
        {"type": "stream_fault", "kind": "stall", "after_chunks": 3, "stall_seconds": 60},
    )
    chat = await open_chat(nursery, base_url(llmock))
    await chat.submit("tell me", wait=False)
    with trio.fail_after(BOUND):
        await chat.drafted.wait()
    assert chat.ref is not None
    cancelled_at = time.monotonic()
    assert await chat.ref.ask(ActionEvent("cancel")) == Applied()
    (request,) = await served(llmock)  # only requests llmock has finished are listed
    assert request["completed"] is False and request["chunks_sent"] == 3
    assert request["ended_at"] - cancelled_at < 5, "llmock saw the connection close at once"
    assert chat.failure == ""
    assert (await chat.messages())[-1] == Message("assistant", SO_FAR, stopped=True)
