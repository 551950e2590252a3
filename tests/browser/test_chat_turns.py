"""The last turn in Debian's Chromium, against ``python -m demo_chat``: the reply streams
as the history's last item (thinking, then a caret that goes when it ends) and stays
there as its message; autoscroll lets go when the user scrolls up and "jump to latest"
brings them back; a stopped or failed turn stays with a Retry; the last reply can be
regenerated and the last prompt edited and sent again.

Timing assertions use generous bounds (the machine is shared).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.demo import demo_server

pytestmark = pytest.mark.browser

DRAFT_TEXT = "document.querySelector('#draft:not(:has(#thinking))')?.textContent || ''"
"""The streaming reply's text so far (empty while it thinks, or when none streams)."""

WAIT = 15_000
"""Playwright's waits, in milliseconds."""

KEPT = "#history > li[av-key][data-role]"
"""The messages kept in the history (not its tail: the streaming reply or the bar)."""


@pytest.fixture(scope="module")
def demo_url() -> Iterator[str]:
    options = ["--token-delay", "0.06", "--reply-length", "40", "--history", "30"]
    with demo_server(*options, secret="t" * 40) as url:
        yield url


@pytest.fixture
def chat(browser: Any, demo_url: str) -> Iterator[Any]:
    page = browser.new_page(viewport={"width": 900, "height": 640})
    errors: list[str] = []

    def record(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)
    page.goto(demo_url)
    page.wait_for_function(f"() => document.querySelectorAll('{KEPT}').length === 30")
    yield page
    assert errors == [], "the page runs cleanly under its CSP"
    page.close()


def send(page: Any, text: str) -> None:
    page.fill("#prompt", text)
    page.press("#prompt", "Enter")


def kept(page: Any) -> list[tuple[str, str]]:
    found: list[list[str]] = page.eval_on_selector_all(
        KEPT, "els => els.map(e => [e.dataset.role, e.innerText])"
    )
    return [(role, text) for role, text in found]


def streamed(page: Any) -> None:
    """Wait until no reply streams."""
    page.wait_for_function("() => !document.querySelector('#draft')", timeout=WAIT)


CARET = """() => {
  const open = document.querySelector('#draft .tail > :last-child');
  return open ? getComputedStyle(open, '::after').content : null;
}"""


def test_the_reply_thinks_then_streams_with_a_caret_in_the_last_item_and_stays_there(
    chat: Any,
) -> None:
    chat.evaluate(
        """() => {
          window.__thinkingLast = false;
          new MutationObserver(() => {
            const last = document.querySelector('#history').lastElementChild;
            if (last && last.id === 'draft' && last.querySelector('#thinking')) {
              window.__thinkingLast = true;
            }
          }).observe(document.body, {subtree: true, childList: true});
        }"""
    )
    send(chat, "hello there")
    chat.wait_for_function(
        f"() => ({DRAFT_TEXT}).length > 20",
        timeout=WAIT,
    )
    assert chat.evaluate("() => window.__thinkingLast"), "thinking inside the last item"
    draft = chat.locator("#history > li:last-child")
    assert draft.get_attribute("id") == "draft" and draft.get_attribute("data-role") == "assistant"
    assert chat.locator("#thinking").count() == 0, "the indicator goes with the first token"
    assert chat.evaluate(CARET) == '"▍"', "a caret while it streams"
    top = chat.evaluate("() => document.querySelector('#draft').offsetTop")
    streamed(chat)
    reply = chat.locator(f"{KEPT}[data-role=assistant]").last
    assert reply.inner_text().startswith("You said hello:")
    assert chat.evaluate(
        "() => [...document.querySelectorAll('#history *')]"
        ".every(e => getComputedStyle(e, '::after').content !== '\"▍\"')"
    ), "no caret once it ended"
    assert reply.evaluate("e => e.offsetTop") == top, "the finished reply did not move"
    assert chat.locator("#history > li:last-child button.regenerate").is_visible()


def at_bottom(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => { const l = document.querySelector('#history');"
            " return l.scrollHeight - l.scrollTop - l.clientHeight <= 8; }"
        )
    )


