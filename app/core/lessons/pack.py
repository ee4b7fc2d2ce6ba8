"""The lesson file (``.atlaslesson``): a zip holding a manifest, the lesson and what it refers to.

Layout (format 1)::

    manifest.json   {"format": "alliance-atlas-lesson", "version": 1, "lesson_id": "<uuid4>",
                     "app_version": "0.1.0", "created": "2026-12-02T09:00:00+00:00"}
    lesson.json     Lesson.to_dict(): title, author, created, corpus, trainer notes, steps, quiz
    payload.json    the author's own entities and documents the lesson uses (see payload.py)
    answers/<id>.json  students' answers collected by the trainer (see answers.py)

A reader refuses a manifest whose ``version`` is above :data:`FORMAT_VERSION`; a later format adds
entries (older readers ignore unknown ones) and raises the version only when an older reader would
misread the file. Opening never writes (it works from read-only media); saving writes a complete new
file beside the old one and renames it over, keeping every entry it does not replace.
"""

from __future__ import annotations

import json
import os
import uuid
import zipfile
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.core.errors import UnwritablePath, folder_unwritable
from app.core.fileio import atomic_path
from app.core.lessons.model import Lesson, LessonError
from app.core.lessons.payload import Payload

LESSON_SUFFIX = ".atlaslesson"
FORMAT_NAME = "alliance-atlas-lesson"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LESSON = "lesson.json"
PAYLOAD = "payload.json"
MAX_ENTRY_BYTES = 256 * 1024 * 1024  # a lesson holds text: anything bigger is not one of ours


@dataclass(frozen=True)
class LessonPack:
    """An opened lesson file. ``corpus_differences``: plain sentences on what differs on this
    machine (empty when made on the same corpus); ``missing``: entity ids the steps name that this
    atlas does not have (the payload may still hold a cited copy of them)."""

    path: Path
    lesson: Lesson
    lesson_id: str
    read_only: bool
    corpus_differences: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    payload: Payload = field(default_factory=Payload)
    app_version: str = ""  # the version that wrote the file
    created: str = ""  # when the file was first made (ISO 8601, UTC)


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def create_lesson(path: Path, lesson: Lesson, *, overwrite: bool = False, payload: Payload | None = None) -> LessonPack:
    """Write a new lesson file with a fresh lesson id. An existing file is kept (LessonError)
    unless ``overwrite``. Written atomically: a failure leaves no file."""
    path = Path(path)
    if path.is_dir():
        raise LessonError(f"Cannot write the lesson to {path}: it is a folder. Give a file name.")
    if path.exists() and not overwrite:
        raise LessonError(f"{path} already exists; choose another name for the new lesson.")
    if not lesson.created:
        lesson = replace(lesson, created=now_iso()[:10])
    lesson_id = str(uuid.uuid4())
    manifest: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "lesson_id": lesson_id,
        "app_version": __version__,
        "created": now_iso(),
    }
    payload = payload or Payload()
    _write(path, manifest, lesson, payload, {})
    return LessonPack(
        path,
        lesson,
        lesson_id,
        read_only=False,
        payload=payload,
        app_version=__version__,
        created=str(manifest["created"]),
    )


def open_lesson(
    path: Path,
    *,
    corpus: str | None = None,
    known_ids: Collection[str] | None = None,
    known_documents: Collection[str] | None = None,
) -> LessonPack:
    """Read a lesson file; never writes. ``corpus`` (this atlas's seed hash) and ``known_ids`` /
    ``known_documents`` (what this atlas has) fill ``corpus_differences`` and ``missing``.
    A missing, damaged, truncated or foreign file, or one from a newer version: LessonError."""
    path = Path(path)
    manifest, raw = _read(path, (MANIFEST, LESSON, PAYLOAD))
    try:
        lesson = Lesson.from_dict(_json(path, raw[LESSON], LESSON))
        payload = Payload.from_dict(_json(path, raw[PAYLOAD], PAYLOAD)) if PAYLOAD in raw else Payload()
    except LessonError as exc:
        raise LessonError(f"{path.name} cannot be opened: {exc}") from exc
    differences, missing = _differences(lesson, payload, corpus, known_ids, known_documents)
    return LessonPack(
        path,
        lesson,
        str(manifest["lesson_id"]),
        read_only=_read_only(path),
        corpus_differences=differences,
        missing=missing,
        payload=payload,
        app_version=str(manifest.get("app_version", "")),
        created=str(manifest.get("created", "")),
    )


