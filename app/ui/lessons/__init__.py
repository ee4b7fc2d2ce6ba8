"""The classroom in the window (issue 20): the Lesson menu, the lesson editor, presentation mode and
the quiz. The window builds :class:`LessonFeature` in one block (window_features._install_lessons)."""

from app.ui.lessons.feature import LessonFeature
from app.ui.lessons.presenter import PresentationController
from app.ui.lessons.view import PaneStepView, StepView

__all__ = ["LessonFeature", "PaneStepView", "PresentationController", "StepView"]
