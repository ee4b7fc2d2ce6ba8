"""Where the documents and a linked dataset alliance disagree: founding year, member count. Both kept."""

from __future__ import annotations

from app.core.query.views import Disagreement, EntityDetail, FactView, Side


def _first(detail: EntityDetail, field: str) -> FactView | None:
    return next((f for f in detail.facts if f.field == field and f.value), None)


def _evidence(f: FactView) -> str:
    if f.records:
        return "; ".join(r.label for r in f.records)
    if f.citations:
        return f"“{f.citations[0].quote}” ({f.citations[0].document_title})"
    return ""


def _source(detail: EntityDetail, f: FactView | None = None) -> str:
    if f is not None and f.records:
        r = f.records[0]
        return f"{r.dataset} {r.version}".strip()
    return "your documents" if detail.origin == "user" else "the documents"


def _dataset_label(detail: EntityDetail) -> str:
    for f in detail.facts:
        for r in f.records:
            return f"{r.dataset} {r.version}".strip()
    for link in detail.members:
        for r in link.records:
            return f"{r.dataset} {r.version}".strip()
    return detail.origin


def _members_at_end(dataset: EntityDetail) -> tuple[int, str]:
    """(members in force at the dataset's end, i.e. with no exit year; the records that say so)."""
    current = {m.id for m in dataset.members if m.start_year is not None and m.end_year is None}
    evidence = "; ".join(
        dict.fromkeys(f"{r.dataset} {r.record}" for m in dataset.members if m.id in current for r in m.records[:1])
    )
    return len(current), evidence


def disagreements(catalogue: EntityDetail, dataset: EntityDetail) -> list[Disagreement]:
    """The values a catalogue entity and a dataset alliance linked to it as the same give differently."""
    out: list[Disagreement] = []
    ours, theirs = _first(catalogue, "founded"), _first(dataset, "founded")
    if ours is not None and theirs is not None and ours.value != theirs.value:
        out.append(
            Disagreement(
                "Founded",
                dataset.id,
                Side(ours.value or "", _source(catalogue, ours), _evidence(ours)),
                Side(theirs.value or "", _source(dataset, theirs), _evidence(theirs)),
            )
        )
    stated = _first(catalogue, "member_count")
    if stated is not None:
        ours_n, ours_ev, ours_src = stated.value or "", _evidence(stated), _source(catalogue, stated)
    elif catalogue.members:
        ours_n = str(len(catalogue.members))
        ours_ev = f"{len(catalogue.members)} members listed"
        ours_src = _source(catalogue)
    else:
        return out
    n, evidence = _members_at_end(dataset)
    if str(n) != ours_n:
        label = _dataset_label(dataset)
        out.append(
            Disagreement(
                "Members",
                dataset.id,
                Side(ours_n, ours_src, ours_ev),
                Side(
                    str(n),
                    f"{label}, in force at the dataset's end",
                    f"{n} members with no exit year in {evidence}" if evidence else "",
                ),
            )
        )
    return out
