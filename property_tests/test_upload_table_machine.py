"""A stateful machine sends an upload table what a page, honest or hostile, could send.

Rules start files (of any declared size, type and id, reused ids included), send
chunks (at the right offset or not, of any length, for known files or not), cancel
files, let time pass and drop the connection. After every step: nothing raised; no file
ever holds more than its declared size nor more than ``max_size``; a finished file holds
exactly the bytes sent for it, in order; the entries that count against ``max_files``
never pass it; and the file of an entry that went is closed.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from actorview.declare._uploads import EntryState, Uploaded, UploadSpec
from actorview.view._uploads import UploadCancel, UploadChunk, UploadStart, UploadTable

SPEC = UploadSpec("doc", (".txt",), 64, 2, 5.0, None, 16)

ids = st.integers(min_value=0, max_value=6)


class UploadTableMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.table = UploadTable("Docs", {"doc": SPEC})
        self.now = 0.0
        self.sent: dict[int, bytes] = {}  # what was accepted for each id, in order
        self.finished: list[Uploaded] = []

    @rule(
        file_id=ids,
        name=st.sampled_from(["a.txt", "b.TXT", "c.png", ""]),
        size=st.integers(min_value=0, max_value=80),
    )
    def start(self, file_id: int, name: str, size: int) -> None:
        raw = {"id": file_id, "name": name, "size": size, "type": ""}
        answer = self.table.start(UploadStart("doc", [raw]), self.now)
        (file,) = answer.files
        if file.state in ("uploading", "done"):
            self.sent[file_id] = b""
            assert size <= SPEC.max_size and name.lower().endswith(".txt")

    @rule(file_id=ids, skew=st.integers(min_value=-2, max_value=2), length=st.integers(0, 40))
    def chunk(self, file_id: int, skew: int, length: int) -> None:
        entry = self._entry(file_id)
        offset = max(0, (entry.received if entry else 0) + skew)
        data = bytes([file_id]) * length
        answer, uploaded = self.table.chunk(UploadChunk(file_id, offset, data), self.now)
        (file,) = answer.files
        took = file.state in ("uploading", "done") and file_id in self.sent
        if took and entry is not None and entry.state is EntryState.UPLOADING:
            self.sent[file_id] += data
        if uploaded is not None:
            self.finished.append(uploaded)
            assert uploaded.file.read() == self.sent[file_id]
            uploaded.file.seek(0)

    @rule(file_id=ids)
    def cancel(self, file_id: int) -> None:
        self.table.cancel(UploadCancel(file_id))
        self.sent.pop(file_id, None)

    @rule(seconds=st.floats(min_value=0, max_value=4))
    def wait(self, seconds: float) -> None:
        self.now += seconds
        self.table.fail_stalled(self.now)

    @rule()
    def disconnect(self) -> None:
        self.table.fail_uploading("gone")

    def _entry(self, file_id: int) -> Any:
        for entry in self.table.value("doc").entries:
            if entry.id == file_id:
                return entry
        return None

    @invariant()
    def within_the_limits(self) -> None:
        entries = self.table.value("doc").entries
        for entry in entries:
            assert entry.received <= entry.size
            assert entry.received <= SPEC.max_size or entry.failed
            assert 0 <= entry.progress <= 100
        held = [entry for entry in entries if not entry.failed]
        assert len(held) <= SPEC.max_files

    @invariant()
    def a_finished_file_holds_what_was_sent(self) -> None:
        for entry in self.table.value("doc").entries:
            if entry.done:
                assert entry.received == entry.size == len(self.sent[entry.id])

    @invariant()
    def a_removed_file_is_closed(self) -> None:
        shown = {entry.id for entry in self.table.value("doc").entries}
        for uploaded in self.finished:
            if uploaded.id not in shown:
                assert uploaded.file.closed


UploadTableMachine.TestCase.settings = settings(max_examples=150, stateful_step_count=40)
test_upload_table = UploadTableMachine.TestCase
