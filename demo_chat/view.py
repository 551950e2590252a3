"""The streaming chat view, written entirely in actorview's declarative view DSL.

DOM hooks: ``#prompt`` (the input), ``#send``, ``#cancel``, ``#clear``, ``#history``
with ``data-role="user"|"assistant"`` on each message (``av-key`` on each kept one), the
reply being streamed as its last item, ``li#draft`` (with ``#thinking`` inside until its
first token), ``#jump-latest``, ``#token-count`` and ``#failure``; after the last turn,
``button.retry`` (a reply that failed, was stopped or never came) or
``button.regenerate``, and ``button.edit`` (``#edit-prompt`` and ``button.resend`` in
its form); with Markdown on, ``button.copy`` in each reply and each of its code blocks,
and ``data-md`` (the Markdown source) on each finished block of a reply.

What happens: ``submit`` pushes the user's message, clears the input and fires the
``llm`` stream (a new submit while a reply streams supersedes it, keeping the partial
reply in the history marked stopped); each ``Chunk`` appends to ``draft`` (bursts are
coalesced), shown in ``li#draft``; ``Done`` moves the draft into the history, where the
history item takes ``li#draft``'s place; ``cancel`` stops the reply, kept as stopped;
a failure keeps it with its reason (``failure_text``); ``clear`` stops it and empties
the history. ``regenerate`` replaces the last reply (retry, for one that failed or was
stopped) and ``resend`` the last turn with an edited prompt: both delete what they
replace from the history (the store keeps the rest, ``HistoryStore.truncate``) and fire
again (``demo_chat.turns``). Tokens of a cancelled or superseded reply never reach the
draft: the runtime drops them (no run counter in this class).
``draft`` is a server field, not ``origin="stream"``: the chunks' clause appends to it,
but ``submit``, ``cancel`` and ``clear`` move it into the history and empty it at once,
in the same message as the cancel (only clauses may write a stream field).

With ``markdown`` (:class:`ChatParams`; the served demo has it), an assistant reply is
Markdown rendered on the server (``demo_chat.markdown``): while it streams,
incrementally (:func:`render_draft`); when it ends, its history item is made of the
blocks it streamed (:func:`render_reply`), so the page keeps them and the diff sends only
what differs (the tail promoted into the item). User messages stay plain text.

With a store, the history is a paged stream on the conversation: a fresh view shows its
newest :data:`HISTORY_PAGE` messages, scrolling ``#history`` to its top brings the page
before, and at most :data:`HISTORY_LIMIT` messages are in the page at once. What another
view or worker commits to the conversation is taken in as it is published on the
conversation's topic (``take_committed``; demo_chat.shared_history).

With a user's conversations (``ChatParams.conversations``; the served demo has it), the
view is one conversation of the page's identity, at ``/c/<id>`` (``load`` answers any
other identity's, or an unknown id, with :class:`PageNotFound`, and ``/`` with a
:class:`PageRedirect` to the newest), beside ``aside#sidebar`` (``demo_chat.sidebar``:
``#new-chat``, ``#conversations``). The sidebar's writes are ``async_stream`` runs
(``demo_chat.conversations``); a new chat and the delete of the open conversation move
the page there by ``ops.navigate``, and so does a back or forward move to another
conversation's URL (:class:`Reopen`): each conversation is its own view. What a view
changes it tells the owner's other views (``conversations:<owner>``), which
:class:`UserChatView`, the served one, listens to.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Final

import attrs

from actorview import on
from actorview.render import Element, Memo, h, normalize_text, raw
from actorview.view import (
    Appended,
    CollectionItems,
    ItemAdded,
    ItemRemoved,
    ItemsCleared,
    PageError,
    PageNotFound,
    PageRedirect,
    PageUrl,
    StreamChange,
    StreamFailed,
    View,
    action,
    async_stream,
    calculate,
    clause,
    ops,
    state,
    stream,
    subscribe,
)
from demo_chat.conversations import (
    LISTED,
    UserConversations,
    delete_conversation,
    list_conversations,
    rename_conversation,
    start_conversation,
)
from demo_chat.history_store import HistoryStore, Numbered
from demo_chat.llm import failure_text, fake_llm, sample_history
from demo_chat.markdown import MarkdownDraft, MarkdownStream, finish
from demo_chat.messages import (
    ChatParams,
    Chunk,
    Conversation,
    ConversationsChanged,
    Done,
    Listed,
    Message,
    Opened,
    Reopen,
)
from demo_chat.shared_history import HistoryChanged, history_topic
from demo_chat.sidebar import render_sidebar
from demo_chat.turns import (
    ANSWERED,
    FAILED,
    NO_TURN,
    STOPPED,
    UNANSWERED,
    edit_form,
    last_turn,
    streaming_reply,
    turn_actions,
)

HISTORY_PAGE: Final = 50
"""Messages in the first render of a kept conversation, and in each page scrolled to."""

HISTORY_LIMIT: Final = 500
"""Messages in the page at most; reading back prunes the newest (scrolling down brings
them back), new messages prune the oldest."""


def count_tokens(draft: str) -> int:
    """Tokens of the draft: its whitespace-separated words."""
    return len(draft.split())


def count_more_tokens(previous: int, change: Appended[str]) -> int:
    """``count_tokens`` after text was appended, from the previous count in O(len(added)).

    The first added word continues the draft's last word when neither side has a space
    at the seam.
    """
    added = change.added
    more = len(added.split())
    continues = bool(added[:1].strip()) and bool(change.preceding.strip())
    return previous + more - (1 if continues else 0)


def keep_draft(stopped: bool) -> tuple[ops.Op, ...]:
    """Ops moving a non-empty draft into the history as the assistant's message."""
    return ops.when(
        lambda draft: draft != "",
        ops.push(history=lambda draft: Message("assistant", draft, stopped)),
    )


