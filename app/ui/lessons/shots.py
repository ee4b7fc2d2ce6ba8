"""The screenshot command's lesson views: ``--present LESSON [--step N]`` and ``--quiz LESSON``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QWidget


def stage_lesson(window: Any, path: Path, *, quiz: bool, step: int = 1, size: tuple[int, int]) -> QWidget:
    """Open the lesson at ``path`` in ``window`` and show it presented at ``step`` (1-based), or its
    quiz; returns the widget to photograph. LessonError (an AtlasError) when the file cannot be used."""
    from app.core.errors import AtlasError
    from app.core.lessons.pack import open_lesson

    repo = window.repo
    pack = open_lesson(
        path,
        corpus=repo.meta().get("seed_hash"),
        known_ids=repo.entity_names(),
        known_documents=[d.id for d in repo.documents()],
    )
    feature = window.lesson_feature
    if feature is None:
        raise AtlasError("The window is not ready for a lesson yet.")
    feature.use_pack(pack)
    if quiz:
        if not pack.lesson.quiz or not pack.lesson.quiz.questions:
            raise AtlasError(f"{path.name} has no quiz: make one with 'alliance-atlas lesson quiz'.")
        feature.take_quiz()
        dialog: QWidget = feature.quiz_dialog
        dialog.resize(*size)
        return dialog
    if not pack.lesson.steps:
        raise AtlasError(f"{path.name} has no steps to present.")
    if not 1 <= step <= len(pack.lesson.steps):
        raise AtlasError(f"--step must be from 1 to {len(pack.lesson.steps)}.")
    window.setProperty("lesson_windowed", True)  # offscreen there is no screen to fill: keep the size asked
    feature.view.animation_ms = 0
    feature.present(start=step - 1)
    window.resize(*size)
    return window  # type: ignore[no-any-return]
