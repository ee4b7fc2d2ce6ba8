"""Lesson > Present (F5): the window full screen showing one step at a time on its real panes, with the
step's talking points in large type and a progress line; a second screen shows the trainer's notes
and the next step. Arrows, Page Up/Down (what a presenter clicker sends), space and Backspace move;
Esc leaves and puts the window back as it was."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QResizeEvent, QScreen
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QVBoxLayout, QWidget

from app.core.lessons.model import Lesson, Step
from app.ui.lessons.view import StepView
from app.ui.markdown import SafeTextBrowser, set_safe_markdown

NEXT_KEYS = {Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Return}
PREVIOUS_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp, Qt.Key.Key_Backspace}
HANDLED_KEYS = NEXT_KEYS | PREVIOUS_KEYS | {Qt.Key.Key_Escape, Qt.Key.Key_Home, Qt.Key.Key_End}
REFIT_MS = 150  # after the window's last resize, the step is fitted to the new size
HINT = "→ / Page Down / space: next  ·  ← / Page Up: back  ·  Esc: leave"


def body_px(height: int) -> int:
    """Body text size for a screen ``height`` px tall: 29 px at 1080, never under 22 (768: 22)."""
    return max(22, int(height / 37))


class Stage(Protocol):
    """The window's side of presenting: full screen with ``panel`` beside the view, the panes a step
    of ``kind`` needs (``arrange``), and back."""

    def enter(self, panel: QWidget) -> None: ...

    def arrange(self, kind: str) -> None: ...

    def leave(self) -> None: ...


class CallableStage:
    """A :class:`Stage` from two callables (the window's own methods)."""

    def __init__(
        self, *, enter: Callable[[QWidget], None], arrange: Callable[[str], None], leave: Callable[[], None]
    ) -> None:
        self._enter, self._arrange, self._leave = enter, arrange, leave

    def arrange(self, kind: str) -> None:
        self._arrange(kind)

    def enter(self, panel: QWidget) -> None:
        self._enter(panel)

    def leave(self) -> None:
        self._leave()


class SlidePanel(QFrame):
    """The talking points beside the view: step heading, reveal question, points, progress line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("slide_panel")
        self.setAccessibleName("Lesson step")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        self.title = QLabel(self)
        self.title.setObjectName("slide_title")
        self.title.setWordWrap(True)
        self.heading = QLabel(self)
        self.heading.setObjectName("slide_heading")
        self.heading.setWordWrap(True)
        self.problem = QLabel(self)
        self.problem.setObjectName("slide_problem")
        self.problem.setWordWrap(True)
        self.question = QLabel(self)
        self.question.setObjectName("slide_question")
        self.question.setWordWrap(True)
        self.points = SafeTextBrowser(self)
        self.points.setObjectName("slide_points")
        self.points.setAccessibleName("Talking points")
        self.points.setFrameShape(QFrame.Shape.NoFrame)
        self.points.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys belong to the presentation
        self.progress = QLabel(self)
        self.progress.setObjectName("slide_progress")
        self.hint = QLabel(HINT, self)
        self.hint.setObjectName("slide_hint")
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 16)
        lay.setSpacing(12)
        for w in (self.title, self.heading, self.problem, self.question):
            lay.addWidget(w)
        lay.addWidget(self.points, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.hint)
        self.body_px = 0
        self.set_body_px(body_px(1080))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The type follows the height of the screen (or window) presented on."""
        super().resizeEvent(event)
        self.set_body_px(body_px(self.window().height()))

    def set_body_px(self, px: int) -> None:
        """Every text on the panel in proportion to ``px``, the talking points' size."""
        if px == self.body_px:
            return
        self.body_px = px
        self.setStyleSheet(
            f"#slide_panel {{ background: #fbfaf6; border-left: 1px solid #d0cdc4; }}"
            f"#slide_title {{ font-size: {int(px * 0.62)}px; color: #5a5a5a; }}"
            f"#slide_heading {{ font-size: {int(px * 0.9)}px; font-weight: 600; color: #1d3557; }}"
            f"#slide_problem {{ font-size: {int(px * 0.75)}px; color: #8a1c1c; }}"
            f"#slide_question {{ font-size: {int(px * 1.15)}px; font-weight: 600; color: #111111; }}"
            f"#slide_progress {{ font-size: {int(px * 0.8)}px; color: #333333; }}"
            f"#slide_hint {{ font-size: {max(12, int(px * 0.5))}px; color: #6b6b6b; }}"
            f"#slide_points {{ background: transparent; font-size: {px}px; }}"
        )
        doc = self.points.document()
        font = doc.defaultFont()
        font.setPixelSize(px)
        doc.setDefaultFont(font)
        doc.setDefaultStyleSheet(f"body {{ font-size: {px}px; }} li {{ margin-bottom: {px // 3}px; }}")

    def show_step(
        self, *, title: str, heading: str, question: str, points: str, revealed: bool, problem: str, progress: str
    ) -> None:
        self.title.setText(title)
        self.heading.setText(heading)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.question.setText(question)
        self.question.setVisible(bool(question))
        shown = points if revealed or not question else ""
        set_safe_markdown(self.points.document(), shown)
        if question and not revealed:
            self.points.setPlaceholderText("")
        self.progress.setText(progress + ("   ·   press → to reveal" if question and not revealed else ""))


class PresenterNotesView(QWidget):
    """The trainer's screen: the step on show, its trainer notes and the next step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("presenter_notes")
        self.setWindowTitle("Presenter notes")
        self.now = QLabel(self)
        self.now.setObjectName("presenter_now")
        self.now.setWordWrap(True)
        self.notes = SafeTextBrowser(self)
        self.notes.setObjectName("presenter_trainer_notes")
        self.notes.setAccessibleName("Trainer notes")
        self.notes.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.next = QLabel(self)
        self.next.setObjectName("presenter_next")
        self.next.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 20, 24, 20)
        lay.addWidget(self.now)
        lay.addWidget(self.notes, 1)
        lay.addWidget(self.next)
        self.setStyleSheet(
            "#presenter_now { font-size: 26px; font-weight: 600; } #presenter_next { font-size: 22px; color: #444; }"
            " #presenter_trainer_notes { font-size: 24px; }"
        )
        font = self.notes.document().defaultFont()
        font.setPixelSize(24)
        self.notes.document().setDefaultFont(font)

    def show_step(self, now: str, notes: str, upcoming: str) -> None:
        self.now.setText(now)
        set_safe_markdown(self.notes.document(), notes or "*No trainer notes for this step.*")
        self.next.setText(upcoming)


class PresentationController(QObject):
    """Steps through ``lesson`` on the window. ``finished`` once the window is back as it was."""

    step_changed = Signal(int, bool)  # step index, revealed
    finished = Signal()

    def __init__(
        self,
        lesson: Lesson,
        *,
        view: StepView,
        stage: Stage,
        screens: Callable[[], Sequence[QScreen]] = QGuiApplication.screens,
        start: int = 0,
        stand_in: Callable[[Step], str] = lambda _step: "",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.lesson = lesson
        self._stand_in = stand_in  # Markdown from the lesson file for what this machine lacks
        self._view = view
        self._stage = stage
        self._screens = screens
        self.index = max(0, min(start, len(lesson.steps) - 1))
        self.revealed = False
        self.panel = SlidePanel()
        self.notes_view: PresenterNotesView | None = None
        self._snapshot: object = None
        self.active = False
        self.problem = ""
        # Going full screen resizes the window after the first step is shown (a window manager takes
        # its time): once the size settles, the step is shown again so the graph fits what is seen.
        self._refit = QTimer(self)
        self._refit.setSingleShot(True)
        self._refit.setInterval(REFIT_MS)
        self._refit.timeout.connect(lambda: self._show(animate=False, arrange=False) if self.active else None)

    # ---- starting and leaving --------------------------------------------------------------------
    def start(self) -> None:
        self._snapshot = self._view.snapshot()
        self.active = True
        self._stage.enter(self.panel)
        screens = list(self._screens())
        if len(screens) > 1:  # a second screen: the trainer's notes and what comes next
            self.notes_view = PresenterNotesView()
            self.notes_view.setGeometry(screens[1].availableGeometry())
            self.notes_view.show()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._show(animate=False)

    def stop(self) -> None:
        if not self.active:
            return
        self.active = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.notes_view is not None:
            self.notes_view.close()
            self.notes_view.deleteLater()
            self.notes_view = None
        self._stage.leave()
        self._view.restore(self._snapshot)
        self.panel.deleteLater()
        self.finished.emit()

    # ---- moving ----------------------------------------------------------------------------------
    @property
    def step(self) -> Step:
        return self.lesson.steps[self.index]

    def progress_text(self) -> str:
        return f"{self.index + 1} of {len(self.lesson.steps)}"

    def next(self) -> None:
        if self.step.reveal and not self.revealed:
            self.revealed = True
            self._show(apply=False)
        elif self.index + 1 < len(self.lesson.steps):
            self.index += 1
            self.revealed = False
            self._show()

    def previous(self) -> None:
        if self.step.reveal and self.revealed:
            self.revealed = False
            self._show(apply=False)
        elif self.index > 0:
            self.index -= 1
            self.revealed = True  # a step gone back to was seen in full
            self._show()

    def go_to(self, index: int) -> None:
        if 0 <= index < len(self.lesson.steps) and index != self.index:
            self.index, self.revealed = index, False
            self._show()

    def _show(self, *, apply: bool = True, animate: bool = True, arrange: bool = True) -> None:
        step = self.step
        if apply:
            if arrange:
                self._stage.arrange(step.kind)
            self.problem = self._view.apply(step, animate=animate)
        last = self.index + 1 == len(self.lesson.steps)
        done = last and (self.revealed or not step.reveal)
        self.panel.show_step(
            title=self.lesson.title,
            heading=self._view.describe(step),
            question=step.question,
            points=step.points + (f"\n\n---\n\n{self._stand_in(step)}" if self.problem else ""),
            revealed=self.revealed,
            problem=self.problem,
            progress=self.progress_text() + ("   ·   the end: Esc leaves" if done else ""),
        )
        if self.notes_view is not None:
            nxt = self.lesson.steps[self.index + 1] if not last else None
            upcoming = "Next: the end of the lesson."
            if step.reveal and not self.revealed:
                upcoming = "Next: the answer to the question."
            elif nxt is not None:
                upcoming = f"Next: {self._view.describe(nxt)}"
            self.notes_view.show_step(
                f"{self.progress_text()}: {self._view.describe(step)}",
                step.trainer_notes or self.lesson.trainer_notes,
                upcoming,
            )
        self.step_changed.emit(self.index, self.revealed)

    # ---- keys, wherever the focus is ------------------------------------------------------------
    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Resize and self.active and obj is self.panel.window():
            self._refit.start()
            return False
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) or not isinstance(event, QKeyEvent):
            return False
        key = Qt.Key(event.key())
        if key not in HANDLED_KEYS or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if QApplication.activeModalWidget() is not None:
            return False  # a message box on top answers its own keys (Esc closes it, not the show)
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # ours, not a shortcut's: it comes back as a key press
            return True
        if not self.active:
            return False
        if key == Qt.Key.Key_Escape:
            self.stop()
        elif key == Qt.Key.Key_Home:
            self.go_to(0)
        elif key == Qt.Key.Key_End:
            self.go_to(len(self.lesson.steps) - 1)
        elif key in NEXT_KEYS:
            self.next()
        else:
            self.previous()
        return True
