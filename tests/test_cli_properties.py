"""Property: whatever the arguments of `search`, `export` and `notes` (integers at the limits, any
text including lone surrogates and control characters), the CLI never shows a traceback and exits
0, 1 or 2."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.cli import main
from app.paths import DataPaths

LIMITS = [0, 1, -1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
integers = st.one_of(st.sampled_from(LIMITS), st.integers()).map(str) | st.just("9" * 5000) | st.just("1e3")
# Any code point, surrogates and control characters included (no NUL: argv cannot carry one).
texts = st.text(st.characters(blacklist_categories=(), blacklist_characters="\x00"), max_size=40)
words = st.one_of(texts, st.sampled_from(["nato", "NATO OR csto", '"joint exercises"', "-x", "OR", "*"]))
many_words = st.integers(1, 3000).map(lambda n: " OR ".join(f"w{i}" for i in range(n)))

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory, seed_reference) -> Path:
    paths = DataPaths(tmp_path_factory.mktemp("prop") / "home").ensure()
    shutil.copyfile(seed_reference, paths.reference_db)
    return paths.root


def run(home: Path, capsys, argv: list[str]) -> None:
    try:
        code = main(["--data-dir", str(home), *argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err and "Traceback" not in out
    if code:
        assert err.strip(), "a failure says why"


@SETTINGS
@given(query=st.one_of(words, many_words), limit=st.one_of(st.none(), integers), as_json=st.booleans())
def test_search_never_crashes(home, capsys, query, limit, as_json):
    argv = ["search", query]
    if limit is not None:
        argv += ["--limit", limit]
    if as_json:
        argv.append("--json")
    run(home, capsys, argv)


@SETTINGS
@given(
    fmt=st.sampled_from(["json", "csv", "md", "graphml"]),
    query=st.one_of(st.none(), words, many_words),
    year=st.one_of(st.none(), integers),
    select=st.one_of(st.none(), words),
    kind=st.one_of(st.none(), texts),
    target=st.sampled_from(["file", "devnull", "folder", "missing", "text"]),
    name=texts,
)
def test_export_never_crashes(home, capsys, fmt, query, year, select, kind, target, name):
    out_dir = Path(tempfile.mkdtemp(prefix="prop-export-"))
    try:
        path = {
            "file": str(out_dir / "x.out"),
            "devnull": os.devnull,
            "folder": str(out_dir),
            "missing": str(out_dir / "no" / "x"),
            "text": str(out_dir / (name.replace("/", "_").replace("\x00", "") or "x")),
        }[target]
        argv = ["export", "-f", fmt, "-o", path]
        for option, value in (("--query", query), ("--from-year", year), ("--select", select), ("--kind", kind)):
            if value is not None:
                argv += [option, value]
        run(home, capsys, argv)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


@SETTINGS
@given(
    action=st.sampled_from(["add", "list", "export", "import"]),
    entity=st.one_of(st.just("nato"), texts),
    title=texts,
    body=texts,
    tag=st.one_of(st.none(), texts),
    query=st.one_of(st.none(), words, many_words),
)
def test_notes_never_crash(home, capsys, action, entity, title, body, tag, query):
    out_dir = Path(tempfile.mkdtemp(prefix="prop-notes-"))
    try:
        if action == "add":
            argv = ["notes", "add", "-e", entity, "-t", title, "-b", body]
        elif action == "list":
            argv = (
                ["notes", "list"]
                + (["--query", query] if query is not None else [])
                + (["-e", entity] if entity != "nato" else [])
            )
        elif action == "export":
            argv = ["notes", "export", "-o", str(out_dir / "n.json")]
        else:
            bad = out_dir / "in.json"
            bad.write_text(body, encoding="utf-8", errors="surrogatepass")
            argv = ["notes", "import", str(bad)]
        if tag is not None and action in ("add", "list", "export"):
            argv += ["--tag", tag]
        run(home, capsys, argv)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
