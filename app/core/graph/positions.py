"""Where the user dragged graph nodes, per layout, kept in the user database (Qt-free)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from contextlib import closing
from pathlib import Path
from typing import Protocol

import networkx as nx

from app.core.db import open_user_connection
from app.core.graph.layout import SEED, Positions, compute_layout


class PositionStore(Protocol):
    """Dragged positions per layout (the graph pane's only storage)."""

    def load(self, layout: str) -> Positions: ...

    def save(self, layout: str, positions: Mapping[str, tuple[float, float]]) -> None: ...

    def clear(self, layout: str) -> int: ...


class UserDbPositions:
    """:class:`PositionStore` on the user database file."""

    def __init__(self, user_db: Path) -> None:
        self.user_db = user_db

    def load(self, layout: str) -> Positions:
        return load_positions(self.user_db, layout)

    def save(self, layout: str, positions: Mapping[str, tuple[float, float]]) -> None:
        save_positions(self.user_db, layout, positions)

    def clear(self, layout: str) -> int:
        return clear_positions(self.user_db, layout)


def load_positions(user_db: Path, layout: str) -> Positions:
    """Positions the user dragged, for ``layout``."""
    with closing(open_user_connection(user_db)) as con:
        rows = con.execute("SELECT entity_id, x, y FROM graph_position WHERE layout = ?", (layout,)).fetchall()
    return {str(e): (float(x), float(y)) for e, x, y in rows}


def save_positions(user_db: Path, layout: str, positions: Mapping[str, tuple[float, float]]) -> None:
    with closing(open_user_connection(user_db)) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            con.executemany(
                "INSERT INTO graph_position (layout, entity_id, x, y) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(layout, entity_id) DO UPDATE SET x = excluded.x, y = excluded.y",
                [(layout, e, float(x), float(y)) for e, (x, y) in positions.items()],
            )
            con.execute("COMMIT")
        except sqlite3.Error:
            con.execute("ROLLBACK")
            raise


def clear_positions(user_db: Path, layout: str) -> int:
    """Forget the dragged positions of ``layout`` ("Reset layout"); returns how many were removed."""
    with closing(open_user_connection(user_db)) as con:
        con.execute("BEGIN IMMEDIATE")
        cur = con.execute("DELETE FROM graph_position WHERE layout = ?", (layout,))
        con.execute("COMMIT")
    return int(cur.rowcount)


def positions_for(graph: nx.Graph, layout: str, user_db: Path | None = None, *, seed: int = SEED) -> Positions:
    """Computed layout with the user's dragged positions on top."""
    pos = compute_layout(graph, layout, seed=seed)
    if user_db is not None:
        pos.update({k: v for k, v in load_positions(user_db, layout).items() if k in pos})
    return pos
