"""Benchmark reference only: the PDF writer used before Typst, kept for tests/bench/bench_pdf.py.

QTextDocument pages painted by QPdfWriter.

Three stages, so the GUI can run the slow ones off its thread and tests can check each:

1. :func:`collect_report` reads everything from the database into a :class:`ReportData` (no Qt).
2. :func:`build_document` turns it into a :class:`ReportDocument` laid out for one paint device
   (QPdfWriter or QPrinter): title page, contents with page numbers, overview table, network and
   timeline figures, one section per entity with numbered citations, notes, sources. It is laid
   out in segments, each a QTextDocument of its own, chained page after page (see ReportDocument),
   with the page breaks Qt lacks: headings kept with their text, short paragraphs kept whole.
3. :func:`paint_document` paints the pages with a running header (the title) and page numbers.

Everything we put in the HTML is escaped with ``html.escape``; notes are Markdown rendered by Qt with
raw HTML off, and the documents refuse to load any resource (``file:``, ``http:``) it was not given.
QTextDocument and QPdfWriter need no widget, so :func:`write_pdf` runs in a worker thread too.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)

from app import APP_NAME, __version__
from app.core.errors import AtlasError
from app.core.exports.data import Cancelled, collect, filter_labels
from app.core.query.filters import FilterSpec, describe
from app.paths import resources_dir

if TYPE_CHECKING:
    from app.core.query.repository import Citation, EntityDetail, Link, Repository

# (percent 0-100, what is happening) -> keep going?
Progress = Callable[[int, str], bool]

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
DEFAULT_TITLE = "Alliance Atlas summary"
# Page margins in millimetres; the running header and the footer sit inside the top and bottom ones.
# One margin all round: Qt keeps a document margin across setHtml, which lets a part be laid out
# once, for its device, as its HTML goes in (a root frame with margins of its own is reset by
# setHtml, and setting it again lays everything out a second time).
MARGIN_SIDE = MARGIN_TOP = MARGIN_BOTTOM = 20.0
HEADER_Y, FOOTER_Y = 9.0, 11.0  # distance of header (top of its text) and footer (bottom) from the paper edge, mm
BASE_FONT_PT = 10.0
FONT_FAMILIES = ["Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback"]
FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSans-Italic.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "DroidSansFallbackFull.ttf",
)
TIMELINE_LIMIT = 60  # bars on the timeline figure; the rest are counted in the caption
TOC_MARK = "\u27e6pg\u27e7"  # placeholder for a page number in the contents, until the pages are known
# A heading with less room than this below it moves to the next page (h1: kind line + two rows;
# h3: two lines of a quote), when what belongs to it is too long to keep with it whole.
KEEP_WITH_NEXT_MM = {1: 24.0, 3: 11.0, 4: 14.0}
COMPACT_ENTITIES = 5  # up to this many entities, the overview and figures do not start new pages
KEEP_TOGETHER_LINES = 5  # a paragraph of up to this many lines is not split across pages
# Sources per segment (each segment is a QTextDocument of its own; see ReportDocument).
ENDNOTES_PER_SEGMENT = 100
# The overview table: striped rows, no grid. Qt's collapsed table borders (report.css, table.grid)
# are slow to lay out and paint: 1.5 s for the 1,000-row overview of a 1,000-entity summary,
# 0.5 s striped. (These rules belong with report.css; they sit here as report.py is the PDF's code.)
OVERVIEW_STRIPE = "#eef2f6"
OVERVIEW_CSS = """
table.overview { border-collapse: separate; }
table.overview th { font-size: 8.5pt; font-weight: 700; text-align: left; vertical-align: bottom;
                    background-color: #dfe6ee; padding: 2px 3px; }
table.overview td { font-size: 8pt; padding: 1px 3px; vertical-align: top; }
"""
# Raw HTML off in notes: text that looks like a tag stays text. Qt: GitHub dialect | MarkdownNoHTML.
MARKDOWN_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)


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
    """Everything the report shows, read from the database in one go (plain values, no Qt)."""

    title: str
    generated: str
    filter_text: str
    details: list[EntityDetail]
    meta: dict[str, str]
    documents: dict[str, str]  # document id -> title
    notes: dict[str, list[NoteItem]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    notes_included: bool = False
    graph_image: QImage | None = None
    graph_caption: str = ""


# ---- stage 1: data ----------------------------------------------------------------------------------
def _check(progress: Progress | None, percent: int, message: str) -> None:
    if progress is not None and not progress(percent, message):
        raise Cancelled()


def collect_report(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    *,
    user_db: Path | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """Read the entities the filter selects, their citations, and (if asked) the user's notes."""
    _check(progress, 0, "Reading entities…")

    def step(done: int, total: int) -> bool:
        return progress is None or progress(int(35 * done / max(total, 1)), f"Reading entity {done + 1} of {total}…")

    details = collect(repo, spec, step)
    data = ReportData(
        title=options.display_title,
        generated=dt.date.today().isoformat(),
        filter_text=describe(spec, filter_labels(repo)),
        details=details,
        meta=repo.meta(),
        documents={d.id: d.title for d in repo.documents()},
    )
    if options.include_notes and user_db is not None:
        _check(progress, 36, "Reading notes…")
        data.notes, data.tags = _read_notes(user_db, [d.id for d in details])
        data.notes_included = True
    if options.include_graph:
        _check(progress, 38, "Drawing the network…")
        data.graph_image, data.graph_caption = _graph_image(repo, spec, user_db)
    return data


def _read_notes(user_db: Path, ids: list[str]) -> tuple[dict[str, list[NoteItem]], dict[str, list[str]]]:
    from app.core.userdata.notes import NotesStore

    store = NotesStore(user_db)
    notes: dict[str, list[NoteItem]] = {}
    for n in sorted(store.list_notes(entity_ids=ids), key=lambda n: (n.created_at, n.id)):
        if n.entity_id:
            item = NoteItem(n.display_title, n.body, n.quote, n.updated_at, tuple(n.tags))
            notes.setdefault(n.entity_id, []).append(item)
    return notes, store.tags_for_entities(ids)


def _graph_image(repo: Repository, spec: FilterSpec, user_db: Path | None) -> tuple[QImage | None, str]:
    """The graph pane's drawing of the exported set, with its caption."""
    from app.ui.graph.graph_export import picture_from_repo, picture_image
    from app.ui.qt_app import make_application

    make_application(headless=True)
    picture = picture_from_repo(repo, spec, own_layout=True)  # layout of its own (no saved positions)
    if len(picture.ids) and not len(picture.edges):  # markers scattered on an empty page tell nothing
        return None, "The documents cite no ties among the entities in this summary, so there is no network to draw."
    # 2000 x 1700 px is about 300 dpi over the text width: sharp on paper, ~0.5 MB in the PDF.
    # unit 2.4: labels about 6.3 pt once the image is scaled to the text width (the default, 2.1, gave 5.5 pt);
    # larger crowds the densest clusters of the seed network.
    image = picture_image(picture, 2000, 1700, unit=2.4)
    whole = spec.is_empty()
    caption = (
        "Entities in this summary (markers by kind) and the cited ties between them: membership,"
        " party to, part of, partner. "
        + ("Layout as in the Graph view." if whole else "Laid out for these entities alone.")
    )
    return image, caption


# ---- fonts ------------------------------------------------------------------------------------------
_fonts_loaded: list[str] | None = None


def load_fonts() -> list[str]:
    """Register the shipped fonts once (call on the GUI thread); returns the family fallback list."""
    global _fonts_loaded
    if _fonts_loaded is None:
        folder = resources_dir() / "fonts"
        families: list[str] = []
        for name in FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(folder / name))
            if font_id >= 0:
                families += [f for f in QFontDatabase.applicationFontFamilies(font_id) if f not in families]
        _fonts_loaded = [f for f in FONT_FAMILIES if f in families] or families
    return _fonts_loaded


