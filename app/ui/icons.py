"""Icons and colours per entity kind, loaded once from resources/icons."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QIcon

from app.paths import resources_dir

KIND_COLOURS = {
    "alliance": "#2f6fd6",
    "organisation": "#1a9c8c",
    "partnership": "#e08a1e",
    "treaty": "#8a5cc7",
    "provision": "#b08ad9",
    "event": "#d6453d",
    "country": "#3f9b4a",
    "actor": "#6b7480",
}


@cache
def kind_icon(kind: str) -> QIcon:
    path = resources_dir() / "icons" / f"kind-{kind}.svg"
    return QIcon(str(path)) if path.exists() else QIcon(str(resources_dir() / "icons" / "kind-actor.svg"))


def kind_colour(kind: str) -> QColor:
    return QColor(KIND_COLOURS.get(kind, "#6b7480"))
