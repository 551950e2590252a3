"""Any string from state that reaches the page is escaped, in text and in attributes.

The check is by parsing: whatever the string holds, the page shows exactly that string
as text or attribute value and gains no element or attribute from it.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from actorview.render import DomElement, DomText, escape_attr, escape_text, h, parse_html, to_html

state_strings = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\x00"),
    max_size=40,
) | st.sampled_from(
    ['"><script>alert(1)</script>', "' onmouseover='x", "&amp;", "</div><b>", "<!--", "a=b c"]
)


@settings(max_examples=300, deadline=None)
@given(state_strings, state_strings)
def test_a_string_in_text_and_attributes_comes_back_exactly_and_adds_no_markup(
    text: str, value: str
) -> None:
    html = to_html(h.div(h.span(text), title=value, data_x=value))
    (node,) = parse_html(html)
    assert isinstance(node, DomElement)
    assert node.attrs == {"title": value, "data-x": value}
    (span,) = node.children
    assert isinstance(span, DomElement) and span.tag == "span"
    assert span.children == ([DomText(text)] if text else [])


@settings(max_examples=300, deadline=None)
@given(state_strings)
def test_escaped_forms_hold_no_markup_characters(value: str) -> None:
    assert "<" not in escape_text(value) and ">" not in escape_text(value)
    assert not {"<", ">", '"', "'"} & set(escape_attr(value))
    assert to_html(h.p(value)) == f"<p>{escape_text(value)}</p>"
    assert to_html(h.p(title=value)) == f'<p title="{escape_attr(value)}"></p>' or not value


@settings(max_examples=200, deadline=None)
@given(state_strings)
def test_text_in_pre_and_textarea_keeps_its_leading_newlines(text: str) -> None:
    for tag in ("pre", "textarea"):
        (node,) = parse_html(to_html(h(tag, "\n" + text)))
        assert isinstance(node, DomElement)
        assert "".join(c.text for c in node.children if isinstance(c, DomText)) == "\n" + text
