"""The toolbar's *As of* year: a checkable action and a year box that feed ``FilterSpec.as_of``."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSpinBox, QWidget

YEAR_KEY = "view/as_of_year"  # the year shown while the control is off, remembered across sessions
FIRST_YEAR = 1500
DEFAULT_YEAR = 1960
TIP = (
    "As of a year: show only the alliances in force that year and only their members that year, in the "
    "list, facets, graph, timeline, details and exports (Ctrl+Shift+Y)"
)


class AsOfControl(QObject):
    """Off by default. ``year_changed(int | None)`` says what the filter's ``as_of`` should be (None: off);
    :meth:`show_year` shows the filter's value without emitting (a restored session, Undo, Clear all)."""

    year_changed = Signal(object)  # int | None

    def __init__(self, *, settings: QSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._showing = False
        this_year = dt.date.today().year
        self.action = QAction("As &of", parent)
        self.action.setObjectName("act_as_of")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setToolTip(TIP)
        self.action.setStatusTip("Show only what was in force in the year beside this button")
        self.action.toggled.connect(self._on_toggled)
        self.spin = QSpinBox(parent)
        self.spin.setObjectName("as_of_year")
        self.spin.setRange(FIRST_YEAR, this_year)
        self.spin.setValue(self._saved_year(this_year))
        self.spin.setAccessibleName("As of year")
        self.spin.setToolTip(TIP + ". Type a year and press Enter, or use the arrow keys.")
        self.spin.setKeyboardTracking(False)  # "1960" applies once typed, not at "1", "19", "196"
        self.spin.setEnabled(False)
        self.spin.valueChanged.connect(self._on_year)

    def _saved_year(self, this_year: int) -> int:
        raw = self._settings.value(YEAR_KEY, DEFAULT_YEAR) if self._settings is not None else DEFAULT_YEAR
        try:
            year = int(str(raw))
        except ValueError:
            year = DEFAULT_YEAR
        return max(FIRST_YEAR, min(this_year, year))

    @property
    def year(self) -> int | None:
        """The year in effect, or None when the control is off."""
        return self.spin.value() if self.action.isChecked() else None

    def show_year(self, year: int | None) -> None:
        """Show ``year`` (None: off) without emitting ``year_changed``."""
        self._showing = True
        try:
            if year is not None:
                self.spin.setValue(max(self.spin.minimum(), min(self.spin.maximum(), year)))
            self.action.setChecked(year is not None)
            self.spin.setEnabled(year is not None)
        finally:
            self._showing = False

    def save(self) -> None:
        if self._settings is not None:
            self._settings.setValue(YEAR_KEY, self.spin.value())

    def _on_toggled(self, on: bool) -> None:
        self.spin.setEnabled(on)
        if self._showing:
            return
        if on:
            # Keyboard: Ctrl+Shift+Y turns it on and puts the cursor in the year (once the toolbar shows it).
            QTimer.singleShot(0, self._focus_year)
        self.save()
        self.year_changed.emit(self.year)

    def _focus_year(self) -> None:
        if self.spin.isVisible() and self.spin.isEnabled():
            self.spin.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.spin.selectAll()

    def _on_year(self, _value: int) -> None:
        if self._showing or not self.action.isChecked():
            return
        self.save()
        self.year_changed.emit(self.year)


def describe_as_of(year: int | None) -> str:
    """The status bar's message for a change of the As-of year."""
    if year is None:
        return "As of: off. Every alliance is shown, with all its members."
    return f"As of {year}: only alliances in force in {year}, with their members in {year}."
