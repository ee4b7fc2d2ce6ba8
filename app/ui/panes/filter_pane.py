"""The filter pane: free-text search, faceted counts, founding-year range, summary and saved filters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec, describe
from app.core.query.repository import FacetValue
from app.core.userdata.saved_filters import SavedFiltersStore
from app.ui.panes.facet_box import NO_TAGS_YET, NONE_AMONG, FacetBox

__all__ = ["FacetBox", "FilterPane", "SaveFilterDialog"]

# (FilterSpec field, title shown, accessible description)
FACETS = (
    ("kinds", "Kind", "Filter by kind of entity"),
    ("categories", "Category", "Filter by category"),
    ("regions", "Region", "Filter by region"),
    ("members", "Member or party", "Show entities with these member or party countries"),
    ("activities", "Activity", "Filter by activity"),
    ("sources", "Source document", "Show entities cited in these documents"),
    ("tags", "Tag", "Filter by your tags"),
    ("origins", "Origin", "Entities from the reference catalogue, made from your own documents or imported datasets"),
    ("obligations", "Obligations", "Dataset alliances with these obligations (ATOP, COW: defense, neutrality...)"),
)


class SaveFilterDialog:
    """Asks for a saved filter's name (a classmethod, so tests patch it instead of clicking)."""

    @classmethod
    def get_value(cls, parent: QWidget, default: str = "") -> tuple[str, bool]:
        text, ok = QInputDialog.getText(parent, "Save filter", "Name for the current filter:", text=default)
        return text, bool(ok)


