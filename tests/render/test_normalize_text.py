"""Text that enters a render tree or a frame is what the page will hold: nothing a frame
cannot encode (a lone surrogate), nothing the browser's HTML parser would change (NUL,
CR LF, CR)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from actorview import normalize_text as exported
from actorview.render import (
    AppendText,
    Raw,
    SetText,
    StreamInsert,
    Text,
    TextNormalizer,
    diff,
    encode,
    h,
    is_normal_text,
    normalize_text,
    raw,
    to_html,
)
from actorview.render._wire import encode_json

any_text = st.text(alphabet=st.characters(codec=None), max_size=40)
"""Every Unicode category, surrogates (Cs) and controls (Cc) included."""
tricky = st.text(alphabet="a\r\n\x00\ud83d\ude00\ud800\udfff😀é", max_size=12)


@pytest.mark.parametrize(
    ("value", "page"),
    [
        ("plain", "plain"),
        ("", ""),
        ("\x00", "\ufffd"),
        ("a\x00b", "a\ufffdb"),
        ("\ud800", "\ufffd"),
        ("x\udfff", "x\ufffd"),
        ("\udc00\ud800", "\ufffd\ufffd"),
        ("\ud83d\ude00", "😀"),  # a pair (from concatenation) is its code point
        ("a\r\nb", "a\nb"),
        ("a\rb\r", "a\nb\n"),
        ("\r\r\n", "\n\n"),
        ("é\r\n\x00", "é\n\ufffd"),
        ("tab\tand\x01\x7f\ufffe kept", "tab\tand\x01\x7f\ufffe kept"),
    ],
)
def test_normalize_text_does_what_the_browser_would(value: str, page: str) -> None:
    assert normalize_text(value) == page
    assert exported is normalize_text


@pytest.mark.parametrize("value", ["plain ascii", "é and €", "😀", ""])
def test_a_clean_string_is_returned_as_it_is(value: str) -> None:
    assert normalize_text(value) is value
    assert is_normal_text(value)


@given(any_text | tricky)
def test_normalised_text_encodes_is_stable_and_joins(value: str) -> None:
    once = normalize_text(value)
    assert once == reference(value)
    once.encode()  # never a UnicodeEncodeError
    assert "\x00" not in once and "\r" not in once
    assert normalize_text(once) == once
    assert is_normal_text(once + normalize_text(value[::-1]))


@given(st.lists(any_text | tricky, max_size=6))
def test_pieces_normalised_one_by_one_join_up_to_the_whole(pieces: list[str]) -> None:
    stream = TextNormalizer()
    out = [stream.feed(piece) for piece in pieces] + [stream.flush()]
    assert "".join(out) == normalize_text("".join(pieces))


def test_text_raw_attributes_and_keys_are_normalised_as_they_enter_a_tree() -> None:
    node = h.div("\x00", title="a\r\nb\ud800", key="k\x00")
    assert node.children == (Text("\ufffd"),)
    assert node.attrs == {"title": "a\nb\ufffd"}
    assert node.key == "k\ufffd"
    assert Text("x\ud800").text == "x\ufffd"
    assert Raw("<b>\x00</b>").html == "<b>\ufffd</b>"
    assert raw("a\rb").html == "a\nb"
    assert h.p(h.b("\r"), "\ud800\r\n").children[1] == Text("\ufffd\n")
    assert StreamInsert("k\ud800", h.li("x")).key == "k\ufffd"


def test_a_text_made_only_of_nul_is_still_a_node_in_the_page() -> None:
    """The HTML parser drops NUL from body text: a text node of only NUL would vanish
    and every later sibling's index would be off by one."""
    before = h.div(h.p(id="a"), h.p("", id="b"))
    after = h.div(h.p("\x00", id="a"), h.p("x", id="b"))
    assert to_html(after) == '<div><p id="a">\ufffd</p><p id="b">x</p></div>'
    ops = diff(before, after)
    assert all("\x00" not in encode([op]) for op in ops)


def test_a_streamed_draft_is_normalised_as_one_text() -> None:
    """The render normalises the whole draft: CR then LF in two tokens is one line break."""
    old, new = h.p("a\r"), h.p("a\r\nb")
    assert old.children == (Text("a\n"),)
    assert diff(old, new) == [AppendText((0,), "b")]
    assert diff(h.p("x\ud83d"), h.p("x\ud83d\ude00")) == [SetText((0,), "x😀")]


def test_every_json_frame_can_be_written_as_utf_8() -> None:
    """The last safety net: a frame holding a lone surrogate (an op built by hand, an
    error's text) is written with U+FFFD, never as a frame the socket cannot encode."""
    frame = encode_json({"t": "error", "error": "bad \ud800 value", "x": ["\x00\r"]})
    frame.encode()
    assert json.loads(frame) == {"t": "error", "error": "bad \ufffd value", "x": ["\x00\r"]}
    patch = encode([AppendText((0,), "\udbff")])
    assert json.loads(patch) == [["a", [0], "\ufffd"]]
    assert encode_json(["plain", "é"]) == '["plain","é"]'


def test_a_long_text_is_checked_whole_though_its_start_was_seen_clean() -> None:
    """Long non-ASCII texts that extend one seen clean (a draft, token by token) have
    only their tail checked; anything else that shares their start is checked whole."""
    draft = "é" * 700
    assert normalize_text(draft) is draft
    longer = draft + " tok"
    assert normalize_text(longer) is longer
    assert normalize_text(longer + "\ud800") == longer + "\ufffd"
    assert normalize_text(longer + "\r\n") == longer + "\n"
    same_start = "é" * 100 + "\x00" + "é" * 700
    assert normalize_text(same_start) == "é" * 100 + "\ufffd" + "é" * 700
    shorter = "é" * 650 + "\x00"
    assert normalize_text(shorter) == "é" * 650 + "\ufffd"


@given(st.lists(any_text | tricky, min_size=1, max_size=8))
def test_a_long_text_growing_by_pieces_is_normalised_at_every_length(pieces: list[str]) -> None:
    text = "ü" * 600
    for piece in pieces:
        text += piece
        assert normalize_text(text) == reference(text)


def reference(value: str) -> str:
    """The normalisation spelled out, character by character, with no fast path."""
    out: list[str] = []
    index = 0
    while index < len(value):
        char = value[index]
        pair = value[index : index + 2]
        if "\ud800" <= char <= "\udbff" and len(pair) == 2 and "\udc00" <= pair[1] <= "\udfff":
            out.append(pair.encode("utf-16-le", "surrogatepass").decode("utf-16-le"))
            index += 2
            continue
        if "\ud800" <= char <= "\udfff" or char == "\x00":
            out.append("\ufffd")
        elif char == "\r":
            out.append("\n")
            if pair == "\r\n":
                index += 1
        else:
            out.append(char)
        index += 1
    return "".join(out)
