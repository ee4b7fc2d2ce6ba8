"""Your own sources in the window: File > Import documents… (and drag and drop), progress with Cancel,
the Suggestions view and Cite as… on a document selection. :class:`SourcesFeature` holds them; it
gets the few objects it uses and speaks through signals, which the main window wires."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.ui.jobs import Progress, Task

FILE_FILTER = "Documents (*.txt *.md *.markdown *.html *.htm *.pdf);;All files (*)"


class ImportController(QObject):
    """Runs one import at a time off the GUI thread, with a progress dialog and Cancel."""

    finished = Signal(object)  # ImportBatch
    status_message = Signal(str, int)
    documents_changed = Signal()  # an import added documents (and the user data changed)
    suggestions_wanted = Signal(str)  # a document just imported has suggestions to review

    def __init__(self, *, repo: Any, sources: Any, pool: QThreadPool, dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._repo, self._sources, self._pool, self._parent = repo, sources, pool, dialog_parent
        self.dialog: QProgressDialog | None = None
        self._cancel = threading.Event()
        self.running = False
        self.drop_filter: QObject | None = None

    def choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self._parent, "Import documents", "", FILE_FILTER)
        if files:
            self.start([Path(f) for f in files])

    def start(self, paths: list[Path]) -> None:
        from app.core.sources.service import import_paths

        if self.running:
            self.status_message.emit("An import is already running.", 4000)
            return
        self.running = True
        self._cancel.clear()
        dlg = QProgressDialog("Importing…", "Cancel", 0, 100, self._parent)
        dlg.setObjectName("import_progress")
        dlg.setWindowTitle("Import documents")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(300)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(self._cancel.set)
        self.dialog = dlg
        repo, store, cancel = self._repo, self._sources, self._cancel

        def work(progress: Progress) -> Any:
            def step(i: int, n: int, name: str) -> None:
                progress(int(100 * i / max(n, 1)), f"Importing {name} ({i + 1} of {n})…" if name else "Finishing…")

            # A cancel ends the batch early and still returns it (what was imported stays whole).
            return import_paths(repo, store, paths, progress=step, cancelled=cancel.is_set)

        task = Task(work, pool=self._pool, parent=self)
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
        QMessageBox.warning(self._parent, "Import failed", str(err))

    def _on_done(self, batch: Any) -> None:
        self._close_dialog()
        self.documents_changed.emit()
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
        self.status_message.emit(lines[0] if lines else "Nothing imported.", 8000)
        if batch.errors:
            QMessageBox.warning(self._parent, "Some files were not imported", "\n".join(lines))
        elif new and any(r.suggestions for r in new):
            self.suggestions_wanted.emit(new[-1].id)
        self.finished.emit(batch)


def refresh_documents(document_view: Any, repo: Any) -> None:
    """The document picker lists the seeds and every imported document."""
    picker = document_view.picker
    current = picker.currentData()
    picker.blockSignals(True)
    picker.clear()
    for d in repo.documents():
        picker.addItem(("📄 " if d.imported else "") + d.title, d.id)
        picker.setItemData(picker.count() - 1, d.file_name, Qt.ItemDataRole.ToolTipRole)
    i = picker.findData(current)
    if i >= 0:
        picker.setCurrentIndex(i)
    picker.blockSignals(False)


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


class SourcesFeature(QObject):
    """The actions (Import documents…, Suggestions…, Cite as…), the drop filter and the dialogs.

    It never holds the window: the window puts the actions in its menus, installs
    :attr:`drop_filter` on itself and connects the three signals."""

    status_message = Signal(str, int)
    user_data_changed = Signal()  # documents, entities or facts of yours changed
    entity_chosen = Signal(str)  # an entity just made: select it

    def __init__(
        self,
        *,
        repo: Any,
        sources: Any,
        pool: QThreadPool,
        document_view: Any,
        current_entity: Callable[[], str | None],
        dialog_parent: QWidget,
    ) -> None:
        super().__init__(dialog_parent)
        self._repo, self._sources, self._document_view = repo, sources, document_view
        self._current_entity, self._parent = current_entity, dialog_parent
        self.suggestions_dialog: QWidget | None = None
        self.controller = ImportController(repo=repo, sources=sources, pool=pool, dialog_parent=dialog_parent)
        self.controller.status_message.connect(self.status_message)
        self.controller.documents_changed.connect(self._documents_changed)
        self.controller.suggestions_wanted.connect(self.show_suggestions)
        self.drop_filter = _DropFilter(self.controller)
        self.controller.drop_filter = self.drop_filter
        self.import_action = QAction("&Import documents…", dialog_parent)
        self.import_action.setObjectName("act_import_documents")
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.import_action.setStatusTip(
            "Import your own documents: text, Markdown, HTML or PDF (or drop files on the window)"
        )
        self.import_action.triggered.connect(self.controller.choose_files)
        self.suggestions_action = QAction("&Suggestions…", dialog_parent)
        self.suggestions_action.setObjectName("act_suggestions")
        self.suggestions_action.setStatusTip(
            "Entities your documents name that the atlas does not know yet: accept, edit or reject"
        )
        self.suggestions_action.triggered.connect(lambda: self.show_suggestions(document_view.document_id))
        self.cite_action = QAction("Cite as…", dialog_parent)
        self.cite_action.setObjectName("act_cite_as")
        self.cite_action.setStatusTip("Make an entity or add a fact from the selected sentence")
        self.cite_action.triggered.connect(self.cite_selection)
        document_view.extra_actions.append(self.cite_action)
        refresh_documents(document_view, repo)

    def _documents_changed(self) -> None:
        refresh_documents(self._document_view, self._repo)
        self.user_data_changed.emit()

    def _entity_made(self, entity_id: str) -> None:
        self.user_data_changed.emit()
        self.entity_chosen.emit(entity_id)

    def show_suggestions(self, document_id: str | None = None) -> None:
        from app.ui.sources.suggestions_view import SuggestionsDialog

        dlg = SuggestionsDialog(self._repo, self._sources, document_id=document_id, parent=self._parent)
        dlg.entity_made.connect(self._entity_made)
        self.suggestions_dialog = dlg
        dlg.show()

    def cite_selection(self) -> None:
        from app.ui.sources.cite_dialog import CiteAsDialog

        dv = self._document_view
        span = dv.selection_span()
        doc_id = dv.document_id
        if span is None or doc_id is None:
            self.status_message.emit("Select a sentence in the document first, then choose Cite as….", 4000)
            return
        dlg = CiteAsDialog(
            self._repo,
            self._sources,
            document_id=doc_id,
            start=span[0],
            quote=span[2],
            entity_id=self._current_entity(),
            parent=self._parent,
        )
        if dlg.exec() and dlg.entity_id:
            self._entity_made(dlg.entity_id)
            self.status_message.emit(dlg.message, 6000)


__all__ = ["ImportController", "SourcesFeature", "refresh_documents"]
