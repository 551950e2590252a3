"""Failures of the view's own code are visible: a failed stream run shows a notice unless a
clause takes it, an action whose expressions raise is a server bug (not bad input), and a
stream without a failure clause is warned about when its class is defined."""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import attrs
import pytest
import trio

from actorview.mailbox import on
from actorview.render import Element, h
from actorview.view import (
    ActionEvent,
    Applied,
    Emit,
    ExpressionError,
    Failed,
    InvalidParams,
    MissingFailureClause,
    Notice,
    Rejected,
    StreamFailed,
    View,
    action,
    async_stream,
    clause,
    ops,
    state,
)
from actorview.view._notices import ACTION_FAILED_TEXT, MAX_NOTICE_CHARS, STREAM_FAILED_TEXT
from tests.logs import logged
from tests.view.helpers import running, settle


@attrs.frozen
class Word:
    word: str


async def words(prompt: str, emit: Emit) -> None:
    for word in prompt.split():
        if word == "boom":
            raise RuntimeError("the model server hung up (secret internal detail)")
        await emit(Word(word))
        await trio.sleep(1)


async def hangs_then_fails_on_cancel(emit: Emit) -> None:
    try:
        await trio.sleep_forever()
    finally:
        raise RuntimeError("cleanup failed while the run was being cancelled")


class Quiet(View):
    """Two streams without a failure clause: the runtime's notice is what they mean."""

    text = state(str)
    count = state(int)
    speak = async_stream(emits=(Word,), on_failure="notice")(words)
    hang = async_stream(emits=(Word,), on_failure="notice")(hangs_then_fails_on_cancel)

    go = action(ops.fire("speak", prompt=lambda prompt: prompt), params={"prompt": str})
    start_hang = action(ops.fire("hang"))
    stop_hang = action(ops.cancel("hang"))
    add = action(
        ops.set(text=lambda text, by: text + by),
        ops.set(count=lambda count, by: count + int(by)),  # int("x") raises: a bug here
        params={"by": str},
    )
    guarded = action(ops.set(count=1), when=lambda text: text[10] == "x")
    on_word = clause(Word, ops.append(text=lambda word: word + " "))

    def render(self) -> Element:
        return h.div(h.p(self.text, id="text"), h.p(str(self.count), id="count"))


class Handled(View):
    """A clause takes the failures of ``speak``; ``other`` has none."""

    failure = state(str)
    text = state(str)
    speak = async_stream(emits=(Word,))(words)
    other = async_stream(emits=(Word,), on_failure="notice")(words)

    go = action(ops.fire("speak", prompt=lambda prompt: prompt), params={"prompt": str})
    go_other = action(ops.fire("other", prompt=lambda prompt: prompt), params={"prompt": str})
    on_word = clause(Word, ops.append(text=lambda word: word))
    on_failed = clause(
        StreamFailed,
        ops.set(failure=lambda error_type: f"the reply failed ({error_type})"),
        match={"stream": "speak"},
    )


V = TypeVar("V", bound=View)


def with_notices(view_class: type[V]) -> tuple[V, list[Notice]]:
    """A new view whose notices go to the returned list."""
    notices: list[Notice] = []
    return view_class(notices=notices.append), notices


# -- stream failures -----------------------------------------------------------------------


async def test_a_failed_run_with_no_failure_clause_shows_the_default_notice(
    autojump_clock: trio.testing.MockClock,
) -> None:
    view, notices = with_notices(Quiet)
    with logged() as logs:
        async with running(view) as ref:
            await ref.ask(ActionEvent("go", {"prompt": "one two boom"}))
            await trio.sleep(5)
            await settle()
            assert notices == [Notice(STREAM_FAILED_TEXT)]
            assert "secret" not in notices[0].text, "details stay in the log"
            assert view.text == "one two ", "what the run emitted before it failed is kept"
            assert await ref.ask(ActionEvent("go", {"prompt": "again"})) == Applied()
            await trio.sleep(2)
            assert view.text == "one two again "
    failed = [e for e in logs if e["event"] == "stream.run.failed"]
    assert len(failed) == 1 and failed[0]["log_level"] == "error"
    assert failed[0]["stream"] == "speak" and failed[0]["view"] == "Quiet"
    assert "secret internal detail" in str(failed[0]["exc_info"])


