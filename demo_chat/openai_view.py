"""The chat view on an OpenAI-compatible server: the same view with another stream body.

Only the ``llm`` stream changes: it sends the conversation kept in the history store, not
just the prompt. Cancel works the same way, and because the HTTP response lives inside
the stream's run, cancelling the run closes the upstream connection, so the model
server stops generating. The API key is read from
``OPENAI_API_KEY`` inside the run: it is never part of the view's state or page.
"""

from __future__ import annotations

import os

from actorview.view import Emit, async_stream, state
from demo_chat.messages import Chunk, Done, Message, OpenAIChatParams
from demo_chat.view import ChatView, KeptHistory

CONTEXT_MESSAGES = 20
"""How many committed messages before the prompt the model sees (the newest ones)."""


async def openai_llm(
    prompt: str,
    kept: KeptHistory | None,
    model: str,
    base_url: str,
    max_reply_chars: int,
    emit: Emit,
) -> None:
    """Stream the model's reply to ``prompt`` as ``Chunk`` messages, then ``Done``.

    The model sees the conversation: the committed messages of the view's history store
    (the view keeps none in memory: its history is a stream field), then the prompt. A
    reply cut off upstream, empty, or past ``max_reply_chars`` fails the run with an
    :class:`~demo_chat.openai_backend.UpstreamIncompleteReply` after the text that came:
    the view keeps that text as a failed reply, with why it failed.
    """
    from demo_chat.openai_backend import open_chat_stream

    messages = await conversation(kept, prompt)
    api_key = os.environ.get("OPENAI_API_KEY")
    async with open_chat_stream(
        messages, base_url=base_url, model=model, api_key=api_key, max_chars=max_reply_chars
    ) as tokens:
        async for token in tokens:
            await emit(Chunk(token))
    await emit(Done())


async def conversation(kept: KeptHistory | None, prompt: str) -> list[dict[str, str]]:
    """The chat messages to send: the newest committed ones, then the prompt.

    The submit that fired this run wrote the user's message to the store before the run
    started, so the store's last message is usually the prompt itself: it is not sent
    twice. Without a store the prompt goes alone.
    """
    earlier = await kept.load() if kept is not None else []
    if earlier and earlier[-1] == Message("user", prompt):
        earlier = earlier[:-1]
    turns = [{"role": m.role, "content": m.text} for m in earlier[-CONTEXT_MESSAGES:]]
    return [*turns, {"role": "user", "content": prompt}]


class OpenAIChatView(ChatView):
    """The chat, answered by an OpenAI-compatible model."""

    model = state(str, "gpt-4o-mini")
    base_url = state(str, "https://api.openai.com/v1")
    max_reply_chars = state(int, 200_000)
    kept = state(KeptHistory | None, None)
    """The view's link to its history store, which the ``llm`` run reads the conversation
    from (a server field: it never reaches the page)."""

    llm = async_stream(emits=(Chunk, Done))(openai_llm)

    # The annotation tells the view which params type to structure; narrowing it is the point.
    def mount(self, params: OpenAIChatParams) -> None:  # type: ignore[override]
        super().mount(params)
        self.model = params.model
        self.base_url = params.base_url
        self.max_reply_chars = params.max_reply_chars
        self.kept = self._kept
