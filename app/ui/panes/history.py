"""Browser-style back/forward history of selected entities."""

from __future__ import annotations


class SelectionHistory:
    """A list of visited entity ids with a cursor; visiting after going back drops the forward part."""

    def __init__(self, limit: int = 200) -> None:
        self._items: list[str] = []
        self._index = -1
        self._limit = limit

    def visit(self, entity_id: str) -> None:
        if self._index >= 0 and self._items[self._index] == entity_id:
            return
        del self._items[self._index + 1 :]
        self._items.append(entity_id)
        if len(self._items) > self._limit:
            del self._items[0 : len(self._items) - self._limit]
        self._index = len(self._items) - 1

    def can_go_back(self) -> bool:
        return self._index > 0

    def can_go_forward(self) -> bool:
        return self._index < len(self._items) - 1

    def back(self) -> str | None:
        if not self.can_go_back():
            return None
        self._index -= 1
        return self._items[self._index]

    def forward(self) -> str | None:
        if not self.can_go_forward():
            return None
        self._index += 1
        return self._items[self._index]

    @property
    def current(self) -> str | None:
        return self._items[self._index] if self._index >= 0 else None

    def __len__(self) -> int:
        return len(self._items)
