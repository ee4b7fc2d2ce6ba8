"""File > Print… and Print preview…: the pages Typst set for the PDF, painted on a QPrinter.

The data, the figures and the typesetting run in the background (as for the PDF); Typst gives each
page as SVG (the page, and its running header and footer as layers), which QSvgRenderer paints
on the printer at its own resolution: what prints is what the PDF shows, in vectors.
Only the dialogs and the painting happen on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QMarginsF, QRectF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QDialog, QWidget

from app.core.errors import AtlasError
from app.core.exports.report_data import ExportOptions

PAGE_SIZES = {"A4": QPageSize.PageSizeId.A4, "Letter": QPageSize.PageSizeId.Letter}


def page_layout(page_size: str) -> QPageLayout:
    size = QPageSize(PAGE_SIZES.get(page_size, QPageSize.PageSizeId.A4))
    # The margins are in the pages Typst set: the printer's own are zero.
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def make_printer(options: ExportOptions) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setPageLayout(page_layout(options.page_size))
    printer.setDocName(options.display_title)
    return printer


def paint_pages(pages: Sequence[Sequence[bytes]], printer: QPrinter) -> int:
    """Paint each page (its SVG layers: header, page, footer) over the whole paper; returns the
    number of pages painted."""
    painter = QPainter()
    if not painter.begin(printer):
        raise AtlasError("Could not start printing (the printer refused).")
    try:
        paper = QRectF(printer.pageLayout().fullRectPixels(printer.resolution()))
        paper.moveTo(0, 0)
        for i, layers in enumerate(pages):
            if i:
                printer.newPage()
            for svg in layers:
                QSvgRenderer(QByteArray(svg)).render(painter, paper)
    finally:
        painter.end()
    return len(pages)


def show_print_dialog(
    parent: QWidget,
    pages: Sequence[Sequence[bytes]],
    options: ExportOptions,
    *,
    preview: bool,
    show_status: Callable[[str, int], None],
) -> None:
    printer = make_printer(options)
    if preview:
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.setWindowTitle(f"Print preview: {options.display_title}")
        dialog.paintRequested.connect(lambda p: paint_pages(pages, p))
        dialog.exec()
        return
    chooser = QPrintDialog(printer, parent)
    chooser.setWindowTitle("Print summary")
    if chooser.exec() != QDialog.DialogCode.Accepted:
        return
    count = paint_pages(pages, printer)
    show_status(f"Sent {count} page{'s' if count != 1 else ''} to {printer.printerName() or 'the printer'}.", 6000)