def report_font(point_size: float = BASE_FONT_PT, *, bold: bool = False) -> QFont:
    font = QFont()
    families = load_fonts()
    if families:
        font.setFamilies(families)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    # No ligatures: Qt's PDF text layer would map "fi" to U+FB01, and searching "fi" would miss it.
    for tag in ("liga", "clig"):
        font.setFeature(QFont.Tag(tag), 0)
    return font


# ---- stage 2: the document --------------------------------------------------------------------------
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Citations:
    """Numbers citations in reading order; the same passage cited twice keeps its first number."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, int, int], int] = {}
        self.items: list[Citation] = []
        self.every: set[tuple[str, int, int]] = set()  # every passage cited anywhere (not reset)

    def mark(self, citations: Sequence[Citation]) -> str:
        nums: list[int] = []
        for c in citations:
            key = (c.document_id, c.start, c.end)
            self.every.add(key)
            if key not in self.numbers:
                self.items.append(c)
                self.numbers[key] = len(self.items)
            n = self.numbers[key]
            if n not in nums:
                nums.append(n)
        if not nums:
            return ""
        # No-break spaces: Qt breaks lines at U+202F, which left "[3]" alone on a quote's last line.
        return f'<span class="cite">&nbsp;[{",&nbsp;".join(str(n) for n in sorted(nums))}]</span>'

    def reset(self) -> None:
        """Handouts: each entity page numbers its own sources from 1, so a page stands alone."""
        self.numbers.clear()
        self.items.clear()

    def endnotes(self, documents: dict[str, str]) -> str:
        return "\n".join(self.endnote_list(documents))

    def endnote_list(self, documents: dict[str, str]) -> list[str]:
        out = []
        for c in self.items:
            n = self.numbers[(c.document_id, c.start, c.end)]
            title = documents.get(c.document_id) or c.document_title or c.file_name
            section = f", section “{_e(c.section)}”" if c.section else ""
            out.append(
                f'<p class="endnote"><b>[{n}]</b> “{_e(c.quote)}” — <i>{_e(title)}</i>'
                f'{section} <span class="muted">({_e(c.file_name)})</span></p>'
            )
        return out


def _grouped(items: Sequence[tuple[str, Sequence[Citation]]], cites: _Citations) -> str:
    """'A, B, C [1]; D [2]': values that share the same citations are listed before one mark."""
    groups: list[tuple[list[str], str]] = []
    for text, citations in items:
        mark = cites.mark(citations)
        if groups and groups[-1][1] == mark:
            groups[-1][0].append(text)
        else:
            groups.append(([text], mark))
    return "; ".join(", ".join(texts) + mark for texts, mark in groups)


def _facts(d: EntityDetail, field_: str) -> list[tuple[str, Sequence[Citation]]]:
    out: list[tuple[str, Sequence[Citation]]] = []
    for f in d.facts:
        if f.field == field_ and (f.value or f.target_name):
            out.append((_e(f.target_name or f.value), f.citations))
    return out


def _links(links: Sequence[Link], with_role: bool) -> list[tuple[str, Sequence[Citation]]]:
    role = {"member": "member", "party": "party", "part_of": "part of", "has part": "has part", "partner": "partner"}
    return [
        (_e(link.name) + (f' <span class="muted">({role.get(link.role, link.role)})</span>' if with_role else ""),
         link.citations)
        for link in links
    ]  # fmt: skip


def _entity_rows(d: EntityDetail, data: ReportData, cites: _Citations) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []  # the kind is in the line under the heading
    if d.aliases:
        rows.append(("Also called", ", ".join(_e(a) for a in d.aliases)))
    for label, field_ in (("Category", "category"), ("Founded", "founded"), ("Ended", "ended"), ("Region", "region")):
        items = _facts(d, field_)
        if items:
            rows.append((label, _grouped(items, cites)))
    if d.members:
        label = "Parties" if all(m.role == "party" for m in d.members) else "Members"
        rows.append((f"{label} ({len(d.members)})", _grouped(_links(d.members, False), cites)))
    stated = _facts(d, "member_count")
    if stated:
        rows.append(("Stated number of members", _grouped(stated, cites)))
    elif d.stated_members and not d.members:
        rows.append(("Stated number of members", _e(d.stated_members)))
    if d.member_of:
        rows.append(("Member or party of", _grouped(_links(d.member_of, True), cites)))
    if d.related:
        rows.append(("Related", _grouped(_links(d.related, True), cites)))
    activities = _facts(d, "activity")
    if activities:
        rows.append(("Activities", _grouped(activities, cites)))
    if data.notes_included and data.tags.get(d.id):
        rows.append(("Your tags", ", ".join(_e(t) for t in data.tags[d.id])))
    return rows


_UNSAFE_LINK = re.compile(r'<a href="(?!https?:|mailto:)[^"]*">', re.IGNORECASE)


def note_html(markdown: str) -> str:
    """A note's Markdown as Qt rich text: raw HTML off, images dropped (alt text kept), headings
    turned into bold paragraphs (so they do not enter the contents), only web links kept."""
    doc = QTextDocument()
    doc.setMarkdown(markdown, MARKDOWN_FEATURES)
    # Images would make the layout load file: or http: URLs; keep their alt text instead.
    cursor = QTextCursor(doc)
    block = doc.begin()
    spans: list[tuple[int, int, str]] = []
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.charFormat().isImageFormat():
                fmt = frag.charFormat().toImageFormat()
                alt = fmt.property(QTextFormat.Property.ImageAltText) or fmt.name()
                spans.append((frag.position(), frag.length(), f"[image: {alt}]"))
            it += 1
        block = block.next()
    for pos, length, text in reversed(spans):
        cursor.setPosition(pos)
        cursor.setPosition(pos + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
    out = doc.toHtml()
    body = out[out.find(">", out.find("<body")) + 1 : out.rfind("</body>")]
    body = re.sub(r"<(/?)h[1-6]\b", r"<\1p", body)
    body = re.sub(r"font-size:\s*(xx-large|x-large|large)", "font-size:11pt", body)  # note headings
    body = _UNSAFE_LINK.sub("<a>", body)
    return body


def _notes_html(notes: list[NoteItem]) -> str:
    parts = ["<h3>Your notes</h3>"]
    for n in notes:
        meta = f"edited {_e(n.updated_at[:10])}"
        if n.tags:
            meta += " · tags: " + ", ".join(_e(t) for t in n.tags)
        # A heading (level 4) so the page-break rules keep a note's title with its first lines.
        parts.append(f'<h4 class="notehead">{_e(n.title)}<br/><span class="notemeta">{meta}</span></h4>')
        if n.quote:
            parts.append(f'<p class="quote">On “{_e(n.quote)}”</p>')
        parts.append(note_html(n.body))
    return "\n".join(parts)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _kind_counts(details: Sequence[EntityDetail]) -> str:
    counts: dict[str, int] = {}
    for d in details:
        counts[d.kind] = counts.get(d.kind, 0) + 1
    plural = {"country": "countries", "treaty": "treaties", "alliance": "alliances", "partnership": "partnerships"}
    return ", ".join(
        f"{n} {k if n == 1 else plural.get(k, k + 's')}"
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _years(d: EntityDetail) -> str:
    if d.founded and d.ended:
        return f"{d.founded}–{d.ended}"
    return str(d.founded) if d.founded else "—"


@dataclass
class _Segment:
    """A run of the report laid out as one QTextDocument. ``new_page``: it starts on a fresh page
    (its first heading carries the page break); otherwise it continues on the previous one's last page."""

    html: str
    new_page: bool


