"""Build the reference database from seeds/: deterministic, verified, and replaced atomically."""

from __future__ import annotations

import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from app import __version__
from app.core.errors import (
    AtlasError,
    DatabaseReadOnly,
    DatabaseUnavailable,
    DiskFull,
    StorageError,
    UnwritablePath,
    classify,
    folder_unwritable,
)
from app.core.reference.catalog import Catalog, CatalogEntity, load_catalog, name_pattern
from app.core.reference.ingest import ParsedDocument, SeedError, load_documents, seed_hash, unlisted_files
from app.core.reference.postings import FTS_TOKENIZER, build_search_postings
from app.core.vocab import REFERENCE_SCHEMA_VERSION

_LEADING_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)


def sort_name(name: str) -> str:
    return _LEADING_ARTICLE.sub("", name).casefold()


@dataclass(frozen=True)
class BuildReport:
    path: Path
    seconds: float
    documents: int
    sections: int
    passages: int
    entities: int
    facts: int
    citations: int
    mentions: int
    seed_hash: str
    unlisted: tuple[str, ...] = ()  # files in the seeds folder the manifest does not list (not imported)


def create_schema(con_path: Path) -> None:
    """Tables from the SQLModel definitions, plus the FTS5 indexes SQLModel cannot declare."""
    # Imported here: opening an existing database (every start) never needs SQLAlchemy's import cost.
    from sqlalchemy import create_engine
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    from app.core.reference import models  # noqa: F401  (registers the tables on SQLModel.metadata)

    engine = create_engine(f"sqlite:///{con_path}")
    try:
        # Not metadata.create_all(): a Table's indexes are a set, so their order in sqlite_schema (and
        # the file's bytes) would follow PYTHONHASHSEED. Tables in dependency order, indexes by name.
        with engine.begin() as conn:
            for table in SQLModel.metadata.sorted_tables:
                conn.execute(CreateTable(table))
                for index in sorted(table.indexes, key=lambda i: str(i.name)):
                    conn.execute(CreateIndex(index))
    finally:
        engine.dispose()
    con = sqlite3.connect(con_path)
    try:
        con.executescript(
            f"""
            CREATE VIRTUAL TABLE passage_fts USING fts5(text, heading, title, tokenize='{FTS_TOKENIZER}');
            CREATE VIRTUAL TABLE entity_fts USING fts5(
                name, aliases, facts, body, context, tokenize='{FTS_TOKENIZER}', prefix='1 2 3'
            );
            """
        )
    finally:
        con.close()


