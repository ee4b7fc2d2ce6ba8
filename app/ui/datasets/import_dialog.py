"""File > Import dataset…: pick ATOP's two files or COW's one, preview what will be imported, import
with progress and Cancel (both off the GUI thread, as Tasks), then the import report."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.datasets.preview_view import PlanPreview
from app.ui.jobs import Progress, Task

CSV_FILTER = "CSV files (*.csv);;All files (*)"
HINTS = {
    "atop": "ATOP's alliance-level file (atop5_1a.csv) and member-level file (atop5_1m.csv), from atopdata.org.",
    "cow": "COW's member-level file (alliance_v4.1_by_member.csv), from correlatesofwar.org.",
}
# preview(dataset, members, alliances, states, cancelled) -> DatasetPlan
Previewer = Callable[[str, Path, Path | None, Path | None, Callable[[], bool]], Any]
# import(plan, progress(done, total), cancelled) -> report dict
Importer = Callable[[Any, Callable[[int, int], None], Callable[[], bool]], dict[str, Any]]


class _FileRow(QWidget):
    """A path box and Browse…."""

    def __init__(self, title: str, name: str, on_change: Callable[[], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.title = title
        self.edit = QLineEdit(self)
        self.edit.setObjectName(name)
        self.edit.setAccessibleName(title)
        self.edit.setPlaceholderText("Choose a file…")
        self.edit.editingFinished.connect(on_change)
        self.browse = QPushButton("Browse…", self)
        self.browse.setAccessibleName(f"Browse for the {title.lower()}")
        self.browse.clicked.connect(lambda: self._browse(on_change))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.browse)

    def _browse(self, on_change: Callable[[], None]) -> None:
        start = str(Path(self.edit.text()).parent) if self.edit.text() else ""
        path, _ = QFileDialog.getOpenFileName(self, self.title, start, CSV_FILTER)
        if path:
            self.edit.setText(path)
            on_change()

    def path(self) -> Path | None:
        text = self.edit.text().strip()
        return Path(text) if text else None


class ImportDatasetDialog(QDialog):
    """Choose files → preview (automatic) → Import → report. Bad files: one message, nothing imported."""

    imported = Signal(object)  # the import report (dict)
    previewed = Signal(object)  # the plan (tests wait on it)
    failed = Signal(str)  # the message shown

    def __init__(
        self, *, preview: Previewer, import_plan: Importer, pool: QThreadPool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("import_dataset_dialog")
        self.setWindowTitle("Import dataset")
        self._preview, self._import, self._pool = preview, import_plan, pool
        self.plan: Any = None
        self.report: dict[str, Any] | None = None
        self.task: Task | None = None
        self._cancel = threading.Event()
        self._previewed_key: tuple[Any, ...] | None = None

        self.dataset = QComboBox(self)
        self.dataset.setObjectName("dataset_choice")
        self.dataset.setAccessibleName("Dataset")
        self.dataset.addItem("ATOP — Alliance Treaty Obligations and Provisions", "atop")
        self.dataset.addItem("COW — Correlates of War Formal Alliances", "cow")
        self.dataset.currentIndexChanged.connect(self._on_dataset)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.alliances = _FileRow("Alliance-level file", "alliances_file", self._maybe_preview, self)
        self.members = _FileRow("Member-level file", "members_file", self._maybe_preview, self)
        self.states = _FileRow("State list (optional)", "states_file", self._maybe_preview, self)
        self.states.setToolTip("COW's state list (states2016.csv): names the country codes no library knows")
        form = QFormLayout()
        form.addRow("&Dataset:", self.dataset)
        form.addRow("", self.hint)
        self._alliances_label = QLabel("&Alliance-level file:", self)
        self._alliances_label.setBuddy(self.alliances.edit)
        form.addRow(self._alliances_label, self.alliances)
        members_label = QLabel("&Member-level file:", self)
        members_label.setBuddy(self.members.edit)
        form.addRow(members_label, self.members)
        states_label = QLabel("&State list (optional):", self)
        states_label.setBuddy(self.states.edit)
        form.addRow(states_label, self.states)

        self.preview_view = PlanPreview(self)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("dataset_progress")
        self.progress.setAccessibleName("Import progress")
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.status = QLabel("", self)
        self.status.setObjectName("dataset_status")
        self.buttons = QDialogButtonBox(self)
        self.preview_button = self.buttons.addButton("&Preview", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.setToolTip("Read the files and show what will be imported (nothing is written)")
        self.preview_button.clicked.connect(self.start_preview)
        self.import_button = self.buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("import_button")
        self.import_button.setToolTip("Import the previewed alliances (one transaction: all or nothing)")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.cancel_button.setToolTip("Stop the preview or import under way (nothing is imported), or close")
        self.cancel_button.clicked.connect(self._cancel_or_close)

        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.preview_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.progress, 1)
        lay.addLayout(row)
        lay.addWidget(self.buttons)
        self.resize(820, 560)
        self._on_dataset()

    # ---- choices ------------------------------------------------------------------------------
    def dataset_name(self) -> str:
        return str(self.dataset.currentData())

    def set_files(
        self, dataset: str, *, members: Path, alliances: Path | None = None, states: Path | None = None
    ) -> None:
        """Fill the dialog (tests, and a caller that knows the files) and preview them."""
        self.dataset.setCurrentIndex(self.dataset.findData(dataset))
        for row, path in ((self.alliances, alliances), (self.members, members), (self.states, states)):
            row.edit.setText("" if path is None else str(path))
        self._maybe_preview()

    def _on_dataset(self, *_: object) -> None:
        atop = self.dataset_name() == "atop"
        self.alliances.setVisible(atop)
        self._alliances_label.setVisible(atop)
        self.hint.setText(HINTS[self.dataset_name()])
        self._forget_plan("Choose the dataset's files to see what will be imported.")
        self._maybe_preview()

    def _key(self) -> tuple[Any, ...]:
        atop = self.dataset_name() == "atop"
        return (self.dataset_name(), self.members.path(), self.alliances.path() if atop else None, self.states.path())

    def _ready(self) -> bool:
        name, members, alliances, _states = self._key()
        return members is not None and (name == "cow" or alliances is not None)

    def _maybe_preview(self) -> None:
        if self._ready() and self._key() != self._previewed_key and not self.busy:
            self.start_preview()

    def _forget_plan(self, message: str) -> None:
        self.plan = None
        self._previewed_key = None
        self.import_button.setEnabled(False)
        self.preview_view.clear(message)

    @property
    def busy(self) -> bool:
        return self.task is not None and self.task.running

    # ---- preview and import (Tasks) -------------------------------------------------------------
    def start_preview(self) -> None:
        if self.busy:
            return
        if not self._ready():
            missing = "the member-level file" if self.members.path() is None else "the alliance-level file"
            self.status.setText(f"Choose {missing} first.")
            return
        key = self._key()
        name, members, alliances, states = key
        self._forget_plan("Reading the files…")
        previewer, cancel = self._preview, self._cancel

        def work(progress: Progress) -> Any:
            progress(0, "Reading the files…")
            return previewer(name, members, alliances, states, cancel.is_set)

        def done(plan: Any) -> None:
            self.plan = plan
            self._previewed_key = key
            self.preview_view.show_plan(plan)
            self.import_button.setEnabled(True)
            self.status.setText("Preview ready: nothing has been written yet.")
            self.previewed.emit(plan)

        self._run(work, done, busy_text="Reading the files…", indeterminate=True)

    def start_import(self) -> None:
        if self.busy or self.plan is None:
            return
        plan, importer, cancel = self.plan, self._import, self._cancel

        def work(progress: Progress) -> Any:
            def step(done: int, total: int) -> None:
                progress(int(100 * done / max(total, 1)), f"Importing {plan.label}: {done:,} of {total:,} rows…")

            return importer(plan, step, cancel.is_set)

        def done(report: dict[str, Any]) -> None:
            self.report = report
            self.preview_view.show_report(report)
            self.import_button.setEnabled(False)
            self.cancel_button.setText("Close")
            self.status.setText("Imported.")
            self.imported.emit(report)

        self._run(work, done, busy_text=f"Importing {plan.label}…", indeterminate=False)

    def _run(
        self, work: Callable[[Progress], Any], done: Callable[[Any], None], *, busy_text: str, indeterminate: bool
    ) -> None:
        self._cancel.clear()
        self.status.setText(busy_text)
        self.progress.setRange(0, 0 if indeterminate else 100)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self._set_inputs_enabled(False)
        self.cancel_button.setText("Cancel")
        task = Task(work, pool=self._pool, parent=self)
        task.progress.connect(self._on_progress)
        task.succeeded.connect(done)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(lambda: self._on_cancelled())
        task.finished.connect(self._on_finished)
        self.task = task
        task.start()

    def _on_progress(self, percent: int, message: str) -> None:
        if self.progress.maximum() == 0 and percent > 0:
            self.progress.setRange(0, 100)
        self.progress.setValue(percent)
        self.status.setText(message)

    def _on_finished(self, _state: str) -> None:
        self.progress.setVisible(False)
        self._set_inputs_enabled(True)
        self.import_button.setEnabled(self.plan is not None and self.report is None)

    def _on_cancelled(self) -> None:
        self.status.setText("Cancelled: nothing was imported.")

    def _on_failed(self, exc: BaseException) -> None:
        from app.core.datasets import ImportCancelled
        from app.core.errors import AtlasError, classify

        if isinstance(exc, ImportCancelled):
            self._on_cancelled()
            if self.plan is None:
                self.preview_view.clear("Cancelled. Choose Preview to read the files again.")
            return
        err = exc if isinstance(exc, AtlasError) else classify(exc, "your data")
        if err is None:
            raise exc
        message = str(err)
        if self.plan is None:  # the files could not be read: nothing to import
            self.preview_view.clear("These files cannot be imported (see the message).")
        self.status.setText("Nothing was imported.")
        self.failed.emit(message)
        QMessageBox.warning(self, "Cannot import the dataset", message)

    def _set_inputs_enabled(self, on: bool) -> None:
        for w in (self.dataset, self.alliances, self.members, self.states, self.preview_button):
            w.setEnabled(on)
        if not on:
            self.import_button.setEnabled(False)

    def _cancel_or_close(self) -> None:
        if self.busy and self.task is not None:
            self._cancel.set()
            self.task.cancel()
            self.status.setText("Cancelling…")
            return
        self.reject()

    def reject(self) -> None:
        if self.busy and self.task is not None:  # Esc or the close button while working: stop first
            self._cancel.set()
            self.task.cancel()
            self.task.wait(10000)
        super().reject()
