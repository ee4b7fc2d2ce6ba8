"""Graph layouts, position by position (issue 19, mutation testing of graph/layout): where the rings of the
circular layout and the columns of the bipartite one put each kind, how the force layout packs
components and lone entities, and that dragged positions win."""

from __future__ import annotations

import itertools
import math

import networkx as nx
import numpy as np
import pytest

from app.core.graph import layout as lay
from app.core.graph.model import GraphData


def _graph(nodes: dict[str, str], edges: list[tuple[str, str]]) -> nx.Graph:
    graph = nx.Graph()
    for n, kind in nodes.items():
        graph.add_node(n, kind=kind, name=n.upper())
    graph.add_edges_from(edges)
    return graph


def test_the_circular_layout_puts_alliances_in_the_centre_and_countries_on_the_outer_ring() -> None:
    graph = _graph({"c": "country", "a": "alliance", "b": "country", "d": "country"}, [("a", "b"), ("a", "c")])
    pos = lay.compute_layout(graph, "shell")
    assert pos["a"] == (0.0, 0.0)  # a lone inner node sits in the middle
    r = lay.SCALE
    # countries tied to the alliance first (by name), the unattached one last; clockwise from the top
    assert pos["b"] == (0.0, r)
    assert pos["c"] == pytest.approx(
        (r * math.cos(math.pi / 2 - 2 * math.pi / 3), r * math.sin(-math.pi / 6)), abs=1e-3
    )
    assert pos["d"] == pytest.approx(
        (r * math.cos(math.pi / 2 - 4 * math.pi / 3), r * math.sin(math.pi / 2 - 4 * math.pi / 3)), abs=1e-3
    )


def test_the_circular_layout_has_one_ring_per_kind_group_present() -> None:
    graph = _graph(
        {"a1": "alliance", "a2": "treaty", "p": "partnership", "x": "country", "u": "mystery"},
        [("a1", "p"), ("p", "x")],
    )
    pos = lay.compute_layout(graph, "shell")
    radius = {n: round(math.hypot(*xy), 3) for n, xy in pos.items()}
    assert radius["a1"] == radius["a2"] == round(lay.SCALE / 3, 3)
    assert radius["p"] == round(2 * lay.SCALE / 3, 3)
    assert radius["x"] == radius["u"] == lay.SCALE  # an unknown kind goes to the outer ring
    assert pos["a1"] == (0.0, round(lay.SCALE / 3, 3))  # inner ring by kind then name: alliance first


def test_the_bipartite_layout_has_countries_left_and_the_rest_right_spread_top_to_bottom() -> None:
    graph = _graph(
        {"x": "country", "y": "actor", "z": "country", "big": "alliance", "small": "organisation"},
        [("x", "big"), ("y", "big"), ("z", "small"), ("x", "small")],
    )
    pos = lay.compute_layout(graph, "bipartite")
    left = 0.35 * lay.SCALE
    assert {n for n, (px, _) in pos.items() if px == -left} == {"x", "y", "z"}
    assert {n for n, (px, _) in pos.items() if px == left} == {"big", "small"}
    assert sorted(py for n, (_, py) in pos.items() if n in "xyz") == [-lay.SCALE, 0.0, lay.SCALE]
    assert pos["big"][1] == lay.SCALE and pos["small"][1] == -lay.SCALE  # most ties first
    # each country next to its alliances: y (only big) above z (only small)
    assert pos["y"][1] > pos["z"][1]
    one = lay.compute_layout(_graph({"x": "country", "a": "alliance"}, [("x", "a")]), "bipartite")
    assert one == {"x": (-left, 0.0), "a": (left, 0.0)}


