"""Shared fixtures: every test gets a fresh temporary data dir with a reference database built from seeds/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# Set once, before any Qt import: tests never need a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from app.core.atlas import Atlas, open_atlas
from app.core.query.repository import Repository
from app.core.reference.build import build_reference
from app.paths import PROJECT_ROOT, DataPaths

SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing touches the real user data dir or the user's Qt settings."""
    home = tmp_path / "home"
    monkeypatch.setenv("ALLIANCE_ATLAS_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("ALLIANCE_ATLAS_REFERENCE", raising=False)


@pytest.fixture(scope="session")
def seed_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One reference database built from the real seeds per session; tests get copies."""
    target = tmp_path_factory.mktemp("seed-reference") / "reference.sqlite"
    build_reference(SEEDS, target)
    return target


@pytest.fixture
def data_paths(tmp_path: Path, seed_reference: Path) -> DataPaths:
    """A fresh data dir holding a copy of the seed reference database."""
    paths = DataPaths(tmp_path / "home").ensure()
    shutil.copyfile(seed_reference, paths.reference_db)
    return paths


@pytest.fixture
def atlas(data_paths: DataPaths) -> Iterator[Atlas]:
    a = open_atlas(data_paths, seeds=SEEDS)
    yield a
    a.close()


@pytest.fixture
def repo(atlas: Atlas) -> Repository:
    return atlas.repo
