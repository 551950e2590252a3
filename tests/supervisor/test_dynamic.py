"""Children added and removed at run time (one view per connection)."""

from __future__ import annotations

import pytest
import trio

from actorview.supervisor import (
    ChildSpec,
    ChildStartFailed,
    ChildState,
    DuplicateChildId,
    Restart,
    Strategy,
    Supervisor,
    SupervisorNotRunning,
    UnknownChild,
)
from tests.supervisor.puppets import Boom, Puppet, Troupe, running, settle


async def test_start_child_returns_the_handle_once_the_child_is_up() -> None:
    troupe = Troupe()
    async with running(Supervisor(name="views")) as sup:
        puppet = await sup.start_child(troupe.spec("conn-1"))
        assert puppet is troupe.handles["conn-1"]
        assert [(c.id, c.state, c.handle) for c in sup.which_children()] == [
            ("conn-1", ChildState.RUNNING, puppet)
        ]


async def test_dynamic_children_are_restarted_like_static_ones_and_stopped_in_reverse() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("static")], strategy=Strategy.REST_FOR_ONE)) as sup:
        await sup.start_child(troupe.spec("d1"))
        await sup.start_child(troupe.spec("d2"))
        troupe.events.clear()
        troupe.handles["d1"].crash()
        await settle()
        assert troupe.events == [
            ("crashed", "d1"),
            ("returned", "d2"),
            ("started", "d1"),
            ("started", "d2"),
        ]
        troupe.events.clear()
    assert troupe.events == [("returned", "d2"), ("returned", "d1"), ("returned", "static")]


async def test_temporary_dynamic_children_disappear_when_they_end() -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        for n in range(3):
            await sup.start_child(troupe.spec(f"conn-{n}", Restart.TEMPORARY))
        troupe.handles["conn-1"].crash()
        troupe.handles["conn-2"].finish()
        await settle()
        assert [c.id for c in sup.which_children()] == ["conn-0"]


async def test_terminate_child_stops_it_gracefully_and_forgets_it() -> None:
    troupe = Troupe()
    async with running(
        Supervisor([troupe.spec("a"), troupe.spec("b")], strategy=Strategy.ONE_FOR_ALL)
    ) as sup:
        troupe.events.clear()
        await sup.terminate_child("a")
        assert troupe.events == [("returned", "a")]
        assert troupe.handles["a"].stop_requests == 1
        assert [c.id for c in sup.which_children()] == ["b"]
        await sup.start_child(troupe.spec("a"))  # the id is free again
        assert [c.id for c in sup.which_children()] == ["b", "a"]


async def test_terminate_child_cancels_after_grace(autojump_clock: trio.abc.Clock) -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        await sup.start_child(troupe.spec("deaf", obeys_stop=False, shutdown=3))
        began = trio.current_time()
        await sup.terminate_child("deaf")
        assert trio.current_time() - began == pytest.approx(3)
        assert troupe.events[-1] == ("cancelled", "deaf")


async def test_terminate_child_cancelled_during_grace_still_cancels_and_removes_the_child(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        await sup.start_child(troupe.spec("deaf", obeys_stop=False, shutdown=30))
        with trio.move_on_after(1):
            await sup.terminate_child("deaf")
        assert troupe.events[-1] == ("cancelled", "deaf")
        assert sup.which_children() == []


async def test_start_child_rejects_a_duplicate_id() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("a")], name="views")) as sup:
        with pytest.raises(DuplicateChildId, match="'views' already has a child with id 'a'") as e:
            await sup.start_child(troupe.spec("a"))
        assert (e.value.supervisor, e.value.child_id) == ("views", "a")


def test_duplicate_ids_given_at_construction_are_rejected_at_once() -> None:
    troupe = Troupe()
    with pytest.raises(DuplicateChildId):
        Supervisor([troupe.spec("a"), troupe.spec("a")])


async def test_a_child_that_fails_to_start_is_not_added() -> None:
    troupe = Troupe()
    troupe.fail_next_starts("bad")
    async with running(Supervisor()) as sup:
        with pytest.raises(ChildStartFailed) as caught:
            await sup.start_child(troupe.spec("bad"))
        assert isinstance(caught.value.__cause__, Boom)
        assert sup.which_children() == []


async def test_terminating_an_unknown_child_names_the_known_ones() -> None:
    troupe = Troupe()
    async with running(Supervisor([troupe.spec("a")])) as sup:
        with pytest.raises(UnknownChild, match=r"no child 'x'; its children are \['a'\]") as e:
            await sup.terminate_child("x")
        assert (e.value.child_id, e.value.known) == ("x", ["a"])


