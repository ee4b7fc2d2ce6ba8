"""Typst jobs for the PDF summary: in this process, or in a worker process that sets several at once.

:class:`Pool` takes sources (``submit``) and hands back each one's output as it is done (``wait``),
in the order they finish. Isolated, the work goes to ``typst_worker``, which forks a fresh child
per source (Typst's memory goes back when the child ends) and runs up to ``parallel`` at once; a
cancel (``progress`` returning False while waiting) stops the worker and its children at once.
Not isolated (the command line's small summaries, a frozen build with no ``python -m``), each
source is typeset here when its result is waited for.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import select
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.core.errors import AtlasError
from app.core.exports.data import Cancelled
from app.core.exports.report_data import Progress
from app.core.exports.typst_worker import resident_mb, typeset
from app.paths import resources_dir

log = logging.getLogger(__name__)
_ROOT = Path(__file__).resolve().parents[3]  # the folder holding the app package, for the child process
Job = dict[str, Any]  # one document for typst_worker: "fmt", "ppi", "ua" (claim PDF/UA-1), "tags"
PARALLEL = max(1, min(2, os.cpu_count() or 1))  # Typst children at once: two cores' worth (and the memory)


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def failed(message: str, detail: str = "") -> AtlasError:
    """Our source is wrong: a bug, said plainly, with the details logged."""
    log.error("Typst failed: %s\n%s", message, detail)
    return AtlasError(f"Could not typeset the summary: {message}")


class Pool:
    def __init__(
        self,
        inputs: dict[str, str],
        *,
        isolated: bool,
        progress: Progress | None = None,
        parallel: int = PARALLEL,
    ) -> None:
        self.inputs = inputs
        self.isolated = isolated and not getattr(sys, "frozen", False)
        self.progress = progress
        self.parallel = parallel
        self.pending: dict[int, tuple[str, Job]] = {}  # submitted, not yet handed back
        self.usage: dict[int, tuple[float, float]] = {}  # key -> CPU seconds, peak MB of its process
        self._next = 0
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lines = b""

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind: object, *_exc: object) -> None:
        self.close(graceful=kind is None)

    def submit(self, source: str, job: Job) -> int:
        """Queue a source; returns its key for :meth:`wait`."""
        key = self._next
        self._next += 1
        self.pending[key] = (source, job)
        if self.isolated:
            folder = self._start()
            (folder / f"part-{key:03d}.typ").write_text(source, encoding="utf-8")
            assert self._proc is not None and self._proc.stdin is not None
            self._proc.stdin.write(json.dumps({**job, "i": key}).encode() + b"\n")
            self._proc.stdin.flush()
        return key

    def wait(self, percent: int = 0, message: str = "Typesetting pages…") -> tuple[int, list[bytes]]:
        """The next source done (its key and its output: one PDF, or an SVG or PNG per page)."""
        if not self.pending:
            raise RuntimeError("nothing submitted to wait for")
        if not self.isolated:
            key = next(iter(self.pending))
            source, job = self.pending.pop(key)
            self._check(percent, message)
            import typst

            try:
                return key, typeset(source, job, self.inputs, str(fonts_dir()))
            except typst.TypstError as exc:
                raise failed(exc.message, getattr(exc, "diagnostic", "")) from exc
        assert self._proc is not None and self._proc.stdout is not None and self._folder is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._lines:
            self._check(percent, message)
            ready, _w, _x = select.select([fd], [], [], 0.1)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self._died()
                self._lines += chunk
        line, self._lines = self._lines.split(b"\n", 1)
        key_text, status, *usage = line.decode().split()
        key = int(key_text)
        if usage:
            self.usage[key] = (float(usage[0]), int(usage[1]) / 1024)
        folder = Path(self._folder.name)
        if status != "ok":
            error = folder / "error.txt"
            text = error.read_text(encoding="utf-8") if error.exists() else "the typesetting process failed\n"
            message_, _, detail = text.partition("\n")
            raise failed(message_, detail)
        del self.pending[key]
        files = sorted(folder.glob(f"out-{key:03d}-*"))
        out = [f.read_bytes() for f in files]
        for f in [*files, folder / f"part-{key:03d}.typ"]:
            f.unlink()
        return key, out

    def worker_mb(self) -> float:
        """The worker's resident memory now, in MB (0 before it starts, or when not isolated)."""
        proc = self._proc
        return (resident_mb(proc.pid) or 0.0) if proc is not None and proc.poll() is None else 0.0

    def close(self, *, graceful: bool = False) -> None:
        """End the worker (stopping anything it still runs) and remove its folder. ``graceful``:
        with nothing left to set, let it end by itself first (its typesetters' CPU is then counted)."""
        if self._proc is not None:
            self._stop(graceful=graceful and not self.pending)
            self._proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None

    def _check(self, percent: int, message: str) -> None:
        if self.progress is not None and not self.progress(percent, message):
            self.close()
            raise Cancelled()

    def _start(self) -> Path:
        if self._folder is not None:
            return Path(self._folder.name)
        worker = _take_spare(self.parallel)
        if worker is None:
            worker = _spawn(self.parallel, self.inputs)
        else:  # started early: its inputs now, before its first part
            folder = Path(worker.folder.name)
            (folder / "inputs.tmp").write_text(json.dumps(self.inputs), encoding="utf-8")
            os.replace(folder / "inputs.tmp", folder / "inputs.json")
        self._folder, self._proc, self._stderr = worker.folder, worker.proc, worker.stderr
        return Path(worker.folder.name)

    def _died(self) -> None:
        assert self._proc is not None and self._folder is not None
        code = self._proc.wait()
        stderr = (Path(self._folder.name) / "stderr.txt").read_text(encoding="utf-8", errors="replace")
        log.error("The typesetting process failed (exit %s):\n%s", code, stderr)
        self.close()
        raise AtlasError(f"Could not typeset the summary: the typesetting process failed (exit {code}).")

    def _stop(self, *, graceful: bool = False) -> None:
        """Stop the worker and the parts it is typesetting (at once, unless ``graceful``)."""
        proc = self._proc
        assert proc is not None
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        if graceful:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                log.debug("The typesetting process did not end by itself: stopped")
        if proc.poll() is None and os.name == "posix":
            try:
                os.killpg(proc.pid, 9)
            except OSError:
                pass
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@dataclass
class _Worker:
    folder: tempfile.TemporaryDirectory[str]
    proc: subprocess.Popen[bytes]
    stderr: IO[bytes]
    parallel: int


