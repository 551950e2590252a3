"""Whatever the browser sends, a view tells bad input from its own bugs: input that does
not fit is ``Rejected`` with its message, an action whose code raises is ``Failed`` with
only the generic reply and a notice, and neither changes anything or stops the view."""

from __future__ import annotations

from typing import Any

import trio
from hypothesis import event, given, settings
from hypothesis import strategies as st

from actorview.render import Element, h
from actorview.testing import mount
from actorview.view import (
    ActionEvent,
    Applied,
    Failed,
    Notice,
    Rejected,
    View,
    action,
    ops,
    state,
)
from actorview.view._notices import ACTION_FAILED_TEXT


class Ledger(View):
    total = state(int)
    memo = state(str)
    # `by` arrives as text; int() of it raises on what is not a number: a bug of this
    # action (it should declare by: int), on purpose. The memo op runs first.
    add = action(
        ops.set(memo=lambda memo, by: memo + by),
        ops.set(total=lambda total, by: total + int(by)),
        params={"by": str},
    )

    def render(self) -> Element:
        return h.div(h.p(str(self.total), id="total"), h.p(self.memo, id="memo"))


def parses(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


events: st.SearchStrategy[tuple[str, dict[str, Any]]] = st.one_of(
    st.tuples(
        st.just("add"),
        st.fixed_dictionaries({"by": st.from_regex(r"-?[0-9]{1,3}", fullmatch=True)}),
    ),
    st.tuples(st.just("add"), st.fixed_dictionaries({"by": st.text(max_size=8)})),
    st.tuples(
        st.just("add"),
        st.fixed_dictionaries(
            {"by": st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=2), max_size=2))}
        ),
    ),
    st.tuples(st.just("add"), st.just({})),
    st.tuples(st.sampled_from(["remove", "ADD", ""]), st.just({})),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(events, max_size=12))
def test_bad_input_is_rejected_bugs_fail_and_state_follows_only_what_applied(
    sequence: list[tuple[str, dict[str, Any]]],
) -> None:
    async def main() -> None:
        total, memo, failures = 0, "", 0
        async with mount(Ledger) as view:
            for name, params in sequence:
                outcome = await view.ref.ask(ActionEvent(name, params))
                by = params.get("by")
                if name != "add" or not isinstance(by, str):
                    assert isinstance(outcome, Rejected), (name, params, outcome)
                    assert "Ledger" in str(outcome.error), "the message names the view"
                elif parses(by):
                    assert outcome == Applied()
                    total, memo = total + int(by), memo + by
                else:
                    assert isinstance(outcome, Failed), (name, params, outcome)
                    assert str(outcome.error).startswith("Ledger, action 'add': an expression")
                    failures += 1
                    event("failed")
                assert view.notices == [Notice(ACTION_FAILED_TEXT)] * failures
                assert (view.state["total"], view.state["memo"]) == (total, memo)
            await view.settle()
            assert view.text("#total") == str(total), "the page follows what applied"

    trio.run(main)
