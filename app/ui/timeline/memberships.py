"""The timeline's membership mode: with one dataset alliance selected, a row per membership from its
entry year to its exit year (the alliance's own row first), and the As of year marked on the axis."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from app.core.datasets.compare import RELEASE_END
from app.core.timeline.layout import Span, TimelineLayout, layout_timeline, membership_spans

ALL_NOTE = (
    "Bars start at the founding year the documents state. Hatched bars with a dashed outline: "
    "no end year stated (not a claim that it still exists)."
)
MEMBERS_NOTE = (
    "Each member's bar runs from its entry year to its exit year in the dataset; hatched with a dashed "
    "outline: still a member at the dataset's end. Click a row to select that member."
)


class MembershipsMixin:
    """Part of TimelineView (app.ui.timeline.timeline_view): which rows to lay out, the heading above
    the chart in membership mode, and the As of line."""

    _repo: Any
    selected_id: str | None
    timeline: TimelineLayout[Any]
    plot: Any
    note: QLabel
    undated_list: QListWidget
    isVisible: Callable[[], bool]  # QWidget's (an annotation only: the mixin must not hide it)

    def _build_members_bar(self, root: QVBoxLayout, parent: QWidget) -> None:
        self.members_of: str | None = None  # the alliance whose memberships are drawn (None: the filter's rows)
        self._member_ids: set[str] = set()
        self._dismissed: str | None = None  # "All entities" was chosen while this alliance was selected
        self._all_rows: Sequence[Any] = []
        self.as_of: int | None = None
        self._mode_stale = False
        bar = QWidget(parent)
        bar.setObjectName("timeline_members_bar")
        lay = QHBoxLayout(bar)
        lay.setContentsMargins(4, 2, 4, 2)
        self.members_heading = QLabel(bar)
        self.members_heading.setObjectName("timeline_members_heading")
        self.members_heading.setWordWrap(True)
        self.all_button = QPushButton("&All entities", bar)
        self.all_button.setToolTip("Back to the founding years of every entity the filter matches")
        self.all_button.clicked.connect(self.show_all_entities)
        lay.addWidget(self.members_heading, 1)
        lay.addWidget(self.all_button)
        bar.setVisible(False)
        self.members_bar = bar
        root.addWidget(bar)
        self._as_of_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#6a3d9a", width=2, style=Qt.PenStyle.DotLine)
        )
        self._as_of_line.setVisible(False)
        self._as_of_line.setZValue(-4)
        self.plot.addItem(self._as_of_line)

    # ---- which rows -----------------------------------------------------------------------------
    def _member_rows(self) -> tuple[str, Any, list[Span]] | None:
        """(alliance id, its detail, its memberships with years) to draw, or None: the filter's rows.
        A member of the alliance on show may be selected without leaving it (its row is highlighted)."""
        eid = self.selected_id
        if eid is None:
            return None
        alliance = self.members_of if self.members_of is not None and eid in self._member_ids else eid
        if alliance == self._dismissed:
            return None
        found = self._repo.entity_details([alliance], as_of=self.as_of, compare=False)
        if not found:
            return None
        detail = found[0]
        spans = membership_spans(detail.members)
        return (alliance, detail, spans) if spans else None

    def _relayout_for_selection(self) -> None:
        """A new selection: draw its memberships, or leave membership mode; only the highlight moves
        when neither the old nor the new selection has any (one small query, no redraw)."""
        chosen = self._member_rows()
        if chosen is None and self.members_of is None:
            self._mode_stale = False
            self._show_highlight()
            return
        self.timeline = self._layout_rows(chosen)
        self._draw()

    def _layout_rows(self, chosen: tuple[str, Any, list[Span]] | bool | None = True) -> TimelineLayout[Any]:
        """The layout for the current selection and As of year (membership mode when it applies);
        ``chosen``: :meth:`_member_rows` already read (True: read it now)."""
        self._mode_stale = False
        if chosen is True:
            chosen = self._member_rows()
        if chosen is None or chosen is False:
            self.members_of, self._member_ids = None, set()
            self.members_bar.setVisible(False)
            self.note.setText(ALL_NOTE)
            return layout_timeline(self._all_rows)
        alliance, detail, spans = chosen
        self.members_of, self._member_ids = alliance, {s.id for s in spans}
        when = f" in force in {self.as_of}" if self.as_of is not None else ""
        members = len({s.id for s in spans})
        release = next(((r.dataset, r.version) for r in detail.records), None)
        source = f"{release[0]} {release[1]}".strip() if release else "the dataset"
        end = RELEASE_END.get(release) if release else None
        self.members_heading.setText(
            f"<b>{detail.name}</b>: {members} member{'s' if members != 1 else ''}{when}, "
            f"each from its entry year to its exit year (from {source}'s records"
            f"{f', which run to {end}' if end else ''})."
        )
        self.members_bar.setVisible(True)
        self.note.setText(MEMBERS_NOTE)
        return layout_timeline([detail, *spans], keep_order=True)

    def _needs_relayout(self, entity_id: str | None) -> bool:
        """Whether selecting ``entity_id`` changes which rows are drawn (not just the highlight)."""
        if self.members_of is not None and entity_id in self._member_ids:
            return False
        if entity_id is None:
            return self.members_of is not None
        if entity_id != self._dismissed:
            self._dismissed = None
        return True

    def show_all_entities(self) -> None:
        """Leave membership mode for this selection: every entity the filter matches again."""
        self._dismissed = self.members_of
        self._redraw_rows()

    def _select(self, entity_id: str | None) -> None:
        """A new selection: highlight it, and draw its memberships (or leave that mode) when it changes
        which rows are drawn; a hidden timeline does that when shown."""
        relayout = self._needs_relayout(entity_id)
        self.selected_id = entity_id
        if relayout and not self.isVisible():
            self._mode_stale = True  # the memberships are read when the timeline is shown
        elif relayout:
            self._relayout_for_selection()
            return
        self._show_highlight()

    def _redraw_rows(self) -> None:
        """Lay out the filter's rows, or the selected alliance's memberships, and draw them."""
        self.timeline = self._layout_rows()
        self._draw()

    def _draw(self) -> None:
        raise NotImplementedError  # TimelineView

    def _show_highlight(self) -> None:
        raise NotImplementedError  # TimelineView

    # ---- the As of year -------------------------------------------------------------------------
    def _show_as_of_line(self) -> None:
        year = self.as_of
        self._as_of_line.setVisible(year is not None and bool(self.timeline.bars))
        if year is not None:
            self._as_of_line.setValue(self.timeline.scale.x(year))
            self._as_of_line.setToolTip(f"As of {year}: only what was in force that year is drawn")

    def member_tip(self, entity_id: str) -> str | None:
        """The tooltip of a membership row (None outside membership mode)."""
        if self.members_of is None or entity_id not in self._member_ids:
            return None
        stays = [b.entity for b in self.timeline.bars if b.id == entity_id]
        years = "; ".join(
            f"{s.founded}–{s.ended}" if s.ended is not None else f"{s.founded}, still a member at the dataset's end"
            for s in stays
        )
        return f"{stays[0].name}\nmember: {years}" if stays else None
