"""The PDF summary's dataset parts as Typst markup: record citations ("ATOP 3180, defense = 1"),
membership years, same-as links, and the values the documents and a dataset disagree on."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.exports.typst_markup import text
from app.core.query.views import DatasetCitation, EntityDetail, Link


def record_label(records: Sequence[DatasetCitation]) -> str:
    """ "ATOP 3180, defense = 1"; several variables of one record joined: "ATOP 3180, yrent = 1949; yrexit = 0"."""
    by_record: dict[tuple[str, str], list[str]] = {}
    for r in records:
        by_record.setdefault((r.dataset, r.record), []).append(f"{r.field} = {r.value}")
    return "; ".join(f"{ds} {rec}, " + "; ".join(vs) for (ds, rec), vs in by_record.items())


def record_mark(records: Sequence[DatasetCitation], *, short: bool = False) -> str:
    """The record citation after a value, in the muted colour: " (ATOP 3180, defense = 1)"."""
    if not records:
        return ""
    shown = ", ".join(dict.fromkeys(f"{r.dataset} {r.record}" for r in records)) if short else record_label(records)
    return f" #text(fill: muted)[({text(shown)})];"


def link_suffix(link: Link) -> str:
    """A dataset membership's years and record: " 1949– (ATOP 3180)"."""
    if not link.records:
        return ""
    return (" " + text(link.years) if link.years else "") + record_mark(link.records, short=True)


def origin_note(d: EntityDetail) -> str:
    if d.origin != "dataset":
        return ""
    labels = dict.fromkeys(f"{r.dataset} {r.version}".strip() for r in d.records)
    return " · #emph[" + text("from " + (", ".join(labels) or "an imported dataset")) + "]"


def rows(d: EntityDetail) -> list[tuple[str, str]]:
    """Obligations, same-as links and disagreements (both values, both sources, side by side)."""
    out: list[tuple[str, str]] = []
    obligations = [f for f in d.facts if f.field == "obligation" and f.value]
    if obligations:
        out.append(("Obligations", "; ".join(text(f.value) + record_mark(f.records) for f in obligations)))
    for link in d.same_as:
        state = "confirmed" if link.status == "confirmed" else f"proposed: {link.reason}"
        out.append(("Same as", text(f"{link.name} ({link.id}), {state}")))
    for x in d.disagreements:
        sides = ", ".join(
            f"[*{text(s.value)}* · {text(s.source)}\\ #text(fill: muted)[{text(s.evidence)}]]"
            for s in (x.catalogue, x.dataset)
        )
        out.append(
            (text(f"Sources disagree: {x.what}"), f"#table(columns: (1fr, 1fr), stroke: none, inset: 2pt, {sides})")
        )
    return out
