"""Fault injection, command-line input: huge integers, text that is not UTF-8, long searches, control
characters on the terminal and a database path that is a folder each give one clear line and exit 2
(bad argument) or 1, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from app.cli import main


def run(data_paths, capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--data-dir", str(data_paths.root), *argv])
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


HUGE = "9223372036854775808"  # 2**63: one more than SQLite's largest integer


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["search", "nato", "--limit", HUGE], "--limit 9223372036854775808 is too large"),
        (["search", "nato", "--limit", "-" + HUGE], "--limit -9223372036854775808 is too small"),
        (["export", "-f", "json", "-o", "OUT", "--from-year", "99999999999999999999"], "--from-year"),
        (["export", "-f", "json", "-o", "OUT", "--to-year", "-" + HUGE], "--to-year"),
        (["export", "-f", "md", "-o", "OUT", "--from-year", "9" * 5000], "invalid int value"),
    ],
)
def test_huge_integers_are_usage_errors(data_paths, capsys, tmp_path, argv, says):
    argv = [str(tmp_path / "x.out") if a == "OUT" else a for a in argv]
    code, _out, err = run(data_paths, capsys, *argv)
    assert code == 2 and says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 3  # argparse's usage + one line, or our one line
    assert not (tmp_path / "x.out").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "nato\udcff"],
        ["search", "\ud800"],
        ["notes", "add", "--entity", "nato", "--title", "bad \udcff title"],
        ["notes", "add", "--entity", "nato", "--body", "x", "--tag", "\ud800"],
        ["notes", "list", "--query", "\udcff"],
        ["export", "-f", "json", "-o", "OUT", "--query", "\udcfe"],
        ["export", "-f", "json", "-o", "OUT", "--select", "na\udcfeto"],
    ],
)
def test_text_that_is_not_utf8_is_a_usage_error(data_paths, capsys, tmp_path, argv):
    argv = [str(tmp_path / "x.json") if a == "OUT" else a for a in argv]
    code, out, err = run(data_paths, capsys, *argv)
    assert code == 2 and "not valid text" in err and "not UTF-8" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(data_paths, capsys, "notes", "list", "--json")
    assert out.strip() == "[]"  # nothing was stored


def test_surrogate_bytes_from_a_real_shell_argument(tmp_path):
    """The bytes arrive as in a real shell: ``$'\\xff'`` in argv, decoded by Python with surrogateescape."""
    env = dict(os.environ, ALLIANCE_ATLAS_HOME=str(tmp_path / "home"))
    p = subprocess.run(
        [os.fsencode(sys.executable), b"-m", b"app", b"notes", b"add", b"-e", b"nato", b"--title", b"caf\xff"],
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 2 and b"not valid text" in p.stderr and b"Traceback" not in p.stderr


def test_a_3000_word_or_search_is_refused_quickly(data_paths, capsys):
    query = " OR ".join(f"word{i}" for i in range(3000))
    start = time.monotonic()
    code, _, err = run(data_paths, capsys, "search", query)
    assert code == 2 and "too many words" in err and "at most 64" in err
    code, _, err = run(data_paths, capsys, "search", "x" * 5000)
    assert code == 2 and "too long" in err
    code, _, err = run(data_paths, capsys, "notes", "list", "--query", query)
    assert code == 2 and "too many words" in err
    code, _out, err = run(data_paths, capsys, "export", "-f", "json", "-o", os.devnull, "--query", query)
    assert code == 2 and "too many words" in err
    assert time.monotonic() - start < 20


def test_the_longest_allowed_search_runs_and_never_overflows_the_parser(data_paths, capsys):
    from app.core.query.fts import MAX_QUERY_WORDS

    words = (MAX_QUERY_WORDS + 1) // 2
    query = " OR ".join(["defence"] * words)  # each word also a spelling-variant group
    assert len(query.split()) <= MAX_QUERY_WORDS
    code, _out, err = run(data_paths, capsys, "search", "--json", query)
    assert code == 0, err


def test_the_search_engine_caps_what_the_window_sends(repo):
    """The window's search box has no exit code: the core cuts an over-long query instead of raising."""
    from app.core.query.filters import FilterSpec

    query = " OR ".join(f"alliance{i}" for i in range(3000))
    start = time.monotonic()
    repo.list_entities(FilterSpec(text=query))
    repo.search_passages(query)
    assert time.monotonic() - start < 10


ESC_TITLE = "\x1b]0;pwned\x07red\x1b[31m \u202egnp.exe NUL\x00end"


def test_control_characters_in_stored_notes_are_escaped_on_the_terminal(data_paths, capsys):
    from app.core.userdata.database import UserData

    # Stored directly (as an older version or another program may have): the terminal is safe anyway.
    with UserData.open(data_paths.user_db) as user:
        user.notes.create_note("nato", title=ESC_TITLE, body="b", tags=["t\x1b[2J"])
    code, out, _ = run(data_paths, capsys, "notes", "list")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x00" not in out
    assert "\\u001b]0;pwned\\u0007red" in out and "\\u202egnp.exe" in out
    code, out, _err = run(data_paths, capsys, "notes", "list", "--json")
    assert "\x1b" not in out and "\u202e" not in out
    import json

    assert json.loads(out)[0]["title"] == ESC_TITLE  # JSON escapes keep the data exact


def test_control_characters_echoed_in_an_error_are_escaped(data_paths, capsys):
    code, _out, err = run(data_paths, capsys, "export", "-f", "json", "-o", os.devnull, "--select", "\x1b]0;x\x07")
    assert code == 2 and "\x1b" not in err and "\\u001b]0;x\\u0007" in err


def test_a_database_path_that_is_a_folder_says_so(data_paths, capsys):
    data_paths.user_db.mkdir()
    code, _, err = run(data_paths, capsys, "notes", "list")
    assert code == 1 and "is a folder, not a database file" in err and "full" not in err
    data_paths.user_db.rmdir()
    data_paths.reference_db.unlink()
    data_paths.reference_db.mkdir()
    code, _out, err = run(data_paths, capsys, "search", "nato")
    assert code == 1 and "reference database" in err and "is a folder, not a database file" in err
    assert "full" not in err
    assert data_paths.reference_db.is_dir()  # never moved or replaced