async def test_a_failure_clause_replaces_the_default_notice_for_its_stream_only(
    autojump_clock: trio.testing.MockClock,
) -> None:
    view, notices = with_notices(Handled)
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "boom"}))
        await settle()
        assert view.failure == "the reply failed (RuntimeError)"
        assert notices == []
        await ref.ask(ActionEvent("go_other", {"prompt": "boom"}))
        await settle()
        assert notices == [Notice(STREAM_FAILED_TEXT)]


async def test_a_failure_its_clause_turns_down_still_shows_the_default_notice(
    autojump_clock: trio.testing.MockClock,
) -> None:
    class Picky(View):
        failure = state(str)
        speak = async_stream(emits=(Word,))(words)
        go = action(ops.fire("speak", prompt=lambda prompt: prompt), params={"prompt": str})
        on_word = clause(Word)
        on_timeout = clause(
            StreamFailed,
            ops.set(failure="timed out"),
            match={"stream": "speak"},
            when=lambda error_type: error_type == "TimeoutError",
        )

    view, notices = with_notices(Picky)
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "boom"}))
        await settle()
    assert view.failure == "" and notices == [Notice(STREAM_FAILED_TEXT)]


async def test_a_plain_on_method_for_stream_failed_replaces_the_notice_with_its_own(
    autojump_clock: trio.testing.MockClock,
) -> None:
    class OwnNotice(View):
        speak = async_stream(emits=(Word,))(words)
        go = action(ops.fire("speak", prompt=lambda prompt: prompt), params={"prompt": str})
        on_word = clause(Word)

        @on(StreamFailed, match={"stream": "speak"})
        def failed(self, message: StreamFailed) -> None:
            self.notify("The reply could not be finished. Send your message again.")

    view, notices = with_notices(OwnNotice)
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "boom"}))
        await settle()
    assert notices == [Notice("The reply could not be finished. Send your message again.")]


async def test_a_run_that_fails_while_being_cancelled_shows_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    view, notices = with_notices(Quiet)
    async with running(view) as ref:
        await ref.ask(ActionEvent("start_hang"))
        await settle()
        assert await ref.ask(ActionEvent("stop_hang")) == Applied()
        await settle()
        assert notices == [], "a cancelled run's failure is not the page's business"
        assert not view.live.streams["hang"].busy


async def test_a_view_without_a_notice_sink_logs_the_notice() -> None:
    with logged() as logs:
        Quiet().notify("hello")
    assert [(e["event"], e["text"]) for e in logs] == [("view.notice", "hello")]


def test_a_notice_is_plain_text_cut_to_its_bound() -> None:
    assert len(Notice("x" * 1_000).text) == MAX_NOTICE_CHARS
    with pytest.raises(TypeError, match="text"):
        Notice(42)  # type: ignore[arg-type]


# -- action failures -------------------------------------------------------------------------


async def test_an_action_whose_expression_raises_fails_logged_and_changes_nothing() -> None:
    view, notices = with_notices(Quiet)
    with logged() as logs:
        async with running(view) as ref:
            assert await ref.ask(ActionEvent("add", {"by": "2"})) == Applied()
            outcome = await ref.ask(ActionEvent("add", {"by": "two"}))
            assert isinstance(outcome, Failed)
            assert isinstance(outcome.error, ExpressionError)
            assert isinstance(outcome.error.__cause__, ValueError)
            assert (view.text, view.count) == ("2", 2), "all or nothing: text kept too"
            assert notices == [Notice(ACTION_FAILED_TEXT)]
            assert await ref.ask(ActionEvent("add", {"by": "1"})) == Applied()
            assert view.count == 3, "the view runs on"
    (failed,) = [e for e in logs if e["event"] == "view.action.failed"]
    assert failed["log_level"] == "error" and failed["action"] == "add"
    assert failed["view"] == "Quiet" and failed["actor_id"] == view.actor_id
    assert failed["exc_info"] is outcome.error, "logged with its traceback"
    assert "invalid literal for int()" in str(outcome.error)


