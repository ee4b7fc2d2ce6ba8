"""CLI input and output safety: control characters escaped, bad text and out-of-range numbers refused."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TextIO

from app.core.textsafe import escape_controls, invalid_text

# Integers a user may give: wide enough for any sensible use, small enough for SQLite (2**63).
YEAR_RANGE = (-9999, 9999)
LIMIT_RANGE = (1, 100_000)


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one clear line (not the whole usage block), with
    an echoed value shortened when huge (a 5,000-digit number), and exit code 2."""

    def error(self, message: str) -> NoReturn:
        if len(message) > 300:
            message = message[:240] + f"… ({len(message):,} characters)"
        self.exit(2, f"{self.prog}: {message}. See '{self.prog} --help'.\n")


class TerminalSafe(io.TextIOBase):
    """A text stream that shows control characters (escape sequences, bidi overrides, NUL, bytes
    that were not UTF-8) as ``\\uXXXX`` instead of letting them act on the terminal. Everything
    the CLI prints goes through it; only its own bold on/off around search hits survives."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(escape_controls(text, keep_own_sgr=True))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8") or "utf-8"


@contextmanager
def terminal_safe_output() -> Iterator[None]:
    """Route ``sys.stdout`` and ``sys.stderr`` through :class:`TerminalSafe` for the block."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalSafe(out), TerminalSafe(err)  # type: ignore[assignment]
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        sys.stdout, sys.stderr = out, err


def option_name(dest: str) -> str:
    return dest if dest in ("query", "file", "path") else "--" + dest.replace("_", "-")


def check_text_args(args: argparse.Namespace) -> str | None:
    """A message for the first text argument holding bytes that are not UTF-8 (a lone surrogate
    such as ``\\udcff`` from ``$'\\xff'``), or None. File paths may hold any bytes and are skipped."""

    def values(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, list | tuple):
            for v in value:
                yield from values(v)

    for dest, value in vars(args).items():
        if isinstance(value, Path) or dest in ("handler", "data_dir"):
            continue
        for text in values(value):
            pos = invalid_text(text)
            if pos is not None:
                return (
                    f"{option_name(dest)} is not valid text: it holds bytes that are not UTF-8 "
                    f"(character {pos + 1}). Give it as UTF-8 text."
                )
    return None


def check_int(value: int | None, option: str, lo: int, hi: int) -> str | None:
    """A message when ``value`` is outside ``lo..hi``, or None."""
    if value is None or lo <= value <= hi:
        return None
    shown = str(value) if len(str(value)) <= 24 else f"{str(value)[:20]}… ({len(str(value))} digits)"
    if value < lo:
        return (
            f"{option} {shown} is too small: give {lo} or more."
            if lo == 1
            else (f"{option} {shown} is out of range: give {lo} to {hi}.")
        )
    return (
        f"{option} {shown} is too large: give at most {hi:,}."
        if lo == 1
        else (f"{option} {shown} is out of range: give {lo} to {hi}.")
    )
