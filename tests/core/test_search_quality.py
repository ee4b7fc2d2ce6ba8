"""Search quality: the judgement set's success@3 and nDCG@10 stay at or above the bar of issue 12."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from app.core.query.filters import FilterSpec
from app.core.query.repository import Repository
from tests.core.search_judgements import JUDGEMENTS, Judgement

GOAL_SUCCESS_AT_3 = 0.9


def passage_texts(repo: Repository) -> dict[int, str]:
    return {int(pid): str(text).casefold() for pid, text in repo._raw("SELECT id, text FROM passage")}


def entity_grades(repo: Repository, j: Judgement) -> list[int]:
    ranked = repo.list_entities(FilterSpec(text=j.query, sort="rank"), limit=10)
    return [j.entities.get(r.id, 0) for r in ranked]


def passage_grades(repo: Repository, j: Judgement, texts: dict[int, str]) -> list[int]:
    hits = repo.search_passages(j.query, limit=10)
    return [
        max((g for piece, g in j.passages.items() if piece.casefold() in texts[h.passage_id]), default=0) for h in hits
    ]


def success_at_3(grades: Sequence[int]) -> bool:
    return any(g > 0 for g in grades[:3])


def ndcg_at_10(grades: Sequence[int], ideal: Sequence[int]) -> float:
    def dcg(gs: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gs[:10]))

    best = dcg(sorted(ideal, reverse=True))
    return dcg(grades) / best if best else 0.0


def ideal_passage_grades(j: Judgement, texts: dict[int, str]) -> list[int]:
    return [
        g
        for g in (
            max((g for piece, g in j.passages.items() if piece.casefold() in t), default=0) for t in texts.values()
        )
        if g
    ]


def evaluate(repo: Repository) -> dict[str, dict[str, float | list[str]]]:
    """success@3 and nDCG@10 for entities and passages, with the queries that miss the top 3."""
    texts = passage_texts(repo)
    out: dict[str, dict[str, float | list[str]]] = {}
    for what in ("entities", "passages"):
        judged = [j for j in JUDGEMENTS if getattr(j, what)]
        hits = 0
        ndcg = 0.0
        misses: list[str] = []
        for j in judged:
            if what == "entities":
                grades, ideal = entity_grades(repo, j), list(j.entities.values())
            else:
                grades, ideal = passage_grades(repo, j, texts), ideal_passage_grades(j, texts)
            ok = success_at_3(grades)
            hits += ok
            ndcg += ndcg_at_10(grades, ideal)
            if not ok:
                misses.append(j.query)
        out[what] = {
            "queries": float(len(judged)),
            "success@3": hits / len(judged),
            "nDCG@10": ndcg / len(judged),
            "misses": misses,
        }
    return out


def test_the_judgement_set_is_big_enough_and_names_real_things(repo: Repository) -> None:
    assert len(JUDGEMENTS) >= 60
    assert len({j.query for j in JUDGEMENTS}) == len(JUDGEMENTS)
    known = set(repo.entity_names())
    texts = passage_texts(repo)
    for j in JUDGEMENTS:
        assert set(j.entities) <= known, j.query
        for piece in j.passages:
            assert any(piece.casefold() in t for t in texts.values()), (j.query, piece)


@pytest.mark.parametrize("what", ["entities", "passages"])
def test_success_at_3_meets_the_goal(repo: Repository, what: str) -> None:
    result = evaluate(repo)[what]
    assert result["success@3"] >= GOAL_SUCCESS_AT_3, result


def test_the_issue_failures_now_find_what_was_meant(repo: Repository) -> None:
    texts = passage_texts(repo)
    for j in JUDGEMENTS[:25]:
        if j.passages:
            assert success_at_3(passage_grades(repo, j, texts)), j.query
        if j.entities:
            assert success_at_3(entity_grades(repo, j)), j.query
