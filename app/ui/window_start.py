"""The window's start sequence: what runs after the list's first paint, and what after the graph's first picture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget

# The features a start loads after the first paint wait this long at most for the graph's first picture.
GRAPH_FIRST_MS = 500


class StartSequence(QObject):
    """Runs the steps the first paint does not need, in two queues and one step per event-loop turn.

    * ``after_first_paint(fn)``: once ``list_viewport`` has been painted (the graph, the year slider);
    * ``after_start(fn)``: once the graph has drawn its first picture (``watch_graph``), or
      GRAPH_FIRST_MS after it was built when a big network takes longer to lay out, or at once when
      another tab is on show: everything in menus and dialogs.

    Each step runs in its own turn of the event loop (a zero timer), so posted events, paints and
    keys go between two of them and never wait for more than one.
    """

    def __init__(self, list_viewport: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.painted = False  # the list has been painted once
        self.started = False  # the graph has drawn its first picture, or took too long
        self.pending = 0  # steps queued and not yet run
        self._after_paint: list[Callable[[], None]] = []
        self._after_start: list[Callable[[], None]] = []
        self._scheduled = False
        self._graph_viewport: QWidget | None = None
        self._graph_ready: Callable[[], bool] = lambda: False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(GRAPH_FIRST_MS)
        self._timer.timeout.connect(self._start_over)
        self._list_viewport = list_viewport
        list_viewport.installEventFilter(self)

    def after_first_paint(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` once the list has been painted for the first time (or soon, if it already was)."""
        self._queue(self._after_paint, fn)

    def after_start(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` once the graph has drawn its first picture (or soon, if it has)."""
        self._queue(self._after_start, fn)

    def watch_graph(self, canvas_viewport: QWidget, *, shown: bool, ready: Callable[[], bool]) -> None:
        """The graph is built: start the rest when ``canvas_viewport`` paints while ``ready()``, or
        GRAPH_FIRST_MS from now; at once when the graph is not ``shown`` (another tab is)."""
        if self.started:
            return
        if not shown:
            self._start_over()
            return
        self._timer.start()
        self._graph_ready = ready
        self._graph_viewport = canvas_viewport
        canvas_viewport.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            if not self.painted and obj is self._list_viewport:
                self.painted = True
                obj.removeEventFilter(self)
                self._timer.start()  # restarted when the graph is built (watch_graph)
                self._schedule()
            elif obj is self._graph_viewport and self._graph_ready():
                obj.removeEventFilter(self)
                self._graph_viewport = None
                QTimer.singleShot(0, self, self._start_over)  # after this paint is on screen
        return super().eventFilter(obj, event)

    def _queue(self, queue: list[Callable[[], None]], fn: Callable[[], Any]) -> None:
        self.pending += 1

        def run() -> None:
            try:
                fn()
            finally:
                self.pending -= 1

        queue.append(run)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled and self.painted and (self._after_paint or (self.started and self._after_start)):
            self._scheduled = True
            QTimer.singleShot(0, self, self._run_one)

    def _run_one(self) -> None:
        self._scheduled = False
        queue = self._after_paint or (self._after_start if self.started else [])
        if queue:
            try:
                queue.pop(0)()
            finally:
                self._schedule()

    def _start_over(self) -> None:
        if not self.started:
            self.started = True
            self._timer.stop()
            if self._graph_viewport is not None:
                self._graph_viewport.removeEventFilter(self)
                self._graph_viewport = None
            self._schedule()
