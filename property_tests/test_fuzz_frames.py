"""Untrusted frames, fuzzed against a live endpoint on 127.0.0.1.

Hypothesis sends malformed, truncated, oversized, wrongly typed, unknown and binary frames
(and valid ones mixed in) to one chat session while a second session streams a reply.
Each frame gets exactly one answer (an error frame, or the reply of an event), or, past
the WebSocket layer's size limit, a clean close with a code and a reason; the fuzzed view
and the other view keep running, and the fuzzed view still answers a real submit.

Frames that break RFC 6455 itself (RSV bits, reserved opcodes, unmasked frames, invalid
UTF-8) are sent as raw bytes: each gets a close frame with 1002 or 1007, and the server
serves on. A further test replays a seeded mutation corpus for a while and checks the server's
traced memory returns to its level after warm-up. ``FUZZ_INPUTS`` counts every frame
sent; run with ``-s`` to see the totals.
"""

from __future__ import annotations

import gc
import json
import random
import tracemalloc
from typing import Any

import trio
import trio_websocket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actorview.endpoint import BadFrame, Limits
from actorview.endpoint._protocol import parse_client_frame
from tests.endpoint import rawws
from tests.endpoint.harness import running
from tests.hardening.chat import ChatPage, chat_app, joined, open_page

MAX_FRAME = 2048
LIMITS = Limits(
    max_frame_bytes=MAX_FRAME,
    events_per_second=1e6,
    event_burst=1_000_000,
    client_frames_per_second=1e6,
    client_frame_burst=1_000_000,
)
FUZZ_INPUTS = {"hypothesis": 0, "mutations": 0, "memory_growth_bytes": 0}

