"""A stateful machine drives a real actor's mailbox against a plain Python model.

Each step sends messages (some that no clause takes, some whose guard fails, some under
a lease that is later revoked), either one at a time or as a burst queued while the actor
is busy, so that batches form. After every step the actor's state must equal the model's:
per-sender order, guard filtering, batch equivalence, and the number of after-batch hooks.
"""

from __future__ import annotations

import functools

import attrs
import trio
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from actorview.mailbox import Actor, Lease, on
from actorview.testing import TrioDriver


@attrs.frozen
class Add:
    amount: int


@attrs.frozen
class Note:
    sender: str
    seq: int


@attrs.frozen
class Tag:
    kind: str


@attrs.frozen
class Hold:
    gate: trio.Event = attrs.field(eq=False)


class Probe(Actor):
    def __init__(self) -> None:
        super().__init__(capacity=10_000)
        self.total = 0
        self.notes: list[Note] = []
        self.tags = 0
        self.hooks = 0

    @on(Add, when=lambda self, amount: amount >= 0, batch=True)
    def add(self, amount: int) -> None:
        self.total += amount

    @on(Note)
    def note(self, message: Note) -> None:
        self.notes.append(message)

    @on(Tag, match={"kind": "keep"})
    def tag(self, message: Tag) -> None:
        self.tags += 1

    @on(Hold)
    async def hold(self, gate: trio.Event) -> None:
        await gate.wait()

    def after_batch(self) -> None:
        self.hooks += 1


@attrs.define
class Sent:
    message: object
    revoked: bool = False


def hooks_for(burst: list[Sent]) -> int:
    """After-batch hooks a burst handled in one go causes: one per run of batch
    messages (revoked or unhandled ones inside a run do not end it), one per other
    handled message."""
    hooks, in_batch = 0, False
    for sent in burst:
        kind = classify(sent)
        if kind == "batch":
            hooks += 0 if in_batch else 1
            in_batch = True
        elif kind == "handled":
            hooks += 1
            in_batch = False
    return hooks


def classify(sent: Sent) -> str:
    message = sent.message
    if sent.revoked:
        return "dropped"
    if isinstance(message, Add):
        return "batch" if message.amount >= 0 else "dropped"
    if isinstance(message, Tag):
        return "handled" if message.kind == "keep" else "dropped"
    return "handled"


messages = st.one_of(
    st.builds(Add, st.integers(-3, 9)),
    st.builds(Tag, st.sampled_from(["keep", "other"])),
    st.just("note"),
)


class MailboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.driver = TrioDriver().__enter__()
        self.probe = Probe()
        self.ref = self.driver.start(self.probe.run)
        self.seq = {"a": 0, "b": 0}
        self.total = 0
        self.notes: list[Note] = []
        self.tags = 0
        self.hooks = 0

    def teardown(self) -> None:
        self.driver.__exit__(None, None, None)

    def materialise(self, draw: object, sender: str) -> object:
        if draw == "note":
            self.seq[sender] += 1
            return Note(sender, self.seq[sender])
        return draw

    def apply_to_model(self, sent: Sent) -> None:
        if classify(sent) == "dropped":
            return
        message = sent.message
        if isinstance(message, Add):
            self.total += message.amount
        elif isinstance(message, Note):
            self.notes.append(message)
        elif isinstance(message, Tag):
            self.tags += 1

    @rule(draw=messages, sender=st.sampled_from("ab"))
    def tell_one(self, draw: object, sender: str) -> None:
        sent = Sent(self.materialise(draw, sender))
        self.driver.call(self.ref.tell, sent.message)
        self.apply_to_model(sent)
        self.hooks += hooks_for([sent])

    @rule(
        burst=st.lists(
            st.tuples(messages, st.sampled_from("ab"), st.booleans()), min_size=1, max_size=30
        ),
        revoke=st.booleans(),
    )
    def tell_burst(self, burst: list[tuple[object, str, bool]], revoke: bool) -> None:
        """Queue a burst while the actor is held, optionally revoke a lease, release."""
        gate = trio.Event()
        lease = Lease()
        self.driver.call(self.ref.tell, Hold(gate))
        self.hooks += 1
        sent_burst = []
        for draw, sender, leased in burst:
            message = self.materialise(draw, sender)
            tell = functools.partial(self.ref.tell_nowait, lease=lease if leased else None)
            self.driver.call_sync(tell, message)
            sent_burst.append(Sent(message, revoked=leased and revoke))
        if revoke:
            lease.revoke()
        self.driver.call_sync(gate.set)
        for sent in sent_burst:
            self.apply_to_model(sent)
        self.hooks += hooks_for(sent_burst)

    @invariant()
    def actor_state_equals_model(self) -> None:
        assert self.probe.total == self.total
        assert self.probe.notes == self.notes
        assert self.probe.tags == self.tags
        assert self.probe.hooks == self.hooks
        assert len(self.probe.mailbox) == 0

    @invariant()
    def each_sender_in_order(self) -> None:
        for sender in "ab":
            seqs = [note.seq for note in self.probe.notes if note.sender == sender]
            assert seqs == sorted(seqs)


MailboxMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=20, deadline=None)
TestMailboxMachine = MailboxMachine.TestCase
