"""Quizzes from cited facts: seeded, each answer cited verbatim, distractors known to be wrong."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.core.db import connector, ensure_user_db
from app.core.lessons.quiz import TOPICS, make_quiz
from app.core.query.repository import Repository
from tests.synthetic import generate_reference


def test_the_same_seed_gives_the_same_quiz_and_another_seed_another(repo: Repository) -> None:
    first = make_quiz(repo, questions=12, seed=7)
    assert first == make_quiz(repo, questions=12, seed=7)
    assert len(first.questions) == 12 and first.seed == 7
    other = make_quiz(repo, questions=12, seed=8)
    assert [q.question for q in other.questions] != [q.question for q in first.questions]


def test_every_answer_is_a_choice_and_its_quote_is_verbatim_in_its_document(repo: Repository) -> None:
    quiz = make_quiz(repo, questions=200, seed=1)
    assert len(quiz.questions) > 40
    assert {q.topic for q in quiz.questions} == set(TOPICS)
    texts: dict[str, str] = {}
    for q in quiz.questions:
        assert q.answer in q.choices and len(set(q.choices)) == len(q.choices) >= 2
        if q.document not in texts:
            view = repo.get_document(q.document)
            assert view is not None, q.document
            texts[q.document] = view.text
        assert q.start is not None and q.end is not None
        assert texts[q.document][q.start : q.end] == q.quote, q.question
    assert len({q.question for q in quiz.questions}) == len(quiz.questions)


def test_distractors_are_known_to_be_wrong(repo: Repository) -> None:
    quiz = make_quiz(repo, questions=200, seed=2)
    nato = next(q for q in quiz.questions if q.question == "In which year was NATO founded?")
    assert nato.answer == "1949" and "1949" in nato.quote
    assert set(nato.choices) - {"1949"} <= {"1955", "1992", "2006", "1648"}
    assert any(q.question == "In which year was Treaty of Westphalia signed?" for q in quiz.questions)
    for q in quiz.questions:
        if q.topic == "member" and q.entity_id == "collective-security-treaty-organization":
            members = {"Armenia", "Belarus", "Kazakhstan", "Kyrgyzstan", "Russia", "Tajikistan"}
            assert q.answer in members and not (set(q.choices) - {q.answer}) & members
        if q.topic == "source":
            assert q.answer in {d.title for d in repo.documents()}
        # A question never gives its answer away in its own words ("a party to Russia – China").
        if q.topic == "member":
            assert q.answer.casefold() not in q.question.casefold()


def test_a_quiz_can_be_limited_to_some_entities(repo: Repository) -> None:
    quiz = make_quiz(repo, questions=20, seed=3, entity_ids=["nato"])
    assert quiz.questions and all("NATO" in q.question or q.entity_id == "nato" for q in quiz.questions)
    assert make_quiz(repo, questions=5, seed=3, entity_ids=["no-such-entity"]).questions == ()


def test_a_large_catalogue_is_sampled_and_choices_are_names(tmp_path: Path) -> None:
    ref = generate_reference(tmp_path / "s.sqlite", entities=1500, countries=100, memberships=6000, passages=3000)
    ensure_user_db(tmp_path / "u.sqlite")
    repo = Repository(connector(ref, tmp_path / "u.sqlite"))
    try:
        quiz = make_quiz(repo, questions=30, seed=4)
        assert quiz == make_quiz(repo, questions=30, seed=4) and len(quiz.questions) == 30
        names = set(repo.entity_names().values())
        for q in quiz.questions:
            if q.topic in ("member", "which"):
                assert set(q.choices) <= names, q.choices
    finally:
        repo.dispose()


def test_a_trainers_question_is_cited_word_for_word(repo: Repository) -> None:
    from app.core.lessons.model import LessonError, Quiz
    from app.core.lessons.quiz import cited_question

    quote = "Established in 1992, this organization aims to provide a strategic framework"
    q = cited_question(
        repo,
        question="When was the CSTO founded?",
        choices=["1992", "1949"],
        answer="1992",
        document="military-alliances-and-partnerships.txt",
        quote=quote,
    )
    view = repo.get_document(q.document)
    assert view is not None and view.text[q.start : q.end] == quote
    quiz = Quiz(1).with_question(q).with_question(q, 0)
    assert quiz.moved_question(1, 0).questions == quiz.questions and len(quiz.without_question(0).questions) == 1
    with pytest.raises(LessonError, match="not word for word"):
        cited_question(repo, question="Q?", choices=["a", "b"], answer="a", document=q.document, quote="made up")
    with pytest.raises(LessonError, match="No document"):
        cited_question(repo, question="Q?", choices=["a", "b"], answer="a", document="nowhere", quote=quote)
    with pytest.raises(LessonError, match="not one of its choices"):
        quiz.replaced_question(0, replace(q, answer="c"))
