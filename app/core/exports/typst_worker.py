"""Typst in a child process: ``python -m app.core.exports.typst_worker JOB_DIR [PARALLEL]`` (see report_pdf).

The typst package remembers what it laid out (its caches) for the life of the process, so the
window typesets in a child that exits afterwards, and a large summary is typeset in parts by
PARALLEL threads of this one worker (one per core: Typst lets go of Python while it works), each
with a compiler of its own, setting one part after the other. Typst forgets what the last ten
compiles did not use, so after each part a thread compiles a one-letter document ten times
(``_forget``): the worker stays the size of the parts in hand however many it sets, and unlike a
fresh process per part, nothing is loaded or faulted in again (fonts, the template, the memory
itself: a fifth less CPU, measured). What Typst forgets stays the process's, though, ready for the
next part: once the worker holds more than TRIM_MB, a thread that has set a part gives the free
memory back to the system (``_trim_if_large``, about 10 ms; after every part it cost more than it saved).
A cancel stops the worker at once.

The job folder holds ``job.json`` (the fonts folder, and the inputs, or else ``inputs.json`` holds
them, written before the first part: a worker may be started before the drawings are made, see
``typst_pool.prestart``; each thread sets a line in every face meanwhile). The parts come one line at a
time on standard input, each a JSON object: ``i`` (the part's number: its source is
``part-NNN.typ``, written before the line), and its format, ppi, whether to claim PDF/UA and
whether to tag. For each the worker writes ``out-NNN-PPPP`` files (part, page) and then a line
``NNN ok CPU KB`` on standard output (the thread's CPU seconds and the peak memory), or ``error.txt``
and ``NNN error``; it ends when standard input does, once the last part is done. This module
imports nothing of the app, so the worker starts in a few milliseconds.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
PDF_STANDARD = "ua-1"
FORGET_ROUNDS = 10  # see _forget
TRIM_MB = 100  # see _trim_if_large
TRIM_STEP_MB = 25
WARM_UP = (  # the template's faces: regular, bold, italic, Arabic, Chinese (see _warm_up)
    '#set text(font: ("Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback"))\n'
    "Atlas *bold* _italic_ \u062d\u0644\u0641 \u4e2d\u6587 \u0410"
)
_trimmed_to = [0.0]  # the worker's size after its last trim


def typeset(source: str, spec: dict[str, Any], inputs: dict[str, str], fonts: str, compiler: Any = None) -> list[bytes]:
    """One document: a PDF (one item), or an SVG or PNG per page. Raises ``typst.TypstError``.
    ``compiler``: a ``typst.Compiler`` made by :func:`make_compiler` (its fonts found already)."""
    import typst

    fmt = spec.get("fmt", "pdf")
    with tempfile.TemporaryDirectory(prefix="atlas-typst-") as root:  # an empty root: nothing to read
        args: dict[str, Any] = {}
        if compiler is None:
            compile_: Any = lambda data, **kw: typst.compile(data, **kw)  # noqa: E731  (the stubs tie arguments to one type)
            args.update(root=root, font_paths=[fonts], ignore_system_fonts=True, sys_inputs=inputs)
        else:
            compile_ = lambda data, **kw: compiler.compile(input=data, **kw)  # noqa: E731
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


def make_compiler(root: str, inputs: dict[str, str], fonts: str) -> Any:
    """A Typst compiler with the bundled fonts found and the inputs set (one per typesetting thread)."""
    import typst

    return typst.Compiler(root=root, font_paths=[fonts], ignore_system_fonts=True, sys_inputs=inputs)


def _one(job: Path, i: int, spec: dict[str, Any], inputs: dict[str, str], fonts: str, compiler: Any = None) -> int:
    import typst

    source = (job / f"part-{i:03d}.typ").read_text(encoding="utf-8")
    try:
        pages = typeset(source, spec, inputs, fonts, compiler)
    except typst.TypstError as exc:
        detail = getattr(exc, "diagnostic", "")
        (job / "error.txt").write_text(f"{exc.message}\n{detail}", encoding="utf-8")
        return 1
    for p, page in enumerate(pages):
        (job / f"tmp-{i:03d}-{p:04d}").write_bytes(page)
        os.replace(job / f"tmp-{i:03d}-{p:04d}", job / f"out-{i:03d}-{p:04d}")
    return 0


def _forget(compiler: Any) -> None:
    """Let Typst drop what it remembers of the part just set: it forgets what ten compiles in a row
    did not use, so ten of a one-letter document (a millisecond each, as SVG: no font to subset,
    a third less than as PDF) leave the next part the memory of this one, and the process stays
    the size of one part however many it sets. (Giving the freed memory back to the system after
    each part, ``malloc_trim``, cost more CPU than it saved: see _trim_if_large.)"""
    for _ in range(FORGET_ROUNDS):
        compiler.compile(input=b"x", format="svg")


def resident_mb(pid: int | str = "self") -> float | None:
    """A process's resident memory in MB, now (None where the system does not say)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def _resident_mb() -> float:
    return resident_mb() or 0.0


