"""`alliance-atlas screenshot PATH`: render the real main window offscreen to a PNG."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from app.core.fileio import atomic_write, written_note
from app.paths import DataPaths

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
MAX_SIDE = 8000


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{2,5})\s*[xX×]\s*(\d{2,5})\s*", text or "")
    if not m:
        raise ValueError(f"--size must look like 1280x800, not '{text}'.")
    w, h = int(m.group(1)), int(m.group(2))
    if not (320 <= w <= MAX_SIDE and 240 <= h <= MAX_SIDE):
        raise ValueError(f"--size {w}x{h} is out of range (320x240 to {MAX_SIDE}x{MAX_SIDE}).")
    return w, h


def _wait(app: object, done: object, timeout_s: float = 10.0) -> bool:
    """Run the event loop until ``done()`` or the timeout (no display: nothing else to wait on)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s

    def check() -> None:
        if done() or time.monotonic() > deadline:  # type: ignore[operator]
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(20)
    loop.exec()
    timer.stop()
    return bool(done())  # type: ignore[operator]


def take_screenshot(
    paths: DataPaths,
    path: Path,
    *,
    size: str = "1280x800",
    select: str | None = None,
    query: str = "",
    tab: str | None = None,
    focus_depth: int = 0,
    present: Path | None = None,
    quiz: Path | None = None,
    step: int = 1,
    zoom: int = 100,
) -> int:
    """Render the window with ``select`` chosen, ``query`` typed and ``tab`` shown to the PNG ``path``."""
    try:
        w, h = parse_size(size)
    except ValueError as exc:
        print(f"alliance-atlas: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(path)
    if out.exists() and out.is_dir():
        print(f"alliance-atlas: {out} is a folder; give a file name ending in .png.", file=sys.stderr)
        return EXIT_USAGE
    if not out.parent.exists():
        print(f"alliance-atlas: the folder {out.parent} does not exist.", file=sys.stderr)
        return EXIT_USAGE
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or "QT_QPA_PLATFORM" not in os.environ:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from app.core.atlas import open_atlas

    atlas = open_atlas(paths)
    try:
        entity_id = None
        if select:
            entity_id = atlas.repo.resolve(select)
            if entity_id is None:
                print(
                    f"alliance-atlas: no entity called '{select}'. Try 'alliance-atlas search {select}'.",
                    file=sys.stderr,
                )
                return EXIT_USAGE
        from app.ui.main_window import MainWindow
        from app.ui.qt_app import make_application

        app = make_application()
        # A throwaway settings file: screenshots show the default layout, never the user's.
        with tempfile.TemporaryDirectory(prefix="atlas-shot-") as tmp:
            window = MainWindow(atlas, settings_path=Path(tmp) / "settings.ini")
            window.resize(w, h)
            window.show()
            window.apply_default_sizes()
            if zoom != 100:
                window.zoom_to(zoom)
            _wait(app, window.is_ready)  # the graph and other after-first-paint parts are in place
            if query:
                window.filter_pane.search.setText(query)
            _wait(app, lambda: not window.list_runner.busy)
            if entity_id:
                window.select_entity(entity_id)
            depth = focus_depth
            graph = window.graph_pane
            if depth and graph is not None:
                graph.set_focus_depth(depth)
            if tab:
                window.show_tab(tab)
            elif query:
                window.show_tab("search")
            if tab == "document" and entity_id and window.detail_pane.detail is not None:
                cites = window.detail_pane.detail.citations
                if cites:
                    window.detail_pane.follow_link(f"cite:{cites[0].number}")
            # Let facets, the passage search and any lazily loaded feature (graph) settle.
            _wait(app, window.is_idle)
            shot: Any = window
            if present is not None or quiz is not None:  # a lesson presented, or its quiz (issue 20)
                from app.core.errors import AtlasError
                from app.ui.lessons.shots import stage_lesson

                try:
                    lesson_file = Path(quiz or present)  # type: ignore[arg-type]
                    shot = stage_lesson(window, lesson_file, quiz=quiz is not None, step=step, size=(w, h))
                except AtlasError as exc:
                    print(f"alliance-atlas: {exc}", file=sys.stderr)
                    window.close()
                    return EXIT_USAGE
            start = time.monotonic()
            _wait(app, lambda: time.monotonic() - start > 0.4)
            pixmap = shot.grab()
            if pixmap.width() != w or pixmap.height() != h:
                pixmap = pixmap.scaled(w, h)
            window.close()
            # Encoded in memory, then written through a temporary file: a full disk gets its own
            # message (ENOSPC from our write, not a bare "could not save") and never a 0-byte PNG.
            from PySide6.QtCore import QBuffer, QByteArray, QIODevice

            data = QByteArray()
            buf = QBuffer(data)
            buf.open(QIODevice.OpenModeFlag.WriteOnly)
            if not pixmap.save(buf, "PNG"):
                print(f"alliance-atlas: could not encode the window as a PNG for {out}.", file=sys.stderr)
                return EXIT_ERROR
            buf.close()
            png = bytes(data.data())

            def write_png(fh: IO[Any]) -> None:
                fh.write(png)

            atomic_write(out, write_png, binary=True)
        print(f"Wrote {out} ({w}x{h}){written_note(out)}")
        return EXIT_OK
    finally:
        atlas.close()
