"""What a lesson carries of the author's own sources: cited copies of their entities and documents.

A step or quiz answer may name an entity the author made from their own documents (``my-…``) or quote
an imported document (``doc-…``), or filter by the author's tags: a machine with only the seeds has
none of these. :func:`gather_payload` copies each one the lesson uses into the lesson file
(``payload.json``): an entity with its facts and each fact's quotes, a document with its full text,
a tag with the ids of the entities it was on. A receiving machine shows these copies as they are
(:func:`step_filter` turns a step's tags into those entities); nothing is ever written into its
user database. A saved filter needs no copy: a filter step holds the whole filter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from app.core.lessons.model import Lesson, LessonError, Step
from app.core.query.filters import FilterSpec

if TYPE_CHECKING:
    from app.core.query.repository import Repository


@dataclass(frozen=True)
class QuoteCopy:
    document_id: str
    document_title: str
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class FactCopy:
    field: str
    label: str
    value: str  # the value, or the related entity's name
    target_id: str | None
    citations: tuple[QuoteCopy, ...]


@dataclass(frozen=True)
class EntityCopy:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    facts: tuple[FactCopy, ...]


@dataclass(frozen=True)
class DocumentCopy:
    id: str
    title: str
    file_name: str
    origin: str
    text: str


@dataclass(frozen=True)
class Payload:
    entities: tuple[EntityCopy, ...] = ()
    documents: tuple[DocumentCopy, ...] = ()
    tags: tuple[tuple[str, tuple[str, ...]], ...] = ()  # tag name -> the entity ids it was on

    @property
    def empty(self) -> bool:
        return not self.entities and not self.documents and not self.tags

    def tagged(self, tag: str) -> tuple[str, ...] | None:
        return next((ids for name, ids in self.tags if name == tag), None)

    def entity(self, entity_id: str) -> EntityCopy | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    def document(self, document_id: str) -> DocumentCopy | None:
        return next((d for d in self.documents if d.id == document_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entities": [
                {
                    "id": e.id,
                    "name": e.name,
                    "kind": e.kind,
                    "aliases": list(e.aliases),
                    "facts": [
                        {
                            "field": f.field,
                            "label": f.label,
                            "value": f.value,
                            "target_id": f.target_id,
                            "citations": [vars(c) for c in f.citations],
                        }
                        for f in e.facts
                    ],
                }
                for e in self.entities
            ],
            "documents": [vars(d) for d in self.documents],
            "tags": {name: list(ids) for name, ids in self.tags},
        }

    @classmethod
    def from_dict(cls, raw: Any) -> Payload:
        if not isinstance(raw, Mapping):
            raise LessonError("The lesson's payload must be a JSON object.")
        try:
            entities = tuple(
                EntityCopy(
                    str(e["id"]),
                    str(e["name"]),
                    str(e["kind"]),
                    tuple(str(a) for a in e.get("aliases", [])),
                    tuple(
                        FactCopy(
                            str(f["field"]),
                            str(f["label"]),
                            str(f["value"]),
                            None if f.get("target_id") is None else str(f["target_id"]),
                            tuple(
                                QuoteCopy(
                                    str(c["document_id"]),
                                    str(c["document_title"]),
                                    int(c["start"]),
                                    int(c["end"]),
                                    str(c["quote"]),
                                )
                                for c in f["citations"]
                            ),
                        )
                        for f in e["facts"]
                    ),
                )
                for e in raw.get("entities", [])
            )
            documents = tuple(
                DocumentCopy(str(d["id"]), str(d["title"]), str(d["file_name"]), str(d["origin"]), str(d["text"]))
                for d in raw.get("documents", [])
            )
            tags = tuple((str(name), tuple(str(i) for i in ids)) for name, ids in raw.get("tags", {}).items())
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LessonError("The lesson's copies of the author's own sources are malformed.") from exc
        return cls(entities, documents, tags)


def used_ids(lesson: Lesson) -> tuple[list[str], list[str]]:
    """(entity ids, document ids) the lesson's steps and quiz refer to, in order of first use."""
    entities: list[str] = []
    documents: list[str] = []
    for step in lesson.steps:
        for eid in (step.entity_id, step.other_id):
            if eid and eid not in entities:
                entities.append(eid)
        if step.document_id and step.document_id not in documents:
            documents.append(step.document_id)
    for q in lesson.quiz.questions if lesson.quiz else ():
        if q.entity_id and q.entity_id not in entities:
            entities.append(q.entity_id)
        if q.document and q.document not in documents:
            documents.append(q.document)
    return entities, documents


def gather_payload(repo: Repository, lesson: Lesson) -> Payload:
    """Cited copies of the user's own entities and imported documents that ``lesson`` uses (and of
    the documents those entities' facts quote). Reference entities and seed documents are not copied."""
    entity_ids, document_ids = used_ids(lesson)
    copies: list[EntityCopy] = []
    for d in repo.entity_details(entity_ids):
        if d.origin != "user":
            continue
        facts = []
        for f in d.facts:
            quotes = tuple(QuoteCopy(c.document_id, c.document_title, c.start, c.end, c.quote) for c in f.citations)
            facts.append(FactCopy(f.field, f.label, f.target_name or f.value or "", f.target_id, quotes))
            for c in f.citations:
                if c.document_id not in document_ids:
                    document_ids.append(c.document_id)
        copies.append(EntityCopy(d.id, d.name, d.kind, d.aliases, tuple(facts)))
    documents: list[DocumentCopy] = []
    for doc_id in document_ids:
        view = repo.get_document(doc_id)
        if view is not None and view.info.imported:
            info = view.info
            documents.append(DocumentCopy(info.id, info.title, info.file_name, info.origin, view.text))
    tags: list[tuple[str, tuple[str, ...]]] = []
    for step in lesson.steps:
        for tag in _spec(step).tags if step.kind == "filter" else ():
            if tag not in [name for name, _ids in tags]:
                tags.append((tag, tuple(r.id for r in repo.list_entities(FilterSpec(tags=(tag,))))))
    return Payload(tuple(copies), tuple(documents), tuple(tags))


def _spec(step: Step) -> FilterSpec:
    try:
        return FilterSpec.from_json(step.filter_json or "{}")
    except (ValueError, TypeError) as exc:
        raise LessonError("A filter step of the lesson holds a filter this version cannot read.") from exc


def step_filter(step: Step, payload: Payload) -> FilterSpec:
    """The filter a filter step shows. Tags the lesson carries become the entities the author had
    tagged (the same tag name may mean something else here, or not exist)."""
    spec = _spec(step)
    carried = [payload.tagged(t) for t in spec.tags]
    if not spec.tags or any(ids is None for ids in carried):
        return spec
    ids = {i for group in carried for i in group or ()}
    if spec.ids:
        ids &= set(spec.ids)
    return replace(spec, tags=(), ids=tuple(sorted(ids)) or ("",))
