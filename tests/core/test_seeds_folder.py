"""A build from another seeds folder is kept, not silently undone; unlisted seed files are reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.core.atlas import open_atlas
from app.core.reference.build import build_reference
from app.paths import DataPaths
from tests.conftest import SEEDS


@pytest.fixture
def other_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ALLIANCE_ATLAS_SEEDS", raising=False)
    folder = tmp_path / "my-seeds"
    shutil.copytree(SEEDS, folder)
    (folder / "extra-notes.txt").write_text("A sixth document nobody listed.\n", encoding="utf-8")
    return folder


def test_unlisted_file_is_reported(other_seeds: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = build_reference(other_seeds, tmp_path / "ref.sqlite")
    assert report.unlisted == ("extra-notes.txt",)
    code = main(["--data-dir", str(tmp_path / "data"), "build-db", "--seeds", str(other_seeds)])
    err = capsys.readouterr().err
    assert code == 0 and "extra-notes.txt" in err and "manifest" in err and err.count("\n") == 1


def test_build_from_another_folder_is_kept(other_seeds: Path, tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "data").ensure()
    build_reference(other_seeds, paths.reference_db)
    # A later command without --seeds keeps it (checked against the folder it was built from).
    atlas = open_atlas(paths)
    try:
        assert atlas.built is None and atlas.warning is None
        assert atlas.meta["seeds_path"] == str(other_seeds.resolve())
    finally:
        atlas.close()
    # That folder gone: still kept, and the user is told why nothing was rebuilt.
    shutil.rmtree(other_seeds)
    atlas = open_atlas(paths)
    try:
        assert atlas.built is None and atlas.warning is not None and "no longer there" in atlas.warning
    finally:
        atlas.close()
    # Asked for the shipped seeds explicitly: rebuilt, saying so.
    atlas = open_atlas(paths, seeds=SEEDS)
    try:
        assert atlas.built is not None and atlas.warning is not None and "rebuilt from" in atlas.warning
        assert atlas.meta["seeds_path"] == str(SEEDS.resolve())
    finally:
        atlas.close()
