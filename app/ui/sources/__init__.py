"""Your own sources in the window: File > Import documents… (and drag and drop), progress with Cancel,
the Suggestions view and Cite as… on a document selection. ``install(window)`` wires it all."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.ui.jobs import Progress, Task

FILE_FILTER = "Documents (*.txt *.md *.markdown *.html *.htm *.pdf);;All files (*)"


class ImportController(QObject):
    """Runs one import at a time off the GUI thread, with a progress dialog and Cancel."""

    finished = Signal(object)  # ImportBatch

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: QProgressDialog | None = None
        self._cancel = threading.Event()
        self.running = False
        self.drop_filter: QObject | None = None

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self.window, "Import documents", "", FILE_FILTER)
        if files:
            self.start([Path(f) for f in files])

    def start(self, paths: list[Path]) -> None:
        from app.core.sources.service import import_paths

        if self.running:
            self.window.show_status("An import is already running.")
            return
        self.running = True
        self._cancel.clear()
        dlg = QProgressDialog("Importing…", "Cancel", 0, 100, self.window)
        dlg.setObjectName("import_progress")
        dlg.setWindowTitle("Import documents")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(self._cancel.set)
        self.dialog = dlg
        repo, store, cancel = self.window.repo, self.window.atlas.user_data.sources, self._cancel

        def work(progress: Progress) -> Any:
            def step(i: int, n: int, name: str) -> None:
                progress(int(100 * i / max(n, 1)), f"Importing {name} ({i + 1} of {n})…" if name else "Finishing…")

            # A cancel ends the batch early and still returns it (what was imported stays whole).
            return import_paths(repo, store, paths, progress=step, cancelled=cancel.is_set)

        task = Task(work, pool=self.window.pool, parent=self)
        task.progress.connect(self._on_progress)
        task.succeeded.connect(self._on_done)
        task.failed.connect(self._on_failed)
        task.start()

    def cancel(self) -> None:
        self._cancel.set()

    def _on_progress(self, percent: int, message: str) -> None:
        dlg = self.dialog  # a modal setValue() runs events: the import may finish inside it
        if dlg is None:
            return
        if dlg.wasCanceled():
            self._cancel.set()
        dlg.setLabelText(message)
        dlg.setValue(percent)

    def _close_dialog(self) -> None:
        self.running = False
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_failed(self, exc: BaseException) -> None:
        from app.core.errors import AtlasError, classify

        self._close_dialog()
        err = exc if isinstance(exc, AtlasError) else classify(exc, "your data")
        if err is None:
            raise exc
        QMessageBox.warning(self.window, "Import failed", str(err))

    def _on_done(self, batch: Any) -> None:
        self._close_dialog()
        refresh_documents(self.window)
        self.window.data_changed.emit()
        new = batch.imported
        dup = [r for r in batch.reports if r.duplicate_of is not None]
        lines = []
        if new:
            n_sugg = sum(r.suggestions for r in new)
            lines.append(f"Imported {len(new)} document{'s' if len(new) != 1 else ''} ({n_sugg} suggestions).")
        for r in dup:
            lines.append(f"Already imported: {r.file} (nothing added).")
        if batch.cancelled:
            lines.append("Cancelled: the document in progress was not imported; the rest were not started.")
        for _f, reason in batch.errors:
            lines.append(reason)
        self.window.show_status(lines[0] if lines else "Nothing imported.", 8000)
        if batch.errors:
            QMessageBox.warning(self.window, "Some files were not imported", "\n".join(lines))
        elif new and any(r.suggestions for r in new):
            show_suggestions(self.window, new[-1].id)
        self.finished.emit(batch)


def refresh_documents(window: Any) -> None:
    """The document picker lists the seeds and every imported document."""
    picker = window.document_view.picker
    current = picker.currentData()
    picker.blockSignals(True)
    picker.clear()
    for d in window.repo.documents():
        picker.addItem(("📄 " if d.imported else "") + d.title, d.id)
        picker.setItemData(picker.count() - 1, d.file_name, Qt.ItemDataRole.ToolTipRole)
    i = picker.findData(current)
    if i >= 0:
        picker.setCurrentIndex(i)
    picker.blockSignals(False)


def show_suggestions(window: Any, document_id: str | None = None) -> None:
    from app.ui.sources.suggestions_view import SuggestionsDialog

    dlg = SuggestionsDialog(window.repo, window.atlas.user_data.sources, document_id=document_id, parent=window)
    dlg.entity_made.connect(lambda eid: (window.data_changed.emit(), window.select_entity(eid)))
    window.suggestions_dialog = dlg
    dlg.show()


class _DropFilter(QObject):
    """Files dropped onto the window are imported."""

    def __init__(self, controller: ImportController) -> None:
        super().__init__(controller)
        self.controller = controller

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            mime = event.mimeData()  # type: ignore[attr-defined]
            if mime.hasUrls() and any(u.isLocalFile() for u in mime.urls()):
                event.acceptProposedAction()  # type: ignore[attr-defined]
                return True
        elif event.type() == QEvent.Type.Drop:
            urls = [u for u in event.mimeData().urls() if u.isLocalFile()]  # type: ignore[attr-defined]
            if urls:
                event.acceptProposedAction()  # type: ignore[attr-defined]
                self.controller.start([Path(u.toLocalFile()) for u in urls])
                return True
        return False


def cite_selection(window: Any) -> None:
    from app.ui.sources.cite_dialog import CiteAsDialog

    dv = window.document_view
    span = dv.selection_span()
    doc_id = dv.document_id
    if span is None or doc_id is None:
        window.show_status("Select a sentence in the document first, then choose Cite as….")
        return
    dlg = CiteAsDialog(
        window.repo,
        window.atlas.user_data.sources,
        document_id=doc_id,
        start=span[0],
        quote=span[2],
        entity_id=window.current_entity_id(),
        parent=window,
    )
    if dlg.exec() and dlg.entity_id:
        window.data_changed.emit()
        window.select_entity(dlg.entity_id)
        window.show_status(dlg.message, 6000)


def install(window: Any) -> ImportController:
    """Menu entries (File > Import documents…, File > Suggestions…), drop handling, Cite as…."""
    controller = ImportController(window)
    act_import = QAction("&Import documents…", window)
    act_import.setObjectName("act_import_documents")
    act_import.setShortcut(QKeySequence("Ctrl+Shift+I"))
    act_import.setStatusTip("Import your own documents: text, Markdown, HTML or PDF (or drop files on the window)")
    act_import.triggered.connect(controller.choose_files)
    act_sugg = QAction("&Suggestions…", window)
    act_sugg.setObjectName("act_suggestions")
    act_sugg.setStatusTip("Entities your documents name that the atlas does not know yet: accept, edit or reject")
    act_sugg.triggered.connect(lambda: show_suggestions(window, window.document_view.document_id))
    act_cite = QAction("Cite as…", window)
    act_cite.setObjectName("act_cite_as")
    act_cite.setStatusTip("Make an entity or add a fact from the selected sentence")
    act_cite.triggered.connect(lambda: cite_selection(window))
    menu = window.menus["file"]
    first = menu.actions()[0] if menu.actions() else None
    menu.insertAction(first, act_import)
    menu.insertAction(first, act_sugg)
    menu.insertSeparator(first)
    window.document_view.extra_actions.append(act_cite)
    window.setAcceptDrops(True)
    controller.drop_filter = _DropFilter(controller)  # held: PySide drops an unreferenced filter
    window.installEventFilter(controller.drop_filter)
    window.import_controller = controller
    window.act_import_documents = act_import
    window.act_cite_as = act_cite
    refresh_documents(window)
    return controller


__all__ = ["ImportController", "QWidget", "install", "refresh_documents", "show_suggestions"]
