"""The detail pane: everything the database holds about one entity, each fact with its citation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any, Protocol

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from app.core.errors import AtlasError
from app.core.query.repository import Citation, EntityDetail, Link, highlight_spans
from app.core.reference.relations import relation_sentence
from app.core.vocab import kind_label
from app.ui.panes import dataset_detail as ds

ROLE_LABELS = {"member": "member", "party": "party", "part_of": "part of", "partner": "partner", "has part": "has part"}
MEMBER_HEADINGS = {"partnership": "Parties", "treaty": "Parties", "event": "Participants"}

CSS = (
    """
h1 { margin: 0 0 2px 0; font-size: x-large; }
h3 { margin: 14px 0 4px 0; color: #3b4654; }
.aka { color: #5f6b7a; margin: 0 0 6px 0; }
.kind { color: white; padding: 1px 6px; font-weight: bold; }
td.k { color: #5f6b7a; padding: 2px 12px 2px 0; }
td.v { padding: 2px 0; }
a { color: #1d5fbf; text-decoration: none; }
sup a { color: #8a5a00; }
.quote { color: #2d3440; }
.src { color: #5f6b7a; }
.hit { background-color: #ffe98a; }
.empty { color: #5f6b7a; }
.conn { background-color: #eef4ff; }
.tags { margin: 2px 0 6px 0; }
"""
    + ds.DATASET_CSS
)


class TagLike(Protocol):
    """What the tag provider returns per tag (``app.core.userdata.notes.Tag`` fits)."""

    @property
    def name(self) -> str: ...

    @property
    def color(self) -> str: ...


TagProvider = Callable[[str], Sequence[TagLike]]


def _cites(citations: Sequence[Citation]) -> str:
    if not citations:
        return ""
    links = ",".join(f'<a href="cite:{c.number}" title="{escape(c.quote)}">{c.number}</a>' for c in citations)
    return f"<sup>[{links}]</sup>"


def _snippet_html(snippet: str) -> str:
    return "".join(f'<span class="hit">{escape(t)}</span>' if hit else escape(t) for hit, t in highlight_spans(snippet))


class DetailPane(QWidget):
    """Renders an EntityDetail as rich text; links select entities or open cited passages."""

    entity_link_activated = Signal(str)
    # document id, start, end, quote to highlight ("" for a whole passage)
    open_passage_requested = Signal(str, int, int, str)
    # "Tags…" under the name: edit the tags of the shown entity (the notes pane follows the
    # selection, so it needs no id: NotesPane.edit_entity_tags takes none)
    tags_requested = Signal()
    # A dataset citation's link: show that stored record's row (its id in the user database).
    open_record_requested = Signal(int)
    # Confirm / Remove on a same-as line: (catalogue entity, dataset alliance, "confirmed" | "removed")
    same_as_decided = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("detail_browser")
        self.browser.setAccessibleName("Entity details")
        self.browser.setAccessibleDescription(
            "Facts about the selected entity with their citations; links select entities or open the cited passage"
        )
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.document().setDefaultStyleSheet(CSS)
        self.browser.document().setDocumentMargin(10)
        self.browser.anchorClicked.connect(self._on_anchor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)
        self.setFocusProxy(self.browser)
        self._detail: EntityDetail | None = None
        self._citations: dict[int, Citation] = {}
        self._connection: list[Any] = []  # the "why connected?" chain shown above the details
        self._connection_note = ""  # or why there is none ("… are not connected …")
        self._placeholder = ""
        self._tag_provider: TagProvider | None = None
        self._tags: Sequence[TagLike] = ()
        self._tags_error = ""
        self.show_placeholder()

    @property
    def detail(self) -> EntityDetail | None:
        return self._detail

    def set_tag_provider(self, provider: TagProvider | None) -> None:
        """Give the pane a way to read an entity's user tags (e.g. ``NotesStore.tags_for_entity``).

        Without one (the notes feature is installed after the first paint), no tags or "Tags…" link
        show. The pane asks again each time ``show_entity`` runs, so it follows tag changes.
        """
        self._tag_provider = provider
        if self._detail is not None:
            self._load_tags(self._detail.id)
            self.browser.setHtml(self.render(self._detail))

    def _load_tags(self, entity_id: str) -> None:
        self._tags, self._tags_error = (), ""
        if self._tag_provider is None:
            return
        try:
            self._tags = tuple(self._tag_provider(entity_id))
        except AtlasError as exc:  # a locked or damaged notes database: say so, keep the facts
            self._tags_error = str(exc)

    @property
    def tag_names(self) -> list[str]:
        """The tags shown for the current entity, in order."""
        return [t.name for t in self._tags]

    def show_placeholder(
        self, text: str = "Select an entity in the list to see its facts and the evidence for each."
    ) -> None:
        self._detail = None
        self._citations = {}
        self._placeholder = text
        self._rerender()

    def show_entity(self, detail: EntityDetail | None) -> None:
        if detail is None:
            self.show_placeholder("This entity is not in the reference database.")
            return
        self._detail = detail
        # A chain stays above an entity on it (the graph keeps drawing it); another entity drops it.
        if not any(detail.id in (getattr(s, "from_id", None), getattr(s, "to_id", None)) for s in self._connection):
            self._connection = []
        self._connection_note = ""
        self._citations = {c.number: c for c in detail.citations}
        self._load_tags(detail.id)
        for link in (*detail.members, *detail.member_of, *detail.related):
            for c in link.citations:
                self._citations.setdefault(c.number, c)
        self.browser.setHtml(self.render(detail))
        self.browser.verticalScrollBar().setValue(0)

    def show_connection(self, steps: Sequence[Any], between: Sequence[str] | None = None) -> None:
        """Show why two entities are connected, above the details (or alone when none is shown).

        ``steps``: the chain, one per line; a step with ``text`` and ``citations``
        (``app.core.graph.network.ConnectionStep``) is shown with its citations as links to the passages,
        else its ``html`` (trusted, already escaped) or its ``str()``. ``between``: the two names
        asked about; with no steps it says they are not connected. No steps and no names: clear.
        """
        steps = list(steps)
        note = ""
        if not steps and between:
            a, b = between[0], between[1]
            note = (
                f"{a} and {b} are the same entity: pick two different ones."
                if a == b
                else f"{a} and {b} are not connected by any cited tie in the documents."
            )
        if not steps and not note and not self._connection and not self._connection_note:
            return  # nothing shown, nothing to show: no re-render
        self._connection, self._connection_note = steps, note
        self._rerender()

    @property
    def connection_shown(self) -> bool:
        """True while a chain or a "not connected" note is shown."""
        return bool(self._connection or self._connection_note)

    def _rerender(self) -> None:
        if self._detail is not None:
            bar = self.browser.verticalScrollBar().value()
            self.browser.setHtml(self.render(self._detail))
            self.browser.verticalScrollBar().setValue(0 if self.connection_shown else bar)
        else:
            self.browser.setHtml(self._render_connection() + f'<p class="empty">{escape(self._placeholder)}</p>')
            self.browser.verticalScrollBar().setValue(0)

    def _render_connection(self) -> str:
        if self._connection_note:
            return (
                '<table class="conn" width="100%" cellpadding="6"><tr><td>'
                f"<b>How they connect</b><p>{escape(self._connection_note)}</p></td></tr></table>"
            )
        if not self._connection:
            return ""
        items = []
        for i, step in enumerate(self._connection):
            cites = getattr(step, "citations", None)
            text = getattr(step, "text", None)
            if text is not None and cites is not None:
                lines = "".join(
                    f'<br><a class="src" href="conncite:{i}.{j}" title="Open in the document">'
                    f"{escape(c.document_title)}{f' › {escape(c.section)}' if c.section else ''}</a>"
                    f'<span class="quote">: “{escape(c.quote)}”</span>'
                    for j, c in enumerate(cites)
                )
                if not cites:
                    lines = '<br><span class="empty">(no citation recorded)</span>'
                items.append(f"<li>{escape(str(text))}{lines}</li>")
            else:
                items.append(f"<li>{getattr(step, 'html', None) or escape(str(step))}</li>")
        n = len(self._connection)
        return (
            '<table class="conn" width="100%" cellpadding="6"><tr><td>'
            f"<b>How they connect</b> ({n} cited step{'s' * (n != 1)})<ol>{''.join(items)}</ol></td></tr></table>"
        )

    # ---- rendering ------------------------------------------------------------------------
    def _link(self, link: Link, *, role: bool = False) -> str:
        extra = f' <span class="src">({ROLE_LABELS.get(link.role, link.role)})</span>' if role else ""
        return (
            f'<a href="entity:{escape(link.id)}">{escape(link.name)}</a>{ds.link_years(link)}{extra}'
            f"{_cites(link.citations)}{ds.records_sup(link.records)}"
        )

    def _sentence(self, d: EntityDetail, link: Link) -> str:
        """The link's relation sentence, with the other entity's name as a link and the citations."""
        if not link.field:
            return self._link(link, role=True)
        holder, target = (d.name, link.name) if link.outgoing else (link.name, d.name)
        # Placeholders that survive escaping, swapped for the (escaped) names and the link afterwards.
        text = escape(relation_sentence(link.field, "\x01", "\x02"))
        names = {"\x01": holder, "\x02": target}
        other = "\x02" if link.outgoing else "\x01"
        for mark, name in names.items():
            shown = name[:1].upper() + name[1:] if text.startswith(mark) else name
            html = f'<a href="entity:{escape(link.id)}">{escape(shown)}</a>' if mark == other else escape(shown)
            text = text.replace(mark, html)
        return f"{text}{_cites(link.citations)}"

    def render(self, d: EntityDetail) -> str:  # type: ignore[override]  # HTML, not QWidget.render (painting)
        from app.ui.icons import kind_colour

        out: list[str] = [self._render_connection()]
        colour = kind_colour(d.kind).name()
        out.append(f"<h1>{escape(d.name)}</h1>")
        if self._tag_provider is not None:
            out.append(self._render_tags())
        if d.aliases:
            out.append(f'<p class="aka">Also known as {escape(", ".join(d.aliases))}</p>')
        rows = [
            (
                "Kind",
                f'<span class="kind" style="background-color:{colour}">&nbsp;{escape(kind_label(d.kind))}&nbsp;</span>'
                # A user entity says so: made from the user's own documents, not the reference catalogue.
                + (' &nbsp;<span class="user-origin"><i>from your documents</i></span>' if d.origin == "user" else "")
                + ds.origin_note(d),
            )
        ]
        by_field: dict[str, list[Any]] = {}
        for f in d.facts:
            by_field.setdefault(f.field, []).append(f)

        def fact_values(field: str) -> str:
            return "; ".join(
                f"{escape(f.value or '')}{_cites(f.citations)}{ds.records_sup(f.records)}"
                for f in by_field.get(field, [])
                if f.value
            )

        for field, label in (
            ("category", "Category"),
            ("founded", "Founded"),
            ("ended", "Ended"),
            ("region", "Region"),
            ("member_count", "Stated members"),
            ("obligation", "Obligations"),
        ):
            value = fact_values(field)
            if value:
                rows.append((label, value))
        out.append(
            "<table>" + "".join(f'<tr><td class="k">{k}</td><td class="v">{v}</td></tr>' for k, v in rows) + "</table>"
        )
        out.append(ds.same_as_html(d) + ds.disagreements_html(d))
        descriptions = by_field.get("description", [])
        for f in descriptions:
            for c in f.citations:
                out.append(f'<p class="quote">{escape(c.quote)} {_cites([c])}</p>')

        if d.members:
            heading = MEMBER_HEADINGS.get(d.kind, "Members")
            out.append(f"<h3>{heading} ({len(d.members)})</h3><p>")
            out.append(
                ", ".join(self._link(m, role=d.kind not in MEMBER_HEADINGS and m.role != "member") for m in d.members)
            )
            out.append("</p>")
        if d.member_of:
            out.append(f"<h3>Member of or party to ({len(d.member_of)})</h3><p>")
            out.append(", ".join(self._link(m, role=m.role != "member") for m in d.member_of))
            out.append("</p>")
        if d.related:
            # Each tie as the sentence its quote supports ("NATO was established under North Atlantic
            # Treaty"), the other entity a link.
            out.append(f"<h3>Related ({len(d.related)})</h3><ul>")
            out.append("".join(f"<li>{self._sentence(d, m)}</li>" for m in d.related))
            out.append("</ul>")
        if d.activities:
            out.append("<h3>Activities</h3><p>")
            out.append(
                "; ".join(
                    f"{escape(f.value or '')}{_cites(f.citations)}" for f in by_field.get("activity", []) if f.value
                )
            )
            out.append("</p>")

        cites = sorted(self._citations.values(), key=lambda c: c.number)
        if cites:
            out.append(f"<h3>Evidence ({len(cites)})</h3>")
            out.append('<table cellspacing="0" cellpadding="3">')
            for c in cites:
                section = f" › {escape(c.section)}" if c.section else ""
                out.append(
                    f'<tr><td valign="top"><a href="cite:{c.number}">[{c.number}]</a></td>'
                    f'<td><a class="quote" href="cite:{c.number}" title="Open in the document">'
                    f"“{escape(c.quote)}”</a><br>"
                    f'<span class="src">{escape(c.document_title)}{section}</span></td></tr>'
                )
            out.append("</table>")
        elif not d.records:
            out.append('<p class="empty">The documents state no facts about this entity.</p>')
        out.append(ds.records_evidence_html(d))

        if d.mentions:
            n = len(d.mentions)
            out.append(f"<h3>Mentioned in ({n} {'passage' if n == 1 else 'passages'})</h3>")
            out.append('<table cellspacing="0" cellpadding="3">')
            for i, m in enumerate(d.mentions):
                section = f" › {escape(m.section)}" if m.section else ""
                out.append(
                    f'<tr><td><a href="mention:{i}"><span class="src">'
                    f"{escape(m.document_title)}{section}</span></a><br>"
                    f"{_snippet_html(m.snippet)}</td></tr>"
                )
            out.append("</table>")
        return "".join(out)

    def _render_tags(self) -> str:
        link = '<a href="tags:" title="Add or remove tags on this entity">Tags…</a>'
        if self._tags_error:
            error = f'<span class="empty" title="{escape(self._tags_error)}">Tags could not be read.</span>'
            return f'<p class="tags">{error} {link}</p>'
        # Imported here, not at the top: tag_dialog pulls in the notes code, which the window loads
        # after its first paint; tags only show once the notes feature has set a provider.
        from app.ui.notes.tag_dialog import tag_chips_html

        chips = tag_chips_html([(t.name, t.color) for t in self._tags])
        return f'<p class="tags">{chips}{" &nbsp;" if chips else ""}{link}</p>'

    # ---- links ----------------------------------------------------------------------------
    def _on_anchor(self, url: QUrl) -> None:
        self.follow_link(url.toString())

    def follow_link(self, href: str) -> None:
        """Act on a link in the pane (also used by tests and keyboard activation)."""
        scheme, _, rest = href.partition(":")
        if scheme == "entity" and rest:
            self.entity_link_activated.emit(rest)
        elif scheme == "cite" and rest.isdigit():
            c = self._citations.get(int(rest))
            if c is not None:
                self.open_passage_requested.emit(c.document_id, c.start, c.end, c.quote)
        elif scheme == "conncite" and "." in rest:
            i, _, j = rest.partition(".")
            if i.isdigit() and j.isdigit() and int(i) < len(self._connection):
                cites = getattr(self._connection[int(i)], "citations", None) or ()
                if int(j) < len(cites):
                    c = cites[int(j)]
                    self.open_passage_requested.emit(c.document_id, c.start, c.end, c.quote)
        elif scheme == "record" and rest.isdigit():
            self.open_record_requested.emit(int(rest))
        elif scheme == "sameas" and rest.count(":") == 2:
            entity_id, dataset_id, status = rest.split(":")
            if status in ("confirmed", "removed"):
                self.same_as_decided.emit(entity_id, dataset_id, status)
        elif scheme == "tags" and self._detail is not None:
            self.tags_requested.emit()
        elif scheme == "mention" and rest.isdigit() and self._detail is not None:
            n = int(rest)
            if 0 <= n < len(self._detail.mentions):
                m = self._detail.mentions[n]
                self.open_passage_requested.emit(m.document_id, m.start, m.end, "")
