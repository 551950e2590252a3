"""Origins are enforced when the class is defined: ``origin="stream"`` fields are written
only by clauses, ``origin="client"`` fields only by the browser (its inputs, optimistic
actions, an action that takes the field as its input)."""

from __future__ import annotations

import attrs
import pytest

from actorview.errors import DefinitionError
from actorview.view import View, action, clause, ops, state


@attrs.frozen
class Chunk:
    text: str


def test_an_action_may_not_write_a_stream_field() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View, receives=(Chunk,)):
            reply = state(str, origin="stream")
            clear = action(ops.set(reply=""))
            on_chunk = clause(Chunk, ops.append(reply=lambda text: text))

    assert str(caught.value) == (
        "V.clear (action) ops.set: writes 'reply', a field with origin=\"stream\": only "
        "clauses (the messages of streams) write it. Write it from a clause, or declare it "
        'origin="server" if actions write it too.'
    )


def test_a_clause_may_not_write_a_client_field() -> None:
    with pytest.raises(DefinitionError) as caught:

        class V(View, receives=(Chunk,)):
            typed = state(str, origin="client")
            on_chunk = clause(Chunk, ops.set(typed=lambda text: text))

    assert str(caught.value) == (
        "V.on_chunk (clause for Chunk) ops.set: writes 'typed', a field with "
        'origin="client": only the browser writes it (its inputs, optimistic actions, and '
        "an action that takes it as input). Write a server field from the clause instead, "
        'or declare it origin="server" if the server writes it.'
    )


def test_an_action_may_not_overwrite_a_client_field_it_does_not_take() -> None:
    with pytest.raises(DefinitionError, match="Declare the action optimistic=True"):

        class V(View):
            typed = state(str, origin="client")
            fill = action(ops.set(typed="from the server"))


def test_who_may_write_what() -> None:
    class V(View, receives=(Chunk,)):
        typed = state(str, origin="client")
        reply = state(str, origin="stream")
        notes = state(list[str])
        # an action that takes the box as input may clear it, as a submit does
        add = action(ops.push(notes=lambda typed: typed), ops.set(typed=""))
        # the browser predicts an optimistic action: it may write client fields
        fill = action(ops.set(typed="x"), optimistic=True)
        on_chunk = clause(Chunk, ops.append(reply=lambda text: text))

    assert set(V.__view_spec__.actions) == {"add", "fill"}
