"""Fault injection, export targets: devices and FIFOs are written directly or refused, never replaced
by a regular file; links are written through; ``-o link/../x`` means what the kernel means; parts
left by a killed export are cleaned up."""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.cli import main
from app.core import fileio
from app.core.errors import AtlasError, DiskFull, UnwritablePath
from app.core.fileio import atomic_write

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")


def _char_device(path: Path, minor: int) -> Path:
    """A character device node like /dev/null (minor 3) or /dev/full (minor 7), in a temp folder."""
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


def _write(path: Path, text: str = "hello\n") -> None:
    atomic_write(path, lambda fh: fh.write(text))


@needs_root
def test_a_null_device_is_written_directly_and_stays_a_device(tmp_path):
    dev = _char_device(tmp_path / "null", 3)
    _write(dev)
    st = os.lstat(dev)
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temp file beside it
    assert fileio.inspect_target(dev).note() == " (a device: written directly, not replaced)"


@needs_root
def test_a_full_device_is_a_clear_error_and_stays_a_device(tmp_path):
    dev = _char_device(tmp_path / "full", 7)
    with pytest.raises(DiskFull, match="full"):
        _write(dev)
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


@needs_root
@pytest.mark.parametrize("fmt", ["json", "csv", "md", "graphml"])
def test_cli_export_onto_dev_null_and_dev_full(data_paths, tmp_path, capsys, fmt):
    null = _char_device(tmp_path / "null", 3)
    full = _char_device(tmp_path / "full", 7)
    root = ["--data-dir", str(data_paths.root)]
    if fmt == "csv":  # three files: refused, nothing made beside the device
        assert main([*root, "export", "-f", fmt, "--select", "nato", "-o", str(null)]) == 1
        assert "needs a file name, not a device" in capsys.readouterr().err
        assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "home", "null"]
        return
    assert main([*root, "export", "-f", fmt, "--select", "nato", "-o", str(null)]) == 0
    assert "written directly" in capsys.readouterr().out
    assert main([*root, "export", "-f", fmt, "--select", "nato", "-o", str(full)]) == 1
    assert "full" in capsys.readouterr().err
    assert stat.S_ISCHR(os.lstat(null).st_mode) and stat.S_ISCHR(os.lstat(full).st_mode)


@needs_root
def test_notes_export_onto_a_full_device(data_paths, tmp_path, capsys):
    full = _char_device(tmp_path / "full", 7)
    assert main(["--data-dir", str(data_paths.root), "notes", "export", "-o", str(full)]) == 1
    assert "full" in capsys.readouterr().err
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_a_fifo_without_a_reader_is_refused_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UnwritablePath, match="named pipe and no program is reading"):
        _write(fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_a_fifo_with_a_reader_gets_the_whole_export(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # A reader that is open before the export starts (non-blocking open, then blocking reads).
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    keep = os.open(fifo, os.O_WRONLY)  # a second writer, so reads wait for data instead of seeing EOF
    os.set_blocking(fd, True)
    got = bytearray()
    text = "x" * 200_000 + "\n"  # more than a pipe buffer

    def drain() -> None:
        while len(got) < len(text):
            got.extend(os.read(fd, 1 << 16))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        _write(fifo, text)
    finally:
        reader.join(60)
        os.close(keep)
        os.close(fd)
    assert bytes(got) == text.encode()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(path))
        with pytest.raises(UnwritablePath, match="socket"):
            _write(path)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        s.close()


def test_a_symlink_is_written_through_and_kept(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "x.json").write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real / "x.json")
    _write(link, "new")
    assert link.is_symlink() and (real / "x.json").read_text() == "new"
    note = f" (a symbolic link: wrote its target {real / 'x.json'}; the link is kept)"
    assert fileio.inspect_target(link).note() == note
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(real / "new.json")
    _write(dangling, "made")
    assert dangling.is_symlink() and (real / "new.json").read_text() == "made"


def test_a_looping_symlink_is_refused(tmp_path):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(UnwritablePath, match="loops"):
        _write(loop)
    assert loop.is_symlink()


def test_a_symlink_to_a_folder_is_refused(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "l").symlink_to(tmp_path / "d")
    with pytest.raises(UnwritablePath, match="is a folder"):
        _write(tmp_path / "l")


def test_cli_says_it_wrote_through_a_link(data_paths, tmp_path, capsys):
    (tmp_path / "x.json").write_text("")
    (tmp_path / "l.json").symlink_to(tmp_path / "x.json")
    assert main(["--data-dir", str(data_paths.root), "export", "-f", "json", "-o", str(tmp_path / "l.json")]) == 0
    assert "a symbolic link: wrote its target" in capsys.readouterr().out
    assert (tmp_path / "l.json").is_symlink() and (tmp_path / "x.json").stat().st_size > 100


def test_link_dot_dot_resolves_like_the_kernel(tmp_path, monkeypatch):
    """``-o sublink/../x``: the temp file and the rename both land where the kernel puts ``x``,
    also for writers (Qt) that clean the path's text before opening it."""
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "here").mkdir()
    (tmp_path / "here" / "sublink").symlink_to(tmp_path / "real" / "sub")
    monkeypatch.chdir(tmp_path / "here")
    given = Path("sublink/../x.txt")
    real_replace = os.replace

    def same_folder_only(src, dst):
        # As when the link points to another file system: a rename across folders fails (EXDEV).
        if os.path.dirname(os.path.realpath(src)) != os.path.dirname(os.path.realpath(dst)):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_replace(src, dst)

    monkeypatch.setattr(fileio.os, "replace", same_folder_only)

    def lexical_writer(fh_path: Path) -> None:
        # What QFile does: normalise "a/../b" as text, then open.
        with open(os.path.normpath(os.path.abspath(fh_path)), "w") as fh:
            fh.write("ok")

    with fileio.atomic_path(given) as tmp:
        lexical_writer(tmp)
    assert (tmp_path / "real" / "x.txt").read_text() == "ok"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["sub", "x.txt"]  # no temp file left
    assert not (tmp_path / "here" / "x.txt").exists()
    assert [p.name for p in (tmp_path / "here").iterdir()] == ["sublink"]


def test_stale_parts_of_dead_writers_are_removed_live_ones_kept(tmp_path):
    target = tmp_path / "summary.pdf"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".summary.pdf.{dead_pid}.abcd1234.part"
    live = tmp_path / f".summary.pdf.{os.getpid()}.efgh5678.part"
    other = tmp_path / f".other.pdf.{dead_pid}.abcd1234.part"
    old_style = tmp_path / ".summary.pdf.k2j4h5g6.part"
    young_old_style = tmp_path / ".summary.pdf.aaaabbbb.part"
    for p in (stale, live, other, old_style, young_old_style):
        p.write_bytes(b"%PDF-partial")
    os.utime(old_style, (0, 0))
    assert sorted(fileio.remove_stale_parts(target)) == sorted([stale, old_style])
    assert not stale.exists() and not old_style.exists()
    assert live.exists() and other.exists() and young_old_style.exists()


def test_an_export_cleans_its_stale_parts(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".out.json.{int(dead.stdout)}.abcd1234.part"
    stale.write_text("{")
    _write(tmp_path / "out.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_special_targets_never_raise_anything_but_a_clear_error(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    for target in (fifo, tmp_path, tmp_path / "missing" / "x"):
        with pytest.raises(AtlasError):
            _write(target)
