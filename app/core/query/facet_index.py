"""Facet counts from memory: each dimension's (entity, value) pairs as integer arrays, counted under a matching set.

A GROUP BY per dimension over the fact view took 1–3 s at 10,000 entities on a busy machine
(seconds at 100,000); the pairs change only when the catalogue does (the reference is read-only;
your sources and datasets change it), so they are read once into numpy arrays and each count is a
``bincount`` over the pairs of the matching entities: milliseconds at any size. Tags are the
user's and change at any time: their few pairs are read afresh for each count.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core.npz_cache import SEP, text_array, text_values, write_arrays
from app.core.query.views import FacetValue

_ORIGIN_LABELS = {"user": "From your documents", "dataset": "From datasets"}
_FACT_DIMS = {"categories": "category", "regions": "region", "activities": "activity", "obligations": "obligation"}
_NO_YEAR_LO, _NO_YEAR_HI = -(2**31), 2**31 - 1
# What the catalogue's facet pairs are made of: when none of these changes, the pairs are the same.
_DIMS = {"kinds", "origins", *_FACT_DIMS, "sources", "members", "members_years"}
_USER_TABLES = ("user_entity", "user_fact", "user_citation", "imported_document", "dataset_entity", "dataset_fact")


@dataclass(frozen=True)
class _Dim:
    """One dimension: pairs (entity index, value code), deduplicated, and the values' labels."""

    ent: np.ndarray
    val: np.ndarray
    values: list[str]
    labels: list[str]
    start: np.ndarray | None = None  # members only: each pair's years (not deduplicated then)
    end: np.ndarray | None = None


def _dim(ent: np.ndarray, values: list[Any], label_of: Callable[[list[str]], list[str]] | None = None) -> _Dim:
    """A dimension from each pair's entity index (-1: unknown, left out) and value; deduplicated.
    Values are coded through a dict (hashing strings; sorting 500,000 of them in numpy took seconds)."""
    known = ent >= 0
    kept = [str(v) for v, k in zip(values, known.tolist(), strict=True) if k]
    ent = ent[known]
    code: dict[str, int] = {}
    codes = np.fromiter((code.setdefault(v, len(code)) for v in kept), dtype=np.int64, count=len(kept))
    values_out = sorted(code)
    n = len(values_out)
    if n:
        rank = np.empty(n, dtype=np.int64)  # first-seen code -> the value's place in sorted order
        rank[[code[v] for v in values_out]] = np.arange(n, dtype=np.int64)
        codes = rank[codes]
        key = np.unique(ent * n + codes)  # each entity counts once per value
        ent, codes = key // n, key % n
    labels = label_of(values_out) if label_of is not None else values_out
    return _Dim(ent.astype(np.int64), codes, values_out, labels)


def fingerprint(con: sqlite3.Connection) -> tuple[Any, ...]:
    """What the pairs depend on, in a few cheap reads: the user tables' sizes and last rows."""
    present = {str(r[0]) for r in con.execute("SELECT name FROM user.sqlite_master WHERE type = 'table'")}
    out: list[Any] = []
    for table in _USER_TABLES:
        if table in present:
            out += con.execute(f"SELECT count(*), max(rowid) FROM user.{table}").fetchone()
    if "imported_document" in present:  # a removed document's title says so
        out += con.execute("SELECT count(*) FROM user.imported_document WHERE removed_at IS NOT NULL").fetchone()
    if "dataset" in present:  # a re-import of the same size
        out += con.execute("SELECT group_concat(name || imported_at) FROM user.dataset").fetchone()
    return tuple(out)