def save_lesson(pack: LessonPack, lesson: Lesson, *, payload: Payload | None = None) -> LessonPack:
    """Write ``lesson`` (and ``payload`` when given, else the pack's) into the pack's file,
    atomically, keeping its id and every other entry (collected answers). Read-only: UnwritablePath."""
    payload = pack.payload if payload is None else payload
    _write(pack.path, _manifest_of(pack), lesson, payload, _kept_entries(pack, replacing=()), pack=pack)
    return replace(pack, lesson=lesson, payload=payload)


def read_entries(pack: LessonPack, prefix: str) -> dict[str, bytes]:
    """The raw entries of the pack's file whose names start with ``prefix`` (e.g. ``answers/``)."""
    names = _names(pack.path)
    wanted = tuple(n for n in names if n.startswith(prefix) and not n.endswith("/"))
    _manifest, raw = _read(pack.path, wanted, lesson_id=pack.lesson_id)
    return {n: raw[n] for n in wanted}


def write_entries(pack: LessonPack, entries: Mapping[str, bytes]) -> LessonPack:
    """Add or replace ``entries`` (never the manifest, lesson or payload) in the pack's file, atomically."""
    for name in entries:
        if name in (MANIFEST, LESSON, PAYLOAD) or not name or name.startswith("/") or ".." in name.split("/"):
            raise ValueError(f"not a free entry name: {name!r}")
    kept = _kept_entries(pack, replacing=tuple(entries))
    _write(pack.path, _manifest_of(pack), pack.lesson, pack.payload, {**kept, **entries}, pack=pack)
    return pack


# ---- reading ----------------------------------------------------------------------------------------
def _damaged(path: Path) -> LessonError:
    return LessonError(
        f"{path.name} is damaged or incomplete (perhaps cut short while copying), so it cannot be opened; "
        "copy it again from the original."
    )


def _names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged(path) from exc


