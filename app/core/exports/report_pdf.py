"""The PDF summary typeset by Typst: compile with the bundled fonts only, in parts, joined, written atomically.

Typst gets the source as bytes, the figures as inputs, a fresh empty folder as its root (so there
is no file it could read even if asked) and the fonts in ``resources/fonts`` by path, with the
system's fonts ignored: the same PDF on every machine. The result is a tagged PDF (PDF/UA-1):
headings, lists, tables and figures with their text alternatives, title and language set;
headings are also the bookmarks, and the contents, citations and cross-references are links.

A large summary is typeset in parts (``report_typst.build_parts``), each in a fresh process
(``typst_worker``): Typst's memory grows with the document and goes back only when its process
ends, so the memory is that of one part, and a part without a running header or page numbers
is laid out in one pass (those ask Typst where things fell, which costs a second pass). Then the
title page and contents, which know the body's pages by then; then the running headers and
footers, which know where every heading fell and how many pages there are; then
:mod:`pdf_merge` joins them and :mod:`pdf_links` resolves the links across the parts.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Literal

from app.core.errors import AtlasError
from app.core.exports import pdf_merge
from app.core.exports.data import Cancelled
from app.core.exports.pdf_links import resolve_links
from app.core.exports.report_data import ExportOptions, Progress, ReportData, check
from app.core.exports.report_typst import (
    PART_CHARS,
    Figures,
    SummarySource,
    build_parts,
    figure_inputs,
    marginals_source,
)
from app.core.exports.report_typst import running_heads as _running_heads
from app.core.exports.typst_worker import typeset
from app.paths import resources_dir

log = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[3]  # the folder holding the app package, for the child process
Format = Literal["pdf", "svg", "png"]
Job = dict[str, Any]  # one document for typst_worker: "fmt", "ppi", "ua" (claim PDF/UA-1), "tags"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def _failed(message: str, detail: str = "") -> AtlasError:
    """Our source is wrong: a bug, said plainly, with the details logged."""
    log.error("Typst failed: %s\n%s", message, detail)
    return AtlasError(f"Could not typeset the summary: {message}")


def compile_source(
    source: str, inputs: dict[str, str], *, fmt: Format = "pdf", ppi: float | None = None
) -> list[bytes]:
    """Typeset ``source`` here: one PDF (its links resolved), or one SVG or PNG per page."""
    import typst

    try:
        out = typeset(source, {"fmt": fmt, "ppi": ppi}, inputs, str(fonts_dir()))
    except typst.TypstError as exc:
        raise _failed(exc.message, getattr(exc, "diagnostic", "")) from exc
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
    out = compile_jobs([source], [{"fmt": fmt, "ppi": ppi}], inputs, isolated=True, progress=progress)[0]
    return [resolve_links(out[0])] if fmt == "pdf" else out


def compile_jobs(
    sources: Sequence[str],
    jobs: Sequence[Job],
    inputs: dict[str, str],
    *,
    isolated: bool,
    progress: Progress | None = None,
    span: tuple[int, int] = (70, 95),
) -> list[list[bytes]]:
    """Typeset each source (links left as they are): in this process when ``isolated`` is off and
    there is one, or in a frozen build (no ``python -m``); else in child processes, one per source,
    which a cancel (``progress`` returning False) stops at once."""
    if getattr(sys, "frozen", False) or (not isolated and len(sources) == 1):
        import typst

        out = []
        for i, (source, job) in enumerate(zip(sources, jobs, strict=True)):
            check(progress, span[0] + (span[1] - span[0]) * i // len(sources), "Typesetting pages…")
            try:
                out.append(typeset(source, job, inputs, str(fonts_dir())))
            except typst.TypstError as exc:
                raise _failed(exc.message, getattr(exc, "diagnostic", "")) from exc
        return out
    with tempfile.TemporaryDirectory(prefix="atlas-job-") as folder:
        job_dir = Path(folder)
        for i, source in enumerate(sources):
            (job_dir / f"part-{i:03d}.typ").write_text(source, encoding="utf-8")
        spec = {"inputs": inputs, "fonts": str(fonts_dir()), "parts": list(jobs)}
        (job_dir / "job.json").write_text(json.dumps(spec), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
        cmd = [sys.executable, "-m", "app.core.exports.typst_worker", str(job_dir)]
        # (The worker makes itself a process group, so a cancel stops it and the part it typesets.)
        # close_fds off (Python's descriptors are not inherited anyway) lets Python use posix_spawn:
        # the child runs no Python code before it starts the worker, as brief as a spawn can be.
        with subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, close_fds=False) as proc:  # fmt: skip
            if progress is not None and not progress(span[0], "Typesetting pages…"):
                _stop(proc)
                raise Cancelled()
            while True:
                try:
                    proc.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    done = len({p.name[:7] for p in job_dir.glob("out-*")})
                    percent = span[0] + (span[1] - span[0]) * done // max(len(sources), 1)
                    if progress is not None and not progress(percent, "Typesetting pages…"):
                        _stop(proc)
                        raise Cancelled() from None
            stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if (job_dir / "error.txt").exists():
            message, _, detail = (job_dir / "error.txt").read_text(encoding="utf-8").partition("\n")
            raise _failed(message, detail)
        if proc.returncode != 0:
            log.error("The typesetting process failed (exit %s):\n%s", proc.returncode, stderr)
            raise AtlasError(f"Could not typeset the summary: the typesetting process failed (exit {proc.returncode}).")
        files = sorted(job_dir.glob("out-*"))
        return [[f.read_bytes() for f in files if f.name.startswith(f"out-{i:03d}-")] for i in range(len(sources))]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the worker and the part it is typesetting (its child, which would otherwise run on)."""
    if os.name == "posix":
        try:
            os.killpg(proc.pid, 9)
        except OSError:
            pass
    proc.kill()
    proc.wait()


