"""The outbox's size estimate of a render's wire ops against their encoded length.

``Outbox._estimate`` counts ops without formatting them (it runs on every render's
ops). For ops whose strings JSON writes as they are (no quote, backslash or control
character) and whose numbers have at most three digits (path steps, indexes) it is an
upper bound of the frame's length and within twice it, whatever the ops' nesting.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from actorview.endpoint._outbox import _estimate
from actorview.render._wire import encode_json

plain_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E, blacklist_characters='"\\'),
    max_size=40,
)
scalar = st.one_of(plain_text, st.integers(-99, 999), st.booleans(), st.none())
values: st.SearchStrategy[Any] = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=5), max_leaves=30
)
ops = st.lists(
    st.tuples(st.sampled_from("atsrRhcidxp"), st.lists(st.integers(-1, 999), max_size=6)).flatmap(
        lambda head: st.lists(values, max_size=5).map(lambda rest: [*head, *rest])
    ),
    min_size=1,
    max_size=8,
)


@given(ops)
def test_the_estimate_bounds_the_encoded_frame_from_above_within_twice_it(
    wire: list[list[Any]],
) -> None:
    encoded = len(encode_json(wire))
    assert encoded <= _estimate(wire) <= 2 * encoded
