"""Uploads as a view declares them: ``avatar = upload(accept=(".png",), max_size=...)``.

:func:`upload` declares a named upload with its limits (type, size, count, stall
timeout, where the bytes are kept). On an instance the declaration reads as an
:class:`Uploads` value: the files the page chose, each an :class:`UploadEntry` with its
progress or its error, which ``render`` shows beside it; ``Uploads.input()`` is the file
input that feeds it. A finished file reaches the view as an :class:`Uploaded` message
(match it with ``clause(Uploaded, ..., match={"upload": "avatar"})`` or an
``@on(Uploaded)`` method), whose ``file`` is an open binary file on disk or in a small
memory spool, never the whole upload in memory.

The runtime that receives the chunks and enforces every limit is
``actorview.view._uploads``; the frames are in docs/PROTOCOL.md ("Uploads"). The guide
is the README's "Uploads".
"""

from __future__ import annotations

from enum import Enum
from typing import IO, Any, Protocol

import attrs

from actorview.errors import DefinitionError
from actorview.render import Element, h

DEFAULT_MAX_SIZE = 8 * 1024 * 1024
"""Bytes a file may have when ``upload`` does not say (8 MiB)."""

DEFAULT_TIMEOUT = 30.0
"""Seconds an upload may go without a chunk before it is cancelled as stalled."""

DEFAULT_SPOOL = 256 * 1024
"""Bytes of a file kept in memory before it goes to a temporary file on disk."""


@attrs.frozen
class UploadSpec:
    """What one ``upload(...)`` declares (see :func:`upload`)."""

    name: str
    accept: tuple[str, ...]
    max_size: int
    max_files: int
    timeout: float
    directory: str | None
    spool: int

    def accepts(self, filename: str, content_type: str) -> bool:
        """Whether a file of this name and (page-declared) MIME type fits ``accept``:
        an entry ``.png`` matches the name's extension (any case), ``image/png`` the type,
        ``image/*`` any type under ``image/``. An empty ``accept`` takes every file."""
        if not self.accept:
            return True
        lower = filename.lower()
        kind = content_type.lower()
        for entry in self.accept:
            if entry.startswith("."):
                if lower.endswith(entry):
                    return True
            elif entry.endswith("/*"):
                if kind.startswith(entry[:-1]):
                    return True
            elif kind == entry:
                return True
        return False


class EntryState(Enum):
    """Where one file of an upload is."""

    UPLOADING = "uploading"
    """Accepted; chunks are arriving (``received`` counts them)."""
    DONE = "done"
    """Every byte arrived; the view was told :class:`Uploaded`."""
    FAILED = "failed"
    """Refused or stopped (``error`` says why: a limit, a stall, a bad chunk, a cancel by
    the view); its bytes are gone."""


