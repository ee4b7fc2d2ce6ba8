"""File > Export PDF summary…, Export data…, Print… and Print preview…: the options dialog and background export jobs.

Exports run in a QThread with their own objects (QTextDocument and QPdfWriter need no widget);
the GUI thread only shows a cancellable QProgressDialog. The file appears only when the export
succeeded: it is rendered in memory and written to a temporary name that is renamed at the end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.exports.data import Cancelled
from app.core.query.filters import FilterSpec
from app.ui.report.report import ExportOptions, collect_report, load_fonts, write_pdf

__all__ = ["DataExportJob", "ExportOptions", "ExportOptionsDialog", "PdfExportJob", "install"]

DATA_FILTERS = {
    "JSON (*.json)": "json",
    "JSON with my notes and tags (*.json)": "json+notes",
    "CSV: entities, members and citations (*.csv)": "csv",
    "Markdown (*.md)": "md",
    "GraphML network (*.graphml)": "graphml",
}


class ExportOptionsDialog(QDialog):
    """Title, scope (selection or filter), notes, graph, handout or continuous, page size."""

    def __init__(self, parent: QWidget | None = None, *, selected: int = 0, filter_text: str = "",
                 options: ExportOptions | None = None, notes_available: bool = True) -> None:  # fmt: skip
        super().__init__(parent)
        opts = options or ExportOptions()
        self.setWindowTitle("Export PDF summary")
        self.setObjectName("export_options_dialog")
        form = QFormLayout()
        self.title_edit = QLineEdit(opts.title)
        self.title_edit.setPlaceholderText("Alliance Atlas summary")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setToolTip("Printed on the title page and at the top of every page")
        form.addRow("&Title:", self.title_edit)
        self.scope_filter = QRadioButton(f"Everything the current filter shows ({filter_text or 'all entities'})")
        self.scope_selection = QRadioButton(f"Only the {selected} selected entit{'y' if selected == 1 else 'ies'}")
        self.scope_selection.setEnabled(selected > 0)
        scope_group = QButtonGroup(self)
        for b in (self.scope_filter, self.scope_selection):
            scope_group.addButton(b)
        (self.scope_selection if opts.use_selection and selected else self.scope_filter).setChecked(True)
        scope = QVBoxLayout()
        scope.addWidget(self.scope_filter)
        scope.addWidget(self.scope_selection)
        form.addRow("Entities:", scope)
        self.notes_box = QCheckBox("Include my notes (and tags)")
        self.notes_box.setChecked(opts.include_notes and notes_available)
        self.notes_box.setEnabled(notes_available)
        self.graph_box = QCheckBox("Include the network and timeline figures")
        self.graph_box.setChecked(opts.include_graph)
        form.addRow("Contents:", self.notes_box)
        form.addRow("", self.graph_box)
        self.continuous = QRadioButton("Continuous")
        self.handout = QRadioButton("Handout: one entity per page, each with its own sources")
        layout_group = QButtonGroup(self)
        for b in (self.continuous, self.handout):
            layout_group.addButton(b)
        (self.handout if opts.handout else self.continuous).setChecked(True)
        lay = QVBoxLayout()
        lay.addWidget(self.continuous)
        lay.addWidget(self.handout)
        form.addRow("Layout:", lay)
        self.page_combo = QComboBox()
        self.page_combo.addItems(["A4", "Letter"])
        self.page_combo.setCurrentText(opts.page_size)
        self.page_combo.setAccessibleName("Page size")
        form.addRow("&Page size:", self.page_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(buttons)

    def options(self) -> ExportOptions:
        return ExportOptions(
            title=self.title_edit.text().strip(),
            include_notes=self.notes_box.isChecked(),
            include_graph=self.graph_box.isChecked(),
            handout=self.handout.isChecked(),
            page_size=self.page_combo.currentText(),
            use_selection=self.scope_selection.isChecked(),
        )

    @classmethod
    def get_options(cls, parent: QWidget | None = None, **kwargs: Any) -> tuple[ExportOptions, bool]:
        dialog = cls(parent, **kwargs)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.options(), ok


# ---- background jobs ---------------------------------------------------------------------------------
class _Job(QObject):
    """Runs ``work(progress)`` on its own QThread; reports by queued signals to the GUI thread."""

    progress = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, work: Callable[[Callable[[int, str], bool]], Any]) -> None:
        super().__init__()
        self._work = work
        self._cancel = threading.Event()
        self.thread = QThread()
        self.moveToThread(self.thread)
        self.thread.started.connect(self._run)

    def cancel(self) -> None:
        self._cancel.set()

    def start(self) -> None:
        self.thread.start()

    def _report(self, percent: int, message: str) -> bool:
        self.progress.emit(percent, message)
        return not self._cancel.is_set()

    @Slot()
    def _run(self) -> None:
        try:
            result = self._work(self._report)
        except Cancelled:
            self.cancelled.emit()
        except AtlasError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            import traceback

            traceback.print_exc()
            self.failed.emit(f"The export failed: {exc}")
        else:
            self.succeeded.emit(result)
        finally:
            # Hand the object back to the GUI thread that will delete it (no cross-thread teardown).
            self.moveToThread(QCoreApplication.instance().thread())
            self.thread.quit()


def PdfExportJob(repo: Any, spec: FilterSpec, options: ExportOptions, path: Path, user_data: Any) -> _Job:
    """A job writing the PDF summary of ``spec`` to ``path``."""

    def work(progress: Callable[[int, str], bool]) -> Path:
        data = collect_report(repo, spec, options, user_data=user_data, progress=progress)
        return write_pdf(data, options, path, progress)

    return _Job(work)


def DataExportJob(repo: Any, spec: FilterSpec, fmt: str, path: Path, notes: Any = None) -> _Job:
    """A job writing JSON, CSV, Markdown or GraphML (JSON with the user's notes and tags when
    ``notes``, a NotesStore, is given)."""

    def work(progress: Callable[[int, str], bool]) -> list[Path]:
        if fmt == "graphml":
            from app.core.graph.network import write_graphml

            progress(10, "Building the network…")
            return [write_graphml(repo, spec, path)]
        from app.core.exports.data import export_data

        def step(done: int, total: int) -> bool:
            return progress(int(90 * done / max(total, 1)), f"Reading entity {done + 1} of {total}…")

        return export_data(repo, spec, fmt, path, progress=step, notes=notes)

    return _Job(work)


class _Relay(QObject):
    """Lives on the GUI thread, so the job's signals are queued to it and its callbacks run here."""

    finished = Signal(str)  # "done", "failed" or "cancelled", after the callback ran (GUI thread)

    def __init__(self, parent: QObject, job: _Job, dialog: QProgressDialog, callbacks: dict[str, Callable[..., None]]):
        super().__init__(parent)
        self.job = job
        self.dialog = dialog
        self.callbacks = callbacks
        job.progress.connect(self.on_progress)
        job.succeeded.connect(self.on_succeeded)
        job.failed.connect(self.on_failed)
        job.cancelled.connect(self.on_cancelled)
        dialog.canceled.connect(self.on_cancel_clicked)

    @Slot(int, str)
    def on_progress(self, percent: int, message: str) -> None:
        if not self.job._cancel.is_set():
            self.dialog.setValue(percent)
            self.dialog.setLabelText(message)

    @Slot()
    def on_cancel_clicked(self) -> None:
        self.job.cancel()  # a thread-safe flag the worker checks between steps and pages
        self.dialog.setLabelText("Cancelling…")

    def _finish(self, key: str, *args: Any) -> None:
        self.dialog.canceled.disconnect(self.on_cancel_clicked)
        self.dialog.close()
        self.job.thread.wait(5000)
        self.callbacks[key](*args)
        self.finished.emit(key)
        self.deleteLater()

    def cancel(self) -> None:
        self.on_cancel_clicked()

    @Slot(object)
    def on_succeeded(self, result: Any) -> None:
        self._finish("done", result)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self._finish("failed", message)

    @Slot()
    def on_cancelled(self) -> None:
        self._finish("cancelled")


