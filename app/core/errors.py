"""Classify database and file errors: environmental ones become a clear message, the rest are bugs."""

from __future__ import annotations

import errno
import sqlite3


class AtlasError(Exception):
    """An error the user can act on; ``str()`` is a complete, plain sentence for a dialog."""


class DatabaseLocked(AtlasError):
    pass


class DatabaseReadOnly(AtlasError):
    pass


class DiskFull(AtlasError):
    pass


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


def classify(exc: BaseException, what: str = "the database") -> AtlasError | None:
    """Map an environmental failure to a user-facing error; None means it is a bug to raise."""
    if isinstance(exc, AtlasError):
        return exc
    root = _root(exc)
    if isinstance(root, sqlite3.Error):
        msg = str(root).lower()
        if "locked" in msg or "busy" in msg:
            return DatabaseLocked(f"{what} is busy in another program. Try again in a moment.")
        if "readonly" in msg or "read-only" in msg:
            return DatabaseReadOnly(f"{what} is on read-only storage, so changes cannot be saved.")
        if "disk is full" in msg or "database or disk is full" in msg:
            return DiskFull(f"The disk holding {what} is full. Free some space; nothing was lost.")
        if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
            return DatabaseCorrupt(f"{what} is damaged ({root}).")
        if "unable to open" in msg:
            return DatabaseUnavailable(f"{what} cannot be opened ({root}).")
        return None
    if isinstance(root, OSError):
        if root.errno == errno.ENOSPC:
            return DiskFull(f"The disk is full while writing {what}. Free some space and try again.")
        if root.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return UnwritablePath(f"Cannot write {what}: permission denied or read-only storage.")
        if root.errno in (errno.ENOENT, errno.ENOTDIR, errno.EISDIR):
            return UnwritablePath(f"Cannot write {what}: the folder does not exist or is not a folder.")
        return UnwritablePath(f"Cannot write {what}: {root.strerror or root}.")
    return None
