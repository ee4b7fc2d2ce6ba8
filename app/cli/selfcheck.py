"""``alliance-atlas --self-check``: one line per check, exit 1 if any fails (see app.core.selfcheck)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.core.selfcheck import Check, run_self_check
from app.paths import DataPaths

if TYPE_CHECKING:
    from app.core.atlas import Atlas

EXIT_OK, EXIT_FAILED = 0, 1


def render_pdf(atlas: Atlas, out: Path) -> Path:
    from app.ui.selfcheck_dialog import render_pdf as render

    return render(atlas, out)


def load_fonts() -> list[str]:
    """Register the bundled fonts with Qt, as the window and the PDF figures do."""
    from app.ui.report.report import ensure_application, load_fonts

    ensure_application()
    return list(load_fonts())


def self_check(paths: DataPaths, *, out: TextIO | None = None) -> tuple[int, list[Check]]:
    """Run every check, printing each line as it completes; returns (exit code, checks)."""
    stream = out or sys.stdout
    checks: list[Check] = []
    for check in run_self_check(paths, render_pdf=render_pdf, load_fonts=load_fonts):
        checks.append(check)
        print(check.line(), file=stream, flush=True)
    failed = [c for c in checks if c.failed]
    summary = f"self-check: {len(checks) - len(failed)} of {len(checks)} checks passed"
    print(summary + (f"; failed: {', '.join(c.name for c in failed)}" if failed else ""), file=stream)
    return (EXIT_FAILED if failed else EXIT_OK), checks


def cmd_self_check(args: object, paths: DataPaths) -> int:
    return self_check(paths)[0]
