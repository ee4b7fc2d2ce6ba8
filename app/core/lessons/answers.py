"""Students' quiz answers: kept on the student's machine, exported as one small file, collected by the trainer.

* **On the student's machine** the answers to one lesson live in the user's data folder, at
  ``<data folder>/lessons/<lesson key>/answers.json`` (:func:`local_answers_path`; the key is the
  lesson id), saved atomically after every answer (:func:`save_local_answers`). The lesson file
  itself is never written on a student's machine, so it may sit on read-only media.
* **The answers file** (``.atlasanswers``, :func:`write_answers`/:func:`read_answers`) is that record
  as JSON: ``{"format": "alliance-atlas-answers", "version": 1, "answers_id", "lesson_id",
  "lesson_title", "student", "answers": [{"index", "question", "choice"}], "notes", "created",
  "updated"}``. ``answers_id`` is made once per student and lesson and stays the same across exports.
* **Collected answers** are kept in the trainer's lesson file, one entry per student record,
  ``answers/<answers_id>.json`` (the same JSON). :func:`collect` adds a new record, replaces an older
  export of the same record by a newer one, and adds nothing for the same file twice. Answers made
  for another lesson are refused, the whole batch with them, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from app.core.fileio import atomic_write
from app.core.lessons.model import LessonError, Question
from app.core.lessons.pack import LessonPack, now_iso, read_entries, write_entries

ANSWERS_SUFFIX = ".atlasanswers"
ANSWERS_FORMAT = "alliance-atlas-answers"
ANSWERS_VERSION = 1
ANSWERS_PREFIX = "answers/"
MAX_ANSWERS_BYTES = 4 * 1024 * 1024
_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass(frozen=True)
class StudentAnswers:
    """One student's answers to one lesson's quiz: question index -> the choice picked."""

    lesson_id: str
    student: str = ""
    answers: Mapping[int, str] = field(default_factory=dict)
    notes: str = ""
    created: str = ""
    answers_id: str = ""
    updated: str = ""
    lesson_title: str = ""
    questions: Mapping[int, str] = field(default_factory=dict)  # index -> the question's text when answered

    def with_answer(self, index: int, choice: str, question: str = "") -> StudentAnswers:
        answers = {**self.answers, index: choice}
        questions = {**self.questions, index: question} if question else dict(self.questions)
        return replace(self, answers=answers, questions=questions, updated=now_iso())

    def without_answer(self, index: int) -> StudentAnswers:
        answers = {k: v for k, v in self.answers.items() if k != index}
        return replace(self, answers=answers, updated=now_iso())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": ANSWERS_FORMAT,
            "version": ANSWERS_VERSION,
            "answers_id": self.answers_id,
            "lesson_id": self.lesson_id,
            "lesson_title": self.lesson_title,
            "student": self.student,
            "answers": [
                {"index": i, "question": self.questions.get(i, ""), "choice": c}
                for i, c in sorted(self.answers.items())
            ],
            "notes": self.notes,
            "created": self.created,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, raw: Any, what: str = "The answers file") -> StudentAnswers:
        if not isinstance(raw, Mapping) or raw.get("format") != ANSWERS_FORMAT:
            raise LessonError(f"{what} is not an Alliance Atlas answers file ({ANSWERS_SUFFIX}).")
        version = raw.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > ANSWERS_VERSION:
            raise LessonError(f"{what} was made by a newer version of Alliance Atlas; update it to read these answers.")
        try:
            answers_id = str(raw["answers_id"])
            if not _SAFE_ID.match(answers_id):
                raise ValueError(answers_id)
            answers: dict[int, str] = {}
            questions: dict[int, str] = {}
            for item in raw.get("answers", []):
                index = item["index"]
                if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                    raise ValueError(index)
                answers[index] = _str(item["choice"])
                if item.get("question"):
                    questions[index] = _str(item["question"])
            return cls(
                lesson_id=_str(raw["lesson_id"]),
                student=_str(raw.get("student", "")),
                answers=answers,
                notes=_str(raw.get("notes", "")),
                created=_str(raw.get("created", "")),
                answers_id=answers_id,
                updated=_str(raw.get("updated", "")),
                lesson_title=_str(raw.get("lesson_title", "")),
                questions=questions,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LessonError(f"{what} is damaged: its answers cannot be read.") from exc


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def new_answers(pack: LessonPack, student: str = "") -> StudentAnswers:
    """An empty record for ``pack``'s quiz, with its own answers id."""
    stamp = now_iso()
    return StudentAnswers(
        lesson_id=pack.lesson_id,
        student=student,
        created=stamp,
        updated=stamp,
        answers_id=str(uuid.uuid4()),
        lesson_title=pack.lesson.title,
    )


