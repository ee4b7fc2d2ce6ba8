"""Plant, one at a time, the hand-made bugs of issue 19; run the tests meant to catch each; put the code back.

Run: python tests/bench/planted_bugs.py [NAME-PART ...]   (prints CAUGHT or MISSED per bug; not collected by pytest)
Each plant is a text replacement in one file, restored in a ``finally`` even when interrupted.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLANTS = [
    (
        "year looked for in the whole document",
        "app/core/reference/catalog.py",
        "if not re.search(rf\"(?<!\\d){re.escape(fact.value or '')}(?!\\d)\", found):",
        "if not re.search(rf\"(?<!\\d){re.escape(fact.value or '')}(?!\\d)\", text):",
        "tests/core/test_catalog.py",
    ),
    (
        "year_max <= becomes <",
        "app/core/query/entity_sql.py",
        'conds.append("e.founded <= :year_max")',
        'conds.append("e.founded < :year_max")',
        "tests/core/test_filters.py tests/core/test_filter_property.py",
    ),
    (
        "year_min >= becomes >",
        "app/core/query/entity_sql.py",
        'conds.append("e.founded >= :year_min")',
        'conds.append("e.founded > :year_min")',
        "tests/core/test_filters.py tests/core/test_filter_property.py",
    ),
    (
        "citations CSV not neutralised",
        "app/core/exports/data.py",
        "c.quote, *pad]\n                w.writerow([neutralise(x) for x in row])",
        "c.quote, *pad]\n                w.writerow(list(row))",
        "tests/core/test_exports.py",
    ),
    (
        "members CSV not neutralised",
        "app/core/exports/data.py",
        'if record else ""]\n            w.writerow([neutralise(x) for x in row])',
        'if record else ""]\n            w.writerow(list(row))',
        "tests/core/test_exports.py",
    ),
    (
        "mention names iterated as an unsorted set",
        "app/core/reference/build.py",
        "names = sorted({n for e in entities for n in e.names}, key=lambda n: (-len(n), n))",
        "names = list({n for e in entities for n in e.names})",
        "tests/core/test_build.py tests/core/test_catalog.py",
    ),
    (
        "notes import > becomes >=",
        "app/core/userdata/notes.py",
        "if parse_time(n.updated_at) > parse_time(local.updated_at):",
        "if parse_time(n.updated_at) >= parse_time(local.updated_at):",
        "tests/core/test_notes_import.py",
    ),
    (
        "backup quick_check skipped",
        "app/core/userdata/backup.py",
        'result = quick_check(part, f"the new backup {part.name}")',
        'result = "ok"',
        "tests/core/test_backup.py",
    ),
    ("default rotation 7 -> 6", "app/core/userdata/backup.py", "KEEP = 7\n", "KEEP = 6\n", "tests/core/test_backup.py"),
    (
        "atomic writing replaced by writing in place",
        "app/core/fileio.py",
        "    with atomic_paths([target]) as tmps:\n        yield tmps[0]",
        "    _folder(target)\n    yield target",
        "tests/core/test_fileio.py tests/core/test_exports.py",
    ),
]


def main(only: list[str]) -> int:
    missed = 0
    for name, rel, old, new, tests in PLANTS:
        if only and not any(o in name for o in only):
            continue
        path = ROOT / rel
        src = path.read_text(encoding="utf-8")
        if src.count(old) != 1:
            print(f"STALE  {name}: the code to plant into changed in {rel}; update this script", flush=True)
            missed += 1
            continue
        path.write_text(src.replace(old, new), encoding="utf-8")
        try:
            r = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *tests.split()],
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
        finally:
            path.write_text(src, encoding="utf-8")
        failed = [line.removeprefix("FAILED ") for line in r.stdout.splitlines() if line.startswith("FAILED")]
        caught = r.returncode == 1 and failed
        missed += 0 if caught else 1
        print(
            f"{'CAUGHT' if caught else 'MISSED'} {name}: {', '.join(f.split(' - ')[0] for f in failed[:3])}", flush=True
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
