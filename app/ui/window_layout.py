"""The main window's layout: splitters, docks, zoom, and the settings that restore them."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QSplitter,
    QWidget,
)

from app.core.query.filters import FilterSpec
from app.ui.pane_widths import share_width
from app.ui.window_parts import WindowParts

ZOOM_STEPS = (70, 80, 90, 100, 110, 125, 150, 175, 200, 250)
WIDE_WINDOW = 1500  # px: below this, docks marked hide_when_narrow start closed
FACET_DELAY_MS = 150  # facet counts and passage search are heavier than the list: coalesce changes
TYPING_DELAY_MS = 300  # ...and wait for a pause in typing (a typist's keys come 150-250 ms apart)
TAB_KEYS = {"graph": 0, "timeline": 1, "document": 2, "search": 3}
DEFAULT_SIZE = (1280, 800)  # first start, clamped to the screen (a 1366x768 laptop, a taskbar)
# Main splitter panes (filters, list + details, side views): comfortable and minimum widths in px at
# 100 % zoom. A dock that opens takes its room from the panes above their comfortable width.
PANE_COMFORT = (200, 380, 400)
PANE_MINIMUM = (180, 300, 260)


class WindowLayoutMixin(WindowParts):
    """Part of MainWindow (see app.ui.main_window): where the panes sit and how big they are."""

    # ---- layout ---------------------------------------------------------------------------
    def _build_layout(self) -> None:
        self.middle_splitter = QSplitter(Qt.Orientation.Vertical)
        self.middle_splitter.setObjectName("middle_splitter")
        self.middle_splitter.addWidget(self.list_pane)
        self.middle_splitter.addWidget(self.detail_pane)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.setObjectName("main_splitter")
        self.main_splitter.addWidget(self.filter_pane)
        self.main_splitter.addWidget(self.middle_splitter)
        self.main_splitter.addWidget(self.right_tabs)
        for i, stretch in enumerate((0, 1, 1)):
            self.main_splitter.setStretchFactor(i, stretch)
        self.main_splitter.setChildrenCollapsible(False)
        self.middle_splitter.setChildrenCollapsible(False)
        self.filter_pane.setMinimumWidth(PANE_MINIMUM[0])
        self.list_pane.setMinimumSize(PANE_MINIMUM[1], 100)
        self.detail_pane.setMinimumHeight(100)
        self._fit_tabs()
        self.setCentralWidget(self.main_splitter)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

    def _default_size(self) -> tuple[int, int]:
        """1280x800 where it fits; on a smaller screen (1366x768 less a taskbar), the screen's room."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is None:
            return DEFAULT_SIZE
        room = screen.availableGeometry()
        frame = 40  # title bar and borders the window manager adds around the window
        return min(DEFAULT_SIZE[0], room.width()), min(DEFAULT_SIZE[1], room.height() - frame)

    def apply_default_sizes(self) -> None:
        """Every pane at its default size for the window's present width (first start, Reset layout)."""
        w = max(self.width(), 900)
        left = max(220, min(290, int(w * 0.175)))
        right = int((w - left) * (0.39 if w < 1500 else 0.45))
        self.main_splitter.setSizes([left, w - left - right, right])
        h = max(self.height() - 80, 400)
        self.middle_splitter.setSizes([int(h * 0.42), h - int(h * 0.42)])
        self.document_view.splitter.setSizes([170, 600])
        self.document_view.fit_outline()
        self._fit_docks_to_width()

    def _fit_tabs(self) -> None:
        """The side views are at least as wide as their tab bar, so no tab hides behind scroll arrows."""
        bar = self.right_tabs.tabBar()
        scale = self._zoom / 100
        need = max(int(PANE_MINIMUM[2] * scale), bar.sizeHint().width() + 4)
        self.right_tabs.setMinimumWidth(min(need, max(PANE_MINIMUM[2], self.width() // 3)))

    def _pane_widths(self) -> tuple[list[int], list[int]]:
        """Comfortable and minimum widths of the main splitter's panes, at the current zoom."""
        scale = self._zoom / 100
        comfort = [int(c * scale) for c in PANE_COMFORT]
        minimum = [self.filter_pane.minimumWidth(), self.list_pane.minimumWidth(), self.right_tabs.minimumWidth()]
        return [max(c, m) for c, m in zip(comfort, minimum, strict=True)], minimum

    def make_room(self) -> None:
        """After a dock opens (or the window narrows): panes below their comfortable width take the
        room from the panes above theirs, instead of the document column shrinking to a sliver."""
        sizes = self.main_splitter.sizes()
        panes = [self.main_splitter.widget(i) for i in range(3)]
        shown = [i for i, w in enumerate(panes) if w is not None and not w.isHidden()]
        if len(sizes) != 3 or len(shown) < 2:
            return
        comfort, minimum = self._pane_widths()
        total = sum(sizes[i] for i in shown)
        widths = share_width(total, [sizes[i] for i in shown], [comfort[i] for i in shown], [minimum[i] for i in shown])
        for i, w in zip(shown, widths, strict=True):
            sizes[i] = w
        self.main_splitter.setSizes(sizes)

    def _on_dock_shown(self, dock: QDockWidget, shown: bool) -> None:
        if shown and self.start_sequence.painted and not dock.isFloating():
            QTimer.singleShot(0, self, self.make_room)  # once the main window has laid the dock out

    def _fit_docks_to_width(self) -> None:
        """On a narrow window (a laptop, a projector at 1280 px) side docks start closed, so the
        graph keeps a usable width; their toolbar buttons and View > Panels bring them back."""
        wide = self.width() >= WIDE_WINDOW
        for name in self._narrow_hidden:
            dock = self.docks.get(name)
            if dock is not None and not dock.isFloating():
                dock.setVisible(wide)

    def add_dock(
        self,
        widget: QWidget,
        title: str,
        object_name: str,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea,
        *,
        hide_when_narrow: bool = False,
    ) -> QDockWidget:
        """Add a feature's pane as a dock (restored from settings, listed under View > Panels).

        ``hide_when_narrow``: the dock starts closed when the window is narrower than WIDE_WINDOW
        and nothing was saved for it (and after View > Reset layout)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(object_name)
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        dock.visibilityChanged.connect(lambda shown, d=dock: self._on_dock_shown(d, shown))
        self.docks[object_name] = dock
        self._dock_areas[object_name] = area
        self.panels_menu.addAction(dock.toggleViewAction())
        # Docks arrive after restoreState() (features are wired last): place them as they were saved.
        if hide_when_narrow:
            self._narrow_hidden.add(object_name)
        if not self.restoreDockWidget(dock):
            self.addDockWidget(area, dock)
            if hide_when_narrow and self.width() < WIDE_WINDOW:
                dock.hide()
        return dock

    # ---- zoom -----------------------------------------------------------------------------
    @property
    def zoom(self) -> int:
        return self._zoom

    def set_zoom(self, percent: int) -> None:
        percent = max(ZOOM_STEPS[0], min(ZOOM_STEPS[-1], int(percent)))
        self._zoom = percent
        size = self._base_point_size * percent / 100
        font = QFont(self.font())
        font.setPointSizeF(size)
        self.setFont(font)
        # Under the application style sheet Qt stops passing a parent's font on to its children, so
        # the size also goes in a window-level style sheet, which every pane, dock and dialog inherits.
        # Tick boxes and option circles grow too (a 13 px box beside 24 px text is hard to hit).
        box = round(13 * percent / 100)
        # In a list the text is placed from the style's own indicator width, not the style sheet's, so
        # list items get as much left padding as their tick box grew, or the box would cover the text.
        indicators = "QCheckBox::indicator, QRadioButton::indicator, QAbstractItemView::indicator"
        item_indicator = f"QListView::item {{ padding-left: {max(0, box - 13)}px; }}"
        self.setStyleSheet(
            ""
            if percent == 100
            else f"QWidget {{ font-size: {size:.1f}pt; }} {indicators} {{ width: {box}px; height: {box}px; }} "
            + item_indicator
        )
        self._fit_tabs()
        self.act_zoom_in.setEnabled(percent < ZOOM_STEPS[-1])
        self.act_zoom_out.setEnabled(percent > ZOOM_STEPS[0])
        if percent != 100:
            self.show_status(f"Zoom {percent}%")

    def zoom_in(self) -> None:
        self.zoom_to(next((z for z in ZOOM_STEPS if z > self._zoom), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self.zoom_to(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom), ZOOM_STEPS[0]))

    def zoom_to(self, percent: int) -> None:
        """Zoom from the menu: the filter pane widens with its text (facet names and counts stay
        readable on a projector), taking the room from the list; a restored layout is left as saved."""
        old = self._zoom
        self.set_zoom(percent)
        sizes = self.main_splitter.sizes()
        if len(sizes) == 3 and sizes[0] > 0 and self._zoom != old:
            total = sum(sizes)
            left = int(sizes[0] * self._zoom / old)
            left = max(180, min(left, int(total * 0.4), sizes[0] + sizes[1] - 200))
            self.main_splitter.setSizes([left, sizes[0] + sizes[1] - left, sizes[2]])

    # ---- settings -------------------------------------------------------------------------
    def _restore_filter(self) -> None:
        """The filter, search text and sort of the last session (the list loads with them)."""
        raw = self.settings.value("session/filter", "")
        if not raw:
            return
        try:
            spec = FilterSpec.from_json(str(raw))
        except ValueError:
            return  # from another version: start with all entities rather than fail
        self.filter_pane.blockSignals(True)  # _load_initial queries it once, synchronously
        try:
            self.filter_pane.set_spec(spec)
        finally:
            self.filter_pane.blockSignals(False)

    def _restore_selection(self) -> None:
        entity_id = str(self.settings.value("session/entity", "") or "")
        if entity_id and self.list_pane.model.row_for_id(entity_id) is not None:
            self.after_first_paint(lambda: self._current_id is None and self.select_entity(entity_id))

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(*self._default_size())
        self.apply_default_sizes()
        for key, splitter in (
            ("window/main_splitter", self.main_splitter),
            ("window/middle_splitter", self.middle_splitter),
            ("window/document_splitter", self.document_view.splitter),
        ):
            state = s.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        for key, act, pane in (
            ("view/filters", self.act_show_filters, self.filter_pane),
            ("view/detail", self.act_show_detail, self.detail_pane),
            ("view/side", self.act_show_right, self.right_tabs),
        ):
            visible = str(s.value(key, "true")).lower() != "false"
            act.setChecked(visible)
            pane.setVisible(visible)
        try:
            zoom = int(str(s.value("view/zoom", 100)))
        except (TypeError, ValueError):
            zoom = 100
        if zoom != 100:
            self.set_zoom(zoom)
        try:
            tab = int(str(s.value("view/tab", 0)))
        except (TypeError, ValueError):
            tab = 0
        self.right_tabs.setCurrentIndex(tab if 0 <= tab < self.right_tabs.count() else 0)
        self._restore_selection()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/main_splitter", self.main_splitter.saveState())
        s.setValue("window/middle_splitter", self.middle_splitter.saveState())
        s.setValue("window/document_splitter", self.document_view.splitter.saveState())
        s.setValue("view/filters", self.act_show_filters.isChecked())
        s.setValue("view/detail", self.act_show_detail.isChecked())
        s.setValue("view/side", self.act_show_right.isChecked())
        s.setValue("view/zoom", self._zoom)
        s.setValue("view/tab", self.right_tabs.currentIndex())
        # The session: the window reopens on the same filter, sort and entity.
        s.setValue("session/filter", self.filter_pane.spec().to_json())
        s.setValue("session/entity", self._current_id or "")
        s.sync()

    def reset_layout(self) -> None:
        for act, pane in (
            (self.act_show_filters, self.filter_pane),
            (self.act_show_detail, self.detail_pane),
            (self.act_show_right, self.right_tabs),
        ):
            act.setChecked(True)
            pane.show()
        self.toolbar.show()
        for name, dock in self.docks.items():
            dock.setFloating(False)
            self.addDockWidget(self._dock_areas.get(name, Qt.DockWidgetArea.RightDockWidgetArea), dock)
            dock.show()
        self.apply_default_sizes()
        self.show_status("Layout reset")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_tabs()  # its cap follows the window's width
