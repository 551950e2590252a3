"""Text from any source, drawn from every Unicode category (surrogates and controls
included), reaches the page and the store as ``normalize_text`` makes it, exactly: from a
browser frame (a prompt, through the endpoint's own parser and delivery) and from a
stream (a model's tokens). Never a crash, never a frame that cannot be written, never a
page that a browser's HTML parser would read differently from the server's tree.

Each example mounts the chat with a SQLite store, on the real clock (the store runs in a
worker thread, which an autojumping clock would race), with a fake model of 1 ms a token.
"""

from __future__ import annotations

import json

import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from actorview.endpoint._live import deliver
from actorview.endpoint._protocol import Event, Input, parse_client_frame
from actorview.render import is_normal_text, normalize_text
from actorview.testing import ViewClient, mount
from demo_chat import ChatView, Chunk, Done, reply_tokens
from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message

LENGTH = 3

characters = (
    st.characters(codec=None, exclude_categories=())  # every category but Cs, mostly
    | st.characters(codec=None, categories=["Cs", "Cc"])  # lone surrogates, controls
    | st.sampled_from("\x00\r\n \ud83d\ude00😀")  # NUL, CR LF, a pair split and whole
)
texts = st.text(alphabet=characters, max_size=16)


def frame_of(**fields: object) -> Event | Input:
    """A frame as a browser writes it (JSON.stringify escapes a lone surrogate), parsed
    by the endpoint's parser."""
    parsed = parse_client_frame(json.dumps(fields), max_bytes=65_536)
    assert isinstance(parsed, Event | Input)
    return parsed


def check_page(view: ViewClient[ChatView]) -> None:
    """Every frame can be written, and the page holds only what a browser would keep."""
    for frame in view.frames:
        frame.text.encode()
    for found in view.find_all("#history > li"):  # the streaming reply (#draft) too
        assert is_normal_text(found.text), found
    assert not view.notices, view.notices


def history(view: ViewClient[ChatView]) -> list[Message]:
    return [
        Message(item["data-role"], item.text)  # type: ignore[arg-type]
        for item in view.find_all("#history > li[av-key]")  # kept: not the history's tail
    ]


async def prompt_through_the_endpoint(text: str) -> None:
    store = SQLiteHistoryStore()
    params = {"token_delay": 0.001, "reply_length": LENGTH, "store": store, "conversation": "c"}
    async with mount(ChatView, params) as view:
        typed = await deliver(view.ref, frame_of(t="input", ref=1, field="input", value=text))
        assert typed == {"outcome": "applied"}
        await deliver(view.ref, frame_of(t="event", ref=2, name="submit", params={}))
        prompt = normalize_text(text).strip()
        expected = (
            [Message("user", prompt), Message("assistant", "".join(reply_tokens(prompt, LENGTH)))]
            if prompt
            else []
        )
        await view.until(lambda v: len(history(v)) == len(expected) and not v.state["streaming"])
        check_page(view)
        assert history(view) == expected
        assert await store.load("c") == expected
    store.close()


@settings(max_examples=60, deadline=None)
@given(texts.filter(lambda text: text.strip() != "fail"))
def test_a_prompt_of_any_text_reaches_the_page_and_the_store_normalised(text: str) -> None:
    trio.run(prompt_through_the_endpoint, text)


async def tokens_through_the_view(tokens: list[str]) -> None:
    store = SQLiteHistoryStore()
    params = {"reply_length": LENGTH, "store": store, "conversation": "c"}
    async with mount(ChatView, params) as view:
        for index, token in enumerate(tokens):
            await view.send(Chunk(token))
            check_page(view)
            shown = view.text("#draft") if view.has_element("#draft") else ""
            assert shown == normalize_text("".join(tokens[: index + 1]))
        await view.send(Done())
        reply = normalize_text("".join(tokens))
        expected = [Message("assistant", reply)] if reply else []
        await view.until(lambda v: len(history(v)) == len(expected))
        check_page(view)
        assert history(view) == expected
        assert await store.load("c") == expected
    store.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(texts, max_size=5))
def test_tokens_of_any_text_reach_the_page_and_the_store_normalised(tokens: list[str]) -> None:
    trio.run(tokens_through_the_view, tokens)
