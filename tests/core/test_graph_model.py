"""The graph's arrays without Qt: the masks, neighbourhoods, chains and ties the pane draws from, and
the network and layouts kept between starts. Each answer is checked against a plain walk of the same
small network (the pane's tests reach these only through a window)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from app.core.graph import cache
from app.core.graph.model import GraphData, network_arrays
from app.core.graph.view import ViewInput, compute_view, overview_scope, tie_points, view_masks

# a - b - c - d   (member, member, party);   e - f (partner);   g alone;   h - b (part_of)
IDS = ["a", "b", "c", "d", "e", "f", "g", "h"]
PAIRS = [("a", "b", "member"), ("c", "b", "member"), ("c", "d", "party"), ("e", "f", "partner"), ("h", "b", "part_of")]


def _data() -> GraphData:
    return network_arrays(IDS, [i.upper() for i in IDS], ["country"] * 4 + ["alliance"] * 4, PAIRS)


def _ties() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {i: set() for i in IDS}
    for s, t, _f in PAIRS:
        out[s].add(t)
        out[t].add(s)
    return out


def _within(start: str, depth: int, allowed: set[str]) -> set[str]:
    """Breadth first over the plain adjacency, through allowed nodes only."""
    seen, frontier = {start}, {start}
    for _ in range(depth):
        frontier = {n for f in frontier for n in _ties()[f] if n in allowed and n not in seen}
        seen |= frontier
    return seen


def _ids(data: GraphData, mask: np.ndarray) -> set[str]:
    return {data.ids[i] for i in np.flatnonzero(mask)}


def test_masks_degrees_and_neighbours_match_a_plain_walk() -> None:
    data = _data()
    assert data.n == 8 and data.m == len(PAIRS)
    assert _ids(data, data.mask_of(["c", "zzz", "a", "c"])) == {"a", "c"}  # unknown ids ignored
    assert data.mask_of([]).dtype == bool and not data.mask_of([]).any()
    for i in IDS:
        assert set(data.neighbors(i)) == _ties()[i] and data.degree_of(i) == len(_ties()[i])
    assert data.neighbors("zzz") == [] and data.degree_of("zzz") == 0
    assert data.has_edge("b", "a") and data.has_edge("a", "b") and not data.has_edge("a", "c")
    both = data.edge_mask(data.mask_of(["a", "b", "c"]))
    assert {(data.ids[s], data.ids[t]) for s, t in zip(data.src[both], data.dst[both], strict=True)} == {
        ("a", "b"),
        ("c", "b"),
    }
    in_force = data.pair_mask([("b", "a", "member"), ("f", "e", "partner"), ("a", "zzz", "member")])
    assert {data.fields[k] for k in np.flatnonzero(in_force)} == {"member", "partner"} and in_force.sum() == 2


@pytest.mark.parametrize("depth", [0, 1, 2, 3])
def test_a_neighbourhood_is_every_node_within_depth_ties_through_the_allowed_ones(depth: int) -> None:
    data = _data()
    for start in IDS:
        got = data.neighbourhood_mask(data.index[start], depth)
        assert got.dtype == bool and _ids(data, got) == _within(start, depth, set(IDS))
        allowed = {"a", "b", "d", "e", "h", start}  # c blocks the way from b to d
        within = data.mask_of(sorted(allowed))
        assert _ids(data, data.neighbourhood_mask(data.index[start], depth, within)) == _within(start, depth, allowed)
    assert not data.neighbourhood_mask(-1, 2).any() and not data.neighbourhood_mask(99, 2).any()


def test_the_shortest_chain_and_the_tie_between_two_nodes() -> None:
    data = _data()
    idx = data.index
    assert [data.ids[i] for i in data.shortest_path(idx["a"], idx["d"])] == ["a", "b", "c", "d"]
    assert [data.ids[i] for i in data.shortest_path(idx["h"], idx["c"])] == ["h", "b", "c"]
    assert data.shortest_path(idx["a"], idx["e"]) == [] and data.shortest_path(idx["a"], idx["a"]) == []
    # The tie in the catalogue's direction, asked either way round.
    assert data.tie(idx["b"], idx["c"]) == (idx["c"], idx["b"], "member")
    assert data.tie(idx["c"], idx["b"]) == (idx["c"], idx["b"], "member")
    with pytest.raises(KeyError):
        data.tie(idx["a"], idx["g"])
    assert [data.ids[i] for i in data.top_by_degree(np.ones(8, dtype=bool), 2)] == ["b", "c"]
    assert [data.ids[i] for i in data.top_by_degree(data.mask_of(["e", "g"]), 5)] == ["e", "g"]


def _view(**kw: object) -> ViewInput:
    data = _data()
    pos = np.arange(16, dtype=np.float64).reshape(8, 2)
    base = dict(
        data=data,
        pos=pos,
        laid_out=np.ones(8, dtype=bool),
        in_filter=None,
        fade_outside=False,
        selected=None,
        focus_depth=0,
        path=(),
        tie_mask=None,
    )
    base.update(kw)
    return ViewInput(**base)  # type: ignore[arg-type]


def test_the_filter_hides_or_fades_and_a_selection_fades_all_but_its_neighbours() -> None:
    data = _data()
    only = data.mask_of(["a", "b", "c"])
    shown, faded, hidden, blocked = view_masks(_view(in_filter=only))
    assert _ids(data, shown) == {"a", "b", "c"} and not faded.any() and hidden is None and not blocked
    shown, faded, _h, _b = view_masks(_view(in_filter=only, fade_outside=True))
    assert shown.all() and _ids(data, faded) == set(IDS) - {"a", "b", "c"}
    shown, faded, _h, _b = view_masks(_view(selected="a"))  # a and its neighbour b stand out
    assert shown.all() and _ids(data, faded) == set(IDS) - {"a", "b"}
    shown, _f, _h, _b = view_masks(_view(selected="c", focus_depth=1))  # focus hides the rest
    assert _ids(data, shown) == {"b", "c", "d"}
    _s, _f, hidden, blocked = view_masks(_view(in_filter=only, selected="e", focus_depth=2))
    assert hidden == "e" and blocked
    # A chain stays whole: the link the filter leaves out is drawn pale, the others strong.
    shown, faded, _h, _b = view_masks(_view(in_filter=data.mask_of(["a", "b"]), path=("a", "b", "c")))
    assert _ids(data, shown) == {"a", "b", "c"} and _ids(data, faded) == {"c"}
    shown, _f, _h, _b = view_masks(_view(laid_out=data.mask_of(["a", "b"])))  # not laid out: not drawn
    assert _ids(data, shown) == {"a", "b"}


def test_ties_become_point_pairs_strong_and_pale_and_the_as_of_year_drops_ties() -> None:
    data = _data()
    pos = np.arange(16, dtype=np.float64).reshape(8, 2)
    ab = data.mask_of(["a", "b"])
    pts = tie_points(data, pos, data.edge_mask(ab))
    assert pts.tolist() == [pos[0].tolist(), pos[1].tolist()]  # a (0) to b (1)
    state = compute_view(_view(selected="a"))
    strong = {tuple(p) for p in state.strong_ties.tolist()}
    assert strong == {tuple(pos[0]), tuple(pos[1])}  # the selection's own tie
    assert len(state.pale_ties) == 2 * (len(PAIRS) - 1)
    assert state.visible_index.tolist() == list(range(8)) and state.visible_degree.tolist() == [
        len(_ties()[i]) for i in IDS
    ]
    hidden = compute_view(_view(in_filter=data.mask_of(["a", "b", "e"])))  # c, d, f, h hidden
    assert hidden.strong_ties.tolist() == [pos[0].tolist(), pos[1].tolist()] and not len(hidden.pale_ties)
    ef_only = data.pair_mask([("e", "f", "partner")])
    state = compute_view(_view(tie_mask=ef_only))
    assert len(state.strong_ties) == 2 and not len(state.pale_ties)


def test_an_overview_lays_out_the_best_connected_with_the_selection_and_the_chain() -> None:
    data = _data()
    assert [data.ids[i] for i in overview_scope(_view(), 2)] == ["b", "c"]
    assert [data.ids[i] for i in overview_scope(_view(selected="g", path=("e", "f")), 2)] == ["b", "c", "e", "f", "g"]
    scope = overview_scope(_view(selected="e", focus_depth=1), 5)
    assert [data.ids[i] for i in scope] == ["e", "f"]
    assert [data.ids[i] for i in overview_scope(_view(in_filter=data.mask_of(["d", "g"])), 1)] == ["d"]


def test_the_network_and_a_layout_come_back_from_the_cache_and_a_bad_file_is_ignored(tmp_path: Path) -> None:
    data = _data()
    cache.save_network(tmp_path, "stamp-1", data)
    back = cache.load_network(tmp_path, "stamp-1")
    assert back is not None
    assert (back.ids, back.names, back.kinds, back.fields) == (data.ids, data.names, data.kinds, data.fields)
    assert back.src.tolist() == data.src.tolist() and back.dst.tolist() == data.dst.tolist()
    assert cache.load_network(tmp_path, "stamp-2") is None  # another reference file
    nodes = np.array([0, 1, 2, 3], dtype=np.int64)
    pos = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]])
    key = cache.content_hash(data)
    cache.save_layout(tmp_path, key, "spring", nodes, pos)
    got = cache.load_layout(tmp_path, key, "spring", nodes)
    assert got is not None and got.tolist() == pos.tolist()
    assert cache.load_layout(tmp_path, key, "circular", nodes) is None
    assert cache.load_layout(tmp_path, key, "spring", nodes[:3]) is None
    (layout_file,) = tmp_path.glob("layout-*.npz")
    layout_file.write_bytes(b"damaged")
    assert cache.load_layout(tmp_path, key, "spring", nodes) is None
    (tmp_path / cache.NETWORK_FILE).write_bytes(b"damaged")
    assert cache.load_network(tmp_path, "stamp-1") is None


# ---- label plans (app.core.graph.placement) ----------------------------------------------------------
def _scene(data: GraphData, **kw: object):  # type: ignore[no-untyped-def]
    from app.core.graph.placement import LabelScene, TextAdvances

    n = data.n
    base = dict(
        data=data,
        visible_index=np.arange(n, dtype=np.int64),
        visible_pos=np.array([[i * 1.0, (i % 2) * 1.0] for i in range(n)]),
        visible_faded=np.zeros(n, dtype=bool),
        visible_degree=data.degree.copy(),
        visible_size=np.full(n, 10.0),
        transform=(100.0, 0.0, 0.0, 100.0, 50.0, 50.0),  # 100 px per layout unit, origin at (50, 50)
        bounds=(0.0, 0.0, 1000.0, 400.0),
        selected=None,
        hovered=None,
        keyboard=None,
        path=(),
        text=TextAdvances(normal={"A": 7.0}, bold={"A": 8.0}, fallback=6.0, bold_fallback=7.0, height=12.0),
    )
    base.update(kw)
    return LabelScene(**base)  # type: ignore[arg-type]


def test_text_widths_come_from_the_measured_advances_and_the_fallback() -> None:
    from app.core.graph.placement import TEXT_PAD, TextAdvances

    adv = TextAdvances(normal={"A": 7.0}, bold={"A": 8.0}, fallback=6.0, bold_fallback=7.0, height=12.0)
    assert adv.width("AAB", bold=False) == 7 + 7 + 6 + TEXT_PAD
    assert adv.width("AAB", bold=True) == 8 + 8 + 7 + TEXT_PAD
    assert adv.width("", bold=False) == TEXT_PAD


def test_a_small_view_labels_every_node_in_view_clear_of_markers_and_of_each_other() -> None:
    from app.core.graph.placement import plan_labels, screen_points

    data = _data()
    scene = _scene(data, selected="b")
    plan = plan_labels(scene)
    assert {lab.text for lab in plan.labels} == {name for name in data.names}
    screen = screen_points(scene.transform, scene.visible_pos)
    markers = [(x - 5, y - 5, x + 5, y + 5) for x, y in screen.tolist()]
    rects = [lab.rect for lab in plan.labels]
    for r in rects:
        assert 0 <= r[0] and r[2] <= 1000 and 0 <= r[1] and r[3] <= 400  # inside the view
        assert not any(r[0] < m[2] and r[2] > m[0] and r[1] < m[3] and r[3] > m[1] for m in markers)
    for a, b in itertools.combinations(rects, 2):
        assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1])
    (bold,) = [lab for lab in plan.labels if lab.bold]
    assert bold.text == "B" and bold.rect[2] - bold.rect[0] == scene.text.width("B", True)
    assert "B" in plan.unknown_chars and "A" not in plan.unknown_chars  # to be measured on the GUI thread
    # Out of view: no label.
    far = plan_labels(_scene(data, transform=(100.0, 0.0, 0.0, 100.0, 5000.0, 0.0)))
    assert far.labels == ()


def test_a_plan_follows_its_nodes_when_the_view_moves() -> None:
    from app.core.graph.placement import plan_labels

    data = _data()
    scene = _scene(data)
    plan = plan_labels(scene)
    assert plan.moved(scene.transform, scene.visible_pos) is plan  # the same view: unchanged
    shifted = (100.0, 0.0, 0.0, 100.0, 80.0, 30.0)  # panned 30 px right and 20 px up
    pos = scene.visible_pos[[lab.node for lab in plan.labels]]
    moved = plan.moved(shifted, pos)
    assert moved.transform == shifted and len(moved.labels) == len(plan.labels)
    for before, after in zip(plan.labels, moved.labels, strict=True):
        assert after.rect == (before.rect[0] + 30, before.rect[1] - 20, before.rect[2] + 30, before.rect[3] - 20)
        if before.leader is not None:
            assert after.leader == tuple(v + d for v, d in zip(before.leader, (30, -20, 30, -20), strict=True))


def test_a_moved_plan_moves_the_leader_lines_too() -> None:
    from app.core.graph.placement import LabelPlan, PlacedLabel

    t0 = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    label = PlacedLabel(0, "A", (20.0, 0.0, 60.0, 12.0), (5.0, 5.0, 20.0, 6.0), False, False, False)
    plan = LabelPlan(t0, (0.0, 0.0, 500.0, 500.0), (label,), np.array([[0.0, 0.0]]))
    moved = plan.moved((1.0, 0.0, 0.0, 1.0, 10.0, 100.0), np.array([[0.0, 0.0]]))
    (after,) = moved.labels
    assert after.rect == (30.0, 100.0, 70.0, 112.0) and after.leader == (15.0, 105.0, 30.0, 106.0)


def test_on_a_crowded_view_the_keyboards_node_is_labelled_whatever_its_ties() -> None:
    from app.core.graph.placement import BIG_VIEW_LABELS, LABEL_SCREEN_LIMIT, plan_labels

    n = LABEL_SCREEN_LIMIT + 40
    ids = [f"n{i:03d}" for i in range(n)]
    hub_ties = [(ids[0], ids[k], "member") for k in range(1, 30)]  # n000 and its 29 partners: the best connected
    data = network_arrays(ids, ids, ["country"] * n, hub_ties)
    grid = np.array([[(i % 12) * 1.0, (i // 12) * 1.0] for i in range(n)])
    scene = _scene(data, visible_pos=grid, bounds=(0.0, 0.0, 1400.0, 1200.0))
    quiet = ids[-1]  # no ties: never among the best connected
    assert quiet not in {lab.text for lab in plan_labels(scene).labels}
    keyed = plan_labels(_scene(data, visible_pos=grid, bounds=(0.0, 0.0, 1400.0, 1200.0), keyboard=quiet))
    texts = [lab.text for lab in keyed.labels]
    assert quiet in texts and len(texts) <= BIG_VIEW_LABELS + 1


def test_labels_keep_clear_of_the_whole_of_markers_of_every_size() -> None:
    """Markers from 14 to 39 px (hubs are drawn larger), close together: every node is labelled and
    no label covers any part of a marker, the largest ones' edges included."""
    from app.core.graph.placement import plan_labels, screen_points

    data = _data()
    pos = np.array(
        [[1.28, 2.38], [0.36, 2.37], [0.78, 1.06], [2.07, 1.02], [1.37, 0.07], [1.88, 1.35], [0.82, 1.97], [0.76, 1.13]]
    )
    sizes = np.array([14.0, 22.0, 16.0, 18.0, 33.0, 18.0, 25.0, 39.0])
    scene = _scene(data, visible_pos=pos, visible_size=sizes, bounds=(0.0, 0.0, 400.0, 400.0))
    plan = plan_labels(scene)
    assert len(plan.labels) == data.n
    points = screen_points(scene.transform, pos).tolist()
    markers = [(x - s / 2, y - s / 2, x + s / 2, y + s / 2) for (x, y), s in zip(points, sizes.tolist(), strict=True)]
    for r in (lab.rect for lab in plan.labels):
        assert not any(r[0] < m[2] and r[2] > m[0] and r[1] < m[3] and r[3] > m[1] for m in markers), r
