"""The main window: the composition root that builds the panes, lays them out and wires their signals."""

from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QSettings, Qt, QThreadPool, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QInputDialog,
    QMenu,
    QTabWidget,
    QWidget,
)

from app import APP_NAME
from app.core.atlas import Atlas
from app.core.errors import AtlasError, classify
from app.core.query.filters import FilterSpec, describe
from app.core.query.matches import EntityMatches
from app.ui.host_widget import HostWidget
from app.ui.jobs import JobRunner, drain
from app.ui.panes.detail_pane import DetailPane
from app.ui.panes.document_view import DocumentReaderView
from app.ui.panes.filter_pane import FilterPane
from app.ui.panes.history import SelectionHistory
from app.ui.panes.list_pane import ListPane
from app.ui.panes.search_results import SearchResult, SearchResultsPane, search_job
from app.ui.undo import UndoHistory
from app.ui.window_features import WindowFeaturesMixin
from app.ui.window_layout import (
    FACET_DELAY_MS,
    TAB_KEYS,
    TYPING_DELAY_MS,
    WIDE_WINDOW,
)
from app.ui.window_start import StartSequence

if TYPE_CHECKING:
    from app.ui.graph.graph_pane import GraphPane
    from app.ui.lessons import LessonFeature
    from app.ui.notes.notes_feature import NotesFeature
    from app.ui.notes.notes_pane import NotesPane
    from app.ui.report.export_dialog import ExportActions
    from app.ui.timeline.timeline_view import TimelineView


