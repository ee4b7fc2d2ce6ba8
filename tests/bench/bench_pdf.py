"""Benchmark: the Typst PDF summary against the Qt writer it replaced, same data, same run, each in its own process.

Run: python tests/bench/bench_pdf.py   (prints figures; not collected by pytest)

Each measurement runs in a fresh process so its peak resident memory (ru_maxrss) is its own:
the seed summary from the command line (budget: under 1 s), and 1,000 synthetic entities with the
network and timeline, continuous and handout, by the new writer (budget: at least twice as fast as
the old one, under 300 MB) and by the old one (tests/bench/qt_report_legacy.py).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def child(writer: str, handout: bool, out: str) -> None:
    """One export in this process; prints JSON with the wall time and peak RSS."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.core.atlas import open_atlas
    from app.core.query.filters import FilterSpec
    from app.paths import DataPaths

    t0 = time.perf_counter()
    atlas = open_atlas(DataPaths(Path(os.environ["BENCH_HOME"])).ensure(), rebuild_stale=False)
    if writer == "typst":
        from app.core.exports.report_data import ExportOptions
        from app.ui.report.report import export_pdf_headless

        export_pdf_headless(atlas, FilterSpec(), Path(out), ExportOptions(handout=handout))
    else:
        from tests.bench import qt_report_legacy as old

        old.ensure_application()
        old.load_fonts()
        options = old.ExportOptions(handout=handout)
        old.write_pdf(old.collect_report(atlas.repo, FilterSpec(), options), options, Path(out))
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_mb": usage.ru_maxrss / 1024}))


def measure(writer: str, handout: bool, home: Path, out: Path, env: dict[str, str]) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", writer, "1" if handout else "0", str(out)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env={**env, "BENCH_HOME": str(home)}, check=True)
    figures: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    figures["process_s"] = time.perf_counter() - t0
    import pypdf

    figures["pages"] = len(pypdf.PdfReader(str(out)).pages)
    return figures


def main() -> int:
    ok = True
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        from app.core.atlas import open_atlas
        from app.paths import DataPaths

        seed_home = root / "seed"
        open_atlas(DataPaths(seed_home).ensure()).close()  # build the seed database once
        cli = [sys.executable, "-m", "app", "--data-dir", str(seed_home), "export", "--format", "pdf"]
        subprocess.run([*cli, "-o", str(root / "warm.pdf")], env=env, check=True, capture_output=True)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([*cli, "-o", str(root / "seed.pdf")], env=env, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        best = min(times)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"(CPU of all CLI runs so far: {usage.ru_utime + usage.ru_stime:.2f} s for 4 runs)")
        ok &= best < 1.0
        print(
            f"seed summary from the CLI (whole process, best of 3): {best:.2f} s (budget 1 s: "
            f"{'OK' if best < 1.0 else 'OVER'}); runs {', '.join(f'{t:.2f}' for t in times)}"
        )

        from tests.synthetic import generate_reference

        synth = DataPaths(root / "synth").ensure()
        t = time.perf_counter()
        generate_reference(synth.reference_db, entities=1000, countries=150, memberships=5000, passages=10000, seed=1)
        print(f"(generated a 1,000-entity reference db in {time.perf_counter() - t:.1f} s)")
        env["ALLIANCE_ATLAS_REFERENCE"] = str(synth.reference_db)
        for handout in (False, True):
            label = "handout" if handout else "continuous"
            new = measure("typst", handout, synth.root, root / f"new-{label}.pdf", env)
            old = measure("qt", handout, synth.root, root / f"old-{label}.pdf", env)
            speedup = old["seconds"] / new["seconds"]
            cpu_speedup = old["cpu"] / new["cpu"]
            good = speedup >= 2 and new["rss_mb"] < 300
            ok &= good
            print(
                f"1,000 entities, {label}, with figures: Typst {new['seconds']:.2f} s ({new['cpu']:.2f} s CPU),"
                f" {new['pages']:.0f} pages, {new['rss_mb']:.0f} MB RSS | Qt {old['seconds']:.2f} s"
                f" ({old['cpu']:.2f} s CPU), {old['pages']:.0f} pages, {old['rss_mb']:.0f} MB RSS |"
                f" {speedup:.2f}x as fast ({cpu_speedup:.2f}x by CPU) (budget 2x, 300 MB: {'OK' if good else 'OVER'})"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3] == "1", sys.argv[4])
        sys.exit(0)
    sys.exit(main())
