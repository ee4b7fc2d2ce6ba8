"""Atomic writing: a reader sees the old file or the new one, never a part; a failure changes nothing."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.errors import AtlasError
from app.core.fileio import atomic_path, atomic_paths, atomic_write

OLD = "old content, complete\n"


def test_while_writing_the_target_still_holds_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text(OLD, encoding="utf-8")
    seen: list[str] = []

    def write(fh) -> None:
        fh.write("new half")
        fh.flush()
        seen.append(target.read_text(encoding="utf-8"))  # a reader opening the file mid-write
        fh.write(" and the rest\n")

    atomic_write(target, write)
    assert seen == [OLD]
    assert target.read_text(encoding="utf-8") == "new half and the rest\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary left beside it


def test_a_failure_half_way_keeps_the_original_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text(OLD, encoding="utf-8")

    def write(fh) -> None:
        fh.write("partial")
        fh.flush()
        raise RuntimeError("the export failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, write)
    assert target.read_text(encoding="utf-8") == OLD
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_failed_new_file_leaves_nothing_under_its_name(tmp_path: Path) -> None:
    target = tmp_path / "new.md"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        assert tmp != target and tmp.parent == target.parent
        tmp.write_text("partial", encoding="utf-8")
        raise RuntimeError("cancelled")
    assert list(tmp_path.iterdir()) == []


def test_files_that_belong_together_appear_together(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(OLD, encoding="utf-8")
    with atomic_paths([a, b]) as tmps:
        for t in tmps:
            t.write_text("new", encoding="utf-8")
        assert a.read_text(encoding="utf-8") == OLD and not b.exists()
    assert a.read_text(encoding="utf-8") == b.read_text(encoding="utf-8") == "new"


def test_a_missing_folder_is_one_clear_message(tmp_path: Path) -> None:
    with pytest.raises(AtlasError, match="does not exist"):
        atomic_write(tmp_path / "nowhere" / "x.txt", lambda fh: fh.write("x"))


def test_a_part_of_another_running_export_is_kept_and_that_process_left_alone(tmp_path: Path) -> None:
    """Liveness is asked with signal 0: the other writer must neither lose its part nor get a signal."""
    from app.core import fileio

    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        part = tmp_path / f".summary.pdf.{child.pid}.abcd1234.part"
        part.write_bytes(b"%PDF-partial")
        assert fileio.remove_stale_parts(tmp_path / "summary.pdf") == []
        assert part.exists()
        assert child.poll() is None  # still running: not hung up on or killed
    finally:
        child.kill()
        child.wait()


def test_a_write_error_names_the_target_and_the_reason_never_the_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"

    def failing_disk(fh) -> None:
        raise OSError(errno.EIO, "Input/output error", fh.name)

    with pytest.raises(AtlasError) as info:
        atomic_write(target, failing_disk)
    assert str(info.value) == f"Cannot write {target}: Input/output error."

    def odd(fh) -> None:
        raise OSError("an error with no number")

    with pytest.raises(AtlasError) as info:
        atomic_write(target, odd)
    assert str(info.value) == f"Cannot write {target}: an error with no number."
    assert list(tmp_path.iterdir()) == []