any_text = st.text(
    # every category; lone surrogates, NUL and CR often (json.dumps escapes them, as a
    # browser's JSON.stringify does): the endpoint normalises them (normalize_text)
    alphabet=st.characters(codec=None, exclude_categories=())
    | st.sampled_from("\x00\r\ud800\udfff"),
    max_size=20,
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | any_text
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
names = st.sampled_from(
    ["submit", "cancel", "clear", "on_chunk", "render", "mount", "__init__", "_av_action", ""]
) | st.text(max_size=12)
fields = st.sampled_from(
    ["input", "draft", "history", "streaming", "token_delay", "reply_length", "__class__", ""]
) | st.text(max_size=12)
frame_objects = st.fixed_dictionaries(
    {},
    optional={
        "t": st.sampled_from(["event", "input", "ping", "join", "render", "reply"]) | values,
        "ref": st.integers(-5, 2**60) | values,
        "name": names | values,
        "params": st.dictionaries(st.sampled_from(["input", "draft", "x"]), values) | values,
        "field": fields | values,
        "value": values,
        "token": st.text(max_size=40) | values,
        "path": st.sampled_from(["/", "/x", "//", ""]) | values,
    },
)
well_formed = st.fixed_dictionaries(
    {"t": st.just("event"), "ref": st.integers(0, 1000), "name": names},
    optional={"params": st.dictionaries(st.sampled_from(["input", "draft", "x"]), values)},
) | st.fixed_dictionaries(
    {"t": st.just("input"), "ref": st.integers(0, 1000), "field": fields, "value": values}
)


def truncated(text: str) -> st.SearchStrategy[str]:
    return st.integers(0, max(0, len(text) - 1)).map(lambda cut: text[:cut])


frames: st.SearchStrategy[str | bytes] = st.one_of(
    frame_objects.map(json.dumps),
    well_formed.map(json.dumps),
    (frame_objects | well_formed).map(json.dumps).flatmap(truncated),
    values.map(json.dumps),
    st.text(max_size=100),
    st.binary(max_size=100),
    st.integers(1, 3).map(lambda depth: "[" * (1000 * depth) + "]" * (1000 * depth)),
    st.integers(MAX_FRAME - 20, 4 * MAX_FRAME - 20).map(
        lambda n: '{"t":"ping","x":"' + "a" * n + '"}'
    ),
    st.just("x" * (4 * MAX_FRAME + 1)),
    st.sampled_from(['{"t":"ping"}', ' {"t" : "ping"} ', "null", "{}", '{"t":null}', "\ufeff{}"]),
)


def is_ping(frame: str | bytes) -> bool:
    """Whether ``frame`` is a valid ping (the one frame that gets no answer)."""
    if isinstance(frame, bytes) or len(frame.encode()) > MAX_FRAME:
        return False
    try:
        return bool(json.loads(frame) == {"t": "ping"})
    except ValueError:
        return False


def is_valid(frame: str | bytes) -> bool:
    try:
        parse_client_frame(frame, max_bytes=MAX_FRAME)
    except BadFrame:
        return False
    return True


def too_big_for_the_socket(frame: str | bytes) -> bool:
    size = len(frame) if isinstance(frame, bytes) else len(frame.encode())
    return size > 4 * MAX_FRAME


async def answer_of(page: ChatPage, ws: trio_websocket.WebSocketConnection) -> dict[str, Any]:
    """The next error or reply frame, or the ``upload`` frame that answers an upload frame
    (patch frames on the way are applied to the page)."""
    with trio.fail_after(5):
        while True:
            frame = page.apply(str(await ws.get_message()))
            if isinstance(frame, dict) and frame["t"] in ("error", "reply", "upload"):
                return frame
            assert isinstance(frame, list), f"unexpected frame {frame}"


async def fuzz(frames: list[str | bytes]) -> None:
    async with running(chat_app(token_delay=0.002, reply_length=100_000, limits=LIMITS)) as port:
        bystander, target = await open_page(port), await open_page(port)
        async with joined(bystander) as other, trio.open_nursery() as nursery:
            await bystander.submit(other, "bystander")
            await bystander.read_until(other, lambda p: len(p.draft) > 0)
            nursery.start_soon(keep_reading, bystander, other)
            before = len(bystander.draft)
            await send_all(target, frames)
            assert len(bystander.draft) > before, "the other session kept streaming"
            nursery.cancel_scope.cancel()
        assert bystander.history == [("user", "bystander")]


async def keep_reading(page: ChatPage, ws: trio_websocket.WebSocketConnection) -> None:
    while True:
        page.apply(str(await ws.get_message()))


async def send_all(page: ChatPage, frames: list[str | bytes]) -> None:
    ws_context = joined(page)
    ws = await ws_context.__aenter__()
    try:
        for frame in frames:
            FUZZ_INPUTS["hypothesis"] += 1
            await ws.send_message(frame)
            if too_big_for_the_socket(frame):
                await closed_with_a_reason(ws)
                await ws_context.__aexit__(None, None, None)
                ws_context = joined(page, render=False)
                ws = await ws_context.__aenter__()
            elif not is_ping(frame):
                answer = await answer_of(page, ws)
                answered = answer.get("error") or answer.get("outcome") or answer.get("files")
                assert answered, answer
        await ws.send_message('{"t":"event","ref":7,"name":"clear"}')
        await ws.send_message('{"t":"event","ref":8,"name":"submit","params":{"input":"alive"}}')
        await page.read_until(ws, lambda p: p.history[-1:] == [("user", "alive")])
        await page.read_until(ws, lambda p: p.draft.startswith("You said alive:"))
    finally:
        await ws_context.__aexit__(None, None, None)


async def closed_with_a_reason(ws: trio_websocket.WebSocketConnection) -> None:
    with trio.fail_after(5):
        try:
            while True:
                await ws.get_message()
        except trio_websocket.ConnectionClosed as closed:
            assert closed.reason is not None and closed.reason.code == 1009
            assert "maximum message size" in str(closed.reason.reason)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(frames, min_size=10, max_size=40))
def test_every_bad_frame_gets_an_answer_and_every_view_keeps_running(
    batch: list[str | bytes],
) -> None:
    trio.run(fuzz, batch)


# -- a seeded mutation fuzzer, for volume and for memory ------------------------------

