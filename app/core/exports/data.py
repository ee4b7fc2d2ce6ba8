"""Data exports (JSON, CSV, Markdown) of the entities a FilterSpec selects, every fact with its citation.

JSON schema (version 1), documented in the README:
``{"format": "alliance-atlas", "version": 1, "filter": str, "seed_hash": str,
"entities": [{id, name, aliases[], kind, category, categories[], region, regions[], founded, ended,
stated_members, members[], memberships[{id, name, role, entered, left}], obligations[], same_as[],
same_as_status{}, relations[{relation, id, name, sentence}], activities[],
citations[{field, value, document, section, quote} or {dataset, version, file, record, field, value, fact,
fact_value}]}],
"documents": [{file, title, origin, sections[]}]}``
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from app.core.errors import UnwritablePath
from app.core.query.filters import FilterSpec, describe
from app.core.query.repository import Citation, EntityDetail, FactView, Repository
from app.core.reference.relations import relation_sentence

if TYPE_CHECKING:
    from app.core.userdata.notes import NotesStore

JSON_VERSION = 1
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
Progress = Callable[[int, int], bool]  # (done, total) -> keep going?


class Cancelled(Exception):
    """The user cancelled an export; nothing was written."""


def neutralise(cell: Any) -> Any:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def filter_labels(repo: Repository) -> dict[str, str]:
    labels = repo.entity_names()
    labels.update({d.id: d.title for d in repo.documents()})
    return labels


COLLECT_BATCH = 250  # entities per batch read: few queries, and progress/cancel still every batch


def collect(repo: Repository, spec: FilterSpec, progress: Progress | None = None) -> list[EntityDetail]:
    """The details of every entity the filter selects, in the list's order (read in batches)."""
    rows = repo.list_entities(spec)
    out: list[EntityDetail] = []
    for i in range(0, len(rows), COLLECT_BATCH):
        if progress and not progress(i, len(rows)):
            raise Cancelled()
        out += repo.entity_details([row.id for row in rows[i : i + COLLECT_BATCH]], as_of=spec.as_of)
    return out


def cited_value(f: FactView, c: Citation) -> str:
    """What a citation supports: the fact's value or its target's name; for a description, which has
    no value of its own, the quoted sentence that describes the entity."""
    if f.field == "description":
        return f.value or c.quote
    return f.target_name or f.value or ""


def entity_json(d: EntityDetail) -> dict[str, Any]:
    relations = dict.fromkeys((f.field, f.target_id, f.target_name) for f in d.facts if f.target_id)
    return {
        "id": d.id,
        "name": d.name,
        "aliases": list(d.aliases),
        "kind": d.kind,
        "origin": d.origin,  # "user": made from the user's own documents
        "category": d.category,
        "categories": list(d.categories),
        "region": d.region,
        "regions": list(dict.fromkeys(f.value for f in d.facts if f.field == "region" and f.value)),
        "founded": d.founded,
        "ended": d.ended,
        "stated_members": d.stated_members,
        "members": [m.name for m in d.members],
        # Each member with its years where a dataset gives them (entered, left: null when not stated;
        # left null on a dataset membership: in force at the dataset's end).
        "memberships": [
            {"id": m.id, "name": m.name, "role": m.role, "entered": m.start_year, "left": m.end_year} for m in d.members
        ],
        "obligations": [f.value for f in d.facts if f.field == "obligation" and f.value],
        # Dataset alliances this entity is the same as (or, on one, the catalogue entity), proposed or
        # confirmed; "same_as_status" says which.
        "same_as": [s.id for s in d.same_as],
        "same_as_status": {s.id: s.status for s in d.same_as},
        "relations": [
            {
                "relation": field,
                "id": tid,
                "name": name,
                "sentence": relation_sentence(field, d.name, name or tid or ""),
            }
            for field, tid, name in relations
        ],
        "activities": list(d.activities),
        "citations": [
            {
                "field": f.field,
                "value": cited_value(f, c),
                "document": c.file_name,
                "section": c.section,
                "quote": c.quote,
                "origin": f.origin,
            }
            for f in d.facts
            for c in f.citations
        ]
        + [
            {**r.as_json(), "fact": f.field, "fact_value": f.target_name or f.value or "", "origin": "dataset"}
            for f in d.facts
            for r in f.records
        ],
    }


