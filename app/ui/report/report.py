"""PDF summaries from the UI and the CLI: read the data, draw the figures (Qt), typeset (Typst), write.

The work is in the Qt-free core (``app.core.exports.report_*``); this module adds the one part
that needs Qt, the figures drawn by the app's own painters, and the headless entry the CLI uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.core.exports.report_data import (
    DEFAULT_TITLE,
    ExportOptions,
    Progress,
    ReportData,
    check,
    collect_report,
)
from app.core.exports.report_pdf import write_pdf
from app.core.exports.report_typst import Figures
from app.core.exports.typst_pool import discard_spare, prestart
from app.core.query.filters import FilterSpec
from app.ui.fonts import load_fonts
from app.ui.qt_app import make_application
from app.ui.report.figures import make_figures

PRESTART_ENTITIES = 100  # surely typeset in parts, by a worker process (the 50 seed entities are one part)

if TYPE_CHECKING:
    from app.core.atlas import Atlas
    from app.core.query.repository import Repository
    from app.core.userdata.database import UserData

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


def ensure_application() -> None:
    """A QApplication for headless callers (see app.ui.application.make_application), with the fonts."""
    make_application(headless=True)
    load_fonts()


def prepare(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    *,
    user_data: UserData | None = None,
    progress: Progress | None = None,
    graph_cache: Path | None = None,
) -> tuple[ReportData, Figures]:
    """Everything the summary shows: the data and the figures (safe in a worker thread).
    ``graph_cache``: the data folder's graph cache (the network's layout, as the graph pane keeps it)."""
    data = collect_report(repo, spec, options, user_data=user_data, progress=progress)
    if len(data.details) >= PRESTART_ENTITIES:  # typeset in parts: the worker starts meanwhile
        prestart()
    check(progress, 35, "Drawing the figures…")
    positions = user_data.graph_positions if user_data is not None else None
    figures = make_figures(repo, spec, options, data.details, positions, graph_cache)
    return data, figures


def export_pdf(
    repo: Repository,
    spec: FilterSpec,
    options: ExportOptions,
    path: Path,
    *,
    user_data: UserData | None = None,
    progress: Progress | None = None,
    isolated: bool = False,
    graph_cache: Path | None = None,
) -> Path:
    """Write the PDF summary of ``spec`` to ``path`` (atomically; a cancel leaves no file).
    ``isolated``: typeset in a child process, whose memory goes back when it ends (the window)."""
    try:
        data, figures = prepare(repo, spec, options, user_data=user_data, progress=progress, graph_cache=graph_cache)
        return write_pdf(data, options, Path(path), figures, progress, isolated=isolated)
    finally:
        discard_spare()  # a worker started early that the summary did not need (or a failure)


def export_pdf_headless(atlas: Atlas, spec: FilterSpec, path: Path, options: ExportOptions) -> Path:
    """``alliance-atlas export --format pdf``: works with no display."""
    if options.include_graph:
        ensure_application()  # the figures are drawn by Qt's painters
    cache = atlas.paths.graph_cache
    return export_pdf(atlas.repo, spec, options, Path(path), user_data=atlas.user_data, graph_cache=cache)
