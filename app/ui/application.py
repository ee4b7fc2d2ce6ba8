"""Start the window: one QApplication, a clear dialog if the databases cannot be opened."""

from __future__ import annotations

import os
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, ORG_NAME
from app.core.errors import AtlasError
from app.paths import DataPaths


def make_application(*, headless: bool = False) -> QApplication:
    """The one QApplication: the running one, or a new one.

    ``headless`` (CLI exports, PDF and figure rendering): only make sure one exists, on the
    offscreen platform when there is no display. Otherwise (the window) also set the names and
    the style."""
    app = QApplication.instance()
    if headless:
        if isinstance(app, QApplication):
            return app
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        return QApplication(sys.argv[:1])
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    from app.ui.style import apply_style

    apply_style(app)
    return app


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
    if atlas.warning:
        window.show_status(atlas.warning, 15000)
    try:
        return int(app.exec())
    finally:
        atlas.close()
