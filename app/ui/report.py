"""PDF summaries and printouts: cited HTML built from the database, laid out by QTextDocument, painted page by page.

Three stages, so the GUI can run the slow ones off its thread and tests can check each:

1. :func:`collect_report` reads everything from the database into a :class:`ReportData` (no Qt).
2. :func:`build_document` turns it into a :class:`ReportDocument` laid out for one paint device
   (QPdfWriter or QPrinter): title page, contents with page numbers, overview table, network and
   timeline figures, one section per entity with numbered citations, notes, sources.
3. :func:`paint_document` paints the pages with a running header (the title) and page numbers.

Everything we put in the HTML is escaped with ``html.escape``; notes are Markdown rendered by Qt with
raw HTML off, and the document refuses to load any resource (``file:``, ``http:``) it was not given.
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

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
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
from app.core.exports import Cancelled, collect, filter_labels
from app.core.filters import FilterSpec, describe
from app.paths import resources_dir

if TYPE_CHECKING:
    from app.core.repository import Citation, EntityDetail, Link, Repository

# (percent 0-100, what is happening) -> keep going?
Progress = Callable[[int, str], bool]

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}
DEFAULT_TITLE = "Alliance Atlas summary"
# Page margins in millimetres; the running header and the footer sit inside the top and bottom ones.
MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM = 20.0, 24.0, 20.0
HEADER_Y, FOOTER_Y = 11.0, 11.0  # distance of header/footer text from the paper edge, mm
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
TOC_MARK = "\u27e6pg\u27e7"  # placeholder for a page number in the contents, filled after layout
# A heading with less room than this below it moves to the next page (h1: kind line + two rows;
# h3: two lines of a quote).
KEEP_WITH_NEXT_MM = {1: 24.0, 3: 11.0}
KEEP_WITH_NEXT_MAX_CHARS = 300_000  # about 120 pages
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

    @property
    def citation_count(self) -> int:
        return len({(c.document_id, c.start, c.end) for d in self.details for c in d.citations})


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
    try:
        from app.core.notes import NotesStore
    except ImportError:  # the notes feature is optional
        return {}, {}
    store = NotesStore(user_db)
    notes: dict[str, list[NoteItem]] = {}
    for n in sorted(store.list_notes(entity_ids=ids), key=lambda n: (n.created_at, n.id)):
        if n.entity_id:
            item = NoteItem(n.display_title, n.body, n.quote, n.updated_at, tuple(n.tags))
            notes.setdefault(n.entity_id, []).append(item)
    return notes, store.tags_for_entities(ids)


def _graph_image(repo: Repository, spec: FilterSpec, user_db: Path | None) -> tuple[QImage | None, str]:
    """The graph pane's drawing of the exported set, or nothing if the graph feature is absent."""
    try:
        from app.ui.graph_export import render_graph_image
    except ImportError:
        return None, ""
    # 2000 x 1700 px is about 300 dpi over the text width: sharp on paper, ~0.5 MB in the PDF.
    image = render_graph_image(repo, spec, 2000, 1700, user_db=user_db)
    caption = (
        "Entities in this summary (markers by kind) and the cited ties between them: membership,"
        " party to, part of, partner. Layout as in the Graph view."
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

    def mark(self, citations: Sequence[Citation]) -> str:
        nums: list[int] = []
        for c in citations:
            key = (c.document_id, c.start, c.end)
            if key not in self.numbers:
                self.items.append(c)
                self.numbers[key] = len(self.items)
            n = self.numbers[key]
            if n not in nums:
                nums.append(n)
        if not nums:
            return ""
        return f'<span class="cite">&#8239;[{", ".join(str(n) for n in sorted(nums))}]</span>'

    def reset(self) -> None:
        """Handouts: each entity page numbers its own sources from 1, so a page stands alone."""
        self.numbers.clear()
        self.items.clear()

    def endnotes(self, documents: dict[str, str]) -> str:
        out = []
        for c in self.items:
            n = self.numbers[(c.document_id, c.start, c.end)]
            title = documents.get(c.document_id) or c.document_title or c.file_name
            section = f", section “{_e(c.section)}”" if c.section else ""
            out.append(
                f'<p class="endnote"><b>[{n}]</b> “{_e(c.quote)}” — <i>{_e(title)}</i>'
                f'{section} <span class="muted">({_e(c.file_name)})</span></p>'
            )
        return "\n".join(out)


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
        parts.append(f'<p class="notehead">{_e(n.title)}</p><p class="notemeta">{meta}</p>')
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


def build_html(data: ReportData, options: ExportOptions, *, figure_width_px: int = 640) -> tuple[str, list[str]]:
    """The whole report as Qt rich text. Page numbers in the contents are placeholders (TOC_MARK)."""
    cites = _Citations()
    toc: list[str] = []
    parts: list[str] = []
    n = len(data.details)
    meta = data.meta
    notes_total = sum(len(v) for v in data.notes.values())
    # Title page.
    counts = f"{_plural(n, 'entity', 'entities')}"
    if n:
        counts += f" ({_e(_kind_counts(data.details))})"
    counts += f"; {_plural(data.citation_count, 'cited passage')} from {_plural(len(data.documents), 'document')}"
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
    parts.append(f'<p class="app">{_e(APP_NAME.upper())}</p>')
    parts.append(f'<p class="title">{_e(data.title)}</p>')
    parts.append('<p class="subtitle">A cited summary of military alliances and partnerships</p>')
    parts.append('<table class="meta" width="100%" cellspacing="0">')
    parts += [f'<tr><th width="18%">{k}</th><td>{v}</td></tr>' for k, v in rows]
    parts.append("</table>")
    parts.append(
        '<p class="small" style="margin-top: 32px;">Every fact in this summary comes from the seed documents'
        " listed on the data line; the numbers in square brackets refer to the quoted passages under"
        f" “Sources”{' at the end of each entity' if options.handout else ' at the end'}."
        " The seed corpus hash identifies the exact data this summary was made from.</p>"
    )
    # Contents (filled in after layout).
    parts.append('<h1 class="section">Contents</h1>')
    parts.append("@@TOC@@")

    def section(title: str, css: str = "section", anchor: str = "") -> None:
        toc.append(title)
        parts.append(f'<h1 class="{css}"><a name="{_e(anchor)}"></a>{_e(title)}</h1>')

    # Overview table.
    section("Overview")
    if n:
        parts.append('<table class="grid" width="100%" cellspacing="0"><thead><tr>')
        parts += [f"<th>{h}</th>" for h in ("Name", "Kind", "Category", "Founded", "Region", "Members")]
        parts.append("</tr></thead>")
        for d in data.details:
            members = str(len(d.members)) if d.members else (f"{d.stated_members} stated" if d.stated_members else "—")
            parts.append(
                f"<tr><td>{_e(d.name)}</td><td>{_e(d.kind)}</td><td>{_e(d.category or '—')}</td>"
                f"<td>{_e(_years(d))}</td><td>{_e(d.region or '—')}</td><td>{_e(members)}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>No entities match this selection.</p>")
    # Figures.
    if options.include_graph and data.graph_image is not None and n:
        section("Network")
        h = round(figure_width_px * data.graph_image.height() / max(1, data.graph_image.width()))
        parts.append(f'<p><img src="report://graph.png" width="{figure_width_px}" height="{h}"></p>')
        parts.append(f'<p class="caption">{_e(data.graph_caption)}</p>')
    dated = [d for d in data.details if d.founded]
    if options.include_graph and dated:
        section("Timeline", css="entity")
        parts.append(f'<p><img src="report://timeline.png" width="{figure_width_px}" height="@@TLH@@"></p>')
        shown = min(len(dated), TIMELINE_LIMIT)
        more = f" The {len(dated) - shown} most recent are not drawn." if len(dated) > shown else ""
        undated = n - len(dated)
        caption = f"Founding year (and end, where the documents give one) of {_plural(shown, 'entity', 'entities')}."
        if undated:
            caption += f" {_plural(undated, 'entity', 'entities')} without a cited founding year are left out."
        parts.append(f'<p class="caption">{caption}{more}</p>')
    # Entities.
    for i, d in enumerate(data.details):
        if options.handout:
            cites.reset()
        css = "section" if (options.handout or i == 0) else "entity"
        section(d.name, css=css, anchor=f"e-{d.id}")
        kind_line = "<b>" + _e(d.kind.capitalize()) + "</b>"
        if d.categories:
            kind_line += " · " + _e(", ".join(d.categories))
        parts.append(f'<p class="kindline">{kind_line}</p>')
        parts.append('<table class="kv" width="100%" cellspacing="0">')
        parts += [f'<tr><th width="24%">{k}</th><td>{v}</td></tr>' for k, v in _entity_rows(d, data, cites)]
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
        section("Sources")
        parts.append(cites.endnotes(data.documents))
    toc_html = ['<table class="toc" width="100%" cellspacing="0">']
    for title in toc:
        indent = "" if title in ("Overview", "Network", "Timeline", "Sources") else "&nbsp;&nbsp;&nbsp;&nbsp;"
        toc_html.append(f'<tr><td>{indent}{_e(title)}</td><td width="12%" align="right">{TOC_MARK}</td></tr>')
    toc_html.append("</table>")
    body = "\n".join(parts).replace("@@TOC@@", "\n".join(toc_html))
    return f"<html><body>{body}</body></html>", toc


class ReportDocument(QTextDocument):
    """A QTextDocument that loads only the images we registered: never a file or network URL."""

    def loadResource(self, kind: int, name: QUrl) -> Any:
        # Not None: PySide6 6.12 mis-counts a None returned here (a crash "deallocating None" at
        # exit), and for a null result QTextDocument itself falls back to reading local files.
        return QImage() if kind == QTextDocument.ResourceType.ImageResource.value else " "

    toc_titles: list[str]
    title: str = ""
    footer: str = ""
    margins_px: tuple[float, float, float] = (0.0, 0.0, 0.0)  # side, top, bottom in device pixels


def timeline_image(details: Sequence[EntityDetail], width: int) -> QImage:
    """Horizontal bars from founding to end (or today) per entity, earliest first, painted on a QImage."""
    dated = sorted((d for d in details if d.founded), key=lambda d: (d.founded or 0, d.name.casefold()))
    dated = dated[:TIMELINE_LIMIT]
    this_year = dt.date.today().year
    row = 34
    top, bottom = 20, 60
    height = top + bottom + row * len(dated)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    if not dated:
        return image
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        font = report_font()
        font.setPixelSize(22)
        painter.setFont(font)
        fm = painter.fontMetrics()
        label_w = min(max(fm.horizontalAdvance(d.name) for d in dated) + 16, int(width * 0.42))
        lo = min(d.founded or this_year for d in dated)
        lo = (lo // 10) * 10
        hi = max(this_year, *(d.ended or 0 for d in dated))
        x0, x1 = label_w, width - 20
        scale = (x1 - x0) / max(1, hi - lo)

        def x(year: int) -> float:
            return x0 + (year - lo) * scale

        step = next(s for s in (5, 10, 20, 25, 50, 100) if (hi - lo) / s <= 10)
        painter.setPen(QPen(QColor("#dddddd"), 1))
        axis_y = top + row * len(dated)
        for year in range(lo, hi + 1, step):
            painter.drawLine(int(x(year)), top, int(x(year)), axis_y)
        painter.setPen(QColor("#444444"))
        for year in range(lo, hi + 1, step):
            painter.drawText(QRectF(x(year) - 40, axis_y + 6, 80, 30), int(Qt.AlignmentFlag.AlignHCenter), str(year))
        for i, d in enumerate(dated):
            y = top + i * row
            painter.setPen(QColor("#1a1a1a"))
            name = fm.elidedText(d.name, Qt.TextElideMode.ElideRight, label_w - 12)
            painter.drawText(
                QRectF(0, y, label_w - 10, row), int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), name
            )
            end = d.ended or this_year
            colour = QColor("#12355b") if not d.ended else QColor("#8a9bb0")
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(
                QRectF(x(d.founded or lo), y + 8, max(6.0, x(end) - x(d.founded or lo)), row - 16), 4, 4
            )
    finally:
        painter.end()
    return image


def _mm_to_px(mm: float, dpi: int) -> float:
    return mm / 25.4 * dpi


def build_document(
    data: ReportData, options: ExportOptions, device: QPagedPaintDevice, progress: Progress | None = None
) -> ReportDocument:
    """Lay the report out for ``device`` (pages, contents page numbers, headings kept with their text)."""
    dpi = device.logicalDpiY()
    layout = device.pageLayout()
    paper = layout.fullRectPixels(dpi)
    side, top, bottom = (_mm_to_px(m, dpi) for m in (MARGIN_SIDE, MARGIN_TOP, MARGIN_BOTTOM))
    body_width_pt = layout.fullRect(QPageLayout.Unit.Point).width() - 2 * MARGIN_SIDE / 25.4 * 72
    # Images are sized in CSS pixels (1/96 in), which Qt scales to the device.
    figure_px = int(body_width_pt / 72 * 96)
    _check(progress, 40, "Building the document…")
    html_text, toc = build_html(data, options, figure_width_px=figure_px)
    doc = ReportDocument()
    doc.toc_titles = toc
    doc.title = data.title
    doc.footer = f"{APP_NAME} · {data.filter_text} · seed {data.meta.get('seed_hash', '?')[:12]} · {data.generated}"
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(report_font())
    css_path = resources_dir() / "report.css"
    doc.setDefaultStyleSheet(css_path.read_text(encoding="utf-8") if css_path.exists() else "")
    if data.graph_image is not None:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("report://graph.png"), data.graph_image)
    if options.include_graph:
        tl = timeline_image(data.details, 2000)
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl("report://timeline.png"), tl)
        html_text = html_text.replace("@@TLH@@", str(round(figure_px * tl.height() / tl.width())))
    doc.setPageSize(QSizeF(paper.width(), paper.height()))
    doc.setHtml(html_text)
    # After setHtml (which resets the root frame): the layout repeats these margins on every page.
    # Frame margins are in CSS pixels (1/96 in) that Qt scales to the device; the page size is not.
    root = doc.rootFrame().frameFormat()
    root.setLeftMargin(_mm_to_px(MARGIN_SIDE, 96))
    root.setRightMargin(_mm_to_px(MARGIN_SIDE, 96))
    root.setTopMargin(_mm_to_px(MARGIN_TOP, 96))
    root.setBottomMargin(_mm_to_px(MARGIN_BOTTOM, 96))
    doc.rootFrame().setFrameFormat(root)
    doc.margins_px = (side, top, bottom)
    _check(progress, 50, "Laying out pages…")
    keep = {k: _mm_to_px(v, dpi) for k, v in KEEP_WITH_NEXT_MM.items()}
    # Each moved heading makes Qt lay the rest out again: fine for a few hundred pages, quadratic
    # beyond (1,000 entities: 130 s). Large continuous exports keep Qt's plain page breaks.
    attempts = 3 if doc.characterCount() <= KEEP_WITH_NEXT_MAX_CHARS else 0
    for _attempt in range(attempts):
        moved = _keep_headings_with_text(doc, keep)
        # Qt's lazy relayout after format changes can leave the tail stale (blocks missing when
        # painted, a wrong page count): lay the whole document out again, then check once more.
        doc.markContentsDirty(0, doc.characterCount())
        if not moved:
            break
    _check(progress, 58, "Numbering pages…")
    _fill_contents(doc)
    return doc


