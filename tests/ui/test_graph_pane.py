"""The graph pane: alone (real widget, real repository, the user data's positions store) for what
it does itself: filter and focus change what is drawn, dragged positions persist, exports are valid
and hold every visible node, the keyboard works; in the real window for its wiring: clicks select
everywhere, the filter pane drives it, the chain reaches the detail pane, the layout comes back."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from app.core.query.filters import FilterSpec


@pytest.fixture
def pane(qtbot, window):
    qtbot.waitUntil(lambda: getattr(window, "graph_pane", None) is not None, timeout=5000)
    p = window.graph_pane
    window.show_tab("graph")
    qtbot.waitUntil(lambda: p.canvas.isVisible() and len(p.visible_ids) > 0, timeout=5000)
    p.fit_to_view()
    return p


@pytest.fixture
def alone(qtbot, atlas):
    """The graph pane by itself, at its size in a 1280x800 window."""
    from app.ui.graph.graph_pane import GraphPane

    p = GraphPane(repo=atlas.repo, positions=atlas.user_data.graph_positions)
    qtbot.addWidget(p)
    p.resize(408, 687)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.loaded and len(p.visible_ids) > 0, timeout=10000)
    p.fit_to_view()
    return p


def _in_view(pane, ids) -> int:
    vr = pane.view_box.viewRect()
    return sum(vr.contains(QPointF(*pane.node_position(n))) for n in ids)


def _set_filter(window, settle, **kw) -> None:
    window.filter_pane.set_spec(FilterSpec(**kw))
    settle(window)


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


def test_selecting_highlights_neighbours_and_fades_rest(alone):
    pane = alone
    pane.select_entity("csto")
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


def test_focus_depth_one_and_two(alone):
    pane = alone
    pane.select_entity("islamic-nation")
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


def test_dragged_position_survives_restart(qtbot, atlas, alone):
    from app.ui.graph.graph_pane import GraphPane

    pane = alone
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
    again = GraphPane(repo=atlas.repo, positions=atlas.user_data.graph_positions)
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: len(again.visible_ids) == 50, timeout=5000)
    assert again.node_position("nato") == pytest.approx(after)
    assert again.node_position("csto") == pane.node_position("csto")  # others untouched
    again.reset_layout()
    assert again.node_position("nato") == pytest.approx(before)


def test_exports_are_valid_and_hold_every_visible_node(tmp_path: Path, repo, alone):
    pane = alone
    pane.select_entity("csto")
    pane.set_focus_depth(2)
    visible = set(pane.visible_ids)
    png = pane.export("png", tmp_path / "g.png", size=(1500, 1000))
    img = QImage(str(png))
    assert (img.width(), img.height()) == (1500, 1000)
    svg = pane.export("svg", tmp_path / "g.svg")
    root = ET.parse(svg).getroot()
    texts = " ".join(t for el in root.iter() if el.tag.endswith("text") for t in el.itertext())
    for eid in visible:
        assert repo.get_entity(eid).name in texts
    graphml = pane.export("graphml", tmp_path / "g.graphml")
    assert set(nx.read_graphml(graphml).nodes) == visible
    pdf = pane.export("pdf", tmp_path / "g.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_keyboard_tab_and_enter_select(qtbot, alone):
    pane = alone
    pane.canvas.setFocus()
    qtbot.waitUntil(pane.canvas.hasFocus)
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Tab)
    first = pane.keyboard_id
    assert first is not None
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Tab)
    assert pane.keyboard_id not in (None, first)
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Right)
    target = pane.keyboard_id
    with qtbot.waitSignal(pane.entity_selected, timeout=2000) as sig:
        qtbot.keyClick(pane.canvas, Qt.Key.Key_Return)
    assert sig.args == [target] and pane.selected_id == target
    w0 = pane.view_box.viewRect().width()
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Plus)
    assert pane.view_box.viewRect().width() < w0


def test_why_connected_shows_chain_in_detail(qtbot, monkeypatch, window, pane):
    from app.ui.graph.graph_pane import ConnectionDialog

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


def test_the_view_menu_holds_the_graph_actions(window, pane):
    titles = [a.text() for a in window.menus["view"].actions()]
    assert "&Fit Graph to View" in titles and "&Reset Graph Layout" in titles


def test_layout_switch(alone):
    pane = alone
    spring = pane.node_position("armenia")
    pane.set_layout("bipartite")
    assert pane.layout_name == "bipartite"
    assert pane.node_position("armenia")[0] < 0 < pane.node_position("csto")[0]
    pane.set_layout("spring")
    assert pane.node_position("armenia") == spring


def _zoom(pane, percent: int) -> None:
    """What View > Zoom does to a pane: its font grows with the window's."""
    font = pane.font()
    font.setPointSizeF(QApplication.font().pointSizeF() * percent / 100)
    pane.setFont(font)


