"""Where Alliance Atlas keeps its files: seeds, resources and the per-user data directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_HOME = "ALLIANCE_ATLAS_HOME"
ENV_SEEDS = "ALLIANCE_ATLAS_SEEDS"
_PACKAGE = Path(__file__).resolve().parent
# A checkout (and an editable install) keeps seeds/, resources/ and database/ beside app/; a wheel carries
# them inside the package as app/_data (setup.py), since site-packages has no "beside". A PyInstaller
# build puts them beside app/ again.
PROJECT_ROOT = _PACKAGE / "_data" if (_PACKAGE / "_data" / "seeds").is_dir() else _PACKAGE.parent


def seeds_dir() -> Path:
    """The seed corpus: ``$ALLIANCE_ATLAS_SEEDS`` or the ``seeds/`` folder shipped beside ``app/``."""
    env = os.environ.get(ENV_SEEDS)
    return Path(env) if env else PROJECT_ROOT / "seeds"


def resources_dir() -> Path:
    return PROJECT_ROOT / "resources"


@dataclass(frozen=True)
class DataPaths:
    """All per-user files live under one directory so tests and portable installs can redirect it."""

    root: Path

    @property
    def reference_db(self) -> Path:
        return self.root / "reference.sqlite"

    @property
    def user_db(self) -> Path:
        return self.root / "user.sqlite"

    @property
    def reference_checked(self) -> Path:
        """Which state of the reference file had every text value checked (see read_reference_meta)."""
        return self.root / "reference-text-checked.txt"

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def graph_cache(self) -> Path:
        """The graph's network and computed layouts, kept from one start to the next (app.core.graph.cache)."""
        return self.root / "graph-cache"

    @property
    def facet_cache(self) -> Path:
        """The facet index, kept from one start to the next (app.core.query.facet_index)."""
        return self.root / "facet-cache"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.ini"

    def ensure(self) -> DataPaths:
        self.root.mkdir(parents=True, exist_ok=True)
        return self


def data_paths(data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
    """Resolve the data directory: explicit argument, then ``$ALLIANCE_ATLAS_HOME``, then platformdirs."""
    if data_dir:
        return DataPaths(Path(data_dir).expanduser().resolve())
    env = os.environ.get(ENV_HOME)
    if env:
        return DataPaths(Path(env).expanduser().resolve())
    return DataPaths(Path(platformdirs.user_data_dir("alliance-atlas", appauthor=False)))
