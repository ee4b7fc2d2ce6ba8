"""The lesson file: round trip, read-only media, newer formats and damaged files refused with one sentence."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import pytest

from app.core.errors import AtlasError
from app.core.lessons.model import Lesson, LessonError, Step
from app.core.lessons.pack import (
    FORMAT_VERSION,
    LESSON_SUFFIX,
    create_lesson,
    open_lesson,
    read_entries,
    save_lesson,
    write_entries,
)
from app.core.lessons.payload import DocumentCopy, EntityCopy, FactCopy, Payload, QuoteCopy
from tests.core.mounts import read_only

LESSON = (
    Lesson("Cold War alliances", author="T. Rainer", corpus="87cd7fccdebc")
    .with_step(Step("entity", entity_id="nato", points="Founded **1949**."))
    .with_step(Step("chain", entity_id="united-states", other_id="my-anzus"))
)


def test_a_lesson_round_trips_and_keeps_its_id_and_other_entries(tmp_path: Path) -> None:
    path = tmp_path / f"cold-war{LESSON_SUFFIX}"
    made = create_lesson(path, LESSON)
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "alliance-atlas-lesson" and manifest["version"] == FORMAT_VERSION
    assert manifest["lesson_id"] == made.lesson_id and manifest["app_version"] and manifest["created"]
    opened = open_lesson(path)
    assert opened.lesson == made.lesson and opened.lesson.created and not opened.read_only
    write_entries(opened, {"answers/x.json": b"{}"})
    saved = save_lesson(opened, opened.lesson.without_step(0))
    again = open_lesson(path)
    assert again.lesson_id == made.lesson_id and len(again.lesson.steps) == 1 == len(saved.lesson.steps)
    assert read_entries(again, "answers/") == {"answers/x.json": b"{}"}


def test_an_existing_file_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "l.atlaslesson"
    path.write_bytes(b"precious")
    with pytest.raises(LessonError, match="already exists"):
        create_lesson(path, LESSON)
    assert path.read_bytes() == b"precious"
    create_lesson(path, LESSON, overwrite=True)
    assert open_lesson(path).lesson.title == LESSON.title


def test_differences_name_another_corpus_and_missing_entities(tmp_path: Path) -> None:
    path = tmp_path / "l.atlaslesson"
    anzus = EntityCopy("my-anzus", "ANZUS", "alliance", (), (FactCopy("founded", "Founded", "1951", None, ()),))
    create_lesson(path, LESSON, payload=Payload((anzus,), ()))
    same = open_lesson(path, corpus="87cd7fccdebc", known_ids={"nato", "united-states", "my-anzus"})
    assert same.corpus_differences == () and same.missing == ()
    other = open_lesson(path, corpus="ffffffffffff", known_ids={"nato", "united-states"})
    assert other.missing == ("my-anzus",)
    assert any("corpus 87cd7fccdebc" in d and "ffffffffffff" in d for d in other.corpus_differences)
    assert any("ANZUS" in d and "copy kept in the lesson" in d for d in other.corpus_differences)
    assert other.payload.entity("my-anzus") == anzus


def test_the_payload_round_trips(tmp_path: Path) -> None:
    doc = DocumentCopy("doc-1", "Briefing", "brief.md", "Notes", "ANZUS was signed in 1951.")
    fact = FactCopy(
        "founded", "Founded", "1951", None, (QuoteCopy("doc-1", "Briefing", 0, 25, "ANZUS was signed in 1951."),)
    )
    payload = Payload((EntityCopy("my-anzus", "ANZUS", "alliance", ("ANZUS Treaty",), (fact,)),), (doc,))
    path = tmp_path / "l.atlaslesson"
    create_lesson(path, LESSON, payload=payload)
    assert open_lesson(path).payload == payload


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_lesson_opens_from_read_only_media_and_is_never_written(tmp_path: Path) -> None:
    folder = tmp_path / "usb"
    folder.mkdir()
    path = folder / "l.atlaslesson"
    create_lesson(path, LESSON)
    before = _tree(folder)
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        pack = open_lesson(path)
        assert pack.lesson.title == LESSON.title
        if os.geteuid() != 0:  # root ignores permissions: the read-only mount below covers it
            assert pack.read_only
            with pytest.raises(AtlasError, match="read-only"):
                save_lesson(pack, pack.lesson.without_step(0))
    finally:
        folder.chmod(stat.S_IRWXU)
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert _tree(folder) == before
    with read_only(folder) as view:
        pack = open_lesson(view / "l.atlaslesson")
        assert pack.read_only and pack.lesson == open_lesson(path).lesson
        with pytest.raises(AtlasError, match="read-only"):
            save_lesson(pack, pack.lesson.without_step(0))
    assert _tree(folder) == before


def _zip(path: Path, entries: dict[str, object]) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        for name, value in entries.items():
            zf.writestr(name, value if isinstance(value, bytes) else json.dumps(value))


def test_a_newer_format_is_refused_with_a_clear_sentence(tmp_path: Path) -> None:
    path = tmp_path / "new.atlaslesson"
    manifest = {"format": "alliance-atlas-lesson", "version": FORMAT_VERSION + 1, "lesson_id": "x"}
    _zip(path, {"manifest.json": manifest, "lesson.json": LESSON.to_dict()})
    before = path.read_bytes()
    with pytest.raises(LessonError, match=r"newer version of Alliance Atlas.*Update Alliance Atlas"):
        open_lesson(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("cut", [10, 100, 0.5, -30])
def test_a_truncated_file_is_refused_and_left_alone(tmp_path: Path, cut: float) -> None:
    path = tmp_path / "l.atlaslesson"
    create_lesson(path, LESSON)
    data = path.read_bytes()
    end = int(len(data) * cut) if isinstance(cut, float) else cut
    path.write_bytes(data[:end])
    before = path.read_bytes()
    with pytest.raises(LessonError, match="damaged or incomplete"):
        open_lesson(path)
    assert path.read_bytes() == before


def test_a_damaged_member_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.atlaslesson"
    create_lesson(path, LESSON)
    data = bytearray(path.read_bytes())
    at = data.find(b"lesson.json", 40) + 40  # inside the lesson's compressed bytes
    data[at : at + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(LessonError, match="damaged"):
        open_lesson(path)


@pytest.mark.parametrize(
    "entries, message",
    [
        ({"lesson.json": {"title": "x"}}, "not an Alliance Atlas lesson"),
        ({"manifest.json": {"format": "something-else", "version": 1}}, "not an Alliance Atlas lesson"),
        ({"manifest.json": {"format": "alliance-atlas-lesson", "version": 1, "lesson_id": "x"}}, "damaged"),
        (
            {
                "manifest.json": {"format": "alliance-atlas-lesson", "version": 1, "lesson_id": "x"},
                "lesson.json": b"{not json",
            },
            "damaged",
        ),
        (
            {
                "manifest.json": {"format": "alliance-atlas-lesson", "version": 1, "lesson_id": "x"},
                "lesson.json": {"title": "x", "steps": [{"kind": "slides"}]},
            },
            "unknown kind",
        ),
    ],
)
def test_foreign_or_malformed_files_are_refused(tmp_path: Path, entries: dict[str, object], message: str) -> None:
    path = tmp_path / "l.atlaslesson"
    _zip(path, entries)
    with pytest.raises(LessonError, match=message):
        open_lesson(path)


def test_not_a_zip_and_no_file_at_all(tmp_path: Path) -> None:
    path = tmp_path / "l.atlaslesson"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(LessonError, match="not an Alliance Atlas lesson"):
        open_lesson(path)
    with pytest.raises(LessonError, match="no lesson file"):
        open_lesson(tmp_path / "missing.atlaslesson")
    with pytest.raises(LessonError, match="is a folder"):
        open_lesson(tmp_path)
    fifo = tmp_path / "pipe.atlaslesson"
    os.mkfifo(fifo)
    with pytest.raises(LessonError, match="not a regular file"):
        open_lesson(fifo)
