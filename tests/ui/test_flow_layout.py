"""The graph's control row wraps onto as many rows as the pane's width needs (FlowLayout)."""

from __future__ import annotations

import itertools

from PySide6.QtWidgets import QPushButton, QWidget

from app.ui.flow_layout import FlowLayout


def _row(qtbot, labels):  # type: ignore[no-untyped-def]
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host)
    flow.setContentsMargins(4, 4, 4, 4)
    buttons = [QPushButton(text, host) for text in labels]
    for b in buttons:
        flow.addWidget(b)
    return host, flow, buttons


def _rows(buttons):  # type: ignore[no-untyped-def]
    return len({b.geometry().top() for b in buttons if b.isVisible()})


def test_wide_enough_one_row_narrow_several_and_nothing_overlaps(qtbot) -> None:  # type: ignore[no-untyped-def]
    labels = ["Force-directed", "All nodes", "Why connected?", "Fit", "Reset layout", "Export"]
    host, flow, buttons = _row(qtbot, labels)
    total = sum(b.sizeHint().width() for b in buttons)
    host.resize(total + 200, flow.heightForWidth(total + 200))
    host.show()
    qtbot.waitExposed(host)
    assert _rows(buttons) == 1
    one_row = flow.heightForWidth(total + 200)

    narrow = max(b.sizeHint().width() for b in buttons) + 8
    host.resize(narrow, flow.heightForWidth(narrow))
    qtbot.waitUntil(lambda: _rows(buttons) == len(buttons), timeout=3000)  # one control per row
    assert flow.heightForWidth(narrow) > 3 * one_row  # the pane asks for the height the rows need
    for b in buttons:  # every control keeps its whole label and lies inside the row's width
        assert b.width() >= b.sizeHint().width() and b.geometry().right() <= narrow
    for a, b in itertools.pairwise(buttons):
        assert not a.geometry().intersects(b.geometry())


def test_a_hidden_control_leaves_no_gap(qtbot) -> None:  # type: ignore[no-untyped-def]
    host, flow, (first, hidden, last) = _row(qtbot, ["First", "Clear chain", "Last"])
    hidden.setVisible(False)
    host.resize(600, 60)
    host.show()
    qtbot.waitExposed(host)
    qtbot.waitUntil(lambda: last.geometry().left() < first.geometry().right() + 30, timeout=3000)
    assert flow.count() == 3 and flow.itemAt(3) is None and flow.takeAt(7) is None
