"""Saved filters: name the current FilterSpec, list and recall it, kept in the user database."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.core.db import open_user_connection
from app.core.errors import AtlasError, classify
from app.core.query.filters import FilterSpec

MAX_NAME = 120


@dataclass(frozen=True)
class SavedFilter:
    name: str
    spec: FilterSpec
    created_at: str


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise AtlasError("A saved filter needs a name.")
    if len(cleaned) > MAX_NAME:
        raise AtlasError(f"A saved filter's name can be at most {MAX_NAME} characters.")
    return cleaned


def save_filter(user_db: Path, name: str, spec: FilterSpec) -> SavedFilter:
    """Save (or replace) the filter called ``name``; returns what was stored."""
    clean = _clean_name(name)
    created = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        with closing(open_user_connection(user_db)) as con:
            con.execute("BEGIN")
            con.execute(
                "INSERT INTO saved_filter (name, spec_json, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET spec_json = excluded.spec_json, created_at = excluded.created_at",
                (clean, spec.to_json(), created),
            )
            con.execute("COMMIT")
    except Exception as exc:
        err = classify(exc, "the notes database")
        if err is None:
            raise
        raise err from exc
    return SavedFilter(clean, spec, created)


def list_filters(user_db: Path) -> list[SavedFilter]:
    """Every saved filter, by name. A row that no longer parses is skipped rather than fatal."""
    try:
        with closing(open_user_connection(user_db)) as con:
            rows = con.execute(
                "SELECT name, spec_json, created_at FROM saved_filter ORDER BY name COLLATE NOCASE"
            ).fetchall()
    except Exception as exc:
        err = classify(exc, "the notes database")
        if err is None:
            raise
        raise err from exc
    out = []
    for name, spec_json, created in rows:
        try:
            out.append(SavedFilter(name, FilterSpec.from_json(spec_json), created))
        except (ValueError, TypeError):
            continue
    return out


def delete_filter(user_db: Path, name: str) -> bool:
    """Delete the saved filter ``name``; False if there was none."""
    try:
        with closing(open_user_connection(user_db)) as con:
            con.execute("BEGIN")
            cur = con.execute("DELETE FROM saved_filter WHERE name = ?", (name,))
            con.execute("COMMIT")
    except Exception as exc:
        err = classify(exc, "the notes database")
        if err is None:
            raise
        raise err from exc
    return cur.rowcount > 0