LEAD = "@@LEAD@@"  # in a segment's first heading tag: the page break that starts the segment


def _spacer_html(height_px: float) -> str:
    """An empty line ``height_px`` CSS pixels tall: room at the top of a page, where Qt drops margins."""
    return f'<p style="margin-top: 0px; margin-bottom: 0px; line-height: {height_px:.2f}px; font-size: 1pt">&nbsp;</p>'


def _toc_html(toc: Sequence[str], pages: Sequence[int] | None) -> str:
    out = ['<table class="toc" width="100%" cellspacing="0">']
    grouped = False
    for i, title in enumerate(toc):
        entity = title not in ("Overview", "Network", "Timeline", "Sources")
        page = str(pages[i]) if pages is not None and i < len(pages) else TOC_MARK
        if entity and not grouped:  # the entities, under a heading of their own (same page as the first)
            out.append(f'<tr><td>Entities</td><td width="12%" align="right">{page}</td></tr>')
            grouped = True
        indent = "&nbsp;&nbsp;&nbsp;&nbsp;" if entity else ""
        out.append(f'<tr><td>{indent}{_e(title)}</td><td width="12%" align="right">{page}</td></tr>')
    out.append("</table>")
    return "\n".join(out)


def _title_html(data: ReportData, options: ExportOptions, cited: set[tuple[str, int, int]]) -> str:
    """The title page; ``cited`` is every passage the summary quotes (as numbered under Sources)."""
    n = len(data.details)
    meta = data.meta
    notes_total = sum(len(v) for v in data.notes.values())
    counts = f"{_plural(n, 'entity', 'entities')}"
    if n:
        counts += f" ({_e(_kind_counts(data.details))})"
    documents = {doc for doc, _start, _end in cited}
    counts += f"; {_plural(len(cited), 'cited passage')} from {_plural(len(documents), 'document')}"
    rows = [
        ("Selection", _e(data.filter_text)),
        ("Contents", counts),
        ("Date", _e(data.generated)),
        (
            "Data",
            f"reference database schema {_e(meta.get('schema_version', '?'))}, seed corpus "
            f"{_e(meta.get('seed_hash', '?')[:12])}, {APP_NAME} {_e(__version__)}",
        ),
    ]
    if data.notes_included:
        rows.append(("Your notes", _plural(notes_total, "note") + " on these entities"))
    # The title lower on the page (report.css gives p.app a top margin, which Qt drops at a page top).
    parts = [_spacer_html(150), f'<p class="app">{_e(APP_NAME.upper())}</p>']
    parts.append(f'<p class="title">{_e(data.title)}</p>')
    parts.append('<p class="subtitle">A cited summary of military alliances and partnerships</p>')
    parts.append('<table class="meta" width="100%" cellspacing="0">')
    parts += [f'<tr><th width="18%">{k}</th><td>{v}</td></tr>' for k, v in rows]
    parts.append("</table>")
    parts.append(
        '<p class="small" style="margin-top: 32px;">Every fact in this summary comes from the seed documents;'
        " the numbers in square brackets refer to the quoted passages, with their document and section,"
        f" under “Sources”{' at the end of each entity' if options.handout else ' at the end'}."
        " The seed corpus hash on the data line identifies the exact data this summary was made from.</p>"
    )
    parts.append('<h1 class="section">Contents</h1>')
    return "\n".join(parts)


