"""Open everything the application needs: the data dir, a current reference database, the user database."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.db import connector, read_reference_meta
from app.core.errors import AtlasError, DatabaseCorrupt, UnwritablePath, classify, folder_unwritable
from app.core.query.repository import Repository
from app.core.userdata.database import UserData
from app.core.vocab import REFERENCE_SCHEMA_VERSION
from app.paths import ENV_SEEDS, DataPaths, seeds_dir

if TYPE_CHECKING:
    from app.core.reference.build import BuildReport

ENV_REFERENCE = "ALLIANCE_ATLAS_REFERENCE"
open_user_data = UserData.open  # a module name, so tests can make opening the user database fail


@dataclass
class Atlas:
    """The opened databases. Hand narrow pieces of it (the repository, one store) to panes."""

    paths: DataPaths
    reference_db: Path
    repo: Repository
    user_data: UserData
    meta: dict[str, str]
    built: BuildReport | None = None
    warning: str | None = None  # e.g. "reference is stale but read-only"
    read_only_copy: Path | None = None  # the data folder is read-only: notes are read from this copy

    @property
    def read_only(self) -> bool:
        """True when notes can be read but not saved (the data folder is read-only)."""
        return self.read_only_copy is not None

    def __enter__(self) -> Atlas:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.repo.dispose()
        self.user_data.close()
        if self.read_only_copy is not None:
            shutil.rmtree(self.read_only_copy.parent, ignore_errors=True)


def read_only_snapshot(user_db: Path) -> Path:
    """A private copy of the notes database (and its -wal) for a data folder that cannot be
    written: SQLite cannot open a WAL database where it cannot create the -shm file, yet reading,
    listing and exporting notes must work there. The copy is opened query-only."""
    folder = Path(tempfile.mkdtemp(prefix="alliance-atlas-readonly-"))
    copy = folder / user_db.name
    try:
        shutil.copyfile(user_db, copy)
        wal = Path(str(user_db) + "-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(str(copy) + "-wal"))
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise (classify(exc, f"a copy of the notes database in {folder}") or exc) from exc
    return copy


def reference_path(paths: DataPaths) -> Path:
    env = os.environ.get(ENV_REFERENCE)
    return Path(env).expanduser().resolve() if env else paths.reference_db


def _writable(ref: Path) -> bool:
    return os.access(ref.parent, os.W_OK) and (not ref.exists() or os.access(ref, os.W_OK))


def _read_only_data_dir(paths: DataPaths) -> str:
    return (
        f"The data folder {paths.root} cannot be written (read-only storage or no permission), so your "
        "notes database cannot be opened there. Start with --data-dir pointing to a writable folder; the "
        f"reference data may stay on read-only media (set {ENV_REFERENCE} to its file)."
    )


def ensure_data_folder(paths: DataPaths) -> DataPaths:
    """Create the data folder; a clear UnwritablePath when it cannot be (a file in the way, read-only storage)."""
    try:
        return paths.ensure()
    except OSError as exc:
        if isinstance(exc, FileExistsError) or (paths.root.exists() and not paths.root.is_dir()):
            msg = (
                f"The data folder {paths.root} is a file, not a folder. Move that file away, or give "
                "another folder with --data-dir."
            )
        else:
            msg = str(classify(exc, f"the data folder {paths.root}") or exc)
        raise UnwritablePath(msg) from exc


def current_seed_hash(seeds: Path) -> str | None:
    from app.core.reference.ingest import seed_hash

    try:
        return seed_hash(seeds)
    except OSError:
        return None


def open_atlas(
    paths: DataPaths,
    *,
    seeds: Path | None = None,
    rebuild_stale: bool = True,
    user_backup: Callable[[], Any] | None = None,
) -> Atlas:
    """Build the reference database if missing (or stale and writable), migrate the user database,
    and return the repository and the opened user database. Raises AtlasError with a user-facing message."""
    from app.core.reference.build import build_reference  # cheap: SQLModel loads only if a build runs
    from app.core.reference.ingest import SeedError

    explicit_seeds = seeds is not None or bool(os.environ.get(ENV_SEEDS))
    seeds = seeds or seeds_dir()
    ensure_data_folder(paths)
    ref = reference_path(paths)
    built: BuildReport | None = None
    warning: str | None = None
    if not ref.exists():
        try:
            built = build_reference(seeds, ref)
        except SeedError as exc:
            raise AtlasError(f"The reference database could not be built from {seeds}:\n{exc}") from exc
        except OSError as exc:
            err = classify(exc, f"the reference database at {ref}")
            raise (err or exc) from exc
    try:
        meta = read_reference_meta(ref, REFERENCE_SCHEMA_VERSION, checked_marker=paths.reference_checked)
    except DatabaseCorrupt as exc:
        # The reference is derived data: rebuild it from the seeds, keeping the damaged file aside.
        if built is not None or not seeds.exists() or not _writable(ref):
            raise DatabaseCorrupt(
                f"{exc} It is rebuilt from the seed documents with 'alliance-atlas build-db'"
                + ("" if _writable(ref) else f" (its folder {ref.parent} is read-only)")
                + "."
            ) from exc
        aside = ref.with_name(f"{ref.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(ref, aside)
            built = build_reference(seeds, ref)
        except (AtlasError, OSError) as build_exc:
            if aside.exists() and not ref.exists():
                try:  # put the damaged file back where it was: nothing is lost
                    os.replace(aside, ref)
                except OSError:
                    pass
            why = build_exc if isinstance(build_exc, AtlasError) else classify(build_exc, f"the folder {ref.parent}")
            raise DatabaseCorrupt(f"{exc} Rebuilding it failed: {why or build_exc}") from build_exc
        meta = read_reference_meta(ref, REFERENCE_SCHEMA_VERSION, checked_marker=paths.reference_checked)
        warning = (
            "The reference database was damaged and has been rebuilt from the seeds "
            f"(the damaged file is kept as {aside.name})."
        )
    # The data folder records which seeds it was built from: a build from another folder is kept
    # (and checked against that folder), never silently replaced by the shipped seeds.
    recorded = meta.get("seeds_path", "")
    other_folder = bool(recorded) and built is None and Path(recorded) != seeds.resolve()
    if other_folder and not explicit_seeds:
        if Path(recorded).is_dir():
            seeds = Path(recorded)
        else:
            rebuild_stale = False
            warning = warning or (
                f"The reference database was built from {recorded}, which is no longer there; it is kept as it "
                "is. 'alliance-atlas build-db' rebuilds it from the shipped seeds."
            )
    stale = meta.get("user_version") != str(REFERENCE_SCHEMA_VERSION)
    if not stale and rebuild_stale and built is None and seeds.exists():
        current = current_seed_hash(seeds)
        stale = current is not None and current != meta.get("seed_hash")
    if stale and built is None:
        if _writable(ref):
            try:
                built = build_reference(seeds, ref)
                meta = read_reference_meta(ref, REFERENCE_SCHEMA_VERSION, checked_marker=paths.reference_checked)
                if other_folder:  # say why: the user asked for another seeds folder than the build's
                    warning = f"The reference database was rebuilt from {seeds} (it had been built from {recorded})."
            except (AtlasError, OSError) as exc:
                # The previous reference is untouched (the build is atomic): show the data it holds.
                why = exc if isinstance(exc, AtlasError) else classify(exc, f"the reference database at {ref}")
                warning = (
                    "The seeds changed but the reference database could not be rebuilt, so it shows the "
                    f"data it held before: {why or exc}"
                )
        else:
            warning = "The seeds changed, but the reference database is read-only; showing the data it holds."
    user_db, snapshot = paths.user_db, None
    if paths.user_db.is_file() and folder_unwritable(paths.user_db.parent):
        user_db = snapshot = read_only_snapshot(paths.user_db)
        user_backup = None  # nothing to back up: the copy is thrown away
        warning = " ".join(
            w
            for w in (warning, f"The data folder {paths.root} is read-only: notes can be read and exported, not saved.")
            if w
        )
    try:
        user_data = open_user_data(user_db, backup=user_backup)
        if snapshot is not None:
            with user_data.connection() as con:
                con.execute("PRAGMA query_only=ON")  # a write says "read-only", never lands in the copy
    except AtlasError as exc:
        if snapshot is not None:
            shutil.rmtree(snapshot.parent, ignore_errors=True)
        if not _writable(paths.user_db) and not isinstance(exc, DatabaseCorrupt):
            raise UnwritablePath(_read_only_data_dir(paths)) from exc
        raise
    except (sqlite3.Error, OSError) as exc:
        err = classify(exc, "the notes database")
        if err is None:
            raise
        if not _writable(paths.user_db) and not isinstance(err, DatabaseCorrupt):
            raise UnwritablePath(_read_only_data_dir(paths)) from exc
        raise err from exc
    repo = Repository(connector(ref, user_db), cache_dir=paths.facet_cache)
    try:
        repo.total_entities()
    except AtlasError:
        repo.dispose()
        user_data.close()
        raise
    except sqlite3.Error as exc:
        repo.dispose()
        user_data.close()
        raise DatabaseCorrupt(f"The reference database at {ref} cannot be read ({exc}).") from exc
    return Atlas(paths, ref, repo, user_data, meta, built, warning, snapshot)
