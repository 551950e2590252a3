"""The chat on ``--llm openai`` in Chromium, against llmock (an OpenAI-compatible server
from PyPI, a process of its own): a failed turn's reason is in the page, in the words of
:mod:`demo_chat.failures`, and the text that streamed before a cut stays.

``python -m demo_chat`` runs in a subprocess with ``--system`` and ``--context-chars``;
llmock's record of the requests shows what the chat sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo import demo_server
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
    reason = chat.locator("#history").get_by_text("the model is rate-limited; try again in 20 s")
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
    reason = chat.locator("#history").get_by_text(
        "the reply was cut off: the model server stopped sending it"
    )
    expect(reason).to_be_visible(timeout=WAIT)
    reply = chat.locator("#history > li[data-role=assistant]").last
    expect(reply).to_contain_text("The first words", timeout=WAIT)
    expect(reply).not_to_contain_text("then")
    expect(chat.locator("#cancel")).to_be_disabled()
