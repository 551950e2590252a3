"""examples/log_tail.py: a tail that starts when a browser connects, on a timer."""

from __future__ import annotations

from pathlib import Path

import trio
import trio.testing

from actorview.testing import mount
from examples.log_tail import LogTail, read_from


def log_texts(view: object) -> list[str]:
    return [item.text for item in view.find_all("#log li")]  # type: ignore[attr-defined]


async def test_it_follows_the_file_while_a_browser_is_connected(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    log = tmp_path / "app.log"
    log.write_text("one\ntwo\n")
    async with mount(LogTail, {"path": str(log)}) as view:
        await view.advance(5)
        assert log_texts(view) == []  # nobody watches: nothing runs
        assert view.text("#status").endswith("waiting for a browser")
        await view.connect()
        await view.until(lambda v: len(log_texts(v)) == 2)
        assert log_texts(view) == ["one", "two"]
        with log.open("a") as file:
            file.write("three\npart")
        await view.until(lambda v: len(log_texts(v)) == 3, timeout=3)
        assert log_texts(view)[-1] == "three"  # the unfinished line waits
        await view.disconnect()
        assert not view.view.live.streams["follow"].busy
        with log.open("a") as file:
            file.write("ial\nfour\n")
        await view.advance(5)
        assert len(log_texts(view)) == 3  # not followed while nobody watches
        await view.connect()
        await view.until(lambda v: len(log_texts(v)) == 5)
        assert log_texts(view)[-2:] == ["partial", "four"]


async def test_a_missing_file_says_so_in_the_page(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    async with mount(LogTail, {"path": str(tmp_path / "absent.log")}) as view:
        await view.connect()
        await view.until(lambda v: "cannot read the file" in v.text("#status"))


def test_read_from_keeps_an_unfinished_line_and_restarts_after_a_truncation(
    tmp_path: Path,
) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"a\nb")
    assert read_from(str(log), 0) == (["a"], 2)
    assert read_from(str(log), 2) == ([], 2)
    log.write_bytes(b"")
    assert read_from(str(log), 2) == ([], 0)