def test_view_zoom_grows_the_markers_with_the_text(qtbot, alone):
    """A projector at 200 %: the nodes must grow with the labels, or they turn into specks."""
    pane = alone
    i = pane.visible_ids.index("nato")
    before = float(pane.visible_size[i])
    _zoom(pane, 200)
    qtbot.waitUntil(lambda: float(pane.visible_size[i]) > 1.9 * before)
    _zoom(pane, 100)
    qtbot.waitUntil(lambda: abs(float(pane.visible_size[i]) - before) < 0.01)
    pane.set_filter(FilterSpec(kinds=("alliance",)))  # a redraw keeps the zoom
    _zoom(pane, 200)
    qtbot.waitUntil(lambda: abs(float(pane.visible_size[pane.visible_ids.index("nato")]) - 2 * before) < 0.5)


def test_why_connected_with_nothing_selected_fills_the_detail_pane(qtbot, window, pane):
    detail = window.detail_pane
    assert window.current_entity_id() is None and detail.detail is None
    steps = pane.show_connection("armenia", "china")
    assert steps
    text = detail.browser.toPlainText()
    assert "How they connect" in text
    assert "Armenia is a member of Collective Security Treaty Organization" in text
    assert "Member states of the alliance include Armenia" in text  # the citation, not just the step
    cite = steps[0].citations[0]
    detail.follow_link("conncite:0.0")  # a step's citation opens the passage
    assert window.document_view.document_id == cite.document_id
    # Greece is named only as an ancient civilization: no cited tie reaches it.
    assert pane.show_connection("armenia", "greece") == []
    assert "Armenia and Greece are not connected by any cited tie" in detail.browser.toPlainText()


def test_the_red_chain_never_joins_links_the_filter_hides(repo, alone):
    pane = alone
    pane.show_connection("armenia", "china")
    chain = list(pane._path)
    assert "csto" in chain
    pane.set_filter(FilterSpec(kinds=("country",)))
    assert "csto" not in repo.list_entities(FilterSpec(ids=tuple(pane.visible_ids), kinds=("country",)))
    x, y = pane._path_edges.getData()
    at = {(round(px, 6), round(py, 6)): n for n, (px, py) in ((n, pane.node_position(n)) for n in chain)}
    drawn = [(at[(round(x[k], 6), round(y[k], 6))], at[(round(x[k + 1], 6), round(y[k + 1], 6))]) for k in (0, 2)]
    drawn += [
        (at[(round(x[k], 6), round(y[k], 6))], at[(round(x[k + 1], 6), round(y[k + 1], 6))])
        for k in range(4, len(x), 2)
    ]
    assert len(x) == 2 * (len(chain) - 1)  # the whole chain: its hidden links are drawn pale
    for u, v in drawn:
        assert pane.graph.has_edge(u, v), f"{u}–{v} is not a tie"
    faded = dict(zip(pane.visible_ids, pane.visible_faded, strict=True))
    assert faded["csto"] and not faded["armenia"] and not faded["russia"]


