"""The chat's reply as a job: it outlives its page, and every view of the conversation
follows it.

:class:`ResumableChatView` is the :class:`~demo_chat.view.ChatView` whose ``llm`` is a
``job("reply:{conversation}")`` (``actorview.jobs``) instead of an ``async_stream`` run
by the view: the reply goes on when its tab reloads, drops its socket or moves to
another worker, and a view that joins mid-reply shows the text so far, then the rest
live. Two tabs of one conversation stream the same reply; Cancel in either stops it.

Who commits what, and why:

- The prompt is committed by the view that submits it (``ChatView.submit``'s ``push``,
  kept before it is shown: when the store fails, the text stays in the box), and the
  optimistic submit works as in :class:`ChatView`.
- The reply is committed by the job's owner, once, whoever follows it
  (:func:`reply_job`): at its end, or, stopped or failed, in a cleanup step that
  cancellation cannot interrupt (shielded, bounded by :data:`COMMIT_BOUND`). Were the
  views to commit it, two followers would store it twice. Every view, the firing one
  too, takes the committed reply in through the shared-history path (the store's
  change published on the conversation's topic, ``ChatView.take_committed``) and shows
  only the live part from the job.
- The commit is fenced: the reply is kept only if the conversation still ends with the
  prompt it answers (its newest message's number is the one the run began after). A
  Clear, a regenerate or a prompt that landed meanwhile wins; the reply is then not
  kept out of order.

A submit while a reply streams (Send and Enter are disabled then; a script may send
it) supersedes it, as in :class:`ChatView`: the submitting view keeps the reply as far
as it shows it, stopped, before its prompt; the superseded run's own commit is then
fenced out. A run whose worker died (``JobLost``) is shown failed in every view; its
partial reply is not kept (no owner is left to keep it).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, Final

import attrs
import trio

from actorview import on
from actorview.logging import get_logger
from actorview.render import Element
from actorview.view import (
    KEEP_FAILED_TEXT,
    Emit,
    JobCancelled,
    StreamFailed,
    action,
    clause,
    job,
    ops,
    state,
)
from demo_chat.history_store import HistoryStore
from demo_chat.llm import failure_text, fake_llm
from demo_chat.messages import ChatParams, Chunk, Done, Message
from demo_chat.shared_history import HistoryChanged
from demo_chat.turns import ANSWERED, FAILED, STOPPED, UNANSWERED, last_turn, streaming_reply
from demo_chat.view import ChatView, UserChatView, failed_reply, submitting

_log = get_logger(component="demo_chat.reply")

COMMIT_BOUND: Final = 5.0
"""Seconds the owner's commit of a stopped or failed reply may take at most (it is
shielded from the cancellation that stopped the reply, so it needs a bound of its own)."""


@attrs.frozen
class NotKept:
    """The store refused the finished reply (a full disk, a read-only file): the views
    keep it on the page, say so, and the next submit keeps it (as stopped) before its
    prompt, as :class:`ChatView` does with a reply it could not keep."""


@attrs.frozen
class Begun:
    """A reply run began (its first part): every view of the conversation shows a
    reply streaming from here, the ones that did not fire it too. ``after``: the number
    (``seq``) of the prompt it answers, the conversation's newest message when it began
    (``None`` in an empty one)."""

    after: int | None = None


Produce = Callable[[Emit], Awaitable[None]]
"""A model's reply to one prompt: it emits a ``Chunk`` per token (a ``Done`` it emits is
not passed on: :func:`keep_reply` says when the reply is done, after keeping it)."""


async def reply_job(
    prompt: str,
    token_delay: float,
    reply_length: int,
    conversation: str,
    reply_store: Any,
    emit: Emit,
) -> None:
    """The fake model's reply to ``prompt`` (:func:`~demo_chat.llm.fake_llm`), kept by
    :func:`keep_reply`."""
    produce = functools.partial(fake_llm, prompt, token_delay, reply_length)
    await keep_reply(produce, conversation, reply_store, emit)


async def keep_reply(produce: Produce, conversation: str, reply_store: Any, emit: Emit) -> None:
    """``Begun``, a ``Chunk`` per token ``produce`` emits, then the reply committed to
    ``reply_store`` and ``Done`` (``NotKept`` before it if the store refused the reply).

    Cancelled (Cancel in any view, a superseding fire, the application stopping), it
    keeps the text so far as a stopped reply; failed, as a failed one with its reason,
    and raises again. Both commits are shielded and bounded by :data:`COMMIT_BOUND`, and
    fenced (:func:`_commit`).
    """
    store: HistoryStore = reply_store
    newest = await store.before(conversation, None, 1)
    after = newest[-1][0] if newest else None
    text: list[str] = []

    async def collect(message: object) -> None:
        if isinstance(message, Chunk):
            text.append(message.text)
            await emit(message)

    await emit(Begun(after))
    try:
        await produce(collect)
    except trio.Cancelled:
        with trio.CancelScope(shield=True), trio.move_on_after(COMMIT_BOUND):
            await _commit(store, conversation, after, Message("assistant", "".join(text), True))
        raise
    except Exception as error:
        failed = failed_reply("".join(text), str(error), type(error).__name__)
        with trio.CancelScope(shield=True), trio.move_on_after(COMMIT_BOUND):
            await _commit(store, conversation, after, failed)
        raise
    if text:
        try:
            await _commit(store, conversation, after, Message("assistant", "".join(text)))
        except Exception as error:  # the store's refusal, whatever its kind: said, not fatal
            _log.warning("chat.reply.keep_failed", conversation=conversation, error=str(error))
            await emit(NotKept())
    await emit(Done())


async def _commit(
    store: HistoryStore, conversation: str, after: int | None, reply: Message
) -> None:
    """Append ``reply`` if the conversation's newest message is still number ``after``
    (the prompt it answers); else log that it was left out (``chat.reply.not_kept``)."""
    newest = await store.before(conversation, None, 1)
    if (newest[-1][0] if newest else None) != after:
        _log.info("chat.reply.not_kept", conversation=conversation, reason="the history moved")
        return
    await store.append(conversation, [reply])


class ResumableChatView(ChatView):
    """The chat whose reply is a job of its conversation (see the module); it needs a
    store and a conversation (the served demo gives both)."""

    conversation = state(str)
    reply_store = state(object, None)
    answered = state(bool)
    """The kept conversation ends with a reply (as last read from the store): a run's end
    heard then (a page that joined after the reply was kept) drops the draft at once."""

    unkept = state(bool)
    """The job's owner could not keep the finished reply (``NotKept``): it stays on the
    page, and the next submit keeps it."""

    awaiting = state(bool)
    """The reply was stopped here or elsewhere and its owner's commit is awaited: the page
    shows the (possibly empty) reply's place until the kept reply takes it."""

    kept_answer = state(object, None)
    """The number of the prompt the kept conversation's newest reply answers, as read at
    load (``None`` when it does not end with a reply, and after any change to it): a run
    answering that prompt, heard while no reply streams here, wrote the kept reply. It
    is the replay a page that joins after the reply ended hears (the ended run is kept
    for late followers), and it is not shown: the kept reply is on the page already."""

    replayed = state(bool)
    """The run being heard is such a replay: its parts are not shown."""

    llm = job("reply:{conversation}", emits=(Begun, Chunk, NotKept, Done))(reply_job)

    submit = action(
        # A reply still streaming is superseded, one the store refused is kept now: both
        # as stopped, as far as this view shows it (the run's own commit is fenced out).
        *submitting(
            ops.when(
                lambda streaming, unkept: streaming or unkept,
                ops.push(history=lambda draft: Message("assistant", draft, stopped=True)),
            ),
            unkept=False,
        ),
        when=lambda input_valid: input_valid,
        optimistic=True,
    )

    cancel = action(
        ops.cancel("llm"),  # returns once the run ended: its owner kept the reply stopped
        ops.set(streaming=False, turn=STOPPED, awaiting=True),  # shown until the kept one is in
        when=lambda streaming: streaming,
    )

    @on(Begun)
    def reply_begun(self, begun: Begun) -> None:
        """Show the reply streaming from here, unless it is the replay of the run that
        wrote the kept reply (:attr:`kept_answer`)."""
        answers = begun.after
        self.replayed = not self.streaming and answers is not None and answers == self.kept_answer
        if self.replayed:
            return
        self.draft, self.streaming, self.failure = "", True, ""
        self.editing = self.unkept = self.awaiting = False

    on_chunk = clause(
        Chunk, ops.append(draft=lambda text: text), when=lambda replayed: not replayed, batch=True
    )

    @on(NotKept)
    def reply_not_kept(self, _: NotKept) -> None:
        self.unkept = True
        self.notify(KEEP_FAILED_TEXT)

    on_done = clause(
        Done,
        ops.set(streaming=False),
        # Kept already (its news came first, or the page joined after): the store's turn
        # stands and the draft goes; else the kept reply's news takes the draft's place.
        ops.when(lambda answered: answered, ops.set(draft="")),
        ops.when(
            lambda answered: not answered,
            ops.set(turn=lambda draft: ANSWERED if draft else UNANSWERED),
        ),
    )
    on_failure = clause(
        StreamFailed,
        ops.set(streaming=False, failure=failure_text, turn=FAILED),
        # A lost run's worker is gone: no kept reply will take the draft's place.
        ops.when(
            lambda error_type, answered: answered or error_type == "JobLost", ops.set(draft="")
        ),
        match={"stream": "llm"},
    )
    on_stopped = clause(
        JobCancelled,
        ops.set(streaming=False, turn=STOPPED),
        ops.when(lambda answered: answered, ops.set(draft="")),
        ops.when(lambda answered: not answered, ops.set(awaiting=True)),
        match={"job": "llm"},
    )

    @on(HistoryChanged)
    async def take_committed(self, changed: HistoryChanged) -> None:
        """Take in the committed change (:meth:`ChatView.take_committed`); when it is the
        reply's commit (the conversation now ends with a reply while one streams here), or
        no reply streams, the draft goes: the kept reply took its place, in this render."""
        await super().take_committed(changed)
        kept = self._kept
        if kept is None or changed.conversation != kept.conversation:
            return
        self.kept_answer = None  # changed since load: a run heard now is not a replay
        newest = await kept.newest(2)
        self.answered = bool(newest) and newest[-1].role == "assistant"
        if self.streaming:
            if not self.answered:
                return
            self.streaming = False
            self.turn, self.last_prompt = last_turn(newest)
        self.draft = ""
        self.awaiting = False

    def history_tail(self) -> Element:
        """:meth:`ChatView.history_tail`, and while a stopped reply's commit is awaited the
        reply's place (empty if it was stopped before its first token), so the page does
        not show the turn without it in between."""
        if self.awaiting and not self.streaming and not self.draft:
            return streaming_reply("", thinking=False, markdown=self._markdown is not None)
        return super().history_tail()

    async def load(self) -> None:
        """:meth:`ChatView.load`, and whether the conversation ends with a kept reply."""
        await super().load()
        kept = self._kept
        if kept is not None:
            newest = await kept.store.before(kept.conversation, None, 2)
            self.answered = bool(newest) and newest[-1][1].role == "assistant"
            if self.answered and len(newest) == 2 and newest[0][1].role == "user":
                self.kept_answer = newest[0][0]

    def mount(self, params: ChatParams) -> None:
        if params.store is None or not (params.conversation or params.conversations):
            raise TypeError(
                "ResumableChatView: its reply is a job of its conversation, kept by the "
                "job's owner: mount it with a store and a conversation (ChatParams(store=..., "
                "conversation=...)), or use ChatView"
            )
        super().mount(params)
        self.conversation = params.conversation
        self.reply_store = params.store


class UserResumableChatView(ResumableChatView, UserChatView):
    """The served chat: a user's conversations (:class:`~demo_chat.view.UserChatView`),
    each one's reply a job (:class:`ResumableChatView`). At ``/`` (no conversation yet)
    ``load`` redirects the page to one before the view starts, so no job key is followed."""
