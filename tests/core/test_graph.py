"""Graph core: building, neighbourhoods, connection chains with citations, layouts, saved positions, GraphML."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from app.cli import main as cli_main
from app.core.graph import network as g
from app.core.query.filters import FilterSpec


@pytest.fixture
def graph(repo):
    return g.build_graph(repo)


def test_graph_has_every_entity_and_partnerships_as_small_nodes(repo, graph):
    assert graph.number_of_nodes() == repo.total_entities()
    node = graph.nodes["islamic-nation-china"]
    assert node["kind"] == "partnership"
    assert set(graph.neighbors("islamic-nation-china")) == {"islamic-nation", "china"}
    csto = graph.nodes["csto"]
    assert csto["name"] == "Collective Security Treaty Organization"
    assert csto["degree"] == 6
    assert "Armenia, Belarus, Kazakhstan" in csto["citations"]


def test_build_graph_honours_filter(repo):
    sub = g.build_graph(repo, FilterSpec(kinds=("alliance", "country")))
    assert "islamic-nation-china" not in sub
    assert sub.has_edge("csto", "armenia")
    assert all(d["kind"] in ("alliance", "country") for _, d in sub.nodes(data=True))


def test_neighbourhood_depths(graph):
    assert g.neighbourhood(graph, "islamic-nation", 0) == {"islamic-nation"}
    one = g.neighbourhood(graph, "islamic-nation", 1)
    two = g.neighbourhood(graph, "islamic-nation", 2)
    assert one == {"islamic-nation", "islamic-nation-china", "islamic-nation-pakistan", "islamic-nation-russia"}
    assert two == one | {"china", "pakistan", "russia"}
    assert g.neighbourhood(graph, "no-such-entity", 2) == set()


def test_connection_path_steps_carry_citations(repo, graph):
    steps = g.connection_path(repo, graph, "islamic-nation", "armenia")
    assert [s.from_id for s in steps] == ["islamic-nation", "islamic-nation-russia", "russia", "csto"]
    assert steps[-1].to_id == "armenia"
    for s in steps:
        assert s.citations, s.text
        # The quote is verbatim from the cited document at the cited span.
        c = s.citations[0]
        doc = repo.get_document(c.document_id)
        assert doc.text[c.start : c.end] == c.quote
    assert steps[2].text == "Russia is a member of Collective Security Treaty Organization"
    assert "Collective Security Treaty Organization" in steps[2].html


def test_no_connection_is_empty(repo, graph):
    assert g.connection_path(repo, graph, "greece", "armenia") == []
    assert g.connection_path(repo, graph, "armenia", "armenia") == []


@pytest.mark.parametrize("layout", list(g.LAYOUTS))
def test_layouts_are_deterministic_and_complete(graph, layout):
    a = g.compute_layout(graph, layout)
    b = g.compute_layout(graph.copy(), layout)
    assert a == b
    assert set(a) == set(graph.nodes)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in a.values())
    # No two nodes on the same spot.
    assert len({(round(x, 1), round(y, 1)) for x, y in a.values()}) == len(a)


def test_spring_layout_is_the_same_picture_in_every_run(graph, tmp_path: Path):
    """Python salts string hashes per process; the layout must not depend on that (a set's order)."""
    src = tmp_path / "seed.graphml"
    nx.write_graphml(graph, src)
    script = (
        "import sys, json, networkx as nx; from app.core.graph.network import compute_layout;"
        "print(json.dumps(sorted(compute_layout(nx.read_graphml(sys.argv[1])).items())))"
    )
    runs = set()
    for hash_seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run([sys.executable, "-c", script, str(src)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        runs.add(done.stdout)
    assert len(runs) == 1


def test_bipartite_puts_countries_left(graph):
    pos = g.compute_layout(graph, "bipartite")
    assert pos["armenia"][0] < 0 < pos["csto"][0]
    assert pos["united-states"][0] < 0 < pos["nato"][0]


def test_unknown_layout_is_an_error(graph):
    with pytest.raises(ValueError, match="unknown layout"):
        g.compute_layout(graph, "spiral")


def test_fast_spring_layout_large_graph_is_deterministic():
    from tests.synthetic import random_graph

    big = random_graph(800, 3000, seed=3)
    a = g.compute_layout(big)
    assert a == g.compute_layout(big)
    assert len(a) == 800


def test_positions_round_trip_per_layout(data_paths, graph):
    from app.core.userdata.database import UserData

    with UserData.open(data_paths.user_db) as user:
        store = user.graph_positions
        store.save("spring", {"nato": (1.5, -2.0)})
        store.save("spring", {"nato": (3.0, 4.0)})  # upsert
        store.save("shell", {"nato": (9.0, 9.0)})
    with UserData.open(data_paths.user_db) as user:  # kept across a reopen
        store = user.graph_positions
        assert store.load("spring") == {"nato": (3.0, 4.0)}
        assert g.positions_for(graph, "spring", store)["nato"] == (3.0, 4.0)
        assert store.clear("spring") == 1
        assert store.load("spring") == {}
        assert store.load("shell") == {"nato": (9.0, 9.0)}


def test_write_graphml_loads_with_names_kinds_citations(repo, tmp_path: Path):
    out = g.write_graphml(repo, FilterSpec(kinds=("alliance", "country")), tmp_path / "net.graphml")
    loaded = nx.read_graphml(out)
    expected = {r.id for r in repo.list_entities(FilterSpec(kinds=("alliance", "country")))}
    assert set(loaded.nodes) == expected
    assert loaded.nodes["csto"]["name"] == "Collective Security Treaty Organization"
    assert loaded.nodes["csto"]["kind"] == "alliance"
    assert "Member states" in loaded.nodes["csto"]["citations"]
    edge = loaded.edges["csto", "armenia"]
    assert edge["field"] == "member" and "Armenia" in edge["quote"]
    assert not list(tmp_path.glob("*.part"))


def test_cli_export_graphml(data_paths, tmp_path: Path, capsys):
    out = tmp_path / "cli.graphml"
    code = cli_main(
        ["--data-dir", str(data_paths.root), "export", "--format", "graphml", "--kind", "alliance", "-o", str(out)]
    )
    assert code == 0
    loaded = nx.read_graphml(out)
    assert "nato" in loaded and "armenia" not in loaded
    assert "Wrote" in capsys.readouterr().out


def test_labels_never_overlap_each_other_or_markers_and_forced_ones_always_show():
    import itertools

    from app.core.graph.labels import place_labels

    markers = [(100.0 + 30 * (i % 6), 100.0 + 25 * (i // 6), 6.0) for i in range(24)]  # a crowded grid
    anchors = [(x, y, r, 70.0, 14.0) for x, y, r in markers]
    obstacles = [(x - r, y - r, x + r, y + r) for x, y, r in markers]
    force = [i < 3 for i in range(len(anchors))]
    placed = place_labels(anchors, bounds=(0, 0, 400, 300), obstacles=obstacles, force=force)
    assert all(placed[i] is not None for i in range(3))  # forced: always placed
    free = [r for i, r in enumerate(placed) if r is not None and not force[i]]
    assert free, "some labels fit"
    for a, b in itertools.combinations(free, 2):
        assert not (a[0] < b[2] and a[2] > b[0] and a[1] < b[3] and a[3] > b[1]), (a, b)
    for r in free:
        assert all(not (r[0] < o[2] and r[2] > o[0] and r[1] < o[3] and r[3] > o[1]) for o in obstacles)
        assert 0 <= r[0] and r[2] <= 400 and 0 <= r[1] and r[3] <= 300  # inside the bounds


def test_a_leader_line_says_whose_label_it_is():
    import numpy as np

    from app.core.graph.labels import leader_line

    assert leader_line(100, 100, 8, (111, 92, 180, 108)) is None  # right beside its marker
    x0, y0, x1, y1 = leader_line(100, 100, 8, (100, 140, 170, 156))  # pushed well below it
    assert (round(x0), round(y0)) == (100, 108) and (x1, y1) == (100, 140)
    box = (111, 92, 180, 108)
    assert leader_line(100, 100, 8, box, np.array([[100.0, 100.0], [300.0, 100.0]])) is None
    assert leader_line(100, 100, 8, box, np.array([[100.0, 100.0], [190.0, 100.0]])) is not None  # another nearer


def test_array_layout_has_linear_memory_and_separates_nodes():
    """The force layout for big graphs never builds an n × n (or n × cells) array."""
    import tracemalloc

    import numpy as np

    from app.core.graph.layout import spring_arrays

    rng = np.random.default_rng(1)
    n, m = 20_000, 60_000
    src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    tracemalloc.start()
    pos = spring_arrays(n, src, dst, iterations=5)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert pos.shape == (n, 2) and np.isfinite(pos).all()
    assert peak < 200 * n * 8, f"{peak / 1e6:.0f} MB for {n} nodes"  # a few hundred floats per node at most
    assert len(np.unique(np.round(pos, 6), axis=0)) == n  # no two nodes on one spot
