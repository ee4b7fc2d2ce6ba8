"""What the main window's parts share: the attributes and methods its layout and menu halves use.

MainWindow is written in three files (main_window: panes, wiring and data flow; window_layout:
splitters, docks, zoom and settings; window_menus: actions, menus and Help). This base names what
each half reads of the others, so the type checker can follow them; MainWindow defines it all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QTabWidget, QToolBar

if TYPE_CHECKING:
    from app.core.atlas import Atlas
    from app.core.query.filters import FilterSpec
    from app.core.query.matches import EntityMatches
    from app.core.query.repository import DocumentInfo, Repository
    from app.ui.datasets.as_of import AsOfControl
    from app.ui.datasets.feature import DatasetsFeature
    from app.ui.graph.graph_pane import GraphPane
    from app.ui.host_widget import HostWidget
    from app.ui.jobs import JobRunner
    from app.ui.lessons import LessonFeature
    from app.ui.notes.notes_feature import NotesFeature
    from app.ui.notes.notes_pane import NotesPane
    from app.ui.panes.detail_pane import DetailPane
    from app.ui.panes.document_view import DocumentReaderView
    from app.ui.panes.filter_pane import FilterPane
    from app.ui.panes.list_pane import ListPane
    from app.ui.panes.search_results import SearchResultsPane
    from app.ui.report.export_dialog import ExportActions
    from app.ui.sources import ImportController, SourcesFeature
    from app.ui.timeline.timeline_view import TimelineView
    from app.ui.undo import UndoHistory
    from app.ui.window_start import StartSequence


class WindowParts(QMainWindow):
    """The window's signals, and declarations of what its parts share (see the module docstring)."""

    entity_selected = Signal(str)
    filter_changed = Signal(object)  # FilterSpec
    # FilterSpec, EntityMatches: the list's rows in list order (a sequence of EntityRow read as it is
    # indexed; its ``ids`` are all known: take those where ids are enough, as the graph does).
    matches_changed = Signal(object, object)
    data_changed = Signal()  # user data changed (notes, tags): list counts and facets refresh

    repo: Repository
    pool: QThreadPool
    timeline_runner: JobRunner
    graph_host: HostWidget
    timeline_host: HostWidget
    search_pane: SearchResultsPane
    file_actions_anchor: QAction
    graph_pane: GraphPane | None
    timeline_view: TimelineView | None
    notes_feature: NotesFeature | None
    notes_pane: NotesPane | None
    export_actions: ExportActions | None
    import_controller: ImportController
    sources_feature: SourcesFeature
    lesson_feature: LessonFeature | None
    datasets_feature: DatasetsFeature
    as_of_control: AsOfControl
    as_of_label: QLabel
    _total: int
    act_import_documents: QAction
    act_cite_as: QAction
    atlas: Atlas
    settings: QSettings
    menus: dict[str, QMenu]
    panels_menu: QMenu
    toolbar: QToolBar
    docks: dict[str, QDockWidget]
    _dock_areas: dict[str, Qt.DockWidgetArea]
    _narrow_hidden: set[str]
    filter_pane: FilterPane
    list_pane: ListPane
    detail_pane: DetailPane
    document_view: DocumentReaderView
    right_tabs: QTabWidget
    undo_history: UndoHistory
    _documents: list[DocumentInfo]
    _current_id: str | None
    start_sequence: StartSequence
    _zoom: int
    _base_point_size: float
    act_show_filters: QAction
    act_show_detail: QAction
    act_show_right: QAction
    act_zoom_in: QAction
    act_zoom_out: QAction

    # Defined by MainWindow (main_window.py).
    def select_entity(self, entity_id: str, *, record: bool = True) -> bool:
        raise NotImplementedError

    def show_status(self, message: str, timeout_ms: int = 4000) -> None:
        raise NotImplementedError

    def show_tab(self, tab: int | str) -> None:
        raise NotImplementedError

    def freeze_heap(self) -> None:
        raise NotImplementedError

    def _on_error(self, exc: BaseException) -> None:
        raise NotImplementedError

    def after_first_paint(self, fn: Callable[[], Any]) -> None:
        raise NotImplementedError

    def after_start(self, fn: Callable[[], Any]) -> None:
        raise NotImplementedError

    def go_back(self) -> None:
        raise NotImplementedError

    def go_forward(self) -> None:
        raise NotImplementedError

    def go_to_entity(self) -> None:
        raise NotImplementedError

    def find_in_view(self) -> None:
        raise NotImplementedError

    def _update_history_actions(self) -> None:
        raise NotImplementedError

    def current_spec(self) -> FilterSpec:
        raise NotImplementedError

    def current_rows(self) -> EntityMatches:
        raise NotImplementedError

    def current_entity_id(self) -> str | None:
        raise NotImplementedError

    def selected_ids(self) -> list[str]:
        raise NotImplementedError

    def entity_detail(self, entity_id: str) -> Any:
        raise NotImplementedError

    def open_passage(self, document_id: str, start: int, end: int, quote: str = "", *, terms: str = "") -> None:
        raise NotImplementedError
