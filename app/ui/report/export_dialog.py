"""File > Export PDF summary…, Export data…, Print… and Print preview…: the options dialog and the actions.

Exports run in the background (``app.ui.report.background``); the GUI thread only shows a
cancellable progress dialog. The file appears only when the export succeeded: it is rendered in
memory and written to a temporary name that is renamed at the end. The actions get the few things
they use (the repository, the notes database, the current filter and selection, the status bar),
never the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.core.exports.report_data import ExportOptions
from app.core.query.filters import FilterSpec
from app.ui.jobs import Task
from app.ui.report.background import ShowStatus, run_job

if TYPE_CHECKING:
    from app.core.query.repository import Repository
    from app.core.userdata.database import UserData

__all__ = ["ExportActions", "ExportOptions", "ExportOptionsDialog"]

# What the dialog says for each use: (window title, button).
PURPOSES = {
    "export": ("Export PDF summary", "Export…"),
    "print": ("Print summary", "Print…"),
    "preview": ("Print preview", "Preview…"),
}

DATA_FILTERS = {
    "JSON (*.json)": "json",
    "JSON with my notes and tags (*.json)": "json+notes",
    "CSV: entities, members and citations (*.csv)": "csv",
    "Markdown (*.md)": "md",
    "GraphML network (*.graphml)": "graphml",
}


class ExportOptionsDialog(QDialog):
    """Title, scope (selection or filter), notes, graph, handout or continuous, page size."""

    def __init__(self, parent: QWidget | None = None, *, selected: int = 0, filter_text: str = "",
                 options: ExportOptions | None = None, notes_available: bool = True,
                 purpose: str = "export") -> None:  # fmt: skip
        super().__init__(parent)
        opts = options or ExportOptions()
        title, button = PURPOSES.get(purpose, PURPOSES["export"])
        self.setWindowTitle(title)
        self.setObjectName("export_options_dialog")
        form = QFormLayout()
        self.title_edit = QLineEdit(opts.title)
        self.title_edit.setPlaceholderText("Alliance Atlas summary")
        self.title_edit.setAccessibleName("Title")
        self.title_edit.setToolTip("Printed on the title page and at the top of every page")
        form.addRow("&Title:", self.title_edit)
        self.scope_filter = QRadioButton(f"Everything the current filter shows ({filter_text or 'all entities'})")
        self.scope_selection = QRadioButton(f"Only the {selected} selected entit{'y' if selected == 1 else 'ies'}")
        self.scope_selection.setEnabled(selected > 0)
        scope_group = QButtonGroup(self)
        for b in (self.scope_filter, self.scope_selection):
            scope_group.addButton(b)
        (self.scope_selection if opts.use_selection and selected else self.scope_filter).setChecked(True)
        scope = QVBoxLayout()
        scope.addWidget(self.scope_filter)
        scope.addWidget(self.scope_selection)
        form.addRow("Entities:", scope)
        self.notes_box = QCheckBox("Include my notes (and tags)")
        self.notes_box.setChecked(opts.include_notes and notes_available)
        self.notes_box.setEnabled(notes_available)
        self.graph_box = QCheckBox("Include the network and timeline figures")
        self.graph_box.setChecked(opts.include_graph)
        form.addRow("Contents:", self.notes_box)
        form.addRow("", self.graph_box)
        self.continuous = QRadioButton("Continuous")
        self.handout = QRadioButton("Handout: one entity per page, each with its own sources")
        layout_group = QButtonGroup(self)
        for b in (self.continuous, self.handout):
            layout_group.addButton(b)
        (self.handout if opts.handout else self.continuous).setChecked(True)
        lay = QVBoxLayout()
        lay.addWidget(self.continuous)
        lay.addWidget(self.handout)
        form.addRow("Layout:", lay)
        self.page_combo = QComboBox()
        self.page_combo.addItems(["A4", "Letter"])
        self.page_combo.setCurrentText(opts.page_size)
        self.page_combo.setAccessibleName("Page size")
        form.addRow("&Page size:", self.page_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(button)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addWidget(buttons)

    def options(self) -> ExportOptions:
        return ExportOptions(
            title=self.title_edit.text().strip(),
            include_notes=self.notes_box.isChecked(),
            include_graph=self.graph_box.isChecked(),
            handout=self.handout.isChecked(),
            page_size=self.page_combo.currentText(),
            use_selection=self.scope_selection.isChecked(),
        )

    @classmethod
    def get_options(cls, parent: QWidget | None = None, **kwargs: Any) -> tuple[ExportOptions, bool]:
        dialog = cls(parent, **kwargs)
        ok = dialog.exec() == QDialog.DialogCode.Accepted
        return dialog.options(), ok


# ---- actions -----------------------------------------------------------------------------------------
class ExportActions(QObject):
    """The File menu's export and print actions, with the few things they use (keyword-only)."""

    def __init__(
        self,
        parent: QWidget,
        *,
        repo: Repository,
        user_data: UserData | None,
        current_spec: Callable[[], FilterSpec],
        selected_ids: Callable[[], Sequence[str]],
        show_status: ShowStatus,
        graph_cache: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.repo = repo
        self.user_data = user_data
        self.graph_cache = graph_cache  # the graph pane's network and layouts, for the figures
        self.current_spec = current_spec
        self.selected_ids = selected_ids
        self.show_status = show_status
        self.last_options = ExportOptions()
        self.last_folder = Path.home()
        self.relay: Task | None = None
        self.pdf_action = self._action("Export PDF &summary…", "Ctrl+E", self.export_pdf,
                                       "Export the filtered or selected entities as a cited PDF summary")  # fmt: skip
        self.data_action = self._action("Export &data…", "Ctrl+Shift+E", self.export_data,
                                        "Export the filtered entities as JSON, CSV, Markdown or GraphML")  # fmt: skip
        self.print_action = self._action("&Print…", QKeySequence.StandardKey.Print, self.print_report,
                                         "Print the summary of the filtered entities")  # fmt: skip
        self.preview_action = self._action("Print pre&view…", "Ctrl+Shift+P", self.preview_report,
                                           "Preview the printed summary")  # fmt: skip

    def _action(self, text: str, shortcut: Any, slot: Callable[[], Any], tip: str) -> QAction:
        act = QAction(text, self.parent_widget)
        act.setShortcut(QKeySequence(shortcut))
        act.setStatusTip(tip)
        act.setToolTip(tip)
        act.triggered.connect(slot)
        return act

    def _spec(self, use_selection: bool) -> FilterSpec:
        spec = self.current_spec()
        ids = self.selected_ids()
        if use_selection and ids:
            return FilterSpec(ids=tuple(ids), sort=spec.sort, descending=spec.descending)
        return spec

    def _filter_text(self) -> str:
        from app.core.exports.data import filter_labels
        from app.core.query.filters import describe

        return describe(self.current_spec(), filter_labels(self.repo))

    def ask_options(self, purpose: str = "export") -> tuple[ExportOptions, bool]:
        selected = len(self.selected_ids())
        opts = replace(self.last_options, use_selection=selected > 1 and self.last_options.use_selection)
        options, ok = ExportOptionsDialog.get_options(
            self.parent_widget, selected=selected, filter_text=self._filter_text(), options=opts, purpose=purpose
        )
        if ok:
            self.last_options = options
        return options, ok

    def export_pdf(self) -> None:
        options, ok = self.ask_options()
        if not ok:
            return
        name = (options.title or "alliance-atlas-summary").strip().replace("/", "-") + ".pdf"
        path, _ = QFileDialog.getSaveFileName(
            self.parent_widget, "Export PDF summary", str(self.last_folder / name), "PDF (*.pdf)"
        )
        if not path:
            return
        self.start_pdf(options, Path(path))

    def start_pdf(self, options: ExportOptions, path: Path) -> Task:
        """Write the PDF summary in the background, with progress and Cancel."""
        from app.ui.report.report import export_pdf, load_fonts

        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self.last_folder = path.parent
        load_fonts()  # on the GUI thread, before the worker draws the figures
        repo, spec, user_data, cache = self.repo, self._spec(options.use_selection), self.user_data, self.graph_cache

        def work(progress: Callable[[int, str], bool]) -> Path:
            return export_pdf(
                repo, spec, options, path, user_data=user_data, progress=progress, isolated=True, graph_cache=cache
            )

        self.relay = run_job(self.parent_widget, work, "Preparing the PDF summary…",
                             lambda p: self.show_status(f"Wrote {p}", 8000), show_status=self.show_status)  # fmt: skip
        return self.relay

    def export_data(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self.parent_widget, "Export data", str(self.last_folder / "alliance-atlas.json"), ";;".join(DATA_FILTERS)
        )
        if not path:
            return
        chosen_fmt = DATA_FILTERS.get(chosen, "json")
        typed = _format_for(Path(path))  # a typed extension wins over the file-type list
        fmt = typed if typed and typed != chosen_fmt.split("+")[0] else chosen_fmt
        self.start_data(fmt, Path(path))

    def start_data(self, fmt: str, path: Path) -> Task:
        """Export the current filter as ``fmt`` (json, json+notes, csv, md, graphml) to ``path``."""
        self.last_folder = path.parent
        base = fmt.split("+")[0]
        if not path.suffix:
            path = path.with_suffix("." + base)
        notes = self.user_data.notes if fmt == "json+notes" and self.user_data is not None else None
        repo, spec = self.repo, self.current_spec()

        def work(progress: Callable[[int, str], bool]) -> list[Path]:
            if base == "graphml":
                from app.core.graph.network import write_graphml

                progress(10, "Building the network…")
                return [write_graphml(repo, spec, path)]
            from app.core.exports.data import export_data

            def step(done: int, total: int) -> bool:
                return progress(int(90 * done / max(total, 1)), f"Reading entity {done + 1} of {total}…")

            return export_data(repo, spec, base, path, progress=step, notes=notes)

        def done(paths: list[Path]) -> None:
            self.show_status("Wrote " + ", ".join(str(p) for p in paths), 8000)

        self.relay = run_job(self.parent_widget, work, "Exporting data…", done, show_status=self.show_status)
        return self.relay

    def print_report(self) -> None:
        options, ok = self.ask_options("print")
        if ok:
            self.start_print(options, preview=False)

    def preview_report(self) -> None:
        options, ok = self.ask_options("preview")
        if ok:
            self.start_print(options, preview=True)

    def start_print(self, options: ExportOptions, *, preview: bool) -> Task:
        """Typeset the pages in the background, then open the print (or preview) dialog."""
        from app.core.exports.report_pdf import render_pages_svg
        from app.core.exports.typst_pool import discard_spare
        from app.ui.report.printing import show_print_dialog
        from app.ui.report.report import load_fonts, prepare

        load_fonts()
        repo, spec, user_data, cache = self.repo, self._spec(options.use_selection), self.user_data, self.graph_cache

        def work(progress: Callable[[int, str], bool]) -> list[list[bytes]]:
            try:
                data, figures = prepare(repo, spec, options, user_data=user_data, progress=progress, graph_cache=cache)
                progress(60, "Typesetting pages…")
                return render_pages_svg(data, options, figures, progress)
            finally:
                discard_spare()  # a worker started early and not taken (a cancel, a failure)

        def done(pages: list[list[bytes]]) -> None:
            show_print_dialog(self.parent_widget, pages, options, preview=preview, show_status=self.show_status)

        self.relay = run_job(self.parent_widget, work, "Preparing the document…", done, show_status=self.show_status)
        return self.relay


def _format_for(path: Path) -> str:
    """The data format a file name asks for, or "" when its extension names none."""
    return {".json": "json", ".csv": "csv", ".md": "md", ".graphml": "graphml"}.get(path.suffix.lower(), "")
