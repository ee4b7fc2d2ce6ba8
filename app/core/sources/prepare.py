"""One document read and worked out in memory, before anything is written: text, sections, passages,
mentions and suggestions (CPU only, no database, safe off the GUI thread)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from app.core.reference.ingest import split_document
from app.core.sources.extract import Extracted, ImportRefused, extract
from app.core.sources.mentions import KnownEntity, MentionMatcher, in_passages
from app.core.sources.suggest import Candidate, suggest


@dataclass
class Prepared:
    """A document ready to write: text, sections, passages, mentions and suggestions, all in memory."""

    file_name: str
    raw: bytes
    sha256: str
    title: str
    origin: str
    extracted: Extracted
    sections: list[tuple[int, str, int, int, int, list[tuple[int, int, int, str]]]]
    mentions: list[tuple[str, int, int, int, str]]  # entity, passage index, start, end, matched
    suggestions: list[Candidate]


def read_file(path: Path) -> bytes:
    """The file's bytes; a vanished or unreadable file is one clear ImportRefused."""
    from app.core.sources.extract import MAX_BYTES

    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ImportRefused(f"{path} is a folder, not a document.")
        if size > MAX_BYTES:
            raise ImportRefused(
                f"{path.name} is {size / 1024 / 1024:.0f} MB; documents of up to {MAX_BYTES // 1024 // 1024} MB "
                "can be imported (split it into parts)."
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ImportRefused(f"{path} does not exist (moved or deleted?).") from exc
    except PermissionError as exc:
        raise ImportRefused(f"{path} cannot be read: permission denied.") from exc
    except IsADirectoryError as exc:
        raise ImportRefused(f"{path} is a folder, not a document.") from exc
    except OSError as exc:
        raise ImportRefused(f"{path} cannot be read: {exc.strerror or exc}.") from exc


def prepare(
    name: str,
    raw: bytes,
    known: list[KnownEntity],
    *,
    title: str = "",
    origin: str = "",
    matcher: MentionMatcher | None = None,
) -> Prepared:
    """Everything about one document, computed in memory (no database): CPU only, safe off the GUI
    thread. ``matcher`` (built from ``known``) may be shared by the documents of one import."""
    ex = extract(name, raw)
    sections = split_document(ex.text, ex.sectioning)
    if not any(s.passages for s in sections):
        raise ImportRefused(f"{name} holds no paragraph of text to import (only headings).")
    matcher = matcher or MentionMatcher(known)
    rows = []
    spans: list[tuple[int, int, int]] = []
    pindex = 0
    for s in sections:
        plist = []
        for p in s.passages:
            plist.append((p.ordinal, p.start, p.end, p.text))
            spans.append((p.start, p.end, pindex))
            pindex += 1
        rows.append((s.ordinal, s.heading, s.level, s.start, s.end, plist))
    found = matcher.find(ex.text)
    mentions = [(f.entity_id, pi, f.start, f.end, f.matched) for f, pi in in_passages(found, spans)]
    kinds = {k.id: k.kind for k in known}
    candidates = suggest(ex.text, [(a, b) for a, b, _ in spans], matcher, kinds)
    guessed = ex.title or Path(name).stem.replace("_", " ").replace("-", " ").strip() or "Untitled"
    return Prepared(
        Path(name).name,
        raw,
        hashlib.sha256(raw).hexdigest(),
        (title or guessed).strip()[:200],
        origin,
        ex,
        rows,
        mentions,
        candidates,
    )