def to_json(
    repo: Repository, spec: FilterSpec, details: list[EntityDetail], extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    docs = []
    for info in repo.documents():
        view = repo.get_document(info.id)
        docs.append(
            {
                "file": info.file_name,
                "title": info.title,
                "origin": info.origin,
                "imported": info.imported,
                # Every section, the untitled opening text included (named as the window names it).
                "sections": [s.heading or "(opening)" for s in (view.sections if view else ())],
            }
        )
    data: dict[str, Any] = {
        "format": "alliance-atlas",
        "version": JSON_VERSION,
        "filter": describe(spec, filter_labels(repo)),
        "seed_hash": repo.meta().get("seed_hash", ""),
        "entities": [entity_json(d) for d in details],
        "documents": docs,
    }
    if extra:
        data.update(extra)
    return data


def write_json(fh: IO[str], data: dict[str, Any]) -> None:
    json.dump(data, fh, ensure_ascii=False, indent=2)
    fh.write("\n")


ENTITY_COLUMNS = [
    "id",
    "name",
    "aliases",
    "kind",
    "category",
    "region",
    "founded",
    "ended",
    "stated_members",
    "members",
    "activities",
    "origin",
]


def write_csv_entities(fh: IO[str], details: list[EntityDetail]) -> None:
    w = csv.writer(fh)
    w.writerow(ENTITY_COLUMNS)
    for d in details:
        row = [
            d.id, d.name, "; ".join(d.aliases), d.kind, d.category or "", d.region or "",
            d.founded or "", d.ended or "", d.stated_members or "",
            "; ".join(m.name for m in d.members), "; ".join(d.activities), d.origin,
        ]  # fmt: skip
        w.writerow([neutralise(c) for c in row])


def write_csv_members(fh: IO[str], details: list[EntityDetail]) -> None:
    w = csv.writer(fh)
    # Membership years and records only when an imported dataset gives them (the file is unchanged otherwise).
    dated = any(m.records or m.start_year is not None for d in details for m in d.members)
    head = ["entity_id", "entity", "role", "member_id", "member", "document", "quote"]
    w.writerow([*head, "entered", "left", "record"] if dated else head)
    for d in details:
        for m in d.members:
            c = m.citations[0] if m.citations else None
            row: list[object] = [d.id, d.name, m.role, m.id, m.name, c.file_name if c else "", c.quote if c else ""]
            record = m.records[0] if m.records else None
            if dated:
                row += [m.start_year or "", m.end_year or "", f"{record.dataset} {record.record}" if record else ""]
            w.writerow([neutralise(x) for x in row])


def write_csv_citations(fh: IO[str], details: list[EntityDetail]) -> None:
    w = csv.writer(fh)
    # With an imported dataset, a dataset citation fills six more columns (the record, the variable and
    # its value) in place of document, section and quote; without one the file is as it always was.
    records = any(f.records for d in details for f in d.facts)
    quoted = ["entity_id", "entity", "field", "value", "document", "section", "quote"]
    w.writerow([*quoted, "dataset", "version", "file", "record", "variable", "record_value"] if records else quoted)
    pad = ["", "", "", "", "", ""] if records else []
    for d in details:
        for f in d.facts:
            value = f.target_name or f.value or ""
            for c in f.citations:
                row = [d.id, d.name, f.field, value, c.file_name, c.section, c.quote, *pad]
                w.writerow([neutralise(x) for x in row])
            for r in f.records:
                row = [
                    d.id,
                    d.name,
                    f.field,
                    value,
                    "",
                    "",
                    "",
                    r.dataset,
                    r.version,
                    r.file,
                    r.record,
                    r.field,
                    r.value,
                ]
                w.writerow([neutralise(x) for x in row])


def csv_paths(path: Path) -> dict[str, Path]:
    """CSV export writes three files: PATH (entities), PATH-members.csv and PATH-citations.csv."""
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    return {
        "entities": path if path.suffix.lower() == ".csv" else path.with_suffix(".csv"),
        "members": stem.with_name(stem.name + "-members.csv"),
        "citations": stem.with_name(stem.name + "-citations.csv"),
    }


def write_markdown(fh: IO[str], repo: Repository, spec: FilterSpec, details: list[EntityDetail]) -> None:
    meta = repo.meta()
    fh.write("# Alliance Atlas export\n\n")
    fh.write(f"{describe(spec, filter_labels(repo))}: {len(details)} {'entity' if len(details) == 1 else 'entities'}. ")
    fh.write(f"Seed corpus {meta.get('seed_hash', '?')}.\n\n")
    notes_ref: list[str] = []
    for d in details:
        fh.write(f"## {d.name}\n\n")
        line = [f"**Kind:** {d.kind}"] + (["*from your documents*"] if d.origin == "user" else [])
        if d.categories:
            line.append(f"**Category:** {', '.join(d.categories)}")
        regions = [f.value for f in d.facts if f.field == "region" and f.value]
        if regions or d.region:
            line.append(f"**Region:** {', '.join(dict.fromkeys(regions)) or d.region}")
        if d.founded:
            line.append(f"**Founded:** {d.founded}")
        if d.ended:
            line.append(f"**Ended:** {d.ended}")
        fh.write(" · ".join(line) + "\n\n")
        if d.aliases:
            fh.write(f"Also called: {', '.join(d.aliases)}\n\n")
        if d.members:
            fh.write("Members / parties: " + ", ".join(m.name for m in d.members) + "\n\n")
        if d.activities:
            fh.write("Activities: " + ", ".join(d.activities) + "\n\n")
        for f in d.facts:
            value = f.target_name or f.value
            label = f"{f.label}: {value}" if value else f.label
            if f.target_id:
                label = relation_sentence(f.field, d.name, f.target_name or f.target_id)
            if not value and f.field == "description" and f.citations:
                label = f"“{f.citations[0].quote}”"  # a description is its quoted sentence
            marks = []
            for c in f.citations:
                notes_ref.append(f"{c.file_name}, “{c.section or 'opening'}”: “{c.quote}”")
                marks.append(f"[^{len(notes_ref)}]")
            fh.write(f"- {label} {''.join(marks)}\n")
        fh.write("\n")
    if notes_ref:
        fh.write("## Sources\n\n")
        for i, n in enumerate(notes_ref, 1):
            fh.write(f"[^{i}]: {n}\n")


def user_data_json(store: NotesStore, details: list[EntityDetail]) -> dict[str, Any]:
    """The user's tags (with colours) and, per entity, its tags and notes: for a JSON export asked
    to carry them (``entities[].tags``, ``entities[].notes``, top-level ``tags``)."""
    ids = [d.id for d in details]
    tags = store.tags_for_entities(ids)
    notes: dict[str, list[dict[str, Any]]] = {}
    for n in sorted(store.list_notes(entity_ids=ids), key=lambda n: (n.created_at, n.id)):
        notes.setdefault(n.entity_id or "", []).append(
            {
                "id": n.id,
                "title": n.title,
                "body": n.body,
                "tags": list(n.tags),
                "document": n.document_id,
                "quote": n.quote,
                "created_at": n.created_at,
                "updated_at": n.updated_at,
            }
        )
    return {
        "tags": [{"name": t.name, "color": t.color} for t in store.list_tags()],
        "by_entity": {i: {"tags": tags.get(i, []), "notes": notes.get(i, [])} for i in ids},
    }


def export_data(
    repo: Repository,
    spec: FilterSpec,
    fmt: str,
    path: Path,
    *,
    progress: Progress | None = None,
    notes: NotesStore | None = None,
) -> list[Path]:
    """Write JSON, CSV or Markdown atomically; returns the files written. With ``notes``, a JSON
    export also carries the user's tags and notes on each entity."""
    from app.core.fileio import atomic_paths, atomic_write, inspect_target

    if fmt == "csv" and inspect_target(path).kind != "file":
        # Three files named after PATH would be made beside a device (in /dev) or a pipe: refuse.
        raise UnwritablePath(
            f"Cannot write {path}: a CSV export is three files (PATH, PATH-members.csv, PATH-citations.csv), "
            "so it needs a file name, not a device or named pipe. Use --format json or md for one stream."
        )
    details = collect(repo, spec, progress)
    if fmt == "json":
        data = to_json(repo, spec, details)
        if notes is not None:
            user = user_data_json(notes, details)
            data["tags"] = user["tags"]
            for entity in data["entities"]:
                entity.update(user["by_entity"][entity["id"]])
        atomic_write(path, lambda fh: write_json(fh, data))
        return [path]
    if fmt == "md":
        atomic_write(path, lambda fh: write_markdown(fh, repo, spec, details))
        return [path]
    if fmt == "csv":
        targets = csv_paths(path)
        # utf-8-sig: Excel opens the file with accents intact.
        writers: dict[str, Callable[[IO[str], list[EntityDetail]], None]] = {
            "entities": write_csv_entities,
            "members": write_csv_members,
            "citations": write_csv_citations,
        }
        # All three or none: each is written to a temporary name, and only when all three are
        # complete are they renamed, so a failure (a full disk on the second) changes no file.
        with atomic_paths([targets[key] for key in writers]) as tmps:
            for tmp, writer in zip(tmps, writers.values(), strict=True):
                with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
                    writer(fh, details)
        return list(targets.values())
    raise ValueError(f"unknown data format {fmt!r}")
