"""One owner of the wire format: the op codes are named once in ``actorview.render._wire``,
the browser client's ``OP`` table (its module ``wire.js``) says the same, and waiting
frames merge there."""

from __future__ import annotations

import copy
import re

import pytest

from actorview.render import (
    AppendText,
    Document,
    Patch,
    RemoveAttr,
    ReplaceNode,
    SetAttr,
    SetInnerHtml,
    SetText,
    StreamDeleteItem,
    StreamInsertItem,
    StreamPromoteTail,
    StreamResetItems,
    UpdateChildren,
    WireError,
    client_modules,
    decode,
    encode,
    h,
)
from actorview.render._wire import OP_CODES, WireOp, encode_json, merge_ops, op_to_wire

ONE_OF_EACH: list[tuple[str, Patch]] = [
    ("APPEND_TEXT", AppendText((0,), "x")),
    ("SET_TEXT", SetText((0,), "x")),
    ("SET_ATTR", SetAttr((), "class", "on")),
    ("REMOVE_ATTR", RemoveAttr((), "class")),
    ("REPLACE_NODE", ReplaceNode((1,), "<p>x</p>")),
    ("SET_INNER_HTML", SetInnerHtml((1,), "<b>x</b>")),
    ("UPDATE_CHILDREN", UpdateChildren((), (0,), ((1, 0),), ((1, "<i>y</i>"),))),
    ("STREAM_INSERT_ITEM", StreamInsertItem((2,), "k", "<li>x</li>", 0, 5)),
    ("STREAM_DELETE_ITEM", StreamDeleteItem((2,), "k")),
    ("STREAM_RESET_ITEMS", StreamResetItems((2,))),
    (
        "STREAM_PROMOTE_TAIL",
        StreamPromoteTail(
            (2,), "k", (SetAttr((), "class", "x"), AppendText((0,), "y")), "<i></i>", 3
        ),
    ),
]


def _client_op_table() -> dict[str, str]:
    source = client_modules()["wire.js"].read_text(encoding="utf-8")
    found = re.search(r"export const OP = Object\.freeze\(\{(?P<body>[^}]*)\}\);", source)
    assert found is not None, "wire.js defines the op codes as export const OP = Object.freeze({});"
    entries = re.findall(r'^\s*([A-Z_]+): "([^"]*)",?\s*$', found["body"], re.MULTILINE)
    lines = [line for line in found["body"].splitlines() if line.strip()]
    assert len(entries) == len(lines), f'every line of wire.js\'s OP is NAME: "code": {lines}'
    return dict(entries)


def test_the_browser_client_reads_the_same_op_codes_as_the_server() -> None:
    assert _client_op_table() == dict(OP_CODES)


def test_op_codes_are_distinct_and_one_letter() -> None:
    codes = list(OP_CODES.values())
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 1 for code in codes)


def test_every_patch_op_is_written_with_its_named_code_and_read_back() -> None:
    assert [name for name, _ in ONE_OF_EACH] == list(OP_CODES), "one op of each code"
    for name, op in ONE_OF_EACH:
        assert op_to_wire(op)[0] == OP_CODES[name]
        assert decode(encode([op])) == [op]


def test_an_unknown_op_code_is_refused_naming_the_known_ones() -> None:
    with pytest.raises(WireError, match="unknown op code 'z'; known: Racdhiprstx"):
        decode('[["z",[0],"x"]]')


def _applied(frames: list[list[WireOp]]) -> str:
    page = Document.from_tree(h.div(h.p("draft"), h.p("other")))
    for frame in frames:
        page.apply(decode(encode_json(frame)))
    return page.html()


FRAMES: list[list[WireOp]] = [
    [["a", [0, 0], " one"]],
    [["a", [0, 0], " two"], ["a", [1, 0], " b"]],
    [["a", [1, 0], " c"]],
    [["s", [0], "class", "x"], ["a", [0, 0], " three"]],
    [["a", [0, 0], " four"]],
]


def test_merged_frames_apply_as_the_frames_did_one_after_another() -> None:
    waiting = copy.deepcopy(FRAMES[0])
    for later in FRAMES[1:]:
        merge_ops(waiting, copy.deepcopy(later))
    assert _applied([waiting]) == _applied(FRAMES)
    assert waiting == [
        ["a", [0, 0], " one two"],
        ["a", [1, 0], " b c"],
        ["s", [0], "class", "x"],
        ["a", [0, 0], " three four"],
    ], "appends to one node join, until another op comes between them"


def test_merging_leaves_the_ops_handed_in_as_they_were() -> None:
    first: WireOp = ["a", [0, 0], " one"]
    second: WireOp = ["a", [0, 0], " two"]
    waiting = [first]
    merge_ops(waiting, [second])
    assert waiting == [["a", [0, 0], " one two"]]
    assert first == ["a", [0, 0], " one"] and second == ["a", [0, 0], " two"]


def _client_frame_table() -> dict[str, str]:
    source = client_modules()["wire.js"].read_text(encoding="utf-8")
    found = re.search(r"export const FRAME = Object\.freeze\(\{(?P<body>[^}]*)\}\);", source)
    assert found is not None, "wire.js names the page frames: export const FRAME = ..."
    return dict(re.findall(r'^\s*([A-Z_]+): "([^"]*)",?\s*$', found["body"], re.MULTILINE))


def test_the_browser_client_reads_the_same_page_frame_tags_as_the_server() -> None:
    from actorview.render._wire import PAGE_FRAMES

    assert _client_frame_table() == dict(PAGE_FRAMES)
