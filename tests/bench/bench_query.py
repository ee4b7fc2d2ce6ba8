"""Benchmark: every statement the query layer runs, timed through the Repository and replayed on a raw
sqlite3 connection in the same run; the worst ratio is printed, not only the median.

Run on purpose: ``python tests/bench/bench_query.py [--entities N]`` (default 10,000; prints figures,
asserts nothing). Each operation is run through the Repository while a trace callback records the
exact SQL it sent (parameters expanded); that SQL is then replayed with plain ``execute().fetchall()``
on a connection from the same factory (same pragmas, same attached user database). The ratio of the
medians says what the Python layer above SQLite costs; the raw time is what SQLite itself needs.
Also times the reference build of the seeds (target < 1 s).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.core.db import connector, ensure_user_db
from app.core.query.filters import FilterSpec
from app.core.query.repository import Repository
from app.core.reference.build import build_reference
from app.paths import PROJECT_ROOT
from tests.synthetic import generate_reference

RUNS = 15


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _top_level(sql: str) -> bool:
    """A statement the repository sent, not one SQLite runs inside it (FTS5 reads its shadow tables
    with SQL of its own, and the trace reports those too; replaying them would count them twice)."""
    s = sql.lstrip()
    return not (s.startswith("--") or "'main'.'" in s or s.upper().startswith(("PRAGMA", "BEGIN", "COMMIT")))


def operations(repo: Repository, entities: int) -> dict[str, Callable[[], Any]]:
    specs = {
        "list: no filter (every entity)": FilterSpec(),
        "list: text 'alliance'": FilterSpec(text="alliance"),
        "list: text prefix 'secu'": FilterSpec(text="secu"),
        "list: kind + category": FilterSpec(kinds=("alliance", "treaty"), categories=("regional",)),
        "list: text + kind + region": FilterSpec(text="naval", kinds=("alliance",), regions=("Europe",)),
        "list: member any (3)": FilterSpec(members=("country-001", "country-002", "country-003")),
        "list: member all (2) + text": FilterSpec(
            text="cyber", members=("country-001", "country-002"), members_mode="all"
        ),
        "list: years + activity, by founding": FilterSpec(
            year_min=1950, year_max=2000, activities=("peacekeeping",), sort="founded"
        ),
        "list: text, by members desc": FilterSpec(text="joint exercise", sort="members", descending=True),
    }
    ops: dict[str, Callable[[], Any]] = {k: (lambda s=s: repo.list_entities(s)) for k, s in specs.items()}
    ops["count: text 'alliance'"] = lambda: repo.count_entities(FilterSpec(text="alliance"))
    # The counts with no filter are kept until the user data changes: timed cold (forgotten before
    # each run, so every statement runs and is replayed) and kept.
    ops["facets: no filter (cold)"] = lambda: (
        repo._local.__dict__.pop("facets", None),
        repo.facet_counts(FilterSpec()),
    )
    ops["facets: no filter (kept)"] = lambda: repo.facet_counts(FilterSpec())
    ops["facets: text 'alliance'"] = lambda: repo.facet_counts(FilterSpec(text="alliance"))
    ops["facets: kind + region"] = lambda: repo.facet_counts(FilterSpec(kinds=("alliance",), regions=("Europe",)))
    ops["passages: ranked 'joint exercise'"] = lambda: repo.search_passages("joint exercise", limit=50)
    ops["passages: ranked 'naval'"] = lambda: repo.search_passages("naval", limit=50)
    ops["entity detail (a group)"] = lambda: repo.get_entity("entity-00042")
    ops["entity detail (a country)"] = lambda: repo.get_entity("country-001")
    ops["graph: relation pairs"] = repo.relation_pairs
    ops["names (go to entity)"] = repo.entity_names
    return ops


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entities", type=int, default=10_000)
    ap.add_argument("--reference", type=Path, default=None, help="a synthetic reference to reuse (of --entities)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="atlas-bench-query-"))
    builds = []
    for i in range(5):
        t0 = time.perf_counter()
        build_reference(PROJECT_ROOT / "seeds", tmp / f"seed-{i}.sqlite")
        builds.append(time.perf_counter() - t0)
    print(
        f"reference build of the seeds: median {statistics.median(builds) * 1000:.0f} ms, "
        f"max {max(builds) * 1000:.0f} ms over {len(builds)} runs (target < 1000 ms)"
    )
    n = args.entities
    t0 = time.perf_counter()
    ref = args.reference or generate_reference(
        tmp / "synthetic.sqlite", entities=n, countries=max(200, n // 100), memberships=5 * n, passages=10 * n
    )
    made = "reused" if args.reference else f"generated in {time.perf_counter() - t0:.1f} s"
    print(f"synthetic reference: {n:,} entities ({made})")
    user = tmp / "user.sqlite"
    ensure_user_db(user)
    factory = connector(ref, user)
    repo = Repository(factory)
    raw = factory()  # a plain sqlite3 connection: same pragmas and attached user database

    traced: list[str] = []
    repo_con = repo._raw_connection()  # this thread's: every statement the repository runs passes here
    ratios: list[tuple[float, str]] = []
    print(f"\n{'operation':38} {'stmts':>5} {'p50 ms':>8} {'p95 ms':>8} {'raw p50':>8} {'raw p95':>8} {'ratio':>6}")
    for label, op in operations(repo, n).items():
        for _ in range(2):
            op()  # warm the page cache and the statement caches of both connections
        repo_con.set_trace_callback(traced.append)
        traced.clear()
        op()
        repo_con.set_trace_callback(None)
        statements = [s for s in traced if _top_level(s)]
        for s in statements:
            raw.execute(s).fetchall()
        t_repo, t_raw = [], []
        for _ in range(RUNS):
            t = time.perf_counter()
            op()
            t_repo.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            for s in statements:
                raw.execute(s).fetchall()
            t_raw.append((time.perf_counter() - t) * 1000)
        ratio = statistics.median(t_repo) / max(statistics.median(t_raw), 1e-6)
        ratios.append((ratio, label))
        print(
            f"{label:38} {len(statements):5} {pct(t_repo, 0.5):8.2f} {pct(t_repo, 0.95):8.2f} "
            f"{pct(t_raw, 0.5):8.2f} {pct(t_raw, 0.95):8.2f} {ratio:6.2f}"
        )
    worst, which = max(ratios)
    print(
        f"\nRepository / raw sqlite3, ratio of medians over {len(ratios)} operations: "
        f"median {statistics.median(r for r, _ in ratios):.2f}x, worst {worst:.2f}x ({which}); target <= 2x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
