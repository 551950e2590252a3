"""The outbox never blocks the view, merges what waits, and gives up on a dead reader."""

from __future__ import annotations

import json

import pytest
import trio

from actorview.endpoint._outbox import ClientTooSlow, Outbox


async def test_frames_come_out_in_order() -> None:
    outbox = Outbox()
    outbox.push_patches([["t", [0], "a"]])
    outbox.push_control('{"t":"reply","ref":1}')
    outbox.push_patches([["t", [1], "b"]])
    assert json.loads(await outbox.next()) == [["t", [0], "a"]]
    assert json.loads(await outbox.next()) == {"t": "reply", "ref": 1}
    assert json.loads(await outbox.next()) == [["t", [1], "b"]]


async def test_waiting_patch_frames_merge_and_appends_to_one_node_join() -> None:
    outbox = Outbox()
    for token in ["Hel", "lo", " world"]:
        outbox.push_patches([["a", [0, 2], token]])
    outbox.push_patches([["s", [1], "disabled", True]])
    outbox.push_patches([["a", [0, 2], "!"]])
    assert len(outbox) == 1
    assert json.loads(await outbox.next()) == [
        ["a", [0, 2], "Hello world"],
        ["s", [1], "disabled", True],
        ["a", [0, 2], "!"],
    ]
    assert outbox.frames_merged == 4


async def test_a_reader_too_far_behind_is_given_up_on() -> None:
    outbox = Outbox(max_bytes=1_000)
    for _ in range(200):
        outbox.push_patches([["s", [0], "data-x", "y" * 10]])
    with pytest.raises(ClientTooSlow, match="limit 1000"):
        await outbox.next()


async def test_next_waits_for_a_frame_and_ends_when_closed() -> None:
    outbox = Outbox()
    got: list[str] = []

    async def reader() -> None:
        while True:
            try:
                got.append(await outbox.next())
            except trio.EndOfChannel:
                return

    async with trio.open_nursery() as nursery:
        nursery.start_soon(reader)
        await trio.testing.wait_all_tasks_blocked()
        outbox.push_control("x")
        await trio.testing.wait_all_tasks_blocked()
        outbox.close()
    assert got == ["x"]


async def test_a_render_replaces_the_backlog_and_does_not_count_against_the_limit() -> None:
    outbox = Outbox(max_bytes=1_000)
    outbox.push_patches([["t", [0], "stale"]])
    big_render = '{"t":"render","html":"' + "x" * 5_000 + '"}'
    outbox.push_render(big_render)
    outbox.push_patches([["a", [0], "tok"]])
    assert await outbox.next() == big_render
    assert json.loads(await outbox.next()) == [["a", [0], "tok"]]
    assert not outbox.overflowed.is_set()


async def test_frames_taken_are_kept_until_acked_and_a_resume_queues_them_again() -> None:
    outbox = Outbox()
    for n in range(1, 5):
        outbox.push_control(f"frame {n}")
    taken = [await outbox.next() for _ in range(4)]
    assert outbox.taken == 4
    outbox.ack(1)
    outbox.push_control("frame 5")
    assert outbox.resume(2)  # the page has frames 1 and 2
    assert outbox.taken == 2
    assert [await outbox.next() for _ in range(3)] == [*taken[2:], "frame 5"]
    assert not outbox.resume(0)  # frame 1 was acknowledged, so forgotten


async def test_a_resume_of_merged_patches_sends_the_same_encoded_frame() -> None:
    outbox = Outbox()
    outbox.push_patches([["a", [0], "x"]])
    outbox.push_patches([["a", [0], "y"]])
    first = await outbox.next()
    assert outbox.resume(0)
    outbox.push_patches([["a", [0], "z"]])  # waits behind the replayed frame, unmerged
    assert [await outbox.next(), await outbox.next()] == [first, '[["a",[0],"z"]]']


async def test_without_a_count_a_resume_starts_after_what_was_written() -> None:
    outbox = Outbox()
    outbox.push_control("a")
    outbox.push_control("b")
    await outbox.next()
    outbox.wrote()
    await outbox.next()  # taken, but the socket closed before it was written
    assert outbox.resume(None)
    assert await outbox.next() == "b"


async def test_what_is_kept_is_bounded_and_acks_past_the_end_are_ignored() -> None:
    outbox = Outbox(max_bytes=100)
    for n in range(50):
        outbox.push_control(f"frame {n:03d}")  # 9 bytes each
        await outbox.next()
    assert 90 <= outbox.kept_bytes <= 100
    assert not outbox.resume(0)
    outbox.ack(10_000)
    assert outbox.kept_bytes > 0
    assert outbox.resume(49)
