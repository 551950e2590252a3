"""The chat on ``--llm openai`` in Chromium, against llmock (an OpenAI-compatible server
from PyPI, a process of its own): a failed turn's reason is in the page, in the words of
:mod:`demo_chat.failures`, and the text that streamed before a cut stays.

``python -m demo_chat`` runs in a subprocess with ``--system`` and ``--context-chars``,
and the ASGI form (hypercorn) with the same as ``ACTORVIEW_CHAT_*`` variables; llmock's
record of the requests shows what the chat sent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo import demo_server, free_port, stop
from tests.browser.test_chat_asgi import wait_until_listening
from tests.services import LLMockControl, llmock_server

pytestmark = pytest.mark.browser

KEY = "sk-llmock-browser-key"
SYSTEM = "You are the test's model."
#: Playwright's waits for the page, in milliseconds (the machine is shared).
WAIT = 15_000


@pytest.fixture(scope="module")
def llmock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LLMockControl]:
    directory: Path = tmp_path_factory.mktemp("llmock")
    with llmock_server(directory, chunk_delay_ms=20) as url:
        yield LLMockControl(url)


@pytest.fixture(scope="module")
def demo_url(llmock: LLMockControl) -> Iterator[str]:
    options = [
        "--llm", "openai",
        "--openai-base-url", llmock.url + "/v1",
        "--model", "gpt-4o-mini",
        "--system", SYSTEM,
        "--context-chars", "4000",
    ]  # fmt: skip
    with demo_server(*options, secret="l" * 40, env={"OPENAI_API_KEY": KEY}) as url:
        yield url


@pytest.fixture
def chat(browser: Any, demo_url: str) -> Iterator[Any]:
    page = browser.new_page()
    page.goto(demo_url)
    page.wait_for_selector("#av-root.av-connected #prompt")
    yield page
    page.close()


def send(page: Any, text: str) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")


def test_a_rate_limited_turn_says_when_to_try_again(chat: Any, llmock: LLMockControl) -> None:
    from playwright.sync_api import expect

    llmock.script({"type": "fail", "status": 429, "retry_after": 20})
    send(chat, "are you there?")
    reason = chat.get_by_text("the model is rate-limited; try again in 20 s").first
    expect(reason).to_be_visible(timeout=WAIT)
    expect(chat.locator("#history > li[data-role=user]").last).to_have_text("are you there?")
    last = llmock.requests()[-1]
    assert last["status"] == 429
    assert last["body"]["messages"] == [  # type: ignore[index]
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": "are you there?"},
    ]


def test_a_reply_cut_mid_way_keeps_its_text_and_says_why(chat: Any, llmock: LLMockControl) -> None:
    from playwright.sync_api import expect

    llmock.script(
        {"type": "reply", "text": "The first words arrived and then"},
        {"type": "stream_fault", "kind": "disconnect", "after_chunks": 4},
    )
    send(chat, "tell me a story")
    reason = chat.get_by_text("the reply was cut off: the model server stopped sending it").first
    expect(reason).to_be_visible(timeout=WAIT)
    reply = chat.locator("#history > li[data-role=assistant]").last
    expect(reply).to_contain_text("The first words", timeout=WAIT)
    expect(reply).not_to_contain_text("then")
    expect(chat.locator("#cancel")).to_be_disabled()


def test_cancel_in_the_page_closes_the_connection_to_the_model(
    chat: Any, llmock: LLMockControl
) -> None:
    """llmock holds the reply after two words for a minute; the Cancel button ends the
    request on llmock's side within moments (both read CLOCK_MONOTONIC)."""
    from playwright.sync_api import expect

    llmock.script(
        {"type": "reply", "text": "Two words and a long silence"},
        {"type": "stream_fault", "kind": "stall", "after_chunks": 3, "stall_seconds": 60},
    )
    send(chat, "wait for it")
    expect(chat.locator("#chat")).to_contain_text("Two words", timeout=WAIT)  # streaming
    cancelled_at = time.monotonic()
    chat.click("#cancel")
    last = llmock.requests()[-1]  # only requests llmock has finished are listed
    assert last["body"]["messages"][-1] == {"role": "user", "content": "wait for it"}  # type: ignore[index]
    assert last["completed"] is False and last["chunks_sent"] == 3
    assert last["ended_at"] - cancelled_at < 5  # type: ignore[operator]
    reply = chat.locator("#history > li[data-role=assistant]").last
    expect(reply).to_contain_text("Two words", timeout=WAIT)


