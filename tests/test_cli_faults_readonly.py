"""Fault injection, read-only data folder: notes can still be listed and exported; writes are refused clearly."""

from __future__ import annotations

import json

from app.cli import main
from app.core.db import ensure_user_db
from app.core.userdata.database import UserData
from app.paths import DataPaths
from tests.core.mounts import read_only


def test_a_read_only_data_folder_still_lists_and_exports_notes(data_paths, tmp_path, capsys):
    with UserData.open(data_paths.user_db) as user:
        for i in range(3):
            user.notes.create_note("nato", title=f"kept {i}", body="text")
    ensure_user_db(data_paths.user_db)  # as after quitting the app
    with read_only(data_paths.root) as view:
        root = ["--data-dir", str(DataPaths(view).root)]
        assert main([*root, "notes", "list"]) == 0
        out, err = capsys.readouterr()
        assert "3 notes." in out and "read-only" in err
        target = tmp_path / "notes.json"
        assert main([*root, "notes", "export", "-o", str(target)]) == 0
        assert len(json.loads(target.read_text(encoding="utf-8"))["notes"]) == 3
        assert main([*root, "export", "-f", "json", "--notes", "-o", str(tmp_path / "all.json")]) == 0
        capsys.readouterr()
        assert main([*root, "notes", "add", "-e", "nato", "-t", "new"]) == 1
        err = capsys.readouterr().err
        assert "read-only" in err and "Nothing was written" in err and "Traceback" not in err
    with UserData.open(data_paths.user_db) as user:
        assert len(user.notes.list_notes()) == 3