class FacetIndex:
    """The catalogue's facet pairs (kinds, categories, regions, members, activities, sources,
    origins, obligations), read once; :meth:`counts` counts them under a set of matching ids."""

    def __init__(self, ids: list[str], dims: dict[str, _Dim]) -> None:
        self.ids = ids
        self._position = {i: k for k, i in enumerate(ids)}  # id -> index (a dict: C-speed lookups)
        self.size = len(ids)
        self._dims = dims

    @classmethod
    def read(cls, con: sqlite3.Connection) -> FacetIndex:
        """The pairs read from the catalogue (seconds at 100,000 entities: see :func:`load`)."""
        rows = con.execute("SELECT id, kind, origin, name FROM entity").fetchall()
        self = cls([str(r[0]) for r in rows], {})
        names = [str(r[3]) for r in rows]
        every = np.arange(self.size, dtype=np.int64)
        dims = {
            "kinds": _dim(every, [r[1] for r in rows]),
            "origins": _dim(
                every, [r[2] for r in rows], lambda u: [_ORIGIN_LABELS.get(str(o), "Reference catalogue") for o in u]
            ),
        }
        for dim, field in _FACT_DIMS.items():
            pairs = con.execute("SELECT entity_id, value FROM fact WHERE field = ?", (field,)).fetchall()
            dims[dim] = _dim(self.indices([p[0] for p in pairs]), [p[1] for p in pairs])
        titles = dict(con.execute("SELECT id, title FROM document").fetchall())
        pairs = [p for p in con.execute("SELECT entity_id, document_id FROM entity_source") if p[1] in titles]
        dims["sources"] = _dim(
            self.indices([p[0] for p in pairs]), [p[1] for p in pairs], lambda u: [str(titles[str(d)]) for d in u]
        )
        facts = con.execute(
            "SELECT entity_id, target_id, start_year, end_year FROM fact"
            " WHERE field IN ('member', 'party') AND target_id IS NOT NULL"
        ).fetchall()
        target = self.indices([f[1] for f in facts])
        ent = self.indices([f[0] for f in facts])
        ok = target >= 0  # a member the catalogue does not hold is not listed
        facts = [f for f, keep in zip(facts, ok.tolist(), strict=True) if keep]
        ent = ent[ok]

        def member_names(u: list[str]) -> list[str]:
            return [names[i] for i in self.indices(u).tolist()]

        members = _dim(ent, [f[1] for f in facts], member_names)
        dims["members"] = members
        # With years (an As of count filters them first): one pair per fact row, not deduplicated.
        code = {v: k for k, v in enumerate(members.values)}
        known = ent >= 0
        dims["members_years"] = _Dim(
            ent[known],
            np.asarray([code[str(f[1])] for f, k in zip(facts, known.tolist(), strict=True) if k], dtype=np.int64),
            members.values,
            members.labels,
            np.asarray(
                [_NO_YEAR_LO if f[2] is None else f[2] for f, k in zip(facts, known.tolist(), strict=True) if k],
                dtype=np.int64,
            ),
            np.asarray(
                [_NO_YEAR_HI if f[3] is None else f[3] for f, k in zip(facts, known.tolist(), strict=True) if k],
                dtype=np.int64,
            ),
        )
        self._dims = dims
        return self

    def indices(self, ids: list[Any]) -> np.ndarray:
        """Each entity id's index in the catalogue (-1 for an id it does not hold)."""
        at = self._position
        return np.fromiter((at.get(str(i), -1) for i in ids), dtype=np.int64, count=len(ids))

    def mask(self, ids: list[str]) -> np.ndarray:
        """A boolean array over the catalogue: True for these entity ids."""
        out = np.zeros(self.size, dtype=bool)
        idx = self.indices(ids)
        out[idx[idx >= 0]] = True
        return out

    def counts(self, dim: str, mask: np.ndarray, *, as_of: int | None = None) -> list[FacetValue]:
        """Each value of ``dim`` with the number of masked entities having it, most first, then by label."""
        d = self._dims[dim]
        if dim == "members" and as_of is not None:
            y = self._dims["members_years"]
            assert y.start is not None and y.end is not None
            held = mask[y.ent] & (y.start <= as_of) & (y.end >= as_of)
            n = len(y.values)
            vals = (np.unique(y.ent[held] * n + y.val[held]) % n) if n else y.val[:0]
        else:
            vals = d.val[mask[d.ent]]
        return _ranked(np.bincount(vals, minlength=len(d.values)), d.values, d.labels)