def run_job(window: Any, job: _Job, label: str, on_done: Callable[[Any], None]) -> _Relay:
    """Show a cancellable progress dialog while ``job`` runs; errors become a message box."""
    dialog = QProgressDialog(label, "Cancel", 0, 100, window)
    dialog.setWindowTitle("Exporting")
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def failed(message: str) -> None:
        window.show_status("Export failed; no file was written.", 8000)
        QMessageBox.warning(window, "Export failed", message + "\n\nNo file was written.")

    def cancelled() -> None:
        window.show_status("Export cancelled; no file was written.", 8000)

    relay = _Relay(window, job, dialog, {"done": on_done, "failed": failed, "cancelled": cancelled})
    job.relay = relay  # type: ignore[attr-defined]
    job.start()
    return relay


# ---- actions -----------------------------------------------------------------------------------------
class ExportActions(QObject):
    """The File menu's export and print actions for one main window (public window API only)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.last_options = ExportOptions()
        self.last_folder = Path.home()
        self.pdf_action = self._action("Export PDF &summary…", "Ctrl+E", self.export_pdf,
                                       "Export the filtered or selected entities as a cited PDF summary")  # fmt: skip
        self.data_action = self._action("Export &data…", "Ctrl+Shift+E", self.export_data,
                                        "Export the filtered entities as JSON, CSV, Markdown or GraphML")  # fmt: skip
        self.print_action = self._action("&Print…", QKeySequence.StandardKey.Print, self.print_report,
                                         "Print the summary of the filtered entities")  # fmt: skip
        self.preview_action = self._action("Print pre&view…", "Ctrl+Shift+P", self.preview_report,
                                           "Preview the printed summary")  # fmt: skip

    def _action(self, text: str, shortcut: Any, slot: Callable[[], Any], tip: str) -> QAction:
        act = QAction(text, self.window)
        act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.setToolTip(tip)
        act.triggered.connect(slot)
        return act

    def _spec(self, use_selection: bool) -> FilterSpec:
        spec = self.window.current_spec()
        ids = self.window.selected_ids()
        if use_selection and ids:
            return FilterSpec(ids=tuple(ids), sort=spec.sort, descending=spec.descending)
        return spec

    def _filter_text(self) -> str:
        from app.core.exports.data import filter_labels
        from app.core.query.filters import describe

        return describe(self.window.current_spec(), filter_labels(self.window.atlas.repo))

    def ask_options(self, purpose: str = "export") -> tuple[ExportOptions, bool]:
        selected = len(self.window.selected_ids())
        opts = replace(self.last_options, use_selection=selected > 1 and self.last_options.use_selection)
        options, ok = ExportOptionsDialog.get_options(
            self.window, selected=selected, filter_text=self._filter_text(), options=opts
        )
        if ok:
            self.last_options = options
        return options, ok

    def export_pdf(self) -> None:
        options, ok = self.ask_options()
        if not ok:
            return
        name = (options.title or "alliance-atlas-summary").strip().replace("/", "-") + ".pdf"
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export PDF summary", str(self.last_folder / name), "PDF (*.pdf)"
        )
        if not path:
            return
        self.start_pdf(options, Path(path))

    def start_pdf(self, options: ExportOptions, path: Path) -> _Relay:
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.last_folder = path.parent
        load_fonts()  # register fonts on the GUI thread before the worker lays text out
        atlas = self.window.atlas
        job = PdfExportJob(atlas.repo, self._spec(options.use_selection), options, path, atlas.user_data)
        self.relay = run_job(self.window, job, "Preparing the PDF summary…",
                             lambda p: self.window.show_status(f"Wrote {p}", 8000))  # fmt: skip
        return self.relay

    def export_data(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self.window, "Export data", str(self.last_folder / "alliance-atlas.json"), ";;".join(DATA_FILTERS)
        )
        if not path:
            return
        chosen_fmt = DATA_FILTERS.get(chosen, "json")
        typed = _format_for(Path(path))  # a typed extension wins over the file-type list
        fmt = typed if typed and typed != chosen_fmt.split("+")[0] else chosen_fmt
        self.start_data(fmt, Path(path))

    def start_data(self, fmt: str, path: Path) -> _Relay:
        """Export the current filter as ``fmt`` (json, json+notes, csv, md, graphml) to ``path``."""
        self.last_folder = path.parent
        base = fmt.split("+")[0]
        if not path.suffix:
            path = path.with_suffix("." + base)
        notes = self.window.atlas.user_data.notes if fmt == "json+notes" else None
        job = DataExportJob(self.window.atlas.repo, self.window.current_spec(), base, path, notes)

        def done(paths: list[Path]) -> None:
            self.window.show_status("Wrote " + ", ".join(str(p) for p in paths), 8000)

        self.relay = run_job(self.window, job, "Exporting data…", done)
        return self.relay

    def print_report(self) -> None:
        from app.ui.report.printing import print_report

        options, ok = self.ask_options("print")
        if ok:
            print_report(self.window, self._spec(options.use_selection), options, preview=False)

    def preview_report(self) -> None:
        from app.ui.report.printing import print_report

        options, ok = self.ask_options("preview")
        if ok:
            print_report(self.window, self._spec(options.use_selection), options, preview=True)


def _format_for(path: Path) -> str:
    """The data format a file name asks for, or "" when its extension names none."""
    return {".json": "json", ".csv": "csv", ".md": "md", ".graphml": "graphml"}.get(path.suffix.lower(), "")


def install(window: Any) -> ExportActions:
    """Add the export and print actions to the File menu (above Quit)."""
    actions = ExportActions(window)
    menu = window.menus["file"]
    before = getattr(window, "_file_quit_separator", None)
    for act in (actions.pdf_action, actions.data_action, None, actions.print_action, actions.preview_action):
        if act is None:
            if before is not None:
                menu.insertSeparator(before)
            else:
                menu.addSeparator()
        elif before is not None:
            menu.insertAction(before, act)
        else:
            menu.addAction(act)
    window.export_actions = actions
    return actions
