"""The Lesson > Quiz actions of :class:`app.ui.lessons.feature.LessonFeature`: make the quiz (off the
GUI thread, with Cancel), take it, export the answers, collect them, and print the handout, key and
results PDFs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.core.errors import AtlasError
from app.core.lessons.model import Lesson, Question, Quiz
from app.ui.jobs import Progress, Task
from app.ui.lessons.dialogs import ANSWERS_FILTER, FileDialogs, MakeQuizDialog, StudentNameDialog, with_suffix
from app.ui.lessons.quiz_view import QuizDialog, QuizDraft
from app.ui.lessons.results_view import CollectionDialog

log = logging.getLogger(__name__)


class LessonQuizMixin:
    """Part of LessonFeature: the quiz. What it uses of the feature is declared here."""

    pack: Any
    lesson: Lesson | None
    _repo: Any
    _parent: QWidget
    _data_root: Path
    _pool: QThreadPool
    quiz_task: Task | None
    pdf_task: Task | None  # the handout, key or results PDF being written
    quiz_dialog: QuizDialog | None
    collection_dialog: CollectionDialog | None
    quiz_editor: QWidget | None

    if TYPE_CHECKING:

        def _status(self, message: str, ms: int = 5000) -> None: ...

        def _error(self, title: str, exc: BaseException) -> None: ...

        def _need_lesson(self) -> bool: ...

        def _changed(self, lesson: Lesson, what: str = "") -> None: ...

        def flush(self) -> None: ...

    # ---- the quiz ------------------------------------------------------------------------------
    def make_quiz(self) -> None:
        if not self._need_lesson() or self.lesson is None:
            return
        old = len(self.lesson.quiz.questions) if self.lesson.quiz else 0
        (count, seed), ok = MakeQuizDialog.get_value(self._parent, old)
        if not ok:
            return
        from app.core.lessons.quiz import make_quiz

        repo = self._repo
        # Every cited fact is read: seconds on a large catalogue, so off the GUI thread, with Cancel.
        task = Task(lambda _progress: make_quiz(repo, questions=count, seed=seed), pool=self._pool, parent=self._parent)
        dlg = QProgressDialog("Making the quiz from cited facts…", "Cancel", 0, 0, self._parent)
        dlg.setWindowTitle("Make quiz")
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(400)
        dlg.canceled.connect(task.cancel)
        task.succeeded.connect(lambda quiz: self._quiz_made(quiz, count, seed))
        task.failed.connect(lambda exc: self._error("Could not make the quiz", exc))
        task.cancelled.connect(lambda: self._status("Quiz not made (cancelled).", 4000))
        task.finished.connect(lambda _state: dlg.reset())
        self.quiz_task = task
        task.start()

    def _quiz_made(self, quiz: Quiz, count: int, seed: int) -> None:
        if self.lesson is None:
            return
        if not quiz.questions:
            QMessageBox.information(self._parent, "No questions", "No cited facts to ask about were found.")
            return
        self._changed(replace(self.lesson, quiz=quiz), "make quiz")
        n = len(quiz.questions)
        short = f" (only {n} could be made)" if n < count else ""
        self._status(f"Quiz made: {n} question{'s' if n != 1 else ''}, seed {seed}{short}.", 8000)

    def edit_quiz(self) -> None:
        if self.lesson is None or self.lesson.quiz is None:
            return
        from app.core.lessons.quiz import cited_question
        from app.ui.lessons.quiz_editor import QuizEditorDialog

        repo = self._repo

        def make(text: str, choices: Sequence[str], answer: str, document: str, quote: str) -> Question:
            return cited_question(repo, question=text, choices=choices, answer=answer, document=document, quote=quote)

        dlg = QuizEditorDialog(
            self.lesson.quiz,
            documents=[(d.id, d.title) for d in repo.documents()],
            make_question=make,
            parent=self._parent,
        )

        def changed(quiz: Quiz) -> None:
            if self.lesson is not None and quiz != self.lesson.quiz:
                self._changed(replace(self.lesson, quiz=quiz), "edit quiz")

        dlg.changed.connect(changed)
        self.quiz_editor = dlg
        dlg.show()

    def cite(self, question: Question) -> str:
        """Where a quote is, for a student: the document's title and the characters."""
        titles = {d.id: d.title for d in self._repo.documents()}
        if self.pack is not None:
            copy = self.pack.payload.document(question.document)
            if copy is not None:
                titles.setdefault(question.document, copy.title)
        where = str(titles.get(question.document, question.document))
        if question.start is not None and question.end is not None:
            return f"{where}, characters {question.start}–{question.end}"
        return where

    def _local_answers(self) -> Any:
        from app.core.lessons.answers import load_local_answers

        return load_local_answers(self._data_root, self.pack)

    def take_quiz(self) -> None:
        if self.pack is None or self.lesson is None or not self.lesson.quiz or not self.lesson.quiz.questions:
            QMessageBox.information(self._parent, "No quiz", "This lesson has no quiz yet.")
            return
        from app.core.lessons.answers import local_answers_path, save_local_answers

        try:
            saved = self._local_answers()
        except AtlasError as exc:
            self._error("Your earlier answers cannot be read", exc)
            return
        quiz = self.lesson.quiz
        # Submitted once, the answers stay locked with their results (beside the answers, a marker).
        marker = local_answers_path(self._data_root, self.pack.lesson_id).with_name("submitted")
        draft = QuizDraft(choices=dict(saved.answers), notes=saved.notes, submitted=marker.exists())
        record = [saved]

        def keep(d: QuizDraft) -> None:
            current = record[0]
            for i, choice in d.choices.items():
                if current.answers.get(i) != choice:
                    current = current.with_answer(i, choice, quiz.questions[i].question)
            current = replace(current, notes=d.notes)
            save_local_answers(self._data_root, current)
            if d.submitted:
                marker.touch()
            record[0] = current

        dlg = QuizDialog(
            quiz, title=self.lesson.title, draft=draft, save=keep, cite=self.cite,
            status=lambda m: self._status(m, 10000), parent=self._parent,
        )  # fmt: skip
        dlg.export_requested.connect(self.export_answers)
        dlg.submitted.connect(lambda: self._status(f"Submitted: {dlg.score()} of {len(quiz.questions)} right."))
        self.quiz_dialog = dlg
        dlg.show()
        if dlg.cards:
            dlg.cards[dlg.index].focus_first()

    def export_answers(self) -> None:
        if self.pack is None:
            return
        if self.quiz_dialog is not None:
            self.quiz_dialog.save_draft()
        from app.core.lessons.answers import ANSWERS_SUFFIX, save_local_answers, write_answers

        try:
            answers = self._local_answers()
        except AtlasError as exc:
            self._error("Your answers cannot be read", exc)
            return
        name, ok = StudentNameDialog.get_value(self._parent, answers.student)
        if not ok:
            return
        answers = replace(answers, student=name)
        safe = "".join(c if c.isalnum() or c in " -_" else "" for c in f"{name} {self.pack.lesson.title}").strip()
        path = FileDialogs.save(self._parent, "Export my answers", f"{safe}{ANSWERS_SUFFIX}", ANSWERS_FILTER)
        if path is None:
            return
        path = with_suffix(path, ANSWERS_SUFFIX)
        try:
            save_local_answers(self._data_root, answers)
            write_answers(path, answers)
        except (AtlasError, OSError) as exc:
            self._error("Could not export your answers", exc)
            return
        n = len(answers.answers)
        self._status(f"Wrote {path.name}: {n} answer{'s' if n != 1 else ''}. Give this file to your trainer.", 8000)

    def collect_answers(self, paths: list[Path] | None = None) -> None:
        if self.pack is None:
            return
        paths = paths if paths is not None else FileDialogs.answers_files(self._parent)
        if not paths:
            return
        self.flush()
        from app.core.lessons.answers import collect

        try:
            collection = collect(self.pack, paths, keep=not self.pack.read_only)
        except AtlasError as exc:  # another lesson's answers, a damaged file: nothing collected
            self._error("Answers not collected", exc)
            return
        if collection.kept:
            from app.core.lessons.pack import open_lesson

            try:  # the file now holds the answers: read it back so a later save keeps them
                self.pack = replace(open_lesson(self.pack.path), lesson=self.pack.lesson)
            except AtlasError as exc:
                log.warning("Re-reading %s after collecting: %s", self.pack.path, exc)
        dlg = CollectionDialog(collection, print_pdf=lambda: self._results_pdf(collection), parent=self._parent)
        self.collection_dialog = dlg
        dlg.show()
        self._status(
            f"Collected {len(collection.added)} new answers file(s); {len(collection.students)} students in all."
        )

    def _write_pdf(self, title: str, suggested: str, make: Callable[[Progress], bytes]) -> None:
        """Ask where, then typeset and write off the GUI thread (Typst in a child process, which
        Cancel stops at once), behind a progress dialog; the file is written atomically, so a
        cancel or a failure leaves no file (and an earlier one as it was)."""
        path = FileDialogs.save(self._parent, title, suggested, "PDF (*.pdf)")
        if path is None:
            return
        from app.core.exports.report_data import check
        from app.core.lessons.handouts import write_pdf

        path = with_suffix(path, ".pdf")

        def work(progress: Progress) -> Path:
            check(progress, 5, "Setting the text…")
            data = make(progress)
            check(progress, 95, "Saving…")
            return write_pdf(path, data)

        def show(percent: int, message: str) -> None:
            dlg.setValue(percent)
            dlg.setLabelText(message)

        task = Task(work, pool=self._pool, parent=self._parent)
        dlg = QProgressDialog(f"Writing {path.name}…", "Cancel", 0, 100, self._parent)
        dlg.setWindowTitle(title)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(400)
        dlg.canceled.connect(task.cancel)
        task.progress.connect(show)
        task.succeeded.connect(lambda written: self._status(f"Wrote {written.name}.", 6000))
        task.failed.connect(lambda exc: self._error("Could not write the PDF", exc))
        task.cancelled.connect(lambda: self._status(f"{title} not written (cancelled).", 4000))
        task.finished.connect(lambda _state: dlg.reset())
        self.pdf_task = task
        task.start()

    def export_pdf(self, *, key: bool) -> None:
        lesson = self.lesson
        if lesson is None or not lesson.quiz:
            return
        from app.core.lessons import handouts

        stem = "".join(c if c.isalnum() or c in " -_" else "" for c in lesson.title).strip() or "lesson"
        if key:
            docs = {d.id: d.title for d in self._repo.documents()}
            self._write_pdf(
                "Answer key PDF",
                f"{stem} - answer key.pdf",
                lambda p: handouts.key_pdf(lesson, docs, isolated=True, progress=p),
            )
        else:
            self._write_pdf(
                "Student handout PDF",
                f"{stem} - handout.pdf",
                lambda p: handouts.student_pdf(lesson, isolated=True, progress=p),
            )

    def _results_pdf(self, collection: Any) -> None:
        from app.core.lessons import handouts

        stem = "".join(c if c.isalnum() or c in " -_" else "" for c in collection.pack.lesson.title).strip()
        self._write_pdf(
            "Results PDF",
            f"{stem or 'lesson'} - results.pdf",
            lambda p: handouts.results_pdf(collection, isolated=True, progress=p),
        )
