"""Export and print jobs behind a cancellable progress dialog, on the one jobs module (app.ui.jobs).

The work gets plain values and opens nothing of the GUI's; it runs as a :class:`~app.ui.jobs.Task`,
whose signals reach a relay living on the GUI thread, which drives the progress dialog and calls
back there. Cancel sets a flag the work checks between steps (see ``app.core.exports.report_data.check``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.core.errors import AtlasError
from app.ui.jobs import Progress, Task

Work = Callable[[Progress], Any]  # work(progress) -> result
ShowStatus = Callable[[str, int], None]


def failure_message(exc: BaseException) -> str:
    """What to tell the user: an AtlasError says it itself; anything else is a bug (its traceback
    was logged by the jobs module)."""
    if isinstance(exc, AtlasError):
        return str(exc)
    return f"The export failed because of a bug ({type(exc).__name__}: {exc})."


class JobRelay(QObject):
    """Lives on the GUI thread: drives the progress dialog and runs the callbacks there."""

    finished = Signal(str)  # "done", "failed" or "cancelled", after the callback ran (GUI thread)

    def __init__(self, parent: QObject, task: Task, dialog: QProgressDialog, callbacks: dict[str, Callable[..., None]]):
        super().__init__(parent)
        self.task = task
        self.dialog = dialog
        self.callbacks = callbacks
        task.progress.connect(self.on_progress)
        task.succeeded.connect(self.on_succeeded)
        task.failed.connect(self.on_failed)
        task.cancelled.connect(self.on_cancelled)
        dialog.canceled.connect(self.cancel)

    @Slot(int, str)
    def on_progress(self, percent: int, message: str) -> None:
        self.dialog.setValue(percent)
        self.dialog.setLabelText(message)

    @Slot()
    def cancel(self) -> None:
        self.task.cancel()  # a thread-safe flag the worker checks between steps
        self.dialog.setLabelText("Cancelling…")

    def _finish(self, key: str, *args: Any) -> None:
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.task.wait(5000)
        self.callbacks[key](*args)
        self.finished.emit(key)
        self.deleteLater()

    @Slot(object)
    def on_succeeded(self, result: Any) -> None:
        self._finish("done", result)

    @Slot(object)
    def on_failed(self, exc: BaseException) -> None:
        self._finish("failed", failure_message(exc))

    @Slot()
    def on_cancelled(self) -> None:
        self._finish("cancelled")


def run_job(
    parent: QWidget, work: Work, label: str, on_done: Callable[[Any], None], *, show_status: ShowStatus
) -> JobRelay:
    """Run ``work`` off the GUI thread behind a cancellable progress dialog; a failure becomes a
    message box, a cancel a status-bar message."""
    dialog = QProgressDialog(label, "Cancel", 0, 100, parent)
    dialog.setWindowTitle("Exporting")
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def failed(message: str) -> None:
        show_status("Export failed; no file was written.", 8000)
        QMessageBox.warning(parent, "Export failed", message + "\n\nNo file was written.")

    def cancelled() -> None:
        show_status("Export cancelled; no file was written.", 8000)

    task = Task(work, parent=parent)
    relay = JobRelay(parent, task, dialog, {"done": on_done, "failed": failed, "cancelled": cancelled})
    task.start()
    return relay
