"""The bundled fonts (resources/fonts): registered once at start-up, used by the window and the PDFs alike."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QFontInfo
from PySide6.QtWidgets import QApplication

from app.paths import resources_dir

# Noto Sans for Latin, Greek and Cyrillic; the others fill in Arabic and CJK text in notes and aliases.
FONT_FAMILIES = ["Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback"]
FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSans-Italic.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "DroidSansFallbackFull.ttf",
)
_fonts_loaded: list[str] | None = None


def load_fonts() -> list[str]:
    """Register the shipped fonts once (call on the GUI thread); returns the family fallback list."""
    global _fonts_loaded
    if _fonts_loaded is None:
        folder = resources_dir() / "fonts"
        families: list[str] = []
        for name in FONT_FILES:
            font_id = QFontDatabase.addApplicationFont(str(folder / name))
            if font_id >= 0:
                families += [f for f in QFontDatabase.applicationFontFamilies(font_id) if f not in families]
        _fonts_loaded = [f for f in FONT_FAMILIES if f in families] or families
    return _fonts_loaded


def interface_font(point_size: float) -> QFont:
    """The window's one font: the bundled Noto Sans (and its fallbacks) at ``point_size``."""
    font = QFont()
    families = load_fonts()
    if families:
        font.setFamilies(families)
    font.setPointSizeF(point_size)
    return font


def use_interface_font(app: QApplication) -> None:
    """Register the fonts and make them the application font before any widget exists.

    Registering them later (the first PDF export did) re-resolves the generic "Sans Serif" to Noto
    Sans mid-session: every widget's text changes face and size, and rows measured with the old font
    clip the new one's descenders. Naming the family from the start gives one font from the first paint.
    """
    size = app.font().pointSizeF()
    font = interface_font(size if size > 0 else 10.0)
    if QFontInfo(font).family() in FONT_FAMILIES:  # files unreadable: keep the system font
        app.setFont(font)
