"""The chat view on an OpenAI-compatible server: the same view with another stream body.

Only the ``llm`` stream changes; cancel works the same way, and because the HTTP
response lives inside the stream's run, cancelling the run closes the upstream
connection, so the model server stops generating. The API key is read from
``OPENAI_API_KEY`` inside the run: it is never part of the view's state or page.
"""

from __future__ import annotations

import os

from actorview.view import Emit, async_stream, state
from demo_chat.messages import Chunk, Done, OpenAIChatParams
from demo_chat.view import ChatView


async def openai_llm(prompt: str, model: str, base_url: str, emit: Emit) -> None:
    """Stream the model's reply to ``prompt`` as ``Chunk`` messages, then ``Done``.

    Each prompt is sent on its own (the server keeps no transcript of the history:
    stream items are not kept in memory), so replies do not see earlier turns.
    """
    from demo_chat.openai_backend import open_chat_stream

    messages = [{"role": "user", "content": prompt}]
    api_key = os.environ.get("OPENAI_API_KEY")
    async with open_chat_stream(
        messages, base_url=base_url, model=model, api_key=api_key
    ) as tokens:
        async for token in tokens:
            await emit(Chunk(token))
    await emit(Done())


class OpenAIChatView(ChatView):
    """The chat, answered by an OpenAI-compatible model."""

    model = state(str, "gpt-4o-mini")
    base_url = state(str, "https://api.openai.com/v1")

    llm = async_stream(emits=(Chunk, Done))(openai_llm)

    # The annotation tells the view which params type to structure; narrowing it is the point.
    def mount(self, params: OpenAIChatParams) -> None:  # type: ignore[override]
        super().mount(params)
        self.model = params.model
        self.base_url = params.base_url
