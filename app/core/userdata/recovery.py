"""Restore without a window of loss, and salvage: every note row still readable in a damaged file.

A restore first builds the complete new database under a temporary name beside ``user.sqlite``
(the backup copied in, migrated, the salvaged notes added, synced to disk). Only then does it
touch the live file, in one step that a SIGKILL cannot split: a sound database gets the new
content in one SQLite transaction (other windows see it on their next read); a damaged or missing
one is kept under a second name (a hard link, so the original never leaves) and the new file is
renamed over it. A killed restore therefore leaves either the old database or the new one, never
an empty file.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from app.core.db import BUSY_TIMEOUT_MS, lenient_text, migrate_user_db
from app.core.fileio import pid_alive

SALVAGED_TAG = "salvaged"
_SALVAGE_NS = uuid.UUID("0f6c2b0e-7d1b-4a3e-9a55-3c9f4c6d2a10")
_PROBE_LIMIT = 100_000  # rowids probed one by one past a damaged page when the highest is unknown
_NOTE_FIELDS = 'id, entity_id, document_id, start, "end", quote, title, body, created_at, updated_at, deleted_at'


@dataclass
class SalvageReport:
    """What :func:`salvage_notes` found in a damaged file."""

    read: int = 0  # note rows that could be read
    added: int = 0  # added to the restored database (missing from the backup, or differing)
    already: int = 0  # identical to a note the backup has
    unreadable: int = 0  # rows (or pages) that raised an error
    bad_text: int = 0  # values with bytes that were not UTF-8 (kept with U+FFFD)

    def summary(self) -> str:
        if not self.read and not self.unreadable:
            return "Nothing could be read from the damaged file."
        text = f"Salvaged {self.added} note{'s' if self.added != 1 else ''} from the damaged file"
        text += f" (tagged “{SALVAGED_TAG}”); {self.already} were already in the backup"
        if self.unreadable:
            text += f"; {self.unreadable} row{'s' if self.unreadable != 1 else ''} could not be read"
        if self.bad_text:
            text += f"; {self.bad_text} damaged character run{'s' if self.bad_text != 1 else ''} shown as �"
        return text + "."


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did: where the damaged file is kept, and what was salvaged from it."""

    aside: Path
    backup: Path | None
    salvage: SalvageReport | None

    def summary(self) -> str:
        done = f"restored {self.backup.name}" if self.backup else "started a new notes database (no sound backup)"
        text = f"The damaged notes database was set aside as {self.aside.name}; {done}."
        return text + (f" {self.salvage.summary()}" if self.salvage else "")


def _ro(path: Path, counted: list[int]) -> sqlite3.Connection:
    """A read-only connection whose text never fails to decode; ``counted[0]`` counts the repairs."""
    con = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)

    def text(raw: bytes) -> str:
        out = lenient_text(raw)
        if "\ufffd" in out and b"\xef\xbf\xbd" not in raw:
            counted[0] += 1
        return out

    con.text_factory = text
    return con


def _walk(con: sqlite3.Connection, table: str, cols: str, report: SalvageReport) -> list[tuple[object, ...]]:
    """Every row of ``table`` that can be read, by rowid: a damaged page costs its rows, not the rest."""
    rows: list[tuple[object, ...]] = []
    last = 0
    try:
        high = con.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
    except sqlite3.DatabaseError:
        high = None
    while True:
        try:
            for row in con.execute(f"SELECT rowid, {cols} FROM {table} WHERE rowid > ? ORDER BY rowid", (last,)):
                rows.append(tuple(row[1:]))
                last = int(row[0])
            return rows
        except sqlite3.DatabaseError:
            report.unreadable += 1
        # Past the damage one rowid at a time, until a readable row lets the fast scan resume.
        stop = int(high) if isinstance(high, int) else last + _PROBE_LIMIT
        resumed = False
        for probe in range(last + 1, stop + 1):
            try:
                row = con.execute(f"SELECT rowid, {cols} FROM {table} WHERE rowid = ?", (probe,)).fetchone()
            except sqlite3.DatabaseError:
                continue
            if row is not None:
                rows.append(tuple(row[1:]))
                last = probe
                resumed = True
                break
        if not resumed:
            return rows


