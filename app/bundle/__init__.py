"""Offline installs: ``python -m app.bundle wheelhouse -o DIR`` and ``python -m app.bundle portable -o DIR``."""
