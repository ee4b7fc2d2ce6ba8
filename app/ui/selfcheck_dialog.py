"""Help > Self-check: the same checks as ``alliance-atlas --self-check``, one line each, run off the GUI thread."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.core.query.filters import FilterSpec
from app.core.selfcheck import PDF_ENTITY, Check, run_self_check
from app.paths import DataPaths
from app.ui.jobs import Progress, Task

if TYPE_CHECKING:
    from app.core.atlas import Atlas

EXPECTED_CHECKS = 7


def render_pdf(atlas: Atlas, out: Path) -> Path:
    """The smallest summary (title page, contents, one entity) through the application's public PDF
    export; no graph, so no window and no GUI thread are needed."""
    from app.ui.report.report import ExportOptions, export_pdf_headless

    options = ExportOptions(title="Alliance Atlas self-check", include_graph=False, handout=True)
    return export_pdf_headless(atlas, FilterSpec(ids=(PDF_ENTITY,)), out, options)


class SelfCheckDialog(QDialog):
    """Shows each check's line as it completes; Copy puts the report on the clipboard."""

    def __init__(self, paths: DataPaths, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Self-check")
        self.setObjectName("self_check_dialog")
        self.resize(900, 320)
        self.status = QLabel("Checking the database, the seeds, search, a PDF, the fonts and the data folder…")
        self.status.setWordWrap(True)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setObjectName("self_check_lines")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton("&Copy report", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setToolTip("Copy every line to the clipboard (to send with a support request)")
        self.copy_button.clicked.connect(self.copy_report)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.checks: list[Check] = []
        from app.ui.fonts import load_fonts

        families = load_fonts()  # registered on the GUI thread; the worker only reports them

        def work(progress: Progress) -> list[Check]:
            out: list[Check] = []
            for check in run_self_check(paths, render_pdf=render_pdf, load_fonts=lambda: list(families)):
                out.append(check)
                progress(min(99, len(out) * 100 // EXPECTED_CHECKS), check.line())
            return out

        self.task = Task(work, parent=self)
        self.task.progress.connect(lambda _p, line: self.text.appendPlainText(line))
        self.task.succeeded.connect(self._done)
        self.task.failed.connect(lambda exc: self.status.setText(f"The self-check could not run: {exc}"))
        self.task.start()

    def _done(self, checks: Any) -> None:
        self.checks = list(checks)
        failed = [c.name for c in self.checks if c.failed]
        if failed:
            self.status.setText(f"{len(failed)} of {len(self.checks)} checks failed: {', '.join(failed)}.")
        else:
            self.status.setText(f"All {len(self.checks)} checks passed.")

    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText() + "\n" + self.status.text())

    def done(self, result: int) -> None:
        self.task.cancel()
        self.task.wait(30_000)  # the worker holds a temporary folder: let it clean up
        super().done(result)

    @classmethod
    def show_for(cls, paths: DataPaths, parent: QWidget | None = None) -> SelfCheckDialog:
        dialog = cls(paths, parent=parent)
        dialog.show()
        return dialog
