"""Saved filters: name the current FilterSpec, list and recall it, kept in the user database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from app.core.errors import AtlasError
from app.core.query.filters import FilterSpec

if TYPE_CHECKING:
    from app.core.userdata.database import UserData

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


class SavedFiltersStore:
    """The saved filters of one user database (``UserData.saved_filters``)."""

    def __init__(self, user_data: UserData) -> None:
        self.user_data = user_data

    def save(self, name: str, spec: FilterSpec) -> SavedFilter:
        """Save (or replace) the filter called ``name``; returns what was stored."""
        clean = _clean_name(name)
        created = datetime.now(UTC).isoformat(timespec="seconds")
        with self.user_data.transaction() as con:
            con.execute(
                "INSERT INTO saved_filter (name, spec_json, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET spec_json = excluded.spec_json, created_at = excluded.created_at",
                (clean, spec.to_json(), created),
            )
        return SavedFilter(clean, spec, created)

    def list(self) -> list[SavedFilter]:
        """Every saved filter, by name. A row that no longer parses is skipped rather than fatal."""
        with self.user_data.read() as con:
            rows = con.execute(
                "SELECT name, spec_json, created_at FROM saved_filter ORDER BY name COLLATE NOCASE"
            ).fetchall()
        out = []
        for name, spec_json, created in rows:
            try:
                out.append(SavedFilter(name, FilterSpec.from_json(spec_json), created))
            except (ValueError, TypeError):
                continue
        return out

    def get(self, name: str) -> SavedFilter | None:
        """The saved filter called ``name`` (spaces normalised), or None."""
        wanted = " ".join(name.split())
        return next((f for f in self.list() if f.name == wanted), None)

    def delete(self, name: str) -> bool:
        """Delete the saved filter ``name``; False if there was none."""
        with self.user_data.transaction() as con:
            cur = con.execute("DELETE FROM saved_filter WHERE name = ?", (name,))
        return cur.rowcount > 0
