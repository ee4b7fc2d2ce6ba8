"""The one QApplication (names, style, or headless for rendering): importable without the main window."""

from __future__ import annotations

import os
import sys
from types import ModuleType

from PySide6.QtWidgets import QApplication

from app import APP_NAME, ORG_NAME


def _no_feature_scan(module: ModuleType) -> bool:
    """Every module counts as one that uses PySide with no ``__feature__`` selected (the default)."""
    return True


def skip_feature_scan() -> None:
    """Stop PySide6 reading the source of every module imported after it.

    PySide6's import hook asks, for each newly imported module, whether it uses PySide (for its
    ``from __feature__ import snake_case`` switches) by reading the module's whole source file: about
    120 files before the window's first paint and 360 more when the graph loads pyqtgraph and NumPy,
    40-75 ms and 150-600 ms on a busy 2-core machine, and their text (6 million characters, about
    15 MB) stayed in memory. No module of this application selects a feature,
    so the answer changes nothing; it is given without reading. Harmless if PySide6's internals move."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", _no_feature_scan)  # noqa: B010  (a private of PySide6)


skip_feature_scan()


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
