"""The Lesson menu: make, open, edit and present a lesson, and its quiz (make, take, export the
answers, collect them, print the handouts). :class:`LessonFeature` gets the few objects it uses (the
repository, the data folder, the window's view as a :class:`StepView`, the presentation stage) and
speaks through signals; the window lists its actions and wires it (window_features._install_lessons)."""

from __future__ import annotations

import datetime as _dt
import logging
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QScreen
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from app.core.errors import AtlasError
from app.core.lessons.model import Lesson, Question, Quiz, Step
from app.ui.jobs import Task
from app.ui.lessons.dialogs import AddStepDialog, MakeQuizDialog, NewLessonDialog, StudentNameDialog
from app.ui.lessons.editor import LessonEditorDialog
from app.ui.lessons.presenter import PresentationController, Stage
from app.ui.lessons.quiz_view import QuizDialog, QuizDraft
from app.ui.lessons.results_view import CollectionDialog
from app.ui.lessons.view import StepView

log = logging.getLogger(__name__)
LESSON_FILTER = "Lessons (*.atlaslesson);;All files (*)"
ANSWERS_FILTER = "Answers (*.atlasanswers);;All files (*)"
SAVE_DELAY_MS = 800  # edits are written this long after the last one (and at once on Save)


class FileDialogs:
    """The file choosers (a seam tests patch): each returns a path, or None when cancelled."""

    @staticmethod
    def open_lesson(parent: QWidget) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(parent, "Open lesson", "", LESSON_FILTER)
        return Path(name) if name else None

    @staticmethod
    def save(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
        return Path(name) if name else None

    @staticmethod
    def answers_files(parent: QWidget) -> list[Path]:
        names, _ = QFileDialog.getOpenFileNames(parent, "Collect answers", "", ANSWERS_FILTER)
        return [Path(n) for n in names]


def _with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class LessonFeature(QObject):
    """Holds the open lesson (``pack``) and the actions of the Lesson menu."""

    status_message = Signal(str, int)
    lesson_changed = Signal()  # opened, created, edited or saved

    def __init__(
        self,
        *,
        repo: Any,
        data_root: Path,
        view: StepView,
        stage: Stage,
        dialog_parent: QWidget,
        pool: QThreadPool | None = None,
        screens: Callable[[], Sequence[QScreen]] = QGuiApplication.screens,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._repo, self._data_root, self.view, self._stage = repo, Path(data_root), view, stage
        self._parent, self._screens = dialog_parent, screens
        self._pool = pool or QThreadPool.globalInstance()
        self.quiz_task: Task | None = None
        self.pack: Any = None  # app.core.lessons.pack.LessonPack
        self.lesson: Lesson | None = None  # what is shown and edited (may be ahead of the file)
        self.dirty = False
        self.save_error = ""
        self.editor: LessonEditorDialog | None = None
        self.presentation: PresentationController | None = None
        self.quiz_dialog: QuizDialog | None = None
        self.collection_dialog: CollectionDialog | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save)
        self._build_actions()
        self._update_actions()

    # ---- actions ---------------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], object], shortcut: str = "", tip: str = "") -> QAction:
        act = QAction(text, self._parent)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setToolTip(f"{tip} ({shortcut})" if shortcut and tip else tip)
        act.setStatusTip(tip)
        act.triggered.connect(lambda _checked=False: slot())
        return act

    def _build_actions(self) -> None:
        a = self._action
        self.new_action = a("&New lesson…", self.new_lesson, "", "Start a lesson file: a title, then steps and a quiz")
        self.open_action = a("&Open lesson…", self.open_lesson, "Ctrl+Alt+O", "Open a lesson file (.atlaslesson)")
        self.add_step_action = a(
            "&Add current view as step", self.add_current_view, "Ctrl+Alt+A",
            "Add what the window shows (entity, filter, graph focus, chain, timeline, passage) as the next step",
        )  # fmt: skip
        self.edit_action = a("&Edit lesson…", self.edit_lesson, "Ctrl+Alt+E", "Reorder steps, edit talking points")
        self.save_as_action = a("Save lesson &as…", self.save_as, "", "Write the lesson to a new file")
        self.present_action = a("&Present", self.present, "F5", "Show the lesson full screen, one step at a time")
        self.make_quiz_action = a("&Make quiz…", self.make_quiz, "", "Questions from cited facts, seeded")
        self.take_quiz_action = a("&Take quiz…", self.take_quiz, "Ctrl+Alt+Q", "Answer the lesson's quiz")
        self.export_answers_action = a(
            "E&xport my answers…", self.export_answers, "", "Write your answers and notes to one file for the trainer"
        )
        self.collect_action = a(
            "&Collect answers…", self.collect_answers, "", "Read the students' answers files: a table per question"
        )
        self.student_pdf_action = a(
            "&Student handout PDF…", lambda: self.export_pdf(key=False), "", "The questions, no answers"
        )
        self.key_pdf_action = a(
            "Answer &key PDF…", lambda: self.export_pdf(key=True), "", "The answers with their quotes and citations"
        )

    @property
    def menu_actions(self) -> list[QAction | None]:
        """The Lesson menu, in order; None is a separator."""
        return [
            self.new_action,
            self.open_action,
            self.save_as_action,
            None,
            self.add_step_action,
            self.edit_action,
            self.present_action,
        ]

    @property
    def quiz_actions(self) -> list[QAction | None]:
        """The Lesson > Quiz submenu."""
        return [
            self.make_quiz_action,
            self.take_quiz_action,
            self.export_answers_action,
            None,
            self.collect_action,
            self.student_pdf_action,
            self.key_pdf_action,
        ]

    def _update_actions(self) -> None:
        have = self.lesson is not None
        steps = have and bool(self.lesson and self.lesson.steps)
        quiz = bool(self.lesson and self.lesson.quiz and self.lesson.quiz.questions)
        presenting = self.presentation is not None
        for act, on in (
            (self.add_step_action, have),
            (self.edit_action, have),
            (self.save_as_action, have),
            (self.present_action, steps and not presenting),
            (self.make_quiz_action, have),
            (self.take_quiz_action, quiz),
            (self.export_answers_action, quiz),
            (self.collect_action, quiz),
            (self.student_pdf_action, quiz),
            (self.key_pdf_action, quiz),
        ):
            act.setEnabled(on)
        self.lesson_changed.emit()

    def _status(self, message: str, ms: int = 5000) -> None:
        self.status_message.emit(message, ms)

    def _error(self, title: str, exc: BaseException) -> None:
        QMessageBox.warning(self._parent, title, str(exc))

    # ---- the lesson file -------------------------------------------------------------------------
    def read_only_reason(self) -> str:
        if self.pack is None or not self.pack.read_only:
            return ""
        return f"{self.pack.path.name} is on read-only media or in a read-only folder."

    def new_lesson(self) -> None:
        (title, author), ok = NewLessonDialog.get_value(self._parent)
        if not ok:
            return
        safe = "".join(c if c.isalnum() or c in " -_" else "" for c in title).strip() or "lesson"
        path = FileDialogs.save(self._parent, "Save the new lesson as", f"{safe}.atlaslesson", LESSON_FILTER)
        if path is None:
            return
        from app.core.lessons.pack import LESSON_SUFFIX, create_lesson

        lesson = Lesson(
            title=title,
            author=author,
            created=_dt.date.today().isoformat(),
            corpus=self._repo.meta().get("seed_hash", ""),
        )
        try:
            pack = create_lesson(_with_suffix(path, LESSON_SUFFIX), lesson, overwrite=True)
        except AtlasError as exc:
            self._error("Could not create the lesson", exc)
            return
        self.use_pack(pack)
        self._status(f"New lesson “{title}” in {pack.path.name}. Add steps with Lesson > Add current view as step.")

    def open_lesson(self, path: Path | None = None) -> bool:
        path = path or FileDialogs.open_lesson(self._parent)
        if path is None:
            return False
        from app.core.lessons.pack import open_lesson

        try:
            pack = open_lesson(
                Path(path),
                corpus=self._repo.meta().get("seed_hash"),
                known_ids=self._repo.entity_names(),
                known_documents=[d.id for d in self._repo.documents()],
            )
        except AtlasError as exc:  # damaged, truncated, foreign, newer: one dialog, nothing changed
            self._error("Cannot open the lesson", exc)
            return False
        self.flush()
        self.use_pack(pack)
        n = len(pack.lesson.steps)
        ro = " (read-only: Save lesson as… keeps your changes)" if pack.read_only else ""
        self._status(f"Opened “{pack.lesson.title}”: {n} step{'s' if n != 1 else ''}{ro}.", 8000)
        notes = list(pack.corpus_differences)
        if pack.missing:
            notes.append(
                "Steps name entities this machine does not have: " + ", ".join(pack.missing[:8])
                + ("…" if len(pack.missing) > 8 else "") + ". Those steps say so when presented."
            )  # fmt: skip
        if notes:
            QMessageBox.information(
                self._parent, "Lesson made on other data", "\n\n".join(notes) + "\n\nEverything else opens as made."
            )
        return True

    def use_pack(self, pack: Any) -> None:
        """Show ``pack`` (an opened LessonPack) as the current lesson."""
        self.pack, self.lesson, self.dirty = pack, pack.lesson, False
        if self.editor is not None:
            self.editor.close()
            self.editor = None
        self._update_actions()

    def _changed(self, lesson: Lesson, what: str = "") -> None:
        """The lesson changed here: written soon (a read-only one waits for Save As). A change made
        outside the open editor (a step added, a quiz made) is one Undo step there too."""
        if self.editor is not None and self.editor.lesson != lesson:
            self.editor.push_change(lesson, what or "change")  # comes back here through editor.changed
            return
        if lesson == self.lesson:
            return
        self.lesson, self.dirty = lesson, True
        self._update_actions()
        if self.pack is not None and not self.pack.read_only:
            self._save_timer.start()

    def save(self) -> bool:
        """Write the lesson atomically (with the copies of your own sources it uses)."""
        self._save_timer.stop()
        if self.pack is None or self.lesson is None or not self.dirty:
            return True
        if self.pack.read_only:
            self._status("This lesson is read-only: use Lesson > Save lesson as… to keep your changes.", 8000)
            return False
        from app.core.lessons.pack import save_lesson
        from app.core.lessons.payload import gather_payload

        try:
            self.pack = save_lesson(self.pack, self.lesson, payload=gather_payload(self._repo, self.lesson))
        except AtlasError as exc:
            self.save_error = str(exc)
            self._status(f"The lesson was not saved: {exc}", 10000)
            return False
        self.dirty, self.save_error = False, ""
        self._status(f"Lesson saved to {self.pack.path.name}.", 3000)
        return True

    def flush(self) -> None:
        """Write pending edits now (before another lesson opens, or the window closes)."""
        if self.dirty:
            self.save()

    def shutdown(self) -> None:
        """The window closes: pending edits written, the presentation and the quiz ended (its answers kept)."""
        if self.presentation is not None:
            self.presentation.stop()
        for dlg in (self.quiz_dialog, self.editor, self.collection_dialog):
            if dlg is not None:
                dlg.close()
        self.flush()

    def save_as(self) -> bool:
        if self.pack is None or self.lesson is None:
            return False
        from app.core.lessons.pack import LESSON_SUFFIX, open_lesson, save_lesson
        from app.core.lessons.payload import gather_payload

        path = FileDialogs.save(self._parent, "Save lesson as", self.pack.path.name, LESSON_FILTER)
        if path is None:
            return False
        path = _with_suffix(path, LESSON_SUFFIX)
        try:
            # A copy of the file keeps the lesson's id (students' answers still match) and the
            # answers collected so far; the edits are then saved into the copy.
            if path.resolve() != self.pack.path.resolve():
                from app.core.fileio import atomic_path

                with atomic_path(path) as tmp:
                    shutil.copyfile(self.pack.path, tmp)
            copy = open_lesson(path)
            if copy.read_only:
                raise AtlasError(f"{path} is read-only too: choose a folder you can write to.")
            self.pack = save_lesson(copy, self.lesson, payload=gather_payload(self._repo, self.lesson))
        except (AtlasError, OSError) as exc:
            self._error("Could not save the lesson", exc)
            return False
        self.dirty = False
        if self.editor is not None:
            self.editor.set_read_only("")
        self._update_actions()
        self._status(f"Lesson saved as {path.name}.", 6000)
        return True

    # ---- building ------------------------------------------------------------------------------
    def _need_lesson(self) -> bool:
        if self.lesson is not None:
            return True
        QMessageBox.information(
            self._parent,
            "No lesson open",
            "Start one with Lesson > New lesson… or open one with Lesson > Open lesson….",
        )
        return False

    def add_current_view(self) -> None:
        if not self._need_lesson() or self.lesson is None:
            return
        found = self.view.capture()
        if not found:
            QMessageBox.information(
                self._parent,
                "Nothing to add",
                "Select an entity, set a filter, focus the graph, show a Why connected? chain, zoom the "
                "timeline or select a passage first: the step is what the window shows.",
            )
            return
        (index, points), ok = AddStepDialog.get_value(self._parent, [self.view.describe(s) for s in found])
        if not ok:
            return
        step = replace(found[index], points=points)
        lesson = self.lesson.with_step(step)
        self._changed(lesson, "add step")
        if self.editor is not None:
            self.editor.select_step(len(lesson.steps) - 1)
        self._status(f"Step {len(lesson.steps)} added: {self.view.describe(step)}.")

    def edit_lesson(self) -> None:
        if not self._need_lesson() or self.lesson is None:
            return
        if self.editor is None:
            self.editor = LessonEditorDialog(
                self.lesson, describe=self.view.describe, read_only=self.read_only_reason(), parent=self._parent
            )
            self.editor.changed.connect(self._changed)
            self.editor.save_requested.connect(lambda _l: self.save() if not self.read_only_reason() else None)
            self.editor.save_as_requested.connect(lambda _l: self.save_as())
            self.editor.show_requested.connect(self._show_step)
        self.editor.show()
        self.editor.raise_()
        self.editor.activateWindow()

    def _show_step(self, step: Step) -> None:
        problem = self.view.apply(step)
        self._status(problem or f"Showing: {self.view.describe(step)}", 6000)

    # ---- presenting ----------------------------------------------------------------------------
    def present(self, *, start: int = 0) -> None:
        if self.presentation is not None or not self._need_lesson() or self.lesson is None:
            return
        if not self.lesson.steps:
            QMessageBox.information(self._parent, "No steps", "Add a step first: Lesson > Add current view as step.")
            return
        self.presentation = PresentationController(
            self.lesson, view=self.view, stage=self._stage, screens=self._screens, start=start,
            stand_in=self.stand_in, parent=self,
        )  # fmt: skip
        self.presentation.finished.connect(self._presentation_over)
        self._update_actions()
        self.presentation.start()

    def stand_in(self, step: Step) -> str:
        """What the lesson file carries about a step's entity or document this machine lacks (the
        author's own sources travel in it, cited), as Markdown; "" when it carries nothing."""
        payload = self.pack.payload if self.pack is not None else None
        if payload is None:
            return ""
        lines: list[str] = []
        for eid in (step.entity_id, step.other_id):
            copy = payload.entity(eid) if eid else None
            if copy is None:
                continue
            lines.append(f"**{copy.name}** ({copy.kind}), from the lesson file:")
            for fact in copy.facts[:8]:
                cite = fact.citations[0] if fact.citations else None
                source = f" — “{cite.quote}” ({cite.document_title})" if cite else ""
                lines.append(f"- {fact.label}: {fact.value}{source}")
        doc = payload.document(step.document_id) if step.document_id else None
        if doc is not None and step.start is not None and step.end is not None:
            lines.append(f"“{doc.text[step.start : step.end]}” — {doc.title}, from the lesson file")
        return "\n".join(lines)

    def _presentation_over(self) -> None:
        self.presentation = None
        self._update_actions()
        self._status("Presentation ended.", 3000)

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
        task = Task(lambda _progress: make_quiz(repo, questions=count, seed=seed), pool=self._pool, parent=self)
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
        path = _with_suffix(path, ANSWERS_SUFFIX)
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

    def _write_pdf(self, title: str, suggested: str, make: Callable[[], bytes]) -> None:
        path = FileDialogs.save(self._parent, title, suggested, "PDF (*.pdf)")
        if path is None:
            return
        from app.core.lessons.handouts import write_pdf

        path = _with_suffix(path, ".pdf")
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            write_pdf(path, make())
        except (AtlasError, OSError) as exc:
            QApplication.restoreOverrideCursor()
            self._error("Could not write the PDF", exc)
            return
        QApplication.restoreOverrideCursor()
        self._status(f"Wrote {path.name}.", 6000)

    def export_pdf(self, *, key: bool) -> None:
        lesson = self.lesson
        if lesson is None or not lesson.quiz:
            return
        from app.core.lessons import handouts

        stem = "".join(c if c.isalnum() or c in " -_" else "" for c in lesson.title).strip() or "lesson"
        if key:
            docs = {d.id: d.title for d in self._repo.documents()}
            self._write_pdf("Answer key PDF", f"{stem} - answer key.pdf", lambda: handouts.key_pdf(lesson, docs))
        else:
            self._write_pdf("Student handout PDF", f"{stem} - handout.pdf", lambda: handouts.student_pdf(lesson))

    def _results_pdf(self, collection: Any) -> None:
        from app.core.lessons import handouts

        stem = "".join(c if c.isalnum() or c in " -_" else "" for c in collection.pack.lesson.title).strip()
        self._write_pdf("Results PDF", f"{stem or 'lesson'} - results.pdf", lambda: handouts.results_pdf(collection))
