"""Real full disks and read-only storage for tests: a small tmpfs, a read-only bind mount.

Both need root (``mount``); without it the test is skipped, and the monkeypatched tests beside
it still cover the code path. Always unmounted afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*args: str) -> bool:
    if shutil.which(args[0]) is None:
        return False
    return subprocess.run(list(args), capture_output=True).returncode == 0


def _can_mount() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount") is not None


@contextmanager
def tmpfs(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (fill it with :func:`fill` for a full disk)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not _can_mount() or not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield folder
    finally:
        _run("umount", "-l", str(folder))


def fill(folder: Path) -> Path:
    """Write zeros into ``folder`` until its disk is full; returns the filler file (delete it to free the disk)."""
    filler = folder / "filler"
    block = b"\0" * 4096
    with open(filler, "wb", buffering=0) as fh:
        try:
            while fh.write(block):
                pass
        except OSError:
            pass
    return filler


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """``folder`` bind-mounted read-only at a sibling path, which is yielded."""
    view = folder.with_name(folder.name + "-ro")
    view.mkdir(exist_ok=True)
    if not _can_mount() or not _run("mount", "--bind", str(folder), str(view)):
        pytest.skip("bind-mounting is not permitted here")
    try:
        if not _run("mount", "-o", "remount,ro,bind", str(view)):
            pytest.skip("remounting read-only is not permitted here")
        yield view
    finally:
        _run("umount", "-l", str(view))
