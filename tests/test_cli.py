"""The command line: stable commands, clear errors and non-zero exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core.userdata.database import UserData
from app.paths import DataPaths


def run(*args: str, env_home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_home:
        env["ALLIANCE_ATLAS_HOME"] = str(env_home)
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env, timeout=120)


def test_build_db_and_search_json_in_a_data_dir(tmp_path: Path) -> None:
    home = tmp_path / "data"
    p = run("--data-dir", str(home), "build-db")
    assert p.returncode == 0, p.stderr
    assert "50 entities" in p.stdout or "entities" in p.stdout
    assert (home / "reference.sqlite").exists()
    p = run("--data-dir", str(home), "search", "joint", "exercises", "--json")
    out = json.loads(p.stdout)
    assert out["passages"] and out["passages"][0]["document"].endswith((".txt", ".md"))
    assert all({"document", "section", "snippet", "score"} <= set(h) for h in out["passages"])
    assert "[[" not in out["passages"][0]["snippet"]


def test_export_json_follows_the_documented_schema(data_paths: DataPaths, tmp_path: Path, capsys) -> None:
    out = tmp_path / "atlas.json"
    assert (
        main(["--data-dir", str(data_paths.root), "export", "--format", "json", "--kind", "alliance", "-o", str(out)])
        == 0
    )
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["filter"] == "Entities kind: alliance"
    names = {e["name"] for e in data["entities"]}
    assert "NATO" in names and all(e["kind"] == "alliance" for e in data["entities"])
    csto = next(e for e in data["entities"] if e["id"] == "csto")
    assert {
        "id",
        "name",
        "aliases",
        "kind",
        "category",
        "region",
        "founded",
        "ended",
        "members",
        "activities",
        "citations",
    } <= set(csto)
    assert "Russia" in csto["members"]
    assert all(c["document"] in {d["file"] for d in data["documents"]} and c["quote"] for c in csto["citations"])
    assert all(d["sections"] for d in data["documents"])


def test_select_accepts_id_name_or_alias_case_insensitively(data_paths: DataPaths, tmp_path: Path) -> None:
    out = tmp_path / "sel.json"
    args = ["--data-dir", str(data_paths.root), "export", "-f", "json", "-o", str(out)]
    assert (
        main(
            [
                *args,
                "--select",
                "nato",
                "--select",
                "csto",
                "--select",
                "Five Eyes",
                "--select",
                "north atlantic treaty organization",
            ]
        )
        == 0
    )
    got = [e["id"] for e in json.loads(out.read_text())["entities"]]
    assert sorted(got) == ["csto", "five-eyes", "nato"]


def test_bad_arguments_give_a_clear_message_and_non_zero_exit(data_paths: DataPaths, tmp_path: Path, capsys) -> None:
    root = ["--data-dir", str(data_paths.root)]
    assert main([*root, "export", "-f", "json", "--select", "Atlantis", "-o", str(tmp_path / "x.json")]) == 2
    assert "No entity called 'Atlantis'" in capsys.readouterr().err
    assert main([*root, "export", "-f", "json", "-o", str(tmp_path / "missing" / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "missing").exists()
    with pytest.raises(SystemExit) as info:
        main([*root, "export", "-f", "docx", "-o", "x"])
    assert info.value.code == 2


def test_unreadable_seeds_fail_with_a_message(tmp_path: Path) -> None:
    p = run("--data-dir", str(tmp_path / "d"), "build-db", "--seeds", str(tmp_path / "nowhere"))
    assert p.returncode == 1
    assert "Cannot read the seed manifest" in p.stderr
    assert "Traceback" not in p.stderr


def test_env_home_puts_data_elsewhere(tmp_path: Path) -> None:
    p = run("search", "Haiti", env_home=tmp_path / "envhome")
    assert p.returncode == 0 and "Haiti" in p.stdout
    assert (tmp_path / "envhome" / "reference.sqlite").exists()


@pytest.mark.parametrize(
    ("option", "bad", "listed"),
    [
        (["--kind", "aliance"], "aliance", "alliance, country"),
        (["--category", "colective defence"], "colective defence", "collective defence"),
        (["--region", "Europa"], "Europa", "Europe"),
        (["--activity", "wargames"], "wargames", "joint exercises"),
        (["--tag", "lesson 4"], "lesson 4", "Lesson 3"),
    ],
)
def test_an_unknown_filter_value_is_a_usage_error_naming_it_and_the_choices(
    data_paths: DataPaths, tmp_path: Path, capsys, option: list[str], bad: str, listed: str
) -> None:

    UserData.open(data_paths.user_db).notes.create_tag("Lesson 3")
    out = tmp_path / "x.json"
    assert main(["--data-dir", str(data_paths.root), "export", "-f", "json", "-o", str(out), *option]) == 2
    err = capsys.readouterr().err
    assert f"'{bad}'" in err and listed in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_an_inverted_year_range_is_a_usage_error(data_paths: DataPaths, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    argv = ["--data-dir", str(data_paths.root), "export", "-f", "csv", "-o", str(folder / "x.csv")]
    assert main([*argv, "--from-year", "2000", "--to-year", "1900"]) == 2
    err = capsys.readouterr().err
    assert "--from-year 2000" in err and "--to-year 1900" in err
    assert list(folder.iterdir()) == []  # none of the three CSV files
    assert main([*argv, "--from-year", "1949", "--to-year", "1949"]) == 0  # one year is a valid range


def test_filter_values_match_any_case_and_use_the_stored_spelling(data_paths: DataPaths, tmp_path: Path) -> None:

    UserData.open(data_paths.user_db).notes.tag_entities("Watch List", ["nato", "csto"])
    out = tmp_path / "x.json"
    argv = ["--data-dir", str(data_paths.root), "export", "-f", "json", "-o", str(out)]
    assert main([*argv, "--kind", "ALLIANCE", "--region", "europe", "--activity", " Joint Exercises "]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["filter"] == "Entities kind: alliance; region: Europe; activity: joint exercises"
    assert [e["id"] for e in data["entities"]] == ["nato"]
    assert main([*argv, "--tag", "watch list", "--category", "Collective Security"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["filter"] == "Entities category: collective security; tagged Watch List"
    assert {e["id"] for e in data["entities"]} == {"nato", "csto"}


@pytest.mark.parametrize("argv", [["search", ""], ["search", "  "], ["search", "--limit", "0", "nato"],
                                  ["search", "--limit", "-3", "--json", "nato"]])  # fmt: skip
def test_an_empty_query_or_a_limit_below_one_is_a_usage_error(data_paths: DataPaths, capsys, argv) -> None:
    assert main(["--data-dir", str(data_paths.root), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    if "--limit" in argv:
        assert f"--limit {argv[2]}" in captured.err
    else:
        assert "Nothing to search for" in captured.err


def test_search_limit_one_gives_one_entity_and_one_passage(data_paths: DataPaths, capsys) -> None:
    assert main(["--data-dir", str(data_paths.root), "search", "--limit", "1", "--json", "nato"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["id"] for e in out["entities"]] == ["nato"] and len(out["passages"]) == 1


def test_output_piped_into_head_ends_quietly(data_paths):
    cmd = [sys.executable, "-m", "app", "--data-dir", str(data_paths.root), "search", "alliance"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err


def test_a_read_only_data_folder_says_what_to_do(data_paths, capsys, monkeypatch):
    import sqlite3

    import app.core.atlas as atlas_mod

    def refuse(*_args, **_kwargs):
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(atlas_mod, "open_user_data", refuse)
    monkeypatch.setattr(atlas_mod, "_writable", lambda path: path.name != "user.sqlite")
    code = main(["--data-dir", str(data_paths.root), "notes", "list"])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot be written" in err and "--data-dir" in err and "ALLIANCE_ATLAS_REFERENCE" in err


# ---- build-db: a full disk, read-only storage or a file in the way is one clear line and exit 1 ----


def _build(tmp_path: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["--data-dir", str(tmp_path / "data"), "build-db", *extra])
    return code, capsys.readouterr().err


def test_build_db_on_a_full_disk_is_one_clear_line(tmp_path: Path, capsys, monkeypatch) -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    import app.core.reference.build as build_mod

    def full(*_args, **_kwargs):
        raise OperationalError("CREATE TABLE ...", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(build_mod, "create_schema", full)
    code, err = _build(tmp_path, capsys)
    assert code == 1
    assert err.startswith("alliance-atlas: The reference database") and "disk is full" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert [p.name for p in (tmp_path / "data").iterdir()] == []  # no temporary file left


def test_build_db_in_a_read_only_folder_is_one_clear_line(tmp_path: Path, capsys, monkeypatch) -> None:
    import errno

    import app.core.reference.build as build_mod

    def read_only(*_args, **_kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    # The write fails, and so does the clean-up of the temporary file: the first error is reported.
    monkeypatch.setattr(build_mod, "write_reference", read_only)
    monkeypatch.setattr(Path, "unlink", read_only)
    code, err = _build(tmp_path, capsys)
    assert code == 1 and "read-only" in err and "Traceback" not in err


def test_build_db_with_a_file_where_the_data_folder_should_be(tmp_path: Path, capsys) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    code, err = _build(tmp_path, capsys)
    assert code == 1 and "is a file, not a folder" in err and "Traceback" not in err
    assert (tmp_path / "data").read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize("name", ["manifest.yaml", "catalog.yaml"])
def test_build_db_with_a_seed_file_that_is_not_utf8(tmp_path: Path, capsys, name: str) -> None:
    import shutil

    from tests.conftest import SEEDS

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    (seeds / name).write_bytes((SEEDS / name).read_bytes() + "\n# Genève\n".encode("latin-1"))
    code, err = _build(tmp_path, capsys, "--seeds", str(seeds))
    assert code == 1 and f"{name} is not UTF-8 text" in err and "Traceback" not in err


def test_build_db_for_real_on_a_full_disk_and_read_only_storage(tmp_path: Path, capsys) -> None:
    from tests.core.mounts import read_only, tmpfs

    with tmpfs(tmp_path / "disk", "300k") as disk:
        code = main(["--data-dir", str(disk / "data"), "build-db"])
        err = capsys.readouterr().err
        assert code == 1 and "disk is full" in err and "Traceback" not in err
        assert list((disk / "data").iterdir()) == []
    folder = tmp_path / "ro"
    folder.mkdir()
    with read_only(folder) as view:
        code = main(["--data-dir", str(view), "build-db"])
        err = capsys.readouterr().err
        assert code == 1 and "read-only" in err and "Traceback" not in err


def test_search_json_says_when_the_entities_have_only_some_of_the_words(data_paths: DataPaths, capsys) -> None:
    """Scripts read ``entities_relaxed`` and ``messages``: true, with the sentence saying so, when no
    entity has every word; false when one does."""
    root = str(data_paths.root)
    assert main(["--data-dir", root, "search", "collective", "zzzq", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["entities_relaxed"] is True and out["entities"]
    assert any("some of them" in m for m in out["messages"])
    assert main(["--data-dir", root, "search", "collective", "defence", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["entities_relaxed"] is False and out["entities"]
