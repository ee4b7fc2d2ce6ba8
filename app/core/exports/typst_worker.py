"""Typst in a child process: ``python -m app.core.exports.typst_worker JOB_DIR`` (see report_pdf.compile_jobs).

The typst package keeps its layout caches for the life of the process (about 1 MB per entity of
a large summary, never given back), so the window typesets in a child that exits afterwards, and
a large summary is typeset in parts, each in a process of its own: this worker forks a fresh
child per part (cheap: the worker has imported nothing but Typst, and has not started it), so the
memory stays that of one part. The child can also be stopped at once when the user cancels.

The job folder holds ``job.json`` (the inputs, the fonts folder, and per part its format, ppi,
whether to claim PDF/UA and whether to tag) and ``part-NNN.typ``; the worker writes
``out-NNN-PPPP`` files (part, page), or ``error.txt``. This module imports nothing of the app, so
the worker starts in a few milliseconds.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
PDF_STANDARD = "ua-1"


def typeset(source: str, spec: dict[str, Any], inputs: dict[str, str], fonts: str) -> list[bytes]:
    """One document: a PDF (one item), or an SVG or PNG per page. Raises ``typst.TypstError``."""
    import typst

    compile_: Any = typst.compile  # the stubs tie source, root and font paths to one type
    fmt = spec.get("fmt", "pdf")
    with tempfile.TemporaryDirectory(prefix="atlas-typst-") as root:  # an empty root: nothing to read
        args: dict[str, Any] = {"root": root, "font_paths": [fonts], "ignore_system_fonts": True, "sys_inputs": inputs}
        if fmt != "pdf":
            args.update(format=fmt, ppi=spec.get("ppi"))
        elif not spec.get("tags", True):
            args["pdf_tags"] = False
        if fmt == "pdf" and spec.get("ua", True):
            try:
                out = compile_(source.encode("utf-8"), **args, pdf_standards=[PDF_STANDARD])
            except typst.TypstError as exc:
                # PDF/UA checks more than we control; a tagged PDF without the claim is better than none.
                log.warning("PDF/UA-1 refused (%s); writing a tagged PDF without the claim", exc.message)
                out = compile_(source.encode("utf-8"), **args)
        else:
            out = compile_(source.encode("utf-8"), **args)
    return [out] if isinstance(out, bytes) else list(out or [])


def _one(job: Path, i: int, spec: dict[str, Any], inputs: dict[str, str], fonts: str) -> int:
    import typst

    source = (job / f"part-{i:03d}.typ").read_text(encoding="utf-8")
    try:
        pages = typeset(source, spec, inputs, fonts)
    except typst.TypstError as exc:
        detail = getattr(exc, "diagnostic", "")
        (job / "error.txt").write_text(f"{exc.message}\n{detail}", encoding="utf-8")
        return 1
    for p, page in enumerate(pages):
        (job / f"tmp-{i:03d}-{p:04d}").write_bytes(page)
        os.replace(job / f"tmp-{i:03d}-{p:04d}", job / f"out-{i:03d}-{p:04d}")
    return 0


def main(argv: list[str]) -> int:
    job = Path(argv[0])
    spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
    inputs, fonts, parts = spec["inputs"], spec["fonts"], spec["parts"]
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # a process group of its own: a cancel stops it and the part it typesets
    if not hasattr(os, "fork"):
        return max((_one(job, i, part, inputs, fonts) for i, part in enumerate(parts)), default=0)
    for i, part in enumerate(parts):
        pid = os.fork()
        if pid == 0:  # the child: typeset this part, then go, with all its memory
            code = 1
            try:
                code = _one(job, i, part, inputs, fonts)
            finally:
                os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
