"""The portable application: a PyInstaller one-folder build with Python, Qt, the app, seeds/, resources/ and licences.

Why PyInstaller: it is kept up to date for PySide6 (its hooks collect exactly the Qt plugins a module
needs), builds a plain folder (no installer, runs from a USB stick) and needs no compiler, unlike
Nuitka; Briefcase builds installers per platform rather than one copyable folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from app.bundle.common import LICENCE_FILES, SOURCE, BundleError, folder_size, human, python_tag, run, self_check

NAME = "AllianceAtlas"
SPEC = Path(__file__).with_name("alliance_atlas.spec")
LIMIT = 350_000_000  # bytes: the ceiling for the folder

# Qt (PySide6-Essentials) modules the application never imports: leaving them out keeps their
# libraries, plugins and QML files out of the folder. The app uses QtCore, QtGui, QtWidgets, QtSvg,
# QtPrintSupport, and pyqtgraph imports QtOpenGL and QtOpenGLWidgets (QtTest it does without).
QT_EXCLUDES = [
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2", "PySide6.QtQuickTest",
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick", "PySide6.QtWebChannel",
    "PySide6.QtWebSockets", "PySide6.Qt3DCore", "PySide6.Qt3DRender", "PySide6.Qt3DExtras", "PySide6.QtMultimedia",
    "PySide6.QtMultimediaWidgets", "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtPositioning", "PySide6.QtLocation", "PySide6.QtSensors",
    "PySide6.QtSerialPort", "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtUiTools",
    "PySide6.QtHelp", "PySide6.QtPdf", "PySide6.QtPdfWidgets",
    "PySide6.QtNetwork", "PySide6.QtDBus", "PySide6.QtXml", "PySide6.QtConcurrent", "PySide6.QtSpatialAudio",
    "PySide6.QtTextToSpeech", "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine",
    "PySide6.QtHttpServer", "PySide6.QtAxContainer",
]  # fmt: skip
# Python packages a development install has that the application does not need.
PY_EXCLUDES = [
    "tkinter", "matplotlib", "IPython", "pytest", "hypothesis", "mypy", "ruff", "pypdf", "PyInstaller",
    "setuptools", "pip", "pyqtgraph.opengl", "pyqtgraph.examples", "pyqtgraph.jupyter",
    "OpenGL", "scipy", "pandas", "mutmut",
]  # fmt: skip


def build_portable(out: Path, *, verify: bool = True) -> int:
    """Build ``out/AllianceAtlas/`` (the folder to copy); returns its size in bytes."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError as exc:
        raise BundleError("PyInstaller is not installed: pip install -e '.[bundle]' (needs the index once)") from exc
    out.mkdir(parents=True, exist_ok=True)
    folder = out / NAME
    with tempfile.TemporaryDirectory(prefix="atlas-pyinstaller-") as tmp:
        work = Path(tmp)
        run(
            [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
             "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(SPEC)],
            "freezing Python, Qt and the application (PyInstaller, a few minutes)",
            env=_spec_env(),
            cwd=work,
        )  # fmt: skip
        if folder.exists():
            shutil.rmtree(folder)
        shutil.move(str(work / "dist" / NAME), folder)
    # Qt's own translations (its standard dialogs in other languages): the interface is English only.
    shutil.rmtree(folder / "_internal" / "PySide6" / "Qt" / "translations", ignore_errors=True)
    strip_libraries(folder)
    licences = folder / "licences"
    licences.mkdir(exist_ok=True)
    for rel in LICENCE_FILES:
        shutil.copy2(SOURCE / rel, licences / Path(rel).name)
    (licences / "README.txt").write_text(_LICENCE_NOTE, encoding="utf-8")
    executable = folder / (NAME + (".exe" if sys.platform == "win32" else ""))
    if not executable.is_file():
        raise BundleError(f"PyInstaller made no {executable}")
    if verify:
        with tempfile.TemporaryDirectory(prefix="atlas-portable-check-") as tmp:
            print(self_check([str(executable)], Path(tmp) / "data"), end="")
    size = folder_size(folder)
    print(f"Portable application {folder}: {human(size)}, for {python_tag()}; start it with {executable.name}.")
    if size > LIMIT:
        raise BundleError(f"the folder is {human(size)}, over the {human(LIMIT)} limit")
    return size


def strip_libraries(folder: Path) -> int:
    """Debug symbols out of the shared libraries (about 55 MB on Linux); returns how many were stripped.

    Not the libraries in ``*.libs`` folders: auditwheel placed those with patchelf, and a stripped
    copy no longer loads (numpy's OpenBLAS: "ELF load command address/offset not page-aligned").
    Not on Windows or macOS, where stripping harms signed or fat binaries.
    """
    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or strip is None:
        return 0
    done = 0
    for path in sorted(folder.rglob("*.so*")):
        if path.is_symlink() or not path.is_file() or any(p.endswith(".libs") for p in path.parts):
            continue
        if subprocess.run([strip, "--strip-unneeded", str(path)], capture_output=True).returncode == 0:
            done += 1
    return done


def _spec_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["ALLIANCE_ATLAS_BUNDLE_SOURCE"] = str(SOURCE)
    env["ALLIANCE_ATLAS_BUNDLE_EXCLUDES"] = ",".join(QT_EXCLUDES + PY_EXCLUDES)
    return env


_LICENCE_NOTE = """\
Alliance Atlas is MIT-licensed. The bundled fonts are under the SIL Open Font License 1.1 (Noto Sans,
Noto Sans Arabic) and the Apache License 2.0 (Droid Sans Fallback): the two texts are beside this file.
Python, Qt (LGPLv3, via PySide6) and the other libraries carry their own licence files inside _internal/
(the *.dist-info folders and PySide6/).
"""
