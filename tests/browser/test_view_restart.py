"""A crashed view is restarted by its supervisor and the page recovers, with its committed
history (kept in the demo's history store) and the reply it was streaming, which is a
job of the conversation and outlived the view (demo_chat.reply_job); others carry on.

The application runs in this process (in a TrioDriver thread, on the real clock) so the
test can reach into the supervisor tree and kill one session's view, as a bug would.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import pytest

from actorview.mailbox import ActorRef
from actorview.testing import TrioDriver
from demo_chat.server import build_app
from tests.browser.test_chat_demo import open_chat, roles, send, wait_for_draft

pytestmark = pytest.mark.browser


@pytest.fixture
def served() -> Iterator[tuple[TrioDriver, Any, str]]:
    args = argparse.Namespace(
        token_delay=0.05, reply_length=200, history=0, llm="fake", model="", openai_base_url=""
    )
    app = build_app(args)
    with TrioDriver(real_time=True) as driver:
        port = driver.start(app.serve, "127.0.0.1", 0)
        yield driver, app, f"http://127.0.0.1:{port}/"


def view_of(app: Any, index: int) -> ActorRef:
    session_id = list(app.sessions)[index]
    ref = app.views.registry.get(session_id)
    assert isinstance(ref, ActorRef)
    return ref


def test_a_killed_view_restarts_and_the_page_recovers(
    browser: Any, served: tuple[TrioDriver, Any, str]
) -> None:
    driver, app, url = served
    victim, bystander = open_chat(browser, url), open_chat(browser, url)
    try:
        send(victim, "doomed")
        send(bystander, "survivor")
        doomed = wait_for_draft(victim, 20)
        before = wait_for_draft(bystander, 20)
        first_ref = view_of(app, 0)
        driver.call_sync(first_ref.kill, "injected by the test")

        # The supervisor makes a new instance (the page's old DOM stays until it renders).
        restarted = None
        for _ in range(200):
            restarted = app.views.registry.get(next(iter(app.sessions)))
            if isinstance(restarted, ActorRef) and restarted is not first_ref:
                break
            victim.wait_for_timeout(25)
        assert isinstance(restarted, ActorRef) and restarted is not first_ref
        # The committed message comes back from the history store, and the reply goes on:
        # the restarted view follows its job (the text so far, then live; the dead view's
        # draft could not grow).
        resumed = wait_for_draft(victim, len(doomed) + 20)
        assert resumed.startswith(doomed), "the reply so far, then more: no gap"
        assert victim.eval_on_selector_all(
            "#history > li[av-key]", "els => els.map(e => e.textContent)"
        ) == ["doomed"]
        send(victim, "back again")  # supersedes the reply: kept stopped, as far as shown
        victim.wait_for_function(
            "() => (document.querySelector('#draft')?.textContent || '')"
            ".startsWith('You said back')",
            timeout=10_000,
        )
        assert roles(victim) == ["user", "assistant", "user", "assistant"]  # the last streams

        after = wait_for_draft(bystander, len(before) + 20)
        assert after.startswith(before), "the other session streamed on, untouched"
        assert view_of(app, 1) is not None
    finally:
        victim.close()
        bystander.close()
