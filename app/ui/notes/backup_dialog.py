"""Restore the notes database from a backup, and the start-up offer when the notes database is damaged."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.userdata.backup import BackupInfo, list_backups
from app.core.userdata.integrity import quick_check
from app.core.userdata.restore import check_user_db, recover, restore_backup
from app.paths import DataPaths

PathRole = Qt.ItemDataRole.UserRole + 1


class RestoreBackupDialog(QDialog):
    """Pick one of the automatic backups (newest first, with its number of notes)."""

    def __init__(self, backups: list[BackupInfo], *, intro: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore notes from backup")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        label = QLabel(
            intro or "Choose a backup. Your current notes are backed up first, so a restore can itself be undone."
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        for b in backups:
            item = QListWidgetItem(b.label)
            item.setData(PathRole, str(b.path))
            item.setToolTip(str(b.path))
            self.list.addItem(item)
        if backups:
            self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PathRole)) if item else None

    @classmethod
    def get_backup(cls, parent: QWidget | None, paths: DataPaths, *, intro: str = "") -> tuple[Path | None, bool]:
        dlg = cls(list_backups(paths, count_notes=True), intro=intro, parent=parent)
        ok = dlg.exec() == QDialog.DialogCode.Accepted
        return dlg.chosen(), ok and dlg.chosen() is not None


def restore_backup_dialog(parent: QWidget | None, paths: DataPaths) -> bool:
    """File > Restore notes from backup…: True when the database was replaced."""
    if not list_backups(paths):
        QMessageBox.information(parent, "No backups yet", f"There are no backups in {paths.backups} yet.")
        return False
    path, ok = RestoreBackupDialog.get_backup(parent, paths)
    if not ok or path is None:
        return False
    try:
        if quick_check(paths.user_db, "the notes database") not in ("ok", "missing"):
            # Damaged: set aside, restore, salvage what is readable, and say how many were saved.
            done = recover(paths, path)
            QMessageBox.information(parent, "Notes database", f"{done.summary()}\n\nThe damaged file: {done.aside}")
            return True
        safety = restore_backup(paths, path)
    except AtlasError as exc:
        QMessageBox.warning(parent, "Restore failed", f"{exc}\n\nYour notes were not changed.")
        return False
    show = getattr(parent, "show_status", None)
    msg = f"Restored notes from {path.name}." + (f" The previous notes were saved as {safety.name}." if safety else "")
    if callable(show):
        show(msg, 10000)
    return True


def offer_recovery(parent: QWidget | None, paths: DataPaths) -> bool:
    """At start: if the notes database is damaged, set it aside and offer the newest good backup.

    Returns False when the user chose to quit. Never deletes or overwrites the damaged file.
    """
    try:
        health = check_user_db(paths)
    except AtlasError as exc:
        QMessageBox.critical(parent, "Notes database", str(exc))
        return False
    if health.ok:
        # Not damaged. When it cannot even be checked (a full disk, read-only storage), opening the
        # data says so next; the file is never moved for that.
        return True
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Notes database damaged")
    good = health.newest_good
    text = health.message + "\n\nIt will be kept aside, renamed, so nothing in it is destroyed."
    if good is not None:
        text += f"\n\nThe newest good backup is from {good.label}."
        restore = box.addButton("Restore that backup", QMessageBox.ButtonRole.AcceptRole)
    else:
        text += "\n\nThere is no good backup."
        restore = None
    fresh = box.addButton("Start with no notes", QMessageBox.ButtonRole.DestructiveRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setText(text)
    box.exec()
    clicked = box.clickedButton()
    if clicked is quit_button or clicked is None:
        return False
    try:
        done = recover(paths, good.path if (clicked is restore and good is not None) else None)
    except AtlasError as exc:
        QMessageBox.critical(parent, "Recovery failed", str(exc))
        return False
    # Where the damaged file is kept, and how many notes were salvaged from it.
    QMessageBox.information(parent, "Notes database", f"{done.summary()}\n\nThe damaged file: {done.aside}")
    del fresh
    return True
