"""A fake LLM: a deterministic reply, streamed one token at a time with a set delay.

The reply depends only on the prompt and the requested length, so tests (and the
property test's model) know every token in advance; the delay is a ``trio.sleep`` per
token, so under trio's ``MockClock`` a long reply streams instantly in test time.
"""

from __future__ import annotations

import re

import trio

from actorview.view import Emit
from demo_chat.failures import Asked, Internal, ModelFailed, describe
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


MARKDOWN_REPLY = """## Markdown, streamed

Here is what the chat renders, **bold** and *italic* included:

- a list item with `inline code`
- a [link to trio](https://trio.readthedocs.io)
- items that stream in one by one

```python
async def main() -> None:
    async with trio.open_nursery() as nursery:
        nursery.start_soon(trio.sleep, 1)
```

| block | rendered |
| --- | :-: |
| finished | once |
| open | per token |

Only the block being written is rendered again as tokens arrive.
"""
"""The fake model's reply to a prompt that mentions ``markdown``: a heading, a list, bold
and italic, a link, inline code, a fenced Python block and a table."""


def markdown_tokens(length: int) -> list[str]:
    """The tokens of the Markdown reply: :data:`MARKDOWN_REPLY` whole, then again until
    there are ``length`` tokens (cut there). Each token is a word with the whitespace
    before it, so they join into the text exactly."""
    once = re.findall(r"\s*\S+", MARKDOWN_REPLY)
    tokens = list(once)
    while len(tokens) < length:
        tokens.extend(["\n\n" + once[0].lstrip(), *once[1:]])
    return tokens[: max(length, len(once))]


def reply_tokens(prompt: str, length: int) -> list[str]:
    """The tokens of the reply to ``prompt``, each a word with its leading space (the
    first has none).

    A few prompts (``hello``, ``what is actorview?``, ``help``) have fixed answers; one
    that mentions ``markdown`` gets :func:`markdown_tokens` (at least the whole sample,
    ``length`` tokens if more, ten times as many when it asks for something ``long``).
    Any other gets ``length`` tokens starting with an echo of the prompt's first word, or ten
    times as many when the prompt asks for something ``long``.

    >>> reply_tokens("hi there", 4)
    ['You', ' said', ' hi:', ' streams']
    """
    canned = _CANNED.get(prompt.strip().lower())
    if "markdown" in prompt.lower():
        return markdown_tokens(length * 10 if "long" in prompt.lower() else length)
    if canned is not None:
        words = canned.split()
    else:
        if "long" in prompt.lower():
            length *= 10
        first = prompt.split()[0] if prompt.split() else "nothing"
        body = (_WORDS[i % len(_WORDS)] for i in range(length))
        words = ["You", "said", f"{first}:", *body][:length]
    return [word if i == 0 else f" {word}" for i, word in enumerate(words)]


def failure_text(error: str, error_type: str) -> str:
    """What the page says when a reply fails (a :class:`StreamFailed`'s ``error`` and
    ``error_type``): for a :class:`~demo_chat.failures.ModelFailed`, its reason's words
    (one of the closed set of :mod:`demo_chat.failures`); for anything else, only that
    something went wrong (:class:`~demo_chat.failures.Internal`), since its text may hold
    internals (the runtime logs it)."""
    reason = error if error_type == ModelFailed.__name__ else describe(Internal())
    return f"The reply failed: {reason}"


async def fake_llm(prompt: str, token_delay: float, reply_length: int, emit: Emit) -> None:
    """The chat's async_stream body: emit ``Chunk`` per token, ``token_delay`` s apart,
    then ``Done``. Raises :class:`~demo_chat.failures.ModelFailed` (:class:`Asked`) for a
    prompt of ``"fail"`` (to show failures)."""
    for token in reply_tokens(prompt, reply_length):
        await trio.sleep(token_delay)
        if prompt == "fail":
            raise ModelFailed(Asked())
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
