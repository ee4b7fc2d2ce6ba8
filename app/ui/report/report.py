"""PDF summaries from the UI and the CLI: read the data, draw the figures (Qt), typeset (Typst), write.

The work is in the Qt-free core (``app.core.exports.report_*``); this module adds the one part
that needs Qt, the figures drawn by the app's own painters, and the headless entry the CLI uses.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QFontDatabase

from app.core.exports.report_data import (
    DEFAULT_TITLE,
    ExportOptions,
    Progress,
    ReportData,
    check,
    collect_report,
)
from app.core.exports.report_pdf import fonts_dir, write_pdf
from app.core.exports.report_typst import Figures
from app.core.query.filters import FilterSpec
from app.ui.report.figures import make_figures

if TYPE_CHECKING:
    from app.core.query.repository import Repository

__all__ = [
    "DEFAULT_TITLE",
    "ExportOptions",
    "ReportData",
    "collect_report",
    "ensure_application",
    "export_pdf",
    "load_fonts",
    "prepare",
]

FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSans-Italic.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "DroidSansFallbackFull.ttf",
)
_fonts_loaded = False


def load_fonts() -> None:
    """Register the bundled fonts with Qt once (GUI thread), so the figures measure their labels in
    the fonts Typst sets them in."""
    global _fonts_loaded
    if not _fonts_loaded:
        for name in FONT_FILES:
            QFontDatabase.addApplicationFont(str(fonts_dir() / name))
        _fonts_loaded = True


def ensure_application() -> None:
    """A QApplication for headless callers; offscreen when there is no display. Reuses one if present."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QApplication([])
    load_fonts()


def prepare(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    *,
    user_db: Path | None = None,
    progress: Progress | None = None,
) -> tuple[ReportData, Figures]:
    """Everything the summary shows: the data and the figures (safe in a worker thread)."""
    data = collect_report(repo, spec, options, user_db=user_db, progress=progress)
    check(progress, 35, "Drawing the figures…")
    figures = make_figures(repo, spec, options, data.details, user_db)
    return data, figures


def export_pdf(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    path: Path,
    *,
    user_db: Path | None = None,
    progress: Progress | None = None,
) -> Path:
    """Write the PDF summary of ``spec`` to ``path`` (atomically; a cancel leaves no file)."""
    data, figures = prepare(repo, spec, options, user_db=user_db, progress=progress)
    return write_pdf(data, options, Path(path), figures, progress)


def export_pdf_headless(repo: Repository, spec: FilterSpec, path: Path, options: ExportOptions,
                        user_db: Path | None) -> Path:  # fmt: skip
    """``alliance-atlas export --format pdf``: works with no display."""
    if options.include_graph:
        ensure_application()  # the figures are drawn by Qt's painters
    return export_pdf(repo, spec, options, Path(path), user_db=user_db)
