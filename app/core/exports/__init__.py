"""Data exports (JSON, CSV, Markdown, GraphML), Qt-free."""
