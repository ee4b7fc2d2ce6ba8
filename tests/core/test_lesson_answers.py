"""Students' answers saved locally, exported, collected and counted; the handout and key PDFs read back."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.core.lessons.answers import (
    collect,
    load_local_answers,
    local_answers_path,
    read_answers,
    save_local_answers,
    stored_answers,
    write_answers,
)
from app.core.lessons.handouts import key_pdf, results_pdf, student_pdf
from app.core.lessons.model import Lesson, LessonError, Question, Quiz
from app.core.lessons.pack import LessonPack, create_lesson, open_lesson

QUIZ = Quiz(
    5,
    (
        Question("When was NATO founded?", ("1949", "1955", "1992"), "1949", "NATO … founded in 1949", "doc-a", 3, 25),
        Question('Which "alliance" has #Armenia?', ("CSTO", "NATO"), "CSTO", "Member states … Armenia", "doc-b", 0, 23),
    ),
)
LESSON = Lesson("Alliances *today*", author="T. Rainer", corpus="87cd7fccdebc", quiz=QUIZ)


def _pack(tmp_path: Path, name: str = "l.atlaslesson", lesson: Lesson = LESSON) -> LessonPack:
    return create_lesson(tmp_path / name, lesson)


def _student(tmp_path: Path, pack: LessonPack, name: str, picks: dict[int, str], notes: str = "") -> Path:
    home = tmp_path / f"home-{name}"
    answers = load_local_answers(home, pack, name)
    for i, choice in picks.items():
        answers = answers.with_answer(i, choice, QUIZ.questions[i].question)
    save_local_answers(home, replace(answers, notes=notes))
    assert local_answers_path(home, pack.lesson_id).exists()
    return write_answers(tmp_path / f"{name}.atlasanswers", load_local_answers(home, pack))


def test_answers_are_collected_counted_and_kept_in_the_lesson_once(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    ana = _student(tmp_path, pack, "Ana", {0: "1949", 1: "CSTO"}, notes="Article 5?")
    ben = _student(tmp_path, pack, "Ben", {0: "1955"})
    result = collect(pack, [ana, ben])
    assert len(result.added) == 2 and result.kept
    by_question = result.per_question()
    assert [(r.answered, r.correct) for r in by_question] == [(2, 1), (1, 1)]
    assert dict(by_question[0].counts) == {"1949": 1, "1955": 1, "1992": 0}
    students = {s.student: s for s in result.per_student()}
    assert (students["Ana"].correct, students["Ana"].notes) == (2, "Article 5?")
    assert (students["Ben"].correct, students["Ben"].answered, students["Ben"].total) == (0, 1, 2)

    reopened = open_lesson(pack.path)
    again = collect(reopened, [ana, ben, ana])
    assert again.added == () and len(again.unchanged) == 2 and len(again.students) == 2
    assert len(stored_answers(open_lesson(pack.path))) == 2
    assert result.to_dict()["questions"][0]["counts"] == {"1949": 1, "1955": 1, "1992": 0}


def test_a_newer_export_of_the_same_answers_replaces_the_older(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    home = tmp_path / "home"
    first = load_local_answers(home, pack, "Ana").with_answer(0, "1955")
    old = write_answers(tmp_path / "old.atlasanswers", first)
    collect(pack, [old])
    newer = replace(first.with_answer(0, "1949"), updated="9999-01-01T00:00:00+00:00")
    new = write_answers(tmp_path / "new.atlasanswers", newer)
    result = collect(open_lesson(pack.path), [new, old])
    assert len(result.updated) == 1 and len(result.students) == 1
    assert result.per_question()[0].correct == 1


def test_answers_to_another_lesson_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    other = _pack(tmp_path, "other.atlaslesson", replace(LESSON, title="Another lesson"))
    mine = _student(tmp_path, pack, "Ana", {0: "1949"})
    theirs = _student(tmp_path, other, "Ben", {0: "1949"})
    before = pack.path.read_bytes()
    with pytest.raises(LessonError, match=r"another lesson.*Another lesson.*nothing was collected"):
        collect(pack, [mine, theirs])
    assert pack.path.read_bytes() == before


@pytest.mark.parametrize(
    "content, message",
    [(b"{not json", "damaged or not an answers file"), (b'{"format": "x"}', "not an Alliance Atlas answers")],
)
def test_a_bad_answers_file_is_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.atlasanswers"
    path.write_bytes(content)
    with pytest.raises(LessonError, match=message):
        read_answers(path)


def test_an_answer_to_a_question_since_changed_is_not_counted(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    ana = _student(tmp_path, pack, "Ana", {0: "1949"})
    changed = replace(LESSON, quiz=Quiz(5, (replace(QUIZ.questions[0], question="NATO's founding year?"),)))
    from app.core.lessons.pack import save_lesson

    result = collect(save_lesson(pack, changed), [ana])
    assert result.per_question()[0].answered == 0


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_the_student_handout_has_no_answers_and_the_key_has_them_with_quotes(tmp_path: Path) -> None:
    student = _pdf_text(student_pdf(LESSON))
    assert "Alliances *today*" in student and "When was NATO founded?" in student
    assert 'Which "alliance" has #Armenia?' in student and "Name:" in student
    assert "1955" in student and "NATO … founded in 1949" not in student and "Answer" not in student
    key = _pdf_text(key_pdf(LESSON, {"doc-a": "Military Alliances and Partnerships"}))
    assert "Answer key" in key
    assert "NATO … founded in 1949" in key and "Answer A" in key and "Military Alliances and Partnerships" in key
    assert "Member states … Armenia" in key and "doc-b" in key


def test_the_results_pdf_tables_questions_and_students(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    result = collect(pack, [_student(tmp_path, pack, "Ana", {0: "1949"}, notes="<b>hi</b> #x")])
    text = _pdf_text(results_pdf(result))
    assert "Quiz results" in text and "Ana" in text and "1 of 2" in text and "<b>hi</b> #x" in text
    assert json.loads(json.dumps(result.to_dict()))["per_student"][0]["student"] == "Ana"
