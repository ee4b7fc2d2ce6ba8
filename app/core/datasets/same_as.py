"""Proposing that a dataset alliance is the same as a catalogue entity (NATO is ATOP 3180): the same
founding year and enough members in common (or a member count close to the one the documents state)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.core.query.filters import FilterSpec
from app.core.query.views import EntityDetail

if TYPE_CHECKING:
    from app.core.query.repository import Repository

GROUP_KINDS = ("alliance", "organisation", "partnership")
THRESHOLD = 0.5  # share of the catalogue's members (or of the stated count) the dataset must match


def _score(ours: EntityDetail, theirs: EntityDetail, candidates: int) -> tuple[float, str]:
    """How well a dataset alliance matches a catalogue entity of the same founding year, and why."""
    theirs_ids = {m.id for m in theirs.members}
    ours_ids = {m.id for m in ours.members}
    if ours_ids:
        common = len(ours_ids & theirs_ids)
        return common / len(ours_ids), f"{common} of its {len(ours_ids)} listed members in common"
    if ours.stated_members:
        n, stated = len(theirs_ids), ours.stated_members
        return min(n, stated) / max(n, stated, 1), f"{n} members in the dataset, {stated} stated in the documents"
    if candidates == 1:
        return 1.0, "the only alliance of the dataset founded that year"
    return 0.0, ""


def propose_links(repo: Repository, dataset: str) -> list[tuple[str, str, str]]:
    """(catalogue entity, dataset alliance, reason) for each catalogue alliance, organisation or
    partnership whose founding year one alliance of ``dataset`` shares and matches best (a tie
    proposes nothing: better no link than a wrong one)."""
    rows = repo.list_entities(FilterSpec(kinds=GROUP_KINDS))
    ours = [r for r in rows if r.origin != "dataset" and r.founded is not None]
    theirs = [r for r in rows if r.origin == "dataset" and r.id.startswith(f"{dataset}-")]
    years = {r.founded for r in ours}
    by_year: dict[int, list[str]] = {}
    for r in theirs:
        if r.founded in years and r.founded is not None:
            by_year.setdefault(r.founded, []).append(r.id)
    wanted = [r.id for r in ours if r.founded in by_year]
    if not wanted:
        return []
    ids = wanted + [i for ids in by_year.values() for i in ids]
    details = {d.id: d for d in repo.entity_details(ids, compare=False)}
    out: list[tuple[str, str, str]] = []
    for r in ours:
        if r.founded not in by_year or r.id not in details:
            continue
        cands = by_year[r.founded]
        scored = sorted(
            ((*_score(details[r.id], details[c], len(cands)), c) for c in cands if c in details), reverse=True
        )
        if not scored or scored[0][0] < THRESHOLD or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            continue
        _s, why, best = scored[0]
        out.append((r.id, best, f"founded {r.founded} in both; {why}"))
    return out


def propose_between_datasets(
    atop: dict[str, tuple[int | None, frozenset[str]]], cow: dict[str, tuple[int | None, frozenset[str]]]
) -> list[tuple[str, str, str]]:
    """(ATOP alliance, COW alliance, reason) for the pairs that are each other's best match among
    the alliances founded the same year, with at least half of all their members in common (members
    shared over members of either). A tie proposes nothing."""

    def best(
        mine: dict[str, tuple[int | None, frozenset[str]]], theirs: dict[str, tuple[int | None, frozenset[str]]]
    ) -> dict[str, tuple[float, str, int]]:
        by_year: dict[int, list[str]] = {}
        for tid, (year, _m) in theirs.items():
            if year is not None:
                by_year.setdefault(year, []).append(tid)
        out: dict[str, tuple[float, str, int]] = {}
        for mid, (year, members) in mine.items():
            same_year = by_year.get(year, []) if year is not None else []
            scored = sorted(
                ((len(members & theirs[t][1]) / max(len(members | theirs[t][1]), 1), t) for t in same_year),
                reverse=True,
            )
            if scored and scored[0][0] >= THRESHOLD and (len(scored) == 1 or scored[1][0] < scored[0][0]):
                out[mid] = (scored[0][0], scored[0][1], len(members & theirs[scored[0][1]][1]))
        return out

    forward, backward = best(atop, cow), best(cow, atop)
    links = []
    for a, (_score, c, common) in sorted(forward.items()):
        if backward.get(c, (0.0, "", 0))[1] == a:
            year = atop[a][0]
            total = len(atop[a][1] | cow[c][1])
            links.append((a, c, f"founded {year} in both; {common} of their {total} members in common"))
    return links
