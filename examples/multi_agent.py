"""Agents answering at once: one keyed ``async_stream``, a run per agent.

Each agent's row has Ask and Stop, "Ask everyone" starts a run per agent with one op
(``ops.fire("agent", keys=...)``), and any number of agents can be added while others
answer. The stream is declared once with
``max_runs`` (at most that many answer at the same time); each run lives under the
agent's name as its key, so Ask on a busy agent supersedes only that agent's answer,
Stop cancels only that one, and "Stop all" cancels every run. The clauses read the
name of the agent that emitted each token as ``run_key``: the body never says who it
is.

DOM hooks: ``#question`` (the input), ``#agents`` (one ``li.agent`` per agent, with
``.answer``, an Ask and a Stop button), ``#ask-all``, ``#new-agent`` and ``#add``,
``#stop-all``.
"""

from __future__ import annotations

import attrs
import trio

from actorview import (
    Application,
    Element,
    Emit,
    Route,
    StreamFailed,
    View,
    action,
    async_stream,
    calculate,
    clause,
    h,
    ops,
    state,
)

MAX_AGENTS = 8
"""At most this many agents answer at the same time (the stream's ``max_runs``)."""


@attrs.frozen
class Token:
    """A piece of an agent's answer."""

    text: str


@attrs.frozen
class Answered:
    """An agent finished its answer."""


def reply_words(key: str, question: str) -> list[str]:
    """The (fake) answer of agent ``key``: each agent phrases it its own way."""
    return f"{key.title()} thinks about “{question}”: it depends, says {key}.".split()


async def answer(key: str, question: str, delay: float, emit: Emit) -> None:
    """One agent's answer, a word at a time (``key``: the agent, the run's key)."""
    for word in reply_words(key, question):
        await trio.sleep(delay)
        await emit(Token(word + " "))
    await emit(Answered())


def _without(names: list[str], name: str) -> list[str]:
    return [other for other in names if other != name]


class Agents(View):
    """Agents, each answering the question in its own run of ``agent``."""

    question = state(str, "How long is a piece of string?", origin="client")
    new_agent = state(str, origin="client")
    agents = state(list[str], ["alice", "bob", "carol"])
    answers = state(dict[str, str], {})
    answering = state(list[str], [])
    delay = state(float, 0.1)

    can_ask = calculate(lambda question: bool(question.strip()))

    agent = async_stream(emits=(Token, Answered), max_runs=MAX_AGENTS)(answer)

    ask = action(
        ops.fire("agent", key=lambda name: name, question=lambda question: question.strip()),
        ops.set(
            answers=lambda answers, name: {**answers, name: ""},
            answering=lambda answering, name: [*_without(answering, name), name],
        ),
        params={"name": str},
        when=lambda can_ask: can_ask,
    )
    ask_all = action(
        ops.fire("agent", keys=lambda agents: agents, question=lambda question: question.strip()),
        ops.set(
            answers=lambda agents: dict.fromkeys(agents, ""),
            answering=lambda agents: list(agents),
        ),
        when=lambda can_ask: can_ask,
    )
    halt = action(
        ops.cancel("agent", key=lambda name: name),
        ops.set(answering=lambda answering, name: _without(answering, name)),
        params={"name": str},
    )
    halt_all = action(ops.cancel("agent"), ops.set(answering=[]))
    add = action(
        ops.set(
            agents=lambda agents, new_agent: [*agents, new_agent.strip().lower()],
            new_agent="",
        ),
        when=lambda agents, new_agent: (
            bool(new_agent.strip()) and new_agent.strip().lower() not in agents
        ),
    )

    on_token = clause(
        Token,
        ops.set(
            answers=lambda answers, run_key, text: {
                **answers,
                run_key: answers.get(run_key, "") + text,
            }
        ),
        batch=True,
    )
    on_answered = clause(
        Answered, ops.set(answering=lambda answering, run_key: _without(answering, run_key))
    )
    on_failed = clause(
        StreamFailed,
        ops.set(
            answers=lambda answers, run_key: {**answers, run_key: "(no answer: it failed)"},
            answering=lambda answering, run_key: _without(answering, run_key),
        ),
        match={"stream": "agent"},
    )

    def render(self) -> Element:
        rows = [
            h.li(
                h.b(name),
                h.span(self.answers.get(name, ""), class_="answer"),
                h.button("Ask", class_="ask", av_click="ask", av_value_name=name),
                h.button(
                    "Stop",
                    class_="stop",
                    av_click="halt",
                    av_value_name=name,
                    disabled=name not in self.answering,
                ),
                id=f"agent-{name}",
                class_=["agent", "answering" if name in self.answering else "idle"],
            )
            for name in self.agents
        ]
        return h.main(
            h.input(id="question", name="question", value=self.question, av_input="question"),
            h.button("Ask everyone", id="ask-all", av_click="ask_all"),
            h.ul(*rows, id="agents"),
            h.form(
                h.input(id="new-agent", name="new_agent", value=self.new_agent),
                h.button("Add agent", id="add"),
                av_submit="add",
            ),
            h.button("Stop all", id="stop-all", av_click="halt_all"),
        )


if __name__ == "__main__":
    trio.run(Application([Route("/", Agents)]).serve)
