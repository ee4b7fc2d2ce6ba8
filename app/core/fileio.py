"""Write files safely: a temporary name beside the target, fsync, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from app.core.errors import AtlasError, UnwritablePath, classify

# mkstemp creates 0600 files; an export should get the permissions any new file would (read once,
# at import, while only one thread runs: os.umask can only be read by setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def _folder(target: Path) -> Path:
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise AtlasError(f"Cannot write {target}: the folder {folder} does not exist.")
    if target.is_dir():
        raise UnwritablePath(f"Cannot write {target}: it is a folder. Give a file name.")
    return folder


def _temp_beside(target: Path) -> Path:
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=_folder(target))
        os.close(fd)
    except OSError as exc:
        err = classify(_bare(exc), str(target))
        raise (err or exc) from exc
    return Path(tmp_name)


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
    targets = [Path(t) for t in targets]
    tmps: list[Path] = []
    try:
        for target in targets:
            tmps.append(_temp_beside(target))
        yield list(tmps)
        for tmp, target in zip(tmps, targets, strict=True):
            _seal(tmp, target)
        _replace_all(list(zip(tmps, targets, strict=True)))
    except OSError as exc:
        for tmp in tmps:
            _remove(tmp)
        what = str(targets[0]) if len(targets) == 1 else f"{targets[0]} (and the files beside it)"
        err = classify(_bare(exc), what)
        raise (err or exc) from exc
    except BaseException:
        for tmp in tmps:
            _remove(tmp)
        raise


def _replace_all(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each temp over its target, all or nothing (as far as the file system allows)."""
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
    """Open a temp file, let ``write`` fill it, then rename over ``target``."""
    with atomic_path(target) as tmp:
        if binary:
            with open(tmp, "wb") as fh:
                write(fh)
        else:
            with open(tmp, "w", encoding="utf-8", newline=newline) as fh:
                write(fh)
