"""Starting the window: one clear line, not a Qt abort, where there is no display."""

from __future__ import annotations

import pytest

from app.ui.application import run_gui


def test_no_display_says_so_in_one_line(monkeypatch, data_paths, capsys):
    monkeypatch.setattr("sys.platform", "linux")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert run_gui(data_paths) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "needs a display" in err and "alliance-atlas search NATO" in err


@pytest.mark.parametrize("name", ["DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"])
def test_a_display_or_platform_lets_it_start(monkeypatch, name):
    from app.ui.application import missing_display

    monkeypatch.setattr("sys.platform", "linux")
    for other in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, ":0" if name != "QT_QPA_PLATFORM" else "offscreen")
    assert missing_display() is None
