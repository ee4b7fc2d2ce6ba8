"""The PDF summary typeset by Typst: compile with the bundled fonts only, write atomically.

Typst gets the source as bytes, the figures as inputs, a fresh empty folder as its root (so there
is no file it could read even if asked) and the fonts in ``resources/fonts`` by path, with the
system's fonts ignored: the same PDF on every machine. The result is a tagged PDF (PDF/UA-1):
headings, lists, tables and figures with their text alternatives, title and language set;
headings are also the bookmarks, and the contents, citations and cross-references are links.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any, Literal

import typst

from app.core.errors import AtlasError
from app.core.exports.data import Cancelled
from app.core.exports.pdf_links import resolve_links
from app.core.exports.report_data import ExportOptions, Progress, ReportData, check
from app.core.exports.report_typst import Figures, build_source, figure_inputs
from app.paths import resources_dir

log = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[3]  # the folder holding the app package, for the child process
PDF_STANDARD = "ua-1"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def compile_source(
    source: str, inputs: dict[str, str], *, fmt: Literal["pdf", "svg", "png"] = "pdf", ppi: float | None = None
) -> list[bytes]:
    """Typeset ``source``: one PDF, or one SVG or PNG per page."""
    # typst's stubs tie the source, root and font paths to one type; ours are bytes, str and str.
    compile_: Any = typst.compile
    with tempfile.TemporaryDirectory(prefix="atlas-typst-") as root:
        args: dict[str, Any] = {
            "root": root,
            "font_paths": [str(fonts_dir())],
            "ignore_system_fonts": True,
            "sys_inputs": inputs,
        }
        if fmt != "pdf":
            args.update(format=fmt, ppi=ppi)
        try:
            try:
                out = compile_(
                    source.encode("utf-8"), **args, **({"pdf_standards": [PDF_STANDARD]} if fmt == "pdf" else {})
                )
            except typst.TypstError as exc:
                if fmt != "pdf":
                    raise
                # PDF/UA checks more than we control; a tagged PDF without the claim is better than none.
                log.warning("PDF/UA-1 refused (%s); writing a tagged PDF without the claim", exc.message)
                out = compile_(source.encode("utf-8"), **args)
        except typst.TypstError as exc:  # our source is wrong: a bug, said plainly, with the details logged
            log.error("Typst failed: %s\n%s", exc.message, getattr(exc, "diagnostic", ""))
            raise AtlasError(f"Could not typeset the summary: {exc.message}") from exc
    if isinstance(out, bytes):
        return [resolve_links(out) if fmt == "pdf" else out]
    return list(out or [])


def compile_isolated(
    source: str,
    inputs: dict[str, str],
    *,
    fmt: Literal["pdf", "svg", "png"] = "pdf",
    ppi: float | None = None,
    progress: Progress | None = None,
) -> list[bytes]:
    """:func:`compile_source` in a child process (see ``typst_worker``): its memory goes back when
    it ends, and a cancel stops it at once. In a frozen build (no ``python -m``) Typst runs here."""
    if getattr(sys, "frozen", False):
        return compile_source(source, inputs, fmt=fmt, ppi=ppi)
    with tempfile.TemporaryDirectory(prefix="atlas-job-") as folder:
        job = Path(folder)
        (job / "source.typ").write_text(source, encoding="utf-8")
        (job / "job.json").write_text(json.dumps({"inputs": inputs, "fmt": fmt, "ppi": ppi}), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
        cmd = [sys.executable, "-m", "app.core.exports.typst_worker", str(job)]
        with subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) as proc:  # fmt: skip
            while True:
                try:
                    proc.wait(timeout=0.2)
                    break
                except subprocess.TimeoutExpired:
                    if progress is not None and not progress(75, "Typesetting pages…"):
                        proc.kill()
                        proc.wait()
                        raise Cancelled() from None
            stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        if (job / "error.txt").exists():
            raise AtlasError((job / "error.txt").read_text(encoding="utf-8"))
        if proc.returncode != 0:
            log.error("The typesetting process failed (exit %s):\n%s", proc.returncode, stderr)
            raise AtlasError(f"Could not typeset the summary: the typesetting process failed (exit {proc.returncode}).")
        return [p.read_bytes() for p in sorted(job.glob("out-*"))]


def render_pdf(
    data: ReportData,
    options: ExportOptions,
    figures: Figures,
    progress: Progress | None = None,
    *,
    isolated: bool = False,
) -> bytes:
    """The finished PDF in memory (nothing touches the disk but Typst's empty root folder)."""
    check(progress, 60, "Setting the text…")
    source = build_source(data, options, figures)
    check(progress, 70, "Typesetting pages…")
    if isolated:
        pdf = compile_isolated(source, figure_inputs(figures), progress=progress)[0]
    else:
        pdf = compile_source(source, figure_inputs(figures))[0]
    check(progress, 97, "Saving…")
    return pdf


def render_pages_svg(
    data: ReportData, options: ExportOptions, figures: Figures, progress: Progress | None = None
) -> list[bytes]:
    """Each page as SVG, for printing: the same pages as the PDF (typeset in a child process)."""
    return compile_isolated(build_source(data, options, figures), figure_inputs(figures), fmt="svg", progress=progress)


def write_pdf(
    data: ReportData,
    options: ExportOptions,
    path: Path,
    figures: Figures,
    progress: Progress | None = None,
    *,
    isolated: bool = False,
) -> Path:
    """Render, then write atomically: a cancel or a failure leaves no file (and an old one untouched).
    ``isolated``: typeset in a child process (the window does; the CLI exits anyway)."""
    from app.core.fileio import atomic_write

    pdf = render_pdf(data, options, figures, progress, isolated=isolated)

    def write(fh: IO[Any]) -> None:
        fh.write(pdf)

    atomic_write(Path(path), write, binary=True)
    return Path(path)