# ---- the student's machine ----------------------------------------------------------------------
def lesson_key(lesson_id: str) -> str:
    """A folder name for a lesson id (which comes from a file: never trusted as a path)."""
    if _SAFE_ID.match(lesson_id):
        return lesson_id
    return hashlib.sha256(lesson_id.encode("utf-8")).hexdigest()[:32]


def local_answers_path(data_root: Path, lesson_id: str) -> Path:
    return Path(data_root) / "lessons" / lesson_key(lesson_id) / "answers.json"


def load_local_answers(data_root: Path, pack: LessonPack, student: str = "") -> StudentAnswers:
    """This machine's saved answers to ``pack`` (a new, empty record when there are none yet)."""
    path = local_answers_path(data_root, pack.lesson_id)
    if not path.exists():
        return new_answers(pack, student)
    found = read_answers(path)
    if found.lesson_id != pack.lesson_id:
        return new_answers(pack, student)
    return replace(found, student=student) if student and student != found.student else found


def save_local_answers(data_root: Path, answers: StudentAnswers) -> Path:
    """Keep ``answers`` in the data folder (atomic); returns the file."""
    path = local_answers_path(data_root, answers.lesson_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_answers(path, answers)
    return path


# ---- the answers file ----------------------------------------------------------------------------
def write_answers(path: Path, answers: StudentAnswers) -> Path:
    data = json.dumps(answers.to_dict(), ensure_ascii=False, indent=1)

    def write(fh: IO[Any]) -> None:
        fh.write(data + "\n")

    atomic_write(Path(path), write)
    return Path(path)


def read_answers(path: Path) -> StudentAnswers:
    path = Path(path)
    what = f"{path.name}"
    if path.exists() and not path.is_dir() and not path.is_file():
        raise LessonError(f"{path} is not a regular file, so it cannot be an answers file.")
    try:
        if path.stat().st_size > MAX_ANSWERS_BYTES:
            raise LessonError(f"{what} is too large to be an answers file.")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LessonError(f"There is no answers file {path}.") from exc
    except IsADirectoryError as exc:
        raise LessonError(f"{path} is a folder, not an answers file.") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise LessonError(f"{what} is damaged or not an answers file; it cannot be read.") from exc
    except OSError as exc:
        raise LessonError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    return StudentAnswers.from_dict(raw, what)


# ---- the trainer's collection --------------------------------------------------------------------
@dataclass(frozen=True)
class QuestionResult:
    index: int
    question: str
    answer: str
    counts: tuple[tuple[str, int], ...]  # each choice (in the question's order) and how many picked it
    answered: int
    correct: int


@dataclass(frozen=True)
class StudentResult:
    student: str
    answers_id: str
    choices: tuple[str | None, ...]  # per question: the choice picked, or None
    correct: int
    answered: int
    total: int
    notes: str


@dataclass(frozen=True)
class Collection:
    """Every student record kept for a lesson, and what the last import did."""

    pack: LessonPack
    students: tuple[StudentAnswers, ...]
    added: tuple[str, ...] = ()  # answers ids new in this import
    updated: tuple[str, ...] = ()  # answers ids replaced by a newer export
    unchanged: tuple[str, ...] = ()  # answers ids already kept as they are
    kept: bool = True  # False: shown only, not written into the lesson file

    @property
    def questions(self) -> tuple[Question, ...]:
        quiz = self.pack.lesson.quiz
        return quiz.questions if quiz else ()

    def choice(self, s: StudentAnswers, index: int) -> str | None:
        """What ``s`` picked for question ``index``; None when unanswered, or answered for a
        question that was different then (the trainer changed the quiz since)."""
        questions = self.questions
        picked = s.answers.get(index)
        if picked is None or index >= len(questions):
            return None
        asked = s.questions.get(index)
        return picked if asked is None or asked == questions[index].question else None

    def per_question(self) -> list[QuestionResult]:
        out = []
        for i, q in enumerate(self.questions):
            picked = [self.choice(s, i) for s in self.students]
            counts = tuple((c, picked.count(c)) for c in q.choices)
            answered = sum(1 for p in picked if p is not None)
            out.append(QuestionResult(i, q.question, q.answer, counts, answered, picked.count(q.answer)))
        return out

    def per_student(self) -> list[StudentResult]:
        out = []
        qs = self.questions
        for s in self.students:
            choices = tuple(self.choice(s, i) for i in range(len(qs)))
            correct = sum(1 for c, q in zip(choices, qs, strict=True) if c == q.answer)
            answered = sum(1 for c in choices if c is not None)
            name = s.student or f"(no name) {s.answers_id[:8]}"
            out.append(StudentResult(name, s.answers_id, choices, correct, answered, len(qs), s.notes))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "lesson": self.pack.lesson.title,
            "lesson_id": self.pack.lesson_id,
            "students": len(self.students),
            "added": len(self.added),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "kept": self.kept,
            "questions": [
                {
                    "index": r.index + 1,
                    "question": r.question,
                    "answer": r.answer,
                    "answered": r.answered,
                    "correct": r.correct,
                    "counts": {c: n for c, n in r.counts},
                }
                for r in self.per_question()
            ],
            "per_student": [
                {
                    "student": r.student,
                    "answers_id": r.answers_id,
                    "correct": r.correct,
                    "answered": r.answered,
                    "total": r.total,
                    "choices": list(r.choices),
                    "notes": r.notes,
                }
                for r in self.per_student()
            ],
        }