def _heading_blocks(doc: QTextDocument) -> list[Any]:
    out = []
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() in (1, 3):
            out.append(block)
        block = block.next()
    return out


def _keep_headings_with_text(doc: ReportDocument, min_space: dict[int, float]) -> int:
    """Qt has no keep-with-next: move a heading that would end a page to the top of the next one.
    Returns how many headings were moved."""
    moved = 0
    page_h = doc.pageSize().height()
    lay = doc.documentLayout()
    _side, top, bottom = doc.margins_px
    for block in _heading_blocks(doc):
        rect = lay.blockBoundingRect(block)
        offset = rect.top() % page_h
        room = page_h - bottom - (offset + rect.height())
        at_top = offset <= top + rect.height()
        if room < min_space.get(block.blockFormat().headingLevel(), 0.0) and not at_top:
            fmt = block.blockFormat()
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            QTextCursor(block).setBlockFormat(fmt)
            # Qt's own incremental relayout after a format change loses later blocks when painting;
            # marking the rest dirty makes it lay the tail out again (lazily, as far as we query).
            doc.markContentsDirty(block.position(), doc.characterCount() - block.position())
            moved += 1
    return moved


def _fill_contents(doc: ReportDocument) -> None:
    """Replace each contents placeholder with the page of its heading (level-1 headings, in order)."""
    page_h = doc.pageSize().height()
    lay = doc.documentLayout()
    pages = [
        int(lay.blockBoundingRect(b).top() // page_h) + 1
        for b in _heading_blocks(doc)
        if b.blockFormat().headingLevel() == 1 and b.text().strip() != "Contents"
    ]
    # One edit block: Qt relayouts once at the end, not after every number (54 edits: 1.5 s -> 0.02 s).
    # The numbers sit in a fixed-width right-aligned column, so they cannot move any page break.
    edit = QTextCursor(doc)
    edit.beginEditBlock()
    found = QTextCursor(doc)
    for page in pages:
        found = doc.find(TOC_MARK, found)
        if found.isNull():
            break
        found.insertText(str(page))
    edit.endEditBlock()


# ---- stage 3: painting ------------------------------------------------------------------------------
def page_count(doc: QTextDocument) -> int:
    return doc.pageCount()


def paint_document(doc: ReportDocument, device: QPagedPaintDevice, progress: Progress | None = None) -> int:
    """Paint every page with the running header (title) and footer (page X of N); returns pages painted."""
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
    for i in range(pages):
        _check(progress, 60 + int(38 * i / max(pages, 1)), f"Writing page {i + 1} of {pages}…")
        if i > 0:
            device.newPage()
        painter.save()
        painter.translate(0, -i * page_h)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.clip = QRectF(0, i * page_h, page_w, page_h)
        painter.setClipRect(ctx.clip)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
        painter.setFont(small)
        painter.setPen(QColor("#4a5866"))
        fm_h = painter.fontMetrics().height()
        if i > 0:  # no header on the title page
            y = _mm_to_px(HEADER_Y, dpi)
            box = QRectF(side, y, page_w - 2 * side, fm_h)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), doc.title)
            painter.drawText(box, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), APP_NAME)
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
