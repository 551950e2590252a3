"""Message types and small actors shared by the mailbox tests."""

from __future__ import annotations

import attrs
import trio

from actorview.mailbox import Actor, on


@attrs.frozen
class Add:
    amount: int


@attrs.frozen
class Total:
    pass


@attrs.frozen
class Note:
    sender: str
    seq: int


@attrs.frozen
class Block:
    """Makes the actor wait on ``gate`` inside a handler, so its mailbox fills up."""

    gate: trio.Event = attrs.field(eq=False)


class Counter(Actor):
    def __init__(self, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.total = 0
        self.notes: list[Note] = []
        self.after_batch_calls = 0

    @on(Add, when=lambda self, amount: amount > 0, batch=True)
    def add(self, amount: int) -> None:
        self.total += amount

    @on(Note)
    def note(self, message: Note) -> None:
        self.notes.append(message)

    @on(Total)
    def report(self, message: Total) -> int:
        return self.total

    @on(Block)
    async def block(self, gate: trio.Event) -> None:
        await gate.wait()

    def after_batch(self) -> None:
        self.after_batch_calls += 1


@attrs.frozen
class Explode:
    pass


class Fragile(Actor):
    """Crashes on :class:`Explode`."""

    @on(Explode)
    def explode(self, message: Explode) -> None:
        raise ValueError("boom")
