"""Lesson > Edit lesson…: the steps in order (drag or Ctrl+Up/Down to reorder), each step's talking
points (Markdown, previewed safely as notes are), reveal question and trainer notes; every change is
one Undo step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html import escape

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.lessons.model import Lesson, Step
from app.ui.lessons.steps_model import StepListModel
from app.ui.markdown import SafeTextBrowser, set_safe_markdown

EDIT_ID = 2001  # QUndoCommand id: typing in one box of one step merges into one Undo step
STEP_FIELDS = ("points", "question", "trainer_notes")


class LessonCommand(QUndoCommand):
    """One change of the lesson: the editor shows ``after`` on redo and ``before`` on undo."""

    def __init__(self, editor: LessonEditorDialog, before: Lesson, after: Lesson, text: str, key: object) -> None:
        super().__init__(text)
        self._editor, self.before, self.after, self.key = editor, before, after, key
        self._first = True

    def id(self) -> int:
        return EDIT_ID if self.key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, LessonCommand) or other.key != self.key or other.before != self.after:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:  # pushed after the editor already shows the change
            self._first = False
            return
        self._editor.show_lesson(self.after)

    def undo(self) -> None:
        self._editor.show_lesson(self.before)


class LessonEditorDialog(QDialog):
    """Edits a lesson value. ``changed`` carries every new version; ``save_requested`` asks the owner
    to write it (and Save As for a lesson opened read-only)."""

    changed = Signal(object)  # Lesson
    save_requested = Signal(object)  # Lesson
    save_as_requested = Signal(object)  # Lesson
    show_requested = Signal(object)  # Step: show its view in the window

    def __init__(
        self,
        lesson: Lesson,
        *,
        describe: Callable[[Step], str],
        read_only: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lesson_editor")
        self.setWindowTitle(f"Edit lesson — {lesson.title}")
        self.lesson = lesson
        self.undo_stack = QUndoStack(self)
        self._loading = False
        self.model = StepListModel(describe)
        self.model.move_requested.connect(self.move_step)

        self.banner = QLabel(self)
        self.banner.setObjectName("read_only_banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #4d3b00; padding: 6px; border-radius: 3px;")
        self.title_edit = QLineEdit(lesson.title, self)
        self.title_edit.setAccessibleName("Lesson title")
        self.author_edit = QLineEdit(lesson.author, self)
        self.author_edit.setAccessibleName("Author")
        self.lesson_notes_edit = QPlainTextEdit(lesson.trainer_notes, self)
        self.lesson_notes_edit.setAccessibleName("Trainer notes for the whole lesson")
        self.lesson_notes_edit.setPlaceholderText("Notes for the whole lesson (the presenter's screen shows them)")
        self.lesson_notes_edit.setTabChangesFocus(True)
        self.lesson_notes_edit.setMaximumHeight(60)
        head = QFormLayout()
        head.addRow("&Title:", self.title_edit)
        head.addRow("&Author:", self.author_edit)
        head.addRow("&Lesson notes:", self.lesson_notes_edit)

        self.list = QListView(self)
        self.list.setObjectName("lesson_steps")
        self.list.setAccessibleName("Steps, in the order they are presented")
        self.list.setModel(self.model)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setDragEnabled(True)
        self.list.setAcceptDrops(True)
        self.list.setDropIndicatorShown(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setWordWrap(True)
        self.list.installEventFilter(self)
        self.empty_label = QLabel(
            "No steps yet. Show something in the window (an entity, a filter, the graph, the timeline "
            "or a passage) and choose Lesson > Add current view as step (Ctrl+Shift+A).",
            self,
        )
        self.empty_label.setWordWrap(True)
        self.up_button = QPushButton("Move &up", self)
        self.up_button.setToolTip("Move the step earlier (Ctrl+Up)")
        self.up_button.clicked.connect(lambda: self._move_current(-1))
        self.down_button = QPushButton("Move do&wn", self)
        self.down_button.setToolTip("Move the step later (Ctrl+Down)")
        self.down_button.clicked.connect(lambda: self._move_current(1))
        self.remove_button = QPushButton("&Remove step", self)
        self.remove_button.setToolTip("Remove the step from the lesson (Delete; Undo brings it back)")
        self.remove_button.clicked.connect(self.remove_current)
        self.show_button = QPushButton("S&how in window", self)
        self.show_button.setToolTip("Show this step's view in the main window (Enter in the steps list)")
        self.show_button.clicked.connect(self._show_current)
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        steps_label = QLabel("&Steps:", left)
        steps_label.setBuddy(self.list)
        lv.addWidget(steps_label)
        lv.addWidget(self.list, 1)
        lv.addWidget(self.empty_label)
        row = QHBoxLayout()
        for b in (self.up_button, self.down_button, self.remove_button):
            row.addWidget(b)
        lv.addLayout(row)
        lv.addWidget(self.show_button)

        self.step_heading = QLabel(self)
        self.step_heading.setObjectName("step_heading")
        self.step_heading.setWordWrap(True)
        self.question_edit = QLineEdit(self)
        self.question_edit.setPlaceholderText("Optional: a question shown first; the points follow on the next press")
        self.question_edit.setAccessibleName("Reveal question")
        self.points_edit = QPlainTextEdit(self)
        self.points_edit.setObjectName("points_edit")
        self.points_edit.setPlaceholderText("- What to say about this view (Markdown)")
        self.points_edit.setAccessibleName("Talking points, Markdown")
        self.preview = SafeTextBrowser(self)
        self.preview.setObjectName("points_preview")
        self.preview.setAccessibleName("Talking points as the class sees them")
        self.notes_edit = QPlainTextEdit(self)
        self.notes_edit.setPlaceholderText("Only on the presenter's screen")
        self.notes_edit.setAccessibleName("Trainer notes")
        for edit in (self.points_edit, self.notes_edit):
            edit.setTabChangesFocus(True)  # Tab moves on: keyboard users are never trapped in a box
        right = QWidget(self)
        form = QFormLayout(right)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.step_heading)
        form.addRow("Reveal &question:", self.question_edit)
        form.addRow("Talking &points:", self.points_edit)
        form.addRow("Preview:", self.preview)
        form.addRow("Trainer &notes:", self.notes_edit)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        self.undo_button = QPushButton("Undo", self)
        self.undo_button.setToolTip("Undo the last change to the lesson (Ctrl+Z outside a text box)")
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda t: self.undo_button.setText(f"Undo {t}" if t else "Undo"))
        self.redo_button = QPushButton("Redo", self)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_action = self.undo_stack.createUndoAction(self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.redo_action = self.undo_stack.createRedoAction(self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for act in (self.undo_action, self.redo_action):
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(act)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self.save_button = QPushButton("&Save", self)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Write the lesson file (Ctrl+S)")
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.lesson))
        self.save_as_button = QPushButton("Save &As…", self)
        self.save_as_button.setToolTip("Write the lesson to a new file")
        self.save_as_button.clicked.connect(lambda: self.save_as_requested.emit(self.lesson))
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.undo_button, self.redo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.save_button, self.save_as_button, close):
            buttons.addWidget(b)

        root = QVBoxLayout(self)
        root.addWidget(self.banner)
        root.addLayout(head)
        root.addWidget(split, 1)
        root.addLayout(buttons)

        self.list.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_step(cur.row()))
        self.title_edit.textEdited.connect(lambda t: self._edit_lesson("title", t))
        self.author_edit.textEdited.connect(lambda t: self._edit_lesson("author", t))
        self.lesson_notes_edit.textChanged.connect(
            lambda: self._edit_lesson("trainer_notes", self.lesson_notes_edit.toPlainText())
        )
        self.question_edit.textEdited.connect(lambda t: self._edit_step("question", t))
        self.points_edit.textChanged.connect(lambda: self._edit_step("points", self.points_edit.toPlainText()))
        self.notes_edit.textChanged.connect(lambda: self._edit_step("trainer_notes", self.notes_edit.toPlainText()))
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(150)
        self._preview_timer.timeout.connect(self._render_preview)
        self.set_read_only(read_only)
        self.show_lesson(lesson)
        if lesson.steps:
            self.select_step(0)
        self.resize(900, 600)

    # ---- state -----------------------------------------------------------------------------------
    def set_read_only(self, reason: str) -> None:
        """A lesson opened read-only (from read-only media): edits stay here until Save As."""
        self.banner.setText(f"Opened read-only: {reason} Use Save As… to keep your changes." if reason else "")
        self.banner.setVisible(bool(reason))
        self.save_button.setEnabled(not reason)
        self.save_button.setToolTip("Read-only: use Save As…" if reason else "Write the lesson file (Ctrl+S)")

    def current_row(self) -> int:
        index = self.list.currentIndex()
        return index.row() if index.isValid() else -1

    def select_step(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def show_lesson(self, lesson: Lesson) -> None:
        """Show ``lesson`` (a new version, or one from Undo/Redo) and keep the step selected."""
        row = self.current_row()
        self.lesson = lesson
        self._loading = True
        try:
            self.model.set_steps(lesson.steps)
            if self.title_edit.text() != lesson.title:
                self.title_edit.setText(lesson.title)
            if self.author_edit.text() != lesson.author:
                self.author_edit.setText(lesson.author)
            if self.lesson_notes_edit.toPlainText() != lesson.trainer_notes:
                self.lesson_notes_edit.setPlainText(lesson.trainer_notes)
        finally:
            self._loading = False
        has = bool(lesson.steps)
        self.empty_label.setVisible(not has)
        for w in (self.up_button, self.down_button, self.remove_button):
            w.setEnabled(has)
        if has:
            self.select_step(min(max(row, 0), len(lesson.steps) - 1))
        self._show_step(self.current_row())
        self.changed.emit(lesson)

    def _show_step(self, row: int) -> None:
        step = self.lesson.steps[row] if 0 <= row < len(self.lesson.steps) else None
        self._loading = True
        try:
            for w in (self.question_edit, self.points_edit, self.notes_edit):
                w.setEnabled(step is not None)
            self.step_heading.setText(
                f"<b>Step {row + 1} of {len(self.lesson.steps)}:</b> {escape(self.model.describe(row))}"
                if step
                else "Choose a step on the left."
            )
            values = {"question": "", "points": "", "trainer_notes": ""}
            if step is not None:
                values = {name: str(getattr(step, name)) for name in STEP_FIELDS}
            if self.question_edit.text() != values["question"]:
                self.question_edit.setText(values["question"])
            if self.points_edit.toPlainText() != values["points"]:
                self.points_edit.setPlainText(values["points"])
            if self.notes_edit.toPlainText() != values["trainer_notes"]:
                self.notes_edit.setPlainText(values["trainer_notes"])
        finally:
            self._loading = False
        self._render_preview()
        self.show_button.setEnabled(step is not None)

    def _render_preview(self) -> None:
        set_safe_markdown(self.preview.document(), self.points_edit.toPlainText())

    # ---- changes (each one an Undo step) ---------------------------------------------------------
    def _push(self, after: Lesson, text: str, key: object = None) -> None:
        if after == self.lesson:
            return
        before = self.lesson
        self.lesson = after
        self.undo_stack.push(LessonCommand(self, before, after, text, key))
        self.changed.emit(after)

    def push_change(self, lesson: Lesson, text: str) -> None:
        """A change made elsewhere (Add current view as step, Make quiz): shown, and one Undo step."""
        self._push(lesson, text)
        self.show_lesson(lesson)

    def _edit_lesson(self, field: str, value: str) -> None:
        if self._loading:
            return
        if field == "title" and not value.strip():
            return  # a lesson keeps a title; the box may be empty while retyping it
        if field == "title":
            changed = replace(self.lesson, title=value.strip())
        elif field == "author":
            changed = replace(self.lesson, author=value)
        else:
            changed = replace(self.lesson, trainer_notes=value)
        self._push(changed, field.replace("_", " "), field)
        self.setWindowTitle(f"Edit lesson — {self.lesson.title}")

    def _edit_step(self, field: str, value: str) -> None:
        row = self.current_row()
        if self._loading or not 0 <= row < len(self.lesson.steps):
            return
        steps = list(self.lesson.steps)
        steps[row] = replace(steps[row], **{field: value})  # type: ignore[arg-type]
        names = {"points": "talking points", "question": "reveal question", "trainer_notes": "trainer notes"}
        self._push(replace(self.lesson, steps=tuple(steps)), f"edit {names[field]}", (row, field))
        if field == "points":
            self._preview_timer.start()
        if field == "question":  # the list marks reveal steps
            self.model.set_steps(self.lesson.steps)
            self.select_step(row)

    def move_step(self, source: int, target: int) -> None:
        n = len(self.lesson.steps)
        if not (0 <= source < n and 0 <= target < n) or source == target:
            return
        self._push(self.lesson.moved_step(source, target), "move step")
        self.model.set_steps(self.lesson.steps)
        self.select_step(target)

    def _move_current(self, delta: int) -> None:
        row = self.current_row()
        if row >= 0:
            self.move_step(row, row + delta)
        self.list.setFocus()

    def _show_current(self) -> None:
        row = self.current_row()
        if 0 <= row < len(self.lesson.steps):
            self.show_requested.emit(self.lesson.steps[row])

    def remove_current(self) -> None:
        row = self.current_row()
        if not 0 <= row < len(self.lesson.steps):
            return
        self._push(self.lesson.without_step(row), "remove step")
        self.show_lesson(self.lesson)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """In the steps list: Ctrl+Up / Ctrl+Down move the step, Delete removes it."""
        if obj is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, mods = event.key(), event.modifiers()
            if mods == Qt.KeyboardModifier.ControlModifier and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._move_current(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if key == Qt.Key.Key_Delete and not mods:
                self.remove_current()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods:
                self._show_current()
                return True
        return super().eventFilter(obj, event)
