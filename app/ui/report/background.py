"""Background work for the export and print actions: a job on its own QThread, a cancellable progress dialog.

The job gets plain values and opens nothing of the GUI's; it reports by queued signals to a relay
living on the GUI thread, which drives the progress dialog and calls back there. Cancel sets a flag
the work checks between steps (see ``app.core.exports.report_data.check``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.core.errors import AtlasError
from app.core.exports.data import Cancelled

log = logging.getLogger(__name__)
Work = Callable[[Callable[[int, str], bool]], Any]  # work(progress) -> result
ShowStatus = Callable[[str, int], None]


class Job(QObject):
    """Runs ``work(progress)`` on its own QThread; reports by queued signals to the GUI thread."""

    progress = Signal(int, str)
    succeeded = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, work: Work) -> None:
        super().__init__()
        self._work = work
        self._cancel = threading.Event()
        self.thread = QThread()
        self.moveToThread(self.thread)
        self.thread.started.connect(self._run)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelling(self) -> bool:
        return self._cancel.is_set()

    def start(self) -> None:
        self.thread.start()

    def _report(self, percent: int, message: str) -> bool:
        self.progress.emit(percent, message)
        return not self._cancel.is_set()

    @Slot()
    def _run(self) -> None:
        try:
            result = self._work(self._report)
        except Cancelled:
            self.cancelled.emit()
        except AtlasError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the outermost layer of a worker thread: log the bug, say it failed
            log.exception("Background export failed")
            self.failed.emit(f"The export failed because of a bug ({type(exc).__name__}: {exc}).")
        else:
            self.succeeded.emit(result)
        finally:
            # Hand the object back to the GUI thread that will delete it (no cross-thread teardown).
            self.moveToThread(QCoreApplication.instance().thread())
            self.thread.quit()


class JobRelay(QObject):
    """Lives on the GUI thread, so the job's signals are queued to it and its callbacks run here."""

    finished = Signal(str)  # "done", "failed" or "cancelled", after the callback ran (GUI thread)

    def __init__(self, parent: QObject, job: Job, dialog: QProgressDialog, callbacks: dict[str, Callable[..., None]]):
        super().__init__(parent)
        self.job = job
        self.dialog = dialog
        self.callbacks = callbacks
        job.progress.connect(self.on_progress)
        job.succeeded.connect(self.on_succeeded)
        job.failed.connect(self.on_failed)
        job.cancelled.connect(self.on_cancelled)
        dialog.canceled.connect(self.cancel)

    @Slot(int, str)
    def on_progress(self, percent: int, message: str) -> None:
        if not self.job.cancelling:
            self.dialog.setValue(percent)
            self.dialog.setLabelText(message)

    @Slot()
    def cancel(self) -> None:
        self.job.cancel()  # a thread-safe flag the worker checks between steps
        self.dialog.setLabelText("Cancelling…")

    def _finish(self, key: str, *args: Any) -> None:
        self.dialog.canceled.disconnect(self.cancel)
        self.dialog.close()
        self.job.thread.wait(5000)
        self.callbacks[key](*args)
        self.finished.emit(key)
        self.deleteLater()

    @Slot(object)
    def on_succeeded(self, result: Any) -> None:
        self._finish("done", result)

    @Slot(str)
    def on_failed(self, message: str) -> None:
        self._finish("failed", message)

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

    job = Job(work)
    relay = JobRelay(parent, job, dialog, {"done": on_done, "failed": failed, "cancelled": cancelled})
    job.start()
    return relay
