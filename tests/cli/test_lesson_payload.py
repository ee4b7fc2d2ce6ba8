"""A lesson using the trainer's own sources opens on a machine with only the seeds, from its cited copies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.cli import main
from app.core.atlas import open_atlas
from app.core.lessons.model import Lesson, Step
from app.core.lessons.pack import open_lesson
from app.core.lessons.payload import Payload, gather_payload, step_filter
from app.core.lessons.quiz import make_quiz
from app.core.query.filters import FilterSpec
from app.paths import DataPaths
from tests.conftest import SEEDS

BRIEF = (
    "# Pacific briefing\n\n"
    "The Australia, New Zealand and United States Security Treaty (ANZUS) was signed in 1951 by Australia, "
    "New Zealand and the United States.\n"
)


def cli(capsys: pytest.CaptureFixture[str], paths: DataPaths, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(paths.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_trainers_own_entity_travels_with_the_lesson(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text(BRIEF, encoding="utf-8")
    code, out, err = cli(capsys, data_paths, "import", str(brief), "--json")
    assert code == 0, err
    doc_id = json.loads(out)["documents"][0]["id"]
    suggestions = json.loads(cli(capsys, data_paths, "suggestions", "--json")[1])["suggestions"]
    anzus = next(s for s in suggestions if "ANZUS" in s["aliases"])
    assert cli(capsys, data_paths, "accept", str(anzus["id"]), "--name", "ANZUS Treaty")[0] == 0
    lesson = tmp_path / "pacific.atlaslesson"
    cli(capsys, data_paths, "lesson", "new", "--title", "Pacific", "-o", str(lesson))
    code, _out, err = cli(capsys, data_paths, "lesson", "add-step", str(lesson), "--select", "ANZUS Treaty")
    assert code == 0, err
    code, _out, err = cli(capsys, data_paths, "lesson", "add-step", str(lesson), "--passage", f"{doc_id}:20")
    assert code == 0, err

    pack = open_lesson(lesson)
    copy = pack.payload.entity("my-anzus-treaty") or pack.payload.entities[0]
    assert copy.name == "ANZUS Treaty" and pack.payload.document(doc_id) is not None
    text = pack.payload.document(doc_id).text  # type: ignore[union-attr]
    for fact in copy.facts:
        for c in fact.citations:
            assert text[c.start : c.end] == c.quote

    # A second machine with only the seeds: the lesson opens, says what it lacks, writes nothing of its own.
    other = DataPaths(tmp_path / "other").ensure()
    shutil.copyfile(data_paths.reference_db, other.reference_db)
    code, out, err = cli(capsys, other, "lesson", "show", str(lesson), "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["missing"] == [copy.id]
    assert any("ANZUS Treaty" in d and "copy kept in the lesson" in d for d in shown["differences"])
    assert any(doc_id in d for d in shown["differences"])
    assert "ANZUS Treaty" in err  # the differences are said on stderr too
    code, out, _ = cli(capsys, other, "documents", "--json")
    assert all(d["kind"] == "seed" for d in json.loads(out)["documents"])


def test_quiz_answers_from_the_users_documents_are_verbatim_too(
    data_paths: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    brief = tmp_path / "brief.md"
    brief.write_text(BRIEF, encoding="utf-8")
    cli(capsys, data_paths, "import", str(brief))
    anzus = next(s for s in json.loads(cli(capsys, data_paths, "suggestions", "--json")[1])["suggestions"])
    cli(capsys, data_paths, "accept", str(anzus["id"]))
    atlas = open_atlas(data_paths, seeds=SEEDS)
    try:
        quiz = make_quiz(atlas.repo, questions=200, seed=1)
        mine = [q for q in quiz.questions if q.document.startswith("doc-")]
        assert mine
        for q in mine:
            view = atlas.repo.get_document(q.document)
            assert view is not None and view.text[q.start : q.end] == q.quote
    finally:
        atlas.close()


def test_a_filter_by_the_authors_tags_shows_the_entities_they_tagged(data_paths: DataPaths) -> None:
    atlas = open_atlas(data_paths, seeds=SEEDS)
    try:
        atlas.user_data.notes.tag_entities("cold war", ["nato", "warsaw-pact"])
        step = Step("filter", filter_json=FilterSpec(tags=("cold war",)).to_json())
        payload = gather_payload(atlas.repo, Lesson("L", steps=(step,)))
    finally:
        atlas.close()
    assert payload.tagged("cold war") == ("nato", "warsaw-pact")
    assert Payload.from_dict(json.loads(json.dumps(payload.to_dict()))) == payload
    spec = step_filter(step, payload)
    assert spec.tags == () and spec.ids == ("nato", "warsaw-pact")
    assert step_filter(step, Payload()).tags == ("cold war",)
