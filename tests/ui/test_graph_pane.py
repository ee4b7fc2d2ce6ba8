"""The graph pane in the real window: clicks select everywhere, filter and focus change what is drawn,
dragged positions persist, exports are valid and hold every visible node, the keyboard works."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from app.core.filters import FilterSpec


@pytest.fixture
def pane(qtbot, window):
    qtbot.waitUntil(lambda: getattr(window, "graph_pane", None) is not None, timeout=5000)
    p = window.graph_pane
    window.show_tab("graph")
    qtbot.waitUntil(lambda: p.canvas.isVisible() and len(p.visible_ids) > 0, timeout=5000)
    p.fit_to_view()
    return p


def _view_point(pane, entity_id: str) -> QPoint:
    return pane.canvas.mapFromScene(pane.node_scene_pos(entity_id))


def _mouse(widget, kind, pos: QPoint, buttons) -> None:
    button = Qt.MouseButton.LeftButton if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton
    ev = QMouseEvent(
        kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, ev)


def test_clicking_a_node_selects_it_in_list_and_detail(qtbot, window, pane):
    pos = _view_point(pane, "csto")
    with qtbot.waitSignal(pane.entity_selected, timeout=3000) as sig:
        qtbot.mouseClick(pane.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == ["csto"]
    assert window.current_entity_id() == "csto"
    assert window.selected_ids() == ["csto"]
    assert window.detail_pane.detail.id == "csto"
    assert pane.selected_id == "csto"


def test_selecting_in_window_highlights_neighbours_and_fades_rest(window, pane):
    window.select_entity("csto")
    assert pane.selected_id == "csto"
    faded = {n for n, f in zip(pane.visible_ids, pane.visible_faded, strict=True) if f}
    assert "armenia" not in faded and "csto" not in faded
    assert "nato" in faded  # faded, not hidden
    assert len(pane.visible_ids) == 50
    pane.canvas.grab()  # paint: labels are placed at paint time
    assert {"csto", "armenia", "russia"} <= set(pane.labels.last_labels)


def test_filter_hides_or_fades_nodes_outside_it(qtbot, window, pane, settle):
    from PySide6.QtCore import Qt

    spec = FilterSpec(kinds=("alliance",))
    window.filter_pane.facets["kinds"].item_for("alliance").setCheckState(Qt.CheckState.Checked)
    settle(window)
    assert window.current_spec().kinds == ("alliance",)
    alliances = {r.id for r in window.repo.list_entities(spec)}
    assert set(pane.visible_ids) == alliances
    assert len(pane.visible_ids) < 50
    pane.set_fade_outside(True)
    assert len(pane.visible_ids) == 50
    faded = {n for n, f in zip(pane.visible_ids, pane.visible_faded, strict=True) if f}
    assert faded == set(pane.visible_ids) - alliances


def test_focus_depth_one_and_two(window, pane):
    window.select_entity("islamic-nation")
    pane.set_focus_depth(1)
    assert set(pane.visible_ids) == {
        "islamic-nation",
        "islamic-nation-china",
        "islamic-nation-pakistan",
        "islamic-nation-russia",
    }
    pane.set_focus_depth(2)
    assert len(pane.visible_ids) == 7 and "russia" in pane.visible_ids
    pane.set_focus_depth(0)
    assert len(pane.visible_ids) == 50


def test_dragged_position_survives_restart(qtbot, window, pane):
    from app.ui.graph_pane import GraphPane

    before = pane.node_position("nato")
    start = _view_point(pane, "nato")
    end = start + QPoint(120, 80)
    vp = pane.canvas.viewport()
    _mouse(vp, QEvent.Type.MouseButtonPress, start, Qt.MouseButton.LeftButton)
    for k in range(1, 11):
        _mouse(vp, QEvent.Type.MouseMove, start + (end - start) * (k / 10), Qt.MouseButton.LeftButton)
    _mouse(vp, QEvent.Type.MouseButtonRelease, end, Qt.MouseButton.NoButton)
    after = pane.node_position("nato")
    assert after != before
    assert after[0] > before[0] and after[1] < before[1]  # right and down on screen
    again = GraphPane(repo=window.repo, user_db=window.atlas.paths.user_db)
    qtbot.addWidget(again)
    assert again.node_position("nato") == pytest.approx(after)
    assert again.node_position("csto") == pane.node_position("csto")  # others untouched
    again.reset_layout()
    assert again.node_position("nato") == pytest.approx(before)


def test_exports_are_valid_and_hold_every_visible_node(tmp_path: Path, window, pane):
    window.select_entity("csto")
    pane.set_focus_depth(2)
    visible = set(pane.visible_ids)
    png = pane.export("png", tmp_path / "g.png", size=(1500, 1000))
    img = QImage(str(png))
    assert (img.width(), img.height()) == (1500, 1000)
    svg = pane.export("svg", tmp_path / "g.svg")
    root = ET.parse(svg).getroot()
    texts = " ".join(t for el in root.iter() if el.tag.endswith("text") for t in el.itertext())
    for eid in visible:
        assert window.repo.get_entity(eid).name in texts
    graphml = pane.export("graphml", tmp_path / "g.graphml")
    assert set(nx.read_graphml(graphml).nodes) == visible
    pdf = pane.export("pdf", tmp_path / "g.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_keyboard_tab_and_enter_select(qtbot, window, pane):
    pane.canvas.setFocus()
    qtbot.waitUntil(pane.canvas.hasFocus)
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Tab)
    first = pane.keyboard_id
    assert first is not None
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Tab)
    assert pane.keyboard_id not in (None, first)
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Right)
    target = pane.keyboard_id
    with qtbot.waitSignal(pane.entity_selected, timeout=2000):
        qtbot.keyClick(pane.canvas, Qt.Key.Key_Return)
    assert window.current_entity_id() == target
    w0 = pane.view_box.viewRect().width()
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Plus)
    assert pane.view_box.viewRect().width() < w0


def test_why_connected_shows_chain_in_detail(qtbot, monkeypatch, window, pane):
    from app.ui.graph_pane import ConnectionDialog

    window.select_entity("armenia")
    monkeypatch.setattr(
        ConnectionDialog, "get_value", classmethod(lambda cls, *a, **k: (("islamic-nation", "armenia"), True))
    )
    with qtbot.waitSignal(pane.connection_found, timeout=3000) as sig:
        pane.ask_connection()
    steps = sig.args[0]
    assert [s.to_id for s in steps][-1] == "armenia" and len(steps) == 4
    html = window.detail_pane.browser.toHtml()
    assert "Russia is a member of Collective Security Treaty Organization" in html
    assert "Member states of the alliance include Armenia" in html


def test_layout_switch_and_view_menu_actions(window, pane):
    titles = [a.text() for a in window.menus["view"].actions()]
    assert "&Fit Graph to View" in titles and "&Reset Graph Layout" in titles
    spring = pane.node_position("armenia")
    pane.set_layout("bipartite")
    assert pane.layout_name == "bipartite"
    assert pane.node_position("armenia")[0] < 0 < pane.node_position("csto")[0]
    pane.set_layout("spring")
    assert pane.node_position("armenia") == spring


def test_view_zoom_grows_the_markers_with_the_text(qtbot, window, pane):
    """A projector at 200 %: the nodes must grow with the labels, or they turn into specks."""
    i = pane.visible_ids.index("nato")
    before = float(pane.visible_size[i])
    window.set_zoom(200)
    qtbot.waitUntil(lambda: float(pane.visible_size[i]) > 1.9 * before)
    window.set_zoom(100)
    qtbot.waitUntil(lambda: abs(float(pane.visible_size[i]) - before) < 0.01)
    pane.set_filter(FilterSpec(kinds=("alliance",)))  # a redraw keeps the zoom
    window.set_zoom(200)
    qtbot.waitUntil(lambda: abs(float(pane.visible_size[pane.visible_ids.index("nato")]) - 2 * before) < 0.5)


def test_a_label_set_away_from_its_marker_gets_a_leader_line():
    from app.ui import graph_export as gx

    assert gx.leader_line(100, 100, 8, (111, 92, 180, 108)) is None  # right beside the marker
    line = gx.leader_line(100, 100, 8, (100, 140, 170, 156))  # pushed well below it
    assert line is not None
    x0, y0, x1, y1 = line
    assert (round(x0), round(y0)) == (100, 108) and (x1, y1) == (100, 140)  # marker edge → label
