"""What both offline builds share: the project root, folder sizes, running a step, the self-check."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

from app.paths import PROJECT_ROOT

# The checkout the bundles are built from (pyproject.toml, app/, seeds/, resources/, database/).
SOURCE = PROJECT_ROOT
# Licences shipped with the application: the fonts' (OFL, Apache) beside the fonts in resources/.
LICENCE_FILES = ("resources/fonts/OFL-1.1.txt", "resources/fonts/LICENSE-Apache-2.0.txt")


class BundleError(Exception):
    """A build step failed; the message says which and why."""


def folder_size(folder: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def human(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB" if size >= 10_000_000 else f"{size / 1_000_000:.1f} MB"


def run(cmd: list[str], what: str, *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run one build step, its output shown only when it fails."""
    print(f"… {what}", flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise BundleError(f"{what} failed (exit {proc.returncode}):\n{tail}")
    return proc.stdout


def self_check(executable: list[str], data_dir: Path) -> str:
    """Run ``--self-check`` of a built application with a fresh data folder; raise when a check fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALLIANCE_ATLAS_", "PYTHON"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run(
        [*executable, "--data-dir", str(data_dir), "--self-check"], capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        raise BundleError(f"the built application failed its self-check:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def python_tag() -> str:
    return f"Python {sys.version_info.major}.{sys.version_info.minor} on {sys.platform} ({platform.machine()})"