def salvage_notes(damaged: Path, dst: sqlite3.Connection) -> SalvageReport:
    """Copy every readable note (with its tags) from ``damaged`` into ``dst`` (a migrated user
    database, in a transaction the caller commits). A note the backup lacks is added as it was; one
    that differs from the backup's version is added beside it under a derived id. Each is tagged
    "salvaged". Never raises for damage: what cannot be read is counted."""
    report = SalvageReport()
    counted = [0]
    try:
        src = _ro(damaged, counted)
    except sqlite3.Error:
        return report
    try:
        tags: dict[object, str] = {}
        for tag_id, name in _walk(src, "tag", "id, name", report):
            if isinstance(name, str) and name.strip():
                tags[tag_id] = name
        note_tags: dict[object, list[str]] = {}
        for note_id, tag_id in _walk(src, "note_tag", "note_id, tag_id", report):
            if tag_id in tags:
                note_tags.setdefault(note_id, []).append(tags[tag_id])
        entity_tags = [(e, tags[t]) for e, t in _walk(src, "entity_tag", "entity_id, tag_id", report) if t in tags]
        notes = _walk(src, "note", _NOTE_FIELDS, report)
        report.bad_text = counted[0]
    except sqlite3.Error:  # no schema at all (the header is gone): nothing to salvage
        return report
    finally:
        src.close()
    salvaged_tag = _ensure_tag(dst, SALVAGED_TAG)
    for row in notes:
        nid = row[0]
        if not isinstance(nid, str) or not nid or not isinstance(row[8], str) or not isinstance(row[9], str):
            report.unreadable += 1
            continue
        report.read += 1
        fields = list(row)
        fields[6] = fields[6] if isinstance(fields[6], str) else ""
        fields[7] = fields[7] if isinstance(fields[7], str) else ""
        local = dst.execute(f"SELECT {_NOTE_FIELDS} FROM note WHERE id = ?", (nid,)).fetchone()
        if local is not None and tuple(local) == tuple(fields):
            report.already += 1
            continue
        if local is not None:
            fields[0] = uuid.uuid5(_SALVAGE_NS, f"{nid}|{fields[9]}|{fields[6]}|{fields[7]}").hex
            if dst.execute("SELECT 1 FROM note WHERE id = ?", (fields[0],)).fetchone():
                report.already += 1
                continue
            fields[6] = f"{fields[6]} (salvaged)".strip()
        dst.execute(f"INSERT INTO note ({_NOTE_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", fields)
        for name in [*note_tags.get(nid, []), SALVAGED_TAG]:
            tid = salvaged_tag if name == SALVAGED_TAG else _ensure_tag(dst, name)
            dst.execute("INSERT OR IGNORE INTO note_tag (note_id, tag_id) VALUES (?, ?)", (fields[0], tid))
        report.added += 1
    for entity_id, name in entity_tags:
        if isinstance(entity_id, str):
            tid = _ensure_tag(dst, name)
            dst.execute("INSERT OR IGNORE INTO entity_tag (entity_id, tag_id) VALUES (?, ?)", (entity_id, tid))
    return report


def _ensure_tag(con: sqlite3.Connection, name: str) -> int:
    row = con.execute("SELECT id FROM tag WHERE name = ?", (name,)).fetchone()
    if row:
        return int(row[0])
    return int(con.execute("INSERT INTO tag (name) VALUES (?)", (name,)).lastrowid or 0)


def temp_name(user_db: Path) -> Path:
    """Where a restore builds its new database: beside the live one (same file system, so the
    final rename is atomic), named for this process so a later restore can clean a killed one's."""
    return user_db.with_name(f".{user_db.name}.restoring-{os.getpid()}")


def remove_stale_builds(user_db: Path) -> None:
    """Remove half-built databases left by a killed restore (their process is gone)."""
    prefix = f".{user_db.name}.restoring-"
    try:
        entries = list(user_db.parent.iterdir())
    except OSError:
        return
    for p in entries:
        if not p.name.startswith(prefix):
            continue
        pid = p.name[len(prefix) :].split("-")[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            try:
                p.unlink()
            except OSError:
                pass


def build_restored(user_db: Path, backup: Path | None, damaged: Path | None) -> tuple[Path, SalvageReport | None]:
    """Build the complete new database at :func:`temp_name`: ``backup`` (or an empty database)
    migrated, plus what :func:`salvage_notes` finds in ``damaged``; synced to disk, journal mode
    DELETE (one self-contained file). The caller swaps it in."""
    remove_stale_builds(user_db)
    tmp = temp_name(user_db)
    tmp.unlink(missing_ok=True)
    report = None
    try:
        dst = sqlite3.connect(tmp, isolation_level=None)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dst.text_factory = lenient_text
        if backup is not None:
            src = sqlite3.connect(f"file:{quote(str(backup))}?mode=ro", uri=True)
            try:
                src.backup(dst)
            finally:
                src.close()
        dst.execute("PRAGMA journal_mode=DELETE")
        dst.execute("PRAGMA foreign_keys=ON")
        migrate_user_db(dst)
        if damaged is not None:
            dst.execute("BEGIN IMMEDIATE")
            try:
                report = salvage_notes(damaged, dst)
                dst.execute("COMMIT")
            except BaseException:
                dst.execute("ROLLBACK")
                raise
    except BaseException:
        dst.close()
        tmp.unlink(missing_ok=True)
        raise
    dst.close()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    return tmp, report


def copy_into_live(tmp: Path, user_db: Path) -> None:
    """Give the sound live database ``tmp``'s content in one SQLite transaction (the backup API):
    killed half-way, the live database keeps its old content (the WAL rolls the copy back)."""
    src = sqlite3.connect(f"file:{quote(str(tmp))}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(user_db, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            dst.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def swap_in(tmp: Path, user_db: Path, aside: Path | None) -> None:
    """Put ``tmp`` in place of a damaged (or missing) ``user_db``. The damaged file is first given
    the name ``aside`` too (a hard link: it never leaves its name before the new file arrives), its
    -wal/-shm move beside ``aside``, then one atomic rename puts the new database in place."""
    if aside is not None and user_db.exists():
        try:
            os.link(user_db, aside)
        except OSError:  # no hard links here: a rename, leaving a moment with no user.sqlite
            os.replace(user_db, aside)
        for suffix in ("-wal", "-shm", "-journal"):
            side = Path(str(user_db) + suffix)
            if side.exists():
                os.replace(side, Path(str(aside) + suffix))
    else:
        for suffix in ("-wal", "-shm", "-journal"):
            Path(str(user_db) + suffix).unlink(missing_ok=True)
    os.replace(tmp, user_db)
    try:  # make the rename itself durable
        fd = os.open(user_db.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass
