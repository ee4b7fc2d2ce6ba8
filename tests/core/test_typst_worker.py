"""The Typst worker's part, as the child it forks runs it (here in the test's own process, where the
mutation run can see it): each page of a part is written whole under its final name for the window
to read, or Typst's complaint is left in ``error.txt``."""

from __future__ import annotations

from pathlib import Path

from app.core.exports import typst_worker
from app.core.exports.typst_pool import fonts_dir

TWO_PAGES = '#set page(width: 120pt, height: 80pt)\n#set text(font: "Noto Sans")\nFirst\n#pagebreak()\nSecond\n'


def test_a_part_writes_each_page_under_its_final_name(tmp_path: Path) -> None:
    (tmp_path / "part-003.typ").write_text(TWO_PAGES, encoding="utf-8")
    assert typst_worker._one(tmp_path, 3, {"fmt": "svg"}, {}, str(fonts_dir())) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out-003-0000", "out-003-0001", "part-003.typ"]
    pages = [(tmp_path / f"out-003-000{p}").read_bytes() for p in (0, 1)]
    assert all(page.lstrip().startswith(b"<svg") for page in pages) and pages[0] != pages[1]


def test_a_part_typst_refuses_leaves_the_reason_and_no_page(tmp_path: Path) -> None:
    (tmp_path / "part-000.typ").write_text("#no-such-function()\n", encoding="utf-8")
    assert typst_worker._one(tmp_path, 0, {"fmt": "pdf"}, {}, str(fonts_dir())) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["error.txt", "part-000.typ"]
    assert "no-such-function" in (tmp_path / "error.txt").read_text(encoding="utf-8")


def test_the_worker_typesets_as_many_parts_at_once_as_it_is_told(tmp_path: Path, monkeypatch) -> None:
    """``typst_worker JOB_DIR PARALLEL``: a large summary's parts run PARALLEL at a time (one per core);
    without the number, one at a time."""
    import json

    (tmp_path / "job.json").write_text(json.dumps({"inputs": {}, "fonts": str(fonts_dir())}), encoding="utf-8")
    monkeypatch.setattr(typst_worker.os, "setpgid", lambda *_a: None)  # not the test's own process group
    monkeypatch.setattr(typst_worker, "_serve", lambda _job, parallel, _inputs, _fonts: parallel)
    assert typst_worker.main([str(tmp_path), "3"]) == 3
    assert typst_worker.main([str(tmp_path)]) == 1


def test_a_worker_over_its_memory_gives_back_what_typst_let_go(tmp_path: Path, monkeypatch) -> None:
    """After a part, a worker holding more than TRIM_MB returns its free memory to the system (the
    export's whole memory is what counts); under it, it keeps it for the next part (cheaper)."""
    import io
    import json
    import sys

    (tmp_path / "part-000.typ").write_text(TWO_PAGES, encoding="utf-8")
    (tmp_path / "part-001.typ").write_text(TWO_PAGES, encoding="utf-8")
    trims: list[int] = []
    monkeypatch.setattr(typst_worker, "_trim", lambda: trims.append(1))
    monkeypatch.setattr(sys, "stdout", io.StringIO())

    def serve(limit: float) -> int:
        trims.clear()
        monkeypatch.setattr(typst_worker, "TRIM_MB", limit)
        lines = "".join(json.dumps({"i": i, "fmt": "svg"}) + "\n" for i in (0, 1)).encode()
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
        assert typst_worker._serve(tmp_path, 1, {}, str(fonts_dir())) == 0
        return len(trims)

    assert serve(0) == 2  # every part: the worker is over a limit of nothing
    assert serve(1e9) == 0
    assert typst_worker._resident_mb() > 10  # and it does read its own size