def stored_answers(pack: LessonPack) -> list[StudentAnswers]:
    """The student records kept in the lesson file, in the order they were first collected (by name)."""
    out = []
    for name, data in sorted(read_entries(pack, ANSWERS_PREFIX).items()):
        try:
            out.append(StudentAnswers.from_dict(json.loads(data.decode("utf-8")), name))
        except (UnicodeDecodeError, ValueError, LessonError):
            continue  # one damaged entry does not hide the others
    return sorted(out, key=lambda s: (s.student.casefold(), s.answers_id))


def collect(pack: LessonPack, answer_paths: Sequence[Path] | Iterable[Path], *, keep: bool = True) -> Collection:
    """Import answers files into ``pack`` (see the module docstring). ``keep=False``: only show the
    table, write nothing. Every file is read and checked before anything is written."""
    incoming: list[StudentAnswers] = []
    for path in answer_paths:
        found = read_answers(Path(path))
        if found.lesson_id != pack.lesson_id:
            title = f" (“{found.lesson_title}”)" if found.lesson_title else ""
            raise LessonError(
                f"{Path(path).name} holds answers to another lesson{title}, not to “{pack.lesson.title}”; "
                "nothing was collected."
            )
        incoming.append(found)
    kept = {s.answers_id: s for s in stored_answers(pack)}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    changed: dict[str, bytes] = {}
    for s in incoming:
        old = kept.get(s.answers_id)
        if old is not None and (old == s or s.updated <= old.updated):
            if s.answers_id not in added + updated + unchanged:
                unchanged.append(s.answers_id)
            continue
        (added if old is None else updated).append(s.answers_id)
        kept[s.answers_id] = s
        changed[f"{ANSWERS_PREFIX}{s.answers_id}.json"] = json.dumps(s.to_dict(), ensure_ascii=False).encode("utf-8")
    if changed and keep:
        write_entries(pack, changed)
    students = tuple(sorted(kept.values(), key=lambda s: (s.student.casefold(), s.answers_id)))
    return Collection(pack, students, tuple(added), tuple(updated), tuple(unchanged), kept=keep or not changed)
