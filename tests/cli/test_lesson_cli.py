"""The ``lesson`` commands: build a lesson, show it, make a quiz, print PDFs, answer, collect."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.cli import main
from app.paths import DataPaths
from tests.core.mounts import read_only


def cli(capsys: pytest.CaptureFixture[str], paths: DataPaths, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(paths.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _lesson(capsys: pytest.CaptureFixture[str], paths: DataPaths, folder: Path) -> Path:
    path = folder / "cold-war.atlaslesson"
    code, _out, err = cli(
        capsys, paths, "lesson", "new", "--title", "Cold War alliances", "--author", "T. R.", "-o", str(path)
    )
    assert code == 0, err
    steps = [
        ["--select", "NATO", "--points", "Founded **1949**."],
        ["--focus", "Warsaw Pact", "--depth", "2"],
        ["--chain", "United States", "japan", "--points", "How are they linked?"],
        ["--query", "joint exercises"],
        ["--passage", "military-alliances-and-partnerships:500"],
        ["--timeline", "1947", "1991"],
    ]
    for step in steps:
        code, _out, err = cli(capsys, paths, "lesson", "add-step", str(path), *step)
        assert code == 0, err
    return path


def test_build_a_lesson_from_the_command_line_and_show_it(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _lesson(capsys, data_paths, tmp_path)
    code, out, err = cli(capsys, data_paths, "lesson", "quiz", str(path), "--questions", "6", "--seed", "4")
    assert code == 0 and "6 questions" in out, err
    code, out, err = cli(capsys, data_paths, "lesson", "show", str(path), "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert {"title", "author", "corpus", "steps", "quiz"} <= set(shown)
    assert (shown["title"], shown["author"], shown["corpus"]) == ("Cold War alliances", "T. R.", "87cd7fccdebc")
    steps = [(s["kind"], s["target"], s["points"]) for s in shown["steps"]]
    assert steps[:4] == [
        ("entity", "nato", "Founded **1949**."),
        ("focus", "warsaw-pact", ""),
        ("chain", "united-states japan", "How are they linked?"),
        ("filter", "joint exercises", ""),
    ]
    assert steps[4][0] == "passage" and steps[4][1].startswith("military-alliances-and-partnerships:")
    assert steps[5] == ("timeline", "1947-1991", "")
    assert shown["quiz"]["seed"] == 4 and len(shown["quiz"]["questions"]) == 6
    for q in shown["quiz"]["questions"]:
        assert {"question", "choices", "answer", "quote", "document"} <= set(q) and q["answer"] in q["choices"]
    # The same seed again replaces the quiz with the same questions; another seed, others.
    cli(capsys, data_paths, "lesson", "quiz", str(path), "--questions", "6", "--seed", "4")
    assert json.loads(cli(capsys, data_paths, "lesson", "show", str(path), "--json")[1])["quiz"] == shown["quiz"]
    cli(capsys, data_paths, "lesson", "quiz", str(path), "--questions", "6", "--seed", "5")
    assert json.loads(cli(capsys, data_paths, "lesson", "show", str(path), "--json")[1])["quiz"] != shown["quiz"]
    code, out, _ = cli(capsys, data_paths, "lesson", "show", str(path))
    assert code == 0 and "Graph focus: Warsaw Pact (depth 2)" in out and "United States ↔ Japan" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--select", "Narnia"], "No entity called 'Narnia'"),
        (["--chain", "nato", "Atlantis"], "No entity called 'Atlantis'"),
        (["--passage", "nowhere.md:3"], "No document 'nowhere.md'"),
        (["--passage", "military-alliances-and-partnerships"], "DOC:OFFSET"),
        (["--select", "nato", "--depth", "2"], "--depth goes with --focus"),
    ],
)
def test_a_bad_step_exits_2_naming_it_and_changes_nothing(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    path = tmp_path / "l.atlaslesson"
    cli(capsys, data_paths, "lesson", "new", "--title", "T", "-o", str(path))
    before = path.read_bytes()
    code, _out, err = cli(capsys, data_paths, "lesson", "add-step", str(path), *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert path.read_bytes() == before


def test_new_refuses_to_overwrite(data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "l.atlaslesson"
    path.write_text("mine")
    code, _out, err = cli(capsys, data_paths, "lesson", "new", "--title", "T", "-o", str(path))
    assert code == 1 and "already exists" in err and path.read_text() == "mine"


def test_a_lesson_opens_read_only_and_nothing_is_written(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    path = _lesson(capsys, data_paths, usb)
    cli(capsys, data_paths, "lesson", "quiz", str(path), "--questions", "3", "--seed", "1")
    before = path.read_bytes()
    path.chmod(stat.S_IRUSR)
    usb.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        code, out, err = cli(capsys, data_paths, "lesson", "show", str(path), "--json")
        assert code == 0 and json.loads(out)["title"] == "Cold War alliances", err
    finally:
        usb.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    with read_only(usb) as view:
        ro = view / path.name
        code, out, err = cli(capsys, data_paths, "lesson", "show", str(ro), "--json")
        assert code == 0 and json.loads(out)["read_only"] is True, err
        code, _out, err = cli(capsys, data_paths, "lesson", "add-step", str(ro), "--select", "nato")
        assert code == 1 and "read-only" in err and "Traceback" not in err
        # A student answers from the read-only lesson: kept in their data folder, not in the lesson.
        code, out, err = cli(capsys, data_paths, "lesson", "answer", str(ro), "1", "A", "--student", "Ana")
        assert code == 0, err
    assert path.read_bytes() == before


def test_a_lesson_from_a_newer_version_or_damaged_is_refused(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _lesson(capsys, data_paths, tmp_path)
    cut = tmp_path / "cut.atlaslesson"
    cut.write_bytes(path.read_bytes()[:-40])
    code, _out, err = cli(capsys, data_paths, "lesson", "show", str(cut))
    assert code == 1 and "damaged or incomplete" in err and err.count("\n") == 1


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_pdfs_answers_and_collection(data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _lesson(capsys, data_paths, tmp_path)
    code, _out, err = cli(
        capsys, data_paths, "lesson", "export-pdf", str(path), "--student", "-o", str(tmp_path / "s.pdf")
    )
    assert code == 2 and "no quiz" in err and not (tmp_path / "s.pdf").exists()
    cli(capsys, data_paths, "lesson", "quiz", str(path), "--questions", "4", "--seed", "2")
    quiz = json.loads(cli(capsys, data_paths, "lesson", "show", str(path), "--json")[1])["quiz"]["questions"]
    for flag, name in (("--student", "s.pdf"), ("--key", "k.pdf")):
        code, out, err = cli(capsys, data_paths, "lesson", "export-pdf", str(path), flag, "-o", str(tmp_path / name))
        assert code == 0, err
    student, key = _pdf_text(tmp_path / "s.pdf"), _pdf_text(tmp_path / "k.pdf")
    flat = " ".join(key.split())
    for q in quiz:
        assert q["question"][:30] in " ".join(student.split())
        assert " ".join(q["quote"].split())[:40] in flat
    assert "Answer key" in key and "Answer key" not in student and "Source:" not in student

    # Two students on two machines answer and export; the trainer collects twice.
    exported = []
    for name, letter in (("Ana", "A"), ("Ben", "B")):
        home = DataPaths(tmp_path / f"home-{name}").ensure()
        shutil.copyfile(data_paths.reference_db, home.reference_db)
        for n in (1, 2):
            code, _out, err = cli(capsys, home, "lesson", "answer", str(path), str(n), letter, "--student", name)
            assert code == 0, err
        target = tmp_path / f"{name}.atlasanswers"
        code, out, err = cli(capsys, home, "lesson", "answers", str(path), "-o", str(target))
        assert code == 0 and "2 answers by " + name in out, err
        exported.append(str(target))
    code, out, err = cli(capsys, data_paths, "lesson", "collect", str(path), *exported, "--json")
    assert code == 0, err
    table = json.loads(out)
    assert table["added"] == 2 and table["students"] == 2
    for i, q in enumerate(quiz[:2]):
        row = table["questions"][i]
        assert row["answered"] == 2 and row["counts"][q["choices"][0]] == 1 and row["counts"][q["choices"][1]] == 1
        assert row["correct"] == (q["answer"] in q["choices"][:2])
    code, out, err = cli(
        capsys, data_paths, "lesson", "collect", str(path), *exported, "--pdf", str(tmp_path / "r.pdf")
    )
    assert code == 0 and "added 0" in out and "2 already collected" in out, err
    assert "Ana" in _pdf_text(tmp_path / "r.pdf")

    # Answers to another lesson are refused; the lesson is unchanged.
    other = tmp_path / "other.atlaslesson"
    cli(capsys, data_paths, "lesson", "new", "--title", "Other", "-o", str(other))
    before = other.read_bytes()
    code, _out, err = cli(capsys, data_paths, "lesson", "collect", str(other), exported[0])
    assert code == 1 and "another lesson" in err and other.read_bytes() == before


def test_answers_without_any_saved_is_one_clear_line(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "l.atlaslesson"
    cli(capsys, data_paths, "lesson", "new", "--title", "T", "-o", str(path))
    code, _out, err = cli(capsys, data_paths, "lesson", "answers", str(path), "-o", str(tmp_path / "a.atlasanswers"))
    assert code == 1 and "No answers" in err and not (tmp_path / "a.atlasanswers").exists()
    assert os.listdir(tmp_path).count("a.atlasanswers") == 0


def test_the_trainer_adds_edits_and_removes_questions(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "l.atlaslesson"
    cli(capsys, data_paths, "lesson", "new", "--title", "T", "-o", str(path))
    quote = "NATO, or the North Atlantic Treaty Organization, is a military alliance founded in 1949"
    ask = ["--question", "When was NATO founded?", "--choice", "1949", "--choice", "1955", "--answer", "A"]
    code, out, err = cli(
        capsys,
        data_paths,
        "lesson",
        "add-question",
        str(path),
        *ask,
        "--document",
        "military-alliances-and-partnerships.txt",
        "--quote",
        quote,
    )
    assert code == 0, err
    q = json.loads(cli(capsys, data_paths, "lesson", "show", str(path), "--json")[1])["quiz"]["questions"][0]
    assert (q["answer"], q["document"], q["quote"]) == ("1949", "military-alliances-and-partnerships", quote)
    # A quote that is not word for word in the document is refused, and nothing changes.
    before = path.read_bytes()
    code, _out, err = cli(
        capsys,
        data_paths,
        "lesson",
        "add-question",
        str(path),
        *ask,
        "--document",
        "military-alliances-and-partnerships",
        "--quote",
        "NATO was founded in 1949",
    )
    assert code == 2 and "not word for word" in err and path.read_bytes() == before
    code, _out, err = cli(
        capsys,
        data_paths,
        "lesson",
        "edit-question",
        str(path),
        "1",
        "--choice",
        "1949",
        "--choice",
        "1991",
        "--choice",
        "2001",
        "--answer",
        "1949",
    )
    assert code == 0, err
    q = json.loads(cli(capsys, data_paths, "lesson", "show", str(path), "--json")[1])["quiz"]["questions"][0]
    assert q["choices"] == ["1949", "1991", "2001"] and q["quote"] == quote
    code, _out, err = cli(capsys, data_paths, "lesson", "edit-question", str(path), "1", "--answer", "1848")
    assert code == 2 and "not one of its choices" in err
    # A new quote without --document: the sentence is looked for in the question's own document.
    shorter = "NATO, or the North Atlantic Treaty Organization, is a military alliance"
    code, _out, err = cli(capsys, data_paths, "lesson", "edit-question", str(path), "1", "--quote", shorter)
    assert code == 0, err
    q = json.loads(cli(capsys, data_paths, "lesson", "show", str(path), "--json")[1])["quiz"]["questions"][0]
    assert (q["document"], q["quote"], q["answer"]) == ("military-alliances-and-partnerships", shorter, "1949")
    code, _out, err = cli(capsys, data_paths, "lesson", "edit-question", str(path), "1", "--document", "x.txt")
    assert code == 2 and "--document goes with --quote" in err
    code, out, err = cli(capsys, data_paths, "lesson", "remove-question", str(path), "1")
    assert code == 0 and "0 questions left" in out, err
    code, _out, err = cli(capsys, data_paths, "lesson", "remove-question", str(path), "1")
    assert code == 2 and "no quiz questions" in err