def _segments(data: ReportData, options: ExportOptions, figure_width_px: int) -> tuple[list[_Segment], list[str], str]:
    """The report in segments (the first one is the title page and contents, without the contents
    table), the contents titles in order, and the title page's HTML."""
    cites = _Citations()
    toc: list[str] = []
    segments: list[_Segment] = []
    parts: list[str] = []
    n = len(data.details)

    new_page = True

    def cut(next_new_page: bool) -> None:
        """Close the running segment; the next one starts on a new page or continues the flow."""
        nonlocal new_page
        if parts:
            segments.append(_Segment("\n".join(parts), new_page))
            parts.clear()
        new_page = next_new_page

    def section(title: str, css: str = "section", anchor: str = "") -> None:
        toc.append(title)
        lead = LEAD if not parts else ""
        parts.append(f'<h1 class="{css}"{lead}><a name="{_e(anchor)}"></a>{_e(title)}</h1>')

    # Overview table. A small summary flows on from the contents page instead of leaving pages
    # nearly empty (the entities of a handout still start pages of their own).
    compact = n <= COMPACT_ENTITIES
    cut(not compact)
    section("Overview", css="figure" if compact else "section")
    if n:
        parts.append('<table class="overview" width="100%" cellspacing="0"><thead><tr>')
        parts += [f"<th>{h}</th>" for h in ("Name", "Kind", "Category", "Founded", "Region", "Members")]
        parts.append("</tr></thead>")
        for i, d in enumerate(data.details):
            members = str(len(d.members)) if d.members else (f"{d.stated_members} stated" if d.stated_members else "—")
            stripe = f' bgcolor="{OVERVIEW_STRIPE}"' if i % 2 else ""
            categories = ", ".join(d.categories) or d.category or "—"
            regions = ", ".join(v for v, _c in _facts(d, "region")) or _e(d.region or "—")  # _facts escapes
            parts.append(
                f"<tr{stripe}><td>{_e(d.name)}</td><td>{_e(d.kind)}</td><td>{_e(categories)}</td>"
                f"<td>{_e(_years(d))}</td><td>{regions}</td><td>{_e(members)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No entities match this selection.</p>")
    # Figures. No network section when there is nothing to draw: the overview says why.
    if options.include_graph and data.graph_image is None and data.graph_caption and n:
        parts.append(f'<p class="caption">{_e(data.graph_caption)}</p>')
    if options.include_graph and data.graph_image is not None and n:
        cut(not compact)
        section("Network", css="figure" if compact else "section")
        h = round(figure_width_px * data.graph_image.height() / max(1, data.graph_image.width()))
        parts.append(f'<p><img src="report://graph.png" width="{figure_width_px}" height="{h}"></p>')
        parts.append(f'<p class="caption">{_e(data.graph_caption)}</p>')
    dated = [d for d in data.details if d.founded]
    if options.include_graph and dated:
        section("Timeline", css="figure")
        parts.append(f'<p><img src="report://timeline.png" width="{figure_width_px}" height="@@TLH@@"></p>')
        shown = min(len(dated), TIMELINE_LIMIT)
        more = f" The {len(dated) - shown} most recent are not drawn." if len(dated) > shown else ""
        undated = n - len(dated)
        caption = (
            f"Founding year and, where the documents give one, end year of {_plural(shown, 'entity', 'entities')};"
            " a hatched bar has no end year stated (not a claim that it still exists)."
        )
        lo, _hi, rest = _timeline_axis(dated)
        if rest is not None:
            caption += f" The year axis is broken between {lo + 20} and {rest} (marked //)."
        if undated:
            verb = "is" if undated == 1 else "are"
            caption += f" {_plural(undated, 'entity', 'entities')} without a cited founding year {verb} left out."
        parts.append(f'<p class="caption">{caption}{more}</p>')
    # Entities: one per segment (see ReportDocument); in a handout each starts a page.
    for i, d in enumerate(data.details):
        if options.handout:
            cites.reset()
        cut(options.handout or i == 0)
        css = "section" if (options.handout or i == 0) else "entity"
        section(d.name, css=css, anchor=f"e-{d.id}")
        kind_line = "<b>" + _e(d.kind.capitalize()) + "</b>"
        if d.categories:
            kind_line += " · " + _e(", ".join(d.categories))
        parts.append(f'<p class="kindline">{kind_line}</p>')
        rows = _entity_rows(d, data, cites)
        if rows:
            parts.append('<table class="kv" width="100%" cellspacing="0">')
            parts += [f'<tr><th width="24%">{k}</th><td>{v}</td></tr>' for k, v in rows]
            parts.append("</table>")
        described = [f for f in d.facts if f.field == "description"]
        if described:
            parts.append("<h3>In the documents</h3>")
            for f in described:
                for c in f.citations:
                    parts.append(f'<p class="quote">“{_e(c.quote)}”{cites.mark([c])}</p>')
        if data.notes_included and data.notes.get(d.id):
            parts.append(_notes_html(data.notes[d.id]))
        if options.handout and cites.items:
            parts.append("<h3>Sources</h3>")
            parts.append(cites.endnotes(data.documents))
    if not options.handout and cites.items:
        cut(True)
        section("Sources")
        for i, note in enumerate(cites.endnote_list(data.documents)):
            if i and i % ENDNOTES_PER_SEGMENT == 0:
                cut(False)
            parts.append(note)
    cut(True)
    return segments, toc, _title_html(data, options, cites.every)


