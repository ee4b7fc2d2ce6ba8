"""The messages of a reference build that fails for a reason outside the program (not a bug)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.errors import DatabaseLocked, StorageError, UnwritablePath
from app.core.reference import build as build_module
from app.core.reference.build import build_reference
from tests.conftest import SEEDS


def _raising(exc: BaseException):
    def fail(*_args: object, **_kwargs: object) -> None:
        raise exc

    return fail


def test_a_locked_build_names_the_reference_database_and_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "reference.sqlite"
    monkeypatch.setattr(build_module, "write_reference", _raising(sqlite3.OperationalError("database is locked")))
    with pytest.raises(DatabaseLocked) as caught:
        build_reference(SEEDS, target)
    message = str(caught.value)
    assert message.startswith(f"The reference database {target} could not be built. ")
    # The reason names the database the user knows about, not "the database" (that is the notes).
    assert "The reference database is busy in another program. Try again in a moment." in message
    assert message.endswith("The previous reference database, if any, is unchanged.")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_disk_during_a_build_says_full_or_failing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "reference.sqlite"
    monkeypatch.setattr(build_module, "write_reference", _raising(sqlite3.OperationalError("disk I/O error")))
    with pytest.raises(StorageError, match=r"could not be built: the disk is full or failing \(disk I/O error\)"):
        build_reference(SEEDS, target)


def test_a_file_where_the_reference_folder_should_be_is_named(tmp_path: Path) -> None:
    """The folder to build in cannot be made (a file has its name): one sentence naming the reference
    database, not a bare FileExistsError."""
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    target = tmp_path / "data" / "reference.sqlite"
    with pytest.raises(UnwritablePath) as caught:
        build_reference(SEEDS, target)
    message = str(caught.value)
    assert message.startswith(f"The reference database {target} could not be built. ")
    assert f"a file is in the way where a folder is needed ({tmp_path / 'data'})" in message
    assert (tmp_path / "data").read_text(encoding="utf-8") == "not a folder"