async def test_a_guard_that_raises_is_a_failure_too() -> None:
    view, notices = with_notices(Quiet)
    async with running(view) as ref:
        outcome = await ref.ask(ActionEvent("guarded"))
    assert isinstance(outcome, Failed)
    assert "its guard raised IndexError" in str(outcome.error)
    assert view.count == 0 and len(notices) == 1


async def test_bad_input_from_the_browser_stays_a_rejected_event_with_its_message() -> None:
    view, notices = with_notices(Quiet)
    async with running(view) as ref:
        outcome = await ref.ask(ActionEvent("add", {"by": 3}))
    assert isinstance(outcome, Rejected) and isinstance(outcome.error, InvalidParams)
    assert "Quiet, action 'add': invalid params" in str(outcome.error)
    assert notices == [], "bad input is the browser's, not a server failure"


# -- the definition-time warning -------------------------------------------------------------


def define(body: dict[str, Any]) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        type("Defined", (View,), {"__module__": __name__, **body})
    return [w for w in caught if issubclass(w.category, MissingFailureClause)]


def test_a_stream_without_a_failure_clause_warns_naming_view_stream_and_fix() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        class Chatty(View):
            llm = async_stream(emits=(Word,))(words)
            on_word = clause(Word)

    (warning,) = [w for w in caught if issubclass(w.category, MissingFailureClause)]
    assert str(warning.message) == (
        "Chatty.llm (async_stream): no clause handles its StreamFailed, so a failed run "
        'shows only the default notice ("Something went wrong on the server"). Add '
        "`on_llm_failed = clause(StreamFailed, ..., match={'stream': 'llm'})`, or declare "
        'async_stream(..., on_failure="notice") if that notice is what you want.'
    )
    assert warning.filename == __file__, "it points at the class statement"
    assert Chatty.__view_spec__.failure_handled == frozenset()


def test_a_clause_an_on_method_or_the_opt_out_silence_the_warning() -> None:
    stream = async_stream(emits=(Word,))(words)
    assert define({"llm": stream, "w": clause(Word), "f": clause(StreamFailed)}) == []
    assert (
        define(
            {"llm": stream, "w": clause(Word), "f": clause(StreamFailed, match={"stream": "llm"})}
        )
        == []
    )

    def plain(self: View, message: StreamFailed) -> None:
        pass

    assert define({"llm": stream, "w": clause(Word), "f": on(StreamFailed)(plain)}) == []
    notice = async_stream(emits=(Word,), on_failure="notice")(words)
    assert define({"llm": notice, "w": clause(Word)}) == []


def test_a_clause_for_another_stream_leaves_this_one_warned_about() -> None:
    caught = define(
        {
            "llm": async_stream(emits=(Word,))(words),
            "tts": async_stream(emits=(Word,))(words),
            "w": clause(Word),
            "f": clause(StreamFailed, match={"stream": "llm"}),
        }
    )
    assert [str(w.message).split(" ")[0] for w in caught] == ["Defined.tts"]


def test_an_unknown_on_failure_is_a_definition_error() -> None:
    from actorview.errors import DefinitionError

    with pytest.raises(DefinitionError, match=r"on_failure='loud'\): use 'clause' or 'notice'"):
        define({"llm": async_stream(emits=(Word,), on_failure="loud")(words), "w": clause(Word)})  # type: ignore[arg-type]


def test_the_demo_chat_handles_its_streams_failures() -> None:
    from demo_chat.openai_view import OpenAIChatView
    from demo_chat.view import ChatView

    assert ChatView.__view_spec__.failure_handled == {"llm"}
    assert OpenAIChatView.__view_spec__.failure_handled == {"llm"}
