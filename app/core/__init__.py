"""Qt-free core: models, ingest, catalogue, queries and data exports (imports nothing from PySide6)."""
