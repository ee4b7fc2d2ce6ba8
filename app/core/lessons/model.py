"""The lesson data model: an ordered list of steps (a view with words) and a cited quiz, with its JSON form.

A ``Step`` is one view the trainer shows: an entity, a filter, a graph focus (entity + depth), a
*Why connected?* chain, a timeline range or a passage with its highlight, plus Markdown talking points.
A *reveal* step shows ``question`` first and the talking points on the next press. Every quiz
``Question`` carries the quote that answers it and where the quote is, so a trainer and a student can
check it. ``Lesson.to_dict``/``from_dict`` are the one JSON shape (``lesson show --json``); anything
malformed raises :class:`LessonError` with a plain sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, get_args

from app.core.errors import AtlasError

StepKind = Literal["entity", "filter", "focus", "chain", "timeline", "passage"]
STEP_KINDS: tuple[str, ...] = get_args(StepKind)
STEP_LABELS = {
    "entity": "Entity",
    "filter": "Filter",
    "focus": "Graph focus",
    "chain": "Why connected?",
    "timeline": "Timeline range",
    "passage": "Passage",
}


class LessonError(AtlasError):
    """A lesson file or lesson value that cannot be used; ``str()`` says why in one sentence."""


@dataclass(frozen=True)
class Step:
    """One view with words. Which fields are set depends on ``kind`` (see :meth:`check`)."""

    kind: StepKind
    points: str = ""  # Markdown talking points, rendered safely as notes are
    entity_id: str | None = None  # entity, focus; the first end of a chain
    other_id: str | None = None  # chain: the second end
    depth: int | None = None  # focus: graph depth (1..3)
    filter_json: str | None = None  # filter: FilterSpec.to_json()
    year_from: int | None = None  # timeline
    year_to: int | None = None
    document_id: str | None = None  # passage: the document and the highlighted span
    start: int | None = None
    end: int | None = None
    question: str = ""  # a reveal step: shown first, the points on the next press
    trainer_notes: str = ""  # shown only on the presenter's screen

    @property
    def reveal(self) -> bool:
        return bool(self.question.strip())

    @property
    def target(self) -> str:
        """What the step shows, as one short string (the ``target`` of ``lesson show --json``)."""
        if self.kind in ("entity", "focus"):
            return self.entity_id or ""
        if self.kind == "chain":
            return f"{self.entity_id} {self.other_id}"
        if self.kind == "timeline":
            return f"{self.year_from}-{self.year_to}"
        if self.kind == "passage":
            return f"{self.document_id}:{self.start}"
        return _filter_text(self.filter_json)

    def check(self) -> Step:
        """Return self, or raise LessonError if the fields do not fit the kind."""
        need: dict[str, tuple[str, ...]] = {
            "entity": ("entity_id",),
            "focus": ("entity_id", "depth"),
            "chain": ("entity_id", "other_id"),
            "filter": ("filter_json",),
            "timeline": ("year_from", "year_to"),
            "passage": ("document_id", "start", "end"),
        }
        if self.kind not in need:
            raise LessonError(f"A lesson step has an unknown kind {self.kind!r}.")
        missing = [name for name in need[self.kind] if getattr(self, name) in (None, "")]
        if missing:
            raise LessonError(f"A {STEP_LABELS[self.kind].lower()} step lacks {', '.join(missing)}.")
        if self.kind == "focus" and not 1 <= (self.depth or 0) <= 3:
            raise LessonError("A graph focus step needs a depth from 1 to 3.")
        if self.kind == "timeline" and (self.year_from or 0) > (self.year_to or 0):
            raise LessonError("A timeline step's first year comes after its last.")
        if self.kind == "passage" and not 0 <= (self.start or 0) <= (self.end or 0):
            raise LessonError("A passage step's highlight ends before it starts.")
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "target": self.target, "points": self.points}
        for name in _STEP_FIELDS:
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Step:
        if not isinstance(raw, Mapping):
            raise LessonError("A lesson step must be a JSON object.")
        kind = raw.get("kind")
        if kind not in STEP_KINDS:
            raise LessonError(f"A lesson step has an unknown kind {kind!r}.")
        kwargs: dict[str, Any] = {"kind": kind, "points": _text(raw, "points")}
        for name in _STEP_FIELDS:
            if name in raw and raw[name] is not None:
                kwargs[name] = _typed(raw, name, int if name in _INT_FIELDS else str)
        return cls(**kwargs).check()


_STEP_FIELDS = (
    "entity_id",
    "other_id",
    "depth",
    "filter_json",
    "year_from",
    "year_to",
    "document_id",
    "start",
    "end",
    "question",
    "trainer_notes",
)
_INT_FIELDS = {"depth", "year_from", "year_to", "start", "end"}


@dataclass(frozen=True)
class Question:
    """A multiple-choice question whose answer is one of ``choices`` and is backed by ``quote``."""

    question: str
    choices: tuple[str, ...]
    answer: str  # the right choice, verbatim one of ``choices``
    quote: str  # the source's own words (a document's text over [start, end), or a dataset record)
    document: str  # document id (or dataset name for a dataset citation)
    start: int | None = None
    end: int | None = None
    topic: str = ""  # what kind of fact it asks: "founded", "member", "category", "activity", "source"...
    entity_id: str | None = None

    def check(self) -> Question:
        if not self.question.strip():
            raise LessonError("A quiz question has no text.")
        if len(self.choices) < 2 or len(set(self.choices)) != len(self.choices):
            raise LessonError(f"The question {self.question!r} needs at least two different choices.")
        if self.answer not in self.choices:
            raise LessonError(f"The answer to {self.question!r} is not one of its choices.")
        if not self.quote.strip() or not self.document:
            raise LessonError(f"The answer to {self.question!r} has no quote and source.")
        return self

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
            "quote": self.quote,
            "document": self.document,
        }
        for name in ("start", "end", "topic", "entity_id"):
            value = getattr(self, name)
            if value not in (None, ""):
                out[name] = value
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Question:
        if not isinstance(raw, Mapping):
            raise LessonError("A quiz question must be a JSON object.")
        choices = raw.get("choices")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise LessonError("A quiz question's choices must be a list of strings.")
        return cls(
            question=_text(raw, "question"),
            choices=tuple(choices),
            answer=_text(raw, "answer"),
            quote=_text(raw, "quote"),
            document=_text(raw, "document"),
            start=_typed(raw, "start", int) if raw.get("start") is not None else None,
            end=_typed(raw, "end", int) if raw.get("end") is not None else None,
            topic=_text(raw, "topic"),
            entity_id=_typed(raw, "entity_id", str) if raw.get("entity_id") is not None else None,
        ).check()


@dataclass(frozen=True)
class Quiz:
    seed: int
    questions: tuple[Question, ...] = ()

    def with_question(self, question: Question, index: int | None = None) -> Quiz:
        """``question`` added (checked) at ``index``, or at the end."""
        questions = list(self.questions)
        questions.insert(len(questions) if index is None else index, question.check())
        return replace(self, questions=tuple(questions))

    def without_question(self, index: int) -> Quiz:
        questions = list(self.questions)
        del questions[index]
        return replace(self, questions=tuple(questions))

    def replaced_question(self, index: int, question: Question) -> Quiz:
        questions = list(self.questions)
        questions[index] = question.check()
        return replace(self, questions=tuple(questions))

    def moved_question(self, index: int, to: int) -> Quiz:
        questions = list(self.questions)
        questions.insert(to, questions.pop(index))
        return replace(self, questions=tuple(questions))

    def to_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "questions": [q.to_dict() for q in self.questions]}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Quiz:
        if not isinstance(raw, Mapping):
            raise LessonError("A lesson's quiz must be a JSON object.")
        questions = raw.get("questions", [])
        if not isinstance(questions, list):
            raise LessonError("A lesson's quiz questions must be a list.")
        return cls(seed=_typed(raw, "seed", int), questions=tuple(Question.from_dict(q) for q in questions))


@dataclass(frozen=True)
class Lesson:
    """A whole lesson. ``corpus`` is the reference seed hash it was made on."""

    title: str
    author: str = ""
    created: str = ""  # ISO 8601 date
    corpus: str = ""
    steps: tuple[Step, ...] = ()
    trainer_notes: str = ""  # Markdown, for the whole lesson
    quiz: Quiz | None = None

    def with_step(self, step: Step, index: int | None = None) -> Lesson:
        steps = list(self.steps)
        steps.insert(len(steps) if index is None else index, step.check())
        return replace(self, steps=tuple(steps))

    def without_step(self, index: int) -> Lesson:
        steps = list(self.steps)
        del steps[index]
        return replace(self, steps=tuple(steps))

    def moved_step(self, index: int, to: int) -> Lesson:
        steps = list(self.steps)
        steps.insert(to, steps.pop(index))
        return replace(self, steps=tuple(steps))

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "author": self.author,
            "created": self.created,
            "corpus": self.corpus,
            "trainer_notes": self.trainer_notes,
            "steps": [s.to_dict() for s in self.steps],
            "quiz": self.quiz.to_dict() if self.quiz else None,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Lesson:
        if not isinstance(raw, Mapping):
            raise LessonError("A lesson must be a JSON object.")
        title = _text(raw, "title").strip()
        if not title:
            raise LessonError("The lesson has no title.")
        steps = raw.get("steps", [])
        if not isinstance(steps, list):
            raise LessonError("The lesson's steps must be a list.")
        quiz = raw.get("quiz")
        return cls(
            title=title,
            author=_text(raw, "author"),
            created=_text(raw, "created"),
            corpus=_text(raw, "corpus"),
            trainer_notes=_text(raw, "trainer_notes"),
            steps=tuple(Step.from_dict(s) for s in steps),
            quiz=Quiz.from_dict(quiz) if quiz is not None else None,
        )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise LessonError(f"The lesson's {key!r} must be text.")
    return value


def _typed(raw: Mapping[str, Any], key: str, kind: type[int] | type[str]) -> Any:
    value = raw.get(key)
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise LessonError(f"The lesson's {key!r} must be a whole number.")
    if kind is str and not isinstance(value, str):
        raise LessonError(f"The lesson's {key!r} must be text.")
    return value


def _filter_text(filter_json: str | None) -> str:
    """The search text of a filter step, or a short description when it has none."""
    import json

    try:
        raw = json.loads(filter_json or "{}")
    except ValueError:
        return "filter"
    text = raw.get("text") if isinstance(raw, dict) else None
    return text if isinstance(text, str) and text else "filter"