class MainWindow(WindowFeaturesMixin):
    """Builds every pane, restores the layout and wires cross-pane signals in one block (_wire)."""

    CLOSE_WAIT_MS = 5000  # closing: background work this long, then its reads are interrupted

    # Its signals (entity_selected, filter_changed, matches_changed, data_changed) are declared in
    # app/ui/window_parts.py, where every part of the window sees them.

    def __init__(self, atlas: Atlas, *, settings_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.atlas = atlas
        self.repo = atlas.repo
        self.settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main_window")
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(4)  # list, facets, passage search, graph (read + layout)
        # Kept, not ended after 30 s idle: each thread's connection keeps its page cache and views.
        self.pool.setExpiryTimeout(-1)
        self.history = SelectionHistory()
        self._current_id: str | None = None
        self._total = self.repo.total_entities()
        self._documents = self.repo.documents()
        self._rows = EntityMatches.of_rows([])  # the list's last finished query
        self._enter_list: bool | None = None  # Down/Enter in the search box, waiting for the rows
        app = QApplication.instance()
        self._base_point_size = (app.font() if isinstance(app, QApplication) else self.font()).pointSizeF()
        self._zoom = 100
        self.menus: dict[str, QMenu] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.graph_pane: GraphPane | None = None  # built after the first paint (pyqtgraph loads then)
        self.timeline_view: TimelineView | None = None
        self._narrow_hidden: set[str] = set()
        self._status_lasting = False  # the status bar's message outlives a change of selection
        self.notes_feature: NotesFeature | None = None  # built by _install_notes
        self.notes_pane: NotesPane | None = None
        self.export_actions: ExportActions | None = None
        self.lesson_feature: LessonFeature | None = None  # built by _install_lessons, after the start

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

        # A superseded query of these is interrupted (app.ui.jobs): the newest starts at once.
        self.list_runner = JobRunner(self.pool, on_error=self._on_error, interrupt=True, parent=self)
        self.facet_runner = JobRunner(self.pool, on_error=self._on_error, interrupt=True, parent=self)
        self.search_runner = JobRunner(self.pool, on_error=self._on_error, interrupt=True, parent=self)
        self.page_runner = JobRunner(self.pool, on_error=self._on_error, interrupt=True, parent=self)  # rows scrolled
        self.list_pane.model.page_fetcher = self._fetch_pages
        self.list_pane.model.name_finder = self.repo.ids_named  # typing a name finds rows not read yet
        self.timeline_runner = JobRunner(self.pool, on_error=self._on_error, parent=self)  # its rows, when on show
        self._facet_timer = QTimer(self)
        self._facet_timer.setSingleShot(True)
        self._facet_timer.setInterval(FACET_DELAY_MS)
        self._facet_timer.timeout.connect(self._refresh_secondary)
        self._secondary_text = ""  # the search text of the last filter change

        self._build_layout()
        self.undo_history = UndoHistory(
            apply_filter=self.filter_pane.set_spec,
            tags=lambda: atlas.user_data.notes,
            spec=FilterSpec(),
            parent=self,
        )

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status()
        self._wire()
        self.start_sequence = StartSequence(self.list_pane.view.viewport(), parent=self)  # see _wire_features
        self._restore_filter()
        self.undo_history.start_from(self.filter_pane.spec())
        self._load_initial()
        self._restore_settings()
        self._wire_features()

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
        dp.same_as_decided.connect(self._on_same_as_decided)
        dv.entity_link_activated.connect(self.select_entity)
        sp.entity_link_activated.connect(self.select_entity)
        sp.open_passage_requested.connect(
            lambda doc, s, e, q: self.open_passage(doc, s, e, q, terms=self.filter_pane.spec().text)
        )
        self.data_changed.connect(self._on_data_changed)
        self.undo_history.tags_changed.connect(self._on_tags_undone)
        self.undo_history.failed.connect(lambda msg: self.show_status(msg, 10000))

    def _wire_features(self) -> None:
        """Build each feature (graph and timeline, notes, exports, sources, datasets, lessons) and wire
        it, one block each, in three steps of the start:

        * before the first paint, only what that paint shows: the As of year in the toolbar, and the
          notes dock when the window is wide enough to show it open;
        * right after it (``after_first_paint``): the graph, whose network is read and laid out on a
          worker while pyqtgraph loads here;
        * once the graph has drawn its first picture (``after_start``; or GRAPH_FIRST_MS after it was
          installed, when a big network takes longer to lay out): the founding-year slider, below the
          fold, and everything in menus and dialogs.

        Each queued step runs in its own turn of the event loop, so a key or a repaint never waits
        for more than one. Heavy modules (pyqtgraph, networkx) must be imported in such a step.
        """
        self.after_first_paint(self._warm_graph_modules)
        self.after_first_paint(self._install_graph)
        self.after_start(self.filter_pane.finish_deferred)  # the year slider (superqt), below the fold
        if self.width() >= WIDE_WINDOW:  # the notes dock shows at once: build it before the first paint
            self._install_notes()
        else:  # it starts closed (hide_when_narrow): build it once the graph is drawn
            self.after_start(self._install_notes)
        self.after_start(self._install_exports)
        self._install_datasets()  # the As of year is in the toolbar; its File actions come after_start
        self.after_start(self._install_timeline)
        self.after_start(self._install_sources)
        self.after_start(self._install_lessons)

    def is_ready(self) -> bool:
        """True once painted and every after-first-paint step has run (tests, screenshots)."""
        graph = self.graph_pane
        return (
            self.start_sequence.painted
            and self.start_sequence.pending == 0
            and not self.facet_runner.busy
            and (graph is None or graph.is_ready())
        )

    def is_idle(self) -> bool:
        """No list, facet or passage query running or waiting (tests, screenshots, benchmarks)."""
        busy = self.list_runner.busy or self.facet_runner.busy or self.search_runner.busy
        return not (busy or self._facet_timer.isActive())

    def freeze_heap(self) -> None:
        """The network is read and laid out: leave everything alive now out of the garbage
        collector's scans (gc.freeze). A full collection walked all of it every few keystrokes:
        50-250 ms at 10,000 entities, more at 100,000. Closing the window gives it back."""
        gc.freeze()

    def after_first_paint(self, fn: Any) -> None:
        """Run ``fn`` once the list has been painted for the first time (or soon, if it already was)."""
        self.start_sequence.after_first_paint(fn)

    def after_start(self, fn: Any) -> None:
        """Run ``fn`` once the start is over: the graph has drawn its first picture (or soon, if it has)."""
        self.start_sequence.after_start(fn)

    # ---- data flow ------------------------------------------------------------------------
    def _load_initial(self) -> None:
        """The first paint needs the list: load it now; the facet counts follow from a worker."""
        spec = self.filter_pane.spec()
        self.act_save_filter.setEnabled(not spec.is_empty())
        self._show_rows(spec, self.repo.list_matches(spec))
        # Facet counts take seconds at 100,000 entities, and their first import of NumPy would take
        # the GIL from the first paint and the graph's first picture: they start after those.
        self.after_start(self._count_facets)
        self.after_start(self._prepare_search)

    def _prepare_search(self) -> None:
        """The search's name index and postings, made on a worker before the first search needs them."""
        if not self.search_runner.busy:  # a search already asked for makes them itself
            self.search_runner.submit(self.repo.prepare_search, lambda _none: None)

    def _count_facets(self) -> None:
        spec = self.filter_pane.spec()
        repo = self.repo
        self.facet_runner.submit(lambda: repo.facet_counts(spec), self.filter_pane.set_facet_counts)

    def _on_spec_changed(self, spec: FilterSpec) -> None:
        self.undo_history.filter_changed(spec)
        self._drop_stale_status()
        self.act_save_filter.setEnabled(not spec.is_empty())  # nothing to save in "all entities"
        self.refresh_list()
        # Facet counts and the passage search wait for a pause (typing: TYPING_DELAY_MS); those
        # running for an older filter are stopped, so they leave the cores to the list's query.
        typed = spec.text != self._secondary_text
        self._secondary_text = spec.text
        self.facet_runner.cancel()
        self.search_runner.cancel()
        self._facet_timer.start(TYPING_DELAY_MS if typed else FACET_DELAY_MS)
        self.filter_changed.emit(spec)

    def refresh_list(self) -> None:
        spec = self.filter_pane.spec()
        repo = self.repo
        self.list_runner.submit(lambda: repo.list_matches(spec), lambda rows: self._show_rows(spec, rows))

    def _fetch_pages(self, matches: EntityMatches, pages: list[tuple[int, list[str]]]) -> None:
        """The list's rows scrolled into view, read on a worker (latest wins: the model asks for every
        page it still wants each time)."""
        read = self.repo.entity_rows
        model = self.list_pane.model
        self.page_runner.submit(
            lambda: [(start, read(ids)) for start, ids in pages], lambda got: model.store_pages(matches, got)
        )

    def _refresh_secondary(self) -> None:
        if self.list_runner.busy:  # after the list's own query: never beside it
            self._facet_timer.start(FACET_DELAY_MS)
            return
        self._count_facets()
        spec = self.filter_pane.spec()
        self.search_runner.submit(search_job(self.repo, spec), self._show_search)

    def _show_rows(self, spec: FilterSpec, rows: EntityMatches) -> None:
        self._rows = rows
        self.list_pane.set_sort_indicator(spec.sort, spec.descending)
        self.list_pane.set_empty_message(f"No entities match.\n{describe(spec, self.filter_pane.labels())}")
        self.list_pane.set_rows(rows, keep=self._current_id)
        n = len(rows)
        self.count_label.setText(f"{n:,} of {self._total:,} entities")
        self.matches_changed.emit(spec, rows)
        self.list_pane.paint_now()  # before the graph's and the timeline's work for these rows
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

    def _show_search(self, result: SearchResult) -> None:
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
            self.detail_pane.show_entity(self.entity_detail(self._current_id))

    def _on_same_as_decided(self, entity_id: str, dataset_id: str, status: str) -> None:
        """Confirm or Remove on a same-as line of the detail pane: record it, show the entity again."""
        try:
            self.atlas.user_data.datasets.set_same_as(entity_id, dataset_id, status)
        except AtlasError as exc:
            self.show_status(str(exc), 10000)
            return
        verb = "Confirmed" if status == "confirmed" else "Removed the link"
        self.show_status(f"{verb}: {entity_id} = {dataset_id}.")
        if self._current_id:
            self.detail_pane.show_entity(self.entity_detail(self._current_id))

    def _on_tags_undone(self) -> None:
        """Edit > Undo or Redo changed tags: every pane that shows them reads them again."""
        self.data_changed.emit()
        if self.notes_feature is not None:
            self.notes_feature.pane.reload()

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

    def current_rows(self) -> EntityMatches:
        """The entities the list shows now (the last finished query), in list order: a sequence of
        EntityRow whose ``ids`` are all known and whose rows are read when asked for."""
        return self._rows

    def selected_ids(self) -> list[str]:
        return self.list_pane.selected_ids()

    def entity_detail(self, entity_id: str) -> Any:
        """What the details pane shows of ``entity_id``: with an As of year, only what held then."""
        return self.repo.get_entity(entity_id, as_of=self.filter_pane.spec().as_of)

    def current_entity_id(self) -> str | None:
        return self._current_id

    def select_entity(self, entity_id: str, *, record: bool = True) -> bool:
        """Select ``entity_id`` in every pane and record it in the history. False if unknown."""
        if entity_id == self._current_id:
            self.list_pane.set_current(entity_id)
            return True
        detail = self.entity_detail(entity_id)
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

    def find_in_view(self) -> None:
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

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.notes_feature is not None:
            self.notes_feature.on_activate()  # another instance may have written notes or tags

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.notes_feature is not None and not self.notes_feature.confirm_close():
            event.ignore()  # the note could not be saved and the user keeps the window
            return
        if self.lesson_feature is not None:
            self.lesson_feature.shutdown()  # a lesson edit still waiting is written, a presentation ends
        self.save_settings()
        self._facet_timer.stop()
        for runner in (self.list_runner, self.facet_runner, self.search_runner, self.page_runner):
            runner.cancel()  # their running queries are interrupted: nothing waits for them
        gc.unfreeze()  # this window's objects can be collected again
        drain(self.pool, self.repo.interrupt_all, wait_ms=self.CLOSE_WAIT_MS)
        super().closeEvent(event)
