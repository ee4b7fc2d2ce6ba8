"""Fault injection, screenshot: a full disk gives a clear error and never leaves a 0-byte PNG."""

from __future__ import annotations

import errno

from app.cli import main
from tests.core.mounts import fill, tmpfs


def test_screenshot_onto_a_full_disk_leaves_no_empty_png(tmp_path, data_paths, qapp, capsys):
    with tmpfs(tmp_path / "small", "256k") as disk:
        filler = fill(disk)
        out = disk / "shot.png"
        rc = main(["--data-dir", str(data_paths.root), "screenshot", str(out), "--size", "640x480"])
        err = capsys.readouterr().err
        assert rc == 1 and "full" in err
        assert not out.exists()
        assert sorted(p.name for p in disk.iterdir()) == ["filler"]  # no temp file either
        filler.unlink()


def test_screenshot_write_failure_keeps_the_previous_png(tmp_path, data_paths, qapp, capsys, monkeypatch):
    """Without root (no tmpfs): the disk fills up while the PNG is flushed to disk."""
    from app.core import fileio

    out = tmp_path / "shot.png"
    out.write_bytes(b"previous")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", full)
    rc = main(["--data-dir", str(data_paths.root), "screenshot", str(out), "--size", "640x480"])
    assert rc == 1 and "full" in capsys.readouterr().err
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".png") or p.name.endswith(".part")) == [
        "shot.png"
    ]
