"""The Qt front end: main window, panes, item models, dialogs and the background-jobs module (imports PySide6)."""
