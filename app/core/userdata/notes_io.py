"""Reading, checking and writing notes files: the import file format and the Markdown export."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from app.core.textsafe import has_unsafe, strip_controls
from app.core.userdata.notes_model import (
    _COLOR,
    _ID,
    DEFAULT_COLOR,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    MAX_IMPORT_BYTES,
    Note,
    NotesImportError,
    _clean_title,
    normalise_time,
    now_iso,
)


def read_import_file(path: Path) -> Any:
    """Read and parse a notes file, refusing huge, unreadable or non-JSON files with a clear message."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise NotesImportError(f"Cannot import {path}: the file does not exist.") from exc
    except OSError as exc:
        raise NotesImportError(f"Cannot import {path}: {exc.strerror or exc}.") from exc
    if path.is_dir():
        raise NotesImportError(f"Cannot import {path}: it is a folder, not a notes file.")
    if size > MAX_IMPORT_BYTES:
        raise NotesImportError(
            f"Cannot import {path.name}: the file is {size / 1e6:.1f} MB, larger than the "
            f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB limit for notes files. Nothing was changed."
        )
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise NotesImportError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if len(raw) > MAX_IMPORT_BYTES:
        raise NotesImportError(f"Cannot import {path.name}: the file is larger than the limit. Nothing was changed.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotesImportError(
            f"Cannot import {path.name}: it is not a text file (not UTF-8). Nothing was changed."
        ) from exc
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise NotesImportError(
            f"Cannot import {path.name}: the JSON is nested too deeply. Nothing was changed."
        ) from exc
    except json.JSONDecodeError as exc:
        raise NotesImportError(
            f"Cannot import {path.name}: it is not a JSON notes file (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}). Nothing was changed."
        ) from exc
    except ValueError as exc:  # a number of thousands of digits ("Exceeds the limit ... for integer string")
        raise NotesImportError(
            f"Cannot import {path.name}: it holds a number too long to be a notes field. Nothing was changed."
        ) from exc


# Passage offsets are character positions in a seed document: far below this, and within SQLite's range.
MAX_OFFSET = 10**9


def _tag_name(name: str) -> str:
    return " ".join(strip_controls(name, multiline=False).split())


def _one_line(value: str | None) -> str | None:
    return None if value is None else strip_controls(value, multiline=False)


def _text(value: str | None) -> str | None:
    return None if value is None else strip_controls(value)


def has_control_characters(raw: Any) -> bool:
    """True when an import file's note (as parsed) holds characters the import strips."""
    if not isinstance(raw, dict):
        return False
    texts = [raw.get(k) for k in ("title", "quote", "entity_id", "document_id")]
    body = raw.get("body")
    tags: list[Any] = raw["tags"] if isinstance(raw.get("tags"), list) else []
    one_line = [t for t in [*texts, *tags] if isinstance(t, str)]
    return any(has_unsafe(t, multiline=False) for t in one_line) or (isinstance(body, str) and has_unsafe(body))


def _type_name(v: Any) -> str:
    return {
        type(None): "null",
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(v), type(v).__name__)


def _attach(n: Note, name: str | None, known: set[str] | None, resolve: Callable[[str], str | None]) -> Note:
    """``n`` with its entity id made a catalogue id where its id or name resolves to one."""
    if n.entity_id and known is not None and n.entity_id in known:
        return n
    for key in (n.entity_id, name):
        found = resolve(key) if key else None
        if found:
            return replace(n, entity_id=found)
    return n


