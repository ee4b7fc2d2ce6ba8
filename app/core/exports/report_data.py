"""What a PDF summary shows, read from the databases as plain values (no Qt, no images)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.core.exports.data import Cancelled, collect, filter_labels
from app.core.query.filters import FilterSpec, describe
from app.core.query.repository import EntityDetail, Repository
from app.core.timeline.layout import axis_years

if TYPE_CHECKING:
    from app.core.userdata.database import UserData
    from app.core.userdata.notes import NotesStore

# (percent 0-100, what is happening) -> keep going?
Progress = Callable[[int, str], bool]

DEFAULT_TITLE = "Alliance Atlas summary"
PAGE_SIZES = ("A4", "Letter")
TIMELINE_LIMIT = 60  # bars on the timeline figure; the rest are counted in the caption


@dataclass(frozen=True)
class ExportOptions:
    """What the user chose in the export dialog (or on the command line)."""

    title: str = ""
    include_notes: bool = False
    include_graph: bool = True
    handout: bool = False  # one entity per page
    page_size: str = "A4"  # A4 | Letter
    use_selection: bool = False  # the dialog's scope: the selected entities rather than the filter

    @property
    def display_title(self) -> str:
        return self.title.strip() or DEFAULT_TITLE


@dataclass(frozen=True)
class NoteItem:
    title: str
    body: str  # Markdown
    quote: str | None
    updated_at: str
    tags: tuple[str, ...]


@dataclass
class ReportData:
    """Everything the report shows, read from the databases in one go."""

    title: str
    generated: str
    filter_text: str
    details: list[EntityDetail]
    meta: dict[str, str]
    documents: dict[str, str]  # document id -> title
    notes: dict[str, list[NoteItem]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    notes_included: bool = False


def check(progress: Progress | None, percent: int, message: str) -> None:
    """Report progress; raise :class:`Cancelled` when the user asked to stop."""
    if progress is not None and not progress(percent, message):
        raise Cancelled()


def collect_report(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    *,
    user_data: UserData | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """Read the entities the filter selects, their citations, and (if asked) the user's notes."""
    check(progress, 0, "Reading entities…")

    def step(done: int, total: int) -> bool:
        return progress is None or progress(int(30 * done / max(total, 1)), f"Reading entity {done + 1} of {total}…")

    details = collect(repo, spec, step)
    data = ReportData(
        title=options.display_title,
        generated=dt.date.today().isoformat(),
        filter_text=describe(spec, filter_labels(repo)),
        details=details,
        meta=repo.meta(),
        documents={d.id: d.title for d in repo.documents()},
    )
    if options.include_notes and user_data is not None:
        check(progress, 32, "Reading notes…")
        data.notes, data.tags = read_notes(user_data.notes, [d.id for d in details])
        data.notes_included = True
    return data


def read_notes(store: NotesStore, ids: list[str]) -> tuple[dict[str, list[NoteItem]], dict[str, list[str]]]:
    """The notes on ``ids`` (oldest first, one query) and the entities' tags."""
    notes: dict[str, list[NoteItem]] = {}
    for n in sorted(store.list_notes(entity_ids=ids), key=lambda n: (n.created_at, n.id)):
        if n.entity_id:
            item = NoteItem(n.display_title, n.body, n.quote, n.updated_at, tuple(n.tags))
            notes.setdefault(n.entity_id, []).append(item)
    return notes, store.tags_for_entities(ids)


# ---- the timeline figure's data (drawn by the UI, described here) ---------------------------------------
def timeline_entities(details: Sequence[EntityDetail]) -> list[EntityDetail]:
    """The entities the timeline draws: those with a founding year, earliest first, at most TIMELINE_LIMIT."""
    dated = sorted((d for d in details if d.founded), key=lambda d: (d.founded or 0, d.name.casefold()))
    return dated[:TIMELINE_LIMIT]


def timeline_axis(details: Sequence[EntityDetail]) -> tuple[int, int, int | None]:
    """The timeline figure's years: (first decade, last year, start of the right part when the axis
    is broken round one early outlier); see :func:`app.core.timeline.layout.axis_years`."""
    return axis_years(details, limit=TIMELINE_LIMIT)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def timeline_caption(details: Sequence[EntityDetail]) -> str:
    dated = [d for d in details if d.founded]
    shown = min(len(dated), TIMELINE_LIMIT)
    caption = (
        f"Founding year and, where the documents give one, end year of {plural(shown, 'entity', 'entities')};"
        " a hatched bar has no end year stated (not a claim that it still exists)."
    )
    lo, _hi, rest = timeline_axis(timeline_entities(details))
    if rest is not None:
        caption += f" The year axis is broken between {lo + 20} and {rest} (marked //)."
    undated = len(details) - len(dated)
    if undated:
        verb = "is" if undated == 1 else "are"
        caption += f" {plural(undated, 'entity', 'entities')} without a cited founding year {verb} left out."
    if len(dated) > shown:
        caption += f" The {len(dated) - shown} most recent are not drawn."
    return caption


def timeline_alt(details: Sequence[EntityDetail]) -> str:
    """The timeline as words, for a screen reader: each bar's name and years."""
    bars = [
        f"{d.name}, {d.founded}–{d.ended}" if d.ended else f"{d.name}, from {d.founded} (no end year stated)"
        for d in timeline_entities(details)
    ]
    return "Timeline of founding and end years: " + "; ".join(bars) + "."
