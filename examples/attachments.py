"""Attachments: files chosen in a file input or dropped on the page, sent over the live
socket in chunks, with progress, limits and cancel.

``files`` is declared with its limits (``accept``, ``max_size``, ``max_files``); the
server checks each file against them and shows a refusal beside the file. While a file
arrives its row shows a progress bar; its Remove button cancels it. A finished file reaches
the view as an :class:`~actorview.Uploaded` message: ``saved`` copies it (in a worker
thread, off the view's task) into the directory the route gives and lists it.

Mount params: ``{"directory": "/srv/attachments"}``. DOM hooks: ``#files`` (the input),
``#drop`` (the drop zone), ``#entries`` (one ``li.entry`` per chosen file, with
``.name``, ``progress``, ``.percent``, ``.error`` and a ``.cancel`` button), ``#saved``
(one ``li`` per saved file).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import IO

import attrs
import trio

from actorview import (
    Application,
    Element,
    Route,
    Uploaded,
    UploadEntry,
    View,
    h,
    on,
    state,
    upload,
)

MAX_SIZE = 2 * 1024 * 1024
"""Most bytes one attachment may have (2 MiB)."""


@attrs.frozen
class Params:
    """Where saved attachments go."""

    directory: str


@attrs.frozen
class Saved:
    """An attachment kept: its name and size."""

    name: str
    size: int


def save(source: IO[bytes], target: Path) -> None:
    """Copy an uploaded file to ``target`` (run in a worker thread)."""
    with target.open("wb") as out:
        shutil.copyfileobj(source, out)


class Attachments(View):
    files = upload(accept=(".png", ".jpg", ".txt", ".pdf"), max_size=MAX_SIZE, max_files=3)
    saved = state(list[Saved])
    directory = state(str)

    def mount(self, params: Params) -> None:
        self.directory = params.directory

    @on(Uploaded)
    async def keep(self, uploaded: Uploaded) -> None:
        """Copy a finished file into the directory (its name made safe) and list it."""
        name = Path(uploaded.name).name or f"file-{uploaded.id}"
        await trio.to_thread.run_sync(save, uploaded.file, Path(self.directory) / name)
        self.saved = [*self.saved, Saved(name, uploaded.size)]

    def render(self) -> Element:
        return h.div(
            h.div(
                h.p("Drop files here, or choose them:"),
                self.files.input(id="files"),
                id="drop",
                av_upload_drop="files",
            ),
            h.ul([entry_row(entry) for entry in self.files.entries], id="entries"),
            h.ul([h.li(f"{item.name} ({item.size} bytes)") for item in self.saved], id="saved"),
        )


def entry_row(entry: UploadEntry) -> Element:
    """One chosen file: its name, then its progress, or its error."""
    return h.li(
        h.span(entry.name, class_="name"),
        (entry.failed and h.span(entry.error or "", class_="error"))
        or h.span(
            h.progress(value=str(entry.progress), max="100"),
            h.span(f"{entry.progress}%", class_="percent"),
        ),
        h.button("Remove", class_="cancel", av_upload_cancel=str(entry.id)),
        class_=f"entry {entry.state.value}",
        key=str(entry.id),
        id=f"entry-{entry.id}",
    )


if __name__ == "__main__":
    target = Path("attachments")
    target.mkdir(exist_ok=True)
    app = Application([Route("/", Attachments, params={"directory": str(target)})])
    trio.run(app.serve)
