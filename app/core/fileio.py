"""Write files safely: a temporary name beside the target, fsync, then an atomic rename.

Only regular files are replaced. A character device or named pipe is written directly (never turned
into a file), a symbolic link is written through to its target (the link stays), and a block device,
socket or folder is refused with a clear message.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from app.core.errors import AtlasError, UnwritablePath, classify

# mkstemp creates 0600 files; an export should get the permissions any new file would (read once,
# at import, while only one thread runs: os.umask can only be read by setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


# Temporary names carry the writing process's id, so a later export can tell a part left by a
# killed writer (its process is gone) from one another export is writing right now.
_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]{4,}\.part$")
# Parts named before the process id was added (".name.XXXXXXXX.part"): stale after an hour.
_OLD_PART = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.part$")
_OLD_PART_AGE_S = 3600.0

Kind = Literal["file", "device", "fifo"]


@dataclass(frozen=True)
class Target:
    """Where an export named ``given`` really goes.

    ``path`` is the file written: the given name in its *resolved* folder (so ``-o link/../x``
    means what the kernel means, not what the text says), or a symbolic link's target, which is
    written through (the link stays). ``kind`` says how: a regular (or new) file is replaced
    atomically; a character device or FIFO is written directly (never replaced by a file).
    """

    given: Path
    path: Path
    kind: Kind
    link: bool

    def note(self) -> str:
        """How it was written, for "Wrote PATH<note>": empty for a plain file."""
        if self.kind == "device":
            return " (a device: written directly, not replaced)"
        if self.kind == "fifo":
            return " (a named pipe: written directly, not replaced)"
        if self.link:
            return f" (a symbolic link: wrote its target {self.path}; the link is kept)"
        return ""


def inspect_target(given: Path) -> Target:
    """Classify an export target, refusing what must never be written (a folder, a block device,
    a socket, a link that loops) with an :class:`UnwritablePath` naming the reason."""
    given = Path(given)
    link = False
    try:
        st: os.stat_result | None = os.lstat(given)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise (classify(_bare(exc), str(given)) or exc) from exc
    if st is not None and stat.S_ISLNK(st.st_mode):
        link = True
        try:
            st = os.stat(given)
        except FileNotFoundError:  # a dangling link: write through it, creating its target
            st = None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnwritablePath(f"Cannot write {given}: it is a symbolic link that loops.") from exc
            raise (classify(_bare(exc), str(given)) or exc) from exc
        path = Path(os.path.realpath(given))
    else:
        folder = given.parent if str(given.parent) else Path(".")
        path = Path(os.path.realpath(folder)) / given.name
    if st is None or stat.S_ISREG(st.st_mode):
        if not path.parent.is_dir():
            raise AtlasError(f"Cannot write {given}: the folder {path.parent} does not exist.")
        return Target(given, path, "file", link)
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise UnwritablePath(f"Cannot write {given}: it is a folder. Give a file name.")
    if stat.S_ISCHR(mode):
        return Target(given, path, "device", link)
    if stat.S_ISFIFO(mode):
        return Target(given, path, "fifo", link)
    if stat.S_ISBLK(mode):
        raise UnwritablePath(f"Cannot write {given}: it is a disk device; an export is never written onto a disk.")
    if stat.S_ISSOCK(mode):
        raise UnwritablePath(f"Cannot write {given}: it is a socket, not a file.")
    raise UnwritablePath(f"Cannot write {given}: it is not a regular file.")


def _temp_for(target: Target) -> Path:
    # A direct target's bytes are gathered in the temp folder first, never beside a device in /dev.
    folder = target.path.parent if target.kind == "file" else Path(tempfile.gettempdir())
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.path.name}.{os.getpid()}.", suffix=".part", dir=folder)
        os.close(fd)
    except OSError as exc:
        err = classify(_bare(exc), str(target.given))
        raise (err or exc) from exc
    return Path(tmp_name)


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` exists (or cannot be asked about)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else (or no kill on this platform): leave it
        return True
    return True


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove temporary files of *our own naming* beside ``target`` that a killed export left
    (``.NAME.PID.XXXX.part`` whose process is gone, or an older ``.NAME.XXXXXXXX.part`` over an
    hour old). Another export still writing keeps its part. Returns what was removed."""
    target = Path(target)
    folder = Path(os.path.realpath(target.parent if str(target.parent) else "."))
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.endswith(".part"):
            continue
        m = _PART.match(entry.name)
        if m is not None and m.group("name") == target.name:
            stale = not pid_alive(int(m.group("pid")))
        else:
            old = _OLD_PART.match(entry.name)
            try:
                stale = (
                    old is not None
                    and old.group("name") == target.name
                    and now - entry.stat(follow_symlinks=False).st_mtime > _OLD_PART_AGE_S
                )
            except OSError:
                stale = False
        try:
            if stale and entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _bare(exc: OSError) -> OSError:
    """The error without its file name: the message names the target, not a temporary file."""
    return OSError(exc.errno, exc.strerror) if exc.errno is not None else exc


