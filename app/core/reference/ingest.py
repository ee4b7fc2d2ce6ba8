"""Split seed documents into sections and passages with character offsets into the original text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import AtlasError

# Line starts that mark list items rather than headings.
_BULLET = re.compile(r"^\s*(?:[-*•‣◦]|\d+[.)])(?:\s|$)")
_MARKER_ONLY = re.compile(r"^\s*[-*•‣◦]\s*$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FINAL_PUNCT = ".:;,!?…"
MAX_HEADING_CHARS = 100
MAX_HEADING_WORDS = 12
# Emphasis and code markers of Markdown: "**Russia:**", "__x__", "*x*", "_x_", "`x`".
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_MD_CODE = re.compile(r"`([^`\n]+)`")
# The section label for a document's closing summary when the document gives it no heading.
CLOSING_HEADING = "(closing summary)"
# Opening words that mark a closing summary in a document's last section.
_CLOSING_WORDS = re.compile(r"^(?:in conclusion|to conclude|in summary|to sum up|in closing)\b", re.IGNORECASE)


class SeedError(AtlasError):
    """The seed corpus cannot be read or does not match its manifest."""


@dataclass(frozen=True)
class ParsedPassage:
    """A paragraph or list: ``text`` is the original slice ``[start, end)`` of the document (offsets
    and mentions are found in it); :attr:`display` is what is shown and indexed, without Markdown
    markers ("2. **Russia:**" reads "2. Russia:")."""

    ordinal: int
    start: int
    end: int
    text: str
    shown: str = ""  # the text without Markdown markers, when it has any

    @property
    def display(self) -> str:
        return self.shown or self.text


@dataclass
class ParsedSection:
    ordinal: int
    heading: str  # "" for text before the first heading
    level: int  # 0 for that opening text
    start: int
    end: int
    passages: list[ParsedPassage] = field(default_factory=list)


@dataclass
class ParsedDocument:
    id: str
    file_name: str
    title: str
    original_name: str
    origin: str
    text: str
    sha256: str
    sections: list[ParsedSection]

    def passages(self) -> list[tuple[ParsedSection, ParsedPassage]]:
        return [(s, p) for s in self.sections for p in s.passages]


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(start, end, line) for each line, end excluding the newline."""
    out = []
    pos = 0
    for raw in text.split("\n"):
        out.append((pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def is_plain_heading(line: str) -> bool:
    """A short line of its own without final punctuation, not a list item."""
    s = line.strip()
    if not s or _BULLET.match(line) or s[-1] in _FINAL_PUNCT:
        return False
    if len(s) > MAX_HEADING_CHARS or len(s.split()) > MAX_HEADING_WORDS:
        return False
    return s[0].isupper() or s[0].isdigit()


def strip_markdown(text: str) -> str:
    """Text without Markdown emphasis and code markers: "2. **Russia:** As part" -> "2. Russia: As part"."""
    if "*" not in text and "_" not in text and "`" not in text:
        return text
    out = _MD_STRONG.sub(r"\2", text)
    out = _MD_EMPHASIS.sub(r"\2", out)
    return _MD_CODE.sub(r"\1", out)


def _norm_heading(heading: str) -> str:
    return re.sub(r"\s+", " ", heading.replace("’", "'").replace("‘", "'")).strip().casefold()


def split_document(text: str, fmt: str, *, closing: str | None = None) -> list[ParsedSection]:
    """Sections (by heading) holding passages (paragraphs, list items, a bullet marker with its text).

    Offsets always point into ``text``; a Markdown passage's own text loses its emphasis markers.
    A title line repeated by the heading under it is one section, not two. A closing summary at the
    end of the last section (a paragraph opening "In conclusion", or the paragraph starting with
    the words ``closing`` when the document marks it no other way) gets a section of its own,
    named :data:`CLOSING_HEADING`."""
    sections = _split(text, fmt)
    sections = _merge_repeated_title(sections)
    _split_closing(sections, closing)
    for ordinal, section in enumerate(sections):
        section.ordinal = ordinal
    return sections


def _merge_repeated_title(sections: list[ParsedSection]) -> list[ParsedSection]:
    """A web page's title line ("X - Site") followed by the heading "X": one section headed "X"."""
    out: list[ParsedSection] = []
    i = 0
    while i < len(sections):
        sec = sections[i]
        nxt = sections[i + 1] if i + 1 < len(sections) else None
        if (
            nxt is not None
            and sec.heading
            and not sec.passages
            and nxt.heading
            and _norm_heading(sec.heading).startswith(_norm_heading(nxt.heading))
        ):
            nxt.start, nxt.level = sec.start, min(sec.level, nxt.level)
            i += 1
            continue
        out.append(sec)
        i += 1
    return out


def _split_closing(sections: list[ParsedSection], closing: str | None) -> None:
    """Move the closing summary out of the last section into a section of its own (in place)."""
    if not sections or len(sections[-1].passages) < 2:
        return
    last = sections[-1]
    start_words = _norm_heading(closing) if closing else None
    cut = None
    for index, p in enumerate(last.passages):
        if index == 0:
            continue  # the section's own opening paragraph is never its summary
        para = _norm_heading(p.text)
        if (start_words and para.startswith(start_words)) or _CLOSING_WORDS.match(p.text):
            cut = index
            break
    if cut is None:
        return
    moved = last.passages[cut:]
    del last.passages[cut:]
    end = last.end
    last.end = moved[0].start
    level = last.level or 1
    summary = ParsedSection(len(sections), CLOSING_HEADING, level, moved[0].start, end)
    summary.passages = [ParsedPassage(i, p.start, p.end, p.text, p.shown) for i, p in enumerate(moved)]
    sections.append(summary)


def _passage(ordinal: int, start: int, end: int, original: str, clean: Callable[[str], str]) -> ParsedPassage:
    shown = clean(original)
    return ParsedPassage(ordinal, start, end, original, shown if shown != original else "")


def _split(text: str, fmt: str) -> list[ParsedSection]:
    lines = _lines(text)
    clean: Callable[[str], str] = strip_markdown if fmt == "markdown" else str
    sections: list[ParsedSection] = []
    current = ParsedSection(0, "", 0, 0, 0)
    pending_marker: int | None = None  # start of a lone "-" line waiting for its text
    bullet_run: ParsedPassage | None = None

    def close_section(end: int) -> None:
        current.end = end
        if current.heading or current.passages:
            sections.append(current)

    for index, (start, end, line) in enumerate(lines):
        stripped = line.strip()
        heading: tuple[int, str] | None = None
        if fmt == "markdown":
            m = _MD_HEADING.match(line)
            if m:
                heading = (len(m.group(1)), m.group(2).strip())
        elif is_plain_heading(line):
            # The first line of a plain document may be a long title line.
            heading = (1 if index == 0 else 2, stripped)
        elif index == 0 and stripped and stripped[-1] not in _FINAL_PUNCT and len(stripped) <= 160:
            heading = (1, stripped)
        if heading:
            close_section(start)
            level, title = heading
            current = ParsedSection(len(sections), title, level, start, end)
            pending_marker = None
            bullet_run = None
            continue
        if not stripped:
            bullet_run = None
            continue
        if _MARKER_ONLY.match(line):
            pending_marker = start + (len(line) - len(line.lstrip()))
            continue
        lead = start + (len(line) - len(line.lstrip()))
        tail = start + len(line.rstrip())
        p_start = pending_marker if pending_marker is not None else lead
        pending_marker = None
        is_short_bullet = bool(_BULLET.match(line)) and stripped[-1] not in _FINAL_PUNCT
        if is_short_bullet and bullet_run is not None and current.passages:
            # Consecutive short list items read as one passage (a list).
            prev = current.passages[-1]
            current.passages[-1] = _passage(prev.ordinal, prev.start, tail, text[prev.start : tail], clean)
            continue
        passage = _passage(len(current.passages), p_start, tail, text[p_start:tail], clean)
        current.passages.append(passage)
        bullet_run = passage if is_short_bullet else None
    close_section(len(text))
    return sections


@dataclass(frozen=True)
class ManifestEntry:
    file: str
    original: str
    title: str
    origin: str
    format: str
    sha256: str
    closing: str = ""  # the first words of the document's unheaded closing summary, if it has one


def read_manifest(seeds: Path) -> list[ManifestEntry]:
    path = seeds / "manifest.yaml"
    import yaml  # imported on use: opening the app never parses YAML

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"Cannot read the seed manifest {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"The seed manifest {path} is not UTF-8 text ({undecodable(exc)}).") from exc
    except yaml.YAMLError as exc:
        raise SeedError(f"The seed manifest {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("documents"), list):
        raise SeedError(f"The seed manifest {path} has no 'documents' list.")
    entries = []
    for i, doc in enumerate(data["documents"]):
        if not isinstance(doc, dict):
            raise SeedError(
                f"Manifest entry {i + 1} in {path} is not a mapping with a file and a title (it is {yaml_kind(doc)})."
            )
        try:
            entries.append(
                ManifestEntry(
                    file=str(doc["file"]),
                    original=str(doc.get("original", doc["file"])),
                    title=str(doc["title"]),
                    origin=str(doc.get("origin", "")),
                    format=str(doc.get("format", "plain")),
                    sha256=str(doc.get("sha256", "")),
                    closing=str(doc.get("closing") or ""),
                )
            )
        except (KeyError, TypeError) as exc:
            raise SeedError(f"Manifest entry {i + 1} in {path} lacks a file or title.") from exc
    return entries


def undecodable(exc: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8: "byte 0xff at offset 0"."""
    return f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start} cannot be decoded"


def yaml_kind(value: object) -> str:
    """How a YAML value reads to someone who wrote the file: "a list", "a mapping", "the text 'x'"."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    return f"the value {value!r}"


def load_documents(seeds: Path) -> list[ParsedDocument]:
    """Read and split every document the manifest lists, checking its content hash."""
    docs = []
    for entry in read_manifest(seeds):
        path = seeds / entry.file
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SeedError(f"Cannot read seed document {path}: {exc.strerror or exc}") from exc
        digest = hashlib.sha256(raw).hexdigest()
        if entry.sha256 and digest != entry.sha256:
            raise SeedError(
                f"Seed document {entry.file} does not match the sha256 in the manifest: "
                "the documents must be kept exactly as received."
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SeedError(f"Seed document {entry.file} is not UTF-8 text ({undecodable(exc)}).") from exc
        doc_id = Path(entry.file).stem
        docs.append(
            ParsedDocument(
                id=doc_id,
                file_name=entry.file,
                title=entry.title,
                original_name=entry.original,
                origin=entry.origin,
                text=text,
                sha256=digest,
                sections=split_document(text, entry.format, closing=entry.closing or None),
            )
        )
    return docs


def seed_hash(seeds: Path) -> str:
    """A short hash of the corpus (every file in ``seeds/``) a printout can be traced to.

    Raw bytes only, so checking at start-up whether the reference is stale costs a few reads and no
    parsing; any change to a document, the manifest or the catalogue changes it."""
    h = hashlib.sha256()
    for path in sorted(p for p in seeds.iterdir() if p.is_file() and not p.name.startswith(".")):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


def unlisted_files(seeds: Path) -> list[str]:
    """Files in ``seeds/`` that the manifest does not list: not imported, so reported, never silently ignored."""
    try:
        listed = {e.file for e in read_manifest(seeds)} | {"manifest.yaml", "catalog.yaml"}
        present = [p.name for p in seeds.iterdir() if p.is_file() and not p.name.startswith(".")]
    except (OSError, SeedError):
        return []
    return sorted(n for n in present if n not in listed)
