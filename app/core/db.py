"""The one place engines are built: connection URLs, pool and the pragmas every connection gets.

Two SQLite files, joined with ATTACH:

* ``main`` is the reference database, built from ``seeds/`` and opened **read-only**
  (``mode=ro``), so it can sit on read-only media. It uses a rollback journal (not WAL), because
  a WAL database cannot be read where its ``-shm`` file cannot be created.
* ``user`` is the user database (notes, tags, saved filters, graph positions), opened read-write
  in WAL mode with a busy timeout, so two running instances never fail with "database is locked".

Queries name tables unqualified; SQLite finds ``note`` in user, and ``entity``, ``document``... in
TEMP views that join the reference tables with the user's own sources (imported documents, user
entities and facts; see :mod:`app.core.sources.views`).

The one connection factory for reads is :func:`connector`: the repository keeps one such raw
sqlite3 connection per thread (no SQLAlchemy on the read path). Writes to the user database go
through the single connection of :class:`app.core.userdata.database.UserData`. SQLModel is used
only to create the reference schema when the database is built.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from app.core.errors import DatabaseCorrupt, DatabaseUnavailable, SchemaTooNew, capitalized, classify
from app.core.sources.views import ViewState, prepare
from app.paths import PROJECT_ROOT


class AtlasConnection(sqlite3.Connection):
    """A read connection that remembers what its TEMP views were made from (see sources.views)."""

    views: ViewState | None = None


Connector = Callable[[], sqlite3.Connection]
BUSY_TIMEOUT_MS = 5000
USER_MIGRATIONS = PROJECT_ROOT / "database" / "migrations" / "user"


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path))}?mode={mode}"


def require_file(path: Path, what: str) -> None:
    """Refuse a database path that is a folder: SQLite would call it a "disk I/O error" and the
    message would blame a full disk. Nothing in the folder is touched."""
    if path.is_dir():
        raise DatabaseUnavailable(
            f"{capitalized(what)} {path} is a folder, not a database file. Move that folder away "
            "(nothing in it is touched), or give another --data-dir."
        )


def lenient_text(raw: bytes) -> str:
    """Text as stored, or, where bit flips left bytes that are not UTF-8, with U+FFFD in their place:
    reading a damaged note must show it, not raise "Could not decode to UTF-8"."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def invalid_text_count(con: sqlite3.Connection, schema: str = "main") -> int:
    """How many stored text values in ``schema`` are not valid UTF-8 (damage ``quick_check`` cannot
    see). Reads every text value once: milliseconds for the notes or the seed reference database."""
    bad = 0
    tables = con.execute(
        f"SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL%'"
    ).fetchall()
    for (table,) in tables:
        quoted = '"' + str(table).replace('"', '""') + '"'
        for col in con.execute(f"PRAGMA {schema}.table_info({quoted})").fetchall():
            c = '"' + str(col[1]).replace('"', '""') + '"'
            sql = f"SELECT CAST({c} AS BLOB) FROM {schema}.{quoted} WHERE typeof({c}) = 'text'"
            for (raw,) in con.execute(sql):
                try:
                    bytes(raw).decode("utf-8")
                except UnicodeDecodeError:
                    bad += 1
    return bad


