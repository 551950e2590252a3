"""The chat's values: history messages and what the LLM stream emits."""

from __future__ import annotations

from typing import Any, Literal

import attrs

Role = Literal["user", "assistant"]


@attrs.frozen
class Message:
    """One history entry. ``stopped``: an assistant reply cut short by cancel or a new
    submit. ``failure``: why an assistant reply failed, in words a user reads ("the model
    server could not be reached"); empty for a reply that finished or was stopped. A
    failed reply keeps the text it had streamed before it failed."""

    role: Role
    text: str
    stopped: bool = False
    failure: str = ""


@attrs.frozen
class Conversation:
    """One conversation of one user, as the history store lists it.

    ``id``: its URL-safe name (``/c/<id>``), made by the store. ``owner``: the identity
    that may open it. ``title``: its first prompt's first line (at most
    :data:`~demo_chat.history_store.TITLE_LENGTH` characters) until it is renamed; empty
    while it has no message. ``updated``: when a message was last added (Unix time),
    the order of the sidebar, newest first.
    """

    id: str
    owner: str
    title: str = ""
    updated: float = 0.0


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
    how many messages of about 200 characters to pre-load into the history.

    ``conversation`` and ``store`` come from the server: the route passes a
    :class:`~demo_chat.history_store.HistoryStore` as ``store`` and the ``/c/<id>`` path
    param as ``conversation`` (signed into the join token with the page's identity; with
    ``conversations`` the view checks the identity owns it). With both, committed
    messages are kept in the store and a (re)started view shows them; without, the
    history lives and dies with the view.

    ``conversations``: the conversation is one of a user's (the served demo's mode):
    ``conversation`` is the ``/c/<id>`` path param, the view shows it only to the
    identity that owns it (anyone else gets the 404 page, as for an id never started),
    with the user's other conversations in a sidebar (new, rename, delete); with no
    ``conversation`` (``/``) the page is redirected to the newest one, or a new one. Off,
    ``conversation`` is just the key of the messages in ``store``.

    ``markdown``: show the assistant's replies as Markdown rendered on the server (the
    served demo does), each with a copy button, rendered incrementally as they stream;
    off, a reply is plain text (as the library's benchmarks and text property tests
    measure the view). User messages are plain text either way.
    """

    token_delay: float = 0.05
    reply_length: int = 40
    history: int = 0
    conversation: str = ""
    store: Any = None
    markdown: bool = False
    conversations: bool = False


@attrs.frozen
class OpenAIChatParams(ChatParams):
    """Mount parameters of the chat on an OpenAI-compatible server."""

    model: str = "gpt-4o-mini"
    base_url: str = "https://api.openai.com/v1"
    max_reply_chars: int = 200_000
    """Characters of one reply at most: past them it is cut and marked."""
    timeout: float = 60.0
    """Seconds the model server may take to connect and between two parts of a reply
    (``--openai-timeout``); past them the reply fails as timed out."""
    context_chars: int = 24_000
    """The character budget of the conversation sent (``--context-chars``): the newest
    messages that fit, the prompt always whole."""
    system: str = ""
    """The system prompt the conversation sent starts with (``--system``); none if empty."""


@attrs.frozen
class Opened:
    """A conversation to show: the page moves to its URL (a new chat, or the one shown
    after the open one was deleted: ``changed``, the owner's other views are told)."""

    id: str
    changed: bool = False


@attrs.frozen
class Reopen:
    """The page's URL names another conversation than the view's (the browser's back or
    forward button): the view is mounted again there, the history entry kept."""

    id: str


@attrs.frozen
class Listed:
    """The user's conversations as the store lists them now, newest first (the
    sidebar). ``changed``: this view has just changed them (a title, a rename, a
    delete): its other tabs are told (:class:`ConversationsChanged`)."""

    conversations: tuple[Conversation, ...]
    changed: bool = False


@attrs.frozen
class ConversationsChanged:
    """Published on the owner's topic (``conversations:<owner>``) when a view of theirs
    changed their conversations: every view of the owner lists them again."""
