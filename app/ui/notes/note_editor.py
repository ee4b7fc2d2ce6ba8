"""The editor half of the notes pane: the quoted passage, title, Markdown text with a safe preview,
the note's tags and its save state. It holds no note and saves nothing: the pane does."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.userdata.notes import Note
from app.ui.markdown import SafeTextBrowser, set_safe_markdown


class NoteEditor(QWidget):
    """Widgets to write one note. Clicks come out as signals; text changes as ``edited``."""

    edited = Signal()
    passage_clicked = Signal()  # "Open passage" on the quote
    tags_clicked = Signal()  # "Note tags…"
    entity_requested = Signal(str)  # an entity: link in the preview
    status_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.quote_label = QLabel()
        self.quote_label.setTextFormat(Qt.TextFormat.RichText)  # never guessed from a (multi-line) quote
        self.quote_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.quote_label.setWordWrap(True)
        self.quote_label.setAccessibleName("Quoted passage")
        self.quote_label.setToolTip("The passage this note is anchored to; click to open it")
        self.quote_label.linkActivated.connect(lambda _href: self.passage_clicked.emit())
        self.quote_label.hide()
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText("Title")
        self.title_edit.setAccessibleName("Note title")
        self.title_edit.setMaxLength(500)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText("Write in Markdown: **bold**, *italic*, - lists, [links](https://…)")
        self.body_edit.setAccessibleName("Note text (Markdown)")
        self.body_edit.setTabChangesFocus(True)
        self.preview = SafeTextBrowser()
        self.preview.setAccessibleName("Note preview")
        self.preview.link_activated.connect(self._on_internal_link)
        self.preview.status_message.connect(self.status_message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.body_edit, "Write")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.currentChanged.connect(self._on_tab)
        self.note_tags_label = QLabel()
        self.note_tags_label.setTextFormat(Qt.TextFormat.RichText)
        self.note_tags_label.setAccessibleName("Note tags")
        self.note_tags_button = QPushButton("Note tags…")
        self.note_tags_button.setToolTip("Tag this note")
        self.note_tags_button.clicked.connect(self.tags_clicked)
        self.state_label = QLabel()
        self.state_label.setTextFormat(Qt.TextFormat.PlainText)  # error messages may quote a title
        self.state_label.setAccessibleName("Save state")
        self.title_edit.textEdited.connect(self.edited)
        self.body_edit.textChanged.connect(self.edited)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.quote_label)
        layout.addWidget(self.title_edit)
        layout.addWidget(self.tabs, 1)
        tags_row = QHBoxLayout()
        tags_row.addWidget(self.note_tags_label, 1)
        tags_row.addWidget(self.note_tags_button)
        layout.addLayout(tags_row)
        layout.addWidget(self.state_label)

    def show_anchor(self, note: Note | None) -> None:
        """The quoted passage of ``note`` (one paragraph, at most 300 characters), or nothing."""
        if note and note.quote:
            quote = " ".join(note.quote.split())  # one paragraph, whatever the lines of the passage
            quote = quote if len(quote) < 300 else quote[:300] + "…"
            self.quote_label.setText(f"On the passage: “{escape(quote)}” <a href='open'>Open passage</a>")
            self.quote_label.show()
        else:
            self.quote_label.hide()

    def show_write(self) -> None:
        """The Write tab (a new note is typed, not previewed)."""
        self.tabs.setCurrentWidget(self.body_edit)

    def refresh_preview(self) -> None:
        """Re-render the preview if it is the tab shown."""
        if self.tabs.currentWidget() is self.preview:
            self.render_preview()

    def _on_tab(self, _index: int) -> None:
        self.refresh_preview()

    def render_preview(self) -> None:
        set_safe_markdown(self.preview.document(), self.body_edit.toPlainText())

    def _on_internal_link(self, url: QUrl) -> None:
        # [NATO](entity:nato) or atlas:entity/nato links jump to an entity; anything else is not opened.
        if url.scheme() == "entity":
            self.entity_requested.emit(url.path())
        elif url.scheme() == "atlas" and url.path().startswith("entity/"):
            self.entity_requested.emit(url.path()[len("entity/") :])
        else:
            self.status_message.emit(f"Links of this kind are not opened: {url.toDisplayString()[:80]}")
