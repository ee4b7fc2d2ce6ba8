"""Reference build: deterministic, atomic, fast enough to run at first start, and read-only safe."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.atlas import open_atlas
from app.core.db import ensure_user_db
from app.core.errors import DiskFull, SchemaTooNew, UnwritablePath
from app.core.query.filters import FilterSpec
from app.core.reference import build as build_module
from app.core.reference.build import build_reference
from app.core.reference.catalog import CatalogEntity
from app.paths import DataPaths
from tests.conftest import SEEDS


def _dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_same_seeds_give_the_same_content(tmp_path: Path) -> None:
    a = build_reference(SEEDS, tmp_path / "a.sqlite")
    b = build_reference(SEEDS, tmp_path / "b.sqlite")
    assert a.seed_hash == b.seed_hash
    assert _dump(tmp_path / "a.sqlite") == _dump(tmp_path / "b.sqlite")


def test_a_failed_build_leaves_the_previous_database_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "reference.sqlite"
    build_reference(SEEDS, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()

    def explode(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "write_reference", explode)
    with pytest.raises(DiskFull, match="disk is full"):  # a clear message, not a raw OSError
        build_reference(SEEDS, target)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["reference.sqlite"]


def test_a_build_killed_half_way_leaves_the_previous_database_intact(tmp_path: Path) -> None:
    target = tmp_path / "reference.sqlite"
    build_reference(SEEDS, target)
    before = _dump(target)
    # A child process that builds and stops itself right before the final rename.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from app.core.reference import build\n"
        "real = os.replace\n"
        "def stop(*a, **k):\n"
        "    print('about-to-rename', flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "build.os.replace = stop\n"
        f"build.build_reference(Path({str(SEEDS)!r}), Path({str(target)!r}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert "about-to-rename" in proc.stdout
    assert _dump(target) == before
    # The next build clears the stray temp file and succeeds.
    build_reference(SEEDS, target)
    assert not list(tmp_path.glob("*.building-*"))


def test_build_of_the_seeds_is_well_under_a_second(tmp_path: Path) -> None:
    # Not a timed assertion on CI speed; a generous ceiling that catches an accidental O(n^2).
    t0 = time.perf_counter()
    build_reference(SEEDS, tmp_path / "r.sqlite")
    assert time.perf_counter() - t0 < 10


def test_first_start_builds_the_database_into_the_data_dir(tmp_path: Path) -> None:
    paths = DataPaths(tmp_path / "fresh")
    atlas = open_atlas(paths, seeds=SEEDS)
    try:
        assert paths.reference_db.exists() and paths.user_db.exists()
        assert atlas.built is not None
        assert atlas.repo.total_entities() == int(atlas.meta["entities"])
    finally:
        atlas.close()


def test_runs_with_the_reference_database_on_read_only_storage(data_paths: DataPaths) -> None:
    ref = data_paths.reference_db
    media = data_paths.root / "media"
    media.mkdir()
    ro = media / "reference.sqlite"
    shutil.copyfile(ref, ro)
    digest = hashlib.sha256(ro.read_bytes()).hexdigest()
    os.chmod(ro, 0o444)
    os.chmod(media, 0o555)
    os.environ["ALLIANCE_ATLAS_REFERENCE"] = str(ro)
    try:
        atlas = open_atlas(data_paths, seeds=SEEDS)
        repo = atlas.repo
        assert repo.list_entities(FilterSpec(text="nato"))
        assert repo.facet_counts(FilterSpec(kinds=("alliance",)))["kinds"]
        assert repo.search_passages("collective defence")
        atlas.close()
    finally:
        del os.environ["ALLIANCE_ATLAS_REFERENCE"]
        os.chmod(media, 0o755)
    assert hashlib.sha256(ro.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in media.iterdir()) == ["reference.sqlite"]  # no journal, no WAL files


def test_a_reference_database_newer_than_the_app_is_refused(data_paths: DataPaths) -> None:
    con = sqlite3.connect(data_paths.reference_db)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with pytest.raises(SchemaTooNew, match="newer Alliance Atlas"):
        open_atlas(data_paths, seeds=SEEDS)


def test_a_user_database_newer_than_the_app_is_refused(tmp_path: Path) -> None:
    user = tmp_path / "user.sqlite"
    ensure_user_db(user)
    con = sqlite3.connect(user)
    con.execute("PRAGMA user_version = 999")
    con.close()
    with pytest.raises(SchemaTooNew, match="nothing was changed"):
        ensure_user_db(user)


def test_a_rebuild_never_touches_user_data(atlas, data_paths: DataPaths) -> None:
    con = sqlite3.connect(data_paths.user_db)
    con.execute(
        "INSERT INTO note (id, entity_id, title, body, created_at, updated_at)"
        " VALUES ('n1', 'nato', 'Keep me', 'body', '2026-01-01', '2026-01-01')"
    )
    con.commit()
    con.close()
    build_reference(SEEDS, data_paths.reference_db)
    assert atlas.repo.list_entities(FilterSpec(has_notes=True))[0].id == "nato"


def test_a_damaged_reference_database_is_rebuilt_and_the_damaged_file_kept(data_paths: DataPaths) -> None:
    damaged = b"SQLite format 3\x00" + b"\x07" * 6000
    data_paths.reference_db.write_bytes(damaged)
    atlas = open_atlas(data_paths, seeds=SEEDS)
    try:
        assert atlas.repo.list_entities(FilterSpec(text="CSTO"))  # the data is back
        assert atlas.warning and "rebuilt" in atlas.warning
    finally:
        atlas.close()
    kept = [p for p in data_paths.root.iterdir() if p.name.startswith("reference.sqlite.damaged-")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged


def test_a_damaged_reference_that_cannot_be_rebuilt_says_how_to_fix_it(
    data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core import atlas as atlas_module
    from app.core.errors import DatabaseCorrupt

    data_paths.reference_db.write_bytes(b"not a database at all" * 100)
    monkeypatch.setattr(atlas_module, "_writable", lambda _ref: False)  # e.g. on read-only media
    with pytest.raises(DatabaseCorrupt, match=r"damaged.*alliance-atlas build-db.*read-only"):
        open_atlas(data_paths, seeds=SEEDS)
    assert data_paths.reference_db.read_bytes() == b"not a database at all" * 100  # left as it was


# ---- a full disk or read-only folder while building: a clear AtlasError, the old reference kept ----


def _disk_full(*_args, **_kwargs):
    raise sqlite3.OperationalError("database or disk is full")


def _disk_full_in_sqlalchemy(*_args, **_kwargs):
    from sqlalchemy.exc import OperationalError

    raise OperationalError("CREATE TABLE entity ...", {}, sqlite3.OperationalError("database or disk is full"))


@pytest.mark.parametrize("failure", [_disk_full, _disk_full_in_sqlalchemy])
def test_a_full_disk_during_a_build_is_a_clear_error_and_keeps_the_old_reference(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure
) -> None:
    target = tmp_path / "reference.sqlite"
    build_reference(SEEDS, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    monkeypatch.setattr(
        build_module, "create_schema" if failure is _disk_full_in_sqlalchemy else "write_reference", failure
    )
    with pytest.raises(DiskFull, match=r"could not be built: the disk is full.*unchanged"):
        build_reference(SEEDS, target)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir()] == ["reference.sqlite"]


def test_a_failing_clean_up_does_not_hide_the_first_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "reference.sqlite"

    def read_only_unlink(self, missing_ok=False):
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(build_module, "write_reference", _disk_full)
    monkeypatch.setattr(Path, "unlink", read_only_unlink)
    with pytest.raises(DiskFull, match="disk is full"):
        build_reference(SEEDS, target)


def test_a_read_only_folder_is_named_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build_module, "folder_unwritable", lambda _folder: "is on read-only storage")
    with pytest.raises(UnwritablePath, match=r"cannot be built: its folder .* is on read-only storage"):
        build_reference(SEEDS, tmp_path / "reference.sqlite")
    assert list(tmp_path.iterdir()) == []


def _stale_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    with open(seeds / "manifest.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# edited: the corpus hash changes, so the reference is stale\n")
    return seeds


def test_a_stale_rebuild_that_fails_on_a_full_disk_keeps_the_old_reference_with_a_warning(
    data_paths: DataPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = _stale_seeds(tmp_path)
    before = hashlib.sha256(data_paths.reference_db.read_bytes()).hexdigest()
    monkeypatch.setattr(build_module, "write_reference", _disk_full)
    atlas = open_atlas(data_paths, seeds=seeds)
    try:
        assert atlas.built is None
        assert atlas.warning and "could not be rebuilt" in atlas.warning and "disk is full" in atlas.warning
        assert atlas.repo.list_entities(FilterSpec(text="NATO"))  # the old data is shown
    finally:
        atlas.close()
    assert hashlib.sha256(data_paths.reference_db.read_bytes()).hexdigest() == before


def test_a_damaged_reference_whose_rebuild_fails_is_put_back(
    data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.errors import DatabaseCorrupt

    damaged = b"not a database at all" * 100
    data_paths.reference_db.write_bytes(damaged)
    monkeypatch.setattr(build_module, "write_reference", _disk_full)
    with pytest.raises(DatabaseCorrupt, match=r"Rebuilding it failed.*disk is full"):
        open_atlas(data_paths, seeds=SEEDS)
    assert data_paths.reference_db.read_bytes() == damaged


def test_a_full_disk_for_real(tmp_path: Path) -> None:
    from tests.core.mounts import tmpfs

    with tmpfs(tmp_path / "disk", "300k") as disk:
        with pytest.raises(DiskFull, match="disk is full"):
            build_reference(SEEDS, disk / "reference.sqlite")
        assert list(disk.iterdir()) == []  # the temporary file is gone, the space free again


def test_a_read_only_folder_for_real(tmp_path: Path) -> None:
    from tests.core.mounts import read_only

    folder = tmp_path / "data"
    folder.mkdir()
    with read_only(folder) as view:
        with pytest.raises(UnwritablePath, match="read-only"):
            build_reference(SEEDS, view / "reference.sqlite")


def test_builds_in_processes_with_different_hash_seeds_are_identical(tmp_path: Path) -> None:
    """Set and dict iteration order changes with PYTHONHASHSEED: no build output may depend on it."""
    script = "import sys\nfrom pathlib import Path\nfrom app.core.reference.build import build_reference\n"
    script += "build_reference(Path(sys.argv[1]), Path(sys.argv[2]))\n"
    dumps = []
    for seed in ("1", "2", "3"):
        out = tmp_path / f"ref-{seed}.sqlite"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(SEEDS), str(out)], check=True, env=env, timeout=120)
        dumps.append(_dump(out))
    assert dumps[0] == dumps[1] == dumps[2]
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob("ref-*.sqlite")}
    assert len(digests) == 1  # byte for byte
    assert any('INSERT INTO "mention"' in line for line in dumps[0])


def test_an_alias_that_starts_a_longer_name_links_to_the_longer_one(seed_reference: Path) -> None:
    """ "ASEAN" starts "ASEAN Defense Ministers’ Meeting": each such passage links the meeting, not ASEAN."""
    con = sqlite3.connect(seed_reference)
    passages = con.execute("SELECT id, start, text FROM passage").fetchall()
    mentions: dict[tuple[int, int], tuple[str, str]] = {
        (pid, start): (eid, matched)
        for pid, start, eid, matched in con.execute("SELECT passage_id, start, entity_id, matched FROM mention")
    }
    found = 0
    for pid, p_start, text in passages:
        for m in re.finditer(r"ASEAN Defen[cs]e Ministers’ Meeting", text):
            found += 1
            assert mentions.get((pid, p_start + m.start())) == ("asean-defense-ministers-meeting", m.group(0))
    assert found == 4  # the fifth is a section heading, which holds no passage


def test_the_mention_matcher_prefers_the_longest_name_in_any_catalogue_order() -> None:
    words = ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda", "Mu"]
    entities = [CatalogEntity(f"e{k}", " ".join(words[:k]), [], "alliance", []) for k in range(1, len(words) + 1)]
    for order in (entities, entities[::-1], entities[::2] + entities[1::2]):
        pattern, by_text = build_module._mention_matcher(order)
        for k in range(1, len(words) + 1):
            m = pattern.search(f"The ({' '.join(words[:k])}) met.")
            assert m is not None and by_text[m.group(0)] == f"e{k}", (k, m and m.group(0))
