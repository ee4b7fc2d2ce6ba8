"""Search results: ranked passages with highlighted snippets, and the entities that match."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from html import escape

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from app.core.query.filters import FilterSpec
from app.core.query.repository import EntityRow, PassageHit, Repository, highlight_spans
from app.core.vocab import kind_label

CSS = """
h3 { margin: 10px 0 4px 0; color: #3b4654; }
a { color: #1d5fbf; text-decoration: none; }
.hit { background-color: #ffe98a; }
.src { color: #5f6b7a; }
.empty { color: #5f6b7a; }
.kind { color: #5f6b7a; }
"""


SearchResult = tuple[str, list[PassageHit], list[EntityRow], list[str]]  # text, passages, entities, messages


def search_job(repo: Repository, spec: FilterSpec) -> Callable[[], SearchResult]:
    """What the Search tab shows for ``spec``, to compute on a worker: the ranked passages, the list's
    entities (the facets apply) best match first, and what they are when not every word matched."""
    text = spec.text.strip()

    def search() -> SearchResult:
        if not text:
            return text, [], [], []
        found = repo.passage_search(text, limit=50, typing=spec.typing)
        ranked = replace(spec, sort="rank", descending=False)
        # "No passage has all of …; showing passages with some of them." and the same for entities.
        messages = [m for m in (repo.entity_search_message(ranked), found.message) if m]
        return text, list(found.hits), repo.list_entities(ranked, limit=200), messages

    return search


class SearchResultsPane(QWidget):
    """Shows one search's results; choosing a passage asks for it to be opened in the viewer."""

    entity_link_activated = Signal(str)
    open_passage_requested = Signal(str, int, int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("search_results")
        self.browser.setAccessibleName("Search results")
        self.browser.setAccessibleDescription("Passages and entities matching the search; links open them")
        self.browser.setOpenLinks(False)
        self.browser.document().setDefaultStyleSheet(CSS)
        self.browser.document().setDocumentMargin(10)
        self.browser.anchorClicked.connect(self._on_anchor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.setFocusProxy(self.browser)
        self.query = ""
        self.hits: list[PassageHit] = []
        self.entities: list[EntityRow] = []
        self._pending_html: str | None = None
        self.show_results("", [], [])

    def show_results(
        self, query: str, hits: list[PassageHit], entities: list[EntityRow], *, messages: Sequence[str] = ()
    ) -> None:
        """``messages``: what the results are when not every word matched ("No passage has all of …")."""
        self.query, self.hits, self.entities = query, list(hits), list(entities)
        if not query.strip():
            self._set_html(
                '<p class="empty">Type in the search box (Ctrl+F) to search the documents. '
                "Matching passages appear here, best first; choose one to read it in context.</p>"
            )
            return
        out = [f'<p class="empty">{escape(m)}</p>' for m in messages]
        if entities:
            shown = entities[:30]
            out.append(f"<h3>Entities ({len(entities)})</h3><p>")
            out.append(
                ", ".join(
                    f'<a href="entity:{escape(e.id)}">{escape(e.name)}</a> '
                    f'<span class="kind">({escape(kind_label(e.kind).lower())})</span>'
                    for e in shown
                )
            )
            if len(entities) > len(shown):
                out.append(f" … and {len(entities) - len(shown)} more in the list")
            out.append("</p>")
        out.append(f"<h3>Passages ({len(hits)})</h3>")
        if not hits:
            out.append(f'<p class="empty">No passage in the documents matches “{escape(query)}”.</p>')
        else:
            out.append('<table cellspacing="0" cellpadding="4">')
            for i, h in enumerate(hits):
                section = f" › {escape(h.section)}" if h.section else ""
                snippet = "".join(
                    f'<span class="hit">{escape(t)}</span>' if hit else escape(t)
                    for hit, t in highlight_spans(h.snippet)
                )
                out.append(
                    f'<tr><td valign="top" class="src">{i + 1}.</td><td><a href="passage:{i}">'
                    f"{escape(h.document_title)}{section}</a><br>{snippet}</td></tr>"
                )
            out.append("</table>")
        self._set_html("".join(out))

    def _set_html(self, html: str) -> None:
        """Lay the results out now if they are on screen, else when the pane is shown: setHtml
        costs 20 ms or more, and a hidden Search tab got it on every keystroke."""
        if self.isVisible():
            self._pending_html = None
            self.browser.setHtml(html)
        else:
            self._pending_html = html

    def showEvent(self, event: QShowEvent) -> None:
        if self._pending_html is not None:
            html, self._pending_html = self._pending_html, None
            self.browser.setHtml(html)
        super().showEvent(event)

    def _on_anchor(self, url: QUrl) -> None:
        self.follow_link(url.toString())

    def follow_link(self, href: str) -> None:
        scheme, _, rest = href.partition(":")
        if scheme == "entity" and rest:
            self.entity_link_activated.emit(rest)
        elif scheme == "passage" and rest.isdigit() and int(rest) < len(self.hits):
            h = self.hits[int(rest)]
            self.open_passage_requested.emit(h.document_id, h.start, h.end, "")
