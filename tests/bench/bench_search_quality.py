"""Benchmark: search quality on the judgement set, and search latency at 10,000 entities.

Run on purpose: ``python tests/bench/bench_search_quality.py [-v]``. Prints success@3 and nDCG@10
for entities and passages over tests/core/search_judgements.py (goal: success@3 >= 0.9 for both),
then the p50/p95 time of a ranked entity search (the list), its count, and a passage search over the
synthetic 10,000-entity database (tests/synthetic.py), for the judgement queries and half-typed ones
(goal: p95 < 30 ms).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.atlas import open_atlas
from app.core.query.filters import FilterSpec
from app.core.reference.build import build_reference
from app.paths import PROJECT_ROOT, DataPaths
from tests.core.search_judgements import JUDGEMENTS
from tests.core.test_search_quality import evaluate

TYPED = ["allian", "secur", "joint exer", "peacek", "zzz", "-naval", '"a b', "NEAR(", "CSTO OR"]
LATENCY_QUERIES = [j.query for j in JUDGEMENTS] + TYPED


def quality(root: Path, verbose: bool) -> None:
    paths = DataPaths(root / "seed").ensure()
    build_reference(PROJECT_ROOT / "seeds", paths.reference_db)
    atlas = open_atlas(paths, rebuild_stale=False)
    try:
        result = evaluate(atlas.repo)
    finally:
        atlas.close()
    print(f"judgement set: {len(JUDGEMENTS)} queries (seed corpus)")
    for what, r in result.items():
        print(f"  {what:9} success@3 {r['success@3']:.3f}   nDCG@10 {r['nDCG@10']:.3f}   ({int(r['queries'])} judged)")  # type: ignore[arg-type]
        if r["misses"]:
            print(f"            not in the top 3: {', '.join(r['misses'])}")  # type: ignore[arg-type]


def latency(root: Path, verbose: bool) -> None:
    from tests.synthetic import generate_reference

    paths = DataPaths(root / "synthetic").ensure()
    t0 = time.perf_counter()
    generate_reference(paths.reference_db)
    print(f"synthetic reference (10,000 entities) generated in {time.perf_counter() - t0:.1f} s")
    atlas = open_atlas(paths, rebuild_stale=False)
    repo = atlas.repo
    try:
        print(f"  entities: {repo.total_entities():,}")
        timings: dict[str, list[float]] = {"list (ranked, 200 rows)": [], "count": [], "passages (50)": []}
        for _round in range(2):  # the first round warms the page cache
            for typing in (False, True):
                for q in LATENCY_QUERIES:
                    spec = FilterSpec(text=q, sort="rank", typing=typing)
                    for label, run in (
                        ("list (ranked, 200 rows)", lambda: repo.list_entities(spec, limit=200)),
                        ("count", lambda: repo.count_entities(spec)),
                        ("passages (50)", lambda: repo.passage_search(q, limit=50, typing=typing)),
                    ):
                        t = time.perf_counter()
                        run()
                        ms = (time.perf_counter() - t) * 1000
                        if _round:
                            timings[label].append(ms)
                        if verbose and _round and ms > 30:
                            print(f"    slow: {label} {q!r} typing={typing}: {ms:.1f} ms")
        for label, ms in timings.items():
            ms.sort()
            p95 = ms[int(0.95 * (len(ms) - 1))]
            p50 = statistics.median(ms)
            print(f"  {label:24} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {ms[-1]:6.1f} ms  ({len(ms)} runs)")
    finally:
        atlas.close()


def main() -> int:
    verbose = "-v" in sys.argv
    root = Path(tempfile.mkdtemp(prefix="atlas-search-quality-"))
    try:
        quality(root, verbose)
        latency(root, verbose)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
