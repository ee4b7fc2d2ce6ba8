"""The wheelhouse: every wheel Alliance Atlas needs for this platform and Python, and a two-line install script."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from app.bundle.common import SOURCE, BundleError, folder_size, human, python_tag, run, self_check

# Not needed to build the wheel: version control, environments, tests, caches and build output.
LEAVE_OUT = (".git", ".venv*", "mutants", "tests", "build", "dist", "*.egg-info", "__pycache__", "*.sqlite*", ".*cache")
INSTALL_SH = """\
#!/bin/sh
# Alliance Atlas, installed from this folder with no network: sh install.sh [FOLDER]  (default ~/alliance-atlas)
python3 -m venv "${1:-$HOME/alliance-atlas}" && "${1:-$HOME/alliance-atlas}/bin/pip" install --no-index --find-links "$(dirname "$0")" alliance-atlas
"${1:-$HOME/alliance-atlas}/bin/alliance-atlas" --self-check && echo "Start it with: ${1:-$HOME/alliance-atlas}/bin/alliance-atlas"
"""  # noqa: E501  (the two lines are the point: copyable as they are)

INSTALL_BAT = """\
@rem Alliance Atlas, installed from this folder with no network: install.bat [FOLDER]  (default %USERPROFILE%\\alliance-atlas)
@set "T=%~1" & if "%~1"=="" set "T=%USERPROFILE%\\alliance-atlas"
py -3 -m venv "%T%" && "%T%\\Scripts\\pip" install --no-index --find-links "%~dp0." alliance-atlas && "%T%\\Scripts\\alliance-atlas-cli" --self-check
"""  # noqa: E501


def build_wheelhouse(out: Path, *, verify: bool = True) -> int:
    """Fill ``out`` with the application's wheel and all its dependencies' wheels; returns the size in bytes.

    Needs the package index (this is the step on the connected machine). With ``verify``, the result
    is installed into a fresh virtual environment with ``pip --no-index`` and self-checked.
    """
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("alliance_atlas-*.whl"):
        old.unlink()  # an older build of the application itself would be picked up beside the new one
    with tempfile.TemporaryDirectory(prefix="atlas-wheel-") as tmp:
        # Built from a copy: setuptools leaves build/ and *.egg-info behind in the folder it builds.
        src = Path(tmp) / "src"
        shutil.copytree(
            SOURCE,
            src,
            ignore=shutil.ignore_patterns(*LEAVE_OUT),
        )
        run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(out), str(src)],
            "collecting the wheels of Alliance Atlas and its dependencies (pip wheel)",
        )
    (out / "install.sh").write_text(INSTALL_SH, encoding="utf-8")
    (out / "install.sh").chmod(0o755)
    (out / "install.bat").write_text(INSTALL_BAT.replace("\n", "\r\n"), encoding="utf-8")
    wheels = sorted(p.name for p in out.glob("*.whl"))
    if not any(w.startswith("alliance_atlas-") for w in wheels):
        raise BundleError(f"no alliance_atlas wheel was built in {out}")
    if verify:
        verify_wheelhouse(out)
    size = folder_size(out)
    print(f"Wheelhouse {out}: {len(wheels)} wheels, {human(size)}, for {python_tag()}.")
    print(f"Copy the folder; on the other machine (same platform and Python): sh {out.name}/install.sh")
    return size


def verify_wheelhouse(wheelhouse: Path) -> None:
    """Install from ``wheelhouse`` alone into a fresh virtual environment and run the self-check."""
    with tempfile.TemporaryDirectory(prefix="atlas-verify-") as tmp:
        env_dir = Path(tmp) / "env"
        run([sys.executable, "-m", "venv", str(env_dir)], "making a fresh virtual environment")
        # Nothing but the wheelhouse: no pip configuration (extra indexes, find-links) from this machine.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull
        bindir = env_dir / ("Scripts" if sys.platform == "win32" else "bin")
        run(
            [str(bindir / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(wheelhouse),
             "alliance-atlas"],
            "installing from the wheelhouse with no index (pip --no-index)",
            env=env,
        )  # fmt: skip
        print(self_check([str(bindir / "alliance-atlas-cli")], Path(tmp) / "data"), end="")
