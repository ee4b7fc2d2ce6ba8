"""Mutation testing of the core and the CLI with mutmut 3, one module at a time: the score and the survivors.

Run on purpose, not in CI (every mutant runs the tests that reach its function). The machine is shared:
each module runs under ``nice -n 19`` with one test process and a time budget.

    pip install 'mutmut>=3.3,<4'
    python tests/bench/mutation.py --only app.core.query.fts          # one module (repeat --only for more)
    python tests/bench/mutation.py --only app.core.textsafe --budget 600
    python tests/bench/mutation.py --all --budget 900                  # every module of MODULES, in order
    python tests/bench/mutation.py --report                            # every module run so far
    python tests/bench/mutation.py --report --write /tmp/survivors.md  # with every survivor's diff
    python tests/bench/mutation.py --only app.core.textsafe --rerun-survivors   # after adding tests
    python tests/bench/mutation.py --only app.core.graph.layout --sample 60 --seed 19 --budget 600
                                   # a seeded random sample of a module too big to run whole

Each module gets its own working copy, ``mutants/modules/<module>/`` (git-ignored), with a
``[tool.mutmut]`` that mutates only that file and selects only the test files MODULES maps it to;
mutmut then runs, per mutant, only those of them that reach the mutated function. A second run of a
module keeps the verdicts of unchanged functions and tries only new or changed mutants.

The score counts killed and timed-out mutants over all checked ones ("no tests": no selected test
reaches the function; it counts against the score), and is printed strict too (timeouts not counted).

``--sample N --seed S`` tries the first N mutants of the module in a seeded random order (the same
command draws the same ones, skipping those already tried; a larger N extends the sample). mutmut runs
the fastest first, so a time budget alone would measure only the cheapest mutants of a big module,
while a random sample small enough to finish within the budget estimates the whole module's score.
The report then gives, besides the score of the mutants tried, an estimate for all of them: each
module's score weighted by its number of mutants.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "mutants" / "modules"
CAUGHT = {"killed", "timeout"}
_LINE = re.compile(r"^\s*(?P<name>\S+): (?P<status>.+?)\s*$")

_NOTES = ["tests/core/test_notes.py", "tests/core/test_notes_import.py", "tests/core/test_faults_import.py"]
_SEARCH = ["tests/core/test_search.py", "tests/core/test_filters.py", "tests/core/test_passages.py"]
_BUILD = [
    "tests/core/test_build.py",
    "tests/core/test_catalog.py",
    "tests/core/test_catalog_more.py",
    "tests/core/test_ingest.py",
    "tests/core/test_relations.py",
    "tests/core/test_seeds_folder.py",
]
_BACKUP = [
    "tests/core/test_backup.py",
    "tests/core/test_faults_damage.py",
    "tests/core/test_backup_more.py",
    "tests/core/test_backup_edges.py",
]
# Module -> the test files that exercise it (tests/core and the CLI; the Qt tests are too slow to run
# per mutant). Files that do not exist (yet) are skipped. Priority order: where a bug hurts users most.
MODULES: dict[str, list[str]] = {
    "app.core.query.filters": ["tests/core/test_filters.py", "tests/core/test_filter_property.py",
                               "tests/core/test_saved_filters.py", "tests/core/test_filters_more.py"],
    "app.core.query.fts": [*_SEARCH, "tests/core/test_fts.py", "tests/core/test_notes.py"],
    "app.core.userdata.notes": [*_NOTES, "tests/core/test_tag_undo.py", "tests/core/test_notes_more.py"],
    "app.core.userdata.notes_io": [*_NOTES, "tests/core/test_notes_more.py"],
    "app.core.userdata.notes_core": [*_NOTES, "tests/core/test_tag_undo.py", "tests/core/test_notes_more.py",
                                     "tests/core/test_notes_core.py"],
    "app.core.userdata.notes_model": [*_NOTES, "tests/core/test_notes_more.py"],
    "app.core.userdata.recovery": _BACKUP,
    "app.core.userdata.backup": _BACKUP,
    "app.core.exports.data": ["tests/core/test_exports.py", "tests/core/test_exports_more.py"],
    "app.core.exports.typst_markup": ["tests/core/test_typst_markup.py", "tests/core/test_exports.py"],
    "app.core.exports.report_data": ["tests/core/test_report_data.py", "tests/core/test_datasets_links.py"],
    "app.core.textsafe": ["tests/core/test_textsafe.py", *_NOTES],
    "app.core.userdata.tags": ["tests/core/test_tag_undo.py", "tests/core/test_notes.py", "tests/core/test_tags.py",
                               "tests/core/test_notes_core.py"],
    "app.core.userdata.saved_filters": ["tests/core/test_saved_filters.py", "tests/core/test_saved_filters_more.py"],
    "app.core.userdata.database": ["tests/core/test_database.py", "tests/core/test_notes.py",
                                   "tests/core/test_saved_filters.py", *_BACKUP],
    "app.core.reference.catalog": _BUILD,
    "app.core.reference.build": _BUILD,
    "app.core.reference.relations": _BUILD,
    "app.core.reference.ingest": _BUILD,
    "app.core.graph.network": ["tests/core/test_graph.py", "tests/core/test_graph_more.py"],
    "app.core.graph.labels": ["tests/core/test_graph.py", "tests/core/test_graph_more.py"],
    "app.core.graph.layout": ["tests/core/test_graph.py", "tests/core/test_graph_more.py"],
    "app.core.datasets.plan": ["tests/core/test_datasets.py", "tests/core/test_datasets_links.py",
                               "tests/core/test_datasets_more.py"],
    "app.core.datasets.formats": ["tests/core/test_datasets.py", "tests/core/test_datasets_more.py"],
    "app.core.lessons.quiz": ["tests/core/test_lesson_quiz.py", "tests/core/test_lessons_more.py"],
    "app.core.lessons.answers": ["tests/core/test_lesson_answers.py", "tests/core/test_lessons_more.py"],
    "app.core.query.views": [*_SEARCH, "tests/core/test_db.py", "tests/core/test_exports_more.py",
                             "tests/core/test_views.py"],
    "app.core.query.repository": [*_SEARCH, "tests/core/test_db.py", "tests/core/test_search_quality.py"],
    "app.core.sources.mentions": ["tests/core/test_sources.py"],
    "app.core.sources.extract": ["tests/core/test_sources.py"],
    "app.core.sources.curate": ["tests/core/test_sources.py"],
    "app.core.sources.service": ["tests/core/test_sources.py"],
    "app.core.db": ["tests/core/test_db.py", "tests/core/test_build.py"],
    "app.core.errors": ["tests/core/test_errors.py"],
    "app.core.vocab": ["tests/core/test_relations.py", "tests/core/test_build.py"],
    "app.core.atlas": ["tests/core/test_build.py", "tests/core/test_seeds_folder.py", "tests/core/test_sources.py"],
    "app.core.fileio": ["tests/core/test_fileio.py", "tests/core/test_faults_special_files.py",
                        "tests/core/test_exports.py"],
    "app.cli": ["tests/test_cli.py", "tests/test_cli_export.py", "tests/test_cli_properties.py"],
    "app.cli.notes": ["tests/test_notes_cli.py"],
}  # fmt: skip


def module_file(module: str) -> str:
    """``app.core.fileio`` -> ``app/core/fileio.py``; a package -> its ``__init__.py``."""
    path = ROOT / module.replace(".", "/")
    return str((path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).relative_to(ROOT))


def workdir(module: str) -> Path:
    return WORK / module


def prepare(module: str) -> Path:
    """A working copy of the project whose [tool.mutmut] mutates only ``module`` and selects its tests."""
    tests = [t for t in MODULES.get(module, ["tests/core/"]) if (ROOT / t).exists()]
    if not tests:
        sys.exit(f"{module}: none of its test files exist")
    wd = workdir(module)
    wd.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.sqlite*")
    for name in ("app", "tests", "seeds", "resources", "database"):
        if (wd / name).exists():
            shutil.rmtree(wd / name)
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, wd / name, ignore=ignore)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\].*?(?=^\[|\Z)", "", text)
    text += (
        "\n[tool.mutmut]\n"
        'source_paths = ["app/"]\n'
        f'only_mutate = ["{module_file(module)}"]\n'
        'also_copy = ["seeds/", "resources/", "database/"]\n'
        'pytest_add_cli_args = ["-p", "no:randomly", "-q"]\n'
        f"pytest_add_cli_args_test_selection = {tests!r}\n".replace("'", '"')
    )
    (wd / "pyproject.toml").write_text(text, encoding="utf-8")
    return wd


def mutmut(wd: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=wd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        sys.exit(f"mutmut {' '.join(args)} in {wd} failed:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
    return proc.stdout


def results(module: str) -> dict[str, str]:
    wd = workdir(module)
    if not (wd / "mutants").exists():
        return {}
    out = {}
    for line in mutmut(wd, "results", "--all", "true", check=False).splitlines():
        m = _LINE.match(line)
        if m and m["name"].startswith(module + "."):
            out[m["name"]] = m["status"]
    return out


def all_mutants(module: str) -> list[str]:
    """Every mutant name mutmut makes of ``module``'s file (as ``mutmut results`` spells them), sorted."""
    from mutmut.mutation.file_mutation import mutate_file_contents
    from mutmut.utils.format_utils import get_mutant_name

    path = Path(module_file(module))
    mutated = mutate_file_contents(str(path), (ROOT / path).read_text(encoding="utf-8"), None, None)
    return sorted(get_mutant_name(path, name) for name in mutated.mutant_names)


