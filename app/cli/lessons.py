"""The ``lesson`` commands: make a lesson and its quiz, print it, answer it and collect the answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import EXIT_ERROR, EXIT_OK, CliError, open_atlas_for
from app.paths import DataPaths

if TYPE_CHECKING:
    from app.core.atlas import Atlas
    from app.core.lessons.model import Lesson, Step
    from app.core.lessons.pack import LessonPack

LETTERS = "ABCDEFGHIJ"


def register(sub: Any) -> None:
    lesson = sub.add_parser("lesson", help="lessons for trainers: steps, talking points, a cited quiz")
    lsub = lesson.add_subparsers(dest="lesson_command", metavar="ACTION", required=True)

    p = lsub.add_parser("new", help="make a new, empty lesson file")
    p.add_argument("--title", required=True, metavar="T")
    p.add_argument("--author", default="", metavar="NAME")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="FILE", help="the .atlaslesson file to make")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=cmd_new)

    p = lsub.add_parser("add-step", help="add a step (a view with talking points) to a lesson")
    p.add_argument("file", type=Path, metavar="FILE")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--select", metavar="E", help="show an entity (id, name or alias)")
    what.add_argument("--query", metavar="Q", help="show the entities a search matches (a filter)")
    what.add_argument("--focus", metavar="E", help="the graph around an entity (with --depth)")
    what.add_argument("--chain", nargs=2, metavar=("A", "B"), help="Why connected? between two entities")
    what.add_argument("--passage", metavar="DOC:OFFSET", help="a document's sentence at a character offset")
    what.add_argument("--timeline", nargs=2, type=int, metavar=("FROM", "TO"), help="the timeline between two years")
    p.add_argument("--depth", type=int, choices=[1, 2, 3], help="graph depth for --focus (default 1)")
    p.add_argument("--points", default="", metavar="TEXT", help="talking points (Markdown)")
    p.add_argument("--question", default="", metavar="TEXT", help="a reveal step: this question first, then the points")
    p.add_argument("--trainer-notes", default="", metavar="TEXT", help="notes only the presenter's screen shows")
    p.add_argument("--at", type=int, metavar="N", help="insert as step N (1 = first; default: at the end)")
    p.set_defaults(handler=cmd_add_step)

    p = lsub.add_parser("show", help="a lesson's steps and quiz")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_show)

    p = lsub.add_parser("quiz", help="make the lesson's quiz from cited facts (replaces any earlier quiz)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--questions", type=int, default=10, metavar="N", help="how many questions (default 10)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same quiz (default 1)")
    p.add_argument("--from-steps", action="store_true", help="only questions about the entities the steps show")
    p.set_defaults(handler=cmd_quiz)

    p = lsub.add_parser("add-question", help="add your own question; its answer quotes a document word for word")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--question", required=True, metavar="TEXT")
    p.add_argument("--choice", action="append", required=True, metavar="TEXT", help="a choice (repeat: 2 to 10)")
    p.add_argument("--answer", required=True, metavar="A", help="the right choice: its letter or its text")
    p.add_argument("--document", required=True, metavar="DOC", help="document id or file name holding the quote")
    p.add_argument("--quote", required=True, metavar="TEXT", help="the sentence that answers it, as written")
    p.add_argument("--at", type=int, metavar="N", help="insert as question N (default: at the end)")
    p.set_defaults(handler=cmd_add_question)

    p = lsub.add_parser("edit-question", help="change a quiz question (what is not given stays)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("number", type=int, metavar="N", help="the question's number (1 = first)")
    p.add_argument("--question", metavar="TEXT")
    p.add_argument("--choice", action="append", metavar="TEXT", help="the choices, all of them (repeat)")
    p.add_argument("--answer", metavar="A", help="the right choice: its letter or its text")
    p.add_argument("--document", metavar="DOC", help="with --quote: another document")
    p.add_argument("--quote", metavar="TEXT", help="another sentence that answers it, as written")
    p.set_defaults(handler=cmd_edit_question)

    p = lsub.add_parser("remove-question", help="remove a quiz question")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("number", type=int, metavar="N", help="the question's number (1 = first)")
    p.set_defaults(handler=cmd_remove_question)

    p = lsub.add_parser("export-pdf", help="the quiz as a student handout or an answer key (PDF)")
    p.add_argument("file", type=Path, metavar="FILE")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--student", action="store_true", help="questions with space to write, no answers")
    which.add_argument("--key", action="store_true", help="answers with their quotes and citations")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="PDF")
    p.set_defaults(handler=cmd_export_pdf)

    p = lsub.add_parser("answer", help="answer a quiz question (kept in your data folder)")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("question", type=int, metavar="N", help="the question's number (1 = first)")
    p.add_argument("choice", metavar="CHOICE", help="the choice's letter (A, B, …) or its text")
    p.add_argument("--student", default="", metavar="NAME", help="your name (kept with your answers)")
    p.add_argument("--note", default=None, metavar="TEXT", help="your notes on the lesson (replaces earlier ones)")
    p.set_defaults(handler=cmd_answer)

    p = lsub.add_parser("answers", help="export your saved answers to one small file for the trainer")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="ANSWERS")
    p.add_argument("--student", default="", metavar="NAME", help="your name (if not given when answering)")
    p.set_defaults(handler=cmd_answers)

    p = lsub.add_parser("collect", help="collect students' answers files into the lesson and show the results")
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument("answers", nargs="+", type=Path, metavar="ANSWERS")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--pdf", type=Path, metavar="PDF", help="also write the results table as a PDF")
    p.set_defaults(handler=cmd_collect)


# ---- helpers ---------------------------------------------------------------------------------------
def _open_pack(path: Path, atlas: Atlas | None) -> LessonPack:
    from app.core.lessons.pack import open_lesson

    if atlas is None:
        return open_lesson(path)
    return open_lesson(
        path,
        corpus=atlas.meta.get("seed_hash") or atlas.repo.meta().get("seed_hash"),
        known_ids=atlas.repo.entity_names(),
        known_documents=[d.id for d in atlas.repo.documents()],
    )


def _save(atlas: Atlas, pack: LessonPack, lesson: Lesson) -> LessonPack:
    from app.core.lessons.pack import save_lesson
    from app.core.lessons.payload import gather_payload

    return save_lesson(pack, lesson, payload=gather_payload(atlas.repo, lesson))


def _entity(atlas: Atlas, key: str) -> str:
    eid = atlas.repo.resolve(key)
    if eid is None:
        raise CliError(f"No entity called '{key}'. Try 'alliance-atlas search {key}'.")
    return str(eid)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _dump(data: object) -> None:
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


def _passage_step(atlas: Atlas, spec: str) -> tuple[str, int, int]:
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


def _step_from_args(atlas: Atlas, args: argparse.Namespace) -> Step:
    from app.core.lessons.model import Step
    from app.core.query.filters import FilterSpec

    common: dict[str, Any] = {"points": args.points, "question": args.question, "trainer_notes": args.trainer_notes}
    if args.depth is not None and args.focus is None:
        raise CliError("--depth goes with --focus.")
    if args.select is not None:
        return Step("entity", entity_id=_entity(atlas, args.select), **common)
    if args.focus is not None:
        return Step("focus", entity_id=_entity(atlas, args.focus), depth=args.depth or 1, **common)
    if args.chain is not None:
        a, b = (_entity(atlas, k) for k in args.chain)
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
    doc, start, end = _passage_step(atlas, args.passage)
    return Step("passage", document_id=doc, start=start, end=end, **common)


# ---- commands --------------------------------------------------------------------------------------
def cmd_new(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.model import Lesson
    from app.core.lessons.pack import create_lesson, now_iso

    title = args.title.strip()
    if not title:
        raise CliError("--title needs some text.")
    atlas = open_atlas_for(paths)
    try:
        corpus = atlas.repo.meta().get("seed_hash", "")
    finally:
        atlas.close()
    lesson = Lesson(title, author=args.author.strip(), created=now_iso()[:10], corpus=corpus)
    pack = create_lesson(args.output, lesson, overwrite=args.force)
    print(f"Made the lesson “{title}” in {pack.path} (corpus {corpus[:12] or 'unknown'}).")
    return EXIT_OK


def cmd_add_step(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.model import STEP_LABELS

    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        step = _step_from_args(atlas, args)
        count = len(pack.lesson.steps)
        if args.at is not None and not 1 <= args.at <= count + 1:
            raise CliError(f"--at {args.at}: the lesson has {count} steps, so give 1 to {count + 1}.")
        index = count if args.at is None else args.at - 1
        lesson = pack.lesson.with_step(step, index)
        _save(atlas, pack, lesson)
    finally:
        atlas.close()
    print(f"Step {index + 1} of {len(lesson.steps)}: {STEP_LABELS[step.kind]} {step.target}.")
    return EXIT_OK


def show_json(pack: LessonPack) -> dict[str, Any]:
    lesson = pack.lesson
    quiz = lesson.quiz
    return {
        "title": lesson.title,
        "author": lesson.author,
        "corpus": lesson.corpus,
        "created": lesson.created,
        "lesson_id": pack.lesson_id,
        "trainer_notes": lesson.trainer_notes,
        "steps": [s.to_dict() for s in lesson.steps],
        "quiz": quiz.to_dict() if quiz else {"seed": None, "questions": []},
        "read_only": pack.read_only,
        "differences": list(pack.corpus_differences),
        "missing": list(pack.missing),
    }


def cmd_show(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.model import STEP_LABELS

    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        names = atlas.repo.entity_names()
    finally:
        atlas.close()
    for sentence in pack.corpus_differences:
        print(f"alliance-atlas: {sentence}", file=sys.stderr)
    if args.json:
        _dump(show_json(pack))
        return EXIT_OK
    lesson = pack.lesson
    by = f" by {lesson.author}" if lesson.author else ""
    print(f"{lesson.title}{by} ({lesson.created or 'undated'}, corpus {lesson.corpus[:12] or 'unknown'})")
    if pack.read_only:
        print("(read-only: it can be shown and presented, not changed)")
    if not lesson.steps:
        print("No steps yet: alliance-atlas lesson add-step FILE --select NAME")
    for i, s in enumerate(lesson.steps, 1):
        target = s.target
        if s.kind in ("entity", "focus"):
            target = names.get(s.entity_id or "", target)
        elif s.kind == "chain":
            target = f"{names.get(s.entity_id or '', s.entity_id)} ↔ {names.get(s.other_id or '', s.other_id)}"
        depth = f" (depth {s.depth})" if s.kind == "focus" else ""
        print(f"{i:3}. {STEP_LABELS[s.kind]}: {target}{depth}")
        if s.question:
            print(f"     Question: {s.question}")
        for line in s.points.splitlines():
            print(f"     {line}")
    quiz = lesson.quiz
    if quiz and quiz.questions:
        print(f"\nQuiz (seed {quiz.seed}, {len(quiz.questions)} questions):")
        for i, q in enumerate(quiz.questions, 1):
            print(f"{i:3}. {q.question}")
            for letter, c in zip(LETTERS, q.choices, strict=False):
                print(f"     {letter}) {c}{'  ✓' if c == q.answer else ''}")
    return EXIT_OK


def cmd_quiz(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.cli.safety import check_int
    from app.core.lessons.quiz import make_quiz

    bad = check_int(args.questions, "--questions", 1, 500) or check_int(args.seed, "--seed", -(2**63), 2**63 - 1)
    if bad:
        raise CliError(bad)
    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        ids = None
        if args.from_steps:
            ids = [e for s in pack.lesson.steps for e in (s.entity_id, s.other_id) if e]
            if not ids:
                raise CliError("--from-steps: the lesson's steps show no entity yet.")
        quiz = make_quiz(atlas.repo, questions=args.questions, seed=args.seed, entity_ids=ids)
        if not quiz.questions:
            raise CliError("No question can be made from the cited facts of these entities.")
        _save(atlas, pack, replace(pack.lesson, quiz=quiz))
    finally:
        atlas.close()
    short = "" if len(quiz.questions) == args.questions else " (all the cited facts allow)"
    print(f"Made a quiz of {len(quiz.questions)} questions{short} with seed {args.seed} in {args.file}.")
    return EXIT_OK


def _answer_of(choices: list[str], given: str) -> str:
    key = given.strip()
    if len(key) == 1 and key.upper() in LETTERS[: len(choices)] and key not in choices:
        return choices[LETTERS.index(key.upper())].strip()
    return key


def _question_number(pack: LessonPack, number: int) -> int:
    count = len(pack.lesson.quiz.questions) if pack.lesson.quiz else 0
    if not count:
        raise CliError(f"{pack.path.name} has no quiz questions.")
    if not 1 <= number <= count:
        raise CliError(f"The quiz has {count} questions: give a number from 1 to {count}.")
    return number - 1


def cmd_add_question(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.core.lessons.model import LessonError, Quiz
    from app.core.lessons.quiz import cited_question

    if not 2 <= len(args.choice) <= len(LETTERS):
        raise CliError(f"Give 2 to {len(LETTERS)} --choice options.")
    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        quiz = pack.lesson.quiz or Quiz(seed=0)
        if args.at is not None and not 1 <= args.at <= len(quiz.questions) + 1:
            raise CliError(f"--at {args.at}: give 1 to {len(quiz.questions) + 1}.")
        try:
            q = cited_question(
                atlas.repo,
                question=args.question,
                choices=args.choice,
                answer=_answer_of(args.choice, args.answer),
                document=args.document,
                quote=args.quote,
            )
        except LessonError as exc:
            raise CliError(str(exc)) from exc
        index = len(quiz.questions) if args.at is None else args.at - 1
        _save(atlas, pack, replace(pack.lesson, quiz=quiz.with_question(q, index)))
    finally:
        atlas.close()
    print(f"Question {index + 1} of {len(quiz.questions) + 1}: {q.question}")
    return EXIT_OK


def cmd_edit_question(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.core.lessons.model import LessonError
    from app.core.lessons.quiz import cited_question

    if (args.quote is None) != (args.document is None) and args.quote is None:
        raise CliError("--document goes with --quote (the sentence in that document).")
    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        index = _question_number(pack, args.number)
        assert pack.lesson.quiz is not None
        old = pack.lesson.quiz.questions[index]
        choices = list(args.choice) if args.choice else list(old.choices)
        answer = _answer_of(choices, args.answer) if args.answer is not None else old.answer
        try:
            if args.quote is not None:
                q = cited_question(
                    atlas.repo,
                    question=args.question if args.question is not None else old.question,
                    choices=choices,
                    answer=answer,
                    document=args.document or old.document,
                    quote=args.quote,
                    topic=old.topic,
                    entity_id=old.entity_id,
                )
            else:
                text = args.question.strip() if args.question is not None else old.question
                q = replace(old, question=text, choices=tuple(c.strip() for c in choices), answer=answer).check()
        except LessonError as exc:
            raise CliError(str(exc)) from exc
        _save(atlas, pack, replace(pack.lesson, quiz=pack.lesson.quiz.replaced_question(index, q)))
    finally:
        atlas.close()
    print(f"Question {args.number}: {q.question} (answer: {q.answer})")
    return EXIT_OK


def cmd_remove_question(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        index = _question_number(pack, args.number)
        assert pack.lesson.quiz is not None
        quiz = pack.lesson.quiz.without_question(index)
        _save(atlas, pack, replace(pack.lesson, quiz=quiz))
    finally:
        atlas.close()
    print(f"Removed question {args.number}; {_count(len(quiz.questions), 'question')} left.")
    return EXIT_OK


def cmd_export_pdf(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.fileio import written_note
    from app.core.lessons.handouts import key_pdf, student_pdf, write_pdf

    atlas = open_atlas_for(paths)
    try:
        pack = _open_pack(args.file, atlas)
        titles = {d.id: d.title for d in atlas.repo.documents()}
    finally:
        atlas.close()
    titles.update({d.id: d.title for d in pack.payload.documents})
    if not pack.lesson.quiz or not pack.lesson.quiz.questions:
        raise CliError(
            f"{args.file.name} has no quiz yet: alliance-atlas lesson quiz {args.file} --questions 10 --seed 1"
        )
    data = student_pdf(pack.lesson) if args.student else key_pdf(pack.lesson, titles)
    written = write_pdf(args.output, data)
    print(f"Wrote {written}{written_note(written)}")
    return EXIT_OK


def _choice(pack: LessonPack, number: int, given: str) -> tuple[int, str]:
    quiz = pack.lesson.quiz
    if not quiz or not quiz.questions:
        raise CliError(f"{pack.path.name} has no quiz.")
    if not 1 <= number <= len(quiz.questions):
        raise CliError(f"The quiz has {len(quiz.questions)} questions: give a number from 1 to {len(quiz.questions)}.")
    q = quiz.questions[number - 1]
    key = given.strip()
    if len(key) == 1 and key.upper() in LETTERS[: len(q.choices)]:
        return number - 1, q.choices[LETTERS.index(key.upper())]
    match = [c for c in q.choices if c.casefold() == key.casefold()]
    if not match:
        letters = ", ".join(f"{LETTERS[i]}) {c}" for i, c in enumerate(q.choices))
        raise CliError(f"'{given}' is not a choice of question {number}: {letters}.")
    return number - 1, match[0]


def cmd_answer(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.core.atlas import ensure_data_folder
    from app.core.lessons.answers import load_local_answers, save_local_answers

    pack = _open_pack(args.file, None)
    index, choice = _choice(pack, args.question, args.choice)
    root = ensure_data_folder(paths).root
    answers = load_local_answers(root, pack, args.student.strip())
    assert pack.lesson.quiz is not None
    answers = answers.with_answer(index, choice, pack.lesson.quiz.questions[index].question)
    if args.note is not None:
        answers = replace(answers, notes=args.note)
    save_local_answers(root, answers)
    total = len(pack.lesson.quiz.questions)
    print(f"Question {args.question}: {choice}. {len(answers.answers)} of {total} answered (kept in {root}).")
    return EXIT_OK


def cmd_answers(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.core.fileio import written_note
    from app.core.lessons.answers import local_answers_path, read_answers, write_answers

    pack = _open_pack(args.file, None)
    local = local_answers_path(paths.root, pack.lesson_id)
    if not local.exists():
        print(
            f"alliance-atlas: No answers to “{pack.lesson.title}” are saved on this machine yet: answer with "
            f"'alliance-atlas lesson answer {args.file} N CHOICE' or in the window first.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    answers = read_answers(local)
    if args.student.strip():
        answers = replace(answers, student=args.student.strip())
    written = write_answers(args.output, answers)
    by = answers.student or "(no name)"
    print(f"Wrote {written}{written_note(written)}: {_count(len(answers.answers), 'answer')} by {by}.")
    return EXIT_OK


def cmd_collect(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.answers import collect

    pack = _open_pack(args.file, None)
    result = collect(pack, args.answers, keep=not pack.read_only)
    if not result.kept:
        print(f"alliance-atlas: {pack.path.name} is read-only: the answers are shown, not kept in it.", file=sys.stderr)
    if args.pdf:
        from app.core.fileio import written_note
        from app.core.lessons.handouts import results_pdf, write_pdf

        written = write_pdf(args.pdf, results_pdf(result))
        print(f"Wrote {written}{written_note(written)}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        _dump(result.to_dict())
        return EXIT_OK
    print(
        f"{pack.lesson.title}: {_count(len(result.students), 'student')}; this import added {len(result.added)}, "
        f"updated {len(result.updated)}, {len(result.unchanged)} already collected."
    )
    for r in result.per_question():
        counts = ", ".join(f"{LETTERS[i]} {n}" for i, (_c, n) in enumerate(r.counts))
        print(f"{r.index + 1:3}. {r.correct}/{r.answered} right  ({counts})  {r.question}")
    for s in result.per_student():
        print(f"  {s.student}: {s.correct} of {s.total} right, {s.answered} answered")
    return EXIT_OK
