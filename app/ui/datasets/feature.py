"""File > Import dataset… (preview, progress, report), Remove dataset… and the record viewer behind a
dataset citation. :class:`DatasetsFeature` gets the few objects it uses and speaks through signals,
which the main window wires."""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget

from app.ui.datasets.import_dialog import ImportDatasetDialog
from app.ui.datasets.record_view import RecordDialog

__all__ = ["DatasetsFeature", "ImportDatasetDialog", "RecordDialog", "RemoveDatasetDialog"]


class RemoveDatasetDialog:
    """Which dataset to remove, then a confirmation (classmethods, so tests patch them)."""

    @classmethod
    def choose(cls, parent: QWidget, choices: list[str]) -> tuple[int, bool]:
        if len(choices) == 1:
            return 0, True
        text, ok = QInputDialog.getItem(parent, "Remove dataset", "Dataset to remove:", choices, 0, False)
        return (choices.index(text) if ok and text in choices else -1), bool(ok)

    @classmethod
    def confirm(cls, parent: QWidget, text: str) -> bool:
        answer = QMessageBox.question(
            parent,
            "Remove dataset",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes


class DatasetsFeature(QObject):
    """The actions (Import dataset…, Remove dataset…) and the dialogs; never holds the window."""

    status_message = Signal(str, int)
    datasets_changed = Signal()  # a dataset was imported or removed: the list, facets and graph read again

    def __init__(self, *, repo: Any, store: Any, pool: QThreadPool, dialog_parent: QWidget) -> None:
        from PySide6.QtGui import QAction

        super().__init__(dialog_parent)
        self._repo, self._store, self._pool, self._parent = repo, store, pool, dialog_parent
        self.dialog: ImportDatasetDialog | None = None
        self.record_dialog: RecordDialog | None = None
        self.import_action = QAction("Import &dataset…", dialog_parent)
        self.import_action.setObjectName("act_import_dataset")
        self.import_action.setStatusTip(
            "Import an alliance dataset you downloaded: ATOP (two files) or COW formal alliances, with a preview"
        )
        self.import_action.setToolTip(self.import_action.statusTip())
        self.import_action.triggered.connect(self.open_import)
        self.remove_action = QAction("Remo&ve dataset…", dialog_parent)
        self.remove_action.setObjectName("act_remove_dataset")
        self.remove_action.setStatusTip("Remove an imported dataset's alliances (the reference and your notes stay)")
        self.remove_action.setToolTip(self.remove_action.statusTip())
        self.remove_action.triggered.connect(self.remove)

    # ---- import ---------------------------------------------------------------------------------
    def _previewer(self) -> Callable[..., Any]:
        from app.core.datasets import catalogue_countries, plan_files

        repo = self._repo
        catalogue: dict[str, str] | None = None

        def preview(name: str, members: Path, alliances: Path | None, states: Path | None, cancelled: Any) -> Any:
            nonlocal catalogue
            if catalogue is None:  # the catalogue's countries, read once per dialog (on the worker)
                catalogue = catalogue_countries(repo)
            return plan_files(catalogue, name, members=members, alliances=alliances, states=states, cancelled=cancelled)

        return preview

    def open_import(self) -> ImportDatasetDialog:
        store = self._store

        def import_plan(plan: Any, progress: Any, cancelled: Any) -> dict[str, Any]:
            report: dict[str, Any] = store.write(plan, progress=progress, cancelled=cancelled)
            return report

        if self.dialog is not None and self.dialog.busy:
            self.dialog.raise_()
            return self.dialog
        dlg = ImportDatasetDialog(
            preview=self._previewer(), import_plan=import_plan, pool=self._pool, parent=self._parent
        )
        dlg.imported.connect(self._on_imported)
        self.dialog = dlg
        dlg.show()
        return dlg

    def _on_imported(self, report: dict[str, Any]) -> None:
        skipped = len(report.get("skipped") or [])
        self.status_message.emit(
            f"Imported {report['dataset']} {report.get('version') or ''}: {report['alliances']:,} alliances, "
            f"{report['memberships']:,} memberships" + (f"; {skipped:,} rows skipped" if skipped else "") + ".",
            10000,
        )
        self.datasets_changed.emit()

    # ---- remove ---------------------------------------------------------------------------------
    def remove(self) -> bool:
        from app.core.errors import AtlasError

        try:
            imported = self._store.datasets()
        except AtlasError as exc:
            QMessageBox.warning(self._parent, "Remove dataset", str(exc))
            return False
        if not imported:
            self.status_message.emit("No dataset is imported: File > Import dataset… brings one in.", 6000)
            return False
        choices = [
            f"{d.label} {d.version} ({d.alliances:,} alliances, imported {d.imported_at[:10]})" for d in imported
        ]
        index, ok = RemoveDatasetDialog.choose(self._parent, choices)
        if not ok or index < 0:
            return False
        info = imported[index]
        if not RemoveDatasetDialog.confirm(
            self._parent,
            f"Remove {info.label} {info.version} and its {info.alliances:,} alliances?\n\n"
            "The reference catalogue and your notes stay; notes on its alliances are kept, detached. "
            "You can import the files again later.",
        ):
            return False
        try:
            n = self._store.remove(info.name)
        except AtlasError as exc:
            QMessageBox.warning(self._parent, "Remove dataset", str(exc))
            return False
        self.status_message.emit(
            f"Removed {info.label}: {n:,} alliances. The reference and your notes are unchanged.", 10000
        )
        self.datasets_changed.emit()
        return True

    # ---- the record behind a citation -----------------------------------------------------------
    def show_record(self, record_id: int, *, cited: Collection[str] = (), title: str = "") -> RecordDialog | None:
        """Open the stored row of ``record_id`` (a dataset citation's record), ``cited`` highlighted."""
        dlg = RecordDialog.for_record(
            self._store.record_fields, record_id, cited=cited, title=title, parent=self._parent
        )
        if dlg is None:
            self.status_message.emit("That record is no longer stored: its dataset was removed.", 6000)
            return None
        self.record_dialog = dlg
        dlg.show()
        return dlg
