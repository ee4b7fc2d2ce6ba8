"""Benchmark: reference build of the seeds, and filter queries at scale vs raw sqlite3.

Run on purpose: ``python tests/bench/bench_query.py``. Prints figures; asserts nothing.
Targets (issue 2): build < 1 s; filter query p95 < 30 ms at 10,000 entities; Repository / raw ≤ 2×.
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from app.core.db import connector, ensure_user_db
from app.core.query.filters import FilterSpec, entity_query
from app.core.query.repository import Repository
from app.core.reference.build import build_reference
from app.core.sources.views import install_views
from app.paths import PROJECT_ROOT
from tests.synthetic import generate_reference


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-"))
    builds = []
    for i in range(5):
        t0 = time.perf_counter()
        build_reference(PROJECT_ROOT / "seeds", tmp / f"seed-{i}.sqlite")
        builds.append(time.perf_counter() - t0)
    print(
        f"reference build of the seeds: median {statistics.median(builds) * 1000:.0f} ms, "
        f"max {max(builds) * 1000:.0f} ms over {len(builds)} runs (target < 1000 ms)"
    )

    t0 = time.perf_counter()
    ref = generate_reference(tmp / "synthetic.sqlite")
    print(
        f"synthetic reference (10,000 entities, 200 countries, 50,000 memberships, 100,000 passages) "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )
    user = tmp / "user.sqlite"
    ensure_user_db(user)
    repo = Repository(connector(ref, user))
    raw = sqlite3.connect(f"file:{ref}?mode=ro", uri=True)
    raw.execute("ATTACH DATABASE ? AS user", (str(user),))
    install_views(raw)  # the same TEMP views every application connection has (reference + user sources)

    specs = {
        "text 'alliance'": FilterSpec(text="alliance"),
        "text prefix 'secu'": FilterSpec(text="secu"),
        "kind + category": FilterSpec(kinds=("alliance", "treaty"), categories=("regional",)),
        "text + kind + region": FilterSpec(text="naval", kinds=("alliance",), regions=("Europe",)),
        "member any (3)": FilterSpec(members=("country-001", "country-002", "country-003")),
        "member all (2) + text": FilterSpec(text="cyber", members=("country-001", "country-002"), members_mode="all"),
        "years + activity + sort founded": FilterSpec(
            year_min=1950, year_max=2000, activities=("peacekeeping",), sort="founded"
        ),
        "text + sort members desc": FilterSpec(text="joint exercise", sort="members", descending=True),
        "no filter (all 10,000)": FilterSpec(),
    }
    all_repo: list[float] = []
    all_raw: list[float] = []
    print(f"\n{'query':36} {'rows':>6} {'p50 ms':>8} {'p95 ms':>8} {'raw p50':>8} {'raw p95':>8} {'ratio':>6}")
    for label, spec in specs.items():
        q = entity_query(spec)
        t_repo, t_raw = [], []
        n = 0
        for _ in range(3):  # warm up
            repo.list_entities(spec)
            raw.execute(q.sql, q.params).fetchall()
        for _ in range(40):
            t0 = time.perf_counter()
            n = len(repo.list_entities(spec))
            t_repo.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            raw.execute(q.sql, q.params).fetchall()
            t_raw.append((time.perf_counter() - t0) * 1000)
        if spec != FilterSpec():  # the unfiltered 10,000-row list is reported on its own line
            all_repo += t_repo
            all_raw += t_raw
        ratio = statistics.median(t_repo) / max(statistics.median(t_raw), 1e-6)
        print(
            f"{label:36} {n:6} {pct(t_repo, 0.5):8.2f} {pct(t_repo, 0.95):8.2f} {pct(t_raw, 0.5):8.2f} "
            f"{pct(t_raw, 0.95):8.2f} {ratio:6.2f}"
        )
    facet_times = []
    for spec in list(specs.values())[:4]:
        t0 = time.perf_counter()
        repo.facet_counts(spec)
        facet_times.append((time.perf_counter() - t0) * 1000)
    print(
        f"\ntext + facet filter queries: p50 {pct(all_repo, 0.5):.2f} ms, "
        f"p95 {pct(all_repo, 0.95):.2f} ms (target p95 < 30 ms); "
        f"raw sqlite3 p95 {pct(all_raw, 0.95):.2f} ms; ratio of medians "
        f"{statistics.median(all_repo) / statistics.median(all_raw):.2f}x (target <= 2x)"
    )
    print(f"facet counts (7 dimensions) at scale: {', '.join(f'{t:.0f}' for t in facet_times)} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
