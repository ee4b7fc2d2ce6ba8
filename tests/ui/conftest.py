"""UI fixtures: a real MainWindow over a fresh data dir, closed and drained after each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.atlas import Atlas


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


@pytest.fixture
def window(qtbot, atlas: Atlas, settings_path: Path) -> Iterator[object]:
    from app.ui.main_window import MainWindow

    w = MainWindow(atlas, settings_path=settings_path)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(w.is_ready, timeout=10000)  # deferred steps (graph, year slider, exports) done
    yield w
    w.close()
    w.pool.waitForDone(5000)


@pytest.fixture
def settle(qtbot):
    """settle(window): wait until the list and the (debounced) facets and search have caught up."""

    def wait(window) -> None:
        qtbot.waitUntil(window.is_idle, timeout=5000)

    return wait


@pytest.fixture(autouse=True)
def _plain_application(qapp):
    """Every test starts from the plain application: a test that applies the real look (or runs the
    screenshot command, which does) leaves no style sheet, font or palette to the tests after it."""
    sheet, font, palette = qapp.styleSheet(), qapp.font(), qapp.palette()
    yield
    if qapp.styleSheet() != sheet:
        qapp.setStyleSheet(sheet)
    if qapp.font() != font:
        qapp.setFont(font)
    if qapp.palette() != palette:
        qapp.setPalette(palette)