def conversation_title(listed: Sequence[Conversation], open_id: str) -> str | None:
    """The page title for conversation ``open_id`` of the sidebar's ``listed``, or None
    (the application's title) when none is open or it has no title yet."""
    title = next((c.title for c in listed if c.id == open_id), "")
    return f"{title} · actorview chat" if title else None


def keep_stopped() -> tuple[ops.Op, ...]:
    """Ops keeping the streaming reply in the history as stopped, text or none: a turn
    stopped before its first token stays in the history as stopped too."""
    return ops.when(
        lambda streaming: streaming,
        ops.push(history=lambda draft: Message("assistant", draft, stopped=True)),
    )


def newest_key(history: CollectionItems[Message]) -> str:
    """The key of the history's newest shown message (the last turn's reply, or its
    prompt when it has none)."""
    return history.last or ""


def prompt_key(history: CollectionItems[Message], turn: str) -> str:
    """The key of the last turn's prompt: the newest message if the turn has no reply,
    else the one before it."""
    if turn == UNANSWERED:
        return newest_key(history)
    keys = reversed(history)
    next(keys, None)
    return next(keys, "")


def failed_reply(draft: str, error: str, error_type: str) -> Message:
    """The reply a failure ends: the text it had, and why it failed in words a person
    reads (:func:`~demo_chat.llm.failure_text`)."""
    return Message("assistant", draft, failure=failure_text(error, error_type))


def _ending(message: Message) -> Element | None:
    """How a reply ended, if not by finishing: its failure's reason, or "(stopped)"."""
    if message.failure:
        return h.p(message.failure, class_="failure-reason")
    if message.stopped:
        return h.span(" (stopped)", class_="stopped")
    return None


def _classes(message: Message, *more: str) -> list[str]:
    failed = ["failed"] if message.failure else []
    return ["message", message.role, *more, *failed]


def render_message(message: Message) -> Element:
    """One history item."""
    return h.li(
        message.text,
        _ending(message),
        data_role=message.role,
        class_=_classes(message, "plain") if message.role == "assistant" else _classes(message),
    )


