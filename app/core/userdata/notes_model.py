"""Notes and tags as values: the Note, Tag and hit types, their errors, and the small rules they follow."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.core.errors import AtlasError
from app.core.textsafe import strip_controls

EXPORT_FORMAT = "alliance-atlas-notes"
EXPORT_VERSION = 1
MAX_IMPORT_BYTES = 20 * 1024 * 1024
MAX_TITLE = 500
DEFAULT_COLOR = "#5b8def"
# Colours offered for new tags, picked in turn so neighbouring tags look different.
PALETTE = ("#5b8def", "#e0803c", "#3fa56b", "#c94f6d", "#8e6bd1", "#c9a227", "#2aa1b3", "#7a7a7a")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# A conflict copy's id derives from the incoming note, so importing the same file again finds it.
_CONFLICT_NS = uuid.UUID("6b1d3c3e-2f0a-4e53-9c1e-4a7f6a0c5b11")


class NotesError(AtlasError):
    """A notes or tags operation the user asked for cannot be done (message says why)."""


class NotesImportError(NotesError):
    """An import file was refused; nothing was changed. (Not named ImportError: that is a builtin.)"""


class NoteConflict(NotesError):
    """The note changed in the database (another window) since the editor loaded it."""


class NoteDeleted(NotesError):
    """The note was moved to the trash, or deleted for good, elsewhere (e.g. in another window):
    it cannot be edited. ``purged`` is True when it is gone altogether."""

    def __init__(self, message: str, *, purged: bool = False) -> None:
        super().__init__(message)
        self.purged = purged


def now_iso() -> str:
    """The current time as ISO 8601 UTC with microseconds, so string order is time order."""
    return _fmt(datetime.now(UTC))


def _fmt(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time; a time without a zone is taken as UTC."""
    dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def normalise_time(value: str) -> str:
    return _fmt(parse_time(value))


@dataclass(frozen=True)
class Note:
    """A note as stored: anchored to an entity, a document span, both or neither."""

    id: str
    entity_id: str | None
    document_id: str | None
    start: int | None
    end: int | None
    quote: str | None
    title: str
    body: str
    created_at: str
    updated_at: str
    deleted_at: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def display_title(self) -> str:
        if self.title.strip():
            return self.title.strip()
        first = next((ln.strip(" #*>-") for ln in self.body.splitlines() if ln.strip()), "")
        return (first[:80] + "…") if len(first) > 80 else (first or "(untitled note)")

    @property
    def has_passage(self) -> bool:
        return self.document_id is not None and self.start is not None and self.end is not None


@dataclass(frozen=True)
class NoteHit:
    note: Note
    snippet: str  # hits marked with [[ ]] like passage snippets
    score: float


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    color: str
    entities: int = 0
    notes: int = 0


@dataclass
class ImportReport:
    """What an import did. ``conflicts`` hold (kept local id, added copy id, title)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[tuple[str, str, str]] = field(default_factory=list)
    detached: list[tuple[str, str]] = field(default_factory=list)  # (note id, missing entity id)
    tags_added: int = 0
    entity_tags_added: int = 0
    cleaned: int = 0  # notes whose text held control characters (stripped)
    future: list[tuple[str, str, str]] = field(default_factory=list)  # (note id, copy id or "", updated_at)

    def summary(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        text = "Imported notes: " + ", ".join(parts) + "."
        if self.conflicts:
            text += (
                f" {len(self.conflicts)} conflict(s): the local note was newer, so the imported version was kept"
                " as a second note marked “(imported copy)”."
            )
        if self.detached:
            text += f" {len(self.detached)} note(s) refer to entities not in this catalogue; kept as detached."
        if self.tags_added or self.entity_tags_added:
            text += f" Tags: {self.tags_added} new, {self.entity_tags_added} entity tag(s) added."
        if self.future:
            text += (
                f" {len(self.future)} note(s) claimed to be edited in the future (a wrong clock or a forged"
                " file): never allowed to overwrite a local note; both versions are kept."
            )
        if self.cleaned:
            text += f" Control characters were removed from {self.cleaned} note(s)."
        return text


_NOTE_COLS = (
    'n.id, n.entity_id, n.document_id, n.start, n."end", n.quote, n.title, n.body,'
    " n.created_at, n.updated_at, n.deleted_at"
)
_TAGS_OF = (
    "(SELECT group_concat(name, char(31)) FROM (SELECT t.name FROM note_tag nt JOIN tag t ON t.id = nt.tag_id"
    " WHERE nt.note_id = n.id ORDER BY t.name COLLATE NOCASE))"
)


def _note(row: Sequence[Any]) -> Note:
    tags = tuple(row[11].split("\x1f")) if row[11] else ()
    return Note(*row[:11], tags=tags)  # type: ignore[arg-type, misc]


def _after(previous: str) -> str:
    """Now, but strictly after ``previous`` (clocks can step back; order must not)."""
    stamp = now_iso()
    if stamp <= previous:
        try:
            prev = parse_time(previous)
        except ValueError:
            return stamp
        from datetime import timedelta

        stamp = _fmt(prev + timedelta(microseconds=1))
    return stamp


def _clean_title(title: str) -> str:
    # Control characters (terminal escapes, NUL, bidi overrides) are stripped: see app.core.textsafe.
    title = " ".join(strip_controls(str(title), multiline=False).split())
    return title[:MAX_TITLE]


def _clean_tag(name: str) -> str:
    name = " ".join(strip_controls(str(name), multiline=False).split())
    if not name:
        raise NotesError("A tag needs a name.")
    if len(name) > 60:
        raise NotesError("A tag name can be at most 60 characters.")
    return name


def _check_color(color: str) -> str:
    if not _COLOR.match(color or ""):
        raise NotesError(f"“{color}” is not a colour like #5b8def.")
    return color.lower()


# ---- import validation -----------------------------------------------------------------------