def _spawn(parallel: int, inputs: dict[str, str] | None) -> _Worker:
    """A worker process (``typst_worker``) in a job folder of its own; ``inputs`` None: given later."""
    folder = tempfile.TemporaryDirectory(prefix="atlas-job-")
    path = Path(folder.name)
    spec: dict[str, Any] = {"fonts": str(fonts_dir())}
    if inputs is not None:
        spec["inputs"] = inputs
    (path / "job.json").write_text(json.dumps(spec), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")]))}
    cmd = [sys.executable, "-m", "app.core.exports.typst_worker", str(path), str(parallel)]
    stderr = (path / "stderr.txt").open("wb")
    # (The worker makes itself a process group, so a cancel stops it and the parts it typesets.)
    # close_fds off (Python's descriptors are not inherited anyway) lets Python use posix_spawn:
    # the child runs no Python code before it starts the worker, as brief as a spawn can be.
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                            close_fds=False)  # fmt: skip
    return _Worker(folder, proc, stderr, parallel)


_spare: list[_Worker] = []  # a worker started before it was needed (prestart), at most one
_spare_lock = threading.Lock()
atexit.register(lambda: discard_spare())  # (a lambda: the name is bound below)


def prestart(parallel: int = PARALLEL) -> None:
    """Start a worker now, for the next :class:`Pool` that needs one to take: while the summary's
    data is read and its figures drawn, the worker starts and reads its fonts (a tenth of a second
    less before the first part is set). :func:`discard_spare` ends it if no pool took it."""
    if getattr(sys, "frozen", False):
        return
    with _spare_lock:
        if not _spare:
            _spare.append(_spawn(parallel, None))


def _take_spare(parallel: int) -> _Worker | None:
    with _spare_lock:
        if _spare and _spare[0].parallel == parallel and _spare[0].proc.poll() is None:
            return _spare.pop()
    return None


def discard_spare() -> None:
    """End the worker :func:`prestart` started, if no pool took it."""
    with _spare_lock:
        workers = list(_spare)
        _spare.clear()
    for worker in workers:
        if worker.proc.stdin is not None:
            worker.proc.stdin.close()  # it ends by itself, having nothing to set
        try:
            worker.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            worker.proc.kill()
            worker.proc.wait()
        if worker.proc.stdout is not None:
            worker.proc.stdout.close()
        worker.stderr.close()
        worker.folder.cleanup()


def compile_all(
    sources: list[str], jobs: list[Job], inputs: dict[str, str], *, isolated: bool, progress: Progress | None = None,
    span: tuple[int, int] = (70, 95),
) -> list[list[bytes]]:  # fmt: skip
    """Each source typeset (links left as they are), the outputs in the order of ``sources``."""
    out: dict[int, list[bytes]] = {}
    with Pool(inputs, isolated=isolated or len(sources) > 1, progress=progress) as pool:
        keys = [pool.submit(source, job) for source, job in zip(sources, jobs, strict=True)]
        while pool.pending:
            key, result = pool.wait(span[0] + (span[1] - span[0]) * len(out) // max(len(sources), 1))
            out[key] = result
    return [out[k] for k in keys]