def _read(
    path: Path, names: tuple[str, ...], *, lesson_id: str | None = None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """(manifest, {name: bytes}) for the names present among ``names``; every failure a LessonError."""
    if not path.exists():
        raise LessonError(f"There is no lesson file {path}.")
    if path.is_dir():
        raise LessonError(f"{path} is a folder, not a lesson file.")
    if not path.is_file():  # a pipe or device: reading it could wait for ever
        raise LessonError(f"{path} is not a regular file, so it cannot be a lesson file.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise LessonError(f"{path} cannot be read ({exc.strerror or exc}).") from exc
    if not head.startswith(b"PK"):
        if not head:
            raise _damaged(path)
        raise LessonError(f"{path.name} is not an Alliance Atlas lesson file ({LESSON_SUFFIX}).")
    out: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            present = set(zf.namelist())
            if MANIFEST not in present:
                raise LessonError(
                    f"{path.name} is not an Alliance Atlas lesson file ({LESSON_SUFFIX}): it has no manifest."
                )
            manifest = _json(path, _entry(zf, MANIFEST, path), MANIFEST)
            _check_manifest(path, manifest)
            if lesson_id is not None and manifest["lesson_id"] != lesson_id:
                raise LessonError(f"{path.name} now holds another lesson; open it again.")
            if LESSON in names and LESSON not in present:
                raise _damaged(path)
            for name in names:
                if name in present:
                    out[name] = _entry(zf, name, path)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error) as exc:
        # A CRC mismatch, a cut-off member, a bad compression stream, an I/O error mid-read.
        raise _damaged(path) from exc
    return manifest, out


def _entry(zf: zipfile.ZipFile, name: str, path: Path) -> bytes:
    info = zf.getinfo(name)
    if info.file_size > MAX_ENTRY_BYTES:
        raise LessonError(f"{path.name} is not a lesson this version can open: {name} is too large.")
    return zf.read(name)


def _json(path: Path, data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _damaged(path) from exc


def _check_manifest(path: Path, manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise LessonError(f"{path.name} is not an Alliance Atlas lesson file ({LESSON_SUFFIX}).")
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _damaged(path)
    if version > FORMAT_VERSION:
        raise LessonError(
            f"{path.name} was made by a newer version of Alliance Atlas (lesson format {version}; this version "
            f"reads format {FORMAT_VERSION}). Update Alliance Atlas to open it."
        )
    lesson_id = manifest.get("lesson_id")
    if not isinstance(lesson_id, str) or not lesson_id.strip():
        raise _damaged(path)


def _read_only(path: Path) -> bool:
    if folder_unwritable(path.parent) is not None:
        return True
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return True
    except (AttributeError, OSError):
        pass
    return not os.access(path, os.W_OK)


def _differences(
    lesson: Lesson,
    payload: Payload,
    corpus: str | None,
    known_ids: Collection[str] | None,
    known_documents: Collection[str] | None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    out: list[str] = []
    if corpus and lesson.corpus and corpus != lesson.corpus:
        out.append(
            f"This lesson was made on reference corpus {lesson.corpus[:12]}; this atlas has corpus {corpus[:12]}, "
            "so some facts, passages and quiz answers may differ."
        )
    missing: list[str] = []
    if known_ids is not None:
        known = set(known_ids)
        for i, step in enumerate(lesson.steps, 1):
            for eid in (step.entity_id, step.other_id):
                if eid and eid not in known and eid not in missing:
                    missing.append(eid)
                    copy = payload.entity(eid)
                    if copy is not None:
                        out.append(
                            f"Step {i} shows “{copy.name}”, one of the author's own entities that this atlas does "
                            "not have: it is shown from the cited copy kept in the lesson."
                        )
                    else:
                        out.append(f"Step {i} names “{eid}”, which this atlas does not have; it shows what it can.")
    if known_documents is not None:
        docs = set(known_documents)
        for i, step in enumerate(lesson.steps, 1):
            if step.kind == "passage" and step.document_id and step.document_id not in docs:
                copy_doc = payload.document(step.document_id)
                where = "it is shown from the copy kept in the lesson" if copy_doc else "that step cannot show it"
                out.append(f"Step {i} quotes the document {step.document_id}, which this atlas does not have; {where}.")
    return tuple(out), tuple(missing)


# ---- writing ----------------------------------------------------------------------------------------
def _manifest_of(pack: LessonPack) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "lesson_id": pack.lesson_id,
        "app_version": __version__,
        "created": pack.created or now_iso(),
    }


def _kept_entries(pack: LessonPack, replacing: tuple[str, ...]) -> dict[str, bytes]:
    """Every entry of the file on disk other than ours and ``replacing`` (answers, later formats' extras)."""
    try:
        names = _names(pack.path)
    except LessonError:
        return {}
    keep = tuple(n for n in names if n not in (MANIFEST, LESSON, PAYLOAD, *replacing) and not n.endswith("/"))
    try:
        return _read(pack.path, keep, lesson_id=pack.lesson_id)[1]
    except LessonError:
        return {}


def _write(
    path: Path,
    manifest: Mapping[str, Any],
    lesson: Lesson,
    payload: Payload,
    extra: Mapping[str, bytes],
    *,
    pack: LessonPack | None = None,
) -> None:
    why = folder_unwritable(path.parent) if path.parent.exists() else None
    if why or (pack is not None and pack.read_only and _read_only(path)):
        reason = f"its folder {why}" if why else "it is read-only"
        raise UnwritablePath(
            f"Cannot save the lesson {path.name}: {reason}. Save a copy in a writable folder to change it."
        )
    if not path.parent.exists():
        raise UnwritablePath(f"Cannot write the lesson {path}: the folder {path.parent} does not exist.")
    entries: list[tuple[str, bytes]] = [
        (MANIFEST, _dumps(manifest)),
        (LESSON, _dumps(lesson.to_dict())),
    ]
    if not payload.empty:
        entries.append((PAYLOAD, _dumps(payload.to_dict())))
    entries += sorted(extra.items())
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False).encode("utf-8")
