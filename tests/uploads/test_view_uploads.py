"""Uploads in a view, through the test client: limits checked on the server, progress,
cancel by the user and by the view, stalls, and the file handed over without sitting
in memory whole."""

from __future__ import annotations

import io
from typing import Any

import pytest
import trio
import trio.testing

from actorview import Element, Uploaded, View, clause, h, on, ops, state, upload
from actorview.errors import DefinitionError
from actorview.testing import mount
from actorview.view import EntryState
from actorview.view._uploads import UploadChunk, UploadStart

KB = 1024


class Avatar(View):
    avatar = upload(
        accept=(".png", ".jpg"), max_size=200 * KB, max_files=1, timeout=5, spool=64 * KB
    )
    received = state(list[str])
    head = state(bytes, b"")

    @on(Uploaded)
    def took(self, uploaded: Uploaded) -> None:
        self.head = uploaded.file.read(4)
        self.received = [*self.received, f"{uploaded.upload}:{uploaded.name}:{uploaded.size}"]
        self.files.append(uploaded.file)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files: list[Any] = []

    def render(self) -> Element:
        return h.div(
            self.avatar.input(id="avatar"),
            h.ul(
                [
                    h.li(e.name, " ", f"{e.progress}%", " ", e.error or "", key=str(e.id))
                    for e in self.avatar.entries
                ],
                id="entries",
            ),
        )


async def test_a_file_arrives_in_chunks_and_reaches_the_view_as_a_file(
    autojump_clock: trio.testing.MockClock,
) -> None:
    data = bytes(range(256)) * 600  # 150 KB: three chunks
    async with mount(Avatar) as view:
        entry = await view.upload("avatar", "me.png", data, content_type="image/png")
        assert entry.state is EntryState.DONE and entry.received == len(data)
        assert view.view.received == [f"avatar:me.png:{len(data)}"]
        assert view.view.head == data[:4]
        file = view.view.files[0]
        file.seek(0)
        assert file.read() == data
        assert getattr(file, "_rolled", True)  # past its spool: on disk, not in memory
        assert "me.png 100%" in view.text("#entries")


async def test_the_input_says_what_it_accepts() -> None:
    async with mount(Avatar) as view:
        found = view.find("#avatar")
        assert found.attrs["type"] == "file"
        assert found.attrs["av-upload"] == "avatar"
        assert found.attrs["accept"] == ".png,.jpg"
        assert "multiple" not in found.attrs


@pytest.mark.parametrize(
    ("name", "size", "error"),
    [
        ("notes.txt", 10, "this type of file is not accepted (only .png, .jpg)"),
        ("big.png", 200 * KB + 1, "too large: 200.0 KB (the limit is 200.0 KB)"),
    ],
)
async def test_a_file_past_its_limits_is_refused_beside_it(
    name: str, size: int, error: str, autojump_clock: trio.testing.MockClock
) -> None:
    async with mount(Avatar) as view:
        entry = await view.upload("avatar", name, b"x" * size)
        assert entry.state is EntryState.FAILED and entry.error == error
        assert error in view.text("#entries")
        assert view.view.received == []