def tag_counts(con: sqlite3.Connection, index: FacetIndex, mask: np.ndarray) -> list[FacetValue]:
    """The user's tags on the masked entities (read now: tags change at any time)."""
    rows = con.execute("SELECT DISTINCT et.entity_id, t.name FROM entity_tag et JOIN tag t ON t.id = et.tag_id")
    pairs = rows.fetchall()
    found: dict[str, int] = {}
    for i, (_eid, name) in zip(index.indices([p[0] for p in pairs]).tolist(), pairs, strict=True):
        if i >= 0 and mask[i]:
            found[str(name)] = found.get(str(name), 0) + 1
    return sorted((FacetValue(n, n, c) for n, c in found.items()), key=lambda f: (-f.count, f.label))


def _ranked(counts: np.ndarray, values: list[str], labels: list[str]) -> list[FacetValue]:
    order = sorted((k for k in np.flatnonzero(counts)), key=lambda k: (-int(counts[k]), labels[k]))
    return [FacetValue(values[k], labels[k], int(counts[k])) for k in order]


# ---- kept between starts (the data folder's facet-cache/) ------------------------------------------
def _file(folder: Path, key: str) -> Path:
    return folder / f"facets-{hashlib.sha1(key.encode('utf-8'), usedforsecurity=False).hexdigest()[:20]}.npz"


def save(folder: Path, key: str, index: FacetIndex) -> None:
    """Keep ``index`` under ``key`` (the reference file's identity and the user tables' fingerprint);
    the older files go. A folder that cannot be written is ignored: the cache only saves time."""
    arrays: dict[str, np.ndarray] = {"key": text_array([key]), "ids": text_array(index.ids)}
    for name, d in index._dims.items():
        arrays[f"{name}.ent"], arrays[f"{name}.val"] = d.ent.astype(np.int32), d.val.astype(np.int32)
        arrays[f"{name}.values"], arrays[f"{name}.labels"] = text_array(d.values), text_array(d.labels)
        arrays[f"{name}.n"] = np.asarray([len(d.values)], dtype=np.int64)
        if d.start is not None and d.end is not None:
            arrays[f"{name}.start"], arrays[f"{name}.end"] = d.start.astype(np.int32), d.end.astype(np.int32)
    path = _file(folder, key)
    try:
        write_arrays(path, arrays)
        for old in folder.glob("facets-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def load(folder: Path, key: str) -> FacetIndex | None:
    """The index kept under ``key``, or None (none kept, another key, or a file that cannot be read)."""
    path = _file(folder, key)
    try:
        with np.load(path, allow_pickle=False) as z:
            if text_values(z["key"], 1) != [key]:
                return None
            names = {k.split(".")[0] for k in z.files if "." in k}
            dims: dict[str, _Dim] = {}
            for name in names:
                n = int(z[f"{name}.n"][0])
                years = f"{name}.start" in z.files
                dims[name] = _Dim(
                    np.asarray(z[f"{name}.ent"], dtype=np.int64),
                    np.asarray(z[f"{name}.val"], dtype=np.int64),
                    text_values(z[f"{name}.values"], n),
                    text_values(z[f"{name}.labels"], n),
                    np.asarray(z[f"{name}.start"], dtype=np.int64) if years else None,
                    np.asarray(z[f"{name}.end"], dtype=np.int64) if years else None,
                )
            ids_blob = z["ids"]
            ids = ids_blob.tobytes().decode("utf-8").split(SEP) if len(ids_blob) else []
        if set(dims) != _DIMS or any(len(d.ent) != len(d.val) for d in dims.values()):
            return None
        for d in dims.values():  # every pair points inside the lists it indexes
            if len(d.ent) and (int(d.ent.max()) >= len(ids) or int(d.val.max()) >= len(d.values)):
                return None
        return FacetIndex(ids, dims)
    except (OSError, ValueError, KeyError, IndexError, UnicodeDecodeError, zipfile.BadZipFile, EOFError):
        return None
