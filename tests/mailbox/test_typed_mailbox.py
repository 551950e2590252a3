"""A mailbox takes only the types its actor declares, and says so at the sender."""

from __future__ import annotations

import attrs
import pytest
import trio

from actorview import DefinitionError, WrongMessageType
from actorview.mailbox import Actor, on
from tests.mailbox.messages import Add, Counter, Note, Total


@attrs.frozen
class Stranger:
    pass


async def test_wrong_type_fails_at_the_sender_naming_actor_and_accepted_types() -> None:
    counter = Counter(name="tally")
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        with pytest.raises(WrongMessageType) as caught:
            await ref.tell(Stranger())
        assert isinstance(caught.value, TypeError)
        text = str(caught.value)
        assert "tally (Counter)" in text
        assert "Add, Note, Total, Block" in text
        assert "Stranger" in text
        with pytest.raises(WrongMessageType):
            ref.tell_nowait("not even attrs")
        assert len(counter.mailbox) == 0
        ref.request_stop()


async def test_accepted_types_default_to_the_clause_types() -> None:
    assert Counter.__accepts__[:3] == (Add, Note, Total)


async def test_subclass_of_an_accepted_type_is_accepted_and_dispatched() -> None:
    @attrs.frozen
    class BigAdd(Add):
        pass

    counter = Counter()
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(counter.run)
        await ref.tell(BigAdd(5))
        assert await ref.ask(Total()) == 5
        ref.request_stop()


def test_message_types_must_be_frozen_attrs_classes() -> None:
    @attrs.define
    class Mutable:
        value: int

    with pytest.raises(DefinitionError, match=r"Bad: message type 'Mutable' must be a frozen"):

        class Bad(Actor):
            @on(Mutable)
            def take(self, value: int) -> None: ...


def test_a_clause_for_a_type_outside_accepts_is_rejected_at_definition() -> None:
    with pytest.raises(DefinitionError) as caught:

        class Narrow(Actor, accepts=(Add,)):
            @on(Note)
            def note(self, message: Note) -> None: ...

    assert "Narrow.note: a clause for Note, which nothing can send" in str(caught.value)
    assert "Add it to accepts, or remove the clause" in str(caught.value)


def test_an_unknown_unhandled_policy_is_rejected() -> None:
    with pytest.raises(DefinitionError, match='use unhandled="drop" or unhandled="raise"'):

        class Odd(Actor, unhandled="ignore"):  # type: ignore[arg-type]
            pass
