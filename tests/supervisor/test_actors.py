"""Real actors from ``actorview.mailbox`` under a supervisor (the package itself stays generic)."""

from __future__ import annotations

import attrs

from actorview.mailbox import Actor, ActorRef, on
from actorview.supervisor import ChildSpec, Supervisor
from tests.mailbox.messages import Add, Total
from tests.supervisor.puppets import running, settle


@attrs.frozen
class Fail:
    pass


class Counter(Actor):
    built: list[Counter] = []

    def __init__(self) -> None:
        super().__init__(name="counter")
        self.total = 0
        Counter.built.append(self)

    @on(Add)
    def add(self, amount: int) -> None:
        self.total += amount

    @on(Total)
    def report(self, message: Total) -> int:
        return self.total

    @on(Fail)
    def fail(self, message: Fail) -> None:
        raise RuntimeError("told to fail")


async def test_a_crashed_actor_restarts_fresh_and_is_found_again_by_name() -> None:
    async with running(Supervisor([ChildSpec.actor("counter", Counter)])) as sup:
        ref = sup.registry.lookup("counter", ActorRef)
        await ref.tell(Add(2))
        assert await ref.ask(Total()) == 2
        await ref.tell(Fail())
        await settle()
        restarted = sup.registry.lookup("counter", ActorRef)
        assert restarted is not ref
        assert await restarted.ask(Total()) == 0
        assert sup.which_children()[0].restarts == 1


async def test_shutdown_asks_the_actor_to_stop_so_it_handles_what_was_queued() -> None:
    Counter.built.clear()
    async with running(Supervisor([ChildSpec.actor("counter", Counter)])) as sup:
        ref = sup.registry.lookup("counter", ActorRef)
        for _ in range(5):
            ref.tell_nowait(Add(1))
    assert [counter.total for counter in Counter.built] == [5]