def render_reply(message: Message, streamed: MarkdownStream | None = None) -> Element:
    """A history item of an assistant reply in Markdown: rendered once, when it is
    inserted (the stream keeps neither the item nor its HTML), with a ``button.copy`` that
    copies its Markdown source: each block's wrapper carries its own (``data-md``), and
    the page's script copies them joined, in order (``message.text``).

    Its blocks are laid out as the streaming reply's (:func:`render_draft`), and are the
    very pieces ``streamed`` showed when the reply is the text it streamed last
    (:meth:`~demo_chat.markdown.MarkdownStream.finished`): the diff then makes the tail
    this item in place (``StreamPromoteTail``), sending only what differs (the last
    block highlighted, with its source, and this bar), not the whole reply again, nor
    the sources the blocks already brought. Rendered from scratch (a reload, a history
    page), the reply is one block (:func:`~demo_chat.markdown.finish`) whose source is
    the whole text: the same copy."""
    if message.role != "assistant":
        return render_message(message)
    text = message.text
    finished = streamed.finished(text) if streamed is not None else finish(text)
    copy = h.button(type="button", class_="copy", aria_label="Copy reply")
    return h.li(
        h.div(*_block_groups(finished.blocks, finished.sources), class_="markdown"),
        _ending(message),
        h.div(copy, class_="reply-bar") if message.text else None,
        data_role=message.role,
        class_=_classes(message, "md"),
    )


def render_draft(draft: MarkdownDraft) -> list[Element | Memo]:
    """The streaming reply in Markdown: its finished blocks, each with its Markdown source
    (``data-md``, sent once, when the block finishes), then the open tail, whose markup
    alone changes per token (without its source: the page copies only a finished reply).

    The finished blocks are a memo rebuilt only when a block finishes, of groups of
    :data:`BLOCK_GROUP` (each a memo on its blocks: a full group is adopted as it was),
    so neither a token nor a finished block costs work that grows with the reply.
    """
    blocks, sources = draft.blocks, draft.sources
    return [
        h.memo((blocks, sources), lambda: h.div(*_block_groups(blocks, sources))),
        h.div(raw(draft.tail_html.rstrip("\n")), class_="tail"),  # text as in the history
    ]


def _block_groups(blocks: tuple[str, ...], sources: tuple[str, ...]) -> list[Memo]:
    groups = []
    for start in range(0, len(blocks), BLOCK_GROUP):
        group = blocks[start : start + BLOCK_GROUP]
        source = sources[start : start + BLOCK_GROUP]
        build = functools.partial(_block_group, group, source, start)
        groups.append(h.memo((group, source), build, key=start))
    return groups


def _block_group(group: tuple[str, ...], sources: tuple[str, ...], start: int) -> Element:
    return h.div(
        *[
            h.div(raw(html), key=start + i, data_md=source)
            for i, (html, source) in enumerate(zip(group, sources, strict=True))
        ]
    )


BLOCK_GROUP: Final = 32
"""Finished blocks of a streaming reply per group (see :func:`render_draft`)."""


