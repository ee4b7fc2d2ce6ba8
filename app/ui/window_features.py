"""The main window's features, each built and wired in one named block: the graph and timeline,
the notes, the exports, your own sources. A feature gets the few objects it uses, never the window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from app.ui.window_menus import WindowMenusMixin


class WindowFeaturesMixin(WindowMenusMixin):
    """Part of MainWindow (see app.ui.main_window): the feature wiring blocks."""

    def _install_sources(self) -> None:
        """Your own sources: File > Import documents…, Suggestions…, drag and drop, Cite as…."""
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

    @property
    def suggestions_dialog(self) -> QWidget | None:
        """The Suggestions view last opened (the sources feature holds it)."""
        return self.sources_feature.suggestions_dialog

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
        self.graph_host.box.addWidget(pane)
        timeline = TimelineView(repo=self.repo, parent=self.timeline_host)
        self.timeline_host.box.addWidget(timeline)
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
        pane.layout_ready.connect(self.freeze_heap)
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
        """The notes feature: its dock, menu entries and every connection, here."""
        from app.ui.notes.notes_feature import NotesFeature

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
        )
        self.export_actions = actions
        menu, before = self.menus["file"], self.file_actions_anchor
        menu.insertActions(before, [actions.pdf_action, actions.data_action])
        menu.insertSeparator(before)
        menu.insertActions(before, [actions.print_action, actions.preview_action])
