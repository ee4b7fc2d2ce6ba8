"""Icons and colours per entity kind, loaded once from resources/icons."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QColor, QIcon

from app.core.vocab import KIND_STYLES
from app.paths import resources_dir


@cache
def kind_icon(kind: str) -> QIcon:
    path = resources_dir() / "icons" / f"kind-{kind}.svg"
    return QIcon(str(path)) if path.exists() else QIcon(str(resources_dir() / "icons" / "kind-actor.svg"))


def kind_colour(kind: str) -> QColor:
    """The kind's colour (app.core.vocab); an unknown kind is drawn as an other actor."""
    return QColor((KIND_STYLES.get(kind) or KIND_STYLES["actor"]).colour)
