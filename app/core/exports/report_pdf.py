"""The PDF summary typeset by Typst: compile with the bundled fonts only, in parts, joined, written atomically.

Typst gets the source as bytes, the figures as inputs, a fresh empty folder as its root (so there
is no file it could read even if asked) and the fonts in ``resources/fonts`` by path, with the
system's fonts ignored: the same PDF on every machine. The result is a tagged PDF (PDF/UA-1):
headings, lists, tables and figures with their text alternatives, title and language set;
headings are also the bookmarks, and the contents, citations and cross-references are links.

A large summary is typeset in parts (``report_typst.SummarySource.plan``) by the two threads of
a worker process (``typst_pool``, ``typst_worker``): Typst's memory grows with the document and
goes back only when its process ends (the worker makes Typst forget each part), so the memory is
that of two parts, and a part without
a running header or page numbers is laid out in one pass (those ask Typst where things fell,
which costs a second pass). A part that begins where the one document has a page break (an
overview table, the figures, the entities, the sources, each entity of a handout) is set at once;
one that continues the entities or the sources of a continuous summary waits for the part before
it and begins with the last of that part's pieces that opens a page there (an entity's heading or
a source at the top), so the pages are those of one document: the part before keeps the pages
up to that one (``pdf_part.tail``), and the entities and the sources, two such chains, are set side
by side, with the title page and contents (the front), a part alone whose lines leave room for
their page numbers. Then the running headers and footers, which know where every heading fell
and how many pages there are, and on the contents pages the page of each line, drawn at its end
(where the front's link for that line shows it). Each part is copied into the new file as soon
as it is set (:class:`pdf_merge.Joiner`, while the others are still being set); the front, the
headers and footers and the links across the parts (:class:`pdf_links.LinkIndex`) are written last.
"""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any, Literal

from app.core.exports import pdf_merge
from app.core.exports.pdf_links import resolve_links
from app.core.exports.report_data import ExportOptions, Progress, ReportData, check
from app.core.exports.report_typst import (
    HAND_OVER,
    MARGINAL_PAGES,
    PAGE_START,
    PART_CHARS,
    Figures,
    SummarySource,
    build_parts,
    marginals_source,
)
from app.core.exports.report_typst import running_heads as _running_heads
from app.core.exports.typst_pool import Job, Pool, compile_all, failed, fonts_dir
from app.core.exports.typst_worker import resident_mb, typeset

log = logging.getLogger(__name__)
Format = Literal["pdf", "svg", "png"]
__all__ = ["compile_isolated", "compile_source", "fonts_dir", "render_pages_svg", "render_pdf", "write_pdf"]


def compile_source(
    source: str, inputs: dict[str, str], *, fmt: Format = "pdf", ppi: float | None = None
) -> list[bytes]:
    """Typeset ``source`` here: one PDF (its links resolved), or one SVG or PNG per page."""
    import typst

    try:
        out = typeset(source, {"fmt": fmt, "ppi": ppi}, inputs, str(fonts_dir()))
    except typst.TypstError as exc:
        raise failed(exc.message, getattr(exc, "diagnostic", "")) from exc
    return [resolve_links(out[0])] if fmt == "pdf" else out


def compile_isolated(
    source: str,
    inputs: dict[str, str],
    *,
    fmt: Format = "pdf",
    ppi: float | None = None,
    progress: Progress | None = None,
) -> list[bytes]:
    """:func:`compile_source` in a child process (see ``typst_worker``): its memory goes back when
    it ends, and a cancel stops it at once."""
    out = compile_all([source], [{"fmt": fmt, "ppi": ppi}], inputs, isolated=True, progress=progress)[0]
    return [resolve_links(out[0])] if fmt == "pdf" else out


# The memory of the whole export (this process, the worker and the parts being set) is kept under
# MEMORY_MB: the title page and the headers and footers are set beside each other only if they fit
# beside this process and the worker as large as it is (see _room; the body's parts are bounded by
# the two typesetting threads, and never two overview tables at once). Setting one takes Typst
# about CHILD_MB plus CHILD_MB_PER_CHAR per character of weighted source (measured in a process of
# its own: 9,000 took 41 MB, 160,000 weighted 50 to 70, an entity part the heaviest; the headers
# and footers MARGINAL_MB_PER_PAGE a page). In the worker, whose size is counted already, a part
# adds that less the worker's own start (WORKER_MB): the contents of 1,000 entities added 17 MB.
# (The window's own process is larger than that budget by itself: there the parts being set
# may take PARTS_MB.)
MEMORY_MB = 292
WORKER_MB = 30  # the worker with its typst.Compilers made, before it sets anything
CHILD_MB = 40
CHILD_MB_PER_CHAR = 0.15 / 1000
MARGINAL_MB_PER_PAGE = 0.13
PARTS_MB = 150