def sample(module: str, size: int, seed: int) -> list[str]:
    """The first ``size`` of ``module``'s mutants shuffled with ``random.Random(seed)``, less those
    already tried: the same command finishes a sample a time budget cut short, a larger ``size``
    extends it."""
    order = all_mutants(module)
    random.Random(f"{seed}:{module}").shuffle(order)
    tried = {k for k, v in results(module).items() if v != "not checked"}
    return sorted(name for name in order[:size] if name not in tried)


# mutmut forgets every verdict when the test selection changes; here the selection only ever grows
# (a new test file for the module), which can kill more mutants but never revive a killed one, so the
# verdicts are kept and only the new tests' coverage is collected.
_MUTMUT_KEEPING_VERDICTS = """
import mutmut.configuration as c
_fp = c.Config.config_fingerprint
c.Config.config_fingerprint = lambda self: {k: v for k, v in _fp(self).items() if k != "test_selection"}
from mutmut.__main__ import cli
cli()
"""


def run(module: str, budget: float, names: list[str]) -> None:
    """``mutmut run`` under ``nice -n 19`` with one test process, stopped (verdicts kept) after ``budget`` s."""
    wd = prepare(module)
    print(f"== {module} ({module_file(module)}), budget {budget:.0f} s", flush=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    cmd = ["nice", "-n", "19", sys.executable, "-c", _MUTMUT_KEEPING_VERDICTS, "run", "--max-children", "1", *names]
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


def report(modules: list[str], write: Path | None) -> None:
    total: Counter[str] = Counter()
    survivors: list[tuple[str, str, str]] = []
    print(f"{'module':36} {'all':>5} {'tried':>5} {'killed':>6} {'timeout':>7} {'alive':>5} {'score':>6} {'strict':>6}")
    everything = 0
    weighted = 0.0
    for module in modules:
        found = results(module)
        status = {k: v for k, v in found.items() if v != "not checked"}
        if not status:
            continue
        everything += len(found)
        counts = Counter(status.values())
        n = len(status)
        caught = counts["killed"] + counts["timeout"]
        weighted += len(found) * caught / n
        alive = n - caught
        total.update(counts)
        print(
            f"{module:36} {len(found):5} {n:5} {counts['killed']:6} {counts['timeout']:7} {alive:5} "
            f"{100 * caught / n:5.1f}% {100 * counts['killed'] / n:5.1f}%"
        )
        survivors += [(module, k, v) for k, v in sorted(status.items()) if v not in CAUGHT]
    n = sum(total.values())
    if n:
        caught = total["killed"] + total["timeout"]
        print(
            f"{'together':36} {everything:5} {n:5} {total['killed']:6} {total['timeout']:7} {n - caught:5} "
            f"{100 * caught / n:5.1f}% {100 * total['killed'] / n:5.1f}%"
        )
        print(f"{'estimate for all (by module size)':36} {everything:5} {100 * weighted / everything:40.1f}%")
    if survivors:
        print(f"\n{len(survivors)} not killed:")
        for _, name, status in survivors:
            print(f"  {name}: {status}")
    if write:
        lines = [f"# Mutants not killed ({len(survivors)} of {n})", ""]
        for module, name, status in survivors:
            diff = mutmut(workdir(module), "show", name, check=False)
            lines += [f"## {name} ({status})", "", "```diff", diff.strip(), "```", ""]
        write.write_text("\n".join(lines), encoding="utf-8")
        print(f"diffs written to {write}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], metavar="MODULE", help="e.g. app.core.fileio")
    parser.add_argument("--all", action="store_true", help="every module of MODULES, in priority order")
    parser.add_argument("--report", action="store_true", help="only report the runs so far")
    parser.add_argument("--budget", type=float, default=900, help="seconds per module (default 900)")
    parser.add_argument("--rerun-survivors", action="store_true", help="try the survivors again (after new tests)")
    parser.add_argument("--write", type=Path, help="write every survivor's diff to this Markdown file")
    parser.add_argument("--sample", type=int, metavar="N", help="try N mutants not tried yet, drawn at random")
    parser.add_argument("--seed", type=int, default=19, help="seed of --sample's draw (default 19)")
    args = parser.parse_args()
    unknown = [m for m in args.only if m not in MODULES and not (ROOT / module_file(m)).exists()]
    if unknown:
        parser.error(f"no such module: {', '.join(unknown)}")
    modules = list(MODULES) if args.all else args.only
    if not args.report:
        if not modules:
            parser.error("name a module with --only MODULE, or --all")
        for module in modules:
            names = []
            if args.rerun_survivors:
                names = [k for k, v in results(module).items() if v not in CAUGHT | {"not checked"}]
                if not names:
                    continue
            elif args.sample:
                names = sample(module, args.sample, args.seed)
                if not names:
                    continue
                print(
                    f"   sample of {args.sample} of {len(all_mutants(module))} mutants (seed {args.seed}):"
                    f" {len(names)} to try"
                )
            run(module, args.budget, names)
    done = sorted(p.name for p in WORK.iterdir()) if WORK.exists() else []
    report(modules or [m for m in MODULES if m in done] + [m for m in done if m not in MODULES], args.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
