"""The conversation the ``--llm openai`` chat sends fits its character budget.

For any committed conversation (in a real SQLite store, read a page at a time), prompt,
system prompt and budget: what is sent is the system prompt, then a contiguous newest
end of the conversation's messages with text, then the prompt; the earlier messages fit
in what the budget leaves beside the system prompt and the prompt; and the message just
before them (if any) would not have fit.
"""

from __future__ import annotations

import trio
from hypothesis import given, settings
from hypothesis import strategies as st

from demo_chat.history_store import SQLiteHistoryStore
from demo_chat.messages import Message
from demo_chat.openai_view import conversation
from demo_chat.view import KeptHistory

messages = st.builds(
    Message,
    role=st.sampled_from(["user", "assistant"]),
    text=st.text(alphabet="ab \n", max_size=40),
)


@settings(max_examples=150, deadline=None)
@given(
    history=st.lists(messages, max_size=90),
    prompt=st.text(alphabet="xy", min_size=1, max_size=30),
    system=st.text(alphabet="s", max_size=20),
    budget=st.integers(0, 600),
    prompt_stored=st.booleans(),
)
def test_the_newest_messages_that_fit_are_sent_whole_with_no_gap(
    history: list[Message], prompt: str, system: str, budget: int, prompt_stored: bool
) -> None:
    async def sent() -> list[dict[str, str]]:
        store = SQLiteHistoryStore()
        stored = [*history, Message("user", prompt)] if prompt_stored else history
        if stored:
            await store.append("c", stored)
        try:
            return await conversation(KeptHistory(store, "c"), prompt, budget=budget, system=system)
        finally:
            store.close()

    got = trio.run(sent)
    lead = [{"role": "system", "content": system}] if system else []
    assert got[: len(lead)] == lead
    assert got[-1] == {"role": "user", "content": prompt}
    earlier = got[len(lead) : -1]
    # The prompt is sent once: the stored copy of it (the store's newest) is left out.
    candidates = [m for m in history if m.text]
    as_sent = [{"role": m.role, "content": m.text} for m in candidates]
    assert as_sent[len(as_sent) - len(earlier) :] == earlier, "a contiguous newest end"
    left = budget - len(system) - len(prompt)
    assert sum(len(m["content"]) for m in earlier) <= max(left, 0)
    if len(earlier) < len(candidates):
        before = candidates[len(candidates) - len(earlier) - 1]
        assert sum(len(m["content"]) for m in earlier) + len(before.text) > left
