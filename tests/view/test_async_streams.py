"""async_stream: runs the view owns, real cancellation, leases, supersede/queue/refuse."""

from __future__ import annotations

import attrs
import trio
import trio.testing

from actorview.mailbox import on
from actorview.render import Element, h
from actorview.view import (
    ActionEvent,
    Applied,
    Emit,
    Rejected,
    Rendered,
    RunState,
    StreamBusy,
    StreamFailed,
    View,
    action,
    async_stream,
    clause,
    ops,
    state,
)
from tests.view.helpers import running, settle


@attrs.frozen
class Piece:
    word: str


@attrs.frozen
class Finished:
    pass


@attrs.frozen
class Pause:
    pass


@attrs.frozen
class Stranger:
    pass


class Gate:
    """Events a test uses to hold a stream body or the view's own task."""

    def __init__(self) -> None:
        self.emit_now = trio.Event()
        self.view_free = trio.Event()
        self.cleaned_up = False


GATE = Gate()


async def pieces(prompt: str, emit: Emit) -> None:
    try:
        words = prompt.split()
        if words[:1] == ["wait"]:
            words = words[1:]
            await GATE.emit_now.wait()
        if prompt == "fail":
            raise RuntimeError("no luck")
        if prompt == "stranger":
            await emit(Stranger())
        for word in words:
            await emit(Piece(word))
            await trio.sleep(1)
        await emit(Finished())
        if prompt.endswith("linger"):
            await trio.sleep_forever()
    finally:
        with trio.CancelScope(shield=True):
            await trio.sleep(5)  # slow cleanup: cancel must wait for it
        GATE.cleaned_up = True


class Echo(View, receives=(Pause,)):
    text = state(str)
    failure = state(str)
    finished = state(int)

    reply = async_stream(emits=(Piece, Finished))(pieces)

    go = action(
        ops.set(text=""), ops.fire("reply", prompt=lambda prompt: prompt), params={"prompt": str}
    )
    halt = action(ops.cancel("reply"))
    on_piece = clause(Piece, ops.append(text=lambda word: word + "."), batch=True)
    on_finished = clause(Finished, ops.set(finished=lambda finished: finished + 1))
    on_failure = clause(
        StreamFailed,
        ops.set(failure=lambda error_type, error: f"{error_type}: {error}"),
        match={"stream": "reply"},
    )

    @on(Pause)
    async def pause(self, message: Pause) -> None:
        await GATE.view_free.wait()

    def render(self) -> Element:
        return h.div(h.p(self.text, id="text"), h.p(self.failure, id="failure"))


class Queued(View):
    text = state(str)
    reply = async_stream(emits=(Piece, Finished), on_busy="queue", on_failure="notice")(pieces)
    go = action(ops.fire("reply", prompt=lambda prompt: prompt), params={"prompt": str})
    on_piece = clause(Piece, ops.append(text=lambda word: word + "."))
    on_finished = clause(Finished)


class Refusing(View):
    text = state(str)
    reply = async_stream(emits=(Piece, Finished), on_busy="refuse", on_failure="notice")(pieces)
    go = action(
        ops.set(text="fired"),
        ops.fire("reply", prompt=lambda prompt: prompt),
        params={"prompt": str},
    )
    on_piece = clause(Piece)
    on_finished = clause(Finished)


def reset_gate() -> None:
    global GATE
    GATE = Gate()


