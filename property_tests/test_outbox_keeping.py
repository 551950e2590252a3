"""The outbox's frame keeping against a plain model: control frames pushed, taken,
acknowledged, trimmed past ``max_bytes`` and resumed from any count, in any order.

The outbox keeps its frames in lists cut in bulk (``_outbox.py``: an idle session's
outbox holds no deque); the model keeps every taken frame in a Python list and trims and
forgets one at a time, as the deque version did. After each step both agree on what is
kept (its bytes), what a resume gives back (frames, in order) and whether it can.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from actorview.endpoint._outbox import Outbox

MAX_BYTES = 40

steps = st.lists(
    st.one_of(
        st.tuples(st.just("push"), st.integers(1, 25)),
        st.tuples(st.just("take"), st.just(0)),
        st.tuples(st.just("ack"), st.integers(-2, 30)),
        st.tuples(st.just("resume"), st.integers(-2, 30)),
    ),
    max_size=60,
)


class Model:
    """Taken frames kept in a list, trimmed one by one (the deque's behaviour)."""

    def __init__(self) -> None:
        self.waiting: list[str] = []
        self.kept: list[str] = []
        self.taken = 0

    def push(self, frame: str) -> None:
        self.waiting.append(frame)

    def take(self) -> str | None:
        if not self.waiting:
            return None
        frame = self.waiting.pop(0)
        self.taken += 1
        self.kept.append(frame)
        while sum(map(len, self.kept)) > MAX_BYTES and len(self.kept) > 1:
            self.kept.pop(0)
        return frame

    def ack(self, seen: int) -> None:
        if seen > self.taken:
            return
        first = self.taken - len(self.kept) + 1
        for _ in range(seen - first + 1):
            self.kept.pop(0)

    def resume(self, seen: int) -> bool:
        first = self.taken - len(self.kept) + 1
        if not first - 1 <= seen <= self.taken:
            return False
        again = self.taken - seen
        if again:
            self.waiting[:0] = self.kept[-again:]
            del self.kept[-again:]
        self.taken = seen
        return True


@settings(max_examples=300, deadline=None)
@given(steps)
def test_the_outbox_keeps_and_resumes_what_the_model_does(plan: list[tuple[str, int]]) -> None:
    outbox = Outbox(max_bytes=MAX_BYTES)
    model = Model()
    for number, (step, value) in enumerate(plan):
        match step:
            case "push":
                # The backlog limit would close it: take what a resume put back first,
                # and the new frame at once.
                while (waiting := model.take()) is not None:
                    assert outbox.take() == waiting
                frame = str(number % 10) * value
                outbox.push_control(frame)
                model.push(frame)
                assert outbox.take() == model.take()
            case "take":
                assert outbox.take() == model.take()
            case "ack":
                outbox.ack(value)
                model.ack(value)
            case "resume":
                assert outbox.resume(value) is model.resume(value)
        assert outbox.taken == model.taken
        assert outbox.kept_bytes == sum(map(len, model.kept))
        assert len(outbox) == len(model.waiting)
    while (last := model.take()) is not None:
        assert outbox.take() == last
    assert outbox.take() is None
