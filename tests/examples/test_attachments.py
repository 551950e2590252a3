"""examples/attachments.py: files uploaded in chunks, checked, saved, cancelled (on the
real clock: the view saves in a worker thread)."""

from __future__ import annotations

import os
from pathlib import Path

from actorview.testing import mount
from examples.attachments import MAX_SIZE, Attachments


async def test_a_file_is_saved_and_listed(tmp_path: Path) -> None:
    data = os.urandom(300_000)
    async with mount(Attachments, {"directory": str(tmp_path)}) as view:
        entry = await view.upload("files", "scan.pdf", data, content_type="application/pdf")
        assert entry.done
        await view.until(lambda v: v.text("#saved") == "scan.pdf (300000 bytes)")
        assert view.text(f"#entry-{entry.id} .percent") == "100%"
    assert (tmp_path / "scan.pdf").read_bytes() == data


async def test_a_file_name_cannot_leave_the_directory(tmp_path: Path) -> None:
    target = tmp_path / "saved"
    target.mkdir()
    async with mount(Attachments, {"directory": str(target)}) as view:
        await view.upload("files", "../../evil.txt", b"x")
        await view.until(lambda v: v.text("#saved") == "evil.txt (1 bytes)")
    assert os.listdir(target) == ["evil.txt"]


async def test_limits_are_shown_beside_each_file_and_cancel_removes_it(tmp_path: Path) -> None:
    async with mount(Attachments, {"directory": str(tmp_path)}) as view:
        big = await view.upload("files", "huge.png", b"x" * (MAX_SIZE + 1))
        assert view.text(f"#entry-{big.id} .error") == "too large: 2.0 MB (the limit is 2.0 MB)"
        for name in ("a.txt", "b.txt", "c.txt"):
            await view.upload("files", name, b"x")
        fourth = await view.upload("files", "d.txt", b"x")
        assert fourth.error == "too many files: at most 3 files; remove one first"
        await view.click(f"#entry-{fourth.id} .cancel")
        assert not view.has_element(f"#entry-{fourth.id}")
        halfway = await view.upload("files", "e.png", b"x" * 100_000, partial=0)
        assert halfway.failed  # the first three still count