SEEDS = [
    '{"t":"event","ref":1,"name":"submit","params":{"input":"hi"}}',
    '{"t":"input","ref":2,"field":"input","value":"typing"}',
    '{"t":"event","ref":3,"name":"cancel"}',
    '{"t":"join","token":"abc.def","path":"/"}',
    '{"t":"ping"}',
]
JUNK = ['"', "{", "}", "[", "]", ",", ":", "\\", "\x00", "null", "1e999", "-0", "💥", "\u2028"]
JUNK += ["\\ud800", "\\udfff", "\\u0000", "\\r\\n", "\\ud83d\\ude00"]  # escapes: valid JSON


def mutate(rng: random.Random) -> str | bytes:
    text = rng.choice(SEEDS)
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, len(text))
        kind = rng.randrange(6)
        if kind == 0:
            text = text[:at]
        elif kind == 1:
            text = text[:at] + rng.choice(JUNK) + text[at:]
        elif kind == 2:
            text = text[:at] + text[at + rng.randint(1, 5) :]
        elif kind == 3:
            text = text.replace(
                '"ref":', '"ref":' + rng.choice(['"1"', "1.5", "[]", "true", "-1"]), 1
            )
        elif kind == 4:
            text = text[:at] + "x" * rng.choice([10, 1000, MAX_FRAME]) + text[at:]
        else:
            return text.encode("utf-8", "surrogatepass")
    return text


async def replay_mutations(count: int, seed: int) -> tuple[int, int]:
    """Send ``count`` mutated frames after a warm-up; the traced memory growth across them."""
    rng = random.Random(seed)
    async with running(chat_app(limits=LIMITS)) as port:
        page = await open_page(port)
        page.keep_frames = False
        async with joined(page) as ws:

            async def burst(n: int) -> None:
                for _ in range(n):
                    frame = mutate(rng)
                    if too_big_for_the_socket(frame) or is_valid(frame):
                        continue  # valid frames may grow the view's state, rightly
                    FUZZ_INPUTS["mutations"] += 1
                    await ws.send_message(frame)
                    if not is_ping(frame):
                        await answer_of(page, ws)

            await burst(300)
            baseline = traced()
            await burst(count)
            after = traced()
            await ws.send_message('{"t":"event","ref":1,"name":"submit","params":{"input":"ok"}}')
            await page.read_until(ws, lambda p: ("user", "ok") in p.history)
    return baseline, after


def traced() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_a_mutation_corpus_leaves_memory_where_it_was() -> None:
    tracemalloc.start()
    try:
        baseline, after = trio.run(replay_mutations, 2000, 8)
    finally:
        tracemalloc.stop()
    FUZZ_INPUTS["memory_growth_bytes"] = after - baseline
    assert after - baseline < 512 * 1024, f"grew {after - baseline} bytes over 2000 frames"


def test_zz_report_the_fuzz_totals() -> None:
    print(f"\nfuzzed frames: {FUZZ_INPUTS}")


violations = st.one_of(
    st.tuples(st.integers(1, 7), st.sampled_from([0x1, 0x2, 0x9])).map(
        lambda t: ("rsv", rawws.frame(t[1], b"x", rsv=t[0]), 1002)
    ),
    st.integers(0x3, 0x7).map(lambda op: ("opcode", rawws.frame(op, b"x"), 1002)),
    st.integers(0xB, 0xF).map(lambda op: ("opcode", rawws.frame(op), 1002)),
    st.binary(max_size=40).map(
        lambda data: ("unmasked", rawws.frame(rawws.TEXT, data, masked=False), 1002)
    ),
    st.binary(min_size=1, max_size=20).map(
        lambda data: ("utf-8", rawws.frame(rawws.TEXT, b"\xff" + data), 1007)
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(violation=violations)
def test_every_protocol_violation_gets_a_close_frame_and_the_server_serves_on(
    violation: tuple[str, bytes, int],
) -> None:
    _, data, code = violation

    async def attack() -> tuple[list[int | None], int]:
        async with running(chat_app(limits=LIMITS)) as port:
            async with rawws.raw_socket(port) as ws:
                await ws.send(data)
                frames = await ws.frames_until_eof(within=5)
            page = await open_page(port)
        FUZZ_INPUTS["hypothesis"] += 1
        return [f.close_code for f in frames], len(page.token)

    codes, token_length = trio.run(attack)
    assert codes == [code]
    assert token_length > 0
