"""Browser frames are untrusted: anything off-shape is a BadFrame that says why."""

from __future__ import annotations

import pytest

from actorview.endpoint._errors import BadFrame
from actorview.endpoint._protocol import (
    Ack,
    Event,
    Input,
    Join,
    Ping,
    control_frame,
    parse_client_frame,
)


def parse(text: str | bytes) -> object:
    return parse_client_frame(text, max_bytes=200)


def test_each_frame_type_parses_into_its_class() -> None:
    assert parse('{"t":"join","token":"abc","path":"/"}') == Join("abc", "/")
    assert parse('{"t":"event","ref":3,"name":"submit","params":{"text":"hi"}}') == Event(
        3, "submit", {"text": "hi"}
    )
    assert parse('{"t":"event","ref":4,"name":"clear"}') == Event(4, "clear", {})
    assert parse('{"t":"input","ref":5,"field":"prompt","value":"h"}') == Input(5, "prompt", "h")
    assert parse('{"t":"ping"}') == Ping()
    assert parse('{"t":"join","token":"abc","path":"/","seen":7}') == Join("abc", "/", 7)
    assert parse('{"t":"ack","n":12}') == Ack(12)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("x" * 201, "larger than the limit of 200 bytes"),
        (b"{}", "binary frames are not part of the protocol"),
        ("{not json", "not valid JSON"),
        ("[1,2]", "must be a JSON object, got list"),
        ('{"t":"launch"}', "unknown frame type 'launch'"),
        ('{"name":"x"}', "unknown frame type None"),
        ('{"t":"event","ref":"1","name":"x"}', r"expected int @ \$.ref"),
        ('{"t":"event","ref":1,"name":7}', r"expected str @ \$.name"),
        ('{"t":"event","ref":1}', "required field missing"),
        ('{"t":"join","token":"a","path":"/","admin":true}', "extra fields found"),
        ('{"t":"event","ref":1,"name":"x","params":[]}', "bad 'event' frame"),
        ('{"t":"ack","n":-1}', r"n must be an int from 0 to 2\*\*53 - 1"),
        ('{"t":"ack","n":true}', r"expected int @ \$.n"),
        ('{"t":"join","token":"a","path":"/","seen":1.5}', "bad 'join' frame"),
        ('{"t":"join","token":"a","path":"/","seen":-2}', "seen must be an int"),
    ],
)
def test_bad_frames_say_what_is_wrong(frame: str | bytes, message: str) -> None:
    with pytest.raises(BadFrame, match=message):
        parse(frame)


def test_deeply_nested_json_is_a_bad_frame_not_a_crash() -> None:
    with pytest.raises(BadFrame):
        parse_client_frame("[" * 100_000 + "]" * 100_000, max_bytes=1_000_000)


def test_control_frames_are_compact_json_objects() -> None:
    assert control_frame("error", error="é") == '{"t":"error","error":"é"}'


@pytest.mark.parametrize(
    ("escaped", "value"),
    [
        (r"\ud800", "\ufffd"),  # a lone surrogate: valid JSON, not encodable as UTF-8
        (r"x\udfffy", "x\ufffdy"),
        (r"\ud83d\ude00", "😀"),
        (r"\u0000", "\ufffd"),  # NUL: the HTML parser would drop or replace it
        (r"a\r\nb\rc", "a\nb\nc"),
        ("é", "é"),
    ],
)
def test_every_string_of_a_browser_frame_is_normalised_on_the_way_in(
    escaped: str, value: str
) -> None:
    """A browser's JSON.stringify writes a lone surrogate as an escape: it must not reach
    a view (nor its store, nor a model server) as a str that cannot be encoded."""
    params = f'{{"text":"{escaped}","list":["{escaped}"],"{escaped}":1}}'
    frame = parse_client_frame(
        f'{{"t":"event","ref":1,"name":"submit","params":{params}}}', max_bytes=500
    )
    assert frame == Event(1, "submit", {"text": value, "list": [value], value: 1})
    assert parse(f'{{"t":"input","ref":2,"field":"prompt","value":"{escaped}"}}') == Input(
        2, "prompt", value
    )


def test_a_frame_holding_a_raw_lone_surrogate_is_normalised_not_a_crash() -> None:
    """No socket decodes into one, but another transport might hand the parser such a str."""
    assert parse('{"t":"input","ref":2,"field":"p","value":"\ud800"}') == Input(2, "p", "\ufffd")


def test_strings_are_normalised_at_any_depth_json_allows() -> None:
    depth = 900
    nested = "[" * depth + r'"\u0000"' + "]" * depth
    frame = parse_client_frame(
        f'{{"t":"event","ref":1,"name":"x","params":{{"a":{nested}}}}}', max_bytes=10_000
    )
    assert isinstance(frame, Event)
    value = frame.params["a"]
    for _ in range(depth):
        (value,) = value
    assert value == "\ufffd"
