"""examples/multi_agent.py: agents answer at once, each in its own keyed run."""

from __future__ import annotations

import trio
import trio.testing

from actorview.testing import mount
from actorview.view import Applied, Rejected
from examples.multi_agent import Agents, reply_words


def full_answer(name: str, question: str) -> str:
    return "".join(word + " " for word in reply_words(name, question))


async def test_three_agents_answer_at_once_each_into_its_own_row(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Agents) as view:
        for name in ("alice", "bob", "carol"):
            assert await view.click(f"#agent-{name} .ask") == Applied()
        assert set(view.view.live.streams["agent"].runs) == {"alice", "bob", "carol"}
        await view.advance(0.35)
        partial = {name: view.text(f"#agent-{name} .answer") for name in ("alice", "bob")}
        assert all(partial.values())  # both are under way together
        await view.settle()
        question = view.state["question"]
        for name in ("alice", "bob", "carol"):
            assert view.text(f"#agent-{name} .answer") == full_answer(name, question)
        assert view.state["answering"] == []
        assert not view.view.live.streams["agent"].busy


async def test_ask_everyone_starts_a_run_per_agent_with_one_click(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Agents) as view:
        assert await view.click("#ask-all") == Applied()
        assert set(view.view.live.streams["agent"].runs) == {"alice", "bob", "carol"}
        assert view.has_element("#agent-carol.answering")
        await view.settle()
        question = view.state["question"]
        for name in ("alice", "bob", "carol"):
            assert view.text(f"#agent-{name} .answer") == full_answer(name, question)
        assert view.find_all("li.answering") == []


async def test_asking_again_supersedes_only_that_agents_answer(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Agents) as view:
        await view.click("#agent-alice .ask")
        await view.click("#agent-bob .ask")
        await view.advance(0.25)
        await view.type("#question", "Why?")
        await view.click("#agent-alice .ask")  # alice starts over; bob goes on
        await view.settle()
        assert view.state["answers"]["alice"] == full_answer("alice", "Why?")
        assert view.state["answers"]["bob"] == full_answer("bob", "How long is a piece of string?")


async def test_stop_ends_one_agent_and_stop_all_ends_every_one(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Agents) as view:
        for name in ("alice", "bob", "carol"):
            await view.click(f"#agent-{name} .ask")
        await view.advance(0.25)
        await view.click("#agent-bob .stop")
        stopped = view.state["answers"]["bob"]
        assert set(view.view.live.streams["agent"].runs) == {"alice", "carol"}
        await view.advance(0.3)
        assert view.state["answers"]["bob"] == stopped  # nothing of bob's run after stop
        await view.click("#stop-all")
        assert view.view.live.streams["agent"].runs == {}
        await view.settle()
        assert view.state["answering"] == []


async def test_agents_added_at_run_time_answer_too(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Agents) as view:
        await view.type("#new-agent", "Dave")
        await view.click("#add")
        assert view.state["agents"] == ["alice", "bob", "carol", "dave"]
        await view.click("#agent-dave .ask")
        await view.settle()
        assert view.text("#agent-dave .answer").startswith("Dave thinks")


async def test_past_max_runs_a_new_agent_is_refused_and_nothing_changes(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Agents) as view:
        for index in range(6):
            await view.type("#new-agent", f"extra{index}")
            await view.click("#add")
        names = view.state["agents"]
        for name in names[:8]:
            assert await view.click(f"#agent-{name} .ask") == Applied()
        outcome = await view.click(f"#agent-{names[8]} .ask")
        assert isinstance(outcome, Rejected) and "max_runs" in str(outcome.error)
        assert names[8] not in view.state["answering"]
        await view.settle()
