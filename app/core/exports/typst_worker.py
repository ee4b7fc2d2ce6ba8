"""Typst in a child process: ``python -m app.core.exports.typst_worker JOB_DIR`` (see report_pdf.compile_isolated).

The typst package keeps its layout caches for the life of the process (about 2 MB per entity of a
large summary, never given back), so the window typesets in a child that exits afterwards; the
child can also be stopped at once when the user cancels. The job folder holds ``job.json``
(format, ppi, the inputs) and ``source.typ``; the child writes ``out-NNNN`` files, or ``error.txt``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from app.core.errors import AtlasError
    from app.core.exports.report_pdf import compile_source

    job = Path(argv[0])
    spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
    source = (job / "source.typ").read_text(encoding="utf-8")
    try:
        pages = compile_source(source, spec["inputs"], fmt=spec["fmt"], ppi=spec["ppi"])
    except AtlasError as exc:
        (job / "error.txt").write_text(str(exc), encoding="utf-8")
        return 1
    for i, page in enumerate(pages):
        (job / f"out-{i:04d}").write_bytes(page)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