async def test_a_fired_run_streams_into_state_and_ends_done(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        assert await ref.ask(ActionEvent("go", {"prompt": "a b c"})) == Applied()
        await settle()
        run = view.live.streams["reply"].current
        assert run is not None and run.state is RunState.RUNNING
        await trio.sleep(10)
        assert view.text == "a.b.c."
        assert view.finished == 1
        assert view.live.streams["reply"].state is RunState.DONE


async def test_cancel_returns_after_the_run_has_ended(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view):
        runner = view.live.streams["reply"]
        view.live.store.act("go", {"prompt": "a b c linger"})
        await view.after_batch()
        assert runner.busy
        await runner.cancel()
        assert GATE.cleaned_up  # the shielded 5 s cleanup ran before cancel returned
        assert runner.state is RunState.CANCELLED
        assert not runner.busy


async def test_no_message_of_a_cancelled_run_is_handled_even_if_already_queued(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "wait x y z"}))
        await ref.tell(Pause())  # the view's task is now held in `pause`
        await ref.tell(ActionEvent("halt"))
        GATE.emit_now.set()  # the run emits x (queued after halt), then sleeps
        await settle()
        assert len(view.mailbox) == 2  # halt, Piece("x")
        GATE.view_free.set()
        await trio.sleep(10)  # the cancelled run's shielded cleanup takes 5 s
        assert view.text == ""
        assert view.mailbox.stats.revoked == 1
        assert view.live.streams["reply"].state is RunState.CANCELLED


async def test_messages_queued_before_the_cancel_are_still_handled(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "wait x"}))
        await ref.tell(Pause())
        GATE.emit_now.set()
        await settle()  # Piece("x") is queued
        await ref.tell(ActionEvent("halt"))
        GATE.view_free.set()
        await settle()
        assert view.text == "x."


async def test_a_new_fire_supersedes_the_live_run_and_drops_its_messages(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "old old old old"}))
        await trio.sleep(1.5)
        assert view.text == "old.old."
        first = view.live.streams["reply"].current
        await ref.ask(ActionEvent("go", {"prompt": "new new"}))
        await trio.sleep(5.5)  # the old run's shielded cleanup, then the new run starts
        second = view.live.streams["reply"].current
        assert first is not None and second is not None and first is not second
        assert first.state is RunState.CANCELLED
        await trio.sleep(30)
        assert view.text == "new.new."
        assert view.finished == 1
        assert second.state is RunState.DONE


async def test_a_queued_fire_starts_when_the_live_run_ends(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Queued()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "a b"}))
        await ref.ask(ActionEvent("go", {"prompt": "c d"}))
        await trio.sleep(60)
        assert view.text == "a.b.c.d."


async def test_a_refused_fire_rejects_the_action_and_changes_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Refusing()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "a b c"}))
        view.text = "kept"
        outcome = await ref.ask(ActionEvent("go", {"prompt": "x"}))
        assert isinstance(outcome, Rejected) and isinstance(outcome.error, StreamBusy)
        assert view.text == "kept"


async def test_a_run_that_raises_delivers_a_typed_failure_and_the_view_survives(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "fail"}))
        await trio.sleep(10)
        assert view.failure == "RuntimeError: no luck"
        assert view.live.streams["reply"].state is RunState.FAILED
        assert await ref.ask(ActionEvent("go", {"prompt": "again"})) == Applied()
        await trio.sleep(10)
        assert view.text == "again."


async def test_emitting_an_undeclared_type_fails_the_run(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "stranger"}))
        await trio.sleep(10)
        assert view.failure.startswith("EmitError: Echo.reply emitted a Stranger, which is not")


async def test_stopping_the_view_cancels_its_runs(autojump_clock: trio.testing.MockClock) -> None:
    reset_gate()
    view = Echo()
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "a b c d e f"}))
        run = view.live.streams["reply"].current
    assert run is not None and run.state is RunState.CANCELLED
    assert GATE.cleaned_up


async def test_a_burst_of_batch_messages_is_one_recompute_and_one_render(
    autojump_clock: trio.testing.MockClock,
) -> None:
    reset_gate()
    renders: list[Rendered] = []
    view = Echo(sink=renders.append)
    async with running(view) as ref:
        await ref.ask(ActionEvent("go", {"prompt": "wait a b c"}))
        await settle()
        passes, count = view.live.store.recomputes, len(renders)
        await ref.tell(Pause())
        GATE.emit_now.set()
        await trio.sleep(2.5)  # a, b, c queued behind the pause
        assert len(view.mailbox) == 3
        GATE.view_free.set()
        await settle()
        assert view.text == "a.b.c."
        assert view.live.store.recomputes == passes + 1
        assert len(renders) == count + 1
