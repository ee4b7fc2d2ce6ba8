"""Offline installs: the wheelhouse and the portable folder install and pass their self-check with no network.

The two builds take minutes and need the package index once (the connected machine's step), so they
run only when asked: ALLIANCE_ATLAS_BUNDLE_TESTS=1 python -m pytest -q tests/bundle (see tests/README.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.bundle import __main__ as bundle_cli
from app.bundle.wheelhouse import INSTALL_SH

OPT_IN = os.environ.get("ALLIANCE_ATLAS_BUNDLE_TESTS") == "1"
needs_opt_in = pytest.mark.skipif(not OPT_IN, reason="slow (minutes): set ALLIANCE_ATLAS_BUNDLE_TESTS=1 to run")


def _unshare() -> list[str]:
    """``unshare -n`` (a private network namespace with no interfaces) where permitted, else nothing."""
    ok = shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    return ["unshare", "-n"] if ok else []


def _clean_env(**extra: str) -> dict[str, str]:
    """No virtual environment, no pip configuration, no app overrides: what a fresh machine has."""
    drop = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "ALLIANCE_ATLAS_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop) and not k.startswith("PIP_")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["PIP_CONFIG_FILE"] = os.devnull
    env["QT_QPA_PLATFORM"] = "offscreen"
    return {**env, **extra}


def _self_check(cmd: list[str], home: Path) -> str:
    proc = subprocess.run(
        [*_unshare(), *cmd, "--data-dir", str(home), "--self-check"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == "self-check: 7 of 7 checks passed", proc.stdout
    return proc.stdout


def test_the_install_script_is_the_two_documented_lines() -> None:
    commands = [line for line in INSTALL_SH.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m venv ")
    assert 'pip" install --no-index --find-links' in commands[0] and commands[0].endswith(" alliance-atlas")
    assert "--self-check" in commands[1]


def test_bad_arguments_are_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        bundle_cli.main(["zip", "-o", str(tmp_path)])
    assert info.value.code == 2
    a_file = tmp_path / "f"
    a_file.write_text("x")
    assert bundle_cli.main(["wheelhouse", "-o", str(a_file)]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.timeout(1800)
@needs_opt_in
def test_wheelhouse_installs_with_no_index_and_no_network_and_passes_the_self_check(tmp_path: Path) -> None:
    wheelhouse = tmp_path / "usb" / "wheelhouse"
    proc = subprocess.run(
        [sys.executable, "-m", "app.bundle", "wheelhouse", "-o", str(wheelhouse), "--no-verify"],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Wheelhouse" in proc.stdout and " MB, for Python" in proc.stdout
    assert (wheelhouse / "install.sh").is_file()
    # The target machine: its own Python, a fresh environment, no index and no network.
    target = tmp_path / "target-env"
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True, env=_clean_env())
    install = subprocess.run(
        [*_unshare(), str(target / "bin" / "pip"), "install", "--no-index", "--find-links", str(wheelhouse),
         "alliance-atlas"],
        capture_output=True, text=True, env=_clean_env(), timeout=900,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    out = _self_check([str(target / "bin" / "alliance-atlas-cli")], tmp_path / "home")
    assert str(target) in out  # the seeds and resources came with the wheel, not from this checkout
    _window_renders([str(target / "bin" / "alliance-atlas-cli")], tmp_path)


@pytest.mark.slow
@pytest.mark.timeout(1800)
@needs_opt_in
def test_portable_folder_runs_from_a_fresh_copy_with_no_network(tmp_path: Path) -> None:
    pytest.importorskip("PyInstaller", reason="the freezer is not installed (pip install -e '.[bundle]')")
    built = tmp_path / "build"
    proc = subprocess.run(
        [sys.executable, "-m", "app.bundle", "portable", "-o", str(built), "--no-verify"],
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Portable application" in proc.stdout
    stick = tmp_path / "usb" / "AllianceAtlas"
    shutil.copytree(built / "AllianceAtlas", stick, symlinks=True)
    shutil.rmtree(built)  # nothing left behind to lean on
    assert (stick / "licences" / "OFL-1.1.txt").is_file()
    out = _self_check([str(stick / "AllianceAtlas")], tmp_path / "home")
    assert str(stick) in out
    _window_renders([str(stick / "AllianceAtlas")], tmp_path)


def _window_renders(cmd: list[str], tmp_path: Path) -> None:
    """The window itself, with every lazily loaded pane and dialog: a screenshot and no traceback."""
    png = tmp_path / "window.png"
    proc = subprocess.run(
        [*_unshare(), *cmd, "--data-dir", str(tmp_path / "home"), "screenshot", str(png), "--select", "nato"],
        capture_output=True,
        text=True,
        env=_clean_env(),
        timeout=600,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stdout + proc.stderr
    assert png.read_bytes().startswith(b"\x89PNG")