class FilterPane(QWidget):
    """Builds the FilterSpec from its controls and emits it; facet counts are pushed in by the window."""

    spec_changed = Signal(object)  # FilterSpec, on every change (the list re-queries at once)
    results_requested = Signal(bool)  # Down (False) or Enter (True) in the search box: go to the list
    error = Signal(str)

    def __init__(
        self,
        *,
        saved_filters: SavedFiltersStore,
        year_bounds: tuple[int, int] | None,
        any_tagged: Callable[[], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("filter_pane")
        self._saved = saved_filters
        self._any_tagged = any_tagged  # asked only when the Tag facet comes back empty
        self._spec = FilterSpec()
        self._labels: dict[str, str] = {}
        self._setting = False

        self.search = QLineEdit(self)
        self.search.setObjectName("search_box")
        self.search.setPlaceholderText("Search names, aliases, facts…")
        self.search.setAccessibleName("Search")
        self.search.setAccessibleDescription("Free-text search over entities; results update while you type")
        self.search.setToolTip("Search entities and documents (Ctrl+F). Esc clears.")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_control_changed)
        self.search.installEventFilter(self)

        self.summary = QLabel("All entities", self)
        self.summary.setObjectName("filter_summary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Active filter")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.clear_button = QPushButton("Clear all", self)
        self.clear_button.setAccessibleName("Clear all filters")
        self.clear_button.setToolTip("Clear the search and every facet (Ctrl+Shift+Backspace)")
        self.clear_button.clicked.connect(self.clear)
        self.saved_button = QToolButton(self)
        self.saved_button.setText("Saved filters")
        self.saved_button.setAccessibleName("Saved filters")
        self.saved_button.setToolTip("Save the current filter under a name, or recall one")
        self.saved_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.saved_menu = QMenu("Saved filters", self)
        self.saved_menu.aboutToShow.connect(self.rebuild_saved_menu)
        self.saved_button.setMenu(self.saved_menu)
        self.rebuild_saved_menu()

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.saved_button)
        buttons.addStretch(1)

        self.facets: dict[str, FacetBox] = {}
        body = QWidget()
        body.setObjectName("facet_body")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 6, 0)
        body_layout.setSpacing(10)
        for field, title, desc in FACETS:
            box = FacetBox(field, title, desc, body)
            box.changed.connect(self._on_control_changed)
            self.facets[field] = box
            body_layout.addWidget(box)
            if field == "members":
                self.members_mode = QComboBox(box)
                self.members_mode.addItem("any of", "any")
                self.members_mode.addItem("all of", "all")
                self.members_mode.setAccessibleName("Member match")
                self.members_mode.setToolTip("Match entities with any of the checked countries, or all of them")
                self.members_mode.currentIndexChanged.connect(self._on_control_changed)
                box.extra.addWidget(self.members_mode)
            if field == "sources":
                body_layout.addWidget(self._build_years(body, year_bounds))
        self.facets["tags"].empty.setText(NO_TAGS_YET)
        self.facets["tags"].empty.setWordWrap(True)
        # Obligations come only from imported datasets: say where they come from when there are none.
        self.facets["obligations"].empty.setText("None among these entities (they come from ATOP or COW datasets)")
        self.facets["obligations"].empty.setWordWrap(True)

        notes_box = QFrame(body)
        notes_layout = QHBoxLayout(notes_box)
        notes_layout.setContentsMargins(0, 0, 0, 0)
        notes_label = QLabel("Notes")
        notes_label.setObjectName("facet_heading")
        self.has_notes = QComboBox(notes_box)
        self.has_notes.setObjectName("has_notes")
        self.has_notes.addItem("Any", None)
        self.has_notes.addItem("With notes", True)
        self.has_notes.addItem("Without notes", False)
        self.has_notes.setAccessibleName("Has notes")
        self.has_notes.setToolTip("Show only entities you have written notes about, or only those without")
        self.has_notes.currentIndexChanged.connect(self._on_control_changed)
        notes_label.setBuddy(self.has_notes)
        notes_layout.addWidget(notes_label, 1)
        notes_layout.addWidget(self.has_notes)
        body_layout.addWidget(notes_box)
        body_layout.addStretch(1)

        scroll = QScrollArea(self)
        scroll.setObjectName("facet_scroll")
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setAccessibleName("Facets")
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the facets themselves, never to a ringless frame

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 4)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(scroll, 1)

    def _build_years(self, parent: QWidget, bounds: tuple[int, int] | None) -> QWidget:
        box = QFrame(parent)
        box.setObjectName("facet_years")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        heading = QLabel("Founded")
        heading.setObjectName("facet_heading")
        lay.addWidget(heading)
        self.year_bounds = bounds or (1900, 2030)
        self._years_known = bounds is not None
        self._pending_years = self.year_bounds
        self._years_box = lay
        # The slider (superqt) is built after the first paint: it sits below the fold and its
        # import costs a fifth of a second at start. Until then the range is "any year".
        self.years: Any = None
        return box

    def finish_deferred(self) -> None:
        """Build what the first paint did not need (the founding-year slider)."""
        if self.years is not None:
            return
        from superqt import QRangeSlider

        box = self._years_box.parentWidget()
        self.years = QRangeSlider(Qt.Orientation.Horizontal, box)  # type: ignore[no-untyped-call]  # superqt: untyped
        self.years.setObjectName("year_slider")
        self.years.setAccessibleName("Founding year range")
        self.years.setToolTip(
            "Only entities founded within these years (entities without a known year are hidden when narrowed)"
        )
        self.years.setRange(*self.year_bounds)
        self.years.setValue(self._pending_years)
        self.years.setEnabled(self._years_known)
        # Typed ends beside the slider: exact years by keyboard, and always readable (no floating labels).
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        self.year_from, self.year_to = QSpinBox(box), QSpinBox(box)
        for spin, label, value in (
            (self.year_from, "From year", self._pending_years[0]),
            (self.year_to, "To year", self._pending_years[1]),
        ):
            spin.setRange(*self.year_bounds)
            spin.setValue(value)
            spin.setAccessibleName(label)
            spin.lineEdit().setAccessibleName(label)
            spin.setToolTip(f"{label}: type a year")
            spin.setKeyboardTracking(False)  # apply when the year is complete, not at every digit
            spin.setEnabled(self._years_known)
            spin.valueChanged.connect(self._on_year_typed)
        to_label = QLabel("to", box)
        row.addWidget(self.year_from)
        row.addWidget(to_label)
        row.addWidget(self.year_to)
        row.addStretch(1)
        self.years.valueChanged.connect(self._on_year_slid)
        self._years_box.addWidget(self.years)
        self._years_box.addLayout(row)

    def _on_year_slid(self, value: tuple[int, int]) -> None:
        for spin, v in zip((self.year_from, self.year_to), value, strict=True):
            spin.blockSignals(True)
            spin.setValue(int(v))
            spin.blockSignals(False)
        self._on_control_changed()

    def _on_year_typed(self, _value: int) -> None:
        lo, hi = self.year_from.value(), self.year_to.value()
        self.years.setValue((min(lo, hi), max(lo, hi)))  # emits valueChanged: the filter follows

    # ---- state ----------------------------------------------------------------------------
    def spec(self) -> FilterSpec:
        return self._spec

    def labels(self) -> dict[str, str]:
        """Display names for ids (member countries, documents) for the summary and exports."""
        return dict(self._labels)

    def summary_text(self) -> str:
        return describe(self._spec, self._labels)

    def _read_controls(self) -> FilterSpec:
        lo, hi = (int(v) for v in (self.years.value() if self.years is not None else self._pending_years))
        return FilterSpec(
            text=self.search.text(),
            typing=True,  # the last word may be half typed: it may match as a prefix
            kinds=self.facets["kinds"].checked(),
            categories=self.facets["categories"].checked(),
            regions=self.facets["regions"].checked(),
            members=self.facets["members"].checked(),
            members_mode=self.members_mode.currentData() or "any",
            activities=self.facets["activities"].checked(),
            year_min=lo if lo > self.year_bounds[0] else None,
            year_max=hi if hi < self.year_bounds[1] else None,
            sources=self.facets["sources"].checked(),
            tags=self.facets["tags"].checked(),
            origins=self.facets["origins"].checked(),
            obligations=self.facets["obligations"].checked(),
            as_of=self._spec.as_of,  # set by the window's As of control, not by this pane
            has_notes=self.has_notes.currentData(),
            sort=self._spec.sort,
            descending=self._spec.descending,
        )

    def _on_control_changed(self, *_args: object) -> None:
        if self._setting:
            return
        spec = self._read_controls()
        if spec != self._spec:
            self._spec = spec
            self._emit()

    def _emit(self) -> None:
        self.summary.setText(self.summary_text())
        self.spec_changed.emit(self._spec)

    def set_spec(self, spec: FilterSpec) -> None:
        """Show ``spec`` in the controls (saved filter recall, clear) and emit it."""
        self._setting = True
        try:
            if self.search.text() != spec.text:
                self.search.setText(spec.text)
            for field, box in self.facets.items():
                box.set_checked(getattr(spec, field))
            self.members_mode.setCurrentIndex(1 if spec.members_mode == "all" else 0)
            lo = spec.year_min if spec.year_min is not None else self.year_bounds[0]
            hi = spec.year_max if spec.year_max is not None else self.year_bounds[1]
            self._pending_years = (lo, hi)
            if self.years is not None:
                self.years.setValue((lo, hi))
            self.has_notes.setCurrentIndex({None: 0, True: 1, False: 2}[spec.has_notes])
        finally:
            self._setting = False
        self._spec = spec
        self._emit()

    def set_sort(self, key: str, descending: bool) -> None:
        spec = replace(self._spec, sort=key, descending=descending)  # type: ignore[arg-type]
        if spec != self._spec:
            self._spec = spec
            self._emit()

    def set_as_of(self, year: int | None) -> None:
        """The toolbar's As of year (None: off), kept in the spec like the sort."""
        spec = replace(self._spec, as_of=year)
        if spec != self._spec:
            self._spec = spec
            self._emit()

    def clear(self) -> None:
        self.set_spec(self._spec.cleared())

    def clear_search(self) -> None:
        self.search.clear()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def set_facet_counts(self, counts: dict[str, list[FacetValue]]) -> None:
        for field, box in self.facets.items():
            box.set_values(counts.get(field, []), getattr(self._spec, field))
            self._labels.update(box.labels())
        tags = self.facets["tags"]
        if tags.list.count() == 0:
            # "No tags yet" only when nothing is tagged at all; tags outside this filter: as the other facets.
            tagged = self._any_tagged() if self._any_tagged is not None else False
            tags.empty.setText(NONE_AMONG if tagged else NO_TAGS_YET)
        self.summary.setText(self.summary_text())

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
            if key == Qt.Key.Key_Down:
                self.results_requested.emit(False)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.search.text():
                self.results_requested.emit(True)
                return True
        return super().eventFilter(obj, event)

    # ---- saved filters --------------------------------------------------------------------
    def rebuild_saved_menu(self) -> None:
        menu = self.saved_menu
        menu.clear()
        save = menu.addAction("Save current filter…")
        save.triggered.connect(self.save_current)
        save.setEnabled(not self._spec.is_empty())
        try:
            saved = self._saved.list()
        except AtlasError as exc:
            menu.addAction(str(exc)).setEnabled(False)
            return
        if not saved:
            menu.addSection("No saved filters yet")
            return
        menu.addSection("Recall")
        for item in saved:
            action = QAction(item.name, menu)
            action.setToolTip(describe(item.spec, self._labels))
            action.triggered.connect(lambda _=False, s=item.spec: self.set_spec(s))
            menu.addAction(action)
        delete = menu.addMenu("Delete")
        for item in saved:
            delete.addAction(item.name).triggered.connect(lambda _=False, n=item.name: self.delete_saved(n))
        menu.setToolTipsVisible(True)

    def save_current(self) -> str | None:
        name, ok = SaveFilterDialog.get_value(self, self._spec.text.strip())
        if not ok or not name.strip():
            return None
        try:
            old = self._saved.get(name)
            if old is not None and old.spec != self._spec:
                answer = QMessageBox.question(
                    self,
                    "Replace saved filter",
                    f"A saved filter called “{old.name}” already exists:\n{describe(old.spec, self._labels)}\n\n"
                    "Replace it with the current filter?",
                    QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                    QMessageBox.StandardButton.No,
                )
                if answer != QMessageBox.StandardButton.Yes:
                    return None
            saved = self._saved.save(name, self._spec)
        except AtlasError as exc:
            QMessageBox.warning(self, "Save filter", str(exc))
            return None
        self.rebuild_saved_menu()
        return saved.name

    def delete_saved(self, name: str) -> None:
        try:
            self._saved.delete(name)
        except AtlasError as exc:
            QMessageBox.warning(self, "Delete saved filter", str(exc))
        self.rebuild_saved_menu()
