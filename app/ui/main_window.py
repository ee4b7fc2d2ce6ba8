"""The main window: the composition root that builds the panes, lays them out and wires their signals."""

from __future__ import annotations

from dataclasses import replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QFont, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStyle,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME, __version__
from app.core.atlas import Atlas
from app.core.errors import classify
from app.core.query.filters import FilterSpec, describe
from app.core.query.repository import EntityRow
from app.ui.jobs import JobRunner
from app.ui.pane_widths import share_width
from app.ui.panes.detail_pane import DetailPane
from app.ui.panes.document_view import DocumentReaderView
from app.ui.panes.filter_pane import FilterPane
from app.ui.panes.history import SelectionHistory
from app.ui.panes.list_pane import ListPane
from app.ui.panes.search_results import SearchResultsPane
from app.ui.undo import UndoHistory

if TYPE_CHECKING:
    from app.ui.graph.graph_pane import GraphPane
    from app.ui.timeline.timeline_view import TimelineView

ZOOM_STEPS = (70, 80, 90, 100, 110, 125, 150, 175, 200, 250)
WIDE_WINDOW = 1500  # px: below this, docks marked hide_when_narrow start closed
FACET_DELAY_MS = 150  # facet counts and passage search are heavier than the list: coalesce typing
TAB_KEYS = {"graph": 0, "timeline": 1, "document": 2, "search": 3}
DEFAULT_SIZE = (1280, 800)  # first start, clamped to the screen (a 1366x768 laptop, a taskbar)
# Main splitter panes (filters, list + details, side views): comfortable and minimum widths in px at
# 100 % zoom. A dock that opens takes its room from the panes above their comfortable width.
PANE_COMFORT = (200, 380, 400)
PANE_MINIMUM = (180, 300, 260)