def build_html(data: ReportData, options: ExportOptions, *, figure_width_px: int = 640) -> tuple[str, list[str]]:
    """The whole report as Qt rich text. Page numbers in the contents are placeholders (TOC_MARK)."""
    segments, toc, title_page = _segments(data, options, figure_width_px)
    body = "\n".join([title_page, _toc_html(toc, None)] + [s.html.replace(LEAD, "") for s in segments])
    return f"<html><body>{body}</body></html>", toc


def _timeline_axis(details: Sequence[EntityDetail]) -> tuple[int, int, int | None]:
    """The PDF timeline's years: (first decade, last year, start of the right part when the axis is
    broken). One early outlier (the Treaty of Westphalia, 1648) would squeeze every modern bar into
    a sliver; then the axis shows a short stretch around it, a break, and the rest at full scale."""
    founded = sorted({d.founded for d in details if d.founded})[:TIMELINE_LIMIT]
    this_year = dt.date.today().year
    hi = max(this_year, *(d.ended or 0 for d in details))
    if not founded:
        return this_year, hi, None
    lo = (founded[0] // 10) * 10
    if len(founded) >= 2:
        rest = (founded[1] // 10) * 10
        if rest - founded[0] > max(100, (hi - rest) * 0.6):
            return lo, hi, rest
    return lo, hi, None


def timeline_image(details: Sequence[EntityDetail], width: int) -> QImage:
    """Horizontal bars from founding to end (open when none is stated), earliest first, on a QImage."""
    dated = sorted((d for d in details if d.founded), key=lambda d: (d.founded or 0, d.name.casefold()))
    dated = dated[:TIMELINE_LIMIT]
    # Text about 8 pt once the image is scaled to the text width (2000 px over 170 mm; 22 px was 5 pt),
    # smaller only when that many rows would make the figure taller than a page can hold.
    text_px = round(width / 60)
    top, bottom = text_px // 2, text_px * 2
    row = min(round(text_px * 1.5), (int(width * 1.15) - top - bottom) // max(1, len(dated)))
    text_px = min(text_px, int(row * 0.72))
    height = top + bottom + row * len(dated)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    if not dated:
        return image
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = report_font()
        font.setPixelSize(text_px)
        painter.setFont(font)
        fm = painter.fontMetrics()
        label_w = min(max(fm.horizontalAdvance(d.name) for d in dated) + 16, int(width * 0.42))
        lo, hi, rest = _timeline_axis(dated)
        x0, x1 = label_w, width - 2 * text_px  # room for the last year's label
        # Parts of the axis: (first year, last year, left x, right x); two when the axis is broken.
        if rest is None:
            parts = [(lo, hi, float(x0), float(x1))]
        else:
            left_w, gap = (x1 - x0) * 0.1, 2.5 * text_px
            parts = [(lo, lo + 20, float(x0), x0 + left_w), (rest, hi, x0 + left_w + gap, float(x1))]

        def x(year: int, part: tuple[int, int, float, float]) -> float:
            a, b, xa, xb = part
            return xa + (max(a, min(year, b)) - a) * (xb - xa) / max(1, b - a)

        axis_y = top + row * len(dated)
        for part in parts:
            a, b = part[0], part[1]
            step = next(s for s in (5, 10, 20, 25, 50, 100) if (b - a) / s <= 10)
            years = range(a, b + 1, step) if part is parts[-1] else (a,)  # the short part: its first year
            for year in years:
                painter.setPen(QPen(QColor("#dddddd"), 1))
                painter.drawLine(int(x(year, part)), top, int(x(year, part)), axis_y)
                painter.setPen(QColor("#444444"))
                label = QRectF(x(year, part) - 2 * text_px, axis_y + text_px / 4, 4 * text_px, 1.5 * text_px)
                painter.drawText(label, int(Qt.AlignmentFlag.AlignHCenter), str(year))
        if rest is not None:  # the break: a double slash where the axis jumps
            mid = (parts[0][3] + parts[1][2]) / 2
            painter.setPen(QPen(QColor("#444444"), max(1.0, text_px / 8)))
            for dx in (-text_px / 4, text_px / 4):
                painter.drawLine(
                    QPointF(mid + dx - text_px / 4, axis_y + text_px / 3),
                    QPointF(mid + dx + text_px / 4, axis_y - text_px / 3),
                )
        for i, d in enumerate(dated):
            y = top + i * row
            painter.setPen(QColor("#1a1a1a"))
            name = fm.elidedText(d.name, Qt.TextElideMode.ElideRight, label_w - 12)
            painter.drawText(
                QRectF(0, y, label_w - 10, row), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), name
            )
            # As in the Timeline view: a stated end closes a solid bar; without one the bar is drawn
            # open (hatched, dashed outline, to the edge): "no end year stated", not "still exists".
            start, end = d.founded or lo, d.ended or hi
            inset = row * 0.25
            if d.ended:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(QColor("#12355b"))
            else:
                pen = QPen(QColor("#12355b"), max(1.0, text_px / 10), Qt.PenStyle.DashLine)
                painter.setPen(pen)
                painter.setBrush(QBrush(QColor("#5b7fa8"), Qt.BrushStyle.BDiagPattern))
            for part in parts:  # a bar across the break is drawn in both parts
                a, b = part[0], part[1]
                if end < a or start > b:
                    continue
                left, right = x(max(start, a), part), x(min(end, b), part)
                painter.drawRoundedRect(QRectF(left, y + inset, max(6.0, right - left), row - 2 * inset), 4, 4)
    finally:
        painter.end()
    return image


class ReportPart(QTextDocument):
    """One segment of the report, laid out on its own; loads only the images we registered, never a
    file or network URL."""

    def loadResource(self, kind: int, name: QUrl) -> Any:
        # Not None: PySide6 6.12 mis-counts a None returned here (a crash "deallocating None" at
        # exit), and for a null result QTextDocument itself falls back to reading local files.
        return QImage() if kind == QTextDocument.ResourceType.ImageResource.value else " "

    first_page: int = 0  # the report page (0-based) its first page is printed on
    last_page: int = 0  # its own page (0-based) where its content ends
    end_y: float = 0.0  # where its content ends on that page (device pixels from the paper's top)
    spacer: bool = False  # its first block only reserves the room the previous part used on the page
    headings: list[Any]  # its level-1 headings (QTextBlock), in order


class ReportDocument:
    """The report laid out for one paint device: a run of :class:`ReportPart` documents, each on a
    page range of its own; a part that continues the flow shares its first page with the part before.

    Small documents (the title page and contents, the overview, the figures, one per entity, the
    sources a hundred at a time) rather than one: each page-break fix makes Qt lay the rest of its
    document out again, so in one document of 1,000 entities the fixes were quadratic and had to
    be left out; and a document of 3 million characters, laid out in one go, lost content (160
    sources were missing from the 1,000-entity summary)."""

    def __init__(self, page_size: QSizeF, margins_px: tuple[float, float, float], dpi: int) -> None:
        self.parts: list[ReportPart] = []
        self.page_size = page_size
        self.dpi = dpi
        self.margins_px = margins_px  # side, top, bottom in device pixels
        self.toc_titles: list[str] = []
        self.title = ""
        self.footer = ""

    def pageSize(self) -> QSizeF:  # Qt's spelling, as on QTextDocument
        return self.page_size

    def pageCount(self) -> int:
        if not self.parts:
            return 0
        last = self.parts[-1]
        return last.first_page + last.last_page + 1

    def deleteLater(self) -> None:
        """Let the parts go (the printing code calls this as on a QTextDocument)."""
        self.parts.clear()


def _mm_to_px(mm: float, dpi: int) -> float:
    return mm / 25.4 * dpi


def build_document(
    data: ReportData, options: ExportOptions, device: QPagedPaintDevice, progress: Progress | None = None
) -> ReportDocument:
    """Lay the report out for ``device`` (pages, contents page numbers, headings kept with their text)."""
    dpi = device.logicalDpiY()
    layout = device.pageLayout()
    paper = layout.fullRectPixels(dpi)
    body_width_pt = layout.fullRect(QPageLayout.Unit.Point).width() - 2 * MARGIN_SIDE / 25.4 * 72
    # Images are sized in CSS pixels (1/96 in), which Qt scales to the device.
    figure_px = int(body_width_pt / 72 * 96)
    _check(progress, 40, "Building the document…")
    segments, toc, title_page = _segments(data, options, figure_width_px=figure_px)
    report = ReportDocument(
        QSizeF(paper.width(), paper.height()),
        (_mm_to_px(MARGIN_SIDE, dpi), _mm_to_px(MARGIN_TOP, dpi), _mm_to_px(MARGIN_BOTTOM, dpi)),
        dpi,
    )
    report.toc_titles = toc
    report.title = data.title
    report.footer = f"{APP_NAME} · {data.filter_text} · seed {data.meta.get('seed_hash', '?')[:12]} · {data.generated}"
    css_path = Path(__file__).with_suffix(".css")
    css = (css_path.read_text(encoding="utf-8") if css_path.exists() else "") + OVERVIEW_CSS
    resources: dict[str, QImage] = {}
    if data.graph_image is not None:
        resources["report://graph.png"] = data.graph_image
    if options.include_graph and any(d.founded for d in data.details):
        tl = timeline_image(data.details, 2000)
        resources["report://timeline.png"] = tl
        tl_height = str(round(figure_px * tl.height() / tl.width()))
        segments = [_Segment(s.html.replace("@@TLH@@", tl_height), s.new_page) for s in segments]

    def part(html: str, previous: ReportPart | None, new_page: bool) -> ReportPart:
        doc = _layout_part(html, device, report, css, resources, previous=None if new_page else previous)
        if previous is None:
            doc.first_page = 0
        elif new_page:
            doc.first_page = previous.first_page + previous.last_page + 1
        else:
            doc.first_page = previous.first_page + previous.last_page
        return doc

    # The title page and contents first, with placeholder page numbers: its length fixes where the
    # rest starts (the numbers sit in a fixed-width column, so they cannot change it).
    front = part(title_page + _toc_html(toc, None), None, True)
    report.parts.append(front)
    for i, segment in enumerate(segments):
        _check(progress, 42 + int(16 * i / max(len(segments), 1)), "Laying out pages…")
        report.parts.append(part(segment.html, report.parts[-1], segment.new_page))
    _check(progress, 58, "Numbering pages…")
    _fill_contents(report, lambda: part(title_page + _toc_html(toc, _heading_pages(report)), None, True))
    return report


def _layout_part(
    html: str,
    device: QPagedPaintDevice,
    report: ReportDocument,
    css: str,
    resources: dict[str, QImage],
    *,
    previous: ReportPart | None,
) -> ReportPart:
    """One segment laid out for ``device``: page margins, the room the previous part used on a shared
    page, and the page-break fixes Qt lacks (see :func:`_fix_page_breaks`)."""
    dpi = device.logicalDpiY()
    _side, top, _bottom = report.margins_px
    if previous is None:
        # A part of its own starts on a fresh page: its first heading's page break would add a blank page.
        html = html.replace(LEAD, ' style="page-break-before: auto"', 1)
    else:
        # Continuing the flow: an empty line as tall as what the previous part used of the page (CSS
        # pixels). Qt drops a block's top margin at the top of a page, so a margin could not do this.
        used = max(0.0, previous.end_y - top) * 96 / dpi
        html = _spacer_html(used) + html.replace(LEAD, "", 1)
    doc = ReportPart()
    doc.spacer = previous is not None
    doc.headings = []
    # Device, page and margins before the content, so that setHtml lays it out once, for this device
    # (margins are in CSS pixels, 1/96 in, that Qt scales to the device; the page size is not).
    doc.documentLayout().setPaintDevice(device)
    doc.setPageSize(report.page_size)
    doc.setDocumentMargin(_mm_to_px(MARGIN_SIDE, 96))
    doc.setDefaultFont(report_font())
    doc.setDefaultStyleSheet(css)
    for url, image in resources.items():
        if url in html:
            doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(url), image)
    doc.setHtml(f"<html><body>{html}</body></html>")
    # One pass, in reading order: each fix lays the rest out again before it is looked at.
    _fix_page_breaks(doc, report)
    doc.last_page, doc.end_y = _content_end(doc, dpi)
    return doc


def _table_at(block: Any) -> Any:
    return QTextCursor(block).currentTable()


def _content_end(doc: ReportPart, dpi: int) -> tuple[int, float]:
    """The page (of the part) where its content ends, and the y on that page below its last line and
    that block's bottom margin. The empty block Qt adds after a closing table does not count."""
    lay = doc.documentLayout()
    page_h = doc.pageSize().height()
    block = doc.lastBlock()
    bottom = lay.blockBoundingRect(block).bottom() + block.blockFormat().bottomMargin() * dpi / 96
    if not block.text() and block.previous().isValid():
        table = _table_at(block.previous())
        if table is not None:
            bottom = lay.frameBoundingRect(table).bottom()
    page = max(0, int((bottom - 1) // page_h))
    return page, bottom - page * page_h


def _fix_page_breaks(doc: ReportPart, report: ReportDocument) -> int:
    """Qt has no keep-with-next nor keep-together: move what would be split badly to the next page.

    * A heading goes with what belongs to it: an entity's heading with its kind line and facts table,
      a subheading with the paragraph under it (if that is short); when that is more than half a page,
      at least with a few lines (KEEP_WITH_NEXT_MM).
    * A paragraph of a few lines (a quote, a source, a note line) is not split across pages.

    Returns how many blocks were moved."""
    lay = doc.documentLayout()
    page_h = doc.pageSize().height()
    _side, top, bottom = report.margins_px
    half_page = (page_h - top - bottom) / 2
    always_before = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore
    moved = 0
    block = doc.begin()
    if doc.spacer:
        block = block.next()
    while block.isValid():
        rect = lay.blockBoundingRect(block)
        page = int(rect.top() // page_h)
        page_bottom = (page + 1) * page_h - bottom
        fmt = block.blockFormat()
        level = fmt.headingLevel()
        if level == 1:
            doc.headings.append(block)
        if not level and rect.bottom() <= page_bottom + 0.5:  # most blocks: on one page, nothing to keep
            block = block.next()
            continue
        table = _table_at(block)
        if table is not None:  # rows of a table: Qt breaks them by itself
            block = doc.findBlock(table.lastPosition() + 1)
            continue
        if rect.top() - page * page_h <= top + 1 or fmt.pageBreakPolicy() & always_before:
            split = False  # already at the top of a page
        elif level in KEEP_WITH_NEXT_MM:
            end = _unit_bottom(doc, block, level)
            # A figure keeps its heading, image and caption on one page whenever they fit on one.
            figure = "\ufffc" in block.next().text()
            if end - rect.top() <= (2 * half_page if figure else half_page):
                split = end > page_bottom + 0.5
            else:
                split = page_bottom - rect.bottom() < _mm_to_px(KEEP_WITH_NEXT_MM[level], report.dpi)
        else:
            layout = block.layout()
            split = layout is not None and layout.lineCount() <= KEEP_TOGETHER_LINES
        if split:
            fmt.setPageBreakPolicy(always_before)
            QTextCursor(block).setBlockFormat(fmt)
            # Qt's own incremental relayout after a format change loses later blocks when painting;
            # marking the rest dirty makes it lay the tail out again.
            doc.markContentsDirty(block.position(), doc.characterCount() - block.position())
            moved += 1
        block = block.next()
    return moved


def _unit_bottom(doc: ReportPart, heading: Any, level: int) -> float:
    """The bottom of what a heading must share a page with: for an entity (level 1), its kind line,
    its facts table and its first subheading with the paragraph under that (so a page never ends
    with a lone "In the documents" nor starts with one cut off from its entity); for a subheading,
    the paragraph (or table) after it, or a deeper heading and that one's first paragraph ("Your
    notes", a note's title, its first lines)."""
    lay = doc.documentLayout()
    bottom = lay.blockBoundingRect(heading).bottom()
    block = heading.next()
    under_subheading = False
    for _ in range(6 if level == 1 else 3):
        if not block.isValid():
            break
        next_level = block.blockFormat().headingLevel()
        if next_level and next_level <= level:
            break  # the next heading of the same rank starts a unit of its own
        table = _table_at(block)
        if table is not None:
            bottom = max(bottom, lay.frameBoundingRect(table).bottom())
            if level != 1:
                break
            block = doc.findBlock(table.lastPosition() + 1)
            continue
        bottom = max(bottom, lay.blockBoundingRect(block).bottom())
        if block.text() and not next_level and (under_subheading or level != 1):
            break  # the first paragraph under the heading (or under its first deeper heading)
        under_subheading = under_subheading or bool(next_level)
        block = block.next()
    return bottom


def _heading_pages(report: ReportDocument) -> list[int]:
    """The report page (1-based) of every level-1 heading after the contents, in order."""
    page_h = report.page_size.height()
    return [
        part.first_page + int(part.documentLayout().blockBoundingRect(block).top() // page_h) + 1
        for part in report.parts[1:]
        for block in part.headings
    ]


def _running_heads(report: ReportDocument) -> list[str]:
    """Per page, the running header's section, as in a dictionary: the level-1 heading in force at
    the top of the page (the one opening it, else the last one before it, so a page continuing an
    entity names it), and the last heading starting on the page when that is another ("A … B")."""
    page_h = report.page_size.height()
    top = report.margins_px[1]
    starts: list[tuple[int, bool, str]] = []  # (page, opens the page, heading text), in order
    for part in report.parts[1:]:
        for block in part.headings:
            y = part.documentLayout().blockBoundingRect(block).top()
            page = part.first_page + int(y // page_h)
            # At the top of its page, a heading sits below the page margin by its own top margin.
            opens = y - (page - part.first_page) * page_h <= top + block.blockFormat().topMargin() * report.dpi / 96 + 1
            starts.append((page, opens, block.text()))
    heads: list[str] = []
    current = "Contents"  # the front part: title page (no header) and the table of contents
    k = 0
    for i in range(report.pageCount()):
        while k < len(starts) and starts[k][0] < i:
            current = starts[k][2]
            k += 1
        on_page = []
        while k < len(starts) and starts[k][0] == i:
            on_page.append(starts[k])
            k += 1
        first = on_page[0][2] if on_page and on_page[0][1] else current
        last = on_page[-1][2] if on_page else first
        heads.append(first if last == first else f"{first} … {last}")
        if on_page:
            current = on_page[-1][2]
    return heads


def _fill_contents(report: ReportDocument, numbered_front: Callable[[], ReportPart]) -> None:
    """Replace the title page and contents with a copy that has the page numbers. Should its length
    differ (it cannot, by design), shift the rest and number again."""
    for _attempt in range(3):
        old = report.parts[0]
        front = numbered_front()
        report.parts[0] = front
        shift = front.last_page - old.last_page
        if not shift:
            return
        for part in report.parts[1:]:
            part.first_page += shift


# ---- stage 3: painting ------------------------------------------------------------------------------
def page_count(doc: ReportDocument) -> int:
    return doc.pageCount()


def paint_document(doc: ReportDocument, device: QPagedPaintDevice, progress: Progress | None = None) -> int:
    """Paint every page with the running header (title; the section in force) and footer (page X of
    N); returns pages painted."""
    painter = QPainter()
    if not painter.begin(device):
        raise AtlasError("Could not start writing the PDF (the output device refused).")
    try:
        return _paint_pages(doc, device, painter, progress)
    finally:
        painter.end()


def _paint_pages(doc: ReportDocument, device: QPagedPaintDevice, painter: QPainter, progress: Progress | None) -> int:
    dpi = device.logicalDpiY()
    page_h = doc.pageSize().height()
    page_w = doc.pageSize().width()
    side = _mm_to_px(MARGIN_SIDE, dpi)
    pages = doc.pageCount()
    small = report_font(8.0)
    rule = QPen(QColor("#9aa8b6"))
    rule.setWidthF(max(1.0, dpi / 150))
    first = 0  # parts are in page order: skip those that ended before this page
    heads = _running_heads(doc)
    for i in range(pages):
        _check(progress, 60 + int(38 * i / max(pages, 1)), f"Writing page {i + 1} of {pages}…")
        if i > 0:
            device.newPage()
        while first < len(doc.parts) - 1 and doc.parts[first].first_page + doc.parts[first].last_page < i:
            first += 1
        for part in doc.parts[first:]:
            if part.first_page > i:
                break
            local = i - part.first_page
            painter.save()
            painter.translate(0, -local * page_h)
            ctx = QAbstractTextDocumentLayout.PaintContext()
            ctx.clip = QRectF(0, local * page_h, page_w, page_h)
            painter.setClipRect(ctx.clip)
            part.documentLayout().draw(painter, ctx)
            painter.restore()
        painter.setFont(small)
        painter.setPen(QColor("#4a5866"))
        fm_h = painter.fontMetrics().height()
        if i > 0:  # no header on the title page
            y = _mm_to_px(HEADER_Y, dpi)
            box = QRectF(side, y, page_w - 2 * side, fm_h)
            fm = painter.fontMetrics()
            half = int(box.width() / 2 - dpi / 8)
            title = fm.elidedText(doc.title, Qt.TextElideMode.ElideRight, half)
            head = fm.elidedText(heads[i] or APP_NAME, Qt.TextElideMode.ElideRight, half)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), title)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), head)
            painter.setPen(rule)
            painter.drawLine(int(side), int(y + fm_h + dpi / 40), int(page_w - side), int(y + fm_h + dpi / 40))
            painter.setPen(QColor("#4a5866"))
        y = page_h - _mm_to_px(FOOTER_Y, dpi) - fm_h
        box = QRectF(side, y, page_w - 2 * side, fm_h)
        number = f"Page {i + 1} of {pages}"
        fm = painter.fontMetrics()
        footer = fm.elidedText(
            doc.footer, Qt.TextElideMode.ElideRight, int(box.width() - fm.horizontalAdvance(number) - dpi / 4)
        )
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop), footer)
        painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), number)
    return pages