def test_a_reply_from_the_model_goes_on_through_a_reload_and_is_kept_once(
    chat: Any, llmock: LLMockControl
) -> None:
    """The reply is its conversation's job, not the page's: llmock holds it after three
    chunks for 3 s, the tab reloads meanwhile, and the reloaded page shows the words so
    far, then the rest, from the one request (none sent again), kept once."""
    from playwright.sync_api import expect

    llmock.script(
        {"type": "reply", "text": "Words before the reload, and the rest after it."},
        {"type": "stream_fault", "kind": "stall", "after_chunks": 3, "stall_seconds": 3},
    )
    asked = len(llmock.requests())
    send(chat, "survive a reload")
    expect(chat.locator("#draft")).to_contain_text("Words", timeout=WAIT)
    chat.reload()
    chat.wait_for_selector("#av-root.av-connected #prompt")
    expect(chat.locator("#draft")).to_contain_text("Words", timeout=WAIT)  # so far, then live
    replies = chat.locator("#history > li[data-role=assistant][av-key]")
    expect(replies.last).to_contain_text("the rest after it.", timeout=WAIT)
    expect(chat.locator("#draft")).to_have_count(0, timeout=WAIT)
    chat.reload()  # what the store kept: the prompt and its reply, once
    chat.wait_for_selector("#av-root.av-connected #prompt")
    expect(replies.filter(has_text="the rest after it.")).to_have_count(1, timeout=WAIT)
    prompts = chat.locator("#history > li[data-role=user]", has_text="survive a reload")
    expect(prompts).to_have_count(1)
    requests = llmock.requests()[asked:]
    assert len(requests) == 1 and requests[0]["completed"] is True, requests


@pytest.fixture
def asgi_url(llmock: LLMockControl) -> Iterator[str]:
    """``hypercorn -k trio demo_chat.asgi:app`` on llmock, configured by variables."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    process = subprocess.Popen(
        [sys.executable, "-m", "hypercorn", "-k", "trio", "--bind", f"127.0.0.1:{port}",
         "--graceful-timeout", "1", "demo_chat.asgi:app"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment | {
            "ACTORVIEW_SECRET": "a" * 40,
            "OPENAI_API_KEY": KEY,
            "ACTORVIEW_CHAT_LLM": "openai",
            "ACTORVIEW_CHAT_OPENAI_BASE_URL": llmock.url + "/v1",
            "ACTORVIEW_CHAT_SYSTEM": "Under ASGI.",
            "ACTORVIEW_CHAT_CONTEXT_CHARS": "30",
            "ACTORVIEW_CHAT_OPENAI_TIMEOUT": "1.5",
            "ACTORVIEW_CHAT_LOG_LEVEL": "WARNING",
        },
    )  # fmt: skip
    try:
        wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(process)


def test_the_asgi_form_takes_the_system_prompt_budget_and_timeout_from_variables(
    browser: Any, asgi_url: str, llmock: LLMockControl
) -> None:
    from playwright.sync_api import expect

    page = browser.new_page()
    page.goto(asgi_url)
    page.wait_for_selector("#av-root.av-connected #prompt")
    llmock.script({"type": "reply", "text": "A reply of thirty characters."})
    send(page, "first")
    expect(page.locator("#history > li[data-role=assistant]").last).to_contain_text(
        "thirty characters", timeout=WAIT
    )
    llmock.script(
        {"type": "reply", "text": "Then silence"},
        {"type": "stream_fault", "kind": "stall", "after_chunks": 2, "stall_seconds": 60},
    )
    send(page, "second")
    silent = page.get_by_text("the model server sent nothing for 1.5 s").first
    expect(silent).to_be_visible(timeout=WAIT)
    first, second = (request["body"]["messages"] for request in llmock.requests()[-2:])  # type: ignore[index]
    system = {"role": "system", "content": "Under ASGI."}
    assert first == [system, {"role": "user", "content": "first"}]
    # 11 + 6 = 17 of 30: the 29-character reply does not fit beside them.
    assert second == [system, {"role": "user", "content": "second"}]
    page.close()
