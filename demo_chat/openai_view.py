"""The chat view on an OpenAI-compatible server: the same view with another stream body.

Only the ``llm`` stream changes: it sends the conversation kept in the history store, not
just the prompt, bounded by a character budget (``--context-chars``) and led by a system
prompt when there is one (``--system``). Cancel works the same way, and because the HTTP
response lives inside the stream's run, cancelling the run closes the upstream
connection, so the model server stops generating. A failure of the model server ends the
run with :class:`~demo_chat.failures.ModelFailed`, whose reason (one of the closed set of
:mod:`demo_chat.failures`) is what the page shows; the details stay in the log. The API
key is read from ``OPENAI_API_KEY`` inside the run: it is never part of the view's state
or page. The served view is :class:`UserResumableOpenAIChatView`, whose reply is the
conversation's job (:mod:`demo_chat.reply_job`): it outlives its page.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Final

from actorview.view import Emit, async_stream, job, state
from demo_chat.failures import ModelFailed
from demo_chat.messages import Chunk, Done, Message, OpenAIChatParams
from demo_chat.reply_job import Begun, NotKept, ResumableChatView, keep_reply
from demo_chat.view import ChatView, KeptHistory, UserChatView

CONTEXT_CHARS: Final = 24_000
"""The default character budget of the conversation sent (``--context-chars``)."""

_PAGE: Final = 32
"""Messages read from the store at a time while filling the budget, newest first."""


async def openai_llm(
    prompt: str,
    kept: KeptHistory | None,
    model: str,
    base_url: str,
    max_reply_chars: int,
    timeout: float,  # noqa: ASYNC109 (httpx's per-read idle limit, not a deadline)
    context_chars: int,
    system: str,
    emit: Emit,
) -> None:
    """Stream the model's reply to ``prompt`` as ``Chunk`` messages, then ``Done``.

    The model sees :func:`conversation`: the system prompt, the newest committed messages
    of the view's history store that fit ``context_chars``, then the prompt. ``timeout``
    bounds connecting and each wait for more of the reply (seconds).

    Errors: any failure of the model server (:class:`~demo_chat.openai_backend.
    UpstreamError`) is raised again as :class:`ModelFailed` with its reason, from the
    error (the runtime logs the chain). A reply cut off, empty, unreadable or past
    ``max_reply_chars`` fails so after the text that came: the view keeps that text.
    Cancellation closes the connection to the model server before it propagates.
    """
    from demo_chat.openai_backend import UpstreamError, open_chat_stream

    messages = await conversation(kept, prompt, budget=context_chars, system=system)
    api_key = os.environ.get("OPENAI_API_KEY")
    try:
        async with open_chat_stream(
            messages,
            base_url=base_url,
            model=model,
            api_key=api_key,
            max_chars=max_reply_chars,
            timeout=timeout,
        ) as tokens:
            async for token in tokens:
                await emit(Chunk(token))
    except UpstreamError as error:
        raise ModelFailed(error.failure) from error
    await emit(Done())


async def conversation(
    kept: KeptHistory | None, prompt: str, *, budget: int = CONTEXT_CHARS, system: str = ""
) -> list[dict[str, str]]:
    """The chat messages to send: ``system`` (when not empty), the newest committed
    messages that fit, oldest first, then the prompt.

    ``budget`` bounds the characters of every message's text together. The system prompt
    and the prompt are always sent whole, even past it (the prompt is what the user asked;
    cutting it would answer another question); earlier messages fill what is left, newest
    first, each whole or not at all, and the first that does not fit ends the fill (the
    model sees a contiguous end of the conversation, never one with a hole). Messages
    with no text (a reply that failed before its first token) are not sent. The store is
    read a page at a time from the newest, so a long conversation costs what fits, not
    its length.

    The submit that fired this run wrote the user's message to the store before the run
    started, so the store's last message is usually the prompt itself: it is not sent
    twice. Without a store the prompt goes alone (after the system prompt).
    """
    if budget < 0:
        raise ValueError(f"the context budget must be at least 0 characters, got {budget}")
    lead = [{"role": "system", "content": system}] if system else []
    asked = {"role": "user", "content": prompt}
    left = budget - len(system) - len(prompt)
    earlier = await _newest_fitting(kept, prompt, left) if kept is not None else []
    turns = [{"role": m.role, "content": m.text} for m in earlier]
    return [*lead, *turns, asked]


async def _newest_fitting(kept: KeptHistory, prompt: str, left: int) -> list[Message]:
    """The newest messages of ``kept`` whose texts fit in ``left`` characters together,
    oldest first (the prompt itself, when it is the newest, left out)."""
    store, name = kept.store, kept.conversation
    chosen: list[Message] = []
    below: int | None = None
    while True:
        rows = await store.before(name, below, _PAGE)
        page = [message for _, message in rows]
        if below is None and page and page[-1] == Message("user", prompt):
            page.pop()
        for message in reversed(page):
            if not message.text:
                continue
            if len(message.text) > left:
                return chosen[::-1]
            left -= len(message.text)
            chosen.append(message)
        if len(rows) < _PAGE:
            return chosen[::-1]
        below = rows[0][0]


class OpenAIChatView(ChatView):
    """The chat, answered by an OpenAI-compatible model."""

    model = state(str, "gpt-4o-mini")
    base_url = state(str, "https://api.openai.com/v1")
    max_reply_chars = state(int, 200_000)
    timeout = state(float, 60.0)
    context_chars = state(int, CONTEXT_CHARS)
    system = state(str, "")
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
        self.timeout = params.timeout
        self.context_chars = params.context_chars
        self.system = params.system
        self.kept = self._kept


async def openai_reply_job(
    prompt: str,
    kept: KeptHistory | None,
    model: str,
    base_url: str,
    max_reply_chars: int,
    timeout: float,  # noqa: ASYNC109 (as openai_llm's)
    context_chars: int,
    system: str,
    conversation: str,
    reply_store: Any,
    emit: Emit,
) -> None:
    """The model's reply to ``prompt`` (:func:`openai_llm`) as the conversation's job,
    kept by its owner (:func:`~demo_chat.reply_job.keep_reply`). Cancelling the job
    closes the connection to the model server, wherever the Cancel was pressed."""
    produce = functools.partial(
        openai_llm, prompt, kept, model, base_url, max_reply_chars, timeout, context_chars, system
    )
    await keep_reply(produce, conversation, reply_store, emit)


class ResumableOpenAIChatView(ResumableChatView, OpenAIChatView):
    """The chat on a model whose reply is a job of its conversation (as
    :class:`~demo_chat.reply_job.ResumableChatView`): it goes on when its tab reloads,
    drops its socket or moves to another worker, and every tab of the conversation
    follows it."""

    llm = job("reply:{conversation}", emits=(Begun, Chunk, NotKept, Done))(openai_reply_job)

    def mount(self, params: OpenAIChatParams) -> None:  # type: ignore[override]
        super().mount(params)


class UserResumableOpenAIChatView(ResumableOpenAIChatView, UserChatView):
    """The served chat on a model: a user's conversations
    (:class:`~demo_chat.view.UserChatView`), each one's reply a job
    (:class:`ResumableOpenAIChatView`)."""
