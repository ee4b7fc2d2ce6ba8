"""The Qt front end: main window, panes, item models, dialogs and workers (imports PySide6)."""