def validate_import(data: Any) -> tuple[list[Note], list[dict[str, Any]]]:
    """Check every field of an import document; raise NotesImportError naming the first bad one."""

    def fail(msg: str) -> NotesImportError:
        return NotesImportError(f"This is not a valid notes file: {msg} Nothing was changed.")

    if not isinstance(data, dict):
        raise fail(f"the top level must be an object, not {_type_name(data)}.")
    if data.get("format") != EXPORT_FORMAT:
        raise fail(f"“format” must be “{EXPORT_FORMAT}” (found {json.dumps(data.get('format'))[:60]}).")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise fail("“version” must be a whole number.")
    if version != EXPORT_VERSION:
        newer = " It was written by a newer Alliance Atlas; please update." if version > EXPORT_VERSION else ""
        raise NotesImportError(
            f"This notes file has version {version}; this Alliance Atlas reads version {EXPORT_VERSION}.{newer}"
            " Nothing was changed."
        )
    raw_notes = data.get("notes")
    if not isinstance(raw_notes, list):
        raise fail(f"“notes” must be a list, not {_type_name(raw_notes)}.")
    raw_tags = data.get("tags", [])
    if not isinstance(raw_tags, list):
        raise fail(f"“tags” must be a list, not {_type_name(raw_tags)}.")

    def want(obj: dict[str, Any], key: str, where: str, kinds: tuple[type, ...], required: bool = True) -> Any:
        if key not in obj:
            if required:
                raise fail(f"{where} has no “{key}”.")
            return None
        v = obj[key]
        ok = isinstance(v, kinds) and not (isinstance(v, bool) and bool not in kinds)
        if not ok:
            expected = " or ".join(sorted({_type_name(k()) if k is not type(None) else "null" for k in kinds}))
            raise fail(f"{where}.{key} must be {expected}, not {_type_name(v)}.")
        return v

    notes: list[Note] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_notes):
        where = f"notes[{i}]"
        if not isinstance(raw, dict):
            raise fail(f"{where} must be an object, not {_type_name(raw)}.")
        nid = want(raw, "id", where, (str,))
        if not _ID.match(nid):
            raise fail(f"{where}.id “{nid[:40]}” is not a note id (letters, digits, - and _ only).")
        if nid in seen:
            raise fail(f"the note id {nid} appears twice.")
        seen.add(nid)
        times = {}
        for key in ("created_at", "updated_at"):
            value = want(raw, key, where, (str,))
            try:
                times[key] = normalise_time(value)
            except ValueError as exc:
                raise fail(f"{where}.{key} “{value[:40]}” is not an ISO date and time.") from exc
        tags = want(raw, "tags", where, (list,), required=False) or []
        for j, t in enumerate(tags):
            if not isinstance(t, str) or not t.strip() or len(t) > 60:
                raise fail(f"{where}.tags[{j}] must be a tag name (text, 1–60 characters).")
        start = want(raw, "start", where, (int, type(None)), required=False)
        end = want(raw, "end", where, (int, type(None)), required=False)
        if (start is None) != (end is None) or (start is not None and (start < 0 or end < start or end > MAX_OFFSET)):
            raise fail(f"{where} has an invalid passage span (start {start}, end {end}).")
        want(raw, "entity_name", where, (str, type(None)), required=False)
        notes.append(
            Note(
                id=nid,
                entity_id=_one_line(want(raw, "entity_id", where, (str, type(None)), required=False)),
                document_id=_one_line(want(raw, "document_id", where, (str, type(None)), required=False)),
                start=start,
                end=end,
                quote=_text(want(raw, "quote", where, (str, type(None)), required=False)),
                title=_clean_title(want(raw, "title", where, (str,))),
                body=strip_controls(want(raw, "body", where, (str,))),
                created_at=times["created_at"],
                updated_at=times["updated_at"],
                tags=tuple(dict.fromkeys(t for t in (_tag_name(t) for t in tags) if t)),
            )
        )
    tags_out: list[dict[str, Any]] = []
    for i, raw in enumerate(raw_tags):
        where = f"tags[{i}]"
        if not isinstance(raw, dict):
            raise fail(f"{where} must be an object, not {_type_name(raw)}.")
        name = want(raw, "name", where, (str,))
        if not name.strip() or len(name) > 60:
            raise fail(f"{where}.name must be 1–60 characters.")
        color = want(raw, "color", where, (str,), required=False) or DEFAULT_COLOR
        if not _COLOR.match(color):
            raise fail(f"{where}.color “{color[:20]}” is not a colour like #5b8def.")
        ents = want(raw, "entities", where, (list,), required=False) or []
        for j, e in enumerate(ents):
            if not isinstance(e, str) or not e:
                raise fail(f"{where}.entities[{j}] must be an entity id (text).")
        if not _tag_name(name):
            raise fail(f"{where}.name holds no visible characters.")
        tags_out.append({"name": _tag_name(name), "color": color.lower(), "entities": list(dict.fromkeys(ents))})
    return notes, tags_out


# ---- markdown -----------------------------------------------------------------------------------
def write_markdown(
    fh: IO[str],
    notes: Sequence[Note],
    entity_names: dict[str, str],
    document_titles: dict[str, str],
    entity_tags: dict[str, list[str]],
    *,
    description: str = "all notes",
) -> None:
    fh.write("# Alliance Atlas notes\n\n")
    fh.write(
        f"{description}: {len(notes)} note{'s' if len(notes) != 1 else ''}."
        f" Exported {now_iso()[:16].replace('T', ' ')} UTC.\n\n"
    )
    current: object = object()
    for n in notes:
        if n.entity_id != current:
            current = n.entity_id
            if n.entity_id:
                name = entity_names.get(n.entity_id)
                label = f"{name} (`{n.entity_id}`)" if name else f"`{n.entity_id}` (not in this catalogue)"
                fh.write(f"## {label}\n\n")
                if entity_tags.get(n.entity_id):
                    fh.write("Entity tags: " + ", ".join(entity_tags[n.entity_id]) + "\n\n")
            else:
                fh.write("## Notes on passages\n\n")
        fh.write(f"### {n.display_title}\n\n")
        meta = f"*Created {n.created_at[:16].replace('T', ' ')} UTC, updated {n.updated_at[:16].replace('T', ' ')} UTC*"
        if n.tags:
            meta += " · Tags: " + ", ".join(n.tags)
        fh.write(meta + "\n\n")
        if n.quote:
            doc = document_titles.get(n.document_id or "", n.document_id or "")
            fh.write("> " + n.quote.replace("\n", "\n> ") + "\n")
            fh.write(f">\n> — {doc}, characters {n.start}–{n.end}\n\n")
        if n.body.strip():
            fh.write(n.body.rstrip() + "\n\n")