@attrs.frozen
class UploadEntry:
    """One file the page chose, as ``render`` shows it.

    Attributes:
        id: the page's number for the file (unique in the page).
        name: the file's name, as the page gave it (show it escaped, as ``h`` does).
        size: the size the page declared, in bytes.
        content_type: the MIME type the page declared (may be empty).
        received: bytes received so far.
        state: :class:`EntryState`.
        error: why it failed (``None`` unless ``state`` is ``FAILED``).
    """

    id: int
    name: str
    size: int
    content_type: str
    received: int
    state: EntryState
    error: str | None = None

    @property
    def progress(self) -> int:
        """Percent received, 0 to 100 (a whole number, so a render changes only when
        it does)."""
        if self.size <= 0:
            return 100 if self.state is EntryState.DONE else 0
        return min(100, self.received * 100 // self.size)

    @property
    def done(self) -> bool:
        return self.state is EntryState.DONE

    @property
    def failed(self) -> bool:
        return self.state is EntryState.FAILED


@attrs.frozen
class Uploads:
    """An upload as an instance reads it (``self.avatar``): its spec and its entries,
    in the order the page chose them (a refused file is an entry with its ``error``,
    until the next choice or a cancel clears it)."""

    spec: UploadSpec
    entries: tuple[UploadEntry, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def done(self) -> tuple[UploadEntry, ...]:
        return tuple(entry for entry in self.entries if entry.done)

    @property
    def uploading(self) -> tuple[UploadEntry, ...]:
        return tuple(entry for entry in self.entries if entry.state is EntryState.UPLOADING)

    def input(self, **attributes: Any) -> Element:
        """The file input that feeds this upload: ``<input type="file"
        av-upload="avatar" accept=".png,.jpg">`` (``multiple`` when ``max_files`` > 1).
        Choosing files starts their upload; extra attributes are passed on."""
        attrs_: dict[str, Any] = {
            "type": "file",
            "av-upload": self.spec.name,
            "multiple": self.spec.max_files > 1,
        }
        if self.spec.accept:
            attrs_["accept"] = ",".join(self.spec.accept)
        attrs_.update(attributes)
        return h.input(attrs_)


@attrs.frozen
class Uploaded:
    """A file of upload ``upload`` arrived whole: the message a view handles to use it.

    ``file`` is open for binary reading at its start: a ``SpooledTemporaryFile`` (in
    memory up to the upload's ``spool`` bytes, then on disk in its ``directory``). It
    stays open while the entry is shown and is closed, and its bytes deleted, when the
    entry goes: the user or the view cancels it, or the view stops (the session ended).
    To keep the bytes, copy them within the handler (``shutil.copyfileobj``).
    """

    upload: str
    id: int
    name: str
    size: int
    content_type: str
    file: IO[bytes] = attrs.field(eq=False, repr=False)


class UploadsHolder(Protocol):
    """An instance that keeps its uploads' entries (the view's upload table)."""

    def _av_upload_value(self, name: str) -> Uploads: ...


class UploadField:
    """The descriptor :func:`upload` makes: on an instance it reads as :class:`Uploads`.

    Not a field: expressions (calcs, guards, ops) cannot read it; ``render`` and plain
    handlers do (``self.avatar.entries``)."""

    def __init__(
        self,
        *,
        accept: tuple[str, ...],
        max_size: int,
        max_files: int,
        timeout: float,
        directory: str | None,
        spool: int,
    ) -> None:
        self._options = (accept, max_size, max_files, timeout, directory, spool)
        self.spec = UploadSpec("", accept, max_size, max_files, timeout, directory, spool)
        self.owner = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.spec = attrs.evolve(self.spec, name=name)
        self.owner = owner.__name__

    def checked(self) -> UploadSpec:
        """The spec, once its options are checked; raises :class:`DefinitionError` naming
        the view, the upload and the fix (the view class statement calls it)."""
        accept, max_size, max_files, timeout, _, _ = self._options
        where = f"{self.owner}.{self.spec.name}: upload(...)"
        bad = [entry for entry in accept if not _accept_entry(entry)]
        if bad:
            raise DefinitionError(
                f"{where}: accept entries must be extensions ('.png') or MIME types "
                f"('image/png', 'image/*'), got {bad!r}. Write them so."
            )
        for option, value in (("max_size", max_size), ("max_files", max_files)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise DefinitionError(f"{where}: {option} must be a positive int, got {value!r}.")
        if not timeout > 0:
            raise DefinitionError(f"{where}: timeout must be positive seconds, got {timeout!r}.")
        return attrs.evolve(
            self.spec, accept=tuple(entry.lower() for entry in accept), timeout=float(timeout)
        )

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        holder: UploadsHolder = instance
        return holder._av_upload_value(self.spec.name)

    def __set__(self, instance: Any, value: Any) -> None:
        raise AttributeError(
            f"{type(instance).__name__}.{self.spec.name} is an upload: the page fills it; "
            f"cancel its files with self.cancel_upload({self.spec.name!r})."
        )


def _accept_entry(entry: object) -> bool:
    if not isinstance(entry, str) or not entry or entry != entry.strip():
        return False
    if entry.startswith("."):
        return len(entry) > 1 and "/" not in entry
    kind, slash, sub = entry.partition("/")
    return bool(kind and slash and sub) and "," not in entry


def upload(
    *,
    accept: tuple[str, ...] = (),
    max_size: int = DEFAULT_MAX_SIZE,
    max_files: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    directory: str | None = None,
    spool: int = DEFAULT_SPOOL,
) -> Any:
    """Declare an upload: files the page sends over the live socket, in chunks.

    Args:
        accept: extensions (``".png"``) and MIME types (``"image/png"``, ``"image/*"``)
            a file must match; empty takes any file. Checked on the server by the name
            and the type the page declares (not by sniffing the bytes).
        max_size: most bytes one file may have. A file declared larger is refused at
            once; the server never takes a byte past its declared size nor past this.
        max_files: most files the upload holds at once (entries not failed); a choice
            past it refuses the extra files.
        timeout: seconds a file may go without a chunk; then it fails as stalled.
        directory: where the bytes go past ``spool`` (the system's temporary directory
            by default); they are deleted when the entry goes or the view stops.
        spool: bytes kept in memory before they go to disk.

    Example::

        class Profile(View):
            avatar = upload(accept=(".png", ".jpg"), max_size=5_000_000)

            @on(Uploaded)
            def saved(self, uploaded: Uploaded) -> None:
                shutil.copyfileobj(uploaded.file, open(AVATARS / f"{self.user}.png", "wb"))

            def render(self) -> Element:
                return h.div(self.avatar.input(), *(h.p(e.name, " ", e.progress, "%")
                                                    for e in self.avatar.entries))
    """
    return UploadField(
        accept=tuple(accept),
        max_size=max_size,
        max_files=max_files,
        timeout=timeout,
        directory=directory,
        spool=spool,
    )


def uploads_of(cls: type) -> dict[str, UploadSpec]:
    """Every upload a view class declares (its bases' too), by name, checked (raises
    :class:`DefinitionError` for a wrong one)."""
    found: dict[str, UploadSpec] = {}
    for base in reversed(cls.__mro__):
        for name, value in vars(base).items():
            if isinstance(value, UploadField):
                found[name] = value.checked()
            elif name in found:
                del found[name]
    return found
