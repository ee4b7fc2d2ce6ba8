"""Entity details in batch: an entity's facts, citations, links and same-as comparisons, read in a few queries."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from app.core.query.filters import in_force_sql
from app.core.query.views import (
    HIGHLIGHT_CLOSE,
    HIGHLIGHT_OPEN,
    Citation,
    DatasetCitation,
    EntityDetail,
    FactView,
    Link,
    SameAsLink,
)
from app.core.reference.ingest import strip_markdown
from app.core.reference.relations import MEMBERSHIP_FIELDS, relation_label, relation_sentence
from app.core.vocab import RELATION_FIELDS

# One read on the calling thread's connection: (sql, params) -> rows.
Raw = Callable[[str, "dict[str, Any] | None"], list[tuple[Any, ...]]]

FIELD_LABELS = {
    "description": "Described as",
    "category": "Category",
    "founded": "Founded",
    "ended": "Ended",
    "member_count": "Stated number of members",
    "region": "Region",
    "activity": "Activity",
    "obligation": "Obligation",
}
FIELD_LABELS.update({f: relation_label(f) for f in RELATION_FIELDS})


def mention_snippet(text_: str, start: int, end: int, width: int = 90) -> str:
    """``text_`` (a passage's original text) around [start, end), that span in [[ ]], Markdown markers out."""
    a = max(0, start - width)
    b = min(len(text_), end + width)
    prefix = "…" if a > 0 else ""
    suffix = "…" if b < len(text_) else ""
    # Marks in place while the markers go, so a hit inside "**China:**" keeps its highlight.
    marked = strip_markdown(text_[a:start] + "\x01" + text_[start:end] + "\x02" + text_[end:b])
    marked = marked.replace("\x01", HIGHLIGHT_OPEN).replace("\x02", HIGHLIGHT_CLOSE)
    return (prefix + marked + suffix).replace("\n", " ")


def entity_details(raw: Raw, ids: list[str], *, as_of: int | None = None, compare: bool = True) -> list[EntityDetail]:
    """The details of many entities in six queries, in the order of ``ids`` (unknown ids are
    skipped), without their mentions (``Repository.get_entity`` adds those): no round trip per entity
    (a 1,000-entity PDF spent 2.6 s in 6,000 small queries). ``as_of``: only the facts in force
    that year (a dataset alliance's members then). ``compare``: fill ``disagreements`` with the
    entities linked as the same (one more batch read, only when there are links)."""
    if not ids:
        return []
    p: dict[str, Any] = {"ids": json.dumps(list(ids))}
    when = ""
    if as_of is not None:
        p["as_of"] = as_of
        when = f" AND {in_force_sql('f')}"
    wanted = "(SELECT value FROM json_each(:ids))"
    rows = {
        r[0]: r
        for r in raw(
            "SELECT id, name, kind, category, region, founded, ended, stated_members, origin FROM entity"
            f" WHERE id IN {wanted}",
            p,
        )
    }
    aliases: dict[str, list[str]] = {}
    for eid, alias in raw(f"SELECT entity_id, alias FROM alias WHERE entity_id IN {wanted} ORDER BY rn", p):
        aliases.setdefault(eid, []).append(alias)
    facts: dict[str, list[tuple[Any, ...]]] = {}
    for r in raw(
        "SELECT f.entity_id, f.id, f.field, f.value, f.target_id, t.name, t.kind, f.origin, f.start_year,"
        f" f.end_year FROM fact f LEFT JOIN entity t ON t.id = f.target_id WHERE f.entity_id IN {wanted}{when}"
        " ORDER BY f.entity_id, f.ordinal",
        p,
    ):
        facts.setdefault(r[0], []).append(r[1:])
    inbound: dict[str, list[tuple[Any, ...]]] = {}
    for r in raw(
        "SELECT f.target_id, f.id, f.field, f.entity_id, e.name, e.kind, f.start_year, f.end_year"
        " FROM fact f JOIN entity e"
        f" ON e.id = f.entity_id WHERE f.target_id IN {wanted}{when} ORDER BY f.target_id, e.sort_name, f.ordinal",
        p,
    ):
        inbound.setdefault(r[0], []).append(r[1:])
    cites: dict[int, list[tuple[Any, ...]]] = {}
    for r in raw(
        "SELECT c.fact_id, c.document_id, d.title, d.file_name, sec.heading, c.passage_id,"
        " c.start, c.end, c.quote FROM citation c JOIN document d ON d.id = c.document_id"
        " JOIN passage p ON p.id = c.passage_id JOIN section sec ON sec.id = p.section_id"
        f" WHERE c.fact_id IN (SELECT id FROM fact WHERE entity_id IN {wanted} OR target_id IN {wanted})"
        " ORDER BY c.id",
        p,
    ):
        cites.setdefault(r[0], []).append(r[1:])
    records: dict[int, list[DatasetCitation]] = {}
    for r in raw(
        "SELECT fact_id, record_id, dataset, version, file, record, field, value FROM dataset_citation"
        f" WHERE fact_id IN (SELECT id FROM fact WHERE entity_id IN {wanted} OR target_id IN {wanted}) ORDER BY id",
        p,
    ):
        records.setdefault(int(r[0]), []).append(DatasetCitation(int(r[1]), *(str(v) for v in r[2:])))
    same: dict[str, list[SameAsLink]] = {}
    for a, b, status, reason, a_name, b_name in raw(
        "SELECT s.entity_id, s.dataset_id, s.status, s.reason, ea.name, eb.name FROM same_as s"
        " JOIN entity ea ON ea.id = s.entity_id JOIN entity eb ON eb.id = s.dataset_id"
        f" WHERE s.status != 'removed' AND (s.entity_id IN {wanted} OR s.dataset_id IN {wanted})"
        " ORDER BY s.dataset_id",
        p,
    ):
        same.setdefault(a, []).append(SameAsLink(b, b_name, status, reason))
        same.setdefault(b, []).append(SameAsLink(a, a_name, status, reason))
    out = []
    for eid in ids:
        row = rows.get(eid)
        if row is not None:
            detail = _detail(row, aliases.get(eid, []), facts.get(eid, []), inbound.get(eid, []), cites, records)
            out.append(replace(detail, same_as=tuple(same.get(eid, ()))) if eid in same else detail)
    if compare and same:
        out = _with_disagreements(raw, out, as_of)
    return out


def _with_disagreements(raw: Raw, details: list[EntityDetail], as_of: int | None) -> list[EntityDetail]:
    """Each detail with what it and the entities linked to it as the same say differently
    (:func:`app.core.datasets.compare.with_disagreements`: on the whole records, whatever ``as_of``)."""
    from app.core.datasets.compare import with_disagreements

    return with_disagreements(details, fetch=lambda ids: entity_details(raw, ids, compare=False), raw=raw, as_of=as_of)


def _detail(
    row: tuple[Any, ...],
    aliases: list[str],
    facts: list[tuple[Any, ...]],
    inbound: list[tuple[Any, ...]],
    cites: dict[int, list[tuple[Any, ...]]],
    records: dict[int, list[DatasetCitation]] | None = None,
) -> EntityDetail:
    """One EntityDetail from batch rows: citations numbered in reading order, links grouped."""
    numbering: dict[tuple[str, int, int], int] = {}

    def cite_views(fact_id: int) -> tuple[Citation, ...]:
        views = []
        for doc, title, fname, section, pid, start, end, quote in cites.get(fact_id, ()):
            number = numbering.setdefault((doc, start, end), len(numbering) + 1)
            views.append(Citation(number, doc, title, fname, section, pid, start, end, quote))
        return tuple(views)

    recs = records or {}

    def fact_view(r: tuple[Any, ...]) -> FactView:
        fid, field, value, tid, tname, tkind, origin, sy, ey = r
        label = FIELD_LABELS.get(field, field)
        return FactView(
            field, label, value, tid, tname, tkind, cite_views(fid), origin, tuple(recs.get(fid, ())), sy, ey
        )

    fact_views = tuple(fact_view(r) for r in facts)

    def out_link(f: FactView) -> Link:
        sentence = relation_sentence(f.field, row[1], f.target_name or "")
        name = f.target_name or ""
        return Link(
            f.target_id or "", name, f.target_kind or "", f.field, f.citations, f.field, True, sentence,
            f.records, f.start_year, f.end_year,
        )  # fmt: skip

    members = tuple(out_link(f) for f in fact_views if f.field in MEMBERSHIP_FIELDS and f.target_id)
    related = [out_link(f) for f in fact_views if f.field not in MEMBERSHIP_FIELDS and f.target_id]
    member_of: list[Link] = []
    for fid, field, src, sname, skind, sy, ey in inbound:
        sentence = relation_sentence(field, sname, row[1])
        role = "has part" if field == "part_of" else field
        link = Link(src, sname, skind, role, cite_views(fid), field, False, sentence, tuple(recs.get(fid, ())), sy, ey)
        (member_of if field in MEMBERSHIP_FIELDS else related).append(link)
    return EntityDetail(
        id=row[0],
        name=row[1],
        aliases=tuple(aliases),
        kind=row[2],
        category=row[3],
        categories=tuple(dict.fromkeys(f.value for f in fact_views if f.field == "category" and f.value)),
        region=row[4],
        founded=row[5],
        ended=row[6],
        stated_members=row[7],
        facts=fact_views,
        members=members,
        member_of=tuple(member_of),
        related=tuple(related),
        activities=tuple(dict.fromkeys(f.value for f in fact_views if f.field == "activity" and f.value)),
        mentions=(),
        origin=row[8],
    )
