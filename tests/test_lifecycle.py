"""One lifecycle vocabulary: a word means the same in every state enum, and every state
answers the same predicates."""

from __future__ import annotations

import inspect

import pytest

import actorview.lifecycle
from actorview import ActorState, ChildState, RunState, SupervisorState
from actorview.lifecycle import Lifecycle
from tests.docstrings import member_assignments, undocumented_members

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


@pytest.mark.parametrize("enum", ENUMS)
def test_every_member_has_a_one_line_docstring(enum: type[Lifecycle]) -> None:
    assert undocumented_members(enum) == []
    assert len(member_assignments(enum)) == len(enum)


def test_the_module_holds_the_four_enums_and_their_base() -> None:
    classes = [c for _, c in inspect.getmembers(actorview.lifecycle, inspect.isclass)]
    assert {c.__name__ for c in classes if c.__module__ == "actorview.lifecycle"} == {
        "Lifecycle",
        *(enum.__name__ for enum in ENUMS),
    }
