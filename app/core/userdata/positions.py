"""Graph positions the user dragged, per layout, kept in the user database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.core.userdata.database import UserData

Positions = dict[str, tuple[float, float]]


class GraphPositionsStore:
    """Dragged node positions (``UserData.graph_positions``). Safe to call from a worker thread:
    each call holds the user database's lock for one short statement."""

    def __init__(self, user_data: UserData) -> None:
        self.user_data = user_data

    def load(self, layout: str) -> Positions:
        """Positions the user dragged, for ``layout``."""
        with self.user_data.read() as con:
            rows = con.execute("SELECT entity_id, x, y FROM graph_position WHERE layout = ?", (layout,)).fetchall()
        return {str(e): (float(x), float(y)) for e, x, y in rows}

    def save(self, layout: str, positions: Mapping[str, tuple[float, float]]) -> None:
        """Remember these positions (others of the layout are kept)."""
        with self.user_data.transaction() as con:
            con.executemany(
                "INSERT INTO graph_position (layout, entity_id, x, y) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(layout, entity_id) DO UPDATE SET x = excluded.x, y = excluded.y",
                [(layout, e, float(x), float(y)) for e, (x, y) in positions.items()],
            )

    def clear(self, layout: str) -> int:
        """Forget the dragged positions of ``layout`` ("Reset layout"); returns how many were removed."""
        with self.user_data.transaction() as con:
            cur = con.execute("DELETE FROM graph_position WHERE layout = ?", (layout,))
        return int(cur.rowcount)
