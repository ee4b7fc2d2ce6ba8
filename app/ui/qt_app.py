"""The one QApplication (names, style, or headless for rendering): importable without the main window."""

from __future__ import annotations

import os
import sys

from PySide6.QtWidgets import QApplication

from app import APP_NAME, ORG_NAME


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
