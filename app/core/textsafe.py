"""Text that is safe to store and to print: control characters stripped on the way in, escaped on the way out."""

from __future__ import annotations

import re

# What can rewrite a terminal or reorder what a reader sees: C0 controls (tab and newline are
# handled per use), DEL, C1 controls, bidirectional overrides and isolates (the "RTL override"
# trick), line/paragraph separators, the byte-order mark, and lone surrogates (bytes that were not
# UTF-8, or a broken "\ud800" escape), which cannot even be encoded for the terminal or SQLite.
_UNSAFE_CLASS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff"
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
_UNSAFE_ONE_LINE = re.compile(f"[\t\n{_UNSAFE_CLASS}]")
_UNSAFE_PRINT = re.compile(f"[\r{_UNSAFE_CLASS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# The only escape sequences the CLI writes itself (bold on and off around a search hit, on a tty).
_OWN_SGR = re.compile(r"\x1b\[[01]m")


def _escape(m: re.Match[str]) -> str:
    return f"\\u{ord(m.group(0)):04x}"


def escape_controls(text: str, *, keep_own_sgr: bool = False) -> str:
    """``text`` with every unsafe character shown as ``\\uXXXX`` (valid inside JSON too); newlines
    and tabs stay. With ``keep_own_sgr`` the bold on/off sequences the CLI itself writes survive."""
    if not keep_own_sgr:
        return _UNSAFE_PRINT.sub(_escape, text)
    out: list[str] = []
    pos = 0
    for m in _OWN_SGR.finditer(text):
        out.append(_UNSAFE_PRINT.sub(_escape, text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_UNSAFE_PRINT.sub(_escape, text[pos:]))
    return "".join(out)


def strip_controls(text: str, *, multiline: bool = True) -> str:
    """``text`` without unsafe characters (see the module); ``multiline`` keeps tabs and newlines
    (a note body), otherwise they become spaces (a title, a tag). Lone surrogates become U+FFFD."""
    text = _SURROGATE.sub("\ufffd", text)
    if multiline:
        return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _UNSAFE_ONE_LINE.sub(lambda m: " " if m.group(0) in "\t\n" else "", text.replace("\r", " "))


def has_unsafe(text: str, *, multiline: bool = True) -> bool:
    """True when :func:`strip_controls` would change ``text``."""
    return strip_controls(text, multiline=multiline) != text


def invalid_text(text: str) -> int | None:
    """The position of the first lone surrogate (not valid Unicode text), or None."""
    m = _SURROGATE.search(text)
    return m.start() if m else None