class HostWidget(QWidget):
    """A place another feature fills (graph, timeline); shows a quiet note until a widget arrives."""

    def __init__(self, name: str, note: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAccessibleName(name.replace("_", " "))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.placeholder = QLabel(note, self)
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        lay.addWidget(self.placeholder)

    def childEvent(self, event: Any) -> None:
        super().childEvent(event)
        if event.type() == QEvent.Type.ChildAdded:
            child = event.child()
            placeholder = getattr(self, "placeholder", None)
            if placeholder is not None and isinstance(child, QWidget) and child is not placeholder:
                placeholder.hide()


class MainWindow(QMainWindow):
    """Builds every pane, restores the layout and wires cross-pane signals in one block (_wire)."""

    entity_selected = Signal(str)
    filter_changed = Signal(object)  # FilterSpec
    matches_changed = Signal(object, object)  # FilterSpec, list[EntityRow]: the list's rows, in list order
    data_changed = Signal()  # user data changed (notes, tags): list counts and facets refresh

    def __init__(self, atlas: Atlas, *, settings_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.atlas = atlas
        self.repo = atlas.repo
        self.settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main_window")
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)  # list, facets, passage search, graph (read + layout)
        self.history = SelectionHistory()
        self._current_id: str | None = None
        self._total = self.repo.total_entities()
        self._documents = self.repo.documents()
        self._rows: list[EntityRow] = []
        self._enter_list: bool | None = None  # Down/Enter in the search box, waiting for the rows
        app = QApplication.instance()
        self._base_point_size = (app.font() if isinstance(app, QApplication) else self.font()).pointSizeF()
        self._zoom = 100
        self.menus: dict[str, QMenu] = {}
        self._painted = False
        self._after_paint: list[Any] = []
        self._deferred_pending = 0
        self.docks: dict[str, QDockWidget] = {}
        self.graph_pane: GraphPane | None = None  # built after the first paint (pyqtgraph loads then)
        self.timeline_view: TimelineView | None = None
        self._narrow_hidden: set[str] = set()
        self._status_lasting = False  # the status bar's message outlives a change of selection

        # ---- panes (each its own class; none knows another) ----
        self.filter_pane = FilterPane(
            saved_filters=atlas.user_data.saved_filters,
            year_bounds=self.repo.year_bounds(),
            any_tagged=self.repo.any_entity_tagged,
        )
        self.list_pane = ListPane()
        self.detail_pane = DetailPane()
        self.document_view = DocumentReaderView(load_document=self.repo.get_document, documents=self._documents)
        self.search_pane = SearchResultsPane()
        self.graph_host = HostWidget("graph_host", "The relationship graph appears here.")
        self.timeline_host = HostWidget("timeline_host", "The founding timeline appears here.")
        self.right_tabs = QTabWidget()
        self.right_tabs.setObjectName("right_tabs")
        self.right_tabs.setAccessibleName("Views")
        self.right_tabs.setDocumentMode(True)
        # Every tab shows in full (the pane's minimum width follows the tab bar, see _fit_tabs);
        # should a zoom make that impossible, the titles shorten rather than hide behind arrows.
        self.right_tabs.setUsesScrollButtons(False)
        self.right_tabs.tabBar().setElideMode(Qt.TextElideMode.ElideRight)
        self.right_tabs.addTab(self.graph_host, "Graph")
        self.right_tabs.addTab(self.timeline_host, "Timeline")
        self.right_tabs.addTab(self.document_view, "Document")
        self.right_tabs.addTab(self.search_pane, "Search")
        for i, tip in enumerate(
            (
                "Who is connected to whom (Ctrl+1)",
                "When each was founded (Ctrl+2)",
                "Read the documents with the cited passages highlighted (Ctrl+3)",
                "Passages matching the search (Ctrl+4)",
            )
        ):
            self.right_tabs.setTabToolTip(i, tip)

        self.list_runner = JobRunner(self.pool, on_error=self._on_error, parent=self)
        self.facet_runner = JobRunner(self.pool, on_error=self._on_error, parent=self)
        self.search_runner = JobRunner(self.pool, on_error=self._on_error, parent=self)
        self._facet_timer = QTimer(self)
        self._facet_timer.setSingleShot(True)
        self._facet_timer.setInterval(FACET_DELAY_MS)
        self._facet_timer.timeout.connect(self._refresh_secondary)

        self._build_layout()
        self.undo_history = UndoHistory(
            apply_filter=self.filter_pane.set_spec, tags=atlas.user_data.notes, spec=FilterSpec(), parent=self
        )
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._wire()
        self.list_pane.view.viewport().installEventFilter(self)
        self._restore_filter()
        self.undo_history.start_from(self.filter_pane.spec())
        self._load_initial()
        self._restore_settings()
        self._wire_features()

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

    def _default_sizes(self) -> None:
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
        shown = [i for i, w in enumerate(self.main_splitter.widget(i) for i in range(3)) if not w.isHidden()]
        if len(sizes) != 3 or len(shown) < 2:
            return
        comfort, minimum = self._pane_widths()
        total = sum(sizes[i] for i in shown)
        widths = share_width(total, [sizes[i] for i in shown], [comfort[i] for i in shown], [minimum[i] for i in shown])
        for i, w in zip(shown, widths, strict=True):
            sizes[i] = w
        self.main_splitter.setSizes(sizes)

    def _on_dock_shown(self, dock: QDockWidget, shown: bool) -> None:
        if shown and self._painted and not dock.isFloating():
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

    # ---- actions and menus ----------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Any,
        shortcut: Any = None,
        tip: str = "",
        *,
        checkable: bool = False,
        icon: QStyle.StandardPixmap | None = None,
    ) -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                act.setShortcuts(shortcut)
            else:
                act.setShortcut(shortcut)
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        if icon is not None:
            act.setIcon(self.style().standardIcon(icon))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        SP = QStyle.StandardPixmap
        K = QKeySequence
        self.act_undo = self.undo_history.stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(K(K.StandardKey.Undo))
        self.act_undo.setToolTip("Undo the last filter or tag change (Ctrl+Z)")
        self.act_redo = self.undo_history.stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([K(K.StandardKey.Redo), K("Ctrl+Shift+Z")])
        self.act_redo.setToolTip("Redo the change undone last")
        for act in (self.act_undo, self.act_redo):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # text boxes keep their own Ctrl+Z
            self.addAction(act)
        self.act_quit = self._action("&Quit", self.close, K(K.StandardKey.Quit), "Quit Alliance Atlas")
        if self.act_quit.shortcut().isEmpty():
            self.act_quit.setShortcut(K("Ctrl+Q"))
        self.act_find = self._action(
            "&Find…",
            self.find,
            K(K.StandardKey.Find),
            "Search entities and documents (in the document view: find in the document)",
        )
        self.act_clear_search = self._action(
            "Clear &search", self.filter_pane.clear_search, None, "Empty the search box"
        )
        self.act_clear_filters = self._action(
            "C&lear all filters",
            self.filter_pane.clear,
            K("Ctrl+Shift+Backspace"),
            "Show all entities",
            icon=SP.SP_DialogResetButton,
        )
        self.act_save_filter = self._action(
            "Sa&ve filter…", self.filter_pane.save_current, K("Ctrl+S"), "Save the current filter under a name"
        )
        self.act_copy = self._action(
            "&Copy names", self.list_pane.copy_names, None, "Copy the selected entities' names"
        )
        self.act_back = self._action(
            "&Back", self.go_back, K("Alt+Left"), "Back to the previous entity (Alt+Left)", icon=SP.SP_ArrowBack
        )
        self.act_forward = self._action(
            "&Forward", self.go_forward, K("Alt+Right"), "Forward (Alt+Right)", icon=SP.SP_ArrowForward
        )
        self.act_goto = self._action("&Go to entity…", self.go_to_entity, K("Ctrl+L"), "Jump to an entity by name")
        self.act_focus_list = self._action(
            "&List", lambda: self.list_pane.setFocus(), K("Ctrl+Shift+L"), "Focus the list"
        )
        self.act_focus_detail = self._action(
            "&Details", lambda: self.detail_pane.setFocus(), K("Ctrl+Shift+D"), "Focus the details"
        )
        self.act_zoom_in = self._action(
            "Zoom &in", self.zoom_in, [K(K.StandardKey.ZoomIn), K("Ctrl+=")], "Larger text (Ctrl+=)"
        )
        self.act_zoom_out = self._action("Zoom &out", self.zoom_out, K(K.StandardKey.ZoomOut), "Smaller text (Ctrl+-)")
        self.act_zoom_reset = self._action("&Actual size", lambda: self._zoom_to(100), K("Ctrl+0"), "Normal text size")
        self.act_reset_layout = self._action(
            "&Reset layout", self.reset_layout, None, "Show every pane at its default size"
        )
        self.act_show_filters = self._action(
            "&Filters",
            lambda on: self.filter_pane.setVisible(on),
            K("Ctrl+Shift+F"),
            "Show or hide the filter pane",
            checkable=True,
        )
        self.act_show_detail = self._action(
            "&Details pane",
            lambda on: self.detail_pane.setVisible(on),
            None,
            "Show or hide the details",
            checkable=True,
        )
        self.act_show_right = self._action(
            "&Side views",
            lambda on: self.right_tabs.setVisible(on),
            None,
            "Show or hide the graph, timeline, document and search views",
            checkable=True,
        )
        self.tab_actions = []
        for key, index in TAB_KEYS.items():
            act = self._action(
                f"{key.capitalize()} view",
                lambda _=False, i=index: self.show_tab(i),
                K(f"Ctrl+{index + 1}"),
                f"Show the {key} view",
            )
            self.tab_actions.append(act)
        self.act_about = self._action(f"&About {APP_NAME}", self.show_about, None, "Version, database and documents")
        self.act_shortcuts = self._action(
            "&Keyboard shortcuts", self.show_shortcuts, K("F1"), "List the keyboard shortcuts"
        )
        for act in (self.act_show_filters, self.act_show_detail, self.act_show_right):
            act.setChecked(True)
        self._update_history_actions()

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus["file"] = bar.addMenu("&File")
        self.menus["edit"] = bar.addMenu("&Edit")
        self.menus["view"] = bar.addMenu("&View")
        self.menus["go"] = bar.addMenu("&Go")
        self.menus["help"] = bar.addMenu("&Help")
        for name, menu in self.menus.items():
            menu.setObjectName(f"menu_{name}")
        f = self.menus["file"]
        f.addAction(self.act_save_filter)
        f.addMenu(self.filter_pane.saved_menu)  # recall and delete, also with the filter pane hidden
        f.addSeparator()
        self._file_quit_separator = f.addSeparator()
        f.addAction(self.act_quit)
        e = self.menus["edit"]
        e.addAction(self.act_undo)
        e.addAction(self.act_redo)
        e.addSeparator()
        e.addAction(self.act_find)
        e.addAction(self.act_clear_search)
        e.addAction(self.act_clear_filters)
        e.addSeparator()
        e.addAction(self.act_copy)
        v = self.menus["view"]
        for act in (self.act_show_filters, self.act_show_detail, self.act_show_right):
            v.addAction(act)
        self.panels_menu = v.addMenu("&Panels")
        self.panels_menu.setObjectName("menu_panels")
        self._dock_areas: dict[str, Qt.DockWidgetArea] = {}
        v.addSeparator()
        for act in self.tab_actions:
            v.addAction(act)
        v.addSeparator()
        v.addAction(self.act_zoom_in)
        v.addAction(self.act_zoom_out)
        v.addAction(self.act_zoom_reset)
        v.addSeparator()
        v.addAction(self.act_reset_layout)
        g = self.menus["go"]
        g.addAction(self.act_back)
        g.addAction(self.act_forward)
        g.addSeparator()
        g.addAction(self.act_goto)
        g.addAction(self.act_focus_list)
        g.addAction(self.act_focus_detail)
        h = self.menus["help"]
        h.addAction(self.act_shortcuts)
        h.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar("Toolbar", self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.act_back)
        self.toolbar.addAction(self.act_forward)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.act_clear_filters)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.panels_menu.addAction(self.toolbar.toggleViewAction())

    def _build_status(self) -> None:
        self.count_label = QLabel("")
        self.count_label.setObjectName("entity_count")
        self.count_label.setAccessibleName("Matching entities")
        self.statusBar().addPermanentWidget(self.count_label)

    # ---- wiring: every cross-pane connection, in one place --------------------------------
    def _wire(self) -> None:
        fp, lp, dp, dv, sp = self.filter_pane, self.list_pane, self.detail_pane, self.document_view, self.search_pane
        fp.spec_changed.connect(self._on_spec_changed)
        fp.results_requested.connect(self._enter_list_from_search)
        lp.entity_chosen.connect(self.select_entity)
        lp.entity_opened.connect(self.open_entity)
        lp.sort_requested.connect(fp.set_sort)
        lp.clear_filters_requested.connect(fp.clear)
        dp.entity_link_activated.connect(self.select_entity)
        dp.open_passage_requested.connect(self.open_passage)
        dv.entity_link_activated.connect(self.select_entity)
        sp.entity_link_activated.connect(self.select_entity)
        sp.open_passage_requested.connect(
            lambda doc, s, e, q: self.open_passage(doc, s, e, q, terms=self.filter_pane.spec().text)
        )
        self.data_changed.connect(self._on_data_changed)
        self.undo_history.tags_changed.connect(self._on_tags_undone)
        self.undo_history.failed.connect(lambda msg: self.show_status(msg, 10000))

    def _wire_features(self) -> None:
        """Each feature (graph, timeline, notes, exports) adds its few wiring lines here.

        Heavy modules (pyqtgraph, networkx) must be imported after the first paint: pass a callable
        to ``self.after_first_paint(...)`` (a singleShot(0) can run before the window is painted).
        """
        self.after_first_paint(self.filter_pane.finish_deferred)
        self.after_first_paint(self._install_graph)
        if self.width() >= WIDE_WINDOW:  # the notes dock shows at once: build it before the first paint
            self._install_notes()
        else:  # it starts closed (hide_when_narrow): build it just after
            self.after_first_paint(self._install_notes)
        self.after_first_paint(self._install_exports)
        self._install_sources()

    def _install_sources(self) -> None:
        """Your own sources: File > Import documents…, Suggestions…, drag and drop, Cite as…."""
        self.import_controller = __import__("app.ui.sources", fromlist=["install"]).install(self)

    def _install_graph(self) -> None:
        """The graph and the timeline: pyqtgraph loads here, after the first paint; the graph reads
        and lays out the network on a worker thread and draws when that is done."""
        from app.ui.graph.graph_pane import GraphPane
        from app.ui.timeline.timeline_view import TimelineView

        pane = GraphPane(
            repo=self.repo,
            positions=self.atlas.user_data.graph_positions,
            settings=self.settings,  # the layout chosen comes back next session
            pool=self.pool,  # drained when the window closes
            parent=self.graph_host,
        )
        self.graph_host.layout().addWidget(pane)
        timeline = TimelineView(repo=self.repo, parent=self.timeline_host)
        self.timeline_host.layout().addWidget(timeline)
        self.graph_pane, self.timeline_view = pane, timeline
        pane.entity_selected.connect(self.select_entity)
        timeline.entity_selected.connect(self.select_entity)
        # Choosing the selected entity again re-centres the graph on it: the window answers a repeat
        # without entity_selected, so listen to where choices come from (after the window, which
        # connected first: a new choice is centred by select_entity, recentre then finds it in place).
        for chosen in (
            timeline.entity_selected,
            self.list_pane.entity_opened,  # Enter or double-click on the current row
            self.detail_pane.entity_link_activated,
            self.document_view.entity_link_activated,
            self.search_pane.entity_link_activated,
        ):
            chosen.connect(pane.recentre)
        self.entity_selected.connect(pane.select_entity)
        self.entity_selected.connect(timeline.select_entity)
        # The list's finished query drives both: no extra query per keystroke on the GUI thread.
        self.matches_changed.connect(pane.set_matches)
        self.matches_changed.connect(timeline.queue_rows)
        pane.status_message.connect(self.show_status)
        pane.connection_found.connect(self.detail_pane.show_connection)
        view = self.menus["view"]
        view.addSeparator()
        for act in (pane.fit_action, pane.reset_action, pane.why_action, pane.clear_chain_action):
            view.addAction(act)
        spec = self.current_spec()
        pane.set_matches(spec, self.current_rows())
        timeline.queue_rows(spec, self.current_rows())
        if self._current_id:
            pane.select_entity(self._current_id)
            timeline.select_entity(self._current_id)

    def _install_notes(self) -> None:
        self.notes_pane = __import__("app.ui.notes.notes_pane", fromlist=["install"]).install(self)

    def _install_exports(self) -> None:
        self.export_actions = __import__("app.ui.report.export_dialog", fromlist=["install"]).install(self)

    def is_ready(self) -> bool:
        """True once painted and every after-first-paint step has run (tests, screenshots)."""
        graph = self.graph_pane
        return (
            self._painted
            and self._deferred_pending == 0
            and not self.facet_runner.busy
            and (graph is None or graph.is_ready())
        )

    def after_first_paint(self, fn: Any) -> None:
        """Run ``fn`` once the window has been painted for the first time (or soon, if it already was)."""
        self._deferred_pending += 1

        def run() -> None:
            try:
                fn()
            finally:
                self._deferred_pending -= 1

        if self._painted:
            QTimer.singleShot(0, self, run)
            return
        self._after_paint.append(run)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._painted and obj is self.list_pane.view.viewport():
            self._painted = True
            obj.removeEventFilter(self)
            pending, self._after_paint = self._after_paint, []
            for fn in pending:
                QTimer.singleShot(0, self, fn)
        return super().eventFilter(obj, event)

    # ---- data flow ------------------------------------------------------------------------
    def _load_initial(self) -> None:
        """The first paint needs the list: load it now; the facet counts follow from a worker."""
        spec = self.filter_pane.spec()
        self.act_save_filter.setEnabled(not spec.is_empty())
        self._show_rows(spec, self.repo.list_entities(spec))
        # Facet counts take seconds at 100,000 entities: never before the first paint.
        repo = self.repo
        self.facet_runner.submit(lambda: repo.facet_counts(spec), self.filter_pane.set_facet_counts)

    def _on_spec_changed(self, spec: FilterSpec) -> None:
        self.undo_history.filter_changed(spec)
        self._drop_stale_status()
        self.act_save_filter.setEnabled(not spec.is_empty())  # nothing to save in "all entities"
        self.refresh_list()
        self._facet_timer.start()
        self.filter_changed.emit(spec)

    def refresh_list(self) -> None:
        spec = self.filter_pane.spec()
        repo = self.repo
        self.list_runner.submit(lambda: repo.list_entities(spec), lambda rows: self._show_rows(spec, rows))

    def _refresh_secondary(self) -> None:
        spec = self.filter_pane.spec()
        repo = self.repo
        self.facet_runner.submit(lambda: repo.facet_counts(spec), self.filter_pane.set_facet_counts)
        text = spec.text.strip()

        def search() -> tuple[str, list[Any], list[EntityRow], list[str]]:
            if not text:
                return text, [], [], []
            found = repo.passage_search(text, limit=50, typing=spec.typing)
            ranked = replace(spec, sort="rank", descending=False)
            # "No passage has all of …; showing passages with some of them." and the same for entities.
            messages = [m for m in (repo.entity_search_message(ranked), found.message) if m]
            return (
                text,
                list(found.hits),
                # The list's entities (the facets apply), best match first.
                repo.list_entities(ranked, limit=200),
                messages,
            )

        self.search_runner.submit(search, self._show_search)

    def _show_rows(self, spec: FilterSpec, rows: list[EntityRow]) -> None:
        self._rows = rows
        self.list_pane.set_sort_indicator(spec.sort, spec.descending)
        self.list_pane.set_empty_message(f"No entities match.\n{describe(spec, self.filter_pane.labels())}")
        self.list_pane.set_rows(rows, keep=self._current_id)
        n = len(rows)
        self.count_label.setText(f"{n:,} of {self._total:,} entities")
        self.matches_changed.emit(spec, rows)
        if self._enter_list is not None and not self.list_runner.busy:
            open_it, self._enter_list = self._enter_list, None
            self._enter_list_from_search(open_it)

    def _enter_list_from_search(self, open_it: bool) -> None:
        """Down or Enter in the search box: into the list (Enter also opens the entity named as
        typed, by name or alias, or else the best-ranked match), once the list shows the rows for
        what was typed."""
        if self.list_runner.busy:
            self._enter_list = open_it
            return
        if not self._rows:
            self.show_status("No entities match this search.", 4000)
            return
        prefer = None
        typed = self.filter_pane.search.text().strip()
        if open_it and typed:
            # The entity named (by name or alias: "Quad", "U.S.") if it is listed, else the best match.
            prefer = self.repo.resolve(typed)
            if prefer is None or self.list_pane.model.row_for_id(prefer) is None:
                spec = replace(self.filter_pane.spec(), sort="rank", descending=False)
                best = self.repo.list_entities(spec, limit=1)
                prefer = best[0].id if best else None
        self.list_pane.enter_from_search(open_it, prefer)

    def _show_search(self, result: tuple[str, list[Any], list[EntityRow], list[str]]) -> None:
        text, hits, entities, messages = result
        self.search_pane.show_results(text, hits, entities, messages=messages)
        if messages:
            self.show_status(" ".join(messages), 6000)
        self.right_tabs.setTabText(TAB_KEYS["search"], f"Search ({len(hits)})" if text else "Search")
        self._fit_tabs()

    def _on_data_changed(self) -> None:
        self.undo_history.data_changed()  # a tag change becomes an Edit > Undo step
        self.refresh_list()
        self._facet_timer.start()
        if self._current_id:
            self.detail_pane.show_entity(self.repo.get_entity(self._current_id))

    def _on_tags_undone(self) -> None:
        """Edit > Undo or Redo changed tags: every pane that shows them reads them again."""
        self.data_changed.emit()
        feature = getattr(self, "notes_feature", None)
        if feature is not None:
            feature.pane.reload()

    def _on_error(self, exc: BaseException) -> None:
        """A background query failed: an environmental cause (a damaged, locked or vanished database,
        a full disk) is said in the status bar; anything else is a bug and is raised."""
        err = classify(exc, "the database")
        if err is None:
            raise exc
        self.show_status(str(err), 10000)

    # ---- public API -----------------------------------------------------------------------
    def current_spec(self) -> FilterSpec:
        return self.filter_pane.spec()

    def current_rows(self) -> list[EntityRow]:
        """The entities the list shows now (the last finished query), in list order."""
        return list(self._rows)

    def selected_ids(self) -> list[str]:
        return self.list_pane.selected_ids()

    def current_entity_id(self) -> str | None:
        return self._current_id

    def select_entity(self, entity_id: str, *, record: bool = True) -> bool:
        """Select ``entity_id`` in every pane and record it in the history. False if unknown."""
        if entity_id == self._current_id:
            self.list_pane.set_current(entity_id)
            return True
        detail = self.repo.get_entity(entity_id)
        if detail is None:
            self.show_status(f"No entity called '{entity_id}'.")
            return False
        self._current_id = entity_id
        self._drop_stale_status()
        if record:
            self.history.visit(entity_id)
        listed = self.list_pane.set_current(entity_id)
        self.detail_pane.show_entity(detail)
        self._update_history_actions()
        if not listed and self._rows:
            self.show_status(f"{detail.name} is not in the filtered list.")
        self.entity_selected.emit(entity_id)
        return True

    def open_entity(self, entity_id: str) -> None:
        """Enter or double-click: select it and move to its details."""
        if self.select_entity(entity_id):
            self.detail_pane.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_passage(self, document_id: str, start: int, end: int, quote: str = "", *, terms: str = "") -> None:
        self.right_tabs.setCurrentWidget(self.document_view)
        if not self.right_tabs.isVisible():
            self.act_show_right.setChecked(True)
            self.right_tabs.show()
        if not self.document_view.show_passage(document_id, start, end, quote, terms=terms):
            self.show_status(f"The document '{document_id}' is not in the database.")

    def show_status(self, message: str, timeout_ms: int = 4000) -> None:
        """A message in the status bar. A short one (under 10 s) is about the moment: it goes when the
        selection or the filter changes, so it never names the entity selected before."""
        self._status_lasting = timeout_ms == 0 or timeout_ms >= 10000
        self.statusBar().showMessage(message, timeout_ms)

    def _drop_stale_status(self) -> None:
        if not self._status_lasting and self.statusBar().currentMessage():
            self.statusBar().clearMessage()

    def show_tab(self, tab: int | str) -> None:
        index = TAB_KEYS[tab] if isinstance(tab, str) else tab
        if not self.right_tabs.isVisible():
            self.act_show_right.setChecked(True)
            self.right_tabs.show()
        self.right_tabs.setCurrentIndex(index)

    def find(self) -> None:
        """Ctrl+F: find in the document when reading it, otherwise focus the search box."""
        focus = QApplication.focusWidget()
        if focus is not None and self.document_view.isAncestorOf(focus) and self.document_view.isVisible():
            self.document_view.start_find()
        else:
            if not self.filter_pane.isVisible():
                self.act_show_filters.setChecked(True)
                self.filter_pane.show()
            self.filter_pane.focus_search()

    # ---- history --------------------------------------------------------------------------
    def go_back(self) -> None:
        target = self.history.back()
        if target:
            self.select_entity(target, record=False)
        self._update_history_actions()

    def go_forward(self) -> None:
        target = self.history.forward()
        if target:
            self.select_entity(target, record=False)
        self._update_history_actions()

    def _update_history_actions(self) -> None:
        self.act_back.setEnabled(self.history.can_go_back())
        self.act_forward.setEnabled(self.history.can_go_forward())

    def go_to_entity(self) -> None:
        names = self.repo.entity_names()
        choices = sorted(names.values(), key=str.casefold)
        name, ok = QInputDialog.getItem(self, "Go to entity", "Entity:", choices, 0, True)
        if ok and name:
            eid = self.repo.resolve(name)
            if eid is None:
                self.show_status(f"No entity called '{name}'.")
            else:
                self.select_entity(eid)

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
        indicators = "QCheckBox::indicator, QRadioButton::indicator, QAbstractItemView::indicator"
        self.setStyleSheet(
            ""
            if percent == 100
            else f"QWidget {{ font-size: {size:.1f}pt; }} {indicators} {{ width: {box}px; height: {box}px; }}"
        )
        self._fit_tabs()
        self.act_zoom_in.setEnabled(percent < ZOOM_STEPS[-1])
        self.act_zoom_out.setEnabled(percent > ZOOM_STEPS[0])
        if percent != 100:
            self.show_status(f"Zoom {percent}%")

    def zoom_in(self) -> None:
        self._zoom_to(next((z for z in ZOOM_STEPS if z > self._zoom), ZOOM_STEPS[-1]))

    def zoom_out(self) -> None:
        self._zoom_to(next((z for z in reversed(ZOOM_STEPS) if z < self._zoom), ZOOM_STEPS[0]))

    def _zoom_to(self, percent: int) -> None:
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
        self._default_sizes()
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
            zoom = int(s.value("view/zoom", 100))
        except (TypeError, ValueError):
            zoom = 100
        if zoom != 100:
            self.set_zoom(zoom)
        try:
            tab = int(s.value("view/tab", 0))
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
        self._default_sizes()
        self.show_status("Layout reset")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_tabs()  # its cap follows the window's width

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self._facet_timer.stop()
        self.pool.waitForDone(5000)
        super().closeEvent(event)

    # ---- dialogs --------------------------------------------------------------------------
    def about_html(self) -> str:
        meta = self.atlas.meta
        docs = "".join(f"<li>{escape(d.title)} <small>({escape(d.file_name)})</small></li>" for d in self._documents)
        return (
            f"<h3>{APP_NAME} {escape(__version__)}</h3>"
            "<p>An offline, cited reference on military alliances and partnerships. "
            "Every fact shown links to the quote it comes from.</p>"
            f"<p><b>Reference database:</b> schema version {escape(meta.get('schema_version', '?'))}, "
            f"seed corpus {escape(meta.get('seed_hash', '?'))}, "
            f"built by version {escape(meta.get('app_version', '?'))}<br>"
            f"{escape(meta.get('entities', '?'))} entities, {escape(meta.get('facts', '?'))} facts, "
            f"{escape(meta.get('citations', '?'))} citations, {escape(meta.get('documents', '?'))} documents.</p>"
            f"<p><b>Seed documents:</b></p><ul>{docs}</ul>"
            f"<p><small>Data folder: {escape(str(self.atlas.paths.root))}</small></p>"
        )

    def show_about(self) -> None:
        QMessageBox.about(self, f"About {APP_NAME}", self.about_html())

    def shortcuts_html(self) -> str:
        rows = []
        for menu in self.menus.values():
            for act in menu.actions():
                if act.shortcut().isEmpty():
                    continue
                keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in act.shortcuts())
                rows.append(f"<tr><td><b>{escape(keys)}</b></td><td>{escape(act.text().replace('&', ''))}</td></tr>")
        rows.append("<tr><td><b>Esc</b></td><td>Clear the search box</td></tr>")
        rows.append("<tr><td><b>Down</b></td><td>From the search box to the results</td></tr>")
        rows.append(
            "<tr><td><b>Enter</b></td><td>In the search box: open the entity named, or the best match</td></tr>"
        )
        rows.append("<tr><td><b>Enter</b></td><td>Open the entity in the list</td></tr>")
        rows.append("<tr><td><b>Space</b></td><td>Check or uncheck a facet value</td></tr>")
        return "<table cellpadding='3'>" + "".join(rows) + "</table>"

    def show_shortcuts(self) -> None:
        from app.ui.shortcuts_dialog import ShortcutsDialog

        ShortcutsDialog.show_for(self, self.shortcuts_html())
