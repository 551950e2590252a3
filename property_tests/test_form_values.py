"""Forms: any values a form can hold survive the page (shown, sent back, parsed to the
same values), and any text the page sends either parses or is that field's error, never
an exception."""

from __future__ import annotations

import datetime
from typing import Literal

import attrs
from hypothesis import given
from hypothesis import strategies as st

from actorview.view import View, form


@attrs.frozen
class Values:
    text: str = ""
    count: int | None = None
    ratio: float | None = None
    day: datetime.date | None = None
    pick: Literal["a", "b", "c"] = "a"
    tags: list[str] = attrs.Factory(list)
    flag: bool = False


class Page(View):
    values = form(Values)


SPEC = Page.values.form
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


@given(
    st.builds(
        Values,
        text=texts,
        count=st.none() | st.integers(),
        ratio=st.none() | st.floats(allow_nan=False, allow_infinity=False),
        day=st.none() | st.dates(),
        pick=st.sampled_from(["a", "b", "c"]),
        tags=st.lists(texts.filter(bool), max_size=4),
        flag=st.booleans(),
    )
)
def test_values_shown_then_sent_back_parse_to_the_same_values(values: Values) -> None:
    shown = SPEC.filled(values)
    sent = SPEC.update(SPEC.initial(), shown.raw, frozenset(), submit=True)
    assert sent.errors == {} and sent.data == values


@given(
    st.dictionaries(
        st.sampled_from([f.name for f in attrs.fields(Values)]),
        texts | st.lists(texts, max_size=3).map(tuple),
    )
)
def test_any_text_the_page_sends_parses_or_is_that_field_s_error(raw: dict[str, object]) -> None:
    state = SPEC.update(SPEC.initial(), raw, frozenset(raw), submit=False)  # type: ignore[arg-type]
    assert (state.data is None) == bool(state.errors)
    assert set(state.errors) <= set(raw) | {"pick"}