def _room(pool: Pool) -> float:
    """The memory (MB) the parts being set may take together: what MEMORY_MB leaves beside this
    process and the worker (as large as it is now: Typst keeps what it took for the parts before,
    and uses it again); in a process already larger than a command line's (the window), PARTS_MB
    less what the worker holds beyond its own start."""
    own, worker = resident_mb(os.getpid()), max(WORKER_MB, pool.worker_mb())
    if own is None or own > 200:
        return PARTS_MB + WORKER_MB - worker
    return MEMORY_MB - own - worker


@dataclass
class _Part:
    """A body part: pieces [start, end) of the summary source, and once set, where it is and what it keeps."""

    start: int
    end: int
    soft: bool  # begins in the middle of the entities or sources: waits for the part before
    source: str = ""
    set: bool = False
    pages: int = 0  # kept: the pages after these are set again by the next part
    where: dict[str, tuple[int, float]] | None = None  # our heading labels on the kept pages


class _Layout:
    """The summary typeset as PDF parts, with what the last steps need to know about them."""

    def __init__(
        self, data: ReportData, options: ExportOptions, figures: Figures, progress: Progress | None, *,
        isolated: bool, part_chars: int, out: IO[bytes] | None = None,
    ) -> None:  # fmt: skip
        check(progress, 60, "Setting the text…")
        self.data, self.options, self.progress = data, options, progress
        self.source: SummarySource = build_parts(data, options, figures, part_chars=part_chars)
        self.inputs = figure_inputs(figures)
        plan = self.source.plan()
        # A summary in several parts goes to child processes even from the command line: the memory.
        self.isolated = isolated or len(plan) > 1
        # Each part is joined to the others in ``out`` as it is set (the printer's pages need no PDF).
        self.joiner = pdf_merge.Joiner(out) if out is not None else None
        self.parts = [_Part(p.start, p.end, p.soft) for p in plan]
        # The title page and contents: set beside the body, as a part alone (the contents' page
        # numbers are drawn over their lines with the running headers, once the pages are known).
        self.front_source = self.source.front()
        self._front = _Part(-1, -1, False)
        self.front: pdf_merge.Part | None = None
        with Pool(self.inputs, isolated=self.isolated, progress=progress) as pool:
            self._body(pool)
            self._marginals(pool)

    def _body(self, pool: Pool) -> None:
        """Every body part set, as many at once as there are typesetters; a part continuing a chain
        once the one before is set. The longest work first: the chain with the most left to set
        (the entities), so it never waits behind the short parts (the tables, the figures). Never
        two of the overview's tables at once: each takes Typst the memory of two parts of text (set
        side by side, they made the export's peak)."""
        parts, planned = self.parts, len(self.parts) + 1  # and the front
        running: dict[int, _Part] = {}
        joins: list[tuple[_Part, pdf_merge.Part]] = []  # set, not yet in the file
        done = 0

        def ready() -> list[_Part]:
            started = {id(p) for p in running.values()}
            front = [] if self._front.set or id(self._front) in started else [self._front]
            return front + [
                p for i, p in enumerate(parts)
                if not p.set and id(p) not in started and (not p.soft or parts[i - 1].set)
            ]  # fmt: skip

        while True:
            table_running = any(p is not self._front and self.source.pieces[p.start].heavy for p in running.values())
            waiting = sorted(ready(), key=lambda p: -self._left(p, running.values()))
            while waiting and len(running) < pool.parallel:
                part = waiting.pop(0)
                if part is self._front:
                    running[pool.submit(self.front_source, {"ua": True})] = part
                    continue
                if self.source.pieces[part.start].heavy:
                    if table_running:
                        continue
                    table_running = True
                source = self.source.source(part.start, part.end)
                running[pool.submit(source, {"ua": ua(source)})] = part
                if self.joiner is None:  # the printer's pages: the same sources set again as SVG
                    part.source = source
            for joined in joins:  # into the file once the next parts are on their way
                self._join(*joined)
            joins.clear()
            if not running:
                break
            key, out = pool.wait(62 + 26 * done // planned)
            part = running.pop(key)
            done += 1
            if part is self._front:
                self._front.set = True
                self.front = pdf_merge.parse(out[0])
                continue
            parsed = self._set(part, out[0])
            if parsed is not None:
                joins.append((part, parsed))

    def _left(self, part: _Part, running: Iterable[_Part] = ()) -> float:
        """What is left to set of the chain this part begins (itself and the parts continuing it), in
        Typst's time, with the hand-over between the parts. The overview's tables are one chain too:
        they are set one at a time (so they go early enough not to be all that is left at the end)."""
        pieces = self.source.pieces
        if part is self._front:  # a part alone, its lines costing about what Sources entries do
            return len(self.front_source) + HAND_OVER
        if pieces[part.start].heavy:
            busy = {id(p) for p in running}
            chain = [p for p in self.parts if pieces[p.start].heavy and not p.set and id(p) not in busy]
        else:
            i = self.parts.index(part)
            end = i + 1
            while end < len(self.parts) and self.parts[end].soft:
                end += 1
            chain = self.parts[i:end]
        return sum(x.cost for p in chain for x in pieces[p.start : p.end]) + HAND_OVER * len(chain)

    def _set(self, part: _Part, pdf: bytes) -> pdf_merge.Part | None:
        """A part is set: note where its headings are, and if the next part continues it, say where
        that one begins (or, finding no page there that a piece opens, take it in: None). The part is
        handed back, parsed, for :meth:`_join` (after the next part is submitted: the chain waits
        for this, not for the copying)."""
        parsed = pdf_merge.parse(pdf)
        part.pages = len(parsed.pages)
        i = self.parts.index(part)
        following = self.parts[i + 1] if i + 1 < len(self.parts) else None
        if following is not None and following.soft:
            places = pdf_merge.places(parsed)
            starts = [
                (places[a][0], j)
                for j in range(part.start + 1, part.end)
                if (a := self.source.pieces[j].anchor) is not None and a in places
                and places[a][0] >= 1 and places[a][1] < PAGE_START
            ]  # fmt: skip
            if not starts:  # no page opens with a piece: set this part again with the next one in it
                log.debug("No page of part %d opens with a piece: joined with the next", i)
                part.end = following.end
                self.parts.remove(following)
                return None
            part.pages, following.start = max(starts)
        part.where = {n: at for n, at in pdf_merge.destinations(parsed).items() if at[0] < part.pages}
        part.set = True
        return parsed

    def _join(self, part: _Part, parsed: pdf_merge.Part) -> None:
        """A set part copied into the new file; its pieces' text dropped (but for those the next
        part sets again)."""
        if self.joiner is None:
            return
        self.joiner.add(part.start + 1, parsed, part.pages)  # slot 0: the title page and contents
        i = self.parts.index(part)
        following = self.parts[i + 1] if i + 1 < len(self.parts) else None
        pieces = self.source.pieces
        for j in range(part.start, following.start if following is not None and following.soft else part.end):
            pieces[j] = replace(pieces[j], text="")

    def _marginals(self, pool: Pool) -> None:
        """The running headers and footers, set side by side as the memory allows, with the
        contents' page numbers (drawn on the contents pages with their headers)."""
        assert self.front is not None
        where: dict[str, tuple[int, float]] = {}  # label -> (page in the body from 0, points from the top)
        start = 0
        for part in self.parts:
            assert part.where is not None
            for name, (page, y) in part.where.items():
                where[name] = (start + page, y)
            start += part.pages
        self.body_pages = start
        offset = len(self.front.pages)
        self.where = {name: (page + offset, y) for name, (page, y) in where.items()}
        self.where.update(pdf_merge.destinations(self.front))
        self.pages = offset + self.body_pages
        self.sections = _running_heads(self.source.headings, self.where, self.pages)
        self.marginals = marginals_source(self.data, self.options, self.sections, self._contents_numbers())
        out: dict[int, bytes] = {}
        needs: dict[int, float] = {}
        keys: list[int] = []
        for i, marginal in enumerate(self.marginals):  # each beside the others as the memory allows
            mb = CHILD_MB - WORKER_MB + MARGINAL_MB_PER_PAGE * min(MARGINAL_PAGES, self.pages - i * MARGINAL_PAGES)
            while needs and sum(needs.values()) + mb > _room(pool):
                key, result = pool.wait(88 + 6 * len(out) // (len(self.marginals) + 1), "Numbering the pages…")
                out[key] = result[0]
                del needs[key]
            keys.append(pool.submit(marginal, {"ua": False, "tags": False}))
            needs[keys[-1]] = mb
        while pool.pending:
            key, result = pool.wait(88 + 6 * len(out) // (len(keys) + 1), "Numbering the pages…")
            out[key] = result[0]
        self.marginal_parts = [pdf_merge.parse(out[k]) for k in keys]
        if self.joiner is not None:
            self.joiner.add(0, self.front)

    def _contents_numbers(self) -> dict[int, list[tuple[float, float, int]]]:
        """Page i of the front -> each contents line on it: (its right end, its baseline, the page
        its heading is on). The lines are the front's links to the headings, in their order."""
        assert self.front is not None
        expected = [h.label for h in self.source.headings[1:]]
        numbers: dict[int, list[tuple[float, float, int]]] = {}
        k = 0
        for page, label, (_x1, y1, x2, _y2) in pdf_merge.link_boxes(self.front):
            if k < len(expected) and label == expected[k]:
                numbers.setdefault(page, []).append((x2, y1, self.where[label][0] + 1))
                k += 1
        if k != len(expected):
            raise pdf_merge.MergeError(f"{len(expected) - k} contents lines not found in the front part")
        return numbers

    def finish(self) -> None:
        """The rest of the PDF written (the parts are in already): page tree, tags, bookmarks, links."""
        check(self.progress, 94, "Joining the parts…")
        assert self.joiner is not None
        self.joiner.finish(self.source.headings, self.marginal_parts)

    def svg(self) -> list[list[bytes]]:
        """Each page as SVG layers: the header, the page, the footer."""
        check(self.progress, 91, "Drawing the pages…")
        sources = [self.front_source, *(p.source for p in self.parts), *self.marginals]
        jobs: list[Job] = [{"fmt": "svg"}] * len(sources)
        out = compile_all(sources, jobs, self.inputs, isolated=True, progress=self.progress, span=(91, 99))
        pages = list(out[0])
        for part, result in zip(self.parts, out[1:], strict=False):
            pages += result[: part.pages]
        marginals = [page for part in out[1 + len(self.parts) :] for page in part]
        return [[marginals[2 * i], page, marginals[2 * i + 1]] for i, page in enumerate(pages)]


def render_pdf(
    data: ReportData,
    options: ExportOptions,
    figures: Figures,
    progress: Progress | None = None,
    *,
    isolated: bool = False,
    part_chars: int = PART_CHARS,
) -> bytes:
    """The finished PDF in memory (nothing touches the disk but Typst's empty root folder and,
    for a summary in parts or ``isolated``, the child process's job folder)."""
    out = io.BytesIO()
    _write(out, data, options, figures, progress, isolated=isolated, part_chars=part_chars)
    return out.getvalue()


def _write(
    out: IO[bytes], data: ReportData, options: ExportOptions, figures: Figures, progress: Progress | None, *,
    isolated: bool, part_chars: int,
) -> None:  # fmt: skip
    _Layout(data, options, figures, progress, isolated=isolated, part_chars=part_chars, out=out).finish()
    check(progress, 97, "Saving…")


def render_pages_svg(
    data: ReportData, options: ExportOptions, figures: Figures, progress: Progress | None = None
) -> list[list[bytes]]:
    """Each page as SVG layers (header, page, footer), for printing: the same pages as the PDF."""
    return _Layout(data, options, figures, progress, isolated=True, part_chars=PART_CHARS).svg()


def write_pdf(
    data: ReportData,
    options: ExportOptions,
    path: Path,
    figures: Figures,
    progress: Progress | None = None,
    *,
    isolated: bool = False,
    part_chars: int = PART_CHARS,
) -> Path:
    """Render, then write atomically: a cancel or a failure leaves no file (and an old one untouched).
    The parts are written to the new file as they are set, not held in memory.
    ``isolated``: typeset in a child process (the window does; the CLI exits anyway)."""
    from app.core.fileio import atomic_write

    def write(fh: IO[Any]) -> None:
        _write(fh, data, options, figures, progress, isolated=isolated, part_chars=part_chars)

    atomic_write(Path(path), write, binary=True)
    return Path(path)


def ua(source: str) -> bool:
    """Whether a part can claim PDF/UA on its own: Typst checks that a document's first heading is
    of level 1 (a part that begins in the middle of the entities begins with level 2)."""
    first = next((line for line in source.splitlines() if line.startswith("=")), "= ")
    return first.startswith("= ")


def figure_inputs(figures: Figures) -> dict[str, str]:
    """The drawings, handed to Typst as inputs (``sys.inputs``), never as files it could look for."""
    inputs = {}
    if figures.network is not None:
        inputs["network"] = figures.network.svg
    if figures.timeline is not None:
        inputs["timeline"] = figures.timeline.svg
    return inputs
