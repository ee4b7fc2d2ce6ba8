"""The lesson model: steps check their fields, and the JSON form round-trips and refuses bad values."""

from __future__ import annotations

import pytest

from app.core.lessons.model import Lesson, LessonError, Question, Quiz, Step


def test_a_lesson_round_trips_through_its_json_form() -> None:
    lesson = (
        Lesson("Cold War alliances", author="T. Rainer", corpus="87cd7fccdebc")
        .with_step(Step("entity", entity_id="nato", points="Founded **1949**."))
        .with_step(Step("focus", entity_id="nato", depth=2))
        .with_step(Step("chain", entity_id="united-states", other_id="japan", question="How are they linked?"))
        .with_step(Step("timeline", year_from=1947, year_to=1991))
        .with_step(Step("passage", document_id="doc", start=10, end=40))
    )
    quiz = Quiz(7, (Question("When was NATO founded?", ("1949", "1955"), "1949", "in 1949", "doc", 3, 10),))
    lesson = Lesson.from_dict({**lesson.to_dict(), "quiz": quiz.to_dict()})
    assert Lesson.from_dict(lesson.to_dict()) == lesson
    assert [s["target"] for s in lesson.to_dict()["steps"]] == [
        "nato",
        "nato",
        "united-states japan",
        "1947-1991",
        "doc:10",
    ]
    assert lesson.steps[2].reveal and not lesson.steps[0].reveal


def test_steps_can_be_moved_and_removed() -> None:
    lesson = Lesson("L").with_step(Step("entity", entity_id="a")).with_step(Step("entity", entity_id="b"))
    assert [s.entity_id for s in lesson.moved_step(1, 0).steps] == ["b", "a"]
    assert [s.entity_id for s in lesson.without_step(0).steps] == ["b"]


@pytest.mark.parametrize(
    "raw, message",
    [
        ({"kind": "focus", "entity_id": "nato"}, "lacks depth"),
        ({"kind": "focus", "entity_id": "nato", "depth": 9}, "depth from 1 to 3"),
        ({"kind": "timeline", "year_from": 1991, "year_to": 1949}, "comes after"),
        ({"kind": "slides"}, "unknown kind"),
        ({"kind": "entity", "entity_id": 3}, "must be text"),
    ],
)
def test_a_malformed_step_is_refused_with_a_sentence(raw: dict[str, object], message: str) -> None:
    with pytest.raises(LessonError, match=message):
        Step.from_dict(raw)


def test_a_question_whose_answer_is_not_a_choice_is_refused() -> None:
    with pytest.raises(LessonError, match="not one of its choices"):
        Question("Q?", ("a", "b"), "c", "quote", "doc").check()
    with pytest.raises(LessonError, match="no title"):
        Lesson.from_dict({"title": "  "})
