"""share_width: a pane squeezed below its comfortable width takes room from the roomy ones."""

from __future__ import annotations

from app.ui.pane_widths import share_width


def test_nothing_moves_when_every_pane_is_comfortable():
    assert share_width(1000, [200, 400, 400], [180, 300, 300], [150, 200, 200]) == [200, 400, 400]


def test_a_squeezed_pane_takes_room_from_the_roomy_one():
    out = share_width(1000, [200, 700, 100], [180, 300, 360], [150, 200, 250])
    assert sum(out) == 1000
    assert out[2] == 360  # raised to its comfortable width
    assert out[0] >= 180 and out[1] >= 300
    assert out[1] < 700  # the roomy list gave most of it


def test_not_enough_room_for_comfort_shares_above_the_minimums():
    out = share_width(700, [200, 300, 200], [200, 400, 400], [150, 200, 250])
    assert sum(out) == 700
    assert all(o >= m for o, m in zip(out, [150, 200, 250], strict=True))


def test_totals_are_respected_after_scaling():
    out = share_width(900, [300, 300, 300, 300], [100, 100, 100, 100], [50, 50, 50, 50])
    assert sum(out) == 900 and all(o >= 100 for o in out)