async def test_dynamic_calls_need_a_running_supervisor() -> None:
    troupe = Troupe()
    sup = Supervisor(name="idle")
    with pytest.raises(SupervisorNotRunning, match="'idle' is pending"):
        await sup.start_child(troupe.spec("a"))
    with pytest.raises(SupervisorNotRunning):
        await sup.terminate_child("a")


async def test_a_start_in_progress_is_aborted_when_the_supervisor_stops(
    autojump_clock: trio.abc.Clock,
) -> None:
    troupe = Troupe()
    sup = Supervisor()
    outcome: list[BaseException] = []

    async def add_slow_child() -> None:
        try:
            await sup.start_child(troupe.spec("slow", start_delay=10))
        except SupervisorNotRunning as error:
            outcome.append(error)

    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        nursery.start_soon(add_slow_child)
        await trio.sleep(1)
        sup.request_stop()
    assert len(outcome) == 1 and troupe.events == []


async def test_a_plain_function_child_gets_its_own_handle_type() -> None:
    class Handle:
        pass

    async def serve(*, task_status: trio.TaskStatus[Handle]) -> None:
        task_status.started(Handle())
        await trio.sleep_forever()

    async with running(Supervisor()) as sup:
        handle: Handle = await sup.start_child(ChildSpec("serve", serve))
        assert isinstance(handle, Handle) and not isinstance(handle, Puppet)


async def test_a_caller_cancelled_while_its_child_starts_leaves_nothing_behind(
    autojump_clock: trio.abc.Clock,
) -> None:
    async def stubborn(*, task_status: trio.TaskStatus[None]) -> None:
        with trio.CancelScope(shield=True):
            await trio.sleep(1)  # ignores the caller's cancellation while starting
        task_status.started()
        await trio.sleep_forever()

    async with running(Supervisor()) as sup:
        with trio.move_on_after(0.5) as scope:
            await sup.start_child(ChildSpec("stubborn", stubborn))
        assert scope.cancelled_caught
        assert sup.which_children() == [] and "stubborn" not in sup.registry
        await sup.start_child(ChildSpec("stubborn", stubborn))  # the id is free again


async def test_a_child_cannot_terminate_itself_and_is_told_how_to_end() -> None:
    sup = Supervisor()
    refused: list[Exception] = []

    async def selfish(*, task_status: trio.TaskStatus[None]) -> None:
        task_status.started()
        async with trio.open_nursery() as own:
            own.start_soon(terminate_me)

    async def terminate_me() -> None:
        try:
            await sup.terminate_child("selfish")
        except Exception as error:
            refused.append(error)

    async with running(sup):
        await sup.start_child(ChildSpec("selfish", selfish, restart=Restart.TEMPORARY))
        await settle()
        assert sup.which_children() == []
    assert len(refused) == 1 and "return from its start function" in str(refused[0])


async def test_a_child_may_terminate_a_sibling() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("victim")])

    async def killer(*, task_status: trio.TaskStatus[None]) -> None:
        task_status.started()
        await sup.terminate_child("victim")
        await trio.sleep_forever()

    async with running(sup):
        await sup.start_child(ChildSpec("killer", killer))
        await settle()
        assert [c.id for c in sup.which_children()] == ["killer"]
        assert troupe.events[-1] == ("returned", "victim")


async def test_has_child_follows_starts_restarts_and_ends_without_a_snapshot() -> None:
    troupe = Troupe()
    sup = Supervisor([troupe.spec("static")], name="views")
    assert sup.has_child("static") and not sup.has_child("conn-0")  # before the first run
    async with running(sup):
        await sup.start_child(troupe.spec("conn-0", Restart.TEMPORARY))
        await sup.start_child(troupe.spec("conn-1"))
        assert sup.has_child("conn-0") and sup.has_child("conn-1")
        troupe.handles["conn-1"].crash()  # restarted: still supervised
        troupe.handles["conn-0"].crash()  # temporary: gone
        await settle()
        assert sup.has_child("conn-1") and not sup.has_child("conn-0")
        await sup.terminate_child("conn-1")
        assert not sup.has_child("conn-1")
        await sup.start_child(troupe.spec("conn-1"))  # the id is free again, and last
        assert [c.id for c in sup.which_children()] == ["static", "conn-1"]


async def test_a_thousand_children_are_found_and_removed_by_id() -> None:
    troupe = Troupe()
    async with running(Supervisor()) as sup:
        for n in range(1000):
            await sup.start_child(troupe.spec(f"conn-{n}", Restart.TEMPORARY))
        for n in range(0, 1000, 2):
            troupe.handles[f"conn-{n}"].finish()
        await settle()
        assert [c.id for c in sup.which_children()] == [f"conn-{n}" for n in range(1, 1000, 2)]
        assert all(sup.has_child(f"conn-{n}") is bool(n % 2) for n in range(1000))
