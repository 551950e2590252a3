"""A fake LLM: a deterministic reply, streamed one token at a time with a set delay.

The reply depends only on the prompt and the requested length, so tests (and the
property test's model) know every token in advance; the delay is a ``trio.sleep`` per
token, so under trio's ``MockClock`` a long reply streams instantly in test time.
"""

from __future__ import annotations

import trio

from actorview.view import Emit
from demo_chat.messages import Chunk, Done, Message, Role

_WORDS = [
    "streams",
    "tokens",
    "over",
    "the",
    "socket",
    "while",
    "the",
    "view",
    "keeps",
    "only",
    "what",
    "it",
    "needs",
    "and",
    "the",
    "browser",
    "applies",
    "each",
    "small",
    "patch",
    "as",
    "it",
    "arrives",
]


_CANNED = {
    "hello": "Hello! I am the demo's fake model. Everything I say streams through an "
    "actorview view, one token per patch. Ask me for a long answer to see a long stream.",
    "what is actorview?": "actorview renders live views on the server: each view is a trio "
    "actor that owns its state, and the browser receives only the structural diff of its "
    "HTML. This reply is one async_stream run; Cancel ends it at once.",
    "help": "Type a message and press Enter. Cancel stops the reply, Clear empties the "
    "conversation, and a new message while I am answering replaces my answer.",
}


def reply_tokens(prompt: str, length: int) -> list[str]:
    """The tokens of the reply to ``prompt``, each a word with its leading space (the
    first has none).

    A few prompts (``hello``, ``what is actorview?``, ``help``) have fixed answers. Any
    other gets ``length`` tokens starting with an echo of the prompt's first word, or ten
    times as many when the prompt asks for something ``long``.

    >>> reply_tokens("hi there", 4)
    ['You', ' said', ' hi:', ' streams']
    """
    canned = _CANNED.get(prompt.strip().lower())
    if canned is not None:
        words = canned.split()
    else:
        if "long" in prompt.lower():
            length *= 10
        first = prompt.split()[0] if prompt.split() else "nothing"
        body = (_WORDS[i % len(_WORDS)] for i in range(length))
        words = ["You", "said", f"{first}:", *body][:length]
    return [word if i == 0 else f" {word}" for i, word in enumerate(words)]


class ModelError(Exception):
    """The model could not give (the rest of) a reply. Its text is written for the person
    at the page, so the chat shows it; any other error of a reply is shown only as a
    failure (its text may hold internals: it goes to the log)."""


def is_model_error(error_type: str) -> bool:
    """Whether ``error_type`` (a :class:`StreamFailed`'s) names a :class:`ModelError`."""
    pending: list[type[Exception]] = [ModelError]
    while pending:
        kind = pending.pop()
        if kind.__name__ == error_type:
            return True
        pending.extend(kind.__subclasses__())
    return False


def failure_text(error: str, error_type: str) -> str:
    """What ``#failure`` says when a reply fails."""
    if is_model_error(error_type):
        return f"The reply failed: {error}"
    return "The reply failed: something went wrong on the server."


async def fake_llm(prompt: str, token_delay: float, reply_length: int, emit: Emit) -> None:
    """The chat's async_stream body: emit ``Chunk`` per token, ``token_delay`` s apart,
    then ``Done``. Raises :class:`ModelError` for a prompt of ``"fail"`` (to show
    failures)."""
    for token in reply_tokens(prompt, reply_length):
        await trio.sleep(token_delay)
        if prompt == "fail":
            raise ModelError("the fake LLM was asked to fail")
        await emit(Chunk(token))
    await emit(Done())


def sample_history(count: int) -> list[Message]:
    """``count`` alternating user and assistant messages of about 200 characters, for
    demos and benchmarks of long conversations (``--history N``)."""
    messages = []
    for index in range(count):
        role: Role = "user" if index % 2 == 0 else "assistant"
        words = (_WORDS[(index + i) % len(_WORDS)] for i in range(40))
        text = f"Message {index + 1}: " + " ".join(words)
        messages.append(Message(role, text[:200]))
    return messages