class _Layout:
    """The summary typeset as PDF parts, with what the last steps need to know about them."""

    def __init__(
        self, data: ReportData, options: ExportOptions, figures: Figures, progress: Progress | None, *,
        isolated: bool, part_chars: int,
    ) -> None:  # fmt: skip
        check(progress, 60, "Setting the text…")
        self.data, self.options, self.progress = data, options, progress
        self.source: SummarySource = build_parts(data, options, figures, part_chars=part_chars)
        self.inputs = figure_inputs(figures)
        body_sources = self.source.body
        # A summary in several parts goes to child processes even from the command line: the memory.
        self.isolated = isolated or len(body_sources) > 1
        jobs = [{"ua": self.source.ua(i)} for i in range(len(body_sources))]
        body = compile_jobs(body_sources, jobs, self.inputs, isolated=self.isolated, progress=progress, span=(62, 88))
        where: dict[str, tuple[int, float]] = {}  # label -> (page in the body from 0, points from the top)
        start = 0
        # The parts wait on disk while the rest is set: the memory is the child processes'.
        self.folder = tempfile.TemporaryDirectory(prefix="atlas-parts-")
        self.body_files: list[Path] = []
        while body:
            pdf = body.pop(0)[0]
            part = pdf_merge.parse(pdf)
            for name, (page, y) in pdf_merge.destinations(part).items():
                where[name] = (start + page, y)
            start += len(part.pages)
            self.body_files.append(Path(self.folder.name) / f"part-{len(self.body_files):03d}.pdf")
            self.body_files[-1].write_bytes(pdf)
            del pdf, part
        self.body_pages = start
        check(progress, 88, "Setting the contents…")
        pages = {name: page + 1 for name, (page, _y) in where.items()}
        length = self.source.front_length()
        for _attempt in range(3):  # the contents give page numbers, so they must know their own length
            self.front_source = self.source.front(pages, length)
            self.front = pdf_merge.parse(self._one(self.front_source, {"ua": True}, (88, 91))[0])
            if len(self.front.pages) == length:
                break
            log.debug("The contents took %d pages, not %d: set again", len(self.front.pages), length)
            length = len(self.front.pages)
        offset = len(self.front.pages)
        self.where = {name: (page + offset, y) for name, (page, y) in where.items()}
        self.where.update(pdf_merge.destinations(self.front))
        self.pages = offset + self.body_pages
        self.sections = _running_heads(self.source.headings, self.where, self.pages)
        self.marginals = marginals_source(data, options, self.sections)

    def _one(self, source: str, job: Job, span: tuple[int, int]) -> list[bytes]:
        return compile_jobs([source], [job], self.inputs, isolated=self.isolated, progress=self.progress, span=span)[0]

    def pdf(self) -> bytes:
        check(self.progress, 91, "Numbering the pages…")
        jobs: list[Job] = [{"ua": False, "tags": False}] * len(self.marginals)
        out = compile_jobs(self.marginals, jobs, self.inputs, isolated=self.isolated, progress=self.progress,
                           span=(91, 94))  # fmt: skip
        marginals = [pdf_merge.parse(pdf[0]) for pdf in out]
        check(self.progress, 94, "Joining the parts…")
        with self.folder:  # the parts are read one at a time: one part's bytes in memory, not all
            merged = pdf_merge.merge([self.front, *self.body_files], self.source.headings, marginals)
        return resolve_links(merged)

    def svg(self) -> list[list[bytes]]:
        """Each page as SVG layers: the header, the page, the footer."""
        check(self.progress, 91, "Drawing the pages…")
        sources = [self.front_source, *self.source.body, *self.marginals]
        jobs: list[Job] = [{"fmt": "svg"}] * len(sources)
        out = compile_jobs(sources, jobs, self.inputs, isolated=True, progress=self.progress, span=(91, 99))
        cut = len(sources) - len(self.marginals)
        pages = [page for part in out[:cut] for page in part]
        marginals = [page for part in out[cut:] for page in part]
        self.folder.cleanup()
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
    for a summary in parts or ``isolated``, the child processes' job folder)."""
    pdf = _Layout(data, options, figures, progress, isolated=isolated, part_chars=part_chars).pdf()
    check(progress, 97, "Saving…")
    return pdf


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
    ``isolated``: typeset in a child process (the window does; the CLI exits anyway)."""
    from app.core.fileio import atomic_write

    pdf = render_pdf(data, options, figures, progress, isolated=isolated, part_chars=part_chars)

    def write(fh: IO[Any]) -> None:
        fh.write(pdf)

    atomic_write(Path(path), write, binary=True)
    return Path(path)