def _mention_matcher(entities: list[CatalogEntity]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over every name and alias (longest first) and a map from matched text to entity."""
    by_text: dict[str, str] = {}
    for ent in entities:
        for n in ent.names:
            key = _norm(n)
            # Names that collide (two entities, one alias) would link ambiguously: first one wins,
            # and the catalogue check keeps such collisions out.
            by_text.setdefault(key, ent.id)
    names = sorted({n for e in entities for n in e.names}, key=lambda n: (-len(n), n))
    alternatives = [name_pattern(n).pattern for n in names]
    return re.compile("|".join(alternatives)), by_text


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("‘", "'")).strip()


def write_reference(
    path: Path, docs: list[ParsedDocument], catalog: Catalog, corpus_hash: str, seeds_path: str = ""
) -> BuildReport:
    """Write a complete reference database at ``path`` (which must not exist)."""
    t0 = time.perf_counter()
    create_schema(path)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=DELETE")
        con.execute("PRAGMA synchronous=OFF")  # a fresh temp file; durability comes from the rename
        con.execute("BEGIN")
        n_sections = n_passages = n_mentions = n_citations = n_facts = 0
        passage_spans: dict[str, list[tuple[int, int, int]]] = {}
        passage_heading: dict[int, str] = {}
        passage_text: dict[int, str] = {}
        pattern, by_text = _mention_matcher(catalog.entities)
        section_id = passage_id = 0
        mention_rows = []
        for ordinal, doc in enumerate(docs):
            con.execute(
                "INSERT INTO document (id, file_name, title, original_name, origin, sha256, text, ordinal)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (doc.id, doc.file_name, doc.title, doc.original_name, doc.origin, doc.sha256, doc.text, ordinal),
            )
            spans = passage_spans.setdefault(doc.id, [])
            for section in doc.sections:
                section_id += 1
                n_sections += 1
                con.execute(
                    "INSERT INTO section (id, document_id, ordinal, heading, level, start, end)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (section_id, doc.id, section.ordinal, section.heading, section.level, section.start, section.end),
                )
                for p in section.passages:
                    passage_id += 1
                    n_passages += 1
                    con.execute(
                        "INSERT INTO passage (id, document_id, section_id, ordinal, start, end, text)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (passage_id, doc.id, section_id, p.ordinal, p.start, p.end, p.display),
                    )
                    con.execute(
                        "INSERT INTO passage_fts (rowid, text, heading, title) VALUES (?, ?, ?, ?)",
                        (passage_id, p.display, section.heading, doc.title),
                    )
                    spans.append((p.start, p.end, passage_id))
                    passage_heading[passage_id] = section.heading
                    passage_text[passage_id] = p.display
                    # Mentions are found in the original text, so their offsets stay true to it
                    # (a Markdown passage's shown text has lost its markers).
                    for m in pattern.finditer(doc.text, p.start, p.end):
                        eid = by_text.get(_norm(m.group(0)))
                        if eid:
                            mention_rows.append((eid, passage_id, m.start(), m.end(), m.group(0)))
        entity_ids = {e.id for e in catalog.entities}
        for ent in catalog.entities:
            values = {f.field: f.value for f in reversed(ent.facts) if f.value is not None}
            members = {f.target for f in ent.facts if f.field in ("member", "party")}
            con.execute(
                "INSERT INTO entity (id, name, sort_name, kind, category, region, founded, ended,"
                " stated_members, member_count, aliases) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ent.id,
                    ent.name,
                    sort_name(ent.name),
                    ent.kind,
                    values.get("category"),
                    values.get("region"),
                    int(values["founded"]) if "founded" in values else None,
                    int(values["ended"]) if "ended" in values else None,
                    int(values["member_count"]) if "member_count" in values else None,
                    len(members),
                    "; ".join(ent.aliases),
                ),
            )
            con.executemany("INSERT INTO alias (entity_id, alias) VALUES (?, ?)", [(ent.id, a) for a in ent.aliases])
        names = {e.id: e.name for e in catalog.entities}
        for ent in catalog.entities:
            # Search columns by weight: name, aliases, the stated facts (values, and each relation as
            # its type and the other entity's name), the quotes and the headings they sit under, and
            # the paragraphs around the quotes (searched only when nothing else matches).
            stated: list[str] = []
            body: list[str] = []
            context: list[str] = []
            for ordinal, fact in enumerate(ent.facts):
                n_facts += 1
                cur = con.execute(
                    "INSERT INTO fact (entity_id, ordinal, field, value, target_id) VALUES (?, ?, ?, ?, ?)",
                    (ent.id, ordinal, fact.field, fact.value, fact.target if fact.target in entity_ids else None),
                )
                fact_id = cur.lastrowid
                if fact.field in ("founded", "ended"):
                    stated.append(f"{fact.field} {fact.value}")
                elif fact.field == "member_count":
                    stated.append(f"{fact.value} members")
                elif fact.value and fact.field != "description":
                    stated.append(fact.value)
                elif fact.target:
                    stated.append(f"{fact.field.replace('_', ' ')} {names.get(fact.target, '')}")
                for cite in fact.located:
                    pid = next((pid for s, e, pid in passage_spans[cite.doc] if s <= cite.start < e), None)
                    if pid is None:
                        # A quote inside a heading line: attach it to the section's first passage after it.
                        pid = next(pid for s, _e, pid in passage_spans[cite.doc] if s >= cite.start)
                    n_citations += 1
                    con.execute(
                        "INSERT INTO citation (fact_id, document_id, passage_id, start, end, quote)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (fact_id, cite.doc, pid, cite.start, cite.end, cite.quote),
                    )
                    body.append(cite.quote)
                    heading = passage_heading.get(pid, "")
                    if heading and heading not in body:
                        body.append(heading)
                    paragraph = passage_text.get(pid, "")
                    if paragraph and paragraph not in context:
                        context.append(paragraph)  # the quote's paragraph: "This mutual defense clause ..."
            rowid = con.execute("SELECT rowid FROM entity WHERE id = ?", (ent.id,)).fetchone()[0]
            con.execute(
                "INSERT INTO entity_fts (rowid, name, aliases, facts, body, context) VALUES (?, ?, ?, ?, ?, ?)",
                (rowid, ent.name, " ".join(ent.aliases), "\n".join(stated), "\n".join(body), "\n".join(context)),
            )
        con.executemany(
            "INSERT INTO mention (entity_id, passage_id, start, end, matched) VALUES (?, ?, ?, ?, ?)", mention_rows
        )
        n_mentions = len(mention_rows)
        meta = {
            "schema_version": str(REFERENCE_SCHEMA_VERSION),
            "seed_hash": corpus_hash,
            # Which seeds folder this was built from: a later command keeps a build from another
            # folder instead of silently rebuilding it from the shipped seeds (app.core.atlas).
            "seeds_path": seeds_path,
            "app_version": __version__,
            "documents": str(len(docs)),
            "entities": str(len(catalog.entities)),
            "facts": str(n_facts),
            "citations": str(n_citations),
        }
        con.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", sorted(meta.items()))
        con.execute(
            "INSERT INTO entity_source (entity_id, document_id) SELECT DISTINCT f.entity_id, c.document_id"
            " FROM fact f JOIN citation c ON c.fact_id = f.id ORDER BY 1, 2"
        )
        con.execute(f"PRAGMA user_version = {REFERENCE_SCHEMA_VERSION}")
        con.execute("COMMIT")
        con.execute("INSERT INTO passage_fts(passage_fts) VALUES ('optimize')")
        con.execute("INSERT INTO entity_fts(entity_fts) VALUES ('optimize')")
        build_search_postings(con)
        con.execute("ANALYZE")
    finally:
        con.close()
    return BuildReport(
        path,
        time.perf_counter() - t0,
        len(docs),
        n_sections,
        n_passages,
        len(catalog.entities),
        n_facts,
        n_citations,
        n_mentions,
        corpus_hash,
    )


def build_reference(seeds: Path, target: Path) -> BuildReport:
    """Verify the seeds and build ``target`` atomically: a temp file, fsync, then rename over it.

    A build that fails or is killed half-way leaves the previous database untouched (only a
    stray temp file, removed by the next build). A full disk, read-only storage or a folder that
    cannot be written raise an AtlasError saying so (a SeedError for the seeds themselves).
    """
    t0 = time.perf_counter()
    docs = load_documents(seeds)
    catalog = load_catalog(seeds, docs)
    try:
        corpus_hash = seed_hash(seeds)
    except OSError as exc:
        raise SeedError(f"Cannot read the seed folder {seeds}: {exc.strerror or exc}") from exc
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise (_build_error(exc, target) or exc) from exc
    problem = folder_unwritable(target.parent)
    if problem:
        raise UnwritablePath(
            f"The reference database {target} cannot be built: its folder {target.parent} {problem}. "
            "Nothing was changed."
        )
    for stale in target.parent.glob(target.name + ".building-*"):
        _remove(stale)
    tmp = target.with_name(f"{target.name}.building-{os.getpid()}")
    try:
        report = write_reference(tmp, docs, catalog, corpus_hash, str(seeds.resolve()))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        try:
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass
    except BaseException as exc:
        # Clean up quietly: a failing unlink (read-only storage) must not hide the first error.
        _remove(tmp)
        _remove(Path(f"{tmp}-journal"))
        if isinstance(exc, Exception) and not isinstance(exc, AtlasError):
            err = _build_error(exc, target)
            if err is not None:
                raise err from exc
        raise
    return BuildReport(
        **{
            **report.__dict__,
            "path": target,
            "seconds": time.perf_counter() - t0,
            "unlisted": tuple(unlisted_files(seeds)),
        }
    )


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def _build_error(exc: BaseException, target: Path) -> AtlasError | None:
    """A full disk, read-only storage... while building, as one clear sentence (None: a bug)."""
    err = classify(exc, "the reference database")
    if err is None:
        return None
    kept = " The previous reference database, if any, is unchanged."
    if isinstance(err, (DatabaseUnavailable, DatabaseReadOnly)):
        problem = folder_unwritable(target.parent)
        if problem:
            return UnwritablePath(f"The reference database {target} cannot be built: its folder {problem}.{kept}")
    if isinstance(err, DiskFull):
        full = "full or failing (disk I/O error)" if isinstance(err, StorageError) else "full"
        return type(err)(
            f"The reference database {target} could not be built: the disk is {full}. Free some space and "
            f"try again.{kept}"
        )
    return type(err)(f"The reference database {target} could not be built. {err}{kept}")
