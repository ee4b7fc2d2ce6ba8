"""What the graph pane's parts share: its signals, and declarations of the attributes and methods its
mixins use of one another.

GraphPane is written in several files (graph_pane: data, layout and drawing; view_jobs: the filtered
view and labels off the GUI thread; interaction: what the user does; as_of_ties: the As of year's
ties). Each mixin derives from this base, so the type checker follows them without a cycle; GraphPane
defines it all (the methods here are overridden, never called).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QSettings, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QToolButton, QWidget

if TYPE_CHECKING:
    from app.core.graph.model import GraphData
    from app.core.query.filters import FilterSpec
    from app.core.query.repository import Repository
    from app.core.userdata.positions import GraphPositionsStore
    from app.ui.graph.canvas import GraphCanvas, Halo, LabelLayer, LegendStrip, NodeScatter
    from app.ui.jobs import JobRunner


class GraphParts(QWidget):
    """The graph pane's signals, and declarations of what its parts share (see the module docstring)."""

    entity_selected = Signal(str)
    # (steps, (name a, name b)): the chain (list[app.core.graph.network.ConnectionStep]), [] when not
    # connected; ([], None) when the chain is cleared
    connection_found = Signal(object, object)
    status_message = Signal(str)
    layout_ready = Signal()  # positions applied (after a data change, layout switch or reset)
    redrawn = Signal()  # visible set or styles pushed to the canvas

    # The data and what the filter, focus and selection make of it (graph_pane).
    _repo: Repository
    _store: GraphPositionsStore | None
    _settings: QSettings | None
    _spec: FilterSpec
    data: GraphData
    loaded: bool
    overview: bool
    overview_nodes: int
    show_labels: bool
    _pos: np.ndarray
    _drawn: np.ndarray
    _spot: np.ndarray
    _scope: np.ndarray
    _base_size: np.ndarray
    _unit: float
    _in_filter: np.ndarray | None
    _pending_ids: list[str] | None
    _tie_mask: np.ndarray | None
    _layout: str
    _fade_outside: bool
    _connection_shown: bool
    _focus_depth: int
    _focus_blocked: bool
    _hidden_selection: str | None
    _path: list[str]
    selected_id: str | None
    hovered_id: str | None
    keyboard_id: str | None
    visible_index: np.ndarray
    visible_pos: np.ndarray
    visible_faded: np.ndarray
    _matches_timer: QTimer
    _as_of_runner: JobRunner

    # The widgets, actions and canvas items (controls.build_controls).
    layout_combo: QComboBox
    focus_combo: QComboBox
    fade_check: QCheckBox
    why_button: QToolButton
    why_action: QAction
    clear_chain_action: QAction
    clear_chain_button: QToolButton
    fit_action: QAction
    reset_action: QAction
    export_button: QToolButton
    overview_label: QLabel
    legend: LegendStrip
    busy_label: QLabel
    canvas: GraphCanvas
    view_box: Any  # pyqtgraph's ViewBox (untyped)
    _edges: Any  # pyqtgraph PlotCurveItems: every tie, the faded ones, the "why connected" chain
    _faded_edges: Any
    _path_edges: Any
    _nodes: NodeScatter
    _pale_nodes: NodeScatter
    _halo: Halo
    labels: LabelLayer

    # Methods one part calls of another.
    def _layout_failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def _layout_scope(self) -> np.ndarray:
        raise NotImplementedError

    def _relayout(self, *, fit: bool, scope: np.ndarray | None = None) -> None:
        raise NotImplementedError

    def _update_view(self) -> None:
        raise NotImplementedError

    def _update_notes(self, vis: np.ndarray) -> None:
        raise NotImplementedError

    def _push_overlays(self, *, replan: bool = True) -> None:
        raise NotImplementedError

    def _refresh_labels(self, *, replan: bool = True) -> None:
        raise NotImplementedError

    def _fit_if_lost(self) -> None:
        raise NotImplementedError

    def hidden_selection_message(self) -> str:
        raise NotImplementedError

    def kind_of(self, entity_id: str) -> str:
        raise NotImplementedError

    def name_of(self, entity_id: str) -> str:
        raise NotImplementedError

    @property
    def visible_ids(self) -> list[str]:
        raise NotImplementedError

    def visible_position(self, entity_id: str | None) -> int | None:
        raise NotImplementedError
