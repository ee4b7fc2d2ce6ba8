"""The PDF summary's Typst source, built from :class:`ReportData` (every user string a literal).

The layout lives in ``resources/report.typ`` (page, type, running header, the small functions
called here); this module writes the body: title page, contents, overview, figures, one section
per entity with numbered citations, notes, and the Sources list. Labels are ours alone (``e12``,
``s3``, ``c3``, ``h4-s1``): entity names in the overview and in the facts link to their
sections, each citation number to its source, each source back to where it was first cited.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from app import APP_NAME, __version__
from app.core.exports import report_datasets as ds
from app.core.exports.pdf_merge import Heading
from app.core.exports.report_citations import Citations
from app.core.exports.report_data import ExportOptions, NoteItem, ReportData, plural
from app.core.exports.typst_markup import go, label, lit, markdown, text
from app.core.query.repository import Citation, EntityDetail, Link
from app.core.reference.relations import relation_label
from app.paths import resources_dir

COMPACT_ENTITIES = 5  # up to this many entities, the overview and figures do not start new pages
OVERVIEW_ROWS = 250  # rows of an overview table: one may begin a part (a table costs Typst much memory)
TABLE_WEIGHT = 4  # a table's source costs Typst about four times the memory of text
SOURCE_WEIGHT = 1.5  # a Sources entry (a link, a block kept whole) about one and a half times
# What a part costs Typst in time, in characters of Sources entries (weighted as for the memory:
# measured on 1,000 entities, a part's CPU against its weighted size): an entity's markup takes
# about 1.8 times as long as its size says, an overview table 1.35 times, and handing a part over
# (setting it going, reading it back) as long as 30,000 characters.
ENTITY_TIME = 1.8
TABLE_TIME = 1.35
HAND_OVER = 30_000
PART_CHARS = 120_000  # weighted Typst source per part: about 55 MB of a Typst process, two at once (see report_pdf)
MARGINAL_PAGES = 150  # pages whose header and footer one Typst process sets (400 took 89 MB, 150 about 60)
TOP_OF_PAGE = 32 * 72 / 25.4  # a heading this near the top (32 mm, in points) opens its page
# A heading's destination or a source's back link this near the top (points) is the first thing on
# its page: the top margin is 20 mm; anything after something else on the page is 20 pt lower or more.
PAGE_START = 20 * 72 / 25.4 + 4
FOOTER_FILTER_CHARS = 90  # the filter in the footer is cut here (in full on the title page)
ROLES = {"member": "member", "party": "party", "part_of": "part of", "has part": "has part", "partner": "partner"}
KIND_PLURALS = {"country": "countries", "treaty": "treaties", "alliance": "alliances", "partnership": "partnerships"}


@dataclass(frozen=True)
class Figure:
    """A vector drawing (SVG) with the words a screen reader says for it and its printed caption."""

    svg: str
    alt: str
    caption: str


@dataclass(frozen=True)
class Figures:
    network: Figure | None = None
    network_note: str = ""  # said in the overview when there is no network to draw
    timeline: Figure | None = None


class _Builder:
    def __init__(self, data: ReportData, options: ExportOptions, figures: Figures) -> None:
        self.data = data
        self.options = options
        self.figures = figures
        self.cites = Citations()
        self.labels = {d.id: f"e{i}" for i, d in enumerate(data.details)}
        self.out: list[str] = []
        self.front: list[str] = []  # what follows the contents on its page (the compact overview)
        self.headings: list[Heading] = [Heading(1, "Contents", "sec-contents")]
        self.cuts: list[int] = [0]  # where in ``out`` a new part may begin
        self.heavy: set[int] = set()  # cuts opening a stretch that costs Typst more per character (a table)
        self.entity_cuts: set[int] = set()  # cuts opening an entity (slower to set than its size says)
        self.extra: dict[int, int] = {}  # cut -> what its pictures cost Typst, in characters of source
        # Cuts where no page break falls (between entities of a continuous summary, between sources),
        # with the label whose place in the PDF says whether a page begins there (None: not known).
        # A part may begin there only where the pages of the part before show a page beginning.
        self.soft: dict[int, str | None] = {}

    def heading(self, level: int, title: str, name: str, emit: Callable[[str], None]) -> None:
        """A level 1 or 2 heading: labelled, listed for the contents, bookmarks and running header."""
        self.headings.append(Heading(level, title, name))
        emit(f"{'=' * level} {text(title)} {label(name)}")

    def entity_link(self, entity_id: str | None, name: str) -> str:
        target = self.labels.get(entity_id or "")
        return f"#link({go(target)})[{text(name)}];" if target else text(name)

    def grouped(self, items: Sequence[tuple[str, Sequence[Citation]]]) -> str:
        """'A, B, C [1]; D [2]': values that share the same citations are listed before one mark."""
        groups: list[tuple[list[str], tuple[int, ...]]] = []
        for markup, citations in items:
            nums = self.cites.numbers_for(citations)
            if groups and groups[-1][1] == nums:
                groups[-1][0].append(markup)
            else:
                groups.append(([markup], nums))
        return "; ".join(", ".join(m) + self.cites.mark(nums) for m, nums in groups)

    def fact_items(self, d: EntityDetail, field: str) -> list[tuple[str, Sequence[Citation]]]:
        return [
            (text(f.target_name or f.value) + ds.record_mark(f.records), f.citations)
            for f in d.facts
            if f.field == field and (f.value or f.target_name)
        ]

    def link_items(self, links: Sequence[Link], with_role: bool) -> list[tuple[str, Sequence[Citation]]]:
        def role(link: Link) -> str:
            words = ROLES.get(link.role) or relation_label(link.field or link.role, outgoing=link.outgoing).lower()
            return f" #text(fill: muted)[({text(words)})]" if with_role else ""

        # Names only: a link on each of 15,000 member names made a 1,000-entity summary a third slower.
        return [(text(link.name) + ds.link_suffix(link) + role(link), link.citations) for link in links]

    def rows(self, d: EntityDetail) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []  # the kind is in the line under the heading
        if d.aliases:
            rows.append(("Also called", text(", ".join(d.aliases))))
        for name, field in (("Category", "category"), ("Founded", "founded"), ("Ended", "ended"), ("Region", "region")):
            items = self.fact_items(d, field)
            if items:
                rows.append((name, self.grouped(items)))
        if d.members:
            word = "Parties" if all(m.role == "party" for m in d.members) else "Members"
            rows.append((f"{word} ({len(d.members)})", self.grouped(self.link_items(d.members, False))))
        stated = self.fact_items(d, "member_count")
        if stated:
            rows.append(("Stated number of members", self.grouped(stated)))
        elif d.stated_members and not d.members:
            rows.append(("Stated number of members", text(d.stated_members)))
        if d.member_of:
            rows.append(("Member or party of", self.grouped(self.link_items(d.member_of, True))))
        if d.related:
            rows.append(("Related", self.grouped(self.link_items(d.related, True))))
        activities = self.fact_items(d, "activity")
        if activities:
            rows.append(("Activities", self.grouped(activities)))
        rows += ds.rows(d)  # obligations, same-as links, disagreements (imported datasets)
        if self.data.notes_included and self.data.tags.get(d.id):
            rows.append(("Your tags", text(", ".join(self.data.tags[d.id]))))
        return rows

    # ---- parts ----
    def overview(self) -> None:
        n = len(self.data.details)
        compact = n <= COMPACT_ENTITIES
        emit = self.front.append if compact else self.out.append  # compact: on the contents page
        emit("#pagebreak(weak: true)" if not compact else "#v(1em)")
        self.heading(1, "Overview", "sec-overview", emit)
        if not n:
            emit("No entities match this selection.")
        heads = ", ".join(f"[*{h}*]" for h in ("Name", "Kind", "Category", "Founded", "Region", "Members"))
        for i, d in enumerate(self.data.details):
            if i % OVERVIEW_ROWS == 0:  # a table per so many rows, each on a page of its own: a part may begin
                if i:
                    emit(")]")
                    self.cuts.append(len(self.out))
                    emit("#pagebreak(weak: true)")
                self.heavy.add(self.cuts[-1])
                emit("#[#set text(size: 8pt)\n#table(columns: (28%, auto, 1fr, auto, 17%, auto),")
                emit("  fill: (_, y) => if y == 0 { head-fill } else if calc.even(y) { stripe },")
                emit(f"  table.header({heads}),")
            stated = f"{d.stated_members} stated" if d.stated_members else "—"
            members = str(len(d.members)) if d.members else stated
            regions = ", ".join(f.value for f in d.facts if f.field == "region" and f.value) or d.region or "—"
            cells = [
                self.entity_link(d.id, d.name),
                text(d.kind),
                text(", ".join(d.categories) or d.category or "—"),
                text(years(d)),
                text(regions),
                text(members),
            ]
            emit("  " + ", ".join(f"[{c}]" for c in cells) + ",")
        if n:
            emit(")]")
        network, timeline = self.figures.network, self.figures.timeline
        if self.options.include_graph and network is None and self.figures.network_note and n:
            emit(f"#caption-text[{text(self.figures.network_note)}]")
        for title, figure, key in (("Network", network, "network"), ("Timeline", timeline, "timeline")):
            if not (self.options.include_graph and figure is not None and n):
                continue
            if not compact and key == "network":  # the timeline follows the network on its page
                self.cuts.append(len(self.out))
            if not compact:  # reading an SVG costs Typst about half what as much markup does
                self.extra[self.cuts[-1]] = self.extra.get(self.cuts[-1], 0) + len(figure.svg) // 2
            emit("#v(1em)" if compact or key == "timeline" else "#pagebreak(weak: true)")
            self.heading(1, title, f"sec-{key}", emit)
            emit(
                f'#figure(image(bytes(sys.inputs.at({lit(key)})), format: "svg", width: 100%,'
                f" alt: {lit(figure.alt)}), caption: [{text(figure.caption)}])"
            )

    def entities(self) -> None:
        emit = self.out.append
        if not self.data.details:
            return
        self.cuts.append(len(self.out))
        emit("#pagebreak(weak: true)")
        self.heading(1, "Entities", "sec-entities", emit)
        for i, d in enumerate(self.data.details):
            if i:
                self.cuts.append(len(self.out))
                if not self.options.handout:  # a handout's entity begins a page: a hard cut
                    self.soft[len(self.out)] = self.labels[d.id]
            self.entity_cuts.add(self.cuts[-1])
            if self.options.handout:
                self.cites.reset(f"h{i}-")
                if i:
                    emit("#pagebreak(weak: true)")
            self.heading(2, d.name, self.labels[d.id], emit)
            self.cites.section = self.labels[d.id]
            kind = f"#text(weight: 700)[{text(d.kind.capitalize())}];"  # bold type: a label, not emphasis
            if d.categories:
                kind += " · " + text(", ".join(d.categories))
            if d.origin == "user":  # made from the user's own documents, not the reference catalogue
                kind += " · #emph[" + text("from your documents") + "]"
            kind += ds.origin_note(d)
            emit(f"#kindline[{kind}]")
            rows = self.rows(d)
            if rows:
                emit("#facts(" + ", ".join(f"([{name}], [{value}])" for name, value in rows) + ")")
            described = [c for f in d.facts if f.field == "description" for c in f.citations]
            if described:
                emit("#heading(level: 3, outlined: false)[In the documents]")
                for c in described:
                    emit(f"#quoted[“{text(c.quote)}”{self.cites.mark(self.cites.numbers_for([c]))}]")
            notes = self.data.notes.get(d.id) if self.data.notes_included else None
            if notes:
                self.notes(notes)
            if self.options.handout and self.cites.items:
                emit("#heading(level: 3, outlined: false)[Sources]")
                self.out += [entry for _anchor, entry in self.cites.sources(self.data.documents)]

    def notes(self, notes: list[NoteItem]) -> None:
        emit = self.out.append
        emit("#heading(level: 3, outlined: false)[Your notes]")
        for n in notes:
            meta = f"edited {n.updated_at[:10]}"
            if n.tags:
                meta += " · tags: " + ", ".join(n.tags)
            emit(f"#heading(level: 4, outlined: false)[{text(n.title)}]")
            emit(f"#notemeta[{text(meta)}]")
            if n.quote:
                emit(f"#quoted[On “{text(n.quote)}”]")
            emit(f"#note-body[{markdown(n.body, self.labels.get)}]")

    def sources(self) -> None:
        if self.options.handout or not self.cites.items:
            return
        self.cuts.append(len(self.out))
        self.out.append("#pagebreak(weak: true)")
        self.heading(1, "Sources", "sec-sources", self.out.append)
        for anchor, entry in self.cites.sources(self.data.documents):
            self.cuts.append(len(self.out))
            self.soft[len(self.out)] = anchor
            self.extra[len(self.out)] = int(len(entry) * (SOURCE_WEIGHT - 1))
            self.out.append(entry)

    def contents(self) -> list[str]:
        """The contents: a line per heading, each a link; its page number is drawn over it later
        (see :func:`marginals_source`)."""
        return [f"#toc({h.level}, [{text(h.title)}], {go(h.label)})" for h in self.headings[1:]]

    def title_page(self) -> str:
        data, options = self.data, self.options
        n = len(data.details)
        cited = self.cites.every
        counts = plural(n, "entity", "entities")
        if n:
            counts += f" ({kind_counts(data.details)})"
        documents = {doc for doc, _start, _end in cited}
        counts += f"; {plural(len(cited), 'cited passage')} from {plural(len(documents), 'document')}"
        meta = data.meta
        rows = [
            ("Selection", data.filter_text),
            ("Contents", counts),
            ("Date", data.generated),
            (
                "Data",
                f"reference database schema {meta.get('schema_version', '?')}, seed corpus "
                f"{meta.get('seed_hash', '?')[:12]}, {APP_NAME} {__version__}",
            ),
        ]
        if data.notes_included:
            notes_total = sum(len(v) for v in data.notes.values())
            rows.append(("Your notes", plural(notes_total, "note") + " on these entities"))
        where = " at the end of each entity" if options.handout else " at the end"
        # Facts the user accepted or cited come from their own documents: the page says so.
        yours = any(f.origin == "user" for d in data.details for f in d.facts)
        from_where = "the seed documents and your own documents" if yours else "the seed documents"
        cells = ", ".join(f"[#text(fill: muted)[{k}]], [{text(v)}]" for k, v in rows)
        return "\n".join(
            [
                "#v(38mm)",
                f'#text(size: 11pt, weight: 700, fill: rgb("#5b6b7b"))[{text(APP_NAME.upper())}]',
                f"#block(above: 0.8em, below: 0.8em, text(size: 28pt, weight: 700, fill: navy)[{text(data.title)}])",
                '#text(size: 13pt, fill: rgb("#333333"))[A cited summary of military alliances and partnerships]',
                "#v(10mm)",
                f"#table(columns: (18%, 1fr), inset: (x: 0pt, y: 5pt), {cells})",
                "#v(8mm)",
                f"#small[Every fact in this summary comes from {from_where}; the numbers in square brackets"
                " refer to the quoted passages, with their document and section, under “Sources”"
                f"{where}. Each number links to its source. The seed corpus hash on the data line identifies the"
                " exact data this summary was made from.]",
                "#pagebreak()",
                f"#heading(level: 1, outlined: false)[Contents] {label('sec-contents')}",
            ]
        )


def years(d: EntityDetail) -> str:
    if d.founded and d.ended:
        return f"{d.founded}–{d.ended}"
    return str(d.founded) if d.founded else "—"


def kind_counts(details: Sequence[EntityDetail]) -> str:
    counts: dict[str, int] = {}
    for d in details:
        counts[d.kind] = counts.get(d.kind, 0) + 1
    return ", ".join(
        f"{n} {k if n == 1 else KIND_PLURALS.get(k, k + 's')}"
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def footer_text(data: ReportData) -> str:
    filter_text = data.filter_text
    if len(filter_text) > FOOTER_FILTER_CHARS:
        filter_text = filter_text[: FOOTER_FILTER_CHARS - 1].rstrip() + "…"
    return f"{APP_NAME} · {filter_text} · seed {data.meta.get('seed_hash', '?')[:12]} · {data.generated}"


def template() -> str:
    return (resources_dir() / "report.typ").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Piece:
    """A stretch of the body where a part may begin: an overview table, the figures, an entity, a source."""

    text: str
    size: int  # characters of source, weighted by what they cost Typst (a table more)
    soft: bool  # no page break before it in the one document (a part may begin here only where a page does)
    anchor: str | None  # soft: the label whose place in the PDF shows whether a page begins with it
    cost: float = 0.0  # Typst's time for it, in the same units (an entity's markup takes longer than its size)
    heavy: bool = False  # an overview table: costs Typst much memory for its size


@dataclass(frozen=True)
class PlannedPart:
    start: int  # pieces [start, end)
    end: int
    soft: bool  # begins at a soft piece: where exactly is known once the part before is set


@dataclass
class SummarySource:
    """The summary as Typst sources, for :mod:`app.core.exports.report_pdf`: the body as pieces,
    planned into parts of about ``part_chars`` each (:meth:`plan`), the title page and contents
    (``front``), set beside them, and once the body's pages are known the running headers and
    footers with the contents' page numbers (:func:`marginals_source`). A part beginning at a hard
    piece begins a page in the one document too; one beginning at a soft piece (the middle of the
    entities or of the sources) begins where the part before shows a page beginning with one of its
    pieces (see ``report_pdf``)."""

    head: str  # the definitions and the template every part begins with
    pieces: list[Piece]
    headings: list[Heading]  # level 1 and 2, in order, each with its label
    builder: _Builder
    part_chars: int = PART_CHARS

    def source(self, start: int, end: int) -> str:
        """The whole source of a part made of pieces [start, end)."""
        return "\n".join([self.head, *(p.text for p in self.pieces[start:end]), ""])

    def plan(self) -> list[PlannedPart]:
        """The pieces in parts of about ``part_chars``: a stretch between two hard pieces (a page
        break) larger than that is a chain of parts of its own (each after the first begins softly),
        smaller stretches are packed together (an overview table, a handout's entities). A summary
        of up to twice that is one part (the seed summary: no worker to start)."""
        parts: list[PlannedPart] = []
        if not self.pieces:
            return parts
        if sum(p.size for p in self.pieces) <= 2 * self.part_chars:  # one process sets it faster
            return [PlannedPart(0, len(self.pieces), False)]
        hard = [i for i, p in enumerate(self.pieces) if not p.soft or i == 0]
        start, size = 0, 0  # the part being packed: pieces [start, i)
        for a, b in zip(hard, [*hard[1:], len(self.pieces)], strict=True):
            stretch = sum(p.size for p in self.pieces[a:b])
            if size and size + stretch > self.part_chars:
                parts.append(PlannedPart(start, a, False))
                start, size = a, 0
            if stretch <= self.part_chars:
                size += stretch
                continue
            first = a  # a chain stands alone
            size = 0
            for i in range(a, b):
                if size and size + self.pieces[i].size > self.part_chars:
                    parts.append(PlannedPart(first, i, first != a))
                    first, size = i, 0
                size += self.pieces[i].size
            parts.append(PlannedPart(first, b, first != a))
            start, size = b, 0
        if size:
            parts.append(PlannedPart(start, len(self.pieces), False))
        return parts

    @property
    def body(self) -> list[str]:
        """Each planned part's source (a soft part may begin a few pieces earlier when typeset)."""
        return [self.source(p.start, p.end) for p in self.plan()]

    def front(self) -> str:
        """Title page and contents (and, for a few entities, the overview after them): set beside
        the body, as the contents' page numbers are drawn over their lines afterwards."""
        b = self.builder
        return "\n".join([self.head, b.title_page(), *b.contents(), *b.front, ""])


def _head(data: ReportData, options: ExportOptions) -> str:
    paper = "us-letter" if options.page_size == "Letter" else "a4"
    lets = [
        f"#let rt-title = {lit(data.title)}",
        f"#let rt-footer = {lit(footer_text(data))}",
        f"#let rt-paper = {lit(paper)}",
    ]
    return "\n".join([*lets, template()])


def build_parts(
    data: ReportData, options: ExportOptions, figures: Figures | None = None, *, part_chars: int = PART_CHARS
) -> SummarySource:
    """The summary's sources: the body cut into parts at the places a page may begin."""
    builder = _Builder(data, options, figures or Figures())
    builder.overview()
    builder.entities()
    builder.sources()
    cuts = sorted({*builder.cuts, len(builder.out)})
    pieces = []
    for start, end in pairwise(cuts):
        size = sum(len(line) for line in builder.out[start:end]) * (TABLE_WEIGHT if start in builder.heavy else 1)
        size += builder.extra.get(start, 0)
        factor = ENTITY_TIME if start in builder.entity_cuts else TABLE_TIME if start in builder.heavy else 1
        cost, text = size * factor, "\n".join(builder.out[start:end])
        pieces.append(Piece(text, size, start in builder.soft, builder.soft.get(start), cost, start in builder.heavy))
    builder.out = []  # all in the pieces now (the lines would double the text held while it is set)
    return SummarySource(_head(data, options), pieces, builder.headings, builder, part_chars)


def build_source(data: ReportData, options: ExportOptions, figures: Figures | None = None) -> str:
    """Every part's source, one after the other (to read, and to test what user text becomes)."""
    parts = build_parts(data, options, figures)
    return "\n".join([parts.front(), *parts.body])


def marginals_source(
    data: ReportData,
    options: ExportOptions,
    sections: Sequence[str | None],
    numbers: dict[int, list[tuple[float, float, int]]] | None = None,
) -> list[str]:
    """The running headers and footers (``resources/report_marginals.typ``), in parts of
    :data:`MARGINAL_PAGES` pages: ``sections[i]`` is what the header of page i names (None: no
    header, the title page); ``numbers[i]``: the page numbers of the contents lines on page i,
    each with the right end and the baseline of its line (points from the bottom left)."""
    paper = "us-letter" if options.page_size == "Letter" else "a4"
    head = [
        f"#let rt-title = {lit(data.title)}",
        f"#let rt-footer = {lit(footer_text(data))}",
        f"#let rt-paper = {lit(paper)}",
        f"#let rt-pages = {len(sections)}",
        (resources_dir() / "report_marginals.typ").read_text(encoding="utf-8"),
    ]
    numbers = numbers or {}
    calls = [
        f"#mp({'none' if s is None else lit(s)}, {i + 1}"
        + "".join(f", ({x:.2f}, {y:.2f}, {lit(n)})" for x, y, n in numbers.get(i, ()))
        + ")"
        for i, s in enumerate(sections)
    ]
    return ["\n".join(head + calls[i : i + MARGINAL_PAGES]) + "\n" for i in range(0, len(calls), MARGINAL_PAGES)]


def running_heads(headings: Sequence[Heading], where: dict[str, tuple[int, float]], pages: int) -> list[str | None]:
    """What the running header of each page names, as in a dictionary: the heading opening the page
    (else the last one before it, so a page continuing an entity names it), and the last heading
    starting on the page when that is another one ("A … B"). None on the title page.
    ``where``: label -> (page from 0, points from the top of the page)."""
    located = sorted(
        ((where[h.label][0], where[h.label][1], i, h.title) for i, h in enumerate(headings) if h.label in where)
    )
    starts = [page for page, _y, _i, _t in located]
    out: list[str | None] = [None]
    a = 0
    for page in range(1, pages):
        a = bisect_left(starts, page, a)
        b = bisect_left(starts, page + 1, a)
        current = located[a - 1][3] if a > 0 else "Contents"
        first = located[a][3] if b > a and located[a][1] < TOP_OF_PAGE else current
        last = located[b - 1][3] if b > a else first
        out.append(first if last == first else f"{first} … {last}")
    return out
