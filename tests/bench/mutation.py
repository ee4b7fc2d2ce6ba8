"""Mutation testing of the core and the CLI with mutmut 3: the score per module, an estimate, the survivors.

Run on purpose, not in CI (every mutant runs the tests that reach its function). The machine is shared:
mutmut runs under ``nice -n 19`` with one test process and a time budget.

    pip install 'mutmut>=3.3,<4'
    python tests/bench/mutation.py --all --sample 3 --rate 0.005 --budget 5000   # all of app/core and app/cli
    python tests/bench/mutation.py --all --within app.core.query --sample 3 --rate 0.005   # some of them
    python tests/bench/mutation.py --all --exclude app.core.exports --sample 3   # all but some
    python tests/bench/mutation.py --only app.core.query.fts          # one module, whole (its own copy)
    python tests/bench/mutation.py --only app.core.graph.layout --sample 40 --seed 19 --budget 600
    python tests/bench/mutation.py --report [--markdown]              # every module, app/core and app/cli
    python tests/bench/mutation.py --report --write /tmp/survivors.md  # with every survivor's diff
    python tests/bench/mutation.py --all --within app.core.db --rerun-survivors   # after adding tests

``--all`` uses one working copy, ``mutants/modules/all/`` (git-ignored), whose ``[tool.mutmut]``
mutates every module of MODULES (tests/bench/mutation_modules.py) and selects all their test files:
mutmut writes the mutants and runs the tests once to learn which tests reach which function (the
slow part, once), then tries the mutants asked for. ``--only`` gives a module a copy of its own,
``mutants/modules/<module>/``, mutating only its file. Either way each mutant runs only the tests of
its own module's files (MODULES) that reach the mutated function, or, when none of them does, every
selected test that does. A later run keeps the verdicts of unchanged functions.

``--sample N --seed S`` tries the first N mutants of each module in a seeded random order (``--rate
R``: R of the module's mutants where that is more; the same command draws the same ones, skipping
those already tried; a larger N or R extends the sample). mutmut runs the fastest first, so a time
budget alone would measure only the cheapest mutants, while a random sample small enough to finish
estimates each module's score. The report gives each module's score (killed and timed-out mutants
over those tried; "no tests", when no selected test reaches the function, counts against it) and,
for app/core and for app/cli, the score of the mutants tried and an estimate for all their mutants:
each measured module's score weighted by its number of mutants.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutation_modules import MODULES

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "mutants" / "modules"
COMBINED = "all"  # the working copy of --all: every module of MODULES mutated at once
CAUGHT = {"killed", "timeout"}


def module_file(module: str) -> str:
    """``app.core.fileio`` -> ``app/core/fileio.py``; a package -> its ``__init__.py``."""
    path = ROOT / module.replace(".", "/")
    return str((path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).relative_to(ROOT))


def module_of(mutant: str) -> str:
    """``app.core.query.fts.x_to_fts_query__mutmut_3`` -> ``app.core.query.fts``."""
    return mutant.partition("__mutmut_")[0].rpartition(".")[0]


def tests_of(module: str) -> list[str]:
    return [t for t in MODULES.get(module, ["tests/core/"]) if (ROOT / t).exists()]


def prepare(name: str, modules: list[str]) -> Path:
    """A working copy of the project whose [tool.mutmut] mutates only ``modules``' files and selects
    their test files; ``tests_of.json`` narrows each mutant's tests to its own module's files."""
    tests = list(dict.fromkeys(t for m in modules for t in tests_of(m)))
    if not tests:
        sys.exit(f"{', '.join(modules)}: none of the test files exist")
    wd = WORK / name
    wd.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.sqlite*")
    for folder in ("app", "tests", "seeds", "resources", "database"):
        if (wd / folder).exists():
            shutil.rmtree(wd / folder)
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, wd / folder, ignore=ignore)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", text)
    text += (
        "\n[tool.mutmut]\n"
        'source_paths = ["app/"]\n'
        f"only_mutate = {[module_file(m) for m in modules]!r}\n"
        'also_copy = ["seeds/", "resources/", "database/"]\n'
        'pytest_add_cli_args = ["-p", "no:randomly", "-q"]\n'
        f"pytest_add_cli_args_test_selection = {tests!r}\n"
    ).replace("'", '"')
    (wd / "pyproject.toml").write_text(text, encoding="utf-8")
    (wd / "tests_of.json").write_text(json.dumps({m: tests_of(m) for m in modules}, indent=1), encoding="utf-8")
    return wd


def mutmut(wd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=wd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} in {wd} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc.stdout


def results(wd: Path) -> dict[str, str]:
    """Every mutant of the working copy ``wd`` -> its status ("not checked" until tried), read from
    mutmut's ``.meta`` files (what ``mutmut results --all true`` prints, without starting mutmut)."""
    from mutmut.stats import status_by_exit_code

    out = {}
    for meta in sorted((wd / "mutants" / "app").rglob("*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        for name, code in data["exit_code_by_key"].items():
            out[name] = status_by_exit_code[code]
    return out


def all_results() -> dict[str, str]:
    """The verdicts of every working copy: the shared one of --all, then those of single modules (a
    verdict there overrides "not checked")."""
    out: dict[str, str] = {}
    dirs = sorted(WORK.iterdir(), key=lambda p: p.name != COMBINED) if WORK.exists() else []
    for wd in dirs:
        for name, status in results(wd).items():
            if status != "not checked" or name not in out:
                out[name] = status
    return out


# mutmut forgets every verdict when the test selection changes; here the selection only ever grows
# (a new test file for a module), which can kill more mutants but never revive a killed one, so the
# verdicts are kept and only the new tests' coverage is collected. Each mutant runs only the tests of
# its own module's files (tests_of.json) that reach its function, or, when none of them does, every
# selected test that does. mutmut's run of all selected tests before the mutants is skipped: the
# stats run before it (the same tests, stopping at the first failure) already shows them passing.
# ``generate`` only writes the mutants (the names to draw a sample from).
_MUTMUT = """
import json, os, sys
from pathlib import Path
import mutmut.configuration as c
_fp = c.Config.config_fingerprint
c.Config.config_fingerprint = lambda self: {k: v for k, v in _fp(self).items() if k != "test_selection"}
import mutmut.__main__ as m
_own = json.loads(Path("tests_of.json").read_text()) if Path("tests_of.json").exists() else {}
_collect = m.collect_or_load_stats
def collect_or_load_stats(*args, **kwargs):
    _collect(*args, **kwargs)
    by_function = m.state().tests_by_mangled_function_name
    for function, tests in list(by_function.items()):
        own = set(_own.get(function.rpartition(".")[0], ()))
        kept = {t for t in tests if t.partition("::")[0] in own}
        if kept:
            by_function[function] = kept
m.collect_or_load_stats = collect_or_load_stats
_runner = m.get_mutant_runner
def get_mutant_runner(*args, **kwargs):
    runner = _runner(*args, **kwargs)
    runner.run_clean_tests = lambda tests: 0
    return runner
m.get_mutant_runner = get_mutant_runner
if sys.argv[1:] == ["generate"]:
    m.set_mutant_under_test("mutant_generation")
    os.makedirs("mutants", exist_ok=True)
    m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths(); m.store_lines_covered_by_tests()
    m.create_mutants(2)
    sys.exit(0)
m.cli()
"""


def generate(wd: Path, modules: list[str]) -> dict[str, str]:
    """Write the mutants of ``wd`` (only files changed since the last time) and return ``results(wd)``."""
    for module in modules:  # a file whose mutants were being written when a run was stopped: again
        done, source = wd / "mutants" / module_file(module), wd / module_file(module)
        meta = done.with_name(done.name + ".meta")
        if done.exists() and (not meta.exists() or done.stat().st_size <= source.stat().st_size):
            done.unlink()  # (a file with its mutants is several times the size of the source)
            meta.unlink(missing_ok=True)
    cmd = ["nice", "-n", "19", sys.executable, "-c", _MUTMUT, "generate"]
    proc = subprocess.run(cmd, cwd=wd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"generating the mutants in {wd} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return results(wd)


def sample_size(count: int, size: int, rate: float) -> int:
    """``size`` mutants, or ``rate`` of the module's where that is more; never more than it has."""
    return min(count, max(size, math.ceil(rate * count)))


def sample(names: list[str], module: str, size: int, seed: int) -> list[str]:
    """The first ``size`` of ``module``'s mutants shuffled with ``random.Random(seed)`` (the same
    command draws the same ones; a larger ``size`` extends the sample)."""
    order = sorted(names)
    random.Random(f"{seed}:{module}").shuffle(order)
    return order[:size]


def run(wd: Path, budget: float, names: list[str]) -> None:
    """``mutmut run`` under ``nice -n 19`` with one test process, stopped (verdicts kept) after ``budget`` s."""
    print(f"== {wd.name}: {len(names) or 'all'} mutants, budget {budget:.0f} s", flush=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = ["nice", "-n", "19", sys.executable, "-c", _MUTMUT, "run", "--max-children", "1", *names]
    log = (wd / "run.log").open("w", encoding="utf-8")
    proc = subprocess.Popen(cmd, cwd=wd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    start = time.monotonic()
    try:
        proc.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        print(f"   budget spent after {time.monotonic() - start:.0f} s; stopping (verdicts so far are kept)")
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait()
        raise
    finally:
        log.close()
    tail = (wd / "run.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    print(f"   {time.monotonic() - start:.0f} s; " + " | ".join(s.strip()[-100:] for s in tail), flush=True)


def report(modules: list[str], write: Path | None, markdown: bool) -> None:
    found = all_results()
    by_module: dict[str, dict[str, str]] = {m: {} for m in modules}
    for name, status in found.items():
        if module_of(name) in by_module:
            by_module[module_of(name)][name] = status
    rows = []
    survivors: list[tuple[str, str]] = []
    for module in modules:
        tried = {k: v for k, v in by_module[module].items() if v != "not checked"}
        counts = Counter(tried.values())
        caught = counts["killed"] + counts["timeout"]
        rows.append((module, len(by_module[module]), len(tried), counts["killed"], counts["timeout"], caught))
        survivors += [(k, v) for k, v in sorted(tried.items()) if v not in CAUGHT]
    if markdown:
        print(
            "| module | all | tried | killed | timeout | alive | score |\n| --- | --- | --- | --- | --- | --- | --- |"
        )
    else:
        print(f"{'module':34} {'all':>5} {'tried':>5} {'killed':>6} {'timeout':>7} {'alive':>5} {'score':>6}")
    for module, everything, n, killed, timeout, caught in rows:
        if not n:
            continue
        score = f"{100 * caught / n:.1f}%"
        if markdown:
            tried = f"{n} (all)" if n == everything else str(n)
            cells = [f"`{module_file(module)}`", f"{everything:,}", tried, killed, timeout, n - caught, score]
            print("| " + " | ".join(map(str, cells)) + " |")
        else:
            print(f"{module:34} {everything:5} {n:5} {killed:6} {timeout:7} {n - caught:5} {score:>6}")
    print()
    for part in ("app.core", "app.cli"):
        mine = [r for r in rows if r[0] == part or r[0].startswith(part + ".")]
        measured = [r for r in mine if r[2]]
        if not mine:
            continue
        everything = sum(r[1] for r in mine)
        covered = sum(r[1] for r in measured)
        n, caught = sum(r[2] for r in measured), sum(r[5] for r in measured)
        if not n:
            print(f"{part}: nothing tried yet ({everything} mutants in {len(mine)} modules)")
            continue
        weighted = sum(r[1] * r[5] / r[2] for r in measured) / covered
        print(
            f"{part}: {len(measured)} of {len(mine)} modules measured ({covered:,} of {everything:,} mutants);"
            f" {n} tried, {caught} caught ({100 * caught / n:.1f}%); estimate weighted by module size:"
            f" {100 * weighted:.1f}%"
        )
    if survivors:
        print(f"\n{len(survivors)} not killed:")
        for name, status in survivors:
            print(f"  {name}: {status}")
    if write:
        where = {name: wd for wd in (WORK.iterdir() if WORK.exists() else []) for name in results(wd)}
        lines = [f"# Mutants not killed ({len(survivors)})", ""]
        for name, status in survivors:
            diff = mutmut(where[name], "show", name, check=False)
            lines += [f"## {name} ({status})", "", "```diff", diff.strip(), "```", ""]
        write.write_text("\n".join(lines), encoding="utf-8")
        print(f"diffs written to {write}")


def selected(args: argparse.Namespace) -> list[str]:
    modules = list(MODULES) if args.all else args.only
    if args.within:
        modules = [m for m in modules if any(m == p or m.startswith(p + ".") for p in args.within)]
    return [m for m in modules if not any(m == p or m.startswith(p + ".") for p in args.exclude)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="MODULE", help="e.g. app.core.fileio")
    parser.add_argument("--all", action="store_true", help="every module of MODULES, in one shared working copy")
    parser.add_argument("--within", action="append", default=[], metavar="PREFIX", help="only modules under it")
    parser.add_argument("--exclude", action="append", default=[], metavar="PREFIX", help="leave modules under it")
    parser.add_argument("--report", action="store_true", help="only report the runs so far")
    parser.add_argument("--markdown", action="store_true", help="print the report's table in Markdown")
    parser.add_argument("--budget", type=float, default=900, help="seconds per run (default 900)")
    parser.add_argument("--rerun-survivors", action="store_true", help="try the survivors again (after new tests)")
    parser.add_argument("--write", type=Path, help="write every survivor's diff to this Markdown file")
    parser.add_argument("--sample", type=int, metavar="N", help="a seeded random sample of N mutants per module")
    parser.add_argument("--rate", type=float, default=0.0, help="with --sample: this share of a module if more")
    parser.add_argument("--seed", type=int, default=19, help="seed of --sample's draw (default 19)")
    args = parser.parse_args()
    unknown = [m for m in args.only if m not in MODULES and not (ROOT / module_file(m)).exists()]
    if unknown:
        parser.error(f"no such module: {', '.join(unknown)}")
    modules = selected(args)
    if not args.report:
        if not modules:
            parser.error("name a module with --only MODULE, or --all")
        # --all: one working copy mutating every module (one stats run for all); else one per module.
        batches = [(COMBINED, list(MODULES), modules)] if args.all else [(m, [m], [m]) for m in modules]
        for name, mutated, chosen in batches:
            wd = prepare(name, mutated)
            status = generate(wd, mutated)
            names: list[str] = []
            for module in chosen:
                mine = [k for k in status if module_of(k) == module]
                if args.rerun_survivors:
                    names += [k for k in mine if status[k] not in CAUGHT | {"not checked"}]
                elif args.sample:
                    size = sample_size(len(mine), args.sample, args.rate)
                    todo = [k for k in sample(mine, module, size, args.seed) if status[k] == "not checked"]
                    print(
                        f"   {module}: sample of {size} of {len(mine)} mutants (seed {args.seed}): {len(todo)} to try"
                    )
                    names += todo
                else:
                    names += [k for k in mine if status[k] == "not checked"]
            if names:
                run(wd, args.budget, names)
    report(modules or list(MODULES), args.write, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