def test_a_filter_change_fits_the_view_when_the_matches_are_off_screen(alone):
    pane = alone
    pane.select_entity("nato")  # zooms in on NATO's neighbourhood
    pane.set_filter(FilterSpec(kinds=("country",)))
    countries = pane.visible_ids
    assert len(countries) == 21
    assert _in_view(pane, countries) == len(countries)
    pane.view_box.scaleBy((0.9, 0.9))  # a filter that keeps most of them on screen keeps the view
    before = pane.view_box.viewRect()
    pane.set_filter(FilterSpec(kinds=("country", "alliance")))
    assert pane.view_box.viewRect() == before


def test_the_chain_goes_with_an_entity_off_it_or_with_esc(qtbot, window, pane):
    pane.show_connection("armenia", "china")
    window.select_entity("russia")  # on the chain: it stays, in the graph and the details
    assert "russia" in pane._path
    assert "How they connect" in window.detail_pane.browser.toPlainText()
    window.select_entity("canada")  # off the chain: gone, legend note too
    assert pane._path == []
    assert not any(n.startswith("Red") for n in pane.legend._notes)
    assert "How they connect" not in window.detail_pane.browser.toPlainText()
    pane.show_connection("armenia", "china")
    assert any(n.startswith("Red") for n in pane.legend._notes)
    assert pane.clear_chain_button.isVisibleTo(pane)  # and a button to take it away
    pane.canvas.setFocus()
    qtbot.waitUntil(pane.canvas.hasFocus)
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Escape)
    assert pane._path == [] and pane.selected_id == "canada"
    assert not any(n.startswith("Red") for n in pane.legend._notes)
    assert "How they connect" not in window.detail_pane.browser.toPlainText()
    assert "Canada" in window.detail_pane.browser.toPlainText()
    assert not pane.clear_chain_button.isVisibleTo(pane)


def test_a_selection_the_filter_hides_is_reported_and_focus_says_why_it_does_not_apply(repo, alone):
    pane = alone
    said: list[str] = []
    pane.status_message.connect(said.append)
    pane.select_entity("russia")
    pane.set_filter(FilterSpec(kinds=("alliance",)))
    assert "russia" not in pane.visible_ids
    assert any("Russia is outside the filter" in m for m in said)
    assert any("Russia (selected) is outside the filter" in n for n in pane.legend._notes)
    pane.set_focus_depth(1)
    alliances = {r.id for r in repo.list_entities(FilterSpec(kinds=("alliance",)))}
    assert set(pane.visible_ids) == alliances  # the matches stay, not an empty canvas
    assert "focus does not apply" in said[-1]
    assert any(n.startswith("Focus does not apply: Russia") for n in pane.legend._notes)


def test_selecting_zooms_out_for_the_neighbours_and_a_repeat_recentres(qtbot, alone):
    pane = alone
    pane.select_entity("article-5")  # one close neighbour: zooms in
    neighbours = list(pane.graph.neighbors("united-states"))
    pane.select_entity("united-states")
    assert _in_view(pane, neighbours) == len(neighbours)  # zoomed out again to show them all

    def off_centre() -> float:
        c = pane.view_box.viewRect().center()
        x, y = pane.node_position("united-states")
        return math.hypot(c.x() - x, c.y() - y) / pane.view_box.viewRect().width()

    vr = pane.view_box.viewRect()
    pane.view_box.translateBy(x=vr.width() * 0.3, y=0)  # panned, the node still on screen
    assert off_centre() > 0.2
    qtbot.mouseClick(pane.canvas.viewport(), Qt.MouseButton.LeftButton, pos=_view_point(pane, "united-states"))
    assert off_centre() < 0.02  # clicking the selected node centres it again
    pane.view_box.translateBy(x=vr.width() * 3, y=0)  # panned far away
    assert _in_view(pane, ["united-states"]) == 0
    pane.recentre("united-states")  # chosen again elsewhere in the window (the window wires this)
    assert off_centre() < 0.02


