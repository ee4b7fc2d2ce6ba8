"""What the lesson commands share: opening and saving a lesson pack, the entity, passage and step
arguments, and JSON output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import CliError

if TYPE_CHECKING:
    from app.core.atlas import Atlas
    from app.core.lessons.model import Lesson, Step
    from app.core.lessons.pack import LessonPack

LETTERS = "ABCDEFGHIJ"


def open_pack(path: Path, atlas: Atlas | None) -> LessonPack:
    from app.core.lessons.pack import open_lesson

    if atlas is None:
        return open_lesson(path)
    return open_lesson(
        path,
        corpus=atlas.meta.get("seed_hash") or atlas.repo.meta().get("seed_hash"),
        known_ids=atlas.repo.entity_names(),
        known_documents=[d.id for d in atlas.repo.documents()],
    )


def save_pack(atlas: Atlas, pack: LessonPack, lesson: Lesson) -> LessonPack:
    from app.core.lessons.pack import save_lesson
    from app.core.lessons.payload import gather_payload

    return save_lesson(pack, lesson, payload=gather_payload(atlas.repo, lesson))


def entity_arg(atlas: Atlas, key: str) -> str:
    eid = atlas.repo.resolve(key)
    if eid is None:
        raise CliError(f"No entity called '{key}'. Try 'alliance-atlas search {key}'.")
    return str(eid)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def dump_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    print()


def sentence_span(text: str, offset: int) -> tuple[int, int]:
    """The sentence (or line) of ``text`` holding ``offset``: from the end of the previous one to
    the end of this one, without surrounding white space."""
    start = offset
    while (
        start > 0 and text[start - 1] != "\n" and not (text[start - 1] == " " and text[start - 2 : start - 1] in ".!?")
    ):
        start -= 1
    end = offset
    while (
        end < len(text)
        and text[end] != "\n"
        and not (text[end] in ".!?" and text[end + 1 : end + 2] in (" ", "\n", ""))
    ):
        end += 1
    end = min(len(text), end + 1) if end < len(text) and text[end] in ".!?" else end
    while start < end and text[start].isspace():
        start += 1
    return start, max(start, end)


def passage_step(atlas: Atlas, spec: str) -> tuple[str, int, int]:
    doc_key, sep, offset_text = spec.rpartition(":")
    if not sep or not doc_key or not offset_text.strip().isdigit():
        raise CliError(f"--passage takes DOC:OFFSET (a document id or file name and a character offset), not '{spec}'.")
    docs = {d.id: d.id for d in atlas.repo.documents()}
    docs.update({d.file_name: d.id for d in atlas.repo.documents()})
    if doc_key not in docs:
        raise CliError(f"No document '{doc_key}'. See 'alliance-atlas documents'.")
    view = atlas.repo.get_document(docs[doc_key])
    assert view is not None
    offset = int(offset_text)
    if offset >= len(view.text):
        raise CliError(f"--passage: {doc_key} has {len(view.text)} characters; offset {offset} is past its end.")
    start, end = sentence_span(view.text, offset)
    return docs[doc_key], start, end


def step_from_args(atlas: Atlas, args: argparse.Namespace) -> Step:
    from app.core.lessons.model import Step
    from app.core.query.filters import FilterSpec

    common: dict[str, Any] = {"points": args.points, "question": args.question, "trainer_notes": args.trainer_notes}
    if args.depth is not None and args.focus is None:
        raise CliError("--depth goes with --focus.")
    if args.select is not None:
        return Step("entity", entity_id=entity_arg(atlas, args.select), **common)
    if args.focus is not None:
        return Step("focus", entity_id=entity_arg(atlas, args.focus), depth=args.depth or 1, **common)
    if args.chain is not None:
        a, b = (entity_arg(atlas, k) for k in args.chain)
        if a == b:
            raise CliError("--chain needs two different entities.")
        return Step("chain", entity_id=a, other_id=b, **common)
    if args.query is not None:
        if not args.query.strip():
            raise CliError("--query needs a word or phrase.")
        return Step("filter", filter_json=FilterSpec(text=args.query.strip()).to_json(), **common)
    if args.timeline is not None:
        lo, hi = args.timeline
        if lo > hi:
            raise CliError(f"--timeline {lo} {hi}: the first year comes after the last. Swap them.")
        return Step("timeline", year_from=lo, year_to=hi, **common)
    doc, start, end = passage_step(atlas, args.passage)
    return Step("passage", document_id=doc, start=start, end=end, **common)
