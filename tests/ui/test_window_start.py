"""StartSequence alone, with plain widgets: the order of the start's steps and what they wait for."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from app.ui import window_start
from app.ui.window_start import StartSequence


def _shown(qtbot, size=(200, 100)) -> QWidget:  # type: ignore[no-untyped-def]
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(*size)
    return w


def test_steps_wait_for_the_first_paint_then_for_the_graphs_picture(qtbot) -> None:  # type: ignore[no-untyped-def]
    lst, canvas = _shown(qtbot), _shown(qtbot)
    seq = StartSequence(lst)
    ran: list[str] = []
    seq.after_start(lambda: ran.append("menus"))
    seq.after_first_paint(lambda: ran.append("graph"))
    qtbot.wait(50)
    assert ran == [] and seq.pending == 2  # nothing before the list is painted

    lst.show()
    qtbot.waitUntil(lambda: ran == ["graph"], timeout=5000)
    ready = [False]
    seq.watch_graph(canvas, shown=True, ready=lambda: ready[0])
    canvas.show()
    canvas.repaint()  # painted before the graph is laid out: the menus keep waiting
    qtbot.wait(30)
    assert ran == ["graph"] and not seq.started

    ready[0] = True
    canvas.repaint()  # the first picture of the graph
    qtbot.waitUntil(lambda: ran == ["graph", "menus"], timeout=5000)
    assert seq.started and seq.pending == 0
    seq.after_start(lambda: ran.append("late"))  # queued after the start: runs soon
    qtbot.waitUntil(lambda: ran[-1] == "late", timeout=5000)


def test_the_rest_does_not_wait_for_a_graph_not_on_show_or_too_slow(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    lst, canvas = _shown(qtbot), _shown(qtbot)
    seq = StartSequence(lst)
    ran: list[str] = []
    seq.after_start(lambda: ran.append("menus"))
    lst.show()
    qtbot.waitUntil(lambda: seq.painted, timeout=5000)
    seq.watch_graph(canvas, shown=False, ready=lambda: False)  # another tab: nothing to wait for
    qtbot.waitUntil(lambda: ran == ["menus"], timeout=5000)

    monkeypatch.setattr(window_start, "GRAPH_FIRST_MS", 50)
    lst2 = _shown(qtbot)
    slow = StartSequence(lst2)
    slow.after_start(lambda: ran.append("after the wait"))
    lst2.show()
    qtbot.waitUntil(lambda: slow.painted, timeout=5000)
    slow.watch_graph(canvas, shown=True, ready=lambda: False)  # a big network, still being laid out
    qtbot.waitUntil(lambda: ran[-1] == "after the wait", timeout=5000)


def test_each_step_has_its_own_turn_of_the_event_loop(qtbot) -> None:  # type: ignore[no-untyped-def]
    lst = _shown(qtbot)
    seq = StartSequence(lst)
    ran: list[str] = []

    def first() -> None:
        ran.append("first")
        QTimer.singleShot(0, lambda: ran.append("an event posted by the first"))

    seq.after_first_paint(first)
    seq.after_first_paint(lambda: ran.append("second"))
    lst.show()
    qtbot.waitUntil(lambda: len(ran) == 3, timeout=5000)
    assert ran == ["first", "an event posted by the first", "second"]
