"""Which comprehensions over a client list field the inference draws (an ``items``
binding), and why the others are not: ``View.__view_client__.unbound`` says."""

from __future__ import annotations

import attrs

from actorview.render import Element, h
from actorview.view import View, action, ops, state


@attrs.frozen
class Tag:
    text: str


class Drawn(View):
    tags = state(list[str], origin="client")
    records = state(list[Tag], origin="client")
    add = action(ops.push(tags="x"), ops.push(records=lambda: Tag("x")), optimistic=True)

    def render(self) -> Element:
        return h.div(
            h.ul(*[h.li(tag) for tag in self.tags], id="tags"),
            h.ol(*[h.li(tag) for tag in self.tags if tag], id="some"),
            h.ul(*[h.li(record.text) for record in self.records], id="records"),
            h.ul(*[h.li(tag.upper()) for tag in self.tags], id="upper"),
        )


def test_a_plain_comprehension_over_a_client_list_of_str_is_drawn() -> None:
    plan = Drawn.__view_client__
    assert plan is not None
    (binding,) = [b for b in plan.bindings if b.attr == "items"]
    assert binding.items is not None and binding.items.fill({"item": "a<"}) == "<li>a&lt;</li>"
    html = Drawn().render()
    (tags,) = [child for child in html.children if getattr(child, "attrs", {}).get("id") == "tags"]
    assert "av-bind" in tags.attrs  # type: ignore[union-attr]


def test_the_others_say_why_they_are_not_drawn() -> None:
    plan = Drawn.__view_client__
    assert plan is not None
    reasons = " | ".join(plan.unbound)
    assert "the items of `self.tags` are not drawn: only `*[<element> for <item> in" in reasons
    assert "the items of `self.records` are not drawn: only the items of a client list[str]" in (
        reasons
    )
    assert "beyond showing its text" in reasons  # tag.upper()
