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
by side. Then the title page and contents, which know the body's pages by then, with the running
headers and footers, which know where every heading fell and how many pages there are. Each part
is copied into the new file as soon as it is set (:class:`pdf_merge.Joiner`, while the others
are still being set); the front, the headers and footers and the links across the parts
(:class:`pdf_links.LinkIndex`) are written last.
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
# about CHILD_MB plus CHILD_MB_PER_CHAR per character of weighted source (measured: 9,000 took
# 41 MB, 160,000 weighted 50 to 70, an entity part the heaviest; the headers and footers
# MARGINAL_MB_PER_PAGE a page).
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
        with Pool(self.inputs, isolated=self.isolated, progress=progress) as pool:
            self._body(pool)
            self._front_and_marginals(pool)

    def _body(self, pool: Pool) -> None:
        """Every body part set, as many at once as there are typesetters; a part continuing a chain
        once the one before is set. The longest work first: the chain with the most left to set
        (the entities), so it never waits behind the short parts (the tables, the figures). Never
        two of the overview's tables at once: each takes Typst the memory of two parts of text (set
        side by side, they made the export's peak)."""
        parts, planned = self.parts, len(self.parts)
        running: dict[int, _Part] = {}
        joins: list[tuple[_Part, pdf_merge.Part]] = []  # set, not yet in the file
        done = 0

        def ready() -> list[_Part]:
            started = {id(p) for p in running.values()}
            return [
                p for i, p in enumerate(parts)
                if not p.set and id(p) not in started and (not p.soft or parts[i - 1].set)
            ]  # fmt: skip

        while True:
            table_running = any(self.source.pieces[p.start].heavy for p in running.values())
            waiting = sorted(ready(), key=lambda p: -self._left(p, running.values()))
            while waiting and len(running) < pool.parallel:
                part = waiting.pop(0)
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
            parsed = self._set(part, out[0])
            if parsed is not None:
                joins.append((part, parsed))

    def _left(self, part: _Part, running: Iterable[_Part] = ()) -> float:
        """What is left to set of the chain this part begins (itself and the parts continuing it), in
        Typst's time, with the hand-over between the parts. The overview's tables are one chain too:
        they are set one at a time (so they go early enough not to be all that is left at the end)."""
        pieces = self.source.pieces
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

    def _front_and_marginals(self, pool: Pool) -> None:
        """Title page and contents, then the running headers and footers, set side by side (the
        contents' length guessed, and both set again in the rare case it was wrong)."""
        where: dict[str, tuple[int, float]] = {}  # label -> (page in the body from 0, points from the top)
        start = 0
        for part in self.parts:
            assert part.where is not None
            for name, (page, y) in part.where.items():
                where[name] = (start + page, y)
            start += part.pages
        self.body_pages = start
        pages = {name: page + 1 for name, (page, _y) in where.items()}
        length = self.source.front_length()
        for _attempt in range(3):  # the contents give page numbers, so they must know their own length
            self.front_source = self.source.front(pages, length)
            placed = {name: (page + length, y) for name, (page, y) in where.items()}
            front_mb = CHILD_MB + CHILD_MB_PER_CHAR * len(self.front_source)
            front_key = pool.submit(self.front_source, {"ua": True})
            front: bytes | None = None
            if self.source.builder.front:  # a short summary's overview follows the contents: wait for it
                front = pool.wait(88, "Setting the contents…")[1][0]
                placed.update(pdf_merge.destinations(pdf_merge.parse(front)))
            else:
                placed["sec-contents"] = (1, 0.0)
            self.sections = _running_heads(self.source.headings, placed, length + self.body_pages)
            self.marginals = marginals_source(self.data, self.options, self.sections)
            out: dict[int, bytes] = {} if front is None else {front_key: front}
            needs = {front_key: front_mb} if front is None else {}
            keys: list[int] = []
            total = length + self.body_pages
            for i, marginal in enumerate(self.marginals):  # each beside the others as the memory allows
                mb = CHILD_MB + MARGINAL_MB_PER_PAGE * min(MARGINAL_PAGES, total - i * MARGINAL_PAGES)
                while needs and sum(needs.values()) + mb > _room(pool):
                    key, result = pool.wait(88 + 6 * len(out) // (len(self.marginals) + 1), "Numbering the pages…")
                    out[key] = result[0]
                    del needs[key]
                keys.append(pool.submit(marginal, {"ua": False, "tags": False}))
                needs[keys[-1]] = mb
            while pool.pending:
                key, result = pool.wait(88 + 6 * len(out) // (len(keys) + 1), "Numbering the pages…")
                out[key] = result[0]
            self.front = pdf_merge.parse(out[front_key])
            if len(self.front.pages) == length:
                self.marginal_parts = [pdf_merge.parse(out[k]) for k in keys]
                break
            log.debug("The contents took %d pages, not %d: set again", len(self.front.pages), length)
            length = len(self.front.pages)
        offset = len(self.front.pages)
        if self.joiner is not None:
            self.joiner.add(0, self.front)
        self.where = {name: (page + offset, y) for name, (page, y) in where.items()}
        self.where.update(pdf_merge.destinations(self.front))
        self.pages = offset + self.body_pages

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
