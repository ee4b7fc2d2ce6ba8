"""The ``lesson`` commands: make a lesson and its quiz, print it, answer it and collect the answers.

The commands about the quiz, its handouts and answers are in ``app.cli.lesson_quiz``; what both
share in ``app.cli.lesson_common``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import EXIT_OK, CliError, open_atlas_for
from app.cli.lesson_common import LETTERS, dump_json, open_pack, save_pack, sentence_span, step_from_args
from app.cli.lesson_quiz import (
    cmd_add_question,
    cmd_answer,
    cmd_answers,
    cmd_collect,
    cmd_edit_question,
    cmd_export_pdf,
    cmd_quiz,
    cmd_remove_question,
)
from app.paths import DataPaths

if TYPE_CHECKING:
    from app.core.lessons.pack import LessonPack

__all__ = ["LETTERS", "register", "sentence_span", "show_json"]


LESSON_FILE = "the .atlaslesson file"


def register(sub: Any) -> None:
    lesson = sub.add_parser("lesson", help="lessons for trainers: steps, talking points, a cited quiz")
    lsub = lesson.add_subparsers(dest="lesson_command", metavar="ACTION", required=True)

    p = lsub.add_parser("new", help="make a new, empty lesson file")
    p.add_argument("--title", required=True, metavar="T", help="the lesson's title")
    p.add_argument("--author", default="", metavar="NAME", help="who made it")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="FILE", help="the .atlaslesson file to make")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(handler=cmd_new)

    p = lsub.add_parser("add-step", help="add a step (a view with talking points) to a lesson")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
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
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_show)

    p = lsub.add_parser("quiz", help="make the lesson's quiz from cited facts (replaces any earlier quiz)")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("--questions", type=int, default=10, metavar="N", help="how many questions (default 10)")
    p.add_argument("--seed", type=int, default=1, metavar="S", help="the same seed gives the same quiz (default 1)")
    p.add_argument("--from-steps", action="store_true", help="only questions about the entities the steps show")
    p.set_defaults(handler=cmd_quiz)

    p = lsub.add_parser("add-question", help="add your own question; its answer quotes a document word for word")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("--question", required=True, metavar="TEXT", help="the question, as students read it")
    p.add_argument("--choice", action="append", required=True, metavar="TEXT", help="a choice (repeat: 2 to 10)")
    p.add_argument("--answer", required=True, metavar="A", help="the right choice: its letter or its text")
    p.add_argument("--document", required=True, metavar="DOC", help="document id or file name holding the quote")
    p.add_argument("--quote", required=True, metavar="TEXT", help="the sentence that answers it, as written")
    p.add_argument("--at", type=int, metavar="N", help="insert as question N (default: at the end)")
    p.set_defaults(handler=cmd_add_question)

    p = lsub.add_parser("edit-question", help="change a quiz question (what is not given stays)")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("number", type=int, metavar="N", help="the question's number (1 = first)")
    p.add_argument("--question", metavar="TEXT", help="the question's new text")
    p.add_argument("--choice", action="append", metavar="TEXT", help="the choices, all of them (repeat)")
    p.add_argument("--answer", metavar="A", help="the right choice: its letter or its text")
    p.add_argument("--document", metavar="DOC", help="with --quote: another document")
    p.add_argument("--quote", metavar="TEXT", help="another sentence that answers it, as written")
    p.set_defaults(handler=cmd_edit_question)

    p = lsub.add_parser("remove-question", help="remove a quiz question")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("number", type=int, metavar="N", help="the question's number (1 = first)")
    p.set_defaults(handler=cmd_remove_question)

    p = lsub.add_parser("export-pdf", help="the quiz as a student handout or an answer key (PDF)")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--student", action="store_true", help="questions with space to write, no answers")
    which.add_argument("--key", action="store_true", help="answers with their quotes and citations")
    p.add_argument("--output", "-o", required=True, type=Path, metavar="PDF", help="the PDF to write")
    p.set_defaults(handler=cmd_export_pdf)

    p = lsub.add_parser("answer", help="answer a quiz question (kept in your data folder)")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("question", type=int, metavar="N", help="the question's number (1 = first)")
    p.add_argument("choice", metavar="CHOICE", help="the choice's letter (A, B, …) or its text")
    p.add_argument("--student", default="", metavar="NAME", help="your name (kept with your answers)")
    p.add_argument("--note", default=None, metavar="TEXT", help="your notes on the lesson (replaces earlier ones)")
    p.set_defaults(handler=cmd_answer)

    p = lsub.add_parser("answers", help="export your saved answers to one small file for the trainer")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("--output", "-o", required=True, type=Path, metavar="ANSWERS", help="the answers file to write")
    p.add_argument("--student", default="", metavar="NAME", help="your name (if not given when answering)")
    p.set_defaults(handler=cmd_answers)

    p = lsub.add_parser("collect", help="collect students' answers files into the lesson and show the results")
    p.add_argument("file", type=Path, metavar="FILE", help=LESSON_FILE)
    p.add_argument("answers", nargs="+", type=Path, metavar="ANSWERS", help="the students' answers files")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--pdf", type=Path, metavar="PDF", help="also write the results table as a PDF")
    p.set_defaults(handler=cmd_collect)


# ---- commands --------------------------------------------------------------------------------------
def cmd_new(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.model import Lesson
    from app.core.lessons.pack import create_lesson, now_iso

    title = args.title.strip()
    if not title:
        raise CliError("--title needs some text.")
    with open_atlas_for(paths) as atlas:
        corpus = atlas.repo.meta().get("seed_hash", "")
    lesson = Lesson(title, author=args.author.strip(), created=now_iso()[:10], corpus=corpus)
    pack = create_lesson(args.output, lesson, overwrite=args.force)
    print(f"Made the lesson “{title}” in {pack.path} (corpus {corpus[:12] or 'unknown'}).")
    return EXIT_OK


def cmd_add_step(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.model import STEP_LABELS

    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
        step = step_from_args(atlas, args)
        count = len(pack.lesson.steps)
        if args.at is not None and not 1 <= args.at <= count + 1:
            raise CliError(f"--at {args.at}: the lesson has {count} steps, so give 1 to {count + 1}.")
        index = count if args.at is None else args.at - 1
        lesson = pack.lesson.with_step(step, index)
        save_pack(atlas, pack, lesson)
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

    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
        names = atlas.repo.entity_names()
    for sentence in pack.corpus_differences:
        print(f"alliance-atlas: {sentence}", file=sys.stderr)
    if args.json:
        dump_json(show_json(pack))
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
