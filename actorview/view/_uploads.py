"""The uploads of one view at run time: the entries, their files, and every limit.

The endpoint turns the page's upload frames into :class:`UploadStart`,
:class:`UploadChunk` and :class:`UploadCancel` events and asks the view; the view hands
them to its :class:`UploadTable`, which answers with an :class:`UploadAnswer` (what the
page hears: per file, how many bytes arrived and whether to go on). The rules, in the
order they apply:

1. a start names a declared upload and lists files (id, name, size, type); each file is
   checked against the declaration (type, ``max_size``, ``max_files``) and accepted,
   with a fresh spooled file, or refused with an error shown beside it;
2. a chunk names an accepted file and the offset it starts at, which must be exactly
   the bytes received so far; a chunk that would pass the file's declared size (itself
   at most ``max_size``) is refused and fails the file: the total never exceeds
   ``max_size`` by one byte. A chunk for an unknown, failed or finished file is answered
   so and changes nothing;
3. the chunk that completes a file rewinds it and tells the view :class:`Uploaded`;
4. a cancel (the page's, or the view's ``cancel_upload``) removes the entry and closes
   its file; a file with no chunk for its ``timeout`` fails as stalled; a disconnect
   fails every file still uploading (the page cannot resume it); the view's stop closes
   every file.

Nothing here raises for bad input: every refusal is an answer, so a hostile page never
crashes its view nor holds up other messages.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from typing import IO, Any

import attrs

from actorview.declare._uploads import EntryState, Uploaded, UploadEntry, Uploads, UploadSpec
from actorview.render._normalize import normalize_text

MAX_NAME_CHARS = 255
"""Characters of a file name kept (the rest is cut)."""

MAX_FILES_PER_START = 100
"""Files one start frame may list, whatever the declaration."""


@attrs.frozen
class UploadStart:
    """The page chose ``files`` (untrusted: a list of ``{"id", "name", "size",
    "type"}``) for upload ``upload``."""

    upload: str
    files: Any


@attrs.frozen
class UploadChunk:
    """The bytes of file ``id`` from byte ``offset`` on; with ``refused``, a chunk the
    endpoint would not take (it was larger than a frame may be): the file fails so."""

    id: int
    offset: int
    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")
    refused: str | None = None


@attrs.frozen
class UploadCancel:
    """The user removed file ``id`` (uploading, finished or failed)."""

    id: int


@attrs.frozen
class UploadTick:
    """Time to fail the files that stalled (the view's upload timer)."""


@attrs.frozen
class FileAnswer:
    """What the page hears of one file: go on from ``received``, or stop (``state`` is
    ``done``, ``failed`` or ``cancelled``; ``error`` says why it failed)."""

    id: int
    state: str
    received: int = 0
    error: str | None = None

    def wire(self) -> dict[str, Any]:
        fields: dict[str, Any] = {"id": self.id, "state": self.state, "received": self.received}
        if self.error is not None:
            fields["error"] = self.error
        return fields


@attrs.frozen
class UploadAnswer:
    """The answer to an upload event: one :class:`FileAnswer` per file it named, and an
    ``error`` for what was wrong with the frame as a whole (an unknown upload)."""

    files: tuple[FileAnswer, ...] = ()
    error: str | None = None


@attrs.define
class _Entry:
    spec: UploadSpec
    id: int
    name: str
    size: int
    content_type: str
    file: IO[bytes] | None
    last_at: float
    received: int = 0
    state: EntryState = EntryState.UPLOADING
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.state is EntryState.FAILED

    def value(self) -> UploadEntry:
        return UploadEntry(
            self.id, self.name, self.size, self.content_type, self.received, self.state, self.error
        )

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def fail(self, error: str) -> FileAnswer:
        self.close()
        self.state = EntryState.FAILED
        self.error = error
        return FileAnswer(self.id, "failed", self.received, error)


class UploadTable:
    """Every upload of one view: its entries in the order chosen, and their files.

    Owned by the view's task (no locks); ``now`` is the trio clock, passed in."""

    def __init__(self, view: str, specs: Mapping[str, UploadSpec]) -> None:
        self.view = view
        self.specs = dict(specs)
        self._entries: dict[int, _Entry] = {}
        self._values: dict[str, Uploads] = {}

    # -- reading -------------------------------------------------------------------

    def value(self, name: str) -> Uploads:
        """Upload ``name`` as ``render`` reads it."""
        found = self._values.get(name)
        if found is None:
            entries = tuple(e.value() for e in self._entries.values() if e.spec.name == name)
            found = Uploads(self.specs[name], entries)
            self._values[name] = found
        return found

    @property
    def uploading(self) -> bool:
        """Whether some file is still arriving (the stall timer runs while so)."""
        return any(e.state is EntryState.UPLOADING for e in self._entries.values())

    def _changed(self, name: str) -> None:
        self._values.pop(name, None)

    # -- the page's frames ---------------------------------------------------------

    def start(self, event: UploadStart, now: float) -> UploadAnswer:
        spec = self.specs.get(event.upload)
        if spec is None:
            known = ", ".join(sorted(self.specs)) or "none"
            return UploadAnswer(
                error=f"{self.view} has no upload {event.upload!r} (its uploads: {known})"
            )
        files = event.files
        if not isinstance(files, list) or len(files) > MAX_FILES_PER_START:
            return UploadAnswer(
                error=f"an upload start lists its files, at most {MAX_FILES_PER_START}"
            )
        self._changed(spec.name)
        for old in [e for e in self._entries.values() if e.spec is spec and e.failed]:
            del self._entries[old.id]  # a new choice clears the old errors
        held = sum(1 for e in self._entries.values() if e.spec is spec)
        answers: list[FileAnswer] = []
        for raw in files:
            answer = self._start_file(spec, raw, now, held)
            if answer.state == "uploading":
                held += 1
            answers.append(answer)
        return UploadAnswer(tuple(answers))

    def _start_file(self, spec: UploadSpec, raw: Any, now: float, held: int) -> FileAnswer:
        file_id = raw.get("id") if isinstance(raw, dict) else None
        if not _is_count(file_id):
            return FileAnswer(-1, "failed", error="each file needs an int id from 0 to 2**53 - 1")
        assert isinstance(file_id, int)
        if file_id in self._entries:
            return FileAnswer(file_id, "failed", error=f"file id {file_id} is already in use")
        name = raw.get("name")
        size = raw.get("size")
        kind = raw.get("type", "")
        if not isinstance(name, str) or not _is_count(size) or not isinstance(kind, str):
            shape = 'each file needs "name" (a string), "size" (an int) and "type" (a string)'
            return FileAnswer(file_id, "failed", error=shape)
        assert isinstance(size, int)
        name = normalize_text(name)[:MAX_NAME_CHARS]
        kind = normalize_text(kind)[:MAX_NAME_CHARS]
        entry = _Entry(spec, file_id, name, size, kind, None, now)
        refusal = self._refusal(spec, name, size, kind, held)
        if refusal is not None:
            self._entries[file_id] = entry
            return entry.fail(refusal)
        entry.file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed with the entry)
            max_size=spec.spool, mode="w+b", dir=spec.directory
        )
        self._entries[file_id] = entry
        if size == 0:
            return self._finish(entry)
        return FileAnswer(file_id, "uploading", 0)

    def _refusal(self, spec: UploadSpec, name: str, size: int, kind: str, held: int) -> str | None:
        if not spec.accepts(name, kind):
            return f"this type of file is not accepted (only {', '.join(spec.accept)})"
        if size > spec.max_size:
            return f"too large: {_size(size)} (the limit is {_size(spec.max_size)})"
        if held >= spec.max_files:
            many = "file" if spec.max_files == 1 else "files"
            return f"too many files: at most {spec.max_files} {many}; remove one first"
        return None

    def chunk(self, event: UploadChunk, now: float) -> tuple[UploadAnswer, Uploaded | None]:
        """Take one chunk; the :class:`Uploaded` to tell the view when it completed a file."""
        entry = self._entries.get(event.id)
        if entry is None:
            return UploadAnswer((FileAnswer(event.id, "cancelled", error="no such file"),)), None
        if entry.state is not EntryState.UPLOADING:
            answer = FileAnswer(entry.id, entry.state.value, entry.received, entry.error)
            return UploadAnswer((answer,)), None
        self._changed(entry.spec.name)
        if event.refused is not None:
            return UploadAnswer((entry.fail(event.refused),)), None
        if event.offset != entry.received:
            error = (
                f"a chunk at byte {event.offset} arrived where byte {entry.received} was due; "
                "choose the file again"
            )
            return UploadAnswer((entry.fail(error),)), None
        end = entry.received + len(event.data)
        if end > entry.size:
            error = f"more bytes arrived than the {_size(entry.size)} the file was said to have"
            return UploadAnswer((entry.fail(error),)), None
        assert entry.file is not None
        entry.file.write(event.data)
        entry.received = end
        entry.last_at = now
        if end < entry.size:
            return UploadAnswer((FileAnswer(entry.id, "uploading", end),)), None
        answer = self._finish(entry)
        assert entry.file is not None
        uploaded = Uploaded(
            entry.spec.name, entry.id, entry.name, entry.size, entry.content_type, entry.file
        )
        return UploadAnswer((answer,)), uploaded

    def _finish(self, entry: _Entry) -> FileAnswer:
        assert entry.file is not None
        entry.file.seek(0)
        entry.state = EntryState.DONE
        return FileAnswer(entry.id, "done", entry.received)

    def cancel(self, event: UploadCancel) -> UploadAnswer:
        entry = self._entries.pop(event.id, None)
        if entry is None:
            return UploadAnswer((FileAnswer(event.id, "cancelled", error="no such file"),))
        self._changed(entry.spec.name)
        entry.close()
        return UploadAnswer((FileAnswer(entry.id, "cancelled", entry.received),))

    # -- the view's own decisions --------------------------------------------------

    def cancel_upload(self, name: str, file_id: int | None = None) -> None:
        """Remove the entries of upload ``name`` (only ``file_id``'s, if given) and
        close their files; a file still arriving is refused from its next chunk on."""
        if name not in self.specs:
            known = ", ".join(sorted(self.specs)) or "none"
            raise KeyError(f"{self.view} has no upload {name!r} (its uploads: {known})")
        for entry in list(self._entries.values()):
            if entry.spec.name == name and file_id in (None, entry.id):
                del self._entries[entry.id]
                entry.close()
        self._changed(name)

    def fail_stalled(self, now: float) -> int:
        """Fail the files that had no chunk for their upload's ``timeout``; how many."""
        failed = 0
        for entry in self._entries.values():
            timeout = entry.spec.timeout
            if entry.state is EntryState.UPLOADING and now - entry.last_at >= timeout:
                entry.fail(f"stalled: no data for {timeout:g} s; choose the file again")
                self._changed(entry.spec.name)
                failed += 1
        return failed

    def fail_uploading(self, error: str) -> None:
        """Fail every file still arriving (the page's socket went away)."""
        for entry in self._entries.values():
            if entry.state is EntryState.UPLOADING:
                entry.fail(error)
                self._changed(entry.spec.name)

    def close(self) -> None:
        """Close every file (the view stops); their bytes are deleted."""
        for entry in self._entries.values():
            entry.close()


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2**53 - 1


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