class ChatView(View, receives=(Reopen,)):
    """A chat with a streaming (fake) LLM."""

    history = stream(Message, item=render_message, page=HISTORY_PAGE, limit=HISTORY_LIMIT)
    draft = state(str)  # chunks append to it; submit, cancel and clear move it away
    input = state(str, origin="client", optimistic=True)
    streaming = state(bool)
    failure = state(str)
    token_delay = state(float, 0.05)
    reply_length = state(int, 40)
    history_topic = state(str, history_topic(""))
    """Where the kept conversation's changes are told (demo_chat.shared_history)."""
    turn = state(str)  # how the last turn ended: a demo_chat.turns.Turn
    last_prompt = state(str)  # the last turn's prompt: what retry and regenerate send
    editing = state(bool)  # the last prompt is open in its edit form

    input_valid = calculate(lambda input: bool(input.strip()), optimistic=True)
    has_messages = calculate(lambda history: len(history) > 0)
    token_count = calculate(count_tokens, incremental=count_more_tokens)

    llm = async_stream(emits=(Chunk, Done))(fake_llm)

    # A user's conversations (ChatParams.conversations; demo_chat.conversations).
    conversation_id = state(str)
    """The open conversation's id ("" unless the view shows one of a user's)."""
    shelf = state(UserConversations | None, None)
    """The link to the user's conversations (a server field: it never reaches the page);
    None unless ``ChatParams.conversations``."""
    listed = state(tuple[Conversation, ...], ())
    """The sidebar's conversations, newest first."""
    renaming = state(str)
    """The id of the conversation whose title is being edited in the sidebar."""
    leaving = state(bool)
    """The view moves the page to another conversation: it lists nothing more."""
    confirming = state(str)
    """The id of the conversation whose delete waits for its confirmation."""

    page_title = calculate(
        lambda listed, conversation_id: conversation_title(listed, conversation_id)
    )
    """The tab's title: the open conversation's (None, the application's, without one)."""

    owner = state(str)
    """The page's identity, whose conversations these are ("" without a shelf); its
    views' topic is ``conversations:<owner>`` (:class:`UserChatView` listens to it)."""

    lister = async_stream(emits=(Listed,), on_failure="notice", on_busy="queue")(list_conversations)
    opener = async_stream(emits=(Opened,), on_failure="notice", on_busy="refuse")(
        start_conversation
    )
    renamer = async_stream(emits=(Listed,), on_failure="notice")(rename_conversation)
    deleter = async_stream(emits=(Listed, Opened), on_failure="notice", on_busy="queue")(
        delete_conversation
    )

    new_chat = action(ops.fire("opener"), when=lambda has_messages: has_messages)
    start_rename = action(ops.set(renaming=lambda id: id, confirming=""), params={"id": str})
    stop_rename = action(ops.set(renaming=""))
    rename = action(
        ops.fire("renamer", id=lambda id: id, title=lambda title: title),
        params={"id": str, "title": str},
        when=lambda title: bool(title.strip()),
    )
    confirm_delete = action(ops.set(confirming=lambda id: id, renaming=""), params={"id": str})
    stop_delete = action(ops.set(confirming=""))
    delete = action(
        ops.set(confirming=""), ops.fire("deleter", id=lambda id: id), params={"id": str}
    )

    on_listed = clause(
        Listed,
        ops.set(listed=lambda conversations: conversations),
        ops.when(  # this view's own change: its rename is done, the other tabs are told
            lambda changed: changed,
            ops.set(renaming=""),
            ops.publish("conversations:{owner}", lambda: ConversationsChanged()),
        ),
        # Deleted in another tab (a list shorter than the sidebar's bound would hold
        # it): go to the newest ("/" redirects there).
        ops.when(
            lambda conversations, conversation_id, changed, leaving: (
                not changed
                and not leaving
                and len(conversations) < LISTED
                and all(c.id != conversation_id for c in conversations)
            ),
            ops.set(leaving=True),
            ops.navigate("/", replace=True),
        ),
    )
    on_opened = clause(
        Opened,
        ops.set(leaving=True),
        ops.when(
            lambda changed: changed,
            ops.publish("conversations:{owner}", lambda: ConversationsChanged()),
        ),
        ops.navigate(lambda id: f"/c/{id}"),
    )
    on_reopen = clause(Reopen, ops.navigate(lambda id: f"/c/{id}", replace=True))

    submit = action(
        keep_stopped(),  # a reply still streaming is superseded: kept as stopped
        ops.push(history=lambda input: Message("user", input.strip())),
        ops.set(input="", draft="", streaming=True, failure="", editing=False),
        ops.set(last_prompt=lambda input: input.strip()),
        ops.fire("llm", prompt=lambda input: input.strip()),
        ops.when(lambda shelf: shelf is not None, ops.fire("lister", changed=True)),  # title
        when=lambda input_valid: input_valid,
        optimistic=True,
    )
    cancel = action(
        ops.cancel("llm"),
        keep_stopped(),
        ops.set(draft="", streaming=False, turn=STOPPED),
        when=lambda streaming: streaming,
    )
    clear = action(
        ops.cancel("llm"),
        ops.reset("history"),
        ops.set(draft="", streaming=False, failure="", turn=NO_TURN, last_prompt=""),
        ops.set(editing=False),
    )
    regenerate = action(
        # The reply goes (the store forgets it too); an unanswered prompt has none.
        ops.when(lambda turn: turn != UNANSWERED, ops.delete("history", newest_key)),
        ops.set(draft="", streaming=True, failure="", editing=False),
        ops.fire("llm", prompt=lambda last_prompt: last_prompt),
        when=lambda turn, streaming, history: (
            turn != NO_TURN and not streaming and history.after == 0
        ),
    )
    """Retry (``button.retry``) or regenerate (``button.regenerate``) the last reply:
    the reply it replaces leaves the history, and the last prompt is sent again. Only
    while no reply streams, and while the newest message is shown (else the history's
    last item would not be the reply)."""
    edit = action(
        ops.set(editing=True), when=lambda turn, streaming: turn != NO_TURN and not streaming
    )
    stop_editing = action(ops.set(editing=False))
    resend = action(
        ops.when(lambda turn: turn != UNANSWERED, ops.delete("history", newest_key)),
        ops.delete("history", prompt_key),
        ops.push(history=lambda text: Message("user", text.strip())),
        ops.set(draft="", streaming=True, failure="", editing=False),
        ops.set(last_prompt=lambda text: text.strip()),
        ops.fire("llm", prompt=lambda text: text.strip()),
        params={"text": str},
        when=lambda text, editing, streaming, history: (
            editing and not streaming and bool(text.strip()) and history.after == 0
        ),
    )
    """Send the edited last prompt (``#edit-prompt``): the last turn leaves the history
    (the store forgets it too) and the new prompt takes its place, answered afresh."""

    on_chunk = clause(Chunk, ops.append(draft=lambda text: text), batch=True)
    on_done = clause(
        Done,
        keep_draft(stopped=False),
        ops.set(draft="", streaming=False),
        ops.set(turn=lambda draft: ANSWERED if draft else UNANSWERED),
    )
    on_failure = clause(
        StreamFailed,
        ops.push(history=failed_reply),
        ops.set(draft="", streaming=False, failure=failure_text, turn=FAILED),
        match={"stream": "llm"},
    )

    # Messages another view or worker committed to this conversation: taken in from the
    # store (the view that committed them already shows them; it does nothing).
    shared = subscribe("{history_topic}", HistoryChanged)

    @on(HistoryChanged)
    async def take_committed(self, changed: HistoryChanged) -> None:
        kept = self._kept
        if kept is not None and changed.conversation == kept.conversation:
            rewritten = changed.rewritten or not await kept.in_step(self.history.total)
            if rewritten:
                kept.forget_positions()
            try:
                await self.refresh_pages("history", rewritten=rewritten)
            except PageError:  # it changed again between the count and the page: reread
                kept.forget_positions()
                await self.refresh_pages("history", rewritten=True)
            if not self.streaming:  # its own turn, while it has one, is its own to show
                self.turn, self.last_prompt = last_turn(await kept.newest(2))

    def mount(self, params: ChatParams) -> None:
        self.token_delay = params.token_delay
        self.reply_length = params.reply_length
        self._markdown = MarkdownStream() if params.markdown else None
        self._kept: KeptHistory | None = None
        self._sample = params.history
        if params.conversations:
            if not isinstance(params.store, HistoryStore):
                raise TypeError(
                    "ChatView: ChatParams(conversations=True) needs a HistoryStore as the "
                    f"store mount param, got {type(params.store).__name__}"
                )
            self.shelf = UserConversations(params.store, self.context.identity.id)
            self.owner = self.context.identity.id
            self.conversation_id = params.conversation
        if params.store is not None and params.conversation:
            self._kept = KeptHistory(params.store, params.conversation)
            self.history_topic = history_topic(params.conversation)
        elif not params.conversations:
            sample = sample_history(params.history)
            for message in sample:
                self.history.insert(message, at_start=False)
            self.turn, self.last_prompt = last_turn(sample[-2:])

    def handle_params(self, url: PageUrl) -> None:
        """A back or forward move to another conversation's URL (a patch within the
        route) mounts the view there again: its history is another stream source."""
        wanted = url.path_params.get("conversation", "")
        if self.shelf is not None and wanted and wanted != self.conversation_id:
            self.live.ref.tell_nowait(Reopen(wanted))

    async def load(self) -> None:
        """Show the kept history's newest page (read off the event loop) in the first
        render, the page's HTML included, and what its last turn can do; a new
        conversation starts with the ``history`` sample messages kept.

        With a user's conversations: ``/`` is redirected (:class:`PageRedirect`) to the
        newest one (a new one if there is none), a conversation that is not the user's
        is not found (:class:`PageNotFound`: the 404 page), and the sidebar's list is
        read."""
        shelf = self.shelf
        if shelf is not None:
            if not self.conversation_id:
                raise PageRedirect(f"/c/{(await shelf.newest()).id}")
            if await shelf.owned(self.conversation_id) is None:
                raise PageNotFound(f"no conversation {self.conversation_id[:40]!r} of this user")
            self.listed = await shelf.listed()
        if self._kept is not None:
            if self._sample:
                await self._kept.seed(sample_history(self._sample))
            await self.open_pages("history", self._kept)
            self.turn, self.last_prompt = last_turn(await self._kept.newest(2))

    def render(self) -> Element:
        """The conversation (``#chat``: its history, the reply being written, the
        composer), after the sidebar (``#app`` holds both) with a user's conversations.
        All in this one method: the bindings the page recomputes are inferred from it."""
        markdown = self._markdown
        chat = h.div(
            {"id": "chat"},
            self.history.slot(
                "ul",
                render_message
                if markdown is None
                else functools.partial(render_reply, streamed=markdown),
                id="history",
                av_autoscroll=True,
                tail=self.history_tail(),  # the reply while it streams: its path is short
            ),
            # Shown by the page's script (chat.js) while the history is scrolled up; the
            # stylesheet lays it over the history's bottom.
            h.button(
                "Jump to latest",
                id="jump-latest",
                type="button",
                hidden=True,
                aria_label="Jump to the latest message",
            ),
            h.p(self.failure, id="failure", role="alert", hidden=not self.failure),
            h.form(
                h.input(
                    id="prompt",
                    name="input",  # a client str field: av-input="input" is inferred
                    autocomplete="off",
                    placeholder="Ask something",
                    aria_label="Message",
                ),
                h.button(
                    "Send",
                    id="send",
                    type="submit",
                    # Inferred binding: the browser recomputes this from its own
                    # input_valid as the user types, with `streaming` as the server
                    # last rendered it (docs/OPTIMISTIC.md, "Bindings").
                    disabled=not self.input_valid or self.streaming,
                ),
                id="composer",
                av_submit="submit",
                av_reset=True,
                av_enter_submits=True,
            ),
            h.div(
                h.button(
                    "Cancel",
                    id="cancel",
                    type="button",
                    av_click="cancel",
                    disabled=not self.streaming,
                ),
                h.button(
                    "Clear",
                    id="clear",
                    type="button",
                    av_click="clear",
                    disabled=not (self.has_messages or self.streaming),
                ),
                id="toolbar",
            ),
            # The count in its own element, a child of the chat: a token then changes only
            # its digits, at a short path (the reply streaming in the history costs one
            # more step than a box of its own did).
            h.span(
                h.span(str(self.token_count)),
                " tokens",
                id="token-count",
                class_="dev-figure",  # a developer's figure: small, and not on a phone
                title="Words in the reply being streamed (a developer's figure)",
            ),
        )
        if self.shelf is None:
            return chat
        return h.div(
            h.header(
                h.button(
                    "☰",
                    id="sidebar-toggle",
                    type="button",
                    aria_controls="sidebar",
                    aria_expanded="false",  # chat.js opens and closes it (a phone's drawer)
                    aria_label="Conversations",
                ),
                h.span("actorview chat", class_="brand"),
                id="topbar",
            ),
            # A region: built again only when its inputs change, not per token.
            self.region(
                lambda: render_sidebar(
                    self.listed, self.conversation_id, self.renaming, self.confirming
                )
            ),
            h.main(chat, id="main"),
            id="app",
        )

    def history_tail(self) -> Element:
        """The history's tail (its last item, after the kept messages): the reply while
        it streams, else what the last turn can do, else an empty ``template``."""
        markdown = self._markdown
        if self.streaming or self.draft:
            if markdown is None:
                content: list[Element | Memo] | str = self.draft
            else:
                content = render_draft(markdown.render(self.draft))  # no wrapper: short paths
            return streaming_reply(content, thinking=not self.draft, markdown=markdown is not None)
        if self.history.after > 0:
            return h.template()  # the newest messages are not shown: nothing to act on
        if self.editing:
            return edit_form(self.last_prompt)
        if self.turn != NO_TURN:
            return turn_actions(self.turn)
        return h.template()