def _trim() -> None:
    """Give the memory Typst has let go of back to the system (glibc's malloc_trim; elsewhere nothing):
    the parts set before leave a third of the worker free but resident (a 1,000-entity summary:
    143 MB, 92 after), and the export's whole memory is what counts (report_pdf.MEMORY_MB)."""
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # no C library by that name, or no malloc_trim in it
        pass


def _trim_if_large() -> None:
    """Trim once the worker holds more than TRIM_MB and has grown TRIM_STEP_MB since it last did:
    a worker hovering at the limit would otherwise trim after every part, and fault the same pages
    in again for the next (a third more system time on a 1,000-entity handout)."""
    size = _resident_mb()
    if size > TRIM_MB and size > _trimmed_to[0] + TRIM_STEP_MB:
        _trim()
        _trimmed_to[0] = _resident_mb()


def _typesetter(job: Path, parts: queue.Queue[dict[str, Any] | None], report: Callable[[str], None],
                inputs: dict[str, str] | None, fonts: str) -> None:  # fmt: skip
    """A thread with a compiler of its own, setting the parts it takes from ``parts`` until it takes
    None. Typst lets go of Python while it works, so the threads set their parts at the same time."""
    import resource

    root = tempfile.TemporaryDirectory(prefix="atlas-typst-")  # an empty root: nothing to read
    compiler = make_compiler(root.name, {}, fonts)
    _warm_up(compiler)
    loaded: dict[str, str] | None = None
    try:
        while (spec := parts.get()) is not None:
            start = time.thread_time()
            if loaded is None:  # the inputs, there by the time the first part comes (see _inputs)
                loaded = _inputs(job, inputs)
                compiler.compile(input=b"x", sys_inputs=loaded)  # kept for the compiles after it
            try:
                code = _one(job, int(spec["i"]), spec, loaded, fonts, compiler)
            except Exception as exc:  # anything but Typst's own errors: said, and this part fails
                (job / "error.txt").write_text(f"{exc!r}\n", encoding="utf-8")
                code = 1
            # The part's CPU seconds (this thread's) and the peak memory so far (kB), for the benchmark;
            # said before forgetting, so a part continuing this one is on its way meanwhile.
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            report(f"{spec['i']} {'error' if code else 'ok'} {time.thread_time() - start:.3f} {peak}\n")
            _forget(compiler)
            _trim_if_large()
    finally:
        root.cleanup()


def _warm_up(compiler: Any) -> None:
    """Set a line in every bundled face (Typst reads a font when it first needs it: a tenth of a
    second of the first part otherwise), and forget it."""
    compiler.compile(input=WARM_UP.encode("utf-8"))
    _forget(compiler)


def _inputs(job: Path, given: dict[str, str] | None) -> dict[str, str]:
    """The drawings for ``sys.inputs``: from ``job.json``, or, for a worker started before they
    were drawn (typst_pool.prestart), from ``inputs.json``, written before the first part."""
    if given is not None:
        return given
    path = job / "inputs.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def _serve(job: Path, parallel: int, inputs: dict[str, str] | None, fonts: str) -> int:
    """``parallel`` typesetting threads; each part goes to the next free one as its line comes,
    and each result line is written as it comes; the end once standard input ends and all is set."""
    parts: queue.Queue[dict[str, Any] | None] = queue.Queue()
    lock = threading.Lock()
    failed = False

    def report(line: str) -> None:
        nonlocal failed
        with lock:
            failed = failed or " error" in line
            sys.stdout.write(line)
            sys.stdout.flush()

    threads = [
        threading.Thread(target=_typesetter, args=(job, parts, report, inputs, fonts), daemon=True)
        for _ in range(parallel)
    ]
    for t in threads:
        t.start()
    for line in sys.stdin.buffer:
        if line.strip():
            parts.put(json.loads(line))
    for _ in threads:
        parts.put(None)
    for t in threads:
        t.join()
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    job = Path(argv[0])
    parallel = int(argv[1]) if len(argv) > 1 else 1
    spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # a process group of its own: a cancel stops it at once
    return _serve(job, max(1, parallel), spec.get("inputs"), spec["fonts"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
