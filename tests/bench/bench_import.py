"""Benchmark: importing your own documents, mentions and suggestions included.

Run on purpose: ``python tests/bench/bench_import.py``. Prints figures; asserts nothing.
Targets (issue 15): one 1 MB text document < 2 s; 100 documents (10 MB in all) < 60 s.
The documents are written here from the seed texts (so they name the atlas's entities) plus
sentences that define new acronyms with years and members, so suggestions have work to do.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from app.core.atlas import open_atlas
from app.core.reference.build import build_reference
from app.core.sources.service import import_paths
from app.paths import PROJECT_ROOT, DataPaths

SEEDS = PROJECT_ROOT / "seeds"


def corpus_text(size: int, salt: int) -> str:
    """About ``size`` characters: seed paragraphs interleaved with new, defined alliances."""
    paragraphs = []
    for path in sorted(SEEDS.glob("*.txt")) + sorted(SEEDS.glob("*.md")):
        paragraphs += [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    out: list[str] = []
    n = 0
    i = 0
    while n < size:
        p = paragraphs[i % len(paragraphs)]
        if i % 7 == 0:
            code = f"{chr(65 + (i // 7) % 26)}{chr(65 + (i // 182 + salt) % 26)}DP"
            p = (
                f"The Regional Defence Pact Number {i} ({code}) was signed in {1950 + i % 70} by Japan, "
                f"Australia and the United States. It is usually called the {code} Treaty."
            )
        out.append(p)
        n += len(p) + 2
        i += 1
    return "\n\n".join(out) + "\n"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="atlas-import-bench-"))
    try:
        paths = DataPaths(tmp / "data").ensure()
        build_reference(SEEDS, paths.reference_db)
        atlas = open_atlas(paths, seeds=SEEDS)
        store = atlas.user_data.sources
        one = tmp / "one-megabyte.txt"
        one.write_text(corpus_text(1_000_000, 0), encoding="utf-8")
        t0 = time.perf_counter()
        batch = import_paths(atlas.repo, store, [one])
        dt = time.perf_counter() - t0
        r = batch.reports[0]
        print(
            f"1 document of {one.stat().st_size / 1e6:.2f} MB: {dt:.2f} s (target < 2 s): {r.sections} sections, "
            f"{r.passages} passages, {sum(n for _e, n in r.mentions)} mentions, {r.suggestions} suggestions"
        )
        many = []
        for k in range(100):
            path = tmp / f"doc-{k:03}.txt"
            path.write_text(corpus_text(100_000, k + 1).replace("Number", f"Batch {k} Number"), encoding="utf-8")
            many.append(path)
        total = sum(p.stat().st_size for p in many) / 1e6
        t0 = time.perf_counter()
        batch = import_paths(atlas.repo, store, many)
        dt = time.perf_counter() - t0
        print(
            f"100 documents, {total:.1f} MB: {dt:.1f} s (target < 60 s); {len(batch.imported)} imported, "
            f"{len(batch.errors)} refused"
        )
        atlas.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
