"""The last turn of a conversation: its state, and what the chat shows after the history.

A turn is a prompt and its reply. The last turn is the one a person can act on: while
its reply streams, it is the last item of ``#history`` (``li#draft``, the stream's tail);
once it ended, the tail is a bar of what can be done with it (:func:`turn_actions`):
``button.retry`` a reply that failed, was stopped or never came, ``button.regenerate``
one that finished, ``button.edit`` the prompt (an inline form, :func:`edit_form`, whose
send replaces the turn). The reply itself stays in the history as the message it ended
as (:class:`~demo_chat.messages.Message` with ``failure`` or ``stopped``).

The view keeps the last turn's :data:`Turn` and prompt in two server fields, set by the
ops that end a turn and, for a kept conversation, read back from its newest messages
(:func:`last_turn`) when the view loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from actorview.render import Element, Memo, h
from demo_chat.messages import Message

Turn = Literal["", "answered", "failed", "stopped", "unanswered"]
"""How the last turn ended: ``""`` no turn yet; ``answered`` its reply finished;
``failed`` it failed (the reply's ``failure`` says why); ``stopped`` cancelled or
superseded; ``unanswered`` the last message is the prompt (its reply was lost with a
crashed view, or the model sent nothing)."""

RETRIABLE: Final = frozenset({"failed", "stopped", "unanswered"})
"""The turns whose reply is retried (``button.retry``); an answered one is regenerated."""

NO_TURN: Final[Turn] = ""
ANSWERED: Final[Turn] = "answered"
FAILED: Final[Turn] = "failed"
STOPPED: Final[Turn] = "stopped"
UNANSWERED: Final[Turn] = "unanswered"


def ended(reply: Message) -> Turn:
    """The turn that ``reply`` (an assistant message) ended."""
    if reply.failure:
        return FAILED
    return STOPPED if reply.stopped else ANSWERED


def last_turn(newest: Sequence[Message]) -> tuple[Turn, str]:
    """The last turn of a conversation and its prompt, from its newest messages (two
    are enough; fewer when it has fewer). A reply with no prompt before it (the first
    page of a long history cut between them) is no turn to act on."""
    if not newest:
        return NO_TURN, ""
    last = newest[-1]
    if last.role == "user":
        return UNANSWERED, last.text
    if len(newest) >= 2 and newest[-2].role == "user":
        return ended(last), newest[-2].text
    return NO_TURN, ""


def streaming_reply(
    content: Sequence[Element | Memo] | str, *, thinking: bool, markdown: bool
) -> Element:
    """The reply being streamed, as the last item of the history (``li#draft``): the
    thinking indicator (``#thinking``) until its first token, then its text; the caret
    is the stylesheet's while the item has the ``streaming`` class. When the reply
    ends, the history item it became takes its place, with the same classes but
    ``streaming``, so nothing moves. With Markdown, ``content`` is the finished blocks
    memo and the open tail (:func:`~demo_chat.view.render_draft`), children of the item
    itself: the per-token path is as short as the reply being the list's last item
    allows."""
    return h.li(
        h.span("Thinking…", id="thinking", class_="thinking") if thinking else None,
        *([content] if isinstance(content, str) else content),
        id="draft",
        data_role="assistant",
        class_=["message", "assistant", "md" if markdown else "plain", "streaming"],
        aria_live="polite",
        aria_busy="true",
    )


def turn_actions(turn: str) -> Element:
    """The bar after the last turn (a :data:`Turn`): retry or regenerate its reply, edit
    its prompt."""
    if turn in RETRIABLE:
        again = h.button("Retry", type="button", class_="retry", av_click="regenerate")
    else:
        again = h.button("Regenerate", type="button", class_="regenerate", av_click="regenerate")
    edit = h.button("Edit", type="button", class_="edit", av_click="edit")
    return h.li(again, edit, class_="turn-actions", aria_label="The last reply")


def edit_form(prompt: str) -> Element:
    """The last prompt in a form to send again (``textarea#edit-prompt``): sending it
    replaces the turn (the action ``resend``), Cancel closes it (``stop_editing``)."""
    return h.li(
        h.form(
            h.textarea(
                prompt,
                name="text",
                id="edit-prompt",
                rows="3",
                aria_label="Edit your last message",
            ),
            h.div(
                h.button("Send", type="submit", class_="resend"),
                h.button("Cancel", type="button", class_="cancel-edit", av_click="stop_editing"),
                class_="edit-buttons",
            ),
            av_submit="resend",
            class_="edit-form",
        ),
        class_=["turn-actions", "editing"],
    )