async def test_a_second_file_past_max_files_is_refused_until_the_first_goes(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        first = await view.upload("avatar", "a.png", b"a")
        second = await view.upload("avatar", "b.png", b"b")
        assert second.error == "too many files: at most 1 file; remove one first"
        await view.cancel_upload(first.id)
        assert view.view.files[0].closed  # its bytes are gone with the entry
        third = await view.upload("avatar", "c.png", b"c")
        assert third.done
        assert [e.name for e in view.view.avatar.entries] == ["c.png"]


async def test_the_total_never_passes_the_declared_size_by_one_byte(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        start = UploadStart("avatar", [{"id": 9, "name": "a.png", "size": 10, "type": ""}])
        await view.ref.ask(start)
        answer = await view.ref.ask(UploadChunk(9, 0, b"x" * 11))
        assert answer.files[0].state == "failed"
        assert "more bytes arrived than the 10 bytes" in (answer.files[0].error or "")
        late = await view.ref.ask(UploadChunk(9, 0, b"x"))
        assert late.files[0].state == "failed"  # a failed file takes nothing more
        assert view.view.received == []


async def test_a_chunk_out_of_place_fails_its_file(autojump_clock: trio.testing.MockClock) -> None:
    async with mount(Avatar) as view:
        start = UploadStart("avatar", [{"id": 3, "name": "a.png", "size": 10, "type": ""}])
        await view.ref.ask(start)
        answer = await view.ref.ask(UploadChunk(3, 5, b"x"))
        assert "arrived where byte 0 was due" in (answer.files[0].error or "")


async def test_hostile_starts_are_answered_not_raised(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        unknown = await view.ref.ask(UploadStart("resume", []))
        assert unknown.error == "Avatar has no upload 'resume' (its uploads: avatar)"
        shapeless = await view.ref.ask(UploadStart("avatar", "files"))
        assert shapeless.error is not None
        odd = await view.ref.ask(
            UploadStart("avatar", [{"id": True}, {"id": 1, "name": 3}, "x", {"id": -1}])
        )
        assert [f.state for f in odd.files] == ["failed"] * 4
        chunk = await view.ref.ask(UploadChunk(77, 0, b"x"))
        assert chunk.files[0].state == "cancelled" and chunk.files[0].error == "no such file"
        assert view.text("#entries") == ""  # nothing named a file it could show


async def test_a_stalled_upload_fails_after_its_timeout(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        entry = await view.upload("avatar", "a.png", b"x" * 100 * KB, partial=64 * KB)
        assert entry.state is EntryState.UPLOADING
        assert "a.png 64%" in view.text("#entries")
        await view.advance(6)
        entry = view.upload_entry("avatar", entry.id)
        assert entry.error == "stalled: no data for 5 s; choose the file again"


async def test_the_view_cancels_and_later_chunks_are_refused(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        entry = await view.upload("avatar", "a.png", b"x" * 100 * KB, partial=64 * KB)
        view.view.cancel_upload("avatar")
        answer = await view.ref.ask(UploadChunk(entry.id, 64 * KB, b"x"))
        assert answer.files[0].state == "cancelled"
        await view.settle()
        assert view.text("#entries") == ""
        with pytest.raises(KeyError, match="Avatar has no upload 'photo'"):
            view.view.cancel_upload("photo")


async def test_a_disconnect_fails_what_was_still_arriving(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        entry = await view.upload("avatar", "a.png", b"x" * 100 * KB, partial=1)
        await view.disconnect()
        assert "the connection dropped" in (view.upload_entry("avatar", entry.id).error or "")


async def test_a_small_file_stays_in_its_memory_spool() -> None:
    async with mount(Avatar) as view:
        await view.upload("avatar", "a.png", b"tiny")
        file = view.view.files[0]
        assert isinstance(file._file, io.BytesIO)


def test_a_wrong_declaration_names_the_view_and_the_fix() -> None:
    with pytest.raises(DefinitionError, match=r"Bad\.photo: upload\(\.\.\.\): accept entries"):

        class Bad(View):
            photo = upload(accept=("png",))

    with pytest.raises(DefinitionError, match=r"Worse\.photo: upload\(\.\.\.\): max_size must"):

        class Worse(View):
            photo = upload(max_size=0)


async def test_every_file_is_closed_when_the_view_ends(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Avatar) as view:
        await view.upload("avatar", "a.png", b"x" * 100 * KB)
        files = view.view.files
        assert not files[0].closed
    assert files[0].closed  # the view was cancelled: its files went with it


class Gallery(View):
    photos = upload(accept=("image/*",), max_files=5)
    names = state(list[str])

    on_photo = clause(Uploaded, ops.push(names=lambda name: name), match={"upload": "photos"})

    def render(self) -> Element:
        return h.div(self.photos.input(id="photos"), h.p(", ".join(self.names), id="names"))


async def test_a_declarative_clause_takes_the_uploaded_file(
    autojump_clock: trio.testing.MockClock,
) -> None:
    async with mount(Gallery) as view:
        assert "multiple" in view.find("#photos").attrs
        await view.upload("photos", "a.gif", b"GIF89a", content_type="image/gif")
        refused = await view.upload("photos", "b.gif", b"GIF89a", content_type="text/plain")
        assert refused.failed  # the type the page declares must fit image/*
        assert view.text("#names") == "a.gif"


async def test_progress_renders_are_paced_not_one_per_chunk(
    autojump_clock: trio.testing.MockClock,
) -> None:
    frames: list[Any] = []
    view = Avatar(sink=frames.append, paced=True)
    async with trio.open_nursery() as nursery:
        ref = await nursery.start(view.live.run)
        start = UploadStart("avatar", [{"id": 1, "name": "a.png", "size": 64 * KB, "type": ""}])
        await ref.ask(start)
        rendered = len(frames)
        for offset in range(0, 64 * KB, KB):  # 64 chunks at once: within one frame
            await ref.ask(UploadChunk(1, offset, b"x" * KB))
        await trio.sleep(0.1)
        assert 1 <= len(frames) - rendered <= 3
        assert "100%" in str(frames[-1].tree)
        nursery.cancel_scope.cancel()
