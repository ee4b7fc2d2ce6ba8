"""Typst in child processes: ``python -m app.core.exports.typst_worker JOB_DIR [PARALLEL]`` (see report_pdf).

The typst package keeps its layout caches for the life of the process (about 1 MB per entity of
a large summary, never given back), so the window typesets in a child that exits afterwards, and
a large summary is typeset in parts, each in a process of its own: this worker forks a fresh
child per part (cheap: the worker has imported nothing but Typst, and has not started it), so the
memory stays that of one part, and runs up to PARALLEL of them at once (one per core). The child
can also be stopped at once when the user cancels.

The job folder holds ``job.json`` (the inputs and the fonts folder). The parts come one line at a
time on standard input, each a JSON object: ``i`` (the part's number: its source is
``part-NNN.typ``, written before the line), and its format, ppi, whether to claim PDF/UA and
whether to tag. For each the worker writes ``out-NNN-PPPP`` files (part, page) and then a line
``NNN ok CPU KB`` on standard output (the child's CPU seconds and peak memory), or ``error.txt``
and ``NNN error``; it ends when standard input does, once the last part is done. This module
imports nothing of the app, so the worker starts in a few milliseconds.
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
    """A Typst compiler with the bundled fonts found and the inputs set, made before the worker
    forks its children, so each child starts with it (and shares the pages it holds). It has not
    compiled anything: a compile starts Typst's threads, which a forked child would not have."""
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


def _serve(job: Path, parallel: int, inputs: dict[str, str], fonts: str) -> int:
    """Fork a child per part line, at most ``parallel`` at once; report each as it ends."""
    import select

    stdin = sys.stdin.fileno()
    buffer = b""
    waiting: list[dict[str, Any]] = []
    running: dict[int, int] = {}  # pid -> part
    fds: dict[int, int] = {}  # pidfd -> pid (where pidfds exist, a child's end wakes the loop)
    more, failed = True, 0
    root = tempfile.TemporaryDirectory(prefix="atlas-typst-")  # an empty root: nothing to read
    compiler = make_compiler(root.name, inputs, fonts)
    while more or waiting or running:
        while waiting and len(running) < parallel:
            spec = waiting.pop(0)
            pid = os.fork()
            if pid == 0:  # the child: typeset this part, then go, with all its memory
                code = 1
                try:
                    code = _one(job, int(spec["i"]), spec, inputs, fonts, compiler)
                finally:
                    os._exit(code)
            running[pid] = int(spec["i"])
            if hasattr(os, "pidfd_open"):
                fds[os.pidfd_open(pid)] = pid
        watch = ([stdin] if more else []) + list(fds)
        ready, _w, _x = select.select(watch, [], [], None if fds or not running else 0.02)
        if stdin in ready:
            chunk = os.read(stdin, 65536)
            more = bool(chunk)
            *lines, buffer = (buffer + chunk).split(b"\n")
            waiting += [json.loads(line) for line in lines if line.strip()]
        for fd in [fd for fd in ready if fd != stdin]:
            os.close(fd)
            del fds[fd]
        for pid in list(running):
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                code = os.waitstatus_to_exitcode(status)
                failed = failed or code
                # The part's CPU seconds and peak memory (kB) follow, for the benchmark to read.
                cpu = usage.ru_utime + usage.ru_stime
                sys.stdout.write(f"{running.pop(pid)} {'error' if code else 'ok'} {cpu:.3f} {usage.ru_maxrss}\n")
                sys.stdout.flush()
    root.cleanup()
    return failed


def main(argv: list[str]) -> int:
    job = Path(argv[0])
    parallel = int(argv[1]) if len(argv) > 1 else 1
    spec = json.loads((job / "job.json").read_text(encoding="utf-8"))
    inputs, fonts = spec["inputs"], spec["fonts"]
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)  # a process group of its own: a cancel stops it and the parts it typesets
    if not hasattr(os, "fork"):  # one part after the other, here
        code = 0
        for line in sys.stdin.buffer:
            part = json.loads(line)
            code = _one(job, int(part["i"]), part, inputs, fonts)
            sys.stdout.write(f"{part['i']} {'error' if code else 'ok'}\n")
            sys.stdout.flush()
        return code
    return _serve(job, max(1, parallel), inputs, fonts)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
