"""The Typst worker's part, as the child it forks runs it (here in the test's own process, where the
mutation run can see it): each page of a part is written whole under its final name for the window
to read, or Typst's complaint is left in ``error.txt``."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf

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
    """After each part the worker checks its size: over TRIM_MB, and grown TRIM_STEP_MB since it
    last trimmed, it returns its free memory to the system (the export's whole memory is what
    counts); under it, or hovering at it, it keeps it for the next part (cheaper)."""
    import io
    import json
    import sys

    for i in range(4):
        (tmp_path / f"part-{i:03d}.typ").write_text(TWO_PAGES, encoding="utf-8")
    # The worker's size as each part ends, and after each trim: 150, over, trimmed to 90; 105 and
    # 110, over but within a step of 90 (hovering): kept; 120, a step above: trimmed to 92.
    sizes = iter([150.0, 90.0, 105.0, 110.0, 120.0, 92.0])
    trims: list[int] = []
    monkeypatch.setattr(typst_worker, "_trim", lambda: trims.append(1))
    monkeypatch.setattr(typst_worker, "_resident_mb", lambda: next(sizes))
    monkeypatch.setattr(typst_worker, "_trimmed_to", [0.0])
    monkeypatch.setattr(typst_worker, "TRIM_MB", 100)
    monkeypatch.setattr(typst_worker, "TRIM_STEP_MB", 25)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    lines = "".join(json.dumps({"i": i, "fmt": "svg"}) + "\n" for i in range(4)).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines)))
    assert typst_worker._serve(tmp_path, 1, {}, str(fonts_dir())) == 0
    assert len(trims) == 2
    assert next(sizes, None) is None  # every part was checked


def test_the_worker_reads_its_own_size_and_trims_without_harm() -> None:
    assert typst_worker._resident_mb() > 10
    typst_worker._trim()  # glibc's malloc_trim here; nothing where there is none


def test_a_worker_started_early_is_taken_with_the_drawings_given_later() -> None:
    from app.core.exports import typst_pool

    typst_pool.prestart()
    spare = typst_pool._spare[0]
    assert "inputs" not in (Path(spare.folder.name) / "job.json").read_text(encoding="utf-8")
    source = '#set page(width: 200pt, height: 80pt)\n#set text(font: "Noto Sans")\n#sys.inputs.at("network")\n'
    jobs = [{"fmt": "pdf", "ua": False}] * 2
    out = typst_pool.compile_all([source, source], jobs, {"network": "drawn late"}, isolated=True)
    assert not typst_pool._spare and spare.proc.poll() is not None  # taken, then ended with its pool
    for pages in out:  # both threads had the drawings, given after the worker started
        assert "drawn late" in pypdf.PdfReader(io.BytesIO(pages[0])).pages[0].extract_text()


def test_a_worker_started_early_and_not_needed_ends_and_leaves_no_folder() -> None:
    from app.core.exports import typst_pool

    typst_pool.prestart()
    spare = typst_pool._spare[0]
    folder = Path(spare.folder.name)
    assert folder.exists()
    typst_pool.discard_spare()
    assert spare.proc.poll() == 0 and not folder.exists() and not typst_pool._spare
    typst_pool.discard_spare()  # nothing to end: no error
