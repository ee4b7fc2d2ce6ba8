"""The export and print actions' background work: a :class:`app.ui.jobs.Task` behind a cancellable progress dialog.

The work gets plain values and never touches a widget; the progress dialog and the callbacks run
on the GUI thread. Cancel sets the task's flag, which the work checks between steps
(``app.core.exports.report_data.check``); then no file is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.core.errors import AtlasError
from app.ui.jobs import Progress, Task

ShowStatus = Callable[[str, int], None]


def run_job(
    parent: QWidget, work: Callable[[Progress], Any], label: str, on_done: Callable[[Any], None], *,
    show_status: ShowStatus,
) -> Task:  # fmt: skip
    """Run ``work(progress)`` off the GUI thread behind a cancellable progress dialog; a failure
    becomes a message box, a cancel a status-bar message. The task's ``finished`` signal says
    "done", "failed" or "cancelled" after the callback ran."""
    dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
    dialog.setWindowTitle("Exporting")
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)
    task = Task(work, parent=parent)

    def progress(percent: int, message: str) -> None:
        dialog.setValue(percent)
        dialog.setLabelText(message)

    def cancel() -> None:
        task.cancel()
        dialog.setLabelText("Cancelling…")

    def close() -> None:
        dialog.canceled.disconnect(cancel)
        dialog.close()
        dialog.deleteLater()

    def succeeded(result: Any) -> None:
        close()
        on_done(result)

    def failed(exc: BaseException) -> None:
        close()
        message = str(exc) if isinstance(exc, AtlasError) else f"The export failed because of a bug ({exc!r})."
        show_status("Export failed; no file was written.", 8000)
        QMessageBox.warning(parent, "Export failed", message + "\n\nNo file was written.")

    def cancelled() -> None:
        close()
        show_status("Export cancelled; no file was written.", 8000)

    task.progress.connect(progress)
    task.succeeded.connect(succeeded)
    task.failed.connect(failed)
    task.cancelled.connect(cancelled)
    dialog.canceled.connect(cancel)
    task.start()
    return task
