"""Classify database and file errors: environmental ones become a clear message, the rest are bugs."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 10, 11, 13, 14, 26


class AtlasError(Exception):
    """An error the user can act on; ``str()`` is a complete, plain sentence for a dialog."""


class DatabaseLocked(AtlasError):
    pass


class DatabaseReadOnly(AtlasError):
    pass


class DiskFull(AtlasError):
    pass


class StorageError(DiskFull):
    """SQLite's "disk I/O error": usually a full disk (the -shm or -wal file cannot grow), else failing storage."""


class DatabaseCorrupt(AtlasError):
    pass


class DatabaseUnavailable(AtlasError):
    pass


class SchemaTooNew(AtlasError):
    pass


class UnwritablePath(AtlasError):
    pass


def _root(exc: BaseException) -> BaseException:
    # SQLAlchemy wraps the driver error in .orig
    return getattr(exc, "orig", None) or exc


def capitalized(text: str) -> str:
    """``text`` with its first letter upper-case (a message may start with a ``what`` like "the notes database")."""
    return text[:1].upper() + text[1:]


def _primary_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_damage(exc: BaseException) -> bool:
    """True only when SQLite says the file itself is damaged ("malformed", "not a database").

    A full disk ("disk I/O error", "database or disk is full"), read-only storage, a lock or a file
    that cannot be opened is not damage: the file may be perfectly sound.
    """
    root = _root(exc)
    if isinstance(root, DatabaseCorrupt):
        return True
    if not isinstance(root, sqlite3.DatabaseError):
        return False
    code = _primary_code(root)
    if code is not None:
        return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    msg = str(root).lower()
    return "malformed" in msg or "not a database" in msg or "corrupt" in msg or "could not decode" in msg


def classify(exc: BaseException, what: str = "the database") -> AtlasError | None:
    """Map an environmental failure to a user-facing error; None means it is a bug to raise."""
    if isinstance(exc, AtlasError):
        return exc
    root = _root(exc)
    subject = capitalized(what)
    if isinstance(root, sqlite3.Error):
        msg = str(root).lower()
        code = _primary_code(root)
        if is_damage(root):
            return DatabaseCorrupt(f"{subject} is damaged ({root}).")
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in msg or "busy" in msg:
            return DatabaseLocked(f"{subject} is busy in another program. Try again in a moment.")
        if code == _SQLITE_READONLY or "readonly" in msg or "read-only" in msg:
            return DatabaseReadOnly(f"{subject} is on read-only storage, so changes cannot be saved.")
        if code == _SQLITE_FULL or "disk is full" in msg:
            return DiskFull(f"The disk holding {what} is full. Free some space; nothing was lost.")
        if code == _SQLITE_IOERR or "disk i/o error" in msg:
            return StorageError(
                f"{subject} could not be read or written (disk I/O error): the disk is probably full, or the "
                "storage is failing. Free some space or check the drive, then try again; nothing was lost."
            )
        if code == _SQLITE_CANTOPEN or "unable to open" in msg:
            return DatabaseUnavailable(
                f"{subject} cannot be opened ({root}): its folder may be read-only, missing or not accessible."
            )
        return None
    if isinstance(root, OSError):
        name = f" ({root.filename})" if root.filename and str(root.filename) not in what else ""
        if root.errno == errno.ENOSPC:
            return DiskFull(f"The disk is full while writing {what}. Free some space and try again.")
        if root.errno == errno.EROFS:
            return UnwritablePath(f"Cannot write {what}: the storage is read-only{name}.")
        if root.errno in (errno.EACCES, errno.EPERM):
            return UnwritablePath(f"Cannot write {what}: permission denied{name}.")
        if root.errno == errno.EISDIR:
            return UnwritablePath(f"Cannot write {what}: it is a folder{name}, not a file.")
        if root.errno == errno.EEXIST:
            return UnwritablePath(f"Cannot write {what}: a file is in the way where a folder is needed{name}.")
        if root.errno in (errno.ENOENT, errno.ENOTDIR):
            return UnwritablePath(f"Cannot write {what}: the folder does not exist or is not a folder{name}.")
        return UnwritablePath(f"Cannot write {what}: {root.strerror or root}{name}.")
    return None


def folder_unwritable(folder: Path) -> str | None:
    """Why nothing can be written in ``folder`` ("is on read-only storage", "cannot be written (no
    permission)"), or None when it can be (or does not exist: the caller's open will say so)."""
    try:
        if not folder.is_dir():
            return None
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "is on read-only storage"
    except (AttributeError, OSError):  # no statvfs on Windows
        pass
    if not os.access(folder, os.W_OK):
        return "cannot be written (read-only storage or no permission)"
    return None
