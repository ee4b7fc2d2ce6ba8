"""Write files safely: a temporary name beside the target, fsync, then an atomic rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from app.core.errors import AtlasError, classify

# mkstemp creates 0600 files; an export should get the permissions any new file would (read once,
# at import, while only one thread runs: os.umask can only be read by setting it).
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success it replaces ``target``.

    On any failure (or cancel: raise inside the block) the temp file is removed and the
    target is untouched, so no half-written file is ever left under the chosen name.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise AtlasError(f"Cannot write {target}: the folder {folder} does not exist.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
        os.close(fd)
    except OSError as exc:
        err = classify(exc, str(target))
        raise (err or exc) from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        try:  # keep a replaced file's mode; a new file gets the usual 0666 & ~umask
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_UMASK
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        err = classify(exc, str(target))
        raise (err or exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
