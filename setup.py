"""Build hook: a wheel carries seeds/, resources/ and database/ inside the package (as app/_data).

Installed from a wheel (the offline wheelhouse, ``python -m app.bundle wheelhouse``) there is no
checkout beside the package, so app/paths.py looks for them there. An editable install reads the
checkout's own folders and gets no copy. Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("seeds", "resources", "database")
# Build output, caches and the README's screenshots are not needed at run time.
LEAVE_OUT = shutil.ignore_patterns("build", "__pycache__", "*.sqlite", "*.sqlite-*", "screenshots")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "app" / "_data"
        for name in SHIPPED:
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, target / name, dirs_exist_ok=True, ignore=LEAVE_OUT)


setup(cmdclass={"build_py": BuildWithData})
