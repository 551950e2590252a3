"""The chat's values: history messages and what the LLM stream emits."""

from __future__ import annotations

from typing import Literal

import attrs

Role = Literal["user", "assistant"]


@attrs.frozen
class Message:
    """One history entry. ``stopped``: an assistant reply cut short by cancel or a new
    submit."""

    role: Role
    text: str
    stopped: bool = False


@attrs.frozen
class Chunk:
    """One token of the live reply."""

    text: str


@attrs.frozen
class Done:
    """The live reply is complete."""


@attrs.frozen
class ChatParams:
    """Mount parameters: the fake LLM's delay per token (seconds) and reply length, and
    how many messages of about 200 characters to pre-load into the history."""

    token_delay: float = 0.05
    reply_length: int = 40
    history: int = 0


@attrs.frozen
class OpenAIChatParams(ChatParams):
    """Mount parameters of the chat on an OpenAI-compatible server."""

    model: str = "gpt-4o-mini"
    base_url: str = "https://api.openai.com/v1"