def test_autoscroll_lets_go_when_scrolled_up_and_jump_to_latest_comes_back(chat: Any) -> None:
    from playwright.sync_api import expect

    jump = chat.locator("#jump-latest")
    assert at_bottom(chat) and not jump.is_visible(), "a fresh page is at the latest message"
    send(chat, "more please")
    chat.wait_for_function(
        f"() => ({DRAFT_TEXT}).length > 40",
        timeout=WAIT,
    )
    assert at_bottom(chat), "autoscroll follows the reply"
    assert not jump.is_visible()
    chat.evaluate("() => { document.querySelector('#history').scrollTop = 0; }")
    expect(jump).to_be_visible(timeout=WAIT)
    chat.wait_for_timeout(500)  # tokens keep arriving: the page must not pull the user down
    assert chat.evaluate("() => document.querySelector('#history').scrollTop") < 50
    jump.click()
    expect(jump).to_be_hidden(timeout=WAIT)
    assert at_bottom(chat)
    streamed(chat)
    assert at_bottom(chat), "following the bottom again until the reply ended"


def test_a_stopped_turn_stays_stopped_and_retry_answers_it(chat: Any) -> None:
    from playwright.sync_api import expect

    send(chat, "stop now")
    chat.wait_for_selector("#draft", timeout=WAIT)
    chat.click("#cancel")  # while thinking, or after a few tokens on a busy machine
    streamed(chat)
    (user, prompt), (assistant, stopped) = kept(chat)[-2:]
    assert (user, prompt, assistant) == ("user", "stop now", "assistant")
    assert stopped.endswith("(stopped)") and len(stopped.split()) < 40, "cut short"
    retry = chat.locator("#history > li:last-child button.retry")
    expect(retry).to_be_visible()
    retry.click()
    chat.wait_for_selector("#history > li#draft:last-child", timeout=WAIT)
    assert kept(chat)[-1] == ("user", "stop now"), "the stopped reply was replaced"
    streamed(chat)
    role, text = kept(chat)[-1]
    assert role == "assistant" and text.startswith("You said stop:")
    assert len(kept(chat)) == 32


def test_a_failed_turn_shows_its_reason_in_the_history_and_offers_retry(chat: Any) -> None:
    send(chat, "fail")
    failed = chat.locator(f"{KEPT}.failed")
    failed.wait_for(timeout=WAIT)
    reason = "The reply failed: the fake LLM was asked to fail"
    assert failed.locator(".failure-reason").inner_text() == reason
    assert chat.locator("#history > li:last-child button.retry").is_visible()
    assert chat.locator("button.regenerate").count() == 0
    first = failed.get_attribute("av-key")
    chat.click("button.retry")
    # The retry fails again at once ("fail" always does): a new failed item, the first gone.
    chat.wait_for_function(
        f"""() => {{
          const failed = [...document.querySelectorAll('{KEPT}.failed')];
          return failed.length === 1 && failed[0].getAttribute('av-key') !== '{first}'
            && !document.querySelector('#draft');
        }}""",
        timeout=WAIT,
    )
    assert len(kept(chat)) == 32, "the retried failure replaced the first"


def test_regenerate_replaces_the_last_reply_and_edit_replaces_the_turn(chat: Any) -> None:
    send(chat, "first try")
    streamed(chat)
    chat.click("button.regenerate")
    chat.wait_for_selector("#draft", timeout=WAIT)
    assert kept(chat)[-1] == ("user", "first try")
    streamed(chat)
    assert kept(chat)[-1][1].startswith("You said first:")
    assert len(kept(chat)) == 32

    chat.click("button.edit")
    box = chat.locator("#edit-prompt")
    box.wait_for(timeout=WAIT)
    assert box.input_value() == "first try"
    assert chat.evaluate("() => document.activeElement.id") == "edit-prompt"
    box.press("Escape")  # closes it, as Cancel does
    chat.wait_for_selector("button.regenerate", timeout=WAIT)
    assert chat.locator("#edit-prompt").count() == 0
    chat.click("button.edit")
    box.wait_for(timeout=WAIT)
    box.fill("second thought")
    chat.click("button.resend")
    chat.wait_for_selector("#draft", timeout=WAIT)
    streamed(chat)
    assert kept(chat)[-2][0:2] == ("user", "second thought")
    assert kept(chat)[-1][1].startswith("You said second:")
    assert len(kept(chat)) == 32, "the edited turn replaced the old one"
    assert "first try" not in [text for _, text in kept(chat)]
