"""The PDF summary typeset by Typst: compile with the bundled fonts only, write atomically.

Typst gets the source as bytes, the figures as inputs, a fresh empty folder as its root (so there
is no file it could read even if asked) and the fonts in ``resources/fonts`` by path, with the
system's fonts ignored: the same PDF on every machine. The result is a tagged PDF (PDF/UA-1):
headings, lists, tables and figures with their text alternatives, title and language set;
headings are also the bookmarks, and the contents, citations and cross-references are links.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import IO, Any, Literal

import typst

from app.core.errors import AtlasError
from app.core.exports.report_data import ExportOptions, Progress, ReportData, check
from app.core.exports.report_typst import Figures, build_source, figure_inputs
from app.paths import resources_dir

log = logging.getLogger(__name__)
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
        return [out]
    return list(out or [])


def render_pdf(data: ReportData, options: ExportOptions, figures: Figures, progress: Progress | None = None) -> bytes:
    """The finished PDF in memory (nothing touches the disk but Typst's empty root folder)."""
    check(progress, 60, "Setting the text…")
    source = build_source(data, options, figures)
    check(progress, 70, "Typesetting pages…")
    pdf = compile_source(source, figure_inputs(figures))[0]
    check(progress, 97, "Saving…")
    return pdf


def render_pages_svg(data: ReportData, options: ExportOptions, figures: Figures) -> list[bytes]:
    """Each page as SVG, for printing: the same pages as the PDF."""
    return compile_source(build_source(data, options, figures), figure_inputs(figures), fmt="svg")


def write_pdf(
    data: ReportData, options: ExportOptions, path: Path, figures: Figures, progress: Progress | None = None
) -> Path:
    """Render, then write atomically: a cancel or a failure leaves no file (and an old one untouched)."""
    from app.core.fileio import atomic_write

    pdf = render_pdf(data, options, figures, progress)

    def write(fh: IO[Any]) -> None:
        fh.write(pdf)

    atomic_write(Path(path), write, binary=True)
    return Path(path)
