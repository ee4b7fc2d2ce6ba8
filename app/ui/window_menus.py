"""The main window's actions, menus, toolbar, status bar and Help dialogs."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QStyle,
    QToolBar,
)

from app import APP_NAME, __version__
from app.ui.window_layout import TAB_KEYS, WindowLayoutMixin


class WindowMenusMixin(WindowLayoutMixin):
    """Part of MainWindow (see app.ui.main_window): its actions and where they are listed."""

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
        self.act_redo.setShortcuts([K("Ctrl+Shift+Z"), K("Ctrl+Y")])  # the Linux and the Windows habit
        self.act_redo.setToolTip("Redo the change undone last (Ctrl+Shift+Z or Ctrl+Y)")
        for act in (self.act_undo, self.act_redo):
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # text boxes keep their own Ctrl+Z
            self.addAction(act)
        self.act_quit = self._action("&Quit", self.close, K(K.StandardKey.Quit), "Quit Alliance Atlas")
        if self.act_quit.shortcut().isEmpty():
            self.act_quit.setShortcut(K("Ctrl+Q"))
        self.act_find = self._action(
            "&Find…",
            self.find_in_view,
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
        self.act_zoom_reset = self._action("&Actual size", lambda: self.zoom_to(100), K("Ctrl+0"), "Normal text size")
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
        self.act_self_check = self._action(
            "&Self-check…", self.show_self_check, None, "Check this installation works offline, one line per check"
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
        self.menus["lesson"] = bar.addMenu("&Lesson")  # filled by the lesson feature (_install_lessons)
        self.menus["help"] = bar.addMenu("&Help")
        for name, menu in self.menus.items():
            menu.setObjectName(f"menu_{name}")
        f = self.menus["file"]
        f.addAction(self.act_save_filter)
        f.addMenu(self.filter_pane.saved_menu)  # recall and delete, also with the filter pane hidden
        f.addSeparator()
        # Features add their File actions (exports, notes) just before this separator, above Quit.
        self.file_actions_anchor = f.addSeparator()
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
        h.addAction(self.act_self_check)
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

    def show_self_check(self) -> None:
        from app.ui.selfcheck_dialog import SelfCheckDialog

        self.self_check_dialog = SelfCheckDialog.show_for(self.atlas.paths, self)

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
        rows.append(
            "<tr><td><b>→ Page Down Space, ← Page Up, Esc</b></td>"
            "<td>Presenting a lesson: next step, previous step, leave</td></tr>"
        )
        return "<table cellpadding='3'>" + "".join(rows) + "</table>"

    def show_shortcuts(self) -> None:
        from app.ui.shortcuts_dialog import ShortcutsDialog

        ShortcutsDialog.show_for(self, self.shortcuts_html())
