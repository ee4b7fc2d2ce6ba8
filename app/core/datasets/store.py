"""Writing a dataset plan to the user database in one transaction, removing a dataset, same-as links."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from app.core.datasets.formats import ImportCancelled
from app.core.datasets.plan import DatasetPlan

CHUNK = 500  # rows per executemany between progress reports and cancel checks
ID_BASE = 2_000_000_000


class UserConnection(Protocol):
    def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def read(self) -> AbstractContextManager[sqlite3.Connection]: ...


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class DatasetInfo:
    name: str  # "atop"
    label: str  # "ATOP"
    version: str
    files: tuple[str, ...]
    imported_at: str
    alliances: int


@dataclass(frozen=True)
class SameAs:
    entity_id: str  # the reference or user entity ("nato")
    dataset_id: str  # the dataset alliance ("atop-3180")
    status: str  # proposed, confirmed, removed
    reason: str


def _next_id(con: sqlite3.Connection, table: str, floor: int) -> int:
    row = con.execute(f"SELECT max(id) FROM {table}").fetchone()
    return max(floor, int(row[0] or 0)) + 1


def _delete_dataset(con: sqlite3.Connection, name: str) -> int:
    """Remove one dataset's rows (and its entities from the search index, and countries no dataset
    names any more). Returns how many alliances it had."""
    rids = [r[0] for r in con.execute("SELECT rid FROM dataset_entity WHERE dataset = ?", (name,))]
    con.executemany("DELETE FROM user_entity_fts WHERE rowid = ?", [(r,) for r in rids])
    con.execute(
        "DELETE FROM dataset_citation WHERE fact_id IN (SELECT id FROM dataset_fact WHERE dataset = ?)", (name,)
    )
    con.execute("DELETE FROM dataset_fact WHERE dataset = ?", (name,))
    con.execute("DELETE FROM dataset_entity WHERE dataset = ?", (name,))
    con.execute("DELETE FROM dataset_record WHERE dataset = ?", (name,))
    con.execute("DELETE FROM dataset WHERE name = ?", (name,))
    orphans = [
        r[0]
        for r in con.execute(
            "SELECT rid FROM dataset_entity WHERE dataset IS NULL"
            " AND id NOT IN (SELECT target_id FROM dataset_fact WHERE target_id IS NOT NULL)"
        )
    ]
    con.executemany("DELETE FROM user_entity_fts WHERE rowid = ?", [(r,) for r in orphans])
    con.executemany("DELETE FROM dataset_entity WHERE rid = ?", [(r,) for r in orphans])
    return len(rids)


class DatasetStore:
    """The imported datasets in the user database (``UserData.transaction``/``read`` for every use)."""

    def __init__(self, user: UserConnection) -> None:
        self._user = user

    # ---- import / remove ------------------------------------------------------------------
    def write(
        self,
        plan: DatasetPlan,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> dict[str, Any]:
        """Replace the dataset ``plan.dataset`` with the plan, all in one transaction; returns the report.

        Cancelling (``cancelled()`` true between chunks) rolls everything back: ImportCancelled."""
        facts = [(a, f) for a in plan.alliances for f in a.facts]
        n_cites = sum(len(f.cites) for _a, f in facts)
        total = len(plan.records) + len(plan.alliances) + len(plan.new_countries) + len(facts) + n_cites
        done = 0

        def step(n: int) -> None:
            nonlocal done
            done += n
            if cancelled is not None and cancelled():
                raise ImportCancelled("The import was cancelled; nothing was imported.")
            if progress is not None:
                progress(min(done, total), total)

        def chunks(rows: Sequence[tuple[Any, ...]]) -> Iterable[Sequence[tuple[Any, ...]]]:
            for i in range(0, len(rows), CHUNK):
                yield rows[i : i + CHUNK]

        report = plan.report()
        with self._user.transaction() as con:
            _delete_dataset(con, plan.dataset)
            con.execute(
                "INSERT INTO dataset (name, label, version, files, imported_at, report) VALUES (?, ?, ?, ?, ?, ?)",
                (plan.dataset, plan.label, plan.version, json.dumps(list(plan.files)), _now(), json.dumps(report)),
            )
            rec_base = _next_id(con, "dataset_record", 0)
            rec_rows = [
                (rec_base + i, plan.dataset, r.file, r.line, r.record, json.dumps(r.fields, ensure_ascii=False))
                for i, r in enumerate(plan.records)
            ]
            for part in chunks(rec_rows):
                con.executemany(
                    "INSERT INTO dataset_record (id, dataset, file, row_number, record, fields)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    part,
                )
                step(len(part))
            existing = {r[0] for r in con.execute("SELECT id FROM dataset_entity WHERE dataset IS NULL")}
            rid = int(con.execute("SELECT max(rid) FROM dataset_entity").fetchone()[0] or ID_BASE)
            entities: list[tuple[Any, ...]] = []
            fts: list[tuple[Any, ...]] = []
            for c in plan.new_countries:
                if c.entity_id in existing:
                    continue
                existing.add(c.entity_id)
                rid += 1
                entities.append((rid, c.entity_id, None, c.name, c.name.casefold(), "country", None, None, 0, ""))
                fts.append((rid, c.name, f"COW {c.code}", ""))
            for a in plan.alliances:
                rid += 1
                alias = f"{plan.label} {a.record}"
                entities.append(
                    (
                        rid,
                        a.id,
                        plan.dataset,
                        a.name,
                        a.name.casefold(),
                        "alliance",
                        a.founded,
                        a.ended,
                        len(a.members),
                        alias,
                    )
                )
                fts.append((rid, a.name, alias, ""))
            for part in chunks(entities):
                con.executemany(
                    "INSERT INTO dataset_entity (rid, id, dataset, name, sort_name, kind, founded, ended, member_count,"
                    " aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    part,
                )
                step(len(part))
            con.executemany("INSERT INTO user_entity_fts (rowid, name, aliases, body) VALUES (?, ?, ?, ?)", fts)
            fact_id = _next_id(con, "dataset_fact", ID_BASE)
            cite_id = _next_id(con, "dataset_citation", ID_BASE)
            fact_rows: list[tuple[Any, ...]] = []
            cite_rows: list[tuple[Any, ...]] = []
            ordinal: dict[str, int] = {}
            for a, f in facts:
                ordinal[a.id] = ordinal.get(a.id, 0) + 1
                fact_rows.append(
                    (
                        fact_id,
                        plan.dataset,
                        a.id,
                        ordinal[a.id],
                        f.field,
                        f.value,
                        f.target_id,
                        f.start_year,
                        f.end_year,
                    )
                )
                for cite in f.cites:
                    rec = plan.records[cite.record]
                    cite_rows.append(
                        (
                            cite_id,
                            fact_id,
                            rec_base + cite.record,
                            plan.label,
                            plan.version,
                            rec.file,
                            rec.record,
                            cite.field,
                            cite.value,
                        )
                    )
                    cite_id += 1
                fact_id += 1
            for part in chunks(fact_rows):
                con.executemany(
                    "INSERT INTO dataset_fact (id, dataset, entity_id, ordinal, field, value, target_id, start_year,"
                    " end_year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    part,
                )
                step(len(part))
            for part in chunks(cite_rows):
                con.executemany(
                    "INSERT INTO dataset_citation (id, fact_id, record_id, dataset, version, file, record, field,"
                    " value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    part,
                )
                step(len(part))
        return report

    def remove(self, name: str) -> int:
        """Remove dataset ``name`` ("atop", "cow") and its alliances; the reference, the user's notes and
        same-as decisions are untouched (notes on its alliances become detached). Returns the number
        of alliances removed; 0 when it was not imported."""
        with self._user.transaction() as con:
            if con.execute("SELECT 1 FROM dataset WHERE name = ?", (name,)).fetchone() is None:
                return 0
            return _delete_dataset(con, name)

    # ---- reads --------------------------------------------------------------------------------
    def datasets(self) -> list[DatasetInfo]:
        with self._user.read() as con:
            rows = con.execute(
                "SELECT d.name, d.label, d.version, d.files, d.imported_at,"
                " (SELECT count(*) FROM dataset_entity e WHERE e.dataset = d.name) FROM dataset d ORDER BY d.name"
            ).fetchall()
        return [DatasetInfo(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4], int(r[5])) for r in rows]

    def record_fields(self, record_id: int) -> tuple[str, int, list[tuple[str, str]]] | None:
        """(file, line, [(column, value), ...]) of a stored record row, or None."""
        with self._user.read() as con:
            row = con.execute(
                "SELECT file, row_number, fields FROM dataset_record WHERE id = ?", (record_id,)
            ).fetchone()
        if row is None:
            return None
        return str(row[0]), int(row[1]), [(str(c), str(v)) for c, v in json.loads(row[2])]

    def alliances_and_members(self, name: str) -> dict[str, tuple[int | None, frozenset[str]]]:
        """Each alliance of dataset ``name``: (its founding year, every country ever a member)."""
        with self._user.read() as con:
            founded = con.execute("SELECT id, founded FROM dataset_entity WHERE dataset = ?", (name,)).fetchall()
            members = con.execute(
                "SELECT entity_id, target_id FROM dataset_fact WHERE dataset = ? AND field = 'member'", (name,)
            ).fetchall()
        sets: dict[str, set[str]] = {}
        for eid, target in members:
            sets.setdefault(str(eid), set()).add(str(target))
        return {str(eid): (year, frozenset(sets.get(str(eid), ()))) for eid, year in founded}

    # ---- same-as links --------------------------------------------------------------------------
    def propose(self, links: Iterable[tuple[str, str, str]]) -> int:
        """Add proposed links (catalogue entity, dataset alliance, reason); a link the user already
        confirmed or removed is left as they decided. Returns how many were new."""
        rows = [(a, b, reason, _now()) for a, b, reason in links]
        with self._user.transaction() as con:
            before = con.total_changes
            con.executemany(
                "INSERT OR IGNORE INTO same_as (entity_id, dataset_id, status, reason, updated_at)"
                " VALUES (?, ?, 'proposed', ?, ?)",
                rows,
            )
            return con.total_changes - before

    def same_as(self, *, include_removed: bool = False) -> list[SameAs]:
        """Every link, proposed and confirmed (and removed, if asked), by dataset alliance."""
        where = "" if include_removed else " WHERE status != 'removed'"
        with self._user.read() as con:
            rows = con.execute(
                f"SELECT entity_id, dataset_id, status, reason FROM same_as{where} ORDER BY dataset_id, entity_id"
            ).fetchall()
        return [SameAs(*r) for r in rows]

    def set_same_as(self, entity_id: str, dataset_id: str, status: str) -> SameAs:
        """Confirm or remove a link (``status`` "confirmed" or "removed"); a link that was never
        proposed is made with that status (the user links two entities by hand)."""
        if status not in ("confirmed", "removed", "proposed"):
            raise ValueError(f"unknown same-as status {status!r}")
        with self._user.transaction() as con:
            row = con.execute(
                "SELECT reason FROM same_as WHERE entity_id = ? AND dataset_id = ?", (entity_id, dataset_id)
            ).fetchone()
            reason = str(row[0]) if row else "linked by you"
            con.execute(
                "INSERT INTO same_as (entity_id, dataset_id, status, reason, updated_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (entity_id, dataset_id) DO UPDATE SET status = excluded.status,"
                " updated_at = excluded.updated_at",
                (entity_id, dataset_id, status, reason, _now()),
            )
        return SameAs(entity_id, dataset_id, status, reason)
