"""EntityMatches: the list's answer to a filter, every matching id in order and the rows paged in as needed."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload

from app.core.query.filters import FilterSpec
from app.core.query.views import EntityRow

PAGE = 200  # rows read at a time: the first page fills a tall list, the next as it scrolls into view
_BULK = 2000  # rows per read when every row is wanted (iteration)

RowLoader = Callable[[list[str]], list[EntityRow]]


class EntityMatches(Sequence[EntityRow]):
    """Every entity a filter matches, as a sequence of rows in the list's order.

    The ids are all known (one cheap query: the count, the order, selection by id and the graph's
    matches need nothing more); a row's values are read only when asked for, a page at a time, by
    ``load`` (ids → their rows, any order). ``page_of``/``store`` let a caller read a page elsewhere
    (a worker thread) and hand it in; indexing or iterating reads what is missing at once."""

    def __init__(
        self,
        spec: FilterSpec,
        ids: list[str],
        load: RowLoader | None = None,
        first: Sequence[EntityRow] = (),
        locate: Callable[[str], int | None] | None = None,
    ) -> None:
        self.spec = spec
        self.ids = ids
        self._load = load
        self._rows: list[EntityRow | None] = [*first, *([None] * (len(ids) - len(first)))]
        self._index: dict[str, int] | None = None
        self._locate = locate  # id -> row without a dict of every id (the order by name: a bisection)

    @classmethod
    def of_rows(cls, rows: Sequence[EntityRow], spec: FilterSpec | None = None) -> EntityMatches:
        """Matches whose rows are all known already."""
        return cls(spec or FilterSpec(), [r.id for r in rows], None, rows)

    # ---- the sequence ---------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, i: int) -> EntityRow: ...

    @overload
    def __getitem__(self, i: slice) -> list[EntityRow]: ...

    def __getitem__(self, i: int | slice) -> EntityRow | list[EntityRow]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self.ids)))]
        if i < 0:
            i += len(self.ids)
        if not 0 <= i < len(self.ids):
            raise IndexError(i)
        row = self._rows[i]
        if row is None:
            start = i - i % PAGE
            self._fill(start, min(len(self.ids), start + PAGE))
            row = self._rows[i]
            assert row is not None
        return row

    def __iter__(self) -> Iterator[EntityRow]:
        for start in range(0, len(self.ids), _BULK):
            end = min(len(self.ids), start + _BULK)
            if any(r is None for r in self._rows[start:end]):
                self._fill(start, end)
            for row in self._rows[start:end]:
                assert row is not None  # every one filled just now
                yield row

    # ---- paging ---------------------------------------------------------------------------
    def loaded(self, i: int) -> EntityRow | None:
        """Row ``i`` if it has been read, else None (never reads)."""
        return self._rows[i] if 0 <= i < len(self._rows) else None

    def complete(self) -> bool:
        """Every row has been read."""
        return None not in self._rows

    def page_of(self, i: int) -> tuple[int, list[str]]:
        """(first row, ids) of the page holding row ``i``."""
        start = i - i % PAGE
        return start, self.ids[start : start + PAGE]

    def store(self, start: int, rows: Sequence[EntityRow], count: int | None = None) -> None:
        """Rows read elsewhere (any order) for the ``count`` ids from ``start`` (default: as many as rows)."""
        by_id = {r.id: r for r in rows}
        for k in range(start, min(len(self.ids), start + (len(rows) if count is None else count))):
            row = by_id.get(self.ids[k])
            if row is not None:
                self._rows[k] = row

    def index_of(self, entity_id: str) -> int | None:
        if self._locate is not None:
            return self._locate(entity_id)
        if self._index is None:  # made when first asked, at C speed
            self._index = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._index.get(entity_id)

    def _fill(self, start: int, end: int) -> None:
        if self._load is None:
            raise LookupError("these matches have no way to read their rows")
        self.store(start, self._load(self.ids[start:end]), end - start)
        for k in range(start, end):  # removed since the ids were read (another window): a bare row
            if self._rows[k] is None:
                self._rows[k] = EntityRow(self.ids[k], self.ids[k], "", None, None, None, 0, None, None, 0)
