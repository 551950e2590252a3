"""The sidebar of a user's conversations: ``aside#sidebar``, with ``#new-chat`` and
``#conversations`` (each item a link to its ``/c/<id>`` under the chat's mount prefix,
followed by live navigation, with rename and delete buttons, ✎ and ✕ named by their
``aria-label``; the one being renamed is a small form instead, and the one to delete
asks for a confirmation).

Hooks: ``#new-chat``; ``#conversations li[data-id]``, ``a.open`` (``aria-current="page"``
on the open one), ``button.rename``, ``button.delete``, ``form.rename-form`` with its
``input[name=title]``; ``button.delete-confirm`` and ``button.keep`` while a delete waits.
"""

from __future__ import annotations

from collections.abc import Sequence

from actorview.render import Element, h
from demo_chat.messages import Conversation

UNTITLED = "New chat"
"""What a conversation with no prompt yet is called in the sidebar."""


def render_sidebar(
    conversations: Sequence[Conversation],
    open_id: str,
    renaming: str,
    confirming: str = "",
    *,
    root: str = "",
) -> Element:
    """The sidebar: the new-chat button, then the conversations, newest first.
    ``renaming`` and ``confirming``: the ids of the conversation whose title is being
    edited, and of the one whose delete waits for its confirmation. ``root``: the prefix
    the chat is mounted under (the view's ``context.root_path``), which every link starts
    with: a link opened in a new tab, or followed before the socket joins, is a plain
    page load of its ``href``."""
    return h.aside(
        h.button("New chat", id="new-chat", type="button", av_click="new_chat"),
        h.nav(
            h.ul(
                *[
                    _item(
                        conversation,
                        is_open=conversation.id == open_id,
                        renaming=conversation.id == renaming,
                        confirming=conversation.id == confirming,
                        root=root,
                    )
                    for conversation in conversations
                ],
                id="conversations",
            ),
            aria_label="Conversations",
        ),
        id="sidebar",
    )


def _item(
    conversation: Conversation, *, is_open: bool, renaming: bool, confirming: bool, root: str
) -> Element:
    title = conversation.title or UNTITLED
    if confirming:
        body: list[Element] = [
            h.span(f"Delete “{title}”?", class_="confirm-text", id=f"confirm-{conversation.id}"),
            h.button(
                "Delete",
                type="button",
                class_="delete-confirm",
                av_click="delete",
                av_value_id=conversation.id,
                aria_describedby=f"confirm-{conversation.id}",
            ),
            h.button("Keep", type="button", class_="keep", av_click="stop_delete"),
        ]
    elif renaming:
        body = [
            h.form(
                h.input(
                    name="title",
                    value=title,
                    aria_label="Conversation title",
                    autocomplete="off",
                    maxlength="200",
                    class_="rename-input",
                ),
                h.button("Save", type="submit", class_="save"),
                h.button("Cancel", type="button", class_="keep", av_click="stop_rename"),
                class_="rename-form",
                av_submit="rename",
                av_value_id=conversation.id,
            )
        ]
    else:
        body = [
            h.a(
                title,
                href=f"{root}/c/{conversation.id}",
                class_="open",
                av_navigate=True,
                aria_current="page" if is_open else None,
            ),
            h.button(
                "✎",
                type="button",
                class_="rename",
                av_click="start_rename",
                av_value_id=conversation.id,
                aria_label=f"Rename {title}",
            ),
            h.button(
                "✕",
                type="button",
                class_="delete",
                av_click="confirm_delete",
                av_value_id=conversation.id,
                aria_label=f"Delete {title}",
            ),
        ]
    return h.li(*body, key=conversation.id, data_id=conversation.id, class_={"open": is_open})
