"""Markdown made safe, in one place: raw HTML off, no resource ever loaded, links never followed by themselves.

Notes may come from an imported file, so their Markdown is untrusted: ``<img src=...>`` stays
literal text (MarkdownNoHTML), an image becomes a visible placeholder instead of loading a file or
URL, and a clicked link is handed to the caller (external ones only after the user agrees).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

# GitHub dialect with raw HTML off: text that looks like a tag stays text.
MARKDOWN_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)
EXTERNAL_SCHEMES = ("http", "https", "mailto")


def set_safe_markdown(document: QTextDocument, text: str) -> None:
    """Render Markdown with raw HTML off (``<img src=...>`` stays literal text); every image shows as
    a visible placeholder, "[image: alt text]", instead of vanishing (nothing is ever loaded)."""
    document.setMarkdown(text, MARKDOWN_FEATURES)
    replace_images(document)


def image_placeholder(alt: str) -> str:
    return f"[image: {alt}]" if alt else "[image]"


def replace_images(document: QTextDocument) -> int:
    """Replace every image in ``document`` by its placeholder text; returns how many there were."""
    spans: list[tuple[int, int, str]] = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.charFormat().isImageFormat():
                fmt = frag.charFormat().toImageFormat()
                alt = str(fmt.property(QTextFormat.Property.ImageAltText) or "")
                spans.append((frag.position(), frag.length(), image_placeholder(alt)))
            it += 1
        block = block.next()
    cursor = QTextCursor(document)
    for pos, length, text in reversed(spans):
        cursor.setPosition(pos)
        cursor.setPosition(pos + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(text)
    return len(spans)


class SafeTextDocument(QTextDocument):
    """A text document that loads no resources at all: no local files, no network (for notes in PDFs too)."""

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        return blocked_resource(type)


def blocked_resource(kind: int) -> Any:
    """A stand-in for any resource. Not None: for a null result Qt falls back to reading local
    files itself, so an empty (null) image or a blank text is returned instead."""
    if kind == QTextDocument.ResourceType.ImageResource.value:
        return QImage()
    return " "


class SafeTextBrowser(QTextBrowser):
    """A preview that never loads a resource and never follows a link by itself.

    ``loadResource`` returns nothing for every URL (Markdown images like ``![](file:///etc/passwd)``
    show as a placeholder, never as the file). Clicked links come out as ``link_activated``; external
    ones open only after :meth:`confirm_external` says yes. Every click is answered: a link not
    opened (declined, or no web browser) says so on ``status_message``.
    """

    link_activated = Signal(QUrl)
    status_message = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        return blocked_resource(type)

    def _on_anchor(self, url: QUrl) -> None:
        if url.scheme() in EXTERNAL_SCHEMES:
            shown = url.toDisplayString()[:80]
            if not self.confirm_external(self, url):
                self.status_message.emit(f"Link not opened: {shown}")
            elif not QDesktopServices.openUrl(url):
                self.status_message.emit(f"Link not opened: no web browser could open {shown}")
            else:
                self.status_message.emit(f"Opened {shown} in your web browser.")
            return
        self.link_activated.emit(url)

    @staticmethod
    def confirm_external(parent: QWidget, url: QUrl) -> bool:
        """Ask before leaving the application (a seam tests patch)."""
        answer = QMessageBox.question(
            parent,
            "Open link?",
            f"Open this link in your web browser?\n\n{url.toDisplayString()}",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Open