def test_the_force_layout_spans_the_scale_and_puts_lone_entities_in_a_grid_below() -> None:
    graph = _graph(
        {"a": "alliance", "b": "country", "c": "country", "l1": "country", "l2": "alliance", "l3": "country"},
        [("a", "b"), ("a", "c")],
    )
    pos = lay.compute_layout(graph, "spring")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    assert span == pytest.approx(2 * lay.SCALE, abs=0.01)
    assert (max(xs) + min(xs)) / 2 == pytest.approx(0, abs=0.01) and (max(ys) + min(ys)) / 2 == pytest.approx(
        0, abs=0.01
    )
    tied = [pos[n][1] for n in "abc"]
    lone = [pos[n] for n in ("l2", "l1", "l3")]  # by kind, then name: alliance first
    assert max(p[1] for p in lone) < min(tied)  # the grid is below the components
    assert len({p[0] for p in lone}) == 1  # one column (the row is too narrow for two at this size)
    assert lone[0][1] > lone[1][1] > lone[2][1]
    assert lone[0][1] - lone[1][1] == pytest.approx(lone[1][1] - lone[2][1], abs=0.01)


def test_components_are_packed_biggest_first_without_overlapping() -> None:
    nodes = {f"n{i}": "country" for i in range(9)}
    edges = [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n0", "n3"), ("n4", "n5"), ("n6", "n7"), ("n7", "n8")]
    pos = lay.compute_layout(_graph(nodes, edges), "spring")
    comps = [["n0", "n1", "n2", "n3"], ["n6", "n7", "n8"], ["n4", "n5"]]
    boxes = [
        (min(pos[n][0] for n in c), max(pos[n][0] for n in c), min(pos[n][1] for n in c), max(pos[n][1] for n in c))
        for c in comps
    ]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
    # biggest first, the next to its right while the row has room, the smallest on the row below
    assert boxes[0][1] < boxes[1][0] and boxes[2][3] < min(boxes[0][2], boxes[1][2])
    # nodes of a component keep a readable distance from each other
    for c in comps:
        for i, u in enumerate(c):
            for v in c[i + 1 :]:
                assert math.dist(pos[u], pos[v]) > 100


def test_a_single_node_and_an_empty_graph() -> None:
    assert lay.compute_layout(nx.Graph(), "spring") == {}
    assert lay.compute_layout(_graph({"a": "alliance"}, []), "spring") == {"a": (0.0, 0.0)}
    assert lay.compute_layout(_graph({"a": "alliance"}, []), "shell") == {"a": (0.0, 0.0)}
    with pytest.raises(ValueError, match=r"^unknown layout 'x'; choose one of spring, shell, bipartite$"):
        lay.compute_layout(_graph({"a": "alliance"}, []), "x")


def test_hub_ties_are_longer_so_its_neighbours_spread_out() -> None:
    nodes = {"hub": "alliance", **{f"c{i}": "country" for i in range(8)}}
    graph = _graph(nodes, [("hub", f"c{i}") for i in range(8)])
    pos = lay.compute_layout(graph, "spring")
    dists = [math.dist(pos["hub"], pos[f"c{i}"]) for i in range(8)]
    assert max(dists) / min(dists) < 1.2  # an even ring round the hub
    around = sorted(math.atan2(pos[f"c{i}"][1] - pos["hub"][1], pos[f"c{i}"][0] - pos["hub"][0]) for i in range(8))
    gaps = [b - a for a, b in itertools.pairwise(around)] + [2 * math.pi - around[-1] + around[0]]
    assert min(gaps) > 0.5  # no two neighbours crowded together


def test_spring_arrays_stay_in_the_unit_square_and_pull_ties_together() -> None:
    assert lay.spring_arrays(0, np.zeros(0, np.int64), np.zeros(0, np.int64)).shape == (0, 2)
    one = lay.spring_arrays(1, np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert one.shape == (1, 2) and ((0 <= one) & (one <= 1)).all()
    n = 60
    src = np.arange(0, n - 1, 2, dtype=np.int64)
    dst = src + 1
    pos = lay.spring_arrays(n, src, dst, seed=3)
    assert ((0 <= pos) & (pos <= 1)).all()
    tied = np.sqrt(((pos[src] - pos[dst]) ** 2).sum(axis=1)).mean()
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, n, 200), rng.integers(0, n, 200)
    keep = a != b
    random_pairs = np.sqrt(((pos[a[keep]] - pos[b[keep]]) ** 2).sum(axis=1)).mean()
    assert tied < random_pairs / 2
    assert np.array_equal(pos, lay.spring_arrays(n, src, dst, seed=3))
    assert not np.array_equal(pos, lay.spring_arrays(n, src, dst, seed=4))


def test_a_subgraph_holds_only_the_chosen_entities_and_the_ties_between_them() -> None:
    graph = _graph(
        {"a": "alliance", "b": "country", "c": "country", "d": "country"}, [("a", "b"), ("a", "c"), ("c", "d")]
    )
    sub = lay.subgraph_for(graph, ["a", "b", "d"])
    assert list(sub.nodes) == ["a", "b", "d"]
    assert list(sub.edges) == [("a", "b")]
    assert sub.nodes["a"]["degree"] == 1 and sub.nodes["d"]["degree"] == 0
    assert sub.nodes["b"]["kind"] == "country"
    assert graph.nodes["a"].get("degree") is None  # the graph itself is untouched


def test_repulsion_spreads_nodes_both_ways() -> None:
    n = 100
    src = np.arange(0, n - 1, 2, dtype=np.int64)
    pos = lay.spring_arrays(n, src, src + 1, seed=5)
    spread = pos.std(axis=0)
    assert spread[0] > 0.2 and spread[1] > 0.2  # uniform on [0, 1] has 0.29
    gaps = np.sqrt(((pos[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(gaps, 9.0)
    assert gaps.min(axis=1).mean() > 0.005  # no pile of nodes on one line


def _data(n: int, ties: list[tuple[int, int]]) -> GraphData:
    return GraphData(
        ids=[f"e{i:05d}" for i in range(n)],
        names=[f"E{i}" for i in range(n)],
        kinds=["country" if i % 3 else "alliance" for i in range(n)],
        src=np.array([a for a, _ in ties], dtype=np.int64),
        dst=np.array([b for _, b in ties], dtype=np.int64),
        fields=["member"] * len(ties),
    )


def test_layout_nodes_small_through_networkx_large_on_the_arrays() -> None:
    data = _data(6, [(0, 1), (0, 2), (3, 4)])
    small = lay.layout_nodes(data, np.array([0, 1, 2, 5]), "bipartite")
    nx_pos = lay.compute_layout(data.to_networkx(np.array([0, 1, 2, 5])), "bipartite")
    assert small.tolist() == [list(nx_pos[data.ids[i]]) for i in (0, 1, 2, 5)]
    spring = lay.layout_nodes(data, np.array([0, 1, 2, 3, 4]), "spring")
    nx_spring = lay.compute_layout(data.to_networkx(np.array([0, 1, 2, 3, 4])), "spring")
    assert spring.tolist() == [list(nx_spring[data.ids[i]]) for i in range(5)]
    assert lay.layout_nodes(data, np.array([], dtype=np.int64), "spring").shape == (0, 2)
    with pytest.raises(ValueError, match=r"^unknown layout 'star'"):
        lay.layout_nodes(data, np.array([0]), "star")
    n = lay.ARRAY_LAYOUT + 10
    big_data = _data(n + 5, [(i, i + 1) for i in range(0, n + 4, 2)])
    nodes = np.arange(5, n + 5)
    big = lay.layout_nodes(big_data, nodes, "spring")
    assert big.shape == (n, 2)
    lo, hi = big.min(axis=0), big.max(axis=0)
    assert float((hi - lo).max()) == pytest.approx(2 * lay.SCALE)
    assert np.allclose((lo + hi) / 2, 0)
    saved = {big_data.ids[7]: (1.5, -2.5)}
    with_saved = lay.positions_array(big_data, nodes, "spring", saved)
    assert with_saved[2].tolist() == [1.5, -2.5] and np.array_equal(with_saved[3:], big[3:])
