"""The window's view as a lesson step: read what the real panes show now, and show a step on them.

:class:`StepView` is all the lesson feature knows of the window. :class:`PaneStepView` implements
it over the real panes (given as narrow callables, never the window): *Add current view as step*
asks it for the steps the window shows, *Present* applies each step to the panes and puts the
window's view back afterwards. The graph and the timeline glide from the previous view to the next
(a short animated range change).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QEasingCurve, QObject, QRectF, QVariantAnimation

from app.core.lessons.model import STEP_LABELS, Step
from app.core.query.filters import FilterSpec

ANIMATION_MS = 450  # long enough to see where the view went, short enough not to wait for


class StepView(Protocol):
    """What the lesson feature asks of the window."""

    def capture(self) -> list[Step]:
        """The steps the window shows now, the one it most plainly shows first ([] if none)."""
        ...

    def apply(self, step: Step, *, animate: bool = True) -> str:
        """Show ``step`` on the window; "" or one sentence saying what this machine cannot show."""
        ...

    def describe(self, step: Step) -> str:
        """The step in words, with names instead of ids ("Graph focus: NATO, 2 links out")."""
        ...

    def snapshot(self) -> object:
        """What the window shows now, to put back with :meth:`restore`."""
        ...

    def restore(self, snapshot: object) -> None: ...


@dataclass(frozen=True)
class _Snapshot:
    spec: FilterSpec
    entity_id: str | None
    tab: str
    depth: int
    chain: tuple[str, str] | None


class PaneStepView(QObject):
    """:class:`StepView` over the window's real panes.

    ``graph`` and ``timeline`` return the panes once built (they load after the first paint), or
    None. ``chain_shown`` is fed by the graph's ``connection_found`` so the view knows the chain on
    show without reading the pane's insides.
    """

    def __init__(
        self,
        *,
        entity_names: Callable[[], Mapping[str, str]],
        current_entity: Callable[[], str | None],
        select_entity: Callable[[str], bool],
        current_spec: Callable[[], FilterSpec],
        set_spec: Callable[[FilterSpec], None],
        current_tab: Callable[[], str],
        show_tab: Callable[[str], None],
        graph: Callable[[], Any],
        timeline: Callable[[], Any],
        document_selection: Callable[[], tuple[str, int, int] | None],
        open_passage: Callable[[str, int, int, str], bool],
        document_title: Callable[[str], str | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._names = entity_names
        self._names_cache: dict[str, str] | None = None
        self._current_entity, self._select = current_entity, select_entity
        self._spec, self._set_spec = current_spec, set_spec
        self._tab, self._show_tab = current_tab, show_tab
        self._graph, self._timeline = graph, timeline
        self._doc_selection, self._open_passage, self._doc_title = document_selection, open_passage, document_title
        self.chain: tuple[str, str] | None = None
        self.animations: list[QVariantAnimation] = []
        self.animation_ms = ANIMATION_MS

    def _name(self, entity_id: str) -> str | None:
        if self._names_cache is None:
            self._names_cache = dict(self._names())
        return self._names_cache.get(entity_id)

    def forget_names(self) -> None:
        """The user's data changed (an entity of their own added or removed): read names again."""
        self._names_cache = None

    def on_connection(self, steps: object, names: object) -> None:
        """The graph's ``connection_found``: remember the chain's ends (None when cleared)."""
        if isinstance(steps, list) and steps:
            self.chain = (str(steps[0].from_id), str(steps[-1].to_id))
        else:
            self.chain = None

    # ---- reading the view ------------------------------------------------------------------------
    def capture(self) -> list[Step]:
        tab, entity, spec = self._tab(), self._current_entity(), self._spec()
        graph = self._graph()
        found: dict[str, Step] = {}
        if self.chain is not None:
            found["chain"] = Step("chain", entity_id=self.chain[0], other_id=self.chain[1])
        depth = int(graph.focus_depth) if graph is not None else 0
        if entity and depth:
            found["focus"] = Step("focus", entity_id=entity, depth=depth)
        if entity:
            found["entity"] = Step("entity", entity_id=entity)
        span = self._doc_selection()
        if span is not None:
            found["passage"] = Step("passage", document_id=span[0], start=span[1], end=span[2])
        years = self._timeline_years()
        if years is not None:
            found["timeline"] = Step("timeline", year_from=years[0], year_to=years[1])
        if not spec.is_empty():
            found["filter"] = Step("filter", filter_json=_plain(spec).to_json())
        order = {
            "graph": ("chain", "focus", "entity", "filter", "timeline", "passage"),
            "timeline": ("timeline", "entity", "filter", "chain", "focus", "passage"),
            "document": ("passage", "entity", "filter", "chain", "focus", "timeline"),
        }.get(tab, ("entity", "filter", "chain", "focus", "passage", "timeline"))
        return [found[k] for k in order if k in found]

    def _timeline_years(self) -> tuple[int, int] | None:
        timeline = self._timeline()
        if timeline is None or not timeline.rows:
            return None
        lo, hi = timeline.view_box.viewRange()[0]
        y0, y1 = round(timeline.scale.year(lo)), round(timeline.scale.year(hi))
        return (y0, y1) if y0 <= y1 else None

    def describe(self, step: Step) -> str:
        label = STEP_LABELS.get(step.kind, step.kind)
        name = self._entity_label
        if step.kind == "entity":
            return f"{label}: {name(step.entity_id)}"
        if step.kind == "focus":
            depth = step.depth or 1
            return f"{label}: {name(step.entity_id)}, {depth} link{'s' if depth != 1 else ''} out"
        if step.kind == "chain":
            return f"{label} {name(step.entity_id)} and {name(step.other_id)}"
        if step.kind == "timeline":
            return f"{label}: {step.year_from}–{step.year_to}"
        if step.kind == "passage":
            title = self._doc_title(step.document_id or "") or step.document_id
            return f"{label}: {title}"
        return f"{label}: {filter_words(step.filter_json)}"

    def _entity_label(self, entity_id: str | None) -> str:
        return (self._name(entity_id) if entity_id else None) or str(entity_id)

    # ---- showing a step --------------------------------------------------------------------------
    def apply(self, step: Step, *, animate: bool = True) -> str:
        missing = [e for e in (step.entity_id, step.other_id) if e and self._name(e) is None]
        if missing:
            return f"This machine has no entity '{missing[0]}': the step cannot show it."
        self.stop_animations()
        graph, timeline = self._graph(), self._timeline()
        before = graph.view_box.viewRect() if graph is not None and animate else None
        kind = step.kind
        if kind == "filter":
            try:
                self._set_spec(FilterSpec.from_json(step.filter_json or "{}"))
            except ValueError:
                return "This step's filter cannot be read."
            return ""
        if kind == "passage":
            if not self._open_passage(step.document_id or "", step.start or 0, step.end or 0, " "):
                return f"This machine does not have the document '{step.document_id}'."
            return ""
        if kind == "timeline":
            self._show_tab("timeline")
            if timeline is None:
                return "The timeline is still loading."
            self._show_years(timeline, step.year_from or 0, step.year_to or 0, animate=animate)
            return ""
        if step.entity_id:
            self._select(step.entity_id)
        if kind == "entity":
            return ""
        self._show_tab("graph")
        if graph is None:
            return "The graph is still loading."
        if kind == "focus":
            if self.chain is not None:
                graph.clear_connection()
            graph.set_focus_depth(step.depth or 1)
        elif kind == "chain":
            graph.set_focus_depth(0)
            graph.show_connection(step.entity_id or "", step.other_id or "")
        if before is not None:
            self._glide(graph.view_box, before, graph.view_box.viewRect())
        return ""

    def _show_years(self, timeline: Any, year_from: int, year_to: int, *, animate: bool) -> None:
        timeline.refresh()  # draw what the filter queued now, so its fit() does not undo the range
        if not timeline.rows:
            return
        sc = timeline.scale
        before = timeline.view_box.viewRect()
        timeline.view_box.setXRange(sc.x(year_from) - 0.5, sc.x(year_to) + 0.5, padding=0.02)
        if animate:
            self._glide(timeline.view_box, before, timeline.view_box.viewRect())

    def _glide(self, view_box: Any, before: QRectF, after: QRectF) -> None:
        """Move ``view_box`` from ``before`` to ``after`` over a short animation (ends exactly at after)."""
        if before == after or self.animation_ms <= 0:
            return
        anim = QVariantAnimation(self)
        anim.setDuration(self.animation_ms)
        anim.setEasingCurve(QEasingCurve.Type.InOutCubic)
        anim.setStartValue(0.0)
        anim.setEndValue(1.0)

        def step(t: object) -> None:
            f = float(t)  # type: ignore[arg-type]
            rect = QRectF(
                before.x() + (after.x() - before.x()) * f,
                before.y() + (after.y() - before.y()) * f,
                before.width() + (after.width() - before.width()) * f,
                before.height() + (after.height() - before.height()) * f,
            )
            view_box.setRange(rect, padding=0)

        anim.valueChanged.connect(step)
        anim.finished.connect(lambda: self._forget(anim))
        view_box.setRange(before, padding=0)
        self.animations.append(anim)
        anim.start()

    def _forget(self, anim: QVariantAnimation) -> None:
        if anim in self.animations:
            self.animations.remove(anim)

    def stop_animations(self) -> None:
        """End every glide at its target (a fast clicker never leaves a view half-way)."""
        for anim in list(self.animations):
            anim.setCurrentTime(anim.duration())
            anim.stop()
        self.animations.clear()

    # ---- putting the view back -------------------------------------------------------------------
    def snapshot(self) -> object:
        graph = self._graph()
        return _Snapshot(
            spec=self._spec(),
            entity_id=self._current_entity(),
            tab=self._tab(),
            depth=int(graph.focus_depth) if graph is not None else 0,
            chain=self.chain,
        )

    def restore(self, snapshot: object) -> None:
        if not isinstance(snapshot, _Snapshot):
            return
        self.stop_animations()
        if self._spec() != snapshot.spec:
            self._set_spec(snapshot.spec)
        if snapshot.entity_id and snapshot.entity_id != self._current_entity():
            self._select(snapshot.entity_id)
        graph = self._graph()
        if graph is not None:
            if snapshot.chain is not None and snapshot.chain != self.chain:
                graph.show_connection(*snapshot.chain)
            elif snapshot.chain is None and self.chain is not None:
                graph.clear_connection()
            graph.set_focus_depth(snapshot.depth)
        self._show_tab(snapshot.tab)


def _plain(spec: FilterSpec) -> FilterSpec:
    """The filter as a step keeps it: what is typed is whole words, not a prefix being typed."""
    from dataclasses import replace

    return replace(spec, typing=False)


def filter_words(filter_json: str | None) -> str:
    """A filter step in a few words: its search text and the other choices it makes."""
    from dataclasses import fields

    try:
        spec = FilterSpec.from_json(filter_json or "{}")
    except ValueError:
        return "a filter"
    plain = FilterSpec()
    parts = [f"“{spec.text}”"] if spec.text else []
    for f in fields(FilterSpec):
        value = getattr(spec, f.name)
        if f.name in ("text", "sort", "descending", "typing", "members_mode") or value == getattr(plain, f.name):
            continue
        shown = ", ".join(str(v) for v in value) if isinstance(value, tuple) else str(value)
        parts.append(f"{f.name.replace('_', ' ')}: {shown}")
    return " + ".join(parts) or "all entities"
