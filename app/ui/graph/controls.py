"""Builds the graph pane's widgets: the control row, the canvas and its items, the legend, the notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from app.core.graph.layout import LAYOUT_HINTS, LAYOUTS
from app.ui.flow_layout import FlowLayout
from app.ui.graph import graph_export as gx
from app.ui.graph.canvas import GraphCanvas, Halo, LabelLayer, LegendStrip, NodeScatter, cosmetic

if TYPE_CHECKING:
    from app.ui.graph.graph_pane import GraphPane

FOCUS_LABELS = ("All nodes", "Focus: 1 step", "Focus: 2 steps")


def build_controls(pane: GraphPane) -> None:
    """Create the pane's widgets and canvas items and connect them to the pane's slots."""
    root = QVBoxLayout(pane)
    root.setContentsMargins(0, 0, 0, 0)
    root.setSpacing(2)
    pane.layout_combo = QComboBox(pane)
    for key, label in LAYOUTS.items():
        pane.layout_combo.addItem(label, key)
        pane.layout_combo.setItemData(pane.layout_combo.count() - 1, LAYOUT_HINTS[key], Qt.ItemDataRole.ToolTipRole)
    pane.layout_combo.setCurrentIndex(pane.layout_combo.findData(pane.layout_name))  # before it is connected
    pane.layout_combo.setAccessibleName("Graph layout")
    pane.layout_combo.setToolTip("How nodes are arranged")
    pane.layout_combo.currentIndexChanged.connect(lambda _i: pane.set_layout(pane.layout_combo.currentData()))
    pane.focus_combo = QComboBox(pane)
    pane.focus_combo.addItems(FOCUS_LABELS)
    pane.focus_combo.setAccessibleName("Focus depth")
    pane.focus_combo.setToolTip("Show only the selected entity's neighbourhood, 1 or 2 steps deep")
    pane.focus_combo.currentIndexChanged.connect(pane.set_focus_depth)
    pane.fade_check = QCheckBox("&Fade filtered-out", pane)
    pane.fade_check.setToolTip("Nodes outside the filter: hidden (off) or drawn pale (on)")
    pane.fade_check.toggled.connect(pane.set_fade_outside)
    pane.why_button = QToolButton(pane)
    pane.why_button.setText("Why connected?")
    pane.why_button.setToolTip("Pick two countries and see the chain of cited ties between them")
    pane.why_button.setAccessibleName("Why are these connected?")
    pane.why_button.clicked.connect(pane.ask_connection)
    pane.why_action = QAction("Why Are These &Connected?…", pane)
    pane.why_action.setToolTip(pane.why_button.toolTip())
    pane.why_action.triggered.connect(pane.ask_connection)
    pane.clear_chain_action = QAction("C&lear Chain", pane)
    pane.clear_chain_action.setToolTip("Take the red chain of ties off the graph (Esc on the graph)")
    pane.clear_chain_action.setEnabled(False)
    pane.clear_chain_action.triggered.connect(pane.clear_connection)
    pane.clear_chain_button = QToolButton(pane)
    pane.clear_chain_button.setText("Clear chain")
    pane.clear_chain_button.setToolTip(pane.clear_chain_action.toolTip())
    pane.clear_chain_button.clicked.connect(pane.clear_connection)
    pane.clear_chain_button.setVisible(False)  # shown while a chain is drawn
    pane.fit_action = QAction("&Fit Graph to View", pane)
    # Home while the graph has the keyboard (Ctrl+0 is View > Actual size for the whole window;
    # two actions on one key make Qt run neither).
    pane.fit_action.setShortcut(QKeySequence(Qt.Key.Key_Home))
    pane.fit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    pane.fit_action.setToolTip("Fit the graph to the view (Home, in the graph)")
    pane.fit_action.triggered.connect(pane.fit_to_view)
    pane.reset_action = QAction("&Reset Graph Layout", pane)
    pane.reset_action.setToolTip("Forget dragged positions of this layout")
    pane.reset_action.triggered.connect(pane.reset_layout)
    fit_button = QToolButton(pane)
    fit_button.setDefaultAction(pane.fit_action)
    fit_button.setText("Fit")
    reset_button = QToolButton(pane)
    reset_button.setDefaultAction(pane.reset_action)
    reset_button.setText("Reset layout")
    pane.export_button = QToolButton(pane)
    pane.export_button.setText("Export")
    pane.export_button.setAccessibleName("Export graph")
    pane.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(pane.export_button)
    menu.addAction("PNG image…", pane.export_png_interactive)
    menu.addAction("SVG drawing…", lambda: pane.export_interactive("svg"))
    menu.addAction("PDF page…", lambda: pane.export_interactive("pdf"))
    menu.addAction("GraphML (Gephi)…", lambda: pane.export_interactive("graphml"))
    pane.export_button.setMenu(menu)
    # The controls wrap onto as many rows as the pane's width needs: it is often a narrow tab
    # beside the list, and at 200 % zoom on a projector the buttons keep their whole labels.
    controls = QWidget(pane)
    flow = FlowLayout(controls)
    flow.setContentsMargins(4, 4, 4, 0)
    for w in (
        pane.layout_combo,
        pane.focus_combo,
        pane.fade_check,
        pane.why_button,
        fit_button,
        reset_button,
        pane.export_button,
        pane.clear_chain_button,
    ):
        flow.addWidget(w)
    root.addWidget(controls)
    pane.overview_label = QLabel("", pane)
    pane.overview_label.setObjectName("graph_overview")
    pane.overview_label.setWordWrap(True)
    pane.overview_label.setVisible(False)
    root.addWidget(pane.overview_label)
    _build_canvas(pane)
    root.addWidget(pane.canvas, 1)
    pane.legend = LegendStrip(pane)
    root.addWidget(pane.legend)
    pane.busy_label = QLabel("", pane)
    pane.busy_label.setVisible(False)
    root.addWidget(pane.busy_label)


def _build_canvas(pane: GraphPane) -> None:
    pane.canvas = GraphCanvas(pane)
    pane.canvas.addAction(pane.fit_action)  # its Home key works while the canvas has focus
    pane.canvas.setAccessibleName("Network graph")
    pane.canvas.setToolTip("")
    pane.canvas.setBackground("w")
    plot = pane.canvas.getPlotItem()
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    pane.view_box = plot.getViewBox()
    pane.view_box.setAspectLocked(True)
    pane.view_box.setDefaultPadding(0.06)
    # Ties with one shared cosmetic pen per state (per-edge pens draw line by line, 30× slower).
    pane._faded_edges = pg.PlotCurveItem(pen=cosmetic(gx.FADED_EDGE_COLOUR), connect="pairs", antialias=False)
    pane._faded_edges.setZValue(-3)
    pane._edges = pg.PlotCurveItem(pen=cosmetic(gx.EDGE_COLOUR), connect="pairs", antialias=False)
    pane._edges.setZValue(-1)
    pane._path_edges = pg.PlotCurveItem(pen=cosmetic(gx.PATH_COLOUR, 3.0), connect="pairs", antialias=True)
    pane._path_edges.setZValue(5)
    pane._pale_nodes = NodeScatter(pxMode=True)
    pane._pale_nodes.setZValue(-2)
    pane._nodes = NodeScatter(pxMode=True)
    pane._nodes.setZValue(0)
    pane._halo = Halo(pxMode=True, brush=None)
    pane._halo.setZValue(6)
    for it in (pane._faded_edges, pane._pale_nodes, pane._edges, pane._nodes, pane._path_edges, pane._halo):
        pane.view_box.addItem(it)
    for scatter in (pane._nodes, pane._pale_nodes):
        scatter.sigClicked.connect(pane.on_clicked)
        scatter.sigHovered.connect(pane.on_hovered)
        scatter.node_dragging.connect(pane.on_dragging)
        scatter.node_dropped.connect(pane.on_dropped)
    pane.labels = LabelLayer(pane)
    pane.canvas.scene().addItem(pane.labels)
    pane.view_box.sigTransformChanged.connect(pane._view_moved)
    pane.view_box.sigResized.connect(pane._view_moved)
