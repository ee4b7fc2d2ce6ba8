"""The mutation run (tests/bench/mutation.py) measures every module of app/core and app/cli."""

from __future__ import annotations

from pathlib import Path

from tests.bench.mutation_modules import MODULES

ROOT = Path(__file__).resolve().parents[1]
NO_MUTANTS = {"app.core.reference.models", "app.core.lessons"}  # dataclasses and re-exports: no mutant


def _modules() -> set[str]:
    out = set()
    for path in (*ROOT.glob("app/core/**/*.py"), *ROOT.glob("app/cli/**/*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            if len(path.read_text(encoding="utf-8").strip().splitlines()) <= 1:
                continue  # a package marker
            parts = parts[:-1]
        out.add(".".join(parts))
    return out - NO_MUTANTS


def test_every_module_of_the_core_and_the_cli_has_its_tests_named_for_the_mutation_run() -> None:
    assert sorted(_modules() - set(MODULES)) == []
    assert sorted(set(MODULES) - _modules()) == []  # no line for a module that is gone


def test_every_test_file_named_for_the_mutation_run_exists() -> None:
    named = {t for tests in MODULES.values() for t in tests}
    assert sorted(t for t in named if not (ROOT / t).exists()) == []
