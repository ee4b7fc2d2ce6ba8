"""Spans of document text chosen by the user: widened to whole words, and the entities they mention."""

from __future__ import annotations

from app.core.query.repository import DocumentView


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "-'’_"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` widened so no word is cut ("…defense agreem" becomes "…defense agreement"),
    and narrowed past surrounding white space. An empty or all-space span is returned unchanged."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    if start > end:
        start, end = end, start
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if s == e:
        return start, end
    while s > 0 and _word_char(text[s - 1]) and _word_char(text[s]):
        s -= 1
    while e < len(text) and _word_char(text[e]) and _word_char(text[e - 1]):
        e += 1
    return s, e


def entities_in_span(doc: DocumentView, start: int, end: int) -> list[str]:
    """The entities a passage note on ``start:end`` belongs to: those mentioned inside the span, or
    else those mentioned in the section around it; in order of first mention, without repeats."""
    inside = [m.entity_id for m in doc.mentions if m.start < end and m.end > start]
    if not inside:
        section = next((s for s in doc.sections if s.start <= start < s.end), None)
        if section is not None:
            inside = [m.entity_id for m in doc.mentions if section.start <= m.start < section.end]
    return list(dict.fromkeys(inside))
