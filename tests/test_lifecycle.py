"""One lifecycle vocabulary: a word means the same in every state enum, and every state
answers the same predicates."""

from __future__ import annotations

import ast
import inspect

import pytest

import actorview.lifecycle
from actorview import ActorState, ChildState, RunState, SupervisorState
from actorview.lifecycle import Lifecycle

ENUMS: list[type[Lifecycle]] = [ActorState, SupervisorState, ChildState, RunState]

# word: (pending, active, running, ended, failed)
PREDICATES = {
    "PENDING": (True, False, False, False, False),
    "STARTING": (False, True, False, False, False),
    "RUNNING": (False, True, True, False, False),
    "STOPPING": (False, True, False, False, False),
    "DELAYED": (True, False, False, False, False),
    "STOPPED": (False, False, False, True, False),
    "CANCELLED": (False, False, False, True, False),
    "DONE": (False, False, False, True, False),
    "FAILED": (False, False, False, True, True),
}


def predicates(state: Lifecycle) -> tuple[bool, bool, bool, bool, bool]:
    return (state.pending, state.active, state.running, state.ended, state.failed)


@pytest.mark.parametrize(
    "state", [state for enum in ENUMS for state in enum], ids=lambda state: repr(state)
)
def test_every_state_answers_the_predicates_its_word_gives(state: Lifecycle) -> None:
    assert predicates(state) == PREDICATES[state.name]
    assert state.value == state.name.lower()
    assert [state.pending, state.active, state.ended].count(True) == 1


def test_the_four_enums_share_one_set_of_words() -> None:
    assert {state.name for enum in ENUMS for state in enum} == set(PREDICATES)
    assert all(next(iter(enum)).name == "PENDING" for enum in ENUMS)
    assert all(enum("failed").failed for enum in ENUMS)


def test_the_owners_re_export_the_one_enum() -> None:
    from actorview import mailbox, supervisor, view

    assert mailbox.ActorState is ActorState
    assert (supervisor.SupervisorState, supervisor.ChildState) == (SupervisorState, ChildState)
    assert view.RunState is RunState


def test_every_member_has_a_one_line_docstring() -> None:
    tree = ast.parse(inspect.getsource(actorview.lifecycle))
    classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    assert sorted(c.name for c in classes) == sorted(["Lifecycle", *(e.__name__ for e in ENUMS)])
    undocumented = [
        f"{cls.name}.{target.id}"
        for cls in classes
        for statement, following in zip(cls.body, [*cls.body[1:], None], strict=True)
        if isinstance(statement, ast.Assign)
        for target in statement.targets
        if isinstance(target, ast.Name)
        and not (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
            and "\n" not in following.value.value.strip()
        )
    ]
    assert undocumented == []
