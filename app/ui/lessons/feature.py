"""The Lesson menu: make, open, edit and present a lesson, and its quiz (make, take, export the
answers, collect them, print the handouts). :class:`LessonFeature` gets the few objects it uses (the
repository, the data folder, the window's view as a :class:`StepView`, the presentation stage) and
speaks through signals; the window lists its actions and wires it (window_features._install_lessons)."""

from __future__ import annotations

import datetime as _dt
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QScreen
from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import AtlasError
from app.core.lessons.model import Lesson, Step
from app.ui.jobs import Task
from app.ui.lessons.dialogs import LESSON_FILTER, AddStepDialog, FileDialogs, NewLessonDialog, with_suffix
from app.ui.lessons.editor import LessonEditorDialog
from app.ui.lessons.presenter import PresentationController, Stage
from app.ui.lessons.quiz_actions import LessonQuizMixin
from app.ui.lessons.quiz_view import QuizDialog
from app.ui.lessons.results_view import CollectionDialog
from app.ui.lessons.view import StepView

SAVE_DELAY_MS = 800  # edits are written this long after the last one (and at once on Save)


class LessonFeature(LessonQuizMixin, QObject):
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
        self.pdf_task: Task | None = None
        self.pack: Any = None  # app.core.lessons.pack.LessonPack
        self.lesson: Lesson | None = None  # what is shown and edited (may be ahead of the file)
        self.dirty = False
        self.save_error = ""
        self.editor: LessonEditorDialog | None = None
        self.presentation: PresentationController | None = None
        self.quiz_dialog: QuizDialog | None = None
        self.collection_dialog: CollectionDialog | None = None
        self.quiz_editor: QWidget | None = None
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
        self.edit_quiz_action = a(
            "&Edit quiz…", self.edit_quiz, "", "Edit, remove, reorder and add questions; every answer quoted"
        )
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
            self.edit_quiz_action,
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
            (self.edit_quiz_action, quiz),
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
            pack = create_lesson(with_suffix(path, LESSON_SUFFIX), lesson, overwrite=True)
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
        for dlg in (self.quiz_dialog, self.editor, self.collection_dialog, self.quiz_editor):
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
        path = with_suffix(path, LESSON_SUFFIX)
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
