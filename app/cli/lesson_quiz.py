"""The ``lesson`` commands about a quiz: make it, add, edit and remove questions, print the handouts,
answer it and collect the answers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.cli.common import EXIT_ERROR, EXIT_OK, CliError, open_atlas_for
from app.cli.lesson_common import LETTERS, dump_json, open_pack, plural, save_pack
from app.paths import DataPaths

if TYPE_CHECKING:
    from app.core.lessons.pack import LessonPack


def cmd_quiz(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.cli.safety import check_int
    from app.core.lessons.quiz import make_quiz

    bad = check_int(args.questions, "--questions", 1, 500) or check_int(args.seed, "--seed", -(2**63), 2**63 - 1)
    if bad:
        raise CliError(bad)
    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
        ids = None
        if args.from_steps:
            ids = [e for s in pack.lesson.steps for e in (s.entity_id, s.other_id) if e]
            if not ids:
                raise CliError("--from-steps: the lesson's steps show no entity yet.")
        quiz = make_quiz(atlas.repo, questions=args.questions, seed=args.seed, entity_ids=ids)
        if not quiz.questions:
            raise CliError("No question can be made from the cited facts of these entities.")
        save_pack(atlas, pack, replace(pack.lesson, quiz=quiz))
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
    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
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
        save_pack(atlas, pack, replace(pack.lesson, quiz=quiz.with_question(q, index)))
    print(f"Question {index + 1} of {len(quiz.questions) + 1}: {q.question}")
    return EXIT_OK


def cmd_edit_question(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    from app.core.lessons.model import LessonError
    from app.core.lessons.quiz import cited_question

    if (args.quote is None) != (args.document is None) and args.quote is None:
        raise CliError("--document goes with --quote (the sentence in that document).")
    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
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
        save_pack(atlas, pack, replace(pack.lesson, quiz=pack.lesson.quiz.replaced_question(index, q)))
    print(f"Question {args.number}: {q.question} (answer: {q.answer})")
    return EXIT_OK


def cmd_remove_question(args: argparse.Namespace, paths: DataPaths) -> int:
    from dataclasses import replace

    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
        index = _question_number(pack, args.number)
        assert pack.lesson.quiz is not None
        quiz = pack.lesson.quiz.without_question(index)
        save_pack(atlas, pack, replace(pack.lesson, quiz=quiz))
    print(f"Removed question {args.number}; {plural(len(quiz.questions), 'question')} left.")
    return EXIT_OK


def cmd_export_pdf(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.fileio import written_note
    from app.core.lessons.handouts import key_pdf, student_pdf, write_pdf

    with open_atlas_for(paths) as atlas:
        pack = open_pack(args.file, atlas)
        titles = {d.id: d.title for d in atlas.repo.documents()}
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

    pack = open_pack(args.file, None)
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

    pack = open_pack(args.file, None)
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
    print(f"Wrote {written}{written_note(written)}: {plural(len(answers.answers), 'answer')} by {by}.")
    return EXIT_OK


def cmd_collect(args: argparse.Namespace, paths: DataPaths) -> int:
    from app.core.lessons.answers import collect

    pack = open_pack(args.file, None)
    result = collect(pack, args.answers, keep=not pack.read_only)
    if not result.kept:
        print(f"alliance-atlas: {pack.path.name} is read-only: the answers are shown, not kept in it.", file=sys.stderr)
    if args.pdf:
        from app.core.fileio import written_note
        from app.core.lessons.handouts import results_pdf, write_pdf

        written = write_pdf(args.pdf, results_pdf(result))
        print(f"Wrote {written}{written_note(written)}", file=sys.stderr if args.json else sys.stdout)
    if args.json:
        dump_json(result.to_dict())
        return EXIT_OK
    print(
        f"{pack.lesson.title}: {plural(len(result.students), 'student')}; this import added {len(result.added)}, "
        f"updated {len(result.updated)}, {len(result.unchanged)} already collected."
    )
    for r in result.per_question():
        counts = ", ".join(f"{LETTERS[i]} {n}" for i, (_c, n) in enumerate(r.counts))
        print(f"{r.index + 1:3}. {r.correct}/{r.answered} right  ({counts})  {r.question}")
    for s in result.per_student():
        print(f"  {s.student}: {s.correct} of {s.total} right, {s.answered} answered")
    return EXIT_OK
