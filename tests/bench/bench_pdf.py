"""Benchmark: PDF summary of all seed entities with graph (< 2 s) and of 1,000 synthetic entities (< 15 s), with memory.

Run: python tests/bench/bench_pdf.py   (prints figures; not collected by pytest)
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.atlas import open_atlas
from app.core.query.filters import FilterSpec
from app.paths import DataPaths
from app.ui.application import make_application
from app.ui.report.report import ExportOptions, collect_report, load_fonts, write_pdf


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run(label: str, atlas, spec: FilterSpec, options: ExportOptions, out: Path, budget: float) -> bool:
    tracemalloc.start()
    t0 = time.perf_counter()
    data = collect_report(atlas.repo, spec, options, user_data=atlas.user_data)
    t1 = time.perf_counter()
    write_pdf(data, options, out)
    t2 = time.perf_counter()
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    import pypdf

    pages = len(pypdf.PdfReader(str(out)).pages)
    ok = t2 - t0 < budget
    print(
        f"{label}: {len(data.details)} entities, {pages} pages, {out.stat().st_size / 1e6:.2f} MB; "
        f"read {t1 - t0:.2f} s + layout/paint/write {t2 - t1:.2f} s = {t2 - t0:.2f} s "
        f"(budget {budget:.0f} s: {'OK' if ok else 'OVER'}); Python peak {peak / 1e6:.1f} MB, "
        f"process max RSS {rss_mb():.0f} MB"
    )
    return ok


def main() -> int:
    make_application(headless=True)
    load_fonts()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed = open_atlas(DataPaths(root / "seed").ensure())
        # Warm-up (imports, font loading) is not what a user waits for twice.
        write_pdf(
            collect_report(seed.repo, FilterSpec(ids=("nato",)), ExportOptions()), ExportOptions(), root / "w.pdf"
        )
        ok &= run("seed, continuous, with graph", seed, FilterSpec(), ExportOptions(), root / "seed.pdf", 2.0)
        ok &= run("seed, handout, with graph", seed, FilterSpec(), ExportOptions(handout=True), root / "h.pdf", 2.0)
        seed.close()
        try:
            from tests.synthetic import generate_reference
        except ImportError:
            print("tests.synthetic is missing: skipped the 1,000-entity run")
            return 0 if ok else 1
        paths = DataPaths(root / "synth").ensure()
        t = time.perf_counter()
        generate_reference(paths.reference_db, entities=1000, countries=150, memberships=5000, passages=10000, seed=1)
        print(f"(generated a 1,000-entity reference db in {time.perf_counter() - t:.1f} s)")
        os.environ["ALLIANCE_ATLAS_REFERENCE"] = str(paths.reference_db)
        synth = open_atlas(paths, rebuild_stale=False)
        ok &= run("1,000 synthetic, continuous, with graph", synth, FilterSpec(), ExportOptions(), root / "s.pdf", 15.0)
        handout = ExportOptions(handout=True, include_graph=False)
        ok &= run("1,000 synthetic, handout, no graph", synth, FilterSpec(), handout, root / "s2.pdf", 15.0)
        synth.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
