"""File > Print… and Print preview…: the same document as the PDF summary, painted on a QPrinter.

The data is read in a background job (as for the PDF); the layout and painting happen on the GUI
thread, because QPrintDialog and QPrintPreviewDialog hand us their printer there.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog

from app.core.query.filters import FilterSpec
from app.ui.report.report import (
    ExportOptions,
    ReportData,
    build_document,
    collect_report,
    load_fonts,
    page_layout,
    paint_document,
)


def make_printer(options: ExportOptions) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    # Our margins, header and footer are painted in the page: the printer's own are zero.
    printer.setFullPage(True)
    printer.setPageLayout(page_layout(options.page_size))
    printer.setDocName(options.display_title)
    return printer


def paint_report(data: ReportData, options: ExportOptions, printer: QPrinter) -> int:
    """Lay the report out for ``printer`` and paint it; returns the number of pages."""
    doc = build_document(data, options, printer)
    try:
        return paint_document(doc, printer)
    finally:
        doc.deleteLater()


def print_report(window: Any, spec: FilterSpec, options: ExportOptions, *, preview: bool) -> None:
    """Read the data in the background, then open the print (or preview) dialog."""
    from app.ui.report.export_dialog import _Job, run_job

    load_fonts()
    atlas = window.atlas
    job = _Job(lambda progress: collect_report(atlas.repo, spec, options, user_data=atlas.user_data, progress=progress))
    window._print_relay = run_job(
        window, job, "Preparing the document…", lambda data: show_print_dialog(window, data, options, preview=preview)
    )


def show_print_dialog(window: Any, data: ReportData, options: ExportOptions, *, preview: bool) -> None:
    printer = make_printer(options)
    if preview:
        dialog = QPrintPreviewDialog(printer, window)
        dialog.setWindowTitle(f"Print preview: {options.display_title}")
        dialog.paintRequested.connect(lambda p: paint_report(data, options, p))
        dialog.exec()
        return
    dialog = QPrintDialog(printer, window)
    dialog.setWindowTitle("Print summary")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    pages = paint_report(data, options, printer)
    window.show_status(
        f"Sent {pages} page{'s' if pages != 1 else ''} to {printer.printerName() or 'the printer'}.", 6000
    )
