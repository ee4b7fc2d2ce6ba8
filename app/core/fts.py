"""Turn whatever a user types into a safe FTS5 query: never a syntax error, whatever the input."""

from __future__ import annotations

import re

# A token is a run of letters/digits (any script). Everything else is a separator, so stray
# quotes, parentheses, NEAR(, *, :, ^ and the like can never reach the FTS5 parser raw.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


def _words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text)]


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def to_fts_query(text: str, *, prefix: bool = True) -> str | None:
    """Build an FTS5 expression from free text, or None when it holds nothing searchable.

    Supported, forgivingly: balanced "exact phrases", ``OR`` between terms, ``-term`` to exclude.
    Every term is quoted, so FTS5 keywords (AND, NOT, NEAR) typed by the user are plain words.
    With ``prefix`` the last bare word matches as a prefix, so results update while typing.
    """
    if not text or not text.strip():
        return None
    pieces: list[tuple[str, str]] = []  # (kind, fts-term) kind in {"term", "neg", "or"}
    pos = 0
    # Only balanced quotes make phrases; an odd trailing quote is ignored as a separator.
    for m in _PHRASE.finditer(text):
        pieces += _bare(text[pos : m.start()])
        words = _words(m.group(1))
        if words:
            pieces.append(("term", _quote(" ".join(words))))
        pos = m.end()
    pieces += _bare(text[pos:])
    if prefix and pieces and pieces[-1][0] == "term" and not text.endswith((" ", '"')):
        kind, term = pieces[-1]
        if " " not in term:
            pieces[-1] = (kind, term + "*")
    positives: list[str] = []
    negatives: list[str] = []
    pending_or = False
    for kind, term in pieces:
        if kind == "or":
            pending_or = bool(positives)
            continue
        if kind == "neg":
            negatives.append(term)
            continue
        if pending_or and positives:
            positives[-1] = f"({positives[-1]} OR {term})"
        else:
            positives.append(term)
        pending_or = False
    if not positives:
        # FTS5 cannot run a pure NOT; treat "-word" alone as a search for the word.
        if not negatives:
            return None
        positives, negatives = negatives[:1], []
    expr = " AND ".join(positives)
    for neg in negatives:
        expr = f"({expr}) NOT {neg}"
    return expr


def _bare(chunk: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for raw in chunk.split():
        if raw == "OR":
            out.append(("or", ""))
            continue
        negative = raw.startswith("-") and len(raw) > 1
        for i, word in enumerate(_words(raw)):
            out.append(("neg" if negative and i == 0 else "term", _quote(word)))
    return out