def user_migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for each file ``NNNN_name.sql``, in order."""
    steps = []
    for path in sorted(USER_MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        steps.append((int(path.name[:4]), path.stem, path.read_text(encoding="utf-8")))
    return steps


def user_schema_version() -> int:
    steps = user_migrations()
    return steps[-1][0] if steps else 0


def _statements(sql: str) -> Iterator[str]:
    buf = ""
    for line in sql.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                yield buf.strip()
            buf = ""
    if buf.strip():
        yield buf.strip()


def migrate_user_db(con: sqlite3.Connection, *, backup: Callable[[], Any] | None = None) -> int:
    """Bring the user database (``main`` of ``con``) up to date, one transaction per step.

    ``backup`` is called before the first step on an existing database. Returns the version.
    """
    current = int(con.execute("PRAGMA user_version").fetchone()[0])
    latest = user_schema_version()
    if current > latest:
        raise SchemaTooNew(
            f"Your notes database was written by a newer Alliance Atlas (schema {current}; this "
            f"version understands up to {latest}). Please update the application; nothing was changed."
        )
    pending = [s for s in user_migrations() if s[0] > current]
    if pending and current > 0 and backup is not None:
        backup()
    for version, _name, sql in pending:
        con.execute("BEGIN IMMEDIATE")
        try:
            # executescript would commit; run statements one by one inside our transaction.
            for statement in _statements(sql):
                con.execute(statement)
            con.execute(f"PRAGMA user_version = {version}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return max(current, latest)


def open_user_connection(user_db: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection to the user database alone: WAL, busy timeout, autocommit.

    It does not migrate: :class:`app.core.userdata.database.UserData` opens and migrates the
    database once and keeps its connection; :func:`ensure_user_db` only creates or migrates a file.
    """
    user_db.parent.mkdir(parents=True, exist_ok=True)
    require_file(user_db, "the notes database")
    if user_db.exists() and user_db.stat().st_size == 0:
        # SQLite would take an empty file for a new database and the notes would silently be gone.
        raise DatabaseCorrupt(
            f"The notes database {user_db} is an empty file (0 bytes), not a database: it was truncated "
            "(a crash, a full disk or a copy that failed)."
        )
    con = sqlite3.connect(
        _uri(user_db, "rwc"),
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    con.text_factory = lenient_text
    with closed_on_failure(con):
        con.execute("PRAGMA foreign_keys=ON")
        con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        con.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed note survives power loss, not only a killed process.
        con.execute("PRAGMA synchronous=FULL")
    return con


@contextmanager
def closed_on_failure(con: sqlite3.Connection, what: str = "the notes database") -> Iterator[sqlite3.Connection]:
    """Close ``con`` when the block fails; an environmental database error (damaged, locked,
    read-only, full disk) comes out as its classified AtlasError, anything else as it was."""
    try:
        yield con
    except sqlite3.DatabaseError as exc:
        con.close()
        err = classify(exc, what)
        if err:
            raise err from exc
        raise
    except BaseException:
        con.close()
        raise


def ensure_user_db(user_db: Path, *, backup: Callable[[], Any] | None = None) -> None:
    """Create or migrate the user database file and close it again (backup, restore, checks)."""
    con = open_user_connection(user_db)
    try:
        migrate_user_db(con, backup=backup)
    except sqlite3.DatabaseError as exc:
        err = classify(exc, "the notes database")
        if err:
            raise err from exc
        raise
    finally:
        con.close()


def connector(reference_db: Path, user_db: Path) -> Connector:
    """A function opening one application connection: reference read-only as main, the user
    database attached as ``user``. Call :func:`ensure_user_db` first so the attached schema exists.

    ``check_same_thread=False`` because pooled connections are handed across worker threads
    (each is used by one thread at a time).
    """
    ref_uri = _uri(reference_db, "ro")
    user_uri = _uri(user_db, "rw")

    def connect() -> sqlite3.Connection:
        try:
            con = sqlite3.connect(
                ref_uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, factory=AtlasConnection
            )
        except sqlite3.Error as exc:
            raise (classify(exc, "the reference database") or exc) from exc
        try:
            con.isolation_level = None  # autocommit: each read sees the latest committed notes
            con.execute("PRAGMA foreign_keys=ON")
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            con.close()
            raise (classify(exc, "the reference database") or exc) from exc
        try:
            con.execute("ATTACH DATABASE ? AS user", (user_uri,))
            con.execute("PRAGMA user.synchronous=FULL")
            con.views = prepare(con)
        except sqlite3.Error as exc:
            # e.g. the notes database damaged, removed or on a full disk while the window is open:
            # a clear AtlasError for the worker to report, not a raw driver error.
            con.close()
            raise (classify(exc, "the notes database") or exc) from exc
        return con

    return connect


@contextmanager
def raw_reference(reference_db: Path) -> Iterator[sqlite3.Connection]:
    """A read-only sqlite3 connection to the reference database alone (checks, benchmarks)."""
    con = sqlite3.connect(_uri(reference_db, "ro"), uri=True)
    try:
        yield con
    finally:
        con.close()


def _file_stamp(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}\n{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"


def _text_checked(reference_db: Path, marker: Path | None) -> bool:
    if marker is None:
        return False
    try:
        return marker.read_text(encoding="utf-8") == _file_stamp(reference_db)
    except (OSError, UnicodeDecodeError):
        return False


def _mark_text_checked(reference_db: Path, marker: Path | None) -> None:
    if marker is None:
        return
    try:
        marker.write_text(_file_stamp(reference_db), encoding="utf-8")
    except OSError:
        pass  # the text is checked again at the next start


def read_reference_meta(
    reference_db: Path, expected_version: int, *, checked_marker: Path | None = None, full_check: bool = False
) -> dict[str, str]:
    """Read the reference database's meta table; refuse one newer than the app.

    Every stored text value is checked for bytes that are not UTF-8, a full read (seconds at
    100,000 entities). With ``checked_marker`` (a file in the user's data folder, never beside a
    reference that may be on read-only media) that is done once per state of the file (path, size,
    modification and change times, inode), recorded there. ``full_check``: whatever is recorded."""
    require_file(reference_db, "the reference database")
    try:
        check_text = full_check or not _text_checked(reference_db, checked_marker)
        with raw_reference(reference_db) as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            bad_text = invalid_text_count(con) if check_text else 0
    except sqlite3.DatabaseError as exc:
        err = classify(exc, "the reference database")
        raise (err or DatabaseCorrupt(f"The reference database is damaged ({exc}).")) from exc
    if bad_text:
        # Bit flips quick_check cannot see: the reference is derived data, so it is rebuilt.
        raise DatabaseCorrupt(
            f"The reference database is damaged ({bad_text} text value{'s are' if bad_text != 1 else ' is'} "
            "not valid UTF-8)."
        )
    if version > expected_version:
        raise SchemaTooNew(
            f"The reference database at {reference_db} was built by a newer Alliance Atlas "
            f"(schema {version}, this version reads {expected_version}). Update the application "
            "or run 'alliance-atlas build-db' to rebuild it."
        )
    if check_text:
        _mark_text_checked(reference_db, checked_marker)
    meta["user_version"] = str(version)
    return meta