# ---- PDF files --------------------------------------------------------------------------------------
def page_layout(page_size: str) -> QPageLayout:
    size = QPageSize(PAGE_SIZES.get(page_size, QPageSize.PageSizeId.A4))
    # Margins are ours (root frame + header/footer), so the device's are zero.
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def render_pdf_bytes(data: ReportData, options: ExportOptions, progress: Progress | None = None) -> tuple[bytes, int]:
    """The finished PDF in memory, and its page count (nothing touches the disk here)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setPageLayout(page_layout(options.page_size))
    writer.setTitle(data.title)
    writer.setCreator(f"{APP_NAME} {__version__}")
    doc = build_document(data, options, writer, progress)
    try:
        pages = paint_document(doc, writer, progress)
    finally:
        doc.deleteLater()
        del doc
    buffer.close()
    raw: QByteArray = buffer.data()
    return bytes(raw.data()), pages


def write_pdf(data: ReportData, options: ExportOptions, path: Path, progress: Progress | None = None) -> Path:
    """Render, then write atomically: a cancel or a failure leaves no file (and an old one untouched)."""
    from app.core.fileio import atomic_write

    pdf, _pages = render_pdf_bytes(data, options, progress)
    _check(progress, 99, "Saving…")
    atomic_write(Path(path), lambda fh: fh.write(pdf), binary=True)
    return Path(path)


def ensure_application() -> None:
    """A QApplication for headless callers; offscreen when there is no display. Reuses one if present."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QApplication([])


def options_from_args(args: Any) -> ExportOptions:
    return ExportOptions(
        title=getattr(args, "title", "") or "",
        include_notes=bool(getattr(args, "notes", False)),
        include_graph=not bool(getattr(args, "no_graph", False)),
        handout=bool(getattr(args, "handout", False)),
        page_size=getattr(args, "page_size", "A4") or "A4",
    )


def export_pdf_headless(atlas: Any, spec: FilterSpec, path: Path, args: Any) -> Path:
    """``alliance-atlas export --format pdf``: works with no display."""
    ensure_application()
    load_fonts()
    options = options_from_args(args)
    data = collect_report(atlas.repo, spec, options, user_db=atlas.paths.user_db)
    return write_pdf(data, options, Path(path))