class UserChatView(ChatView):
    """The served chat: :class:`ChatView` with a user's conversations, whose tabs follow
    each other's changes to them (a title, a rename, a delete) through the owner's topic.

    Apart from :class:`ChatView` so that a chat without conversations (the library's
    benchmarks, its tests) holds no second subscription: each costs the view a task.
    """

    told = subscribe("conversations:{owner}", ConversationsChanged)
    """Another view of the owner (another tab) changed the conversations."""
    on_told = clause(
        ConversationsChanged,
        ops.when(lambda leaving: not leaving, ops.fire("lister", changed=False)),
    )


class KeptHistory:
    """The chat's link to its :class:`HistoryStore`: one conversation's committed messages,
    the history stream's :class:`~actorview.view.KeptSource`."""

    def __init__(self, store: Any, conversation: str) -> None:
        if not isinstance(store, HistoryStore):
            raise TypeError(
                f"ChatView: the store mount param must be a HistoryStore (load, append, "
                f"clear), got {type(store).__name__}"
            )
        self.store = store
        self.conversation = conversation
        self._numbers: OrderedDict[int, int] = OrderedDict()
        """Message numbers (store ``seq``) by position in the conversation, for the ends
        of the pages read: the next page is a range scan from one of them. Bounded."""
        self._counted: int | None = None
        """The count just read: the page ending there is the newest (until read)."""
        self._newest: Message | None = None
        """The conversation's newest message as the view has it (kept or read last), to
        tell messages added elsewhere after it from a history that moved under it."""

    async def load(self) -> list[Message]:
        return await self.store.load(self.conversation)

    def forget_positions(self) -> None:
        """Forget the message numbers by position: the conversation was rewritten
        elsewhere (a truncate, a clear), so positions name other messages now."""
        self._numbers.clear()
        self._counted = None

    async def in_step(self, total: int) -> bool:
        """Whether the conversation is the ``total`` messages the view has, then only
        messages added after them (by another view or worker): its newest message is
        still the one at position ``total - 1``. False if the history moved under the
        view (another view appended at the same moment as this one, or rewrote it) or
        more than a page was added: the view then shows the newest page again."""
        count = await self.store.count(self.conversation)
        if count <= total or total == 0:
            return count == total
        if self._newest is None or count - total > HISTORY_PAGE:
            return False
        rows = await self.store.before(self.conversation, None, count - total + 1)
        if len(rows) != count - total + 1 or rows[0][1] != self._newest:
            return False
        if await self.store.count(self.conversation) != count:
            return False  # it changed while read: the rows may not start at total - 1
        self._remember(total - 1, rows[0][0])  # the new page is read from here (after)
        self._remember(count - 1, rows[-1][0])
        self._newest = rows[-1][1]
        return True

    async def newest(self, count: int) -> list[Message]:
        """The conversation's newest ``count`` messages, oldest first."""
        return [message for _, message in await self.store.before(self.conversation, None, count)]

    async def seed(self, messages: list[Message]) -> None:
        """Keep ``messages`` as the conversation if it has none yet (``--history N``)."""
        if await self.store.count(self.conversation) == 0:
            await self.store.append(self.conversation, messages)

    # -- the paged stream's source (actorview.view.PageSource) -------------------------

    async def count(self) -> int:
        """How many messages the conversation has."""
        self._counted = await self.store.count(self.conversation)
        return self._counted

    async def slice(self, start: int, stop: int) -> list[Message]:
        """The messages at positions ``start .. stop - 1``, oldest first: a range scan
        from the number of a neighbouring message read before (or the newest page right
        after :meth:`count`); an offset walk only if no neighbour is known."""
        size = stop - start
        rows = await self._rows(start, stop, size)
        if len(rows) == size and rows:
            self._remember(start, rows[0][0])
            self._remember(stop - 1, rows[-1][0])
        return [message for _, message in rows]

    async def _rows(self, start: int, stop: int, size: int) -> list[Numbered]:
        known, counted, self._counted = self._numbers, self._counted, None
        store, conversation = self.store, self.conversation
        if stop in known:
            return await store.before(conversation, known[stop], size)
        if stop - 1 in known:
            return await store.before(conversation, known[stop - 1] + 1, size)
        if start - 1 in known:
            return await store.after(conversation, known[start - 1], size)
        if start in known:
            return await store.after(conversation, known[start] - 1, size)
        if stop == counted:
            rows = await store.before(conversation, None, size)
            self._newest = rows[-1][1] if rows else None
            return rows
        return await store.at(conversation, start, size)

    def _remember(self, position: int, number: int) -> None:
        self._numbers[position] = number
        self._numbers.move_to_end(position)
        while len(self._numbers) > _REMEMBERED:
            self._numbers.popitem(last=False)

    async def keep(self, changes: Sequence[StreamChange]) -> None:
        """Write what an action or a clause is about to do to the history, before it is
        done (the view's :class:`~actorview.view.KeptSource` call): a reset clears,
        added messages are appended, in order, each run of them in one transaction.

        A removal is of the newest message: the chat removes only the last turn's
        messages (``ops.delete`` of the newest keys, by regenerate and resend), and only
        while the newest message is shown. Removed messages are forgotten with one
        ``truncate`` before the added ones are appended.

        Raises what the store raises (a read-only file, a full disk): the view then
        makes none of the changes and tells the page (the user's text stays in its box).
        """
        batch: list[Message] = []
        removed = 0
        for change in changes:
            match change:
                case ItemsCleared():
                    batch.clear()
                    removed = 0
                    await self.store.clear(self.conversation)
                    self._numbers.clear()  # positions now name the messages that follow
                    self._newest = None
                case ItemAdded(item=Message() as message):
                    batch.append(message)
                case ItemRemoved():
                    if batch:
                        batch.pop()  # added by the same changes: never stored
                    else:
                        removed += 1
                case _:
                    raise ValueError(f"the chat history does not {type(change).__name__}")
        if removed:
            keep = await self.store.count(self.conversation) - removed
            await self.store.truncate(self.conversation, keep)
            self._newest = None  # (unknown until read again, or set by the batch below)
            for position in [p for p in self._numbers if p >= keep]:
                del self._numbers[position]  # those positions will name new messages
        if batch:
            await self.store.append(self.conversation, batch)
            newest = batch[-1]  # as the store keeps it, to compare with what it gives
            self._newest = attrs.evolve(
                newest, text=normalize_text(newest.text), failure=normalize_text(newest.failure)
            )


_REMEMBERED: Final = 64
"""Positions whose message number :class:`KeptHistory` keeps (two per page read)."""
