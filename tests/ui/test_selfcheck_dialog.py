"""Help > Self-check: the same lines as the command, shown as they come, without blocking the window."""

from __future__ import annotations


def test_help_self_check_shows_one_line_per_check_and_the_result(window, qtbot) -> None:
    help_menu = window.menus["help"]
    assert window.act_self_check in help_menu.actions()
    window.act_self_check.trigger()
    dialog = window.self_check_dialog
    qtbot.waitUntil(lambda: len(dialog.checks) > 0, timeout=60_000)
    lines = dialog.text.toPlainText().splitlines()
    assert len(lines) == 7 and all(line.startswith("ok ") for line in lines), lines
    assert lines[3].startswith("ok   reference database:") and "read-only" in lines[3]
    assert dialog.status.text() == "All 7 checks passed."
    dialog.copy_report()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text().endswith("All 7 checks passed.")
    dialog.close()
    assert dialog.task.state == "done"
