"""``alliance-atlas --self-check``: one line per check, exit 1 on a failure, no network connection ever."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core import selfcheck
from app.paths import DataPaths
from tests.conftest import SEEDS
from tests.core.mounts import read_only

CHECKS = ["seed documents", "resources", "fonts", "reference database", "search", "PDF", "user data folder"]


def _lines(out: str) -> dict[str, str]:
    """check name -> status, from the printed lines (the last line is the summary)."""
    found = {}
    for line in out.splitlines()[:-1]:
        status, rest = line.split(None, 1)
        found[rest.split(":", 1)[0]] = status
    return found


def test_a_working_installation_passes_every_check(data_paths: DataPaths, capsys) -> None:
    assert main(["--data-dir", str(data_paths.root), "--self-check"]) == 0
    out = capsys.readouterr().out
    assert _lines(out) == dict.fromkeys(CHECKS, "ok")
    assert out.splitlines()[-1] == "self-check: 7 of 7 checks passed"
    assert "opened read-only" in out and "NATO" in out


def test_a_first_start_builds_the_reference_into_the_data_folder(tmp_path: Path, capsys) -> None:
    home = tmp_path / "fresh"
    assert main(["--data-dir", str(home), "--self-check"]) == 0
    assert (home / "reference.sqlite").is_file()
    assert not (home / "user.sqlite").exists()  # the check's own notes database is a temporary one


def test_an_edited_seed_fails_its_check_and_the_exit_code_says_so(
    tmp_path: Path, data_paths: DataPaths, monkeypatch, capsys
) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    doc = next(seeds.glob("*.txt"))
    doc.write_text(doc.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    monkeypatch.setenv("ALLIANCE_ATLAS_SEEDS", str(seeds))
    assert main(["--data-dir", str(data_paths.root), "--self-check"]) == 1
    out = capsys.readouterr().out
    assert f"FAIL seed documents: not as the manifest records: {doc.name} (changed)" in out
    assert out.splitlines()[-1] == "self-check: 6 of 7 checks passed; failed: seed documents"


def test_a_damaged_reference_database_fails(data_paths: DataPaths, capsys) -> None:
    data_paths.reference_db.write_bytes(b"not a database" * 100)
    assert main(["--data-dir", str(data_paths.root), "--self-check"]) == 1
    lines = _lines(capsys.readouterr().out)
    assert lines["reference database"] == "FAIL"
    assert "search" not in lines  # nothing to search in: not run, rather than a second failure


def test_a_missing_font_fails(data_paths: DataPaths, tmp_path: Path, monkeypatch, capsys) -> None:
    res = tmp_path / "resources"
    shutil.copytree(selfcheck.resources_dir(), res)
    (res / "fonts" / "NotoSans-Bold.ttf").unlink()
    monkeypatch.setattr(selfcheck, "resources_dir", lambda: res)
    check = selfcheck.check_fonts(None)
    assert check.failed and "NotoSans-Bold.ttf (missing)" in check.line()


def test_a_read_only_data_folder_is_a_note_saying_what_still_works(data_paths: DataPaths, capsys) -> None:
    with read_only(data_paths.root) as view:
        assert main(["--data-dir", str(view), "--self-check"]) == 0
    out = capsys.readouterr().out
    lines = _lines(out)
    assert lines["user data folder"] == "note" and lines["search"] == "ok" and lines["PDF"] == "ok"
    assert "is on read-only storage: notes, tags, saved filters and backups cannot be saved there" in out
    assert "reading, search and exports still work" in out


class _NoNetwork(Exception):
    pass


def test_self_check_and_a_pdf_export_open_no_network_connection(
    data_paths: DataPaths, tmp_path: Path, monkeypatch, capsys
) -> None:
    """A socket guard: any connect or name lookup fails the test (the unshare test below is stricter)."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if len(args) > 1 else args)
        raise _NoNetwork(f"network use: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert main(["--data-dir", str(data_paths.root), "--self-check"]) == 0
    out = tmp_path / "nato.pdf"
    assert main(["--data-dir", str(data_paths.root), "export", "-f", "pdf", "--select", "nato", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    assert attempts == []


def _unshare_works() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(["unshare", "-n", "true"]).returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _unshare_works(), reason="unshare -n (a network namespace) is not permitted here")
def test_under_unshare_with_no_network_at_all(data_paths: DataPaths, tmp_path: Path) -> None:
    out = tmp_path / "summary.pdf"
    home = str(data_paths.root)
    for args in (["--self-check"], ["export", "-f", "pdf", "-o", str(out)]):
        proc = subprocess.run(
            ["unshare", "-n", sys.executable, "-m", "app", "--data-dir", home, *args],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert out.read_bytes().startswith(b"%PDF-")
