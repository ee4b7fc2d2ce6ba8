"""The summary's network figure reads the graph pane's kept network and layout (app.core.graph.cache):
the same picture as one made afresh, and a second export from the command line never loads networkx."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from app.core.atlas import Atlas
from app.core.graph.picture import picture_from_repo
from app.core.query.filters import FilterSpec
from app.paths import DataPaths

ROOT = Path(__file__).resolve().parents[2]


def test_the_kept_layout_gives_the_same_picture_as_a_fresh_one(atlas: Atlas, tmp_path: Path) -> None:
    cache = tmp_path / "graph-cache"
    cache.mkdir()
    fresh = picture_from_repo(atlas.repo, FilterSpec())
    first = picture_from_repo(atlas.repo, FilterSpec(), cache=cache)  # computes, and keeps
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith("layout-"))
    kept = picture_from_repo(atlas.repo, FilterSpec(), cache=cache)  # reads
    for pic in (first, kept):
        assert pic.ids == fresh.ids and pic.degrees == fresh.degrees
        assert np.array_equal(pic.edges, fresh.edges) and np.allclose(pic.pos, fresh.pos)


def test_a_subset_is_laid_out_on_its_own_with_its_own_ties(atlas: Atlas, tmp_path: Path) -> None:
    """A search's figure: only the chosen entities, their ties to one another counted as degrees."""
    spec = FilterSpec(kinds=("country",))
    whole = picture_from_repo(atlas.repo, FilterSpec())
    part = picture_from_repo(atlas.repo, spec, own_layout=True, cache=tmp_path)
    chosen = {r.id for r in atlas.repo.list_entities(spec)}
    assert set(part.ids) == chosen and len(part.ids) < len(whole.ids)
    ties = {tuple(sorted((whole.ids[a], whole.ids[b]))) for a, b in whole.edges}
    among = {t for t in ties if t[0] in chosen and t[1] in chosen}
    assert {tuple(sorted((part.ids[a], part.ids[b]))) for a, b in part.edges} == among
    for i, n in enumerate(part.ids):
        assert part.degrees[i] == sum(n in t for t in among)


def test_a_second_pdf_export_never_loads_networkx(data_paths: DataPaths, tmp_path: Path) -> None:
    """networkx takes a fifth of the seed summary's time from the command line: once the layout is
    kept (by the first export, or by the window's graph pane), the figure is drawn without it."""
    code = (
        "import json, sys, runpy\n"
        "sys.argv = ['alliance-atlas', '--data-dir', sys.argv[1], 'export', '--format', 'pdf', '-o', sys.argv[2]]\n"
        "try:\n"
        "    runpy.run_module('app', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps('networkx' in sys.modules))\n"
    )

    def export(name: str) -> bool:
        out = subprocess.run(
            [sys.executable, "-c", code, str(data_paths.root), str(tmp_path / name)],
            capture_output=True, text=True, cwd=ROOT, check=True,
            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        )  # fmt: skip
        assert (tmp_path / name).read_bytes().startswith(b"%PDF")
        return bool(json.loads(out.stdout.strip().splitlines()[-1]))

    assert export("first.pdf")  # the layout made: networkx lays out a small network
    assert not export("second.pdf")


def test_a_focused_picture_shows_the_neighbourhood_and_selects_its_centre(atlas: Atlas) -> None:
    whole = picture_from_repo(atlas.repo, FilterSpec())
    i = whole.ids.index("nato")
    near = {"nato"} | {whole.ids[b if a == i else a] for a, b in whole.edges if i in (a, b)}
    focused = picture_from_repo(atlas.repo, FilterSpec(), focus="nato", depth=1)
    assert set(focused.ids) == near and focused.selected == "nato"
    assert "within 1 step of" in focused.subtitle
    assert picture_from_repo(atlas.repo, FilterSpec(), focus="nato").selected == "nato"  # depth 0: all, marked
    assert picture_from_repo(atlas.repo, FilterSpec(kinds=("country",)), focus="nato").selected is None
