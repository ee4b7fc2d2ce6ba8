"""The graph's As of year (``FilterSpec.as_of``): only the ties in force that year are drawn, their mask
read off the GUI thread; and the marker scale of a crowded graph."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QThreadPool

from app.core.graph.model import GraphData
from app.ui.graph.graph_parts import GraphParts
from app.ui.jobs import JobRunner

if TYPE_CHECKING:
    pass


class AsOfTiesMixin(GraphParts):
    """Part of GraphPane (app.ui.graph.graph_pane): ``_tie_mask`` (None: every tie) is applied in its
    ``_update_view``; ``set_matches`` calls :meth:`set_as_of` when the filter's year changes."""

    def _start_as_of(self, pool: QThreadPool) -> JobRunner:
        self._as_of: int | None = None
        self._tie_mask = None
        return JobRunner(pool, on_error=self._layout_failed, parent=self)

    def set_as_of(self, year: int | None) -> None:
        """Draw only the ties in force in ``year`` (None: every tie); read off the GUI thread."""
        self._as_of = year
        if year is None:
            self._as_of_runner.cancel()
            self._tie_mask = None
            if self.loaded and len(self._drawn):
                self._update_view()
            return
        self._read_ties_in_force(year)

    def _read_ties_in_force(self, year: int) -> None:
        repo, data = self._repo, self.data

        def read() -> tuple[GraphData, np.ndarray]:
            return data, data.pair_mask(repo.relation_pairs(as_of=year))

        def apply(result: tuple[GraphData, np.ndarray]) -> None:
            if result[0] is not self.data or self._as_of != year:
                return  # for a network since replaced, or a year since changed
            self._tie_mask = result[1]
            if self.loaded and len(self._drawn):
                self._update_view()

        self._as_of_runner.submit(read, apply)

    def is_as_of_ready(self) -> bool:
        """The ties of the As of year are applied (tests, benchmarks)."""
        return not self._as_of_runner.busy


def crowding_scale(nodes: int, *, roomy: int = 400, least: float = 0.55) -> float:
    """Marker scale for a graph of ``nodes``: 1 up to ``roomy`` nodes, shrinking with the square root
    of the crowd (the area each marker gets), never below ``least``."""
    return 1.0 if nodes <= roomy else max(least, (roomy / nodes) ** 0.5)