def test_the_layout_choice_and_its_dragged_positions_come_back_next_session(qtbot, atlas, settings_path, window, pane):
    from app.ui.main_window import MainWindow

    pane.set_layout("shell")
    pane.move_node("russia", 123.0, -45.0)
    window.close()
    window.pool.waitForDone(5000)
    again = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(again.is_ready, timeout=10000)
    g = again.graph_pane
    assert g.layout_name == "shell"
    assert g.layout_combo.currentData() == "shell"
    assert g.node_position("russia") == pytest.approx((123.0, -45.0))
    again.close()
    again.pool.waitForDone(5000)


def test_export_subtitle_counts_the_matches_when_the_rest_is_faded(tmp_path: Path, repo, alone):
    pane = alone
    pane.set_filter(FilterSpec(kinds=("alliance",)))
    pane.set_fade_outside(True)
    assert len(pane.visible_ids) == 50
    alliances = [r.id for r in repo.list_entities(FilterSpec(kinds=("alliance",)))]
    ties = int(pane.graph.edge_mask(pane.graph.mask_of(alliances)).sum())
    svg = pane.export("svg", tmp_path / "g.svg")
    texts = " ".join(t for el in ET.parse(svg).getroot().iter() if el.tag.endswith("text") for t in el.itertext())
    assert f"{len(alliances)} nodes, {ties} ties ({50 - len(alliances)} others faded)" in texts
    assert "50 nodes" not in texts


def test_hub_labels_come_first_and_a_label_nearer_another_marker_gets_a_leader(alone):
    pane = alone
    pane.canvas.grab()  # labels are placed at paint time
    top = sorted(pane.visible_ids, key=lambda n: -pane.graph.degree_of(n))[:4]
    assert set(top) <= set(pane.labels.last_labels), top
    tr = pane.view_box.childGroup.sceneTransform()
    scene = {n: tr.map(QPointF(*pane.node_position(n))) for n in pane.visible_ids}

    def dist(r, p) -> float:
        return math.hypot(min(max(p.x(), r[0]), r[2]) - p.x(), min(max(p.y(), r[1]), r[3]) - p.y())

    for eid, (box, leader) in pane.labels.last_boxes.items():
        own = dist(box, scene[eid])
        nearest = min(dist(box, p) for n, p in scene.items() if n != eid)
        if nearest < own - 1:
            assert leader, f"{eid}'s label is nearer another marker, with no leader line"


def test_an_export_never_joins_chain_links_across_a_hidden_one(tmp_path: Path, alone):
    pane = alone
    from app.ui.graph import graph_export as gx

    chain = ["armenia", "csto", "russia"]
    graph = pane.graph.to_networkx()
    positions = {n: pane.node_position(n) for n in graph.nodes}
    red = gx.PATH_COLOUR.lower()
    whole = gx.picture_from_graph(graph, positions, path=chain)
    assert red in gx.export_svg(whole, tmp_path / "whole.svg").read_text().lower()
    gap = gx.picture_from_graph(graph, positions, visible=[n for n in graph if n != "csto"], path=chain)
    svg = gx.export_svg(gap, tmp_path / "gap.svg").read_text().lower()
    assert red not in svg  # Armenia and Russia are not tied: no red line between them
    assert "chain of ties" not in svg


def test_no_two_actions_share_a_shortcut(qtbot, window, pane):
    """Two actions on one key make Qt run neither ("Ambiguous shortcut overload")."""
    from PySide6.QtGui import QAction

    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        if action.shortcutContext() != Qt.ShortcutContext.WindowShortcut:
            continue
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text}: {seen.get(text)} and {action.text()}"
            seen[text] = action.text()
    # Fit is Home while the graph has the keyboard; Ctrl+0 is the window's Actual size.
    pane.canvas.setFocus()
    pane.view_box.scaleBy((0.2, 0.2))
    before = pane.view_box.viewRect()
    qtbot.keyClick(pane.canvas, Qt.Key.Key_Home)
    assert pane.view_box.viewRect() != before
