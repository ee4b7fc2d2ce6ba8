"""The main window's features, each built and wired in one named block: the graph and timeline,
the notes, the exports, your own sources. A feature gets the few objects it uses, never the window."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QWidget

from app.core.query.filters import FilterSpec
from app.core.query.matches import EntityMatches
from app.core.query.views import EntityRow
from app.ui.window_menus import WindowMenusMixin


class WindowFeaturesMixin(WindowMenusMixin):
    """Part of MainWindow (see app.ui.main_window): the feature wiring blocks."""

    def _install_sources(self) -> None:
        """Your own sources: File > Import documents…, Suggestions…, drag and drop, Cite as… (after the start)."""
        from app.ui.sources import SourcesFeature

        feature = SourcesFeature(
            repo=self.repo,
            sources=self.atlas.user_data.sources,
            pool=self.pool,
            document_view=self.document_view,
            current_entity=self.current_entity_id,
            dialog_parent=self,
        )
        self.sources_feature, self.import_controller = feature, feature.controller
        self.act_import_documents, self.act_cite_as = feature.import_action, feature.cite_action
        feature.status_message.connect(self.show_status)
        feature.user_data_changed.connect(self.data_changed.emit)
        feature.entity_chosen.connect(self.select_entity)
        menu = self.menus["file"]
        if menu.actions():
            first = menu.actions()[0]
            menu.insertActions(first, [feature.import_action, feature.suggestions_action])
            menu.insertSeparator(first)
        else:
            menu.addActions([feature.import_action, feature.suggestions_action])
            menu.addSeparator()
        self.setAcceptDrops(True)
        self.installEventFilter(feature.drop_filter)

    # ---- alliance datasets (issue 16): File > Import dataset…, Remove dataset…, the As of year ----
    def _install_datasets(self) -> None:
        """Datasets: the toolbar's As of year now (it is in the first paint), which feeds
        ``FilterSpec.as_of`` through the filter pane (so Undo, saved filters and the session keep it);
        the File actions and the record viewer just after the first paint."""
        from app.ui.datasets.as_of import AsOfControl, describe_as_of

        control = AsOfControl(settings=self.settings, parent=self)
        self.as_of_control = control
        self.addAction(control.action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(control.action)
        self.toolbar.addWidget(control.spin)
        self.menus["view"].addSeparator()
        self.menus["view"].addAction(control.action)
        self.as_of_label = QLabel("")
        self.as_of_label.setObjectName("as_of_in_effect")
        self.as_of_label.setAccessibleName("As of year in effect")
        self.statusBar().addPermanentWidget(self.as_of_label)

        def show_as_of(year: int | None) -> None:
            self.as_of_label.setText("" if year is None else f"As of {year}")
            self.as_of_label.setVisible(year is not None)

        def on_year(year: int | None) -> None:
            self.filter_pane.set_as_of(year)
            self.show_status(describe_as_of(year), 10000)

        shown_year: list[int | None] = [self.filter_pane.spec().as_of]
        detail_year: list[int | None] = list(shown_year)

        def on_spec(spec: FilterSpec) -> None:
            control.show_year(spec.as_of)
            show_as_of(spec.as_of)
            shown_year[0] = spec.as_of

        def on_rows(spec: FilterSpec, _rows: object) -> None:
            # The details show the members of that year: read once the list has its rows, so the
            # list's query never waits behind the details' on the GUI thread.
            if spec.as_of != detail_year[0] and spec.as_of == shown_year[0]:
                detail_year[0] = spec.as_of
                if self._current_id:  # just after the list has repainted, as the graph does
                    QTimer.singleShot(0, self, refresh_detail)

        def refresh_detail() -> None:
            if self._current_id:
                self.detail_pane.show_entity(self.entity_detail(self._current_id))

        control.year_changed.connect(on_year)
        self.filter_pane.spec_changed.connect(on_spec)
        self.matches_changed.connect(on_rows)
        control.show_year(shown_year[0])  # the session's year, restored with its filter
        show_as_of(shown_year[0])
        self.after_start(self._install_dataset_actions)

    def _install_dataset_actions(self) -> None:
        """File > Import dataset…, Remove dataset…, and the record behind a dataset citation."""
        from app.ui.datasets.feature import DatasetsFeature

        feature = DatasetsFeature(
            repo=self.repo, store=self.atlas.user_data.datasets, pool=self.pool, dialog_parent=self
        )
        self.datasets_feature = feature
        feature.status_message.connect(self.show_status)
        feature.datasets_changed.connect(self._on_datasets_changed)
        self.menus["file"].insertActions(self.file_actions_anchor, [feature.import_action, feature.remove_action])
        self.menus["file"].insertSeparator(self.file_actions_anchor)
        self.detail_pane.open_record_requested.connect(self.show_record)

    def show_record(self, record_id: int) -> None:
        """A dataset citation in the details: its record's row, the variables cited here highlighted."""
        detail = self.entity_detail(self._current_id) if self._current_id else None
        cites = [r for r in (detail.records if detail is not None else ()) if r.record_id == record_id]
        title = ""
        if cites:
            title = f"{cites[0].dataset} {cites[0].record}, " + "; ".join(f"{r.field} = {r.value}" for r in cites)
        self.datasets_feature.show_record(record_id, cited=tuple(r.field for r in cites), title=title)

    def _on_datasets_changed(self) -> None:
        """After an import or a removal: the count, the list, facets and details, and the graph read again."""
        self._total = self.repo.total_entities()
        if self.graph_pane is not None:
            self.graph_pane.reload()
        self.data_changed.emit()

    @property
    def suggestions_dialog(self) -> QWidget | None:
        """The Suggestions view last opened (the sources feature holds it)."""
        return self.sources_feature.suggestions_dialog

    def _warm_graph_modules(self) -> None:
        """Import the layout's modules (NumPy, and networkx when no layout was kept from an earlier
        start) on a worker while pyqtgraph loads here, so the graph's first layout does not begin with
        them. With a kept layout networkx is not needed for the first picture, and its import (half a
        second of Python) would only take the GIL from pyqtgraph's."""
        cache = self.atlas.paths.graph_cache

        def warm() -> None:
            import app.core.graph.layout  # noqa: F401

            if not any(cache.glob("layout-*.npz")):
                import networkx  # noqa: F401

        from app.ui.jobs import JobRunner

        JobRunner(self.pool, on_error=self._on_error, parent=self).submit(warm, lambda _result: None)

    def _install_graph(self) -> None:
        """The graph, right after the first paint: pyqtgraph loads here while the pane reads and lays
        out the network on a worker thread; it draws when that is done. The rest of the start waits
        for that first picture (MainWindow.after_start)."""
        from app.ui.graph.graph_pane import GraphPane

        pane = GraphPane(
            repo=self.repo,
            positions=self.atlas.user_data.graph_positions,
            settings=self.settings,  # the layout chosen comes back next session
            pool=self.pool,  # drained when the window closes
            cache_dir=self.atlas.paths.graph_cache,  # the network and layouts of the last start
            parent=self.graph_host,
        )
        self.graph_host.fill(pane)
        self.graph_pane = pane
        pane.entity_selected.connect(self.select_entity)
        # Choosing the selected entity again re-centres the graph on it: the window answers a repeat
        # without entity_selected, so listen to where choices come from (after the window, which
        # connected first: a new choice is centred by select_entity, recentre then finds it in place).
        for chosen in (
            self.list_pane.entity_opened,  # Enter or double-click on the current row
            self.detail_pane.entity_link_activated,
            self.document_view.entity_link_activated,
            self.search_pane.entity_link_activated,
        ):
            chosen.connect(pane.recentre)
        self.entity_selected.connect(pane.select_entity)
        # The list's finished query drives it: no extra query per keystroke on the GUI thread.
        self.matches_changed.connect(pane.set_matches)
        self.filter_changed.connect(lambda _spec: pane.filter_changing())  # its older redraw stops
        pane.status_message.connect(self.show_status)
        pane.connection_found.connect(self.detail_pane.show_connection)
        pane.layout_ready.connect(self.freeze_heap)
        view = self.menus["view"]
        view.addSeparator()
        for act in (pane.fit_action, pane.reset_action, pane.why_action, pane.clear_chain_action):
            view.addAction(act)
        pane.set_matches(self.current_spec(), self.current_rows())
        if self._current_id:
            pane.select_entity(self._current_id)
        # The rest of the start waits for the graph's first picture (or not long, see StartSequence).
        self.start_sequence.watch_graph(pane.canvas.viewport(), shown=self.graph_host.isVisible(), ready=pane.is_ready)

    def _install_timeline(self) -> None:
        """The founding timeline (a tab not on show at the start), after the graph's first picture."""
        from app.ui.timeline.timeline_view import TimelineView

        timeline = TimelineView(repo=self.repo, parent=self.timeline_host)
        self.timeline_host.fill(timeline)
        self.timeline_view = timeline
        timeline.entity_selected.connect(self.select_entity)
        if self.graph_pane is not None:  # a repeat choice re-centres the graph, as in _install_graph
            timeline.entity_selected.connect(self.graph_pane.recentre)
        self.entity_selected.connect(timeline.select_entity)
        self.matches_changed.connect(self._timeline_rows)
        timeline.queue_rows(self.current_spec(), self.current_rows())
        if self._current_id:
            timeline.select_entity(self._current_id)

    def _timeline_rows(self, spec: FilterSpec, matches: EntityMatches) -> None:
        """The timeline draws every matching row: while it is on show they are read on a worker
        (the list has only the rows painted); hidden, it keeps the matches and reads them when shown."""
        timeline = self.timeline_view
        if timeline is None:
            return
        if not timeline.isVisible():
            timeline.queue_rows(spec, matches)
            return
        ids, read = matches.ids, self.repo.entity_rows

        def rows() -> list[EntityRow]:
            by_id = {r.id: r for r in read(ids)}
            return [by_id[i] for i in ids if i in by_id]

        self.timeline_runner.submit(rows, lambda got: timeline.queue_rows(spec, got))

    def _install_notes(self) -> None:
        """The notes feature: its dock, menu entries and every connection, here."""
        from app.ui.notes.notes_feature import NotesFeature

        # Tags change through this feature: from now on a tag change is an Edit > Undo step.
        self.undo_history.remember_tags()

        feature = NotesFeature(
            store=self.atlas.user_data.notes,
            repo=self.repo,
            paths=self.atlas.paths,
            dialog_parent=self,
            current_entity=self.current_entity_id,
            selected_ids=self.selected_ids,
            current_spec=self.current_spec,
            parent=self,
        )
        self.notes_feature, self.notes_pane = feature, feature.pane
        dock = self.add_dock(feature.pane, "Notes", "notes", hide_when_narrow=True)
        toggle = dock.toggleViewAction()
        toggle.setText("&Notes")
        toggle.setShortcut(QKeySequence("Ctrl+Shift+M"))
        toggle.setToolTip("Show or hide the notes on the selected entity (Ctrl+Shift+M)")
        toggle.setStatusTip("Show or hide the notes on the selected entity")
        self.toolbar.addSeparator()
        self.toolbar.addAction(toggle)
        edit = self.menus["edit"]
        edit.addSeparator()
        edit.addActions(feature.edit_actions)
        self.menus["view"].addAction(feature.browser_action)
        self.menus["view"].addAction(toggle)
        self.menus["file"].insertActions(self.file_actions_anchor, feature.file_actions)

        feature.user_data_changed.connect(self.data_changed)
        feature.status_message.connect(self.show_status)
        feature.entity_requested.connect(self.select_entity)
        feature.passage_requested.connect(self.open_passage)
        feature.pane_requested.connect(lambda: self._raise_dock("notes"))
        feature.browser_requested.connect(self.show_notes_browser)
        self.entity_selected.connect(feature.pane.set_entity)  # set_entity saves the open note first
        self.list_pane.context_menu_requested.connect(feature.add_list_actions)
        self.document_view.add_note_requested.connect(feature.add_passage_note)
        self.detail_pane.tags_requested.connect(feature.pane.edit_entity_tags)
        self.detail_pane.set_tag_provider(feature.store.tags_for_entity)
        feature.start()

    def show_notes_browser(self) -> None:
        if self.notes_feature is None:
            return
        browser = self.notes_feature.browser_pane()
        if "notes_browser" not in self.docks:
            self.add_dock(browser, "Notes browser", "notes_browser", Qt.DockWidgetArea.BottomDockWidgetArea)
        self._raise_dock("notes_browser")
        browser.search_edit.setFocus()

    def _raise_dock(self, name: str) -> None:
        dock = self.docks[name]
        dock.show()
        dock.raise_()

    def _install_exports(self) -> None:
        """File > Export… and Print…: the actions get what they read, never the window."""
        from app.ui.report.export_dialog import ExportActions

        actions = ExportActions(
            self,
            repo=self.repo,
            user_data=self.atlas.user_data,
            current_spec=self.current_spec,
            selected_ids=self.selected_ids,
            show_status=self.show_status,
            graph_cache=self.atlas.paths.graph_cache,
        )
        self.export_actions = actions
        menu, before = self.menus["file"], self.file_actions_anchor
        menu.insertActions(before, [actions.pdf_action, actions.data_action])
        menu.insertSeparator(before)
        menu.insertActions(before, [actions.print_action, actions.preview_action])

    # ---- the classroom: Lesson menu, editor, presentation (F5), quiz (issue 20) ----------------
    def _install_lessons(self) -> None:
        """Lessons: the feature reads and shows the window's view through a PaneStepView (the real
        panes, as callables) and presents on a stage the window sets (full screen, slide beside)."""
        from app.ui.lessons import LessonFeature, PaneStepView
        from app.ui.lessons.presenter import CallableStage
        from app.ui.window_layout import TAB_KEYS

        tabs = {i: k for k, i in TAB_KEYS.items()}
        view = PaneStepView(
            entity_names=self.repo.entity_names,
            current_entity=self.current_entity_id,
            select_entity=self.select_entity,
            current_spec=self.current_spec,
            set_spec=self.filter_pane.set_spec,
            current_tab=lambda: tabs.get(self.right_tabs.currentIndex(), ""),
            show_tab=lambda t: self.show_tab(t) if t in TAB_KEYS else None,
            graph=lambda: self.graph_pane,
            timeline=lambda: self.timeline_view,
            document_selection=self._lesson_passage,
            open_passage=self._lesson_open_passage,
            document_title=lambda d: next((x.title for x in self.repo.documents() if x.id == d), None),
            parent=self,
        )
        self.data_changed.connect(view.forget_names)
        if self.graph_pane is not None:  # built before (after_first_paint): lessons come after_start
            self.graph_pane.connection_found.connect(view.on_connection)
        feature = LessonFeature(
            repo=self.repo,
            data_root=self.atlas.paths.root,
            view=view,
            stage=CallableStage(
                enter=self._lesson_stage_enter, arrange=self._lesson_stage_arrange, leave=self._lesson_stage_leave
            ),
            dialog_parent=self,
            pool=self.pool,
            parent=self,
        )
        self.lesson_feature = feature
        feature.status_message.connect(self.show_status)
        menu = self.menus["lesson"]
        for act in feature.menu_actions:
            menu.addSeparator() if act is None else menu.addAction(act)
        quiz = menu.addMenu("&Quiz")
        quiz.setObjectName("menu_quiz")
        for act in feature.quiz_actions:
            quiz.addSeparator() if act is None else quiz.addAction(act)

    def _lesson_passage(self) -> tuple[str, int, int] | None:
        """The passage selected (or highlighted) in the document view, when that is on show."""
        span = self.document_view.selection_span()
        doc = self.document_view.document_id
        if span is None or doc is None or self.right_tabs.currentWidget() is not self.document_view:
            return None
        return doc, span[0], span[1]

    def _lesson_open_passage(self, document_id: str, start: int, end: int, quote: str) -> bool:
        if self.repo.get_document(document_id) is None:
            return False
        self.open_passage(document_id, start, end, quote)
        return True

    def _lesson_stage_enter(self, panel: QWidget) -> None:
        """Presenting: full screen, no menus or filter and list panes, the step's words on the right."""
        from PySide6.QtWidgets import QDockWidget

        self._lesson_saved = (
            self.saveGeometry(), self.saveState(), self.windowState(), self.main_splitter.sizes(),
            self.filter_pane.isVisible(), self.middle_splitter.isVisible(), self.zoom, self.detail_pane.isVisible(),
        )  # fmt: skip
        for dock in self.docks.values():
            dock.hide()
        self.menuBar().hide()
        self.toolbar.hide()
        self.statusBar().hide()
        self.filter_pane.hide()
        self.list_pane.hide()
        dock = QDockWidget("Lesson", self)
        dock.setObjectName("lesson_slide_dock")
        dock.setTitleBarWidget(QWidget(dock))  # no title bar, nothing to drag away
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        dock.setWidget(panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        self._lesson_dock = dock
        windowed = self.property("lesson_windowed") is True  # the screenshot command presents in a window
        if not windowed:
            self.showFullScreen()
        screen = self.screen()
        height = self.height() if windowed or screen is None else screen.geometry().height()
        self.set_zoom(150 if height >= 1000 else 125 if height >= 850 else 100)  # the panes read from the back
        self.resizeDocks([dock], [int(self.width() * 0.36)], Qt.Orientation.Horizontal)

    def _lesson_stage_arrange(self, kind: str) -> None:
        """The panes a step shows: an entity or a chain its details (with the graph), a filter the
        list, the rest the side view alone, as wide as it can be."""
        self.list_pane.setVisible(kind == "filter")
        self.detail_pane.setVisible(kind in ("entity", "chain"))
        middle = kind in ("entity", "chain", "filter")
        self.middle_splitter.setVisible(middle)
        if middle:  # the side view (graph) keeps the larger share
            room = sum(self.main_splitter.sizes())
            self.main_splitter.setSizes([0, int(room * 0.4), room - int(room * 0.4)])
        if kind == "filter":
            self.show_tab("graph")

    def _lesson_stage_leave(self) -> None:
        geometry, state, window_state, sizes, filters, middle, zoom, detail = self._lesson_saved
        self.set_zoom(zoom)
        self.detail_pane.setVisible(detail)
        self.removeDockWidget(self._lesson_dock)
        self._lesson_dock.deleteLater()
        self.menuBar().show()
        self.statusBar().show()
        self.list_pane.show()
        self.filter_pane.setVisible(filters)
        self.middle_splitter.setVisible(middle)
        self.setWindowState(window_state)
        self.restoreGeometry(geometry)
        self.restoreState(state)
        self.main_splitter.setSizes(sizes)
