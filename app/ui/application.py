"""Start the window: one QApplication, a clear dialog if the databases cannot be opened."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

from app import APP_NAME
from app.core.errors import AtlasError
from app.paths import DataPaths
from app.ui.qt_app import make_application

if TYPE_CHECKING:
    from app.core.atlas import Atlas
    from app.ui.main_window import MainWindow

__all__ = ["make_application", "missing_display", "run_gui"]


def missing_display() -> str | None:
    """Why the window cannot open here (Linux without X11 or Wayland), or None.

    Qt would otherwise abort with a plugin error after a long message about xcb."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        f"{APP_NAME} needs a display to open its window, and none is set (DISPLAY). "
        "The command line works without one: try `alliance-atlas --version` or `alliance-atlas search NATO`."
    )


def run_gui(paths: DataPaths) -> int:
    """Open the databases and the main window; returns the exit code."""
    problem = missing_display()
    if problem:
        print(f"alliance-atlas: {problem}", file=sys.stderr)
        return 1
    app = make_application()
    from app.core.atlas import open_atlas
    from app.core.userdata.backup import migration_backup
    from app.ui.notes.backup_dialog import offer_recovery

    if not offer_recovery(None, paths):  # a damaged notes db: set aside, offer the newest good backup
        return 1
    try:
        atlas = open_atlas(paths, user_backup=migration_backup(paths))
    except AtlasError as exc:
        QMessageBox.critical(None, APP_NAME, f"{APP_NAME} cannot open its data.\n\n{exc}")
        return 1
    from app.ui.main_window import MainWindow

    window = MainWindow(atlas, settings_path=paths.settings_file)
    window.show()
    from app.core.userdata.backup import notes_warning

    warning = " ".join(w for w in (atlas.warning, notes_warning(paths)) if w)
    if warning:
        window.show_status(warning, 15000)
    try:
        return int(app.exec())
    finally:
        shut_down(window, atlas)


def shut_down(window: MainWindow, atlas: Atlas) -> None:
    """Close the databases once the window's background work has ended (its reads interrupted after
    a while): never under a read still running, which can crash the process. Work that still runs
    after that leaves them to the process's exit (SQLite keeps them whole)."""
    from app.ui.jobs import drain

    if drain(window.pool, atlas.repo.interrupt_all):
        atlas.close()