def _seal(tmp: Path, target: Path) -> None:
    """fsync ``tmp`` and give it the mode ``target`` has (or a new file's), ready to rename."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    try:  # keep a replaced file's mode; a new file gets the usual 0666 & ~umask
        mode = target.stat().st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~_UMASK
    os.chmod(tmp, mode)


def _copy_into(tmp: Path, target: Target) -> None:
    """Write ``tmp``'s bytes straight into a device or FIFO (no create, no truncate, no rename)."""
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0)
    if target.kind == "fifo":
        # A FIFO with no reader would block forever: ask without waiting, then write normally.
        try:
            fd = os.open(target.path, flags | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise UnwritablePath(
                    f"Cannot write {target.given}: it is a named pipe and no program is reading from it."
                ) from exc
            raise
        os.set_blocking(fd, True)
    else:
        fd = os.open(target.path, flags)
    try:
        with open(tmp, "rb") as src:
            while chunk := src.read(1 << 16):
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    On any failure (or cancel: raise inside the block) the temp file is removed and the
    target is untouched, so no half-written file is ever left under the chosen name.
    """
    with atomic_paths([target]) as tmps:
        yield tmps[0]


@contextmanager
def atomic_paths(targets: list[Path]) -> Iterator[list[Path]]:
    """:func:`atomic_path` for files that belong together (a CSV export's three files).

    Every file is written to its temporary name first; only when all are complete are they
    renamed over their targets. On any failure no target is changed: the temporary files are
    removed, and a rename failing half-way is undone (the files already replaced get their
    previous content back; new ones are removed).
    """
    given = [Path(t) for t in targets]
    resolved = [inspect_target(t) for t in given]
    tmps: list[Path] = []
    try:
        for target in resolved:
            if target.kind == "file":
                remove_stale_parts(target.path)
            tmps.append(_temp_for(target))
        yield list(tmps)
        files = [(tmp, t.path) for tmp, t in zip(tmps, resolved, strict=True) if t.kind == "file"]
        for tmp, path in files:
            _seal(tmp, path)
        # Special files first (a pipe or device cannot be undone, but nothing was replaced yet).
        for tmp, target in zip(tmps, resolved, strict=True):
            if target.kind != "file":
                _copy_into(tmp, target)
        _replace_all(files)
    except OSError as exc:
        for tmp in tmps:
            _remove(tmp)
        what = str(given[0]) if len(given) == 1 else f"{given[0]} (and the files beside it)"
        err = classify(_bare(exc), what)
        raise (err or exc) from exc
    except BaseException:
        for tmp in tmps:
            _remove(tmp)
        raise
    for tmp in tmps:  # a direct target's gathered bytes
        _remove(tmp)


def _replace_all(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each temp over its target, all or nothing (as far as the file system allows)."""
    if not pairs:
        return
    if len(pairs) == 1:
        os.replace(*pairs[0])
        return
    # Keep each existing target under a second name (a hard link: no copy) until all are replaced.
    previous: dict[Path, Path | None] = {}
    existed: set[Path] = set()
    for _tmp, target in pairs:
        keep = None
        if target.exists():
            existed.add(target)
            keep = target.with_name(f".{target.name}.{os.getpid()}.previous")
            try:
                _remove(keep)
                os.link(target, keep)
            except OSError:  # no hard links here (FAT...): replaced, without an undo
                keep = None
        previous[target] = keep
    done: list[Path] = []
    try:
        for tmp, target in pairs:
            os.replace(tmp, target)
            done.append(target)
    except OSError:
        for target in reversed(done):
            keep = previous[target]
            try:
                if keep is not None:
                    os.replace(keep, target)
                elif target not in existed:
                    target.unlink()
            except OSError:
                pass
        raise
    finally:
        for keep in previous.values():
            if keep is not None:
                _remove(keep)


def atomic_write(
    target: Path, write: Callable[[IO[Any]], None], *, binary: bool = False, newline: str | None = None
) -> None:
    """Open a temp file, let ``write`` fill it, then rename over ``target``. (A binary file is
    open for reading too, so ``write`` may map it to patch what it wrote.)"""
    with atomic_path(target) as tmp:
        if binary:
            with open(tmp, "w+b") as fh:
                write(fh)
        else:
            with open(tmp, "w", encoding="utf-8", newline=newline) as fh:
                write(fh)


def written_note(path: Path) -> str:
    """After a write, how ``path`` was written (see :meth:`Target.note`), for "Wrote PATH<note>"."""
    try:
        return inspect_target(Path(path)).note()
    except (AtlasError, OSError):
        return ""
