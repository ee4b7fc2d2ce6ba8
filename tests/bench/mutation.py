"""Mutation testing of the core with mutmut 3 (pyproject.toml, [tool.mutmut]): the score and the survivors.

Run on purpose, not in CI (it takes long: every mutant runs the tests that reach its function):

    pip install 'mutmut>=3.3,<4'
    python tests/bench/mutation.py            # mutmut run, then the report
    python tests/bench/mutation.py --report   # only the report of the last run (mutants/ is kept)
    python tests/bench/mutation.py --only app.core.query.filters --only app.core.fileio   # some modules
    python tests/bench/mutation.py --report --write /tmp/survivors.md   # every survivor's diff

The score counts killed and timed-out mutants over all checked ones; "no tests" (no test reaches the
function) and survivors count against it. ``only_mutate`` in pyproject.toml names what may be mutated
(app/core and app/cli); ``--only MODULE`` runs and reports a part of it.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CAUGHT = {"killed", "timeout"}
_LINE = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")


def mutmut(*args: str, check: bool = True) -> str:
    proc = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc.stdout


def results() -> dict[str, str]:
    out = {}
    for line in mutmut("results", "--all", "true").splitlines():
        m = _LINE.match(line)
        if m:
            out[m["name"]] = m["status"]
    return out


def module_of(name: str) -> str:
    """``app.core.fileio.x_atomic_write__mutmut_3`` -> ``app.core.fileio``."""
    return re.split(r"\.x(?:ǁ|_)", name, maxsplit=1)[0]


def report(status: dict[str, str], write: Path | None, only: list[str]) -> float:
    if only:
        status = {k: v for k, v in status.items() if module_of(k) in only}
    checked = {k: v for k, v in status.items() if v != "not checked"}
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, s in checked.items():
        by_module[module_of(name)][s] += 1
    total_caught = sum(1 for s in checked.values() if s in CAUGHT)
    for module, counts in sorted(by_module.items()):
        n = sum(counts.values())
        caught = sum(counts[s] for s in CAUGHT)
        detail = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"{module:40} {caught:5}/{n:<5} {100 * caught / n:5.1f}%   ({detail})")
    score = 100 * total_caught / len(checked) if checked else 0.0
    pending = len(status) - len(checked)
    print(f"score: {total_caught} of {len(checked)} mutants killed = {score:.1f}%" + (f" ({pending} not run yet)"
          if pending else ""))  # fmt: skip
    survivors = sorted(k for k, v in checked.items() if v not in CAUGHT)
    if survivors:
        print(f"\n{len(survivors)} not killed:")
        for name in survivors:
            print(f"  {name}: {checked[name]}")
    if write:
        lines = [f"# Mutants not killed ({len(survivors)} of {len(checked)})", ""]
        for name in survivors:
            diff = mutmut("show", name, check=False)
            lines += [f"## {name} ({checked[name]})", "", "```diff", diff.strip(), "```", ""]
        write.write_text("\n".join(lines), encoding="utf-8")
        print(f"diffs written to {write}")
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only report the last run")
    parser.add_argument("--max-children", type=int, default=1, help="parallel test processes (default 1)")
    parser.add_argument("--write", type=Path, help="write every survivor's diff to this Markdown file")
    parser.add_argument("--only", action="append", default=[], metavar="MODULE", help="e.g. app.core.fileio")
    args = parser.parse_args()
    if not args.report:
        names = [f"{module}.*" for module in args.only]
        subprocess.run(
            [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *names], cwd=ROOT
        )
    report(results(), args.write, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
